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
// When tasks fail, Computer.Run returns a *RunError that keeps every finished result, so
// nothing computed is lost; a counterpoise plan for a program without ghost atoms is
// refused before anything runs with a *GhostError.
package computer
