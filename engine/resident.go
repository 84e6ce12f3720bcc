package engine

import (
	"context"
	"errors"
	"time"
)

// Resident is implemented by programs that keep their processes running between
// computations instead of starting one per computation (resident processes): Psi4 and
// QCEngine, whose start-up (the Python interpreter and the program's import) costs more than
// a small fragment's calculation. Such a program starts a process when a computation finds
// none idle, so that callers computing N inputs at once have at most N of them, and cleans
// it between computations so that results do not depend on what ran before.
type Resident interface {
	Program
	// PerTask returns the same program computing every input in a process of its own, as
	// without resident processes.
	PerTask() Program
	// Close ends the program's resident processes: idle ones at once, busy ones when their
	// computation returns. The program stays usable: a later computation starts a new one.
	Close() error
}

// PerTask returns p.PerTask() when p is Resident, else p.
func PerTask(p Program) Program {
	if r, ok := p.(Resident); ok {
		return r.PerTask()
	}
	return p
}

// Close closes every registered program that is Resident, ending their resident
// processes, and returns their errors joined. A run calls it at its end; processes also end
// when this process does (their input closes; on Linux they are also killed with it).
func Close() error {
	registryMu.RLock()
	var rs []Resident
	for _, n := range namesLocked() {
		if r, ok := registry[n].(Resident); ok {
			rs = append(rs, r)
		}
	}
	registryMu.RUnlock()
	var errs []error
	for _, r := range rs {
		errs = append(errs, r.Close())
	}
	return errors.Join(errs...)
}

// ProcessStart is the start-up of a resident process that a computation waited for.
type ProcessStart struct {
	// Program is the program's name ("psi4", "qcengine"), Pid the process's id.
	Program string
	Pid     int
	// Requested is when the process was started, Ready when it could take the computation:
	// the span between is start-up, not computation.
	Requested, Ready time.Time
}

// Trace is a set of hooks that a caller of Program.Compute sets, with WithTrace, to hear what
// a program does besides computing, as net/http/httptrace does for HTTP requests. Executors
// use it to keep resident program start-ups apart from task times and to account the
// processor time used in resident processes. Any hook may be nil.
type Trace struct {
	// ProcessStarted is called when the computation had to wait for a resident process to
	// start (one per start: a process that dies during a computation is replaced and the
	// computation run again).
	ProcessStarted func(ProcessStart)
	// ProcessCPU reports processor time the computation used in a resident process: time
	// that getrusage of this process does not show, since the process has not ended.
	ProcessCPU func(time.Duration)
	// ProcessEnded reports the whole processor time of a resident process that ended, and
	// was waited for, during the computation (a replaced or killed process): from now on
	// getrusage(RUSAGE_CHILDREN) of this process includes that time, though ProcessCPU
	// reported it before or it was start-up, so callers metering processor time with
	// getrusage subtract it.
	ProcessEnded func(time.Duration)
}

type traceKey struct{}

// WithTrace returns a context whose computations report to t.
func WithTrace(ctx context.Context, t *Trace) context.Context {
	return context.WithValue(ctx, traceKey{}, t)
}

// ContextTrace returns the Trace of ctx, nil if none.
func ContextTrace(ctx context.Context) *Trace {
	t, _ := ctx.Value(traceKey{}).(*Trace)
	return t
}

// ReportProcessStarted calls the ProcessStarted hook of ctx's Trace, if there is one.
func ReportProcessStarted(ctx context.Context, s ProcessStart) {
	if t := ContextTrace(ctx); t != nil && t.ProcessStarted != nil {
		t.ProcessStarted(s)
	}
}

// ReportProcessCPU calls the ProcessCPU hook of ctx's Trace, if there is one.
func ReportProcessCPU(ctx context.Context, d time.Duration) {
	if t := ContextTrace(ctx); t != nil && t.ProcessCPU != nil {
		t.ProcessCPU(d)
	}
}

// ReportProcessEnded calls the ProcessEnded hook of ctx's Trace, if there is one.
func ReportProcessEnded(ctx context.Context, d time.Duration) {
	if t := ContextTrace(ctx); t != nil && t.ProcessEnded != nil {
		t.ProcessEnded(d)
	}
}
