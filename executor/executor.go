package executor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/qcschema"
)

// ProgramKey is the AtomicInput extras key that names the program on a worker line. The
// Subprocess executor sets it in every line it sends; Serve reads it; EngineRunner removes
// it before the program sees the input.
const ProgramKey = "qcmb:program"

// DefaultProgram runs a task whose Program is empty, and a worker line without ProgramKey.
const DefaultProgram = "embedded"

// Task is one calculation: a minimal serialized qcschema.AtomicInput (only the fragment's
// atoms, model, driver, keywords) and the program to run it.
type Task struct {
	// ID names the task in outcomes and errors, e.g. the many-body label.
	ID string
	// Program is the engine registry name of the program ("" means DefaultProgram).
	Program string
	// Payload is the AtomicInput JSON. Executors never modify it.
	Payload []byte
	// Cost is the estimated relative cost; Pool and Subprocess start larger costs first.
	Cost float64
	// Threads is the number of threads the program is asked to use for this task (0: not
	// stated). In-process executors share the measured processor time among concurrent
	// tasks in proportion to it.
	Threads int
}

// Outcome is what became of one task.
type Outcome struct {
	// Index is the task's position in the batch passed to Execute.
	Index int
	// ID is the task's ID.
	ID string
	// Result is the program's result when Err is nil.
	Result *qcschema.AtomicResult
	// Err is nil on success. Program failures (including time-outs) are
	// *qcschema.FailedOperation; a worker process that crashed or broke the protocol is a
	// *WorkerError.
	Err error
	// Attempts counts the times the task was run (1 + retries); 0 if it never ran because
	// no worker process could be kept running.
	Attempts int
	// Worker is the number (0 to workers-1) of the goroutine or worker process slot that
	// ran the last attempt.
	Worker int
	// Queued is when Execute received the task; Start and End bound its last attempt.
	Queued, Start, End time.Time
	// Reused says that the result was not computed but taken from a result store
	// (package executor/store); Attempts is then 0 and the times are zero.
	Reused bool
	// CPU is the processor time of the last attempt, the program's child processes
	// included; 0 when not measured. Worker processes measure it around each task and
	// report it (see CPUKey), so it is exact for Subprocess; Serial measures this process
	// around each task, exact too; in a Pool the process's time is shared among the tasks
	// running at once in proportion to their Threads, an approximation.
	CPU time.Duration
}

// Executor runs batches of tasks.
type Executor interface {
	// Execute runs every task and calls handle once per task as it finishes (handle is
	// never called concurrently). It returns nil if all succeeded, a *BatchError naming
	// each failed task and why if some failed (all successes were still delivered), or
	// ctx.Err() (wrapped) if cancelled before every task finished; handle is not called
	// for tasks that were cancelled.
	Execute(ctx context.Context, tasks []Task, handle func(Outcome)) error
}

// ExecutorFunc adapts an ordinary function to the Executor interface, as http.HandlerFunc
// does for handlers.
type ExecutorFunc func(ctx context.Context, tasks []Task, handle func(Outcome)) error

// Execute calls f(ctx, tasks, handle).
func (f ExecutorFunc) Execute(ctx context.Context, tasks []Task, handle func(Outcome)) error {
	return f(ctx, tasks, handle)
}

// maxTaskMessage bounds each task's part of a BatchError message, in bytes.
const maxTaskMessage = 4096

// BatchError reports the tasks of a batch that failed, in batch order.
type BatchError struct {
	Failed []Outcome
}

