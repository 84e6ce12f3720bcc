# QCEngine's part of qcmb's resident driver (engine/internal/external/driver.py, which comes
# first): QCEngine is imported once, with the configuration `qcmb run` gives QCEngine
# processes (one job per node, OMP_NUM_THREADS cores), and each task, in a process forked
# from this one, is one qcengine.compute, as `python -m qcengine run` does.
import tempfile


def setup():
    global qcengine
    with open(os.path.join(ROOT, "qcengine.yaml"), "w") as f:
        f.write('qcmb:\n  hostname_pattern: "*"\n  ncores: %d\n  jobs_per_node: 1\n'
                % int(os.environ.get("OMP_NUM_THREADS", "1")))
    os.environ["DQM_CONFIG_PATH"] = ROOT  # read at import
    import qcengine
    qcengine.config.get_global()  # the machine's description, slow to gather: once
    return {"version": qcengine.__version__}


_prepared = set()


def prepare(task):
    """Finds the task's program and its version here, once per program, for the tasks
    after it (QCEngine caches the version; finding the program may start it)."""
    name = task["program"]
    if name in _prepared:
        return
    _prepared.add(name)
    try:
        qcengine.get_program(name).get_version()
    except Exception:
        pass  # the task itself will report it


def handle(task):
    scratch = task["dir"]
    os.environ["TMPDIR"] = scratch
    tempfile.tempdir = scratch
    ret = qcengine.compute(task["input"], task["program"], task_config={"scratch_directory": scratch})
    return ret.json()
