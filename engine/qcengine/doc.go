// Package qcengine bridges to MolSSI's QCEngine, so that any program QCEngine can drive
// (psi4, nwchem, cfour, xtb through xtb-python, ...) can compute qcmb's tasks. Each task
// runs
//
//	PYTHON -m qcengine run PROGRAM input.json
//
// in a private directory under Program.Scratch (removed afterwards) and reads the
// AtomicResult or FailedOperation that QCEngine prints as JSON on stdout.
//
// By default the Program keeps a Python process that imported QCEngine running between
// tasks (resident processes, as engine/psi4 does: at most one per concurrent Compute, each
// task in a child forked from it, calling qcengine.compute with the configuration below),
// since importing QCEngine and describing the machine take longer than a small fragment;
// NoResident runs one process per task.
//
// # Choosing the program
//
// A Program with its Program field set always runs that QCEngine program; New(name) makes
// one, and callers register as many as they like under their own names:
//
//	engine.Register("qcengine:psi4", qcengine.New("psi4"))
//
// The package itself registers a generic Program as "qcengine" whose Program field is
// empty: it takes the QCEngine program name from the input's extras["qcengine_program"]
// (ProgramKey), which a model chemistry's specification can carry in its extras:
//
//	{"program": "qcengine", "model": {...}, "extras": {"qcengine_program": "psi4"}}
//
// An input without it is refused with an input_error.
//
// # Interpreter, threads, scratch
//
// Program.Python names the interpreter. When it is empty, "python3" from PATH is used if it
// can import qcengine, else /usr/bin/python3 (Debian's python3-qcengine installs for the
// system interpreter, which a pyenv or virtualenv python3 earlier on PATH does not see).
// The choice is made once per process.
//
// QCEngine's task configuration comes from a qcengine.yaml written into the task directory
// (found through DQM_CONFIG_PATH): ncores is input extras["nthreads"], else
// Program.Threads, else 1; one job per node; QCEngine's scratch is the task directory.
//
// The molecule is sent with fix_com and fix_orientation true, so gradients come back in
// the input's frame; the result carries the input's molecule. Results of Psi4 1.3, whose
// SCF dipole moment is in debye, are normalised to e·bohr as engine/psi4 does.
//
// Failures come back as *qcschema.FailedOperation errors: QCEngine's own FailedOperation
// (its error type and message), "unavailable_error" when no interpreter can import qcengine,
// and "unknown_error" with the interpreter's stderr when it prints no result. A cancelled
// context kills the process group and returns the context's error.
package qcengine