// Error lists the ID and reason of each failed task, one per line (the first 20 of them,
// each reason cut to 4 KiB); a reason already given (workers that cannot start fail every
// task alike) is counted rather than repeated.
func (e *BatchError) Error() string {
	var b strings.Builder
	if len(e.Failed) == 1 {
		b.WriteString("executor: 1 task failed:")
	} else {
		fmt.Fprintf(&b, "executor: %d tasks failed:", len(e.Failed))
	}
	const show = 20
	seen := map[string]bool{}
	shown, same, rest := 0, 0, 0
	for _, o := range e.Failed {
		msg := "unknown error"
		if o.Err != nil {
			// A program's message may quote its input whole; the outcome keeps it all.
			msg = qcschema.Excerpt(o.Err.Error(), maxTaskMessage)
		}
		switch {
		case seen[msg]:
			same++
			continue
		case shown == show:
			rest++
			continue
		}
		seen[msg] = true
		shown++
		fmt.Fprintf(&b, "\n\t%s (task %d, %d attempt", o.ID, o.Index, o.Attempts)
		if o.Attempts != 1 {
			b.WriteByte('s')
		}
		b.WriteString("): ")
		b.WriteString(strings.ReplaceAll(msg, "\n", "\n\t\t"))
	}
	if rest > 0 {
		fmt.Fprintf(&b, "\n\t... and %d more", rest)
	}
	if same > 0 {
		fmt.Fprintf(&b, "\n\t(%d more with an error given above)", same)
	}
	return b.String()
}

// Unwrap returns the error of each failed task, for errors.Is and errors.As.
func (e *BatchError) Unwrap() []error {
	errs := make([]error, 0, len(e.Failed))
	for _, o := range e.Failed {
		if o.Err != nil {
			errs = append(errs, o.Err)
		}
	}
	return errs
}

// WorkerError says that a worker process died or broke the protocol while running a task.
// Such failures are retried: see Options.Retries.
type WorkerError struct {
	// Worker is the slot number of the worker, Pid its process id.
	Worker, Pid int
	// Err is why: the exit status or the protocol violation.
	Err error
	// Stderr holds the last bytes (up to 64 KiB) the worker wrote to its standard error.
	Stderr string
}

// Error describes the failure and ends with the last lines of the worker's stderr.
func (e *WorkerError) Error() string {
	msg := fmt.Sprintf("worker %d (pid %d) failed: %v", e.Worker, e.Pid, e.Err)
	if tail := tailLines(e.Stderr, 20, 2048); tail != "" {
		msg += "\nworker stderr (last lines):\n" + tail
	}
	return msg
}

// Unwrap returns Err.
func (e *WorkerError) Unwrap() error { return e.Err }

// tailLines returns at most n lines and max bytes from the end of s.
func tailLines(s string, n, max int) string {
	s = strings.TrimRight(s, "\n")
	if len(s) > max {
		s = s[len(s)-max:]
		if i := strings.IndexByte(s, '\n'); i >= 0 && i < len(s)-1 {
			s = s[i+1:]
		}
	}
	for i, k := len(s), 0; i > 0; {
		j := strings.LastIndexByte(s[:i], '\n')
		if j < 0 {
			break
		}
		k++
		if k == n {
			return s[j+1:]
		}
		i = j
	}
	return s
}

// Options are the behaviour common to all executors.
type Options struct {
	// Timeout limits each attempt of a task (0: no limit), in running time: time during
	// which the process was stopped (SIGSTOP, ^Z, a suspended machine) is not counted.
	// In-process executors cancel the attempt's context; the Subprocess executor kills and
	// replaces the worker. Either way the attempt fails with a qcschema.ErrorTimeout
	// FailedOperation.
	Timeout time.Duration
	// Retries is the number of extra attempts for a task whose failure is retryable: a
	// qcschema.FailedOperation whose Retryable method reports true (random and timeout
	// errors). A worker process crash is always retried at least once, even when Retries
	// is 0: a crashed task gets max(Retries, 1) extra attempts.
	Retries int
	// Backoff is the wait before the first retry; it doubles for each further retry
	// (capped at one minute). 0 retries at once.
	Backoff time.Duration
	// OnStart, if set, is called with a task's batch index when its first attempt starts
	// (for Subprocess: when the worker begins it, not when it is queued in the worker's
	// pipe). Pool calls it from several goroutines at once.
	OnStart func(index int)
	// OnStartWorker, if set, is called as OnStart is, with the worker that runs the task
	// (its Outcome.Worker): who is busy with what, for a run cut short before the task's
	// outcome.
	OnStartWorker func(index, worker int)
	// Runner runs a payload in-process (Serial and Pool; Subprocess workers pick their
	// own). Nil means EngineRunner().
	Runner Runner
	// OnWorker, if set, is told how each worker process of the Subprocess and Slurm
	// executors started, and, on every executor, each resident program process that a
	// task waited for (see WorkerEvent); it is never called concurrently with itself.
	OnWorker func(WorkerEvent)
	// NoResident runs every task of a resident program (engine.Resident: Psi4, QCEngine)
	// in a process of its own, as without resident processes. It applies to EngineRunner,
	// in this process and in workers that Serve (see ResidentKey).
	NoResident bool
}

