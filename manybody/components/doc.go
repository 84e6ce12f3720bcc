// Package components reads the results of a many-body expansion's fragment calculations,
// computed anywhere, and matches them to the tasks of a plan, so that the ManyBodyResult
// can be assembled from them (computer.Assemble, computer.AssembleProperties). It is what
// qcmb analyze runs on.
//
// Four forms are read:
//
//   - a JSON list of {"mc", "real", "basis", "energy", "gradient"?, "hessian"?} objects
//     (the test vectors' components, and what qcmb store export writes);
//   - QCManyBody's component dictionary, as ManyBodyCore.analyze takes it: task label ->
//     {"energy", "gradient"?, "hessian"?} or just the energy; the component_properties
//     of a ManyBodyResult read too (return_energy, return_gradient, return_hessian);
//   - AtomicResults, one per line (JSON lines), or one document;
//   - a directory of AtomicResult *.json files (ReadFile).
//
// AtomicResults are matched to tasks by their id when it is a task label (qcmb's executors
// set it so), or else by their molecule: the same atoms, ghosts and coordinates to 1e-6
// bohr. Gradients and Hessians may be nested or flat. A list entry with an unknown field,
// a member given twice or a number that is not strict JSON is an error that names the
// entry; entries for tasks outside the plan are left out.
//
// Lists and dictionaries run to hundreds of megabytes (a water-64 MBE-4 gradient is
// 434 MB), so they are read in one pass: the top-level array or object is split into its
// entries without building anything (internal/jsontext), and the entries are parsed on
// every core at once straight into numbers, handed on in order as they finish, so that
// memory stays near the size of the data.
package components
