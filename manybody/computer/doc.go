// Package computer is the run path of a many-body calculation: it turns a QCSchema
// ManyBodyInput into fragment tasks (Prepare), runs them on any executor.Executor with the
// program each model chemistry names (Computer.Run), and assembles the ManyBodyResult from
// their AtomicResults (Assemble), or from their properties alone (AssembleProperties, for
// results computed elsewhere, with PreparePlan, which builds no task payloads).
//
// It is the Go counterpart of QCManyBody's ManyBodyComputer. The planning and assembly
// arithmetic lives in the pure Core of package manybody, which imports only qcschema; this
// package is where executors, engines and statistics meet it, so data flows one way:
// plan, run, store, assemble.
//
// An adaptive expansion (energy screening, see package manybody) is run as its decisions
// release tasks: they stream to the executor (executor.Stream) while others run, so no
// worker waits for a level to finish; Computer.Released hears of them as they come, with
// the bound on the tasks still to come, and Progress's total is that bound. The result
// sums the kept clusters; its component properties are exactly the target tasks computed,
// the estimator's stand apart in extras (EstimatorPropertiesKey), and extras.screening says
// what each level kept and dropped. With a Store, a rerun after a crash reuses the stored
// results, so it makes the same decisions and gives a bitwise identical result;
// Prepared.Replay lists what a store holds for the tasks the stored results release.
//
// When tasks fail, Computer.Run returns a *RunError that keeps every finished result, so
// nothing computed is lost; a counterpoise plan for a program without ghost atoms is
// refused before anything runs with a *GhostError.
package computer