// started calls OnStart and OnStartWorker if they are set.
func (o *Options) started(index, worker int) {
	if o.OnStart != nil {
		o.OnStart(index)
	}
	if o.OnStartWorker != nil {
		o.OnStartWorker(index, worker)
	}
}

func (o *Options) runner() Runner {
	if o.Runner == nil {
		return EngineRunner()
	}
	return o.Runner
}

// retry reports whether a task that failed with err after attempts attempts runs again.
func (o *Options) retry(err error, attempts int) bool {
	var we *WorkerError
	if errors.As(err, &we) {
		return attempts <= max(o.Retries, 1)
	}
	var fo *qcschema.FailedOperation
	if errors.As(err, &fo) && fo.Retryable() {
		return attempts <= o.Retries
	}
	return false
}

// backoff is the wait before the retry that follows attempt number attempts.
func (o *Options) backoff(attempts int) time.Duration {
	if o.Backoff <= 0 {
		return 0
	}
	const limit = time.Minute
	d := o.Backoff
	for i := 1; i < attempts && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// Runner runs one payload (AtomicInput JSON) with the named program.
type Runner interface {
	Run(ctx context.Context, program string, payload []byte) (*qcschema.AtomicResult, error)
}

// RunnerFunc adapts an ordinary function to the Runner interface.
type RunnerFunc func(ctx context.Context, program string, payload []byte) (*qcschema.AtomicResult, error)

// Run calls f(ctx, program, payload).
func (f RunnerFunc) Run(ctx context.Context, program string, payload []byte) (*qcschema.AtomicResult, error) {
	return f(ctx, program, payload)
}

// EngineRunner returns the default Runner: it decodes the payload into a
// qcschema.AtomicInput, deletes extras[ProgramKey] (and sets extras to nil if nothing else
// is left, so that in-process and worker runs hand programs identical inputs), and
// computes it with the program engine.Lookup finds under the name (in a process of its
// own, for a resident program, when the executor's Options.NoResident says so).
func EngineRunner() Runner { return RunnerFunc(runEngine) }

func runEngine(ctx context.Context, program string, payload []byte) (*qcschema.AtomicResult, error) {
	in, err := DecodeInput(payload)
	if err != nil {
		return nil, err
	}
	if err := in.Molecule.CheckGeometry(); err != nil {
		return nil, failure(payload, qcschema.ErrorInput, err.Error())
	}
	p, err := engine.Lookup(program)
	if err != nil {
		return nil, failure(payload, qcschema.ErrorUnavailable, err.Error())
	}
	if isPerTask(ctx) {
		p = engine.PerTask(p)
	}
	return p.Compute(ctx, in)
}

// DecodeInput decodes a task payload as EngineRunner does: extras[ProgramKey] removed, and
// an extras map left empty by that set to nil. A payload that is not an AtomicInput is a
// qcschema.ErrorInput FailedOperation.
func DecodeInput(payload []byte) (*qcschema.AtomicInput, error) {
	in := new(qcschema.AtomicInput)
	if err := json.Unmarshal(payload, in); err != nil {
		return nil, failure(payload, qcschema.ErrorInput, "decoding AtomicInput: "+err.Error())
	}
	if in.Extras != nil {
		delete(in.Extras, ProgramKey)
		if len(in.Extras) == 0 {
			in.Extras = nil
		}
	}
	return in, nil
}

// failure builds a FailedOperation whose input_data is payload (or payload as a JSON
// string if it is not valid JSON).
func failure(payload []byte, errorType, message string) *qcschema.FailedOperation {
	return &qcschema.FailedOperation{InputData: inputData(payload), ComputeError: qcschema.ComputeError{ErrorType: errorType, ErrorMessage: message}}
}

func inputData(payload []byte) json.RawMessage {
	if len(payload) > 0 && json.Valid(payload) {
		// Invalid UTF-8 can only be inside strings, where U+FFFD keeps the JSON valid and
		// makes it valid UTF-8, as json.Marshal writes strings.
		return json.RawMessage(validUTF8(payload))
	}
	const max = 4096
	s := string(payload)
	if len(s) > max {
		s = s[:max] + "..."
	}
	b, _ := json.Marshal(s)
	return b
}

// validUTF8 returns data with every invalid UTF-8 sequence replaced by U+FFFD (data
// itself when it is valid).
func validUTF8(data []byte) []byte {
	if utf8.Valid(data) {
		return data
	}
	return bytes.ToValidUTF8(data, []byte("\uFFFD"))
}

// safeRun calls run, turning a panic into a FailedOperation.
func safeRun(ctx context.Context, run Runner, program string, payload []byte) (res *qcschema.AtomicResult, err error) {
	defer func() {
		if p := recover(); p != nil {
			fo := failure(payload, qcschema.ErrorUnknown, fmt.Sprintf("program %s panicked: %v", program, p))
			fo.ComputeError.Extras = map[string]any{"traceback": string(debug.Stack())}
			res, err = nil, fo
		}
	}()
	return run.Run(ctx, program, payload)
}

// settle turns what a Runner returned into a success (result, nil) or a failure (nil,
// *FailedOperation), identically for in-process executors and Serve. ctx is the
// attempt's context, so a run cut off by its deadline is a time-out.
func settle(ctx context.Context, payload []byte, res *qcschema.AtomicResult, err error, timeout time.Duration) (*qcschema.AtomicResult, error) {
	if err == nil {
		switch {
		case res == nil:
			return nil, failure(payload, qcschema.ErrorUnknown, "program returned neither a result nor an error")
		case !res.Success:
			fo := failure(payload, qcschema.ErrorUnknown, "program returned a result with success false")
			if res.Error != nil {
				fo.ComputeError = *res.Error
			}
			fo.ID = res.ID
			return nil, fo
		}
		return res, nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		if timedOut(ctx) {
			return nil, timeoutFailure(payload, timeout, "")
		}
		return nil, failure(payload, qcschema.ErrorCancelled, err.Error())
	}
	var fo *qcschema.FailedOperation
	if errors.As(err, &fo) {
		if fo.InputData == nil {
			fo.InputData = inputData(payload)
		}
		return nil, fo
	}
	if errors.Is(err, engine.ErrUnknownProgram) {
		return nil, failure(payload, qcschema.ErrorUnavailable, err.Error())
	}
	return nil, failure(payload, qcschema.ErrorUnknown, err.Error())
}

func timeoutFailure(payload []byte, timeout time.Duration, detail string) *qcschema.FailedOperation {
	msg := "task exceeded its time limit"
	if timeout > 0 {
		msg = fmt.Sprintf("task exceeded its time limit of %v", timeout)
	}
	if detail != "" {
		msg += "; " + detail
	}
	return failure(payload, qcschema.ErrorTimeout, msg)
}

// sleep waits d or until ctx is done; it reports whether the full wait passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// cancelled is the error Execute returns when ctx ends the batch early.
func cancelled(ctx context.Context, notRun, total int) error {
	err := ctx.Err()
	if cause := context.Cause(ctx); cause != nil && cause != err {
		return fmt.Errorf("executor: cancelled with %d of %d tasks unfinished (%v): %w", notRun, total, cause, err)
	}
	return fmt.Errorf("executor: cancelled with %d of %d tasks unfinished: %w", notRun, total, err)
}
