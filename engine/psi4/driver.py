# Psi4's part of qcmb's resident driver (engine/internal/external/driver.py, which comes
# first): Psi4 is imported once; each task, in a process forked from this one, makes the
# set-up the psi4 command makes and runs through Psi4's own QCSchema entry point, as
# `psi4 --json` (1.3) and `psi4 --qcschema` (1.4 and later) do.

# The memory the psi4 command sets before running an input, in bytes.
DEFAULT_MEMORY = 524288000


def setup():
    global psi4, core
    os.environ["PSI_SCRATCH"] = ROOT  # read at import; must be a directory
    import psi4
    from psi4 import core
    return {"version": psi4.__version__}


def handle(task):
    scratch = task["dir"]
    os.environ["PSI_SCRATCH"] = scratch
    core.IOManager.shared_object().set_default_path(scratch)
    psi4.extras._input_dir_ = scratch
    core.set_num_threads(task["nthreads"], quiet=True)
    core.set_memory_bytes(DEFAULT_MEMORY, True)
    doc = task["input"]
    charges = task.get("charges")
    if charges:
        # Psi4 1.3: the EXTERN potential is a Python object, not a keyword (see the
        # package documentation); run_json clears options, so the keyword is set too.
        ext = core.ExternalPotential()
        for q, pos in charges:
            ext.addCharge(q, pos[0], pos[1], pos[2])
        core.set_global_option_python("EXTERN", ext)
        doc["keywords"]["extern"] = True
    if task["qcschema"]:
        return psi4.schema_wrapper.run_qcschema(doc).json()
    return json.dumps(psi4.json_wrapper.run_json(doc))
