// Package psi4 runs the Psi4 quantum chemistry program on QCSchema AtomicInputs, through
// Psi4's own QCSchema runner: `psi4 --json FILE` in Psi4 1.3 and `psi4 --qcschema FILE` in
// Psi4 1.4 and later (the version is asked once per executable with `psi4 --version`). Both
// runners read the input document from FILE and write the result back into it.
//
// Importing the package registers a default *Program as "psi4" with package engine:
//
//	import _ "github.com/qcmb-go/qcmb/engine/psi4"
//	res, err := engine.Compute(ctx, "psi4", input)
//
// # What passes through
//
// Method, basis, driver (energy, gradient, hessian, properties), keywords (Psi4 options
// such as scf_type, e_convergence, puream), molecular charge and multiplicity, and ghost
// atoms (Molecule.Real false: basis functions without nucleus or electrons) go to Psi4
// unchanged. The molecule is always sent with fix_com and fix_orientation true, so that
// Psi4 does not move it and gradients and Hessians come back in the input's frame.
// Psi4 writes its files in a private scratch directory only: a keyword whose value, at any
// depth, is an absolute path, starts with ~ or has a ".." element (writer_file_label,
// write_orbitals, ...) is refused with an input_error before Psi4 starts.
//
// # Resident processes
//
// Starting Psi4 (the Python interpreter and `import psi4`) takes longer than a small
// fragment's calculation, so by default a Program keeps Psi4 processes running between
// tasks: each Compute checks out an idle one (starting one if none is idle, so N concurrent
// Computes have at most N), sends it the task as one JSON line and reads the result line.
// The resident process is a small Python driver run by the interpreter named on the #!
// line of the psi4 command, with the Python path `psi4 --psiapi-path` prints; it imports
// Psi4 once and runs each task in a child it forks, which makes the set-up the psi4 command
// makes and calls Psi4's own QCSchema entry point (json_wrapper.run_json in 1.3,
// schema_wrapper.run_qcschema later) on the same document `psi4 --json` would read: every
// task starts from the state right after the import, and results are bitwise those of a
// process per task. The checks below (paths, threads, charges) apply before a task reaches
// a process. A resident process that dies during a task is replaced and the task run
// again; one whose task's context ends is killed with everything it started; one is
// replaced after MaxTasks tasks or above MaxRSS resident memory. Close ends them;
// engine.Close closes every registered program. They also end with this process (a death
// signal on Linux and the end of their input; a reaper removes the scratch of one killed
// outright). Start-ups and the processor time used are reported through engine.Trace.
// Where no resident process can start (a psi4 command that is no Python script),
// and with NoResident, each task runs its own `psi4 --json` as described below.
//
// # Threads, scratch, memory
//
// Each task runs in a private directory under Program.Scratch (default os.TempDir()),
// which is Psi4's working directory and PSI_SCRATCH, and is removed afterwards. The thread
// count (`psi4 -n N`) is the first of input extras["nthreads"], protocols["nthreads"],
// keywords["nthreads"] (removed before the keywords reach Psi4), Program.Threads, and 1.
// Program.Memory, when set, is passed as the runner's "memory" field (Psi4 1.3 only;
// Psi4 otherwise defaults to 500 MiB).
//
// # Embedding charges
//
// Point charges in molecule extras["embedding_charges"] = [[q, [x, y, z]], ...] (bohr, as the
// many-body planner writes them) become a Psi4 external potential. Psi4 1.3's JSON runner
// has no field for them (its EXTERN option is a Python object, not a keyword), so for 1.3
// the package runs a small Python driver through `psi4 -k` that builds a
// core.ExternalPotential, installs it with core.set_global_option_python("EXTERN", ...) and
// then calls the same json_wrapper.run_json as `psi4 --json`. The molecule is run without
// symmetry (fix_symmetry c1), as Psi4 requires with external fields. The energy includes
// the interaction of the charges with the nuclei ("additional nuclear repulsion") and with
// the electrons, but not the charges' interaction with each other. Psi4 1.6 and later take
// the charges as keywords function_kwargs external_potentials (bohr); Psi4 1.4 and 1.5,
// whose unit conventions for external charges differ, are refused with a FailedOperation.
//
// # Results and failures
//
// The result is a qcschema.AtomicResult with Psi4's return_result, properties, provenance
// and (unless protocols stdout is false) Psi4's output text in Stdout; Psi4's QCVariables
// are kept in extras["qcvars"]. Psi4 1.3 quirks are normalised: the SCF dipole moment,
// which 1.3 reports in debye, is converted to e·bohr as QCSchema specifies; return_gradient
// and return_hessian are filled from return_result; for the properties driver, whose
// return_result is an object, that object moves to extras["psi4_properties"] and
// return_result holds the energy.
//
// Failures of the calculation come back as *qcschema.FailedOperation errors: Psi4's own
// (success false) with the Python exception's message, its class name in
// extras["psi4_error_type"] and the traceback in extras["traceback"]; a missing psi4
// executable as error_type "unavailable_error". A cancelled context kills Psi4's whole
// process group and returns the context's error.
package psi4
