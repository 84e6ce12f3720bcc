// Package executor runs batches of single-point calculations. An Executor takes a list of
// Tasks, each a serialized qcschema.AtomicInput (the payload) and the name of the program
// (engine registry name) that computes it, and reports one Outcome per task. Executors know
// nothing of the many-body expansion: the tasks of a batch are independent.
//
// Four executors are provided:
//
//   - Serial runs the tasks one at a time, in batch order, in the calling goroutine.
//   - Pool runs them on a fixed number of goroutines, largest Task.Cost first.
//   - Subprocess runs them on long-lived worker processes speaking the NDJSON protocol
//     below, largest Cost first: `qcmb worker` or a wrapper around another program.
//   - Slurm runs such workers as Slurm job steps (inside an allocation) or jobs (outside
//     one), started by srun, and cancels them with scancel at the end.
//
// Any other strategy (a cluster queue, a remote service, a cache in front of an executor)
// is an Executor too; ExecutorFunc turns a function into one.
//
// # Streams
//
// A run whose next tasks depend on the results of the first (an adaptive many-body
// expansion) streams them: it adds tasks to a Queue while the executor runs the others,
// typically from its handle function, and closes the queue once it awaits no outcome.
// Serial, Pool, Subprocess and Slurm are Streamers: a worker that becomes free takes the
// next task at once (the largest Cost first, but for Serial), so no worker waits for a
// batch to finish; Execute is the case of a queue that holds the whole batch, closed.
// Stream runs a queue on any Executor, batch by batch on one without Stream of its own.
//
// # Outcomes and errors
//
// Execute calls its handle function once per finished task, never concurrently, in
// completion order. It returns nil when every task succeeded, a *BatchError listing the
// failed tasks when some failed (the successes were all delivered), or an error wrapping
// ctx.Err() when cancelled; tasks cut off by the cancellation are not delivered. A program
// failure is a *qcschema.FailedOperation in Outcome.Err; a worker process that crashed or
// broke the protocol is a *WorkerError, which carries the last 64 KiB of the worker's
// standard error.
//
// # Progress and processor time
//
// Options.OnStart, if set, hears when each task starts (for Subprocess, when its worker
// begins it), so progress displays can show running tasks. Outcome.CPU is the processor
// time of a task: exact for Serial and for worker processes, which run one task at a time,
// and shared out among concurrent tasks by their Task.Threads in a Pool.
//
// # Time limits and retries
//
// Options.Timeout limits each attempt: in-process executors cancel the attempt's context
// (programs must honour it), the Subprocess executor stops the worker's process group
// (SIGTERM, then SIGKILL after Subprocess.KillGrace) and starts another. The attempt fails
// with a qcschema.ErrorTimeout FailedOperation. Limits count running time: time the
// process spent stopped (SIGSTOP, ^Z) and a worker's start-up are not counted.
//
// Failures that FailedOperation.Retryable reports as transient (random and timeout
// errors) are retried Options.Retries times, after Options.Backoff, doubling for each
// further retry. A task whose worker crashed is retried max(Options.Retries, 1) times: at
// least once even with Retries 0, because a crash is as likely the fault of the machine as
// of the input. Tasks that were queued behind it in the dead worker's pipe are sent to
// another worker without counting an attempt.
//
// # Identical results
//
// Whichever executor runs a batch, each program sees the same input and the results are
// bitwise identical: in-process executors also decode the JSON payload (EngineRunner,
// DecodeInput) rather than share Go values, and the float64 numbers of a worker's result
// line decode to exactly the values the worker encoded.
//
// # Worker protocol
//
// A worker reads AtomicInput JSON documents from standard input, one per line, and writes
// one AtomicResult (success true) or FailedOperation (success false) JSON document per
// line to standard output, in input order, flushing after each. A program failure is a
// FailedOperation line, not a crash; the worker exits with status 0 at the end of its
// input. On SIGTERM a worker stops its program, which ends every process the program
// started and removes its scratch directory, and exits. Lines are at most DefaultMaxLine
// bytes unless configured (Server.MaxLine). Serve implements the worker side, and is all
// `qcmb worker` does.
//
// The program for a line is named by the AtomicInput's extras["qcmb:program"] (ProgramKey),
// a string; without it the worker uses the specification.program of a QCSchema v2 input,
// or else DefaultProgram ("embedded"). The Subprocess
// executor sets that key in every line it sends, overriding any value the payload had, and
// writes the payload as one compact line; everything else in the payload is passed on
// as it is. In-process executors pass Task.Program to their Runner directly. EngineRunner
// deletes the key again (and an extras object left empty by that becomes null), so that
// programs see identical inputs in and out of process.
//
// Serve adds to each output line's extras the processor time the task used, its own and its
// finished child processes', as "qcmb:cpu_seconds" (CPUKey); the Subprocess executor moves
// it into Outcome.CPU and deletes it, so results do not depend on the executor. Other
// workers may leave it out; Outcome.CPU is then 0.
//
// The first line an executor writes to every worker it starts is a handshake: an input
// naming the program "qcmb:ping" (PingProgram). Serve answers it at once with a result
// saying where it runs; a worker that knows nothing of it answers with a FailedOperation,
// which serves as well. The worker is ready when that answer arrives: no task is sent to
// it before, and its start-up (for Slurm, the queue wait too) is reported through
// Options.OnWorker as a WorkerEvent, apart from task times.
//
// # Resident programs
//
// Programs that keep processes between tasks (engine.Resident: Psi4, QCEngine) tell the
// executor, through engine.Trace, when a task had to wait for such a process to start: the
// executor reports it as a WorkerEvent with Program set and starts the task's time after
// it, and counts the processor time used in the resident process in Outcome.CPU. Serve
// reports both on the result line (StartsKey, CPUKey), which the Subprocess executor
// removes. Options.NoResident runs such programs in a process per task; the Subprocess
// executor asks its workers for that in the handshake (ResidentKey).
//
// # Workers that outlive a batch
//
// Subprocess and Slurm start their workers per Execute unless started with Start: then the
// workers serve every Execute until Close, so that a sequence of batches (an optimization,
// a scan) pays for start-up and queue wait once.
//
// Starter (Start, Close), Streamer (Stream) and Workers are optional capabilities, found
// by type assertion; middleware keeps them (store.Wrap is a Starter exactly when what it
// wraps is one, and forwards Workers and Close), so a wrapped executor is used as the
// executor itself would be.
//
// The Subprocess executor may write a second line before the first result arrives (see
// Subprocess.Pipeline), so a worker must not wait for its output to be read before reading
// on. Anything a worker writes to standard error is kept for error reports; anything else on
// standard output is a protocol error, after which the worker is killed and replaced.
package executor
