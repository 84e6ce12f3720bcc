package executor

import (
	"context"
	"sync"
	"time"

	"github.com/qcmb-go/qcmb/engine"
)

// ResidentKey is the extras key of the handshake line (see PingProgram) by which an
// executor with Options.NoResident asks a worker to run every task of a resident program
// (engine.Resident: Psi4, QCEngine) in a process of its own. Serve reads it from the
// handshake and keeps to it for the worker's life.
const ResidentKey = "qcmb:resident"

// StartsKey is the extras key under which Serve reports, in a result or failure line, the
// resident program processes the line's task waited for to start (see engine.Trace): a
// list of {"program", "after_seconds", "seconds"}, the start-up's beginning counted from
// when the worker took the line and its length. The Subprocess executor turns them into
// WorkerEvents, starts the task's time after them, and deletes the key, so results are the
// same as in-process.
const StartsKey = "qcmb:program_starts"

// perTaskKey marks a context whose tasks run resident programs in processes of their own.
type perTaskKey struct{}

func withPerTask(ctx context.Context) context.Context {
	return context.WithValue(ctx, perTaskKey{}, true)
}

func isPerTask(ctx context.Context) bool {
	v, _ := ctx.Value(perTaskKey{}).(bool)
	return v
}

// programStart is the start-up of a resident program process during a task, relative to
// the task's start.
type programStart struct {
	program    string
	after, dur time.Duration
}

// attemptTrace collects what the programs of one attempt report through engine.Trace.
type attemptTrace struct {
	mu     sync.Mutex
	start  time.Time
	starts []engine.ProcessStart
	cpu    time.Duration // used in resident processes
	ended  time.Duration // of resident processes that ended and were waited for
	// onEnded, if set, hears of ended processes at once (a Pool's processor meter).
	onEnded func(time.Duration)
}

func newAttemptTrace(start time.Time, onEnded func(time.Duration)) *attemptTrace {
	return &attemptTrace{start: start, onEnded: onEnded}
}

func (a *attemptTrace) context(ctx context.Context) context.Context {
	return engine.WithTrace(ctx, &engine.Trace{
		ProcessStarted: func(s engine.ProcessStart) {
			a.mu.Lock()
			a.starts = append(a.starts, s)
			a.mu.Unlock()
		},
		ProcessCPU: func(d time.Duration) {
			a.mu.Lock()
			a.cpu += d
			a.mu.Unlock()
		},
		ProcessEnded: func(d time.Duration) {
			a.mu.Lock()
			a.ended += d
			a.mu.Unlock()
			if a.onEnded != nil {
				a.onEnded(d)
			}
		},
	})
}

// residentCPU is the processor time used in resident processes.
func (a *attemptTrace) residentCPU() time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.cpu
}

// cpuCorrection is what the attempt's getrusage-measured processor time misses: the time
// used in resident processes, less the time of those that ended and were waited for.
func (a *attemptTrace) cpuCorrection() time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.cpu - a.ended
}

// relative returns the start-ups relative to the attempt's start.
func (a *attemptTrace) relative() []programStart {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]programStart, len(a.starts))
	for i, s := range a.starts {
		out[i] = programStart{program: s.Program, after: max(s.Requested.Sub(a.start), 0), dur: max(s.Ready.Sub(s.Requested), 0)}
	}
	return out
}

// startsJSON is StartsKey's value for the start-ups of one line.
func startsJSON(starts []programStart) []any {
	out := make([]any, len(starts))
	for i, s := range starts {
		out[i] = map[string]any{"program": s.program, "after_seconds": s.after.Seconds(), "seconds": s.dur.Seconds()}
	}
	return out
}

// takeStarts removes StartsKey from extras and returns the start-ups it lists (entries that
// are not well formed are left out).
func takeStarts(extras map[string]any) []programStart {
	v, ok := extras[StartsKey]
	if !ok {
		return nil
	}
	delete(extras, StartsKey)
	list, _ := v.([]any)
	var out []programStart
	for _, e := range list {
		m, _ := e.(map[string]any)
		program, _ := m["program"].(string)
		after, ok1 := m["after_seconds"].(float64)
		dur, ok2 := m["seconds"].(float64)
		if !ok1 || !ok2 || after < 0 || dur < 0 || after > 1e9 || dur > 1e9 {
			continue
		}
		out = append(out, programStart{program: program, after: seconds(after), dur: seconds(dur)})
	}
	return out
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// startEvents are the WorkerEvents of the start-ups of a task that began at start on
// worker slot (host: where the worker runs), and when the task itself began: once the
// last of them was ready.
func startEvents(slot int, host string, start time.Time, starts []programStart) ([]WorkerEvent, time.Time) {
	var evs []WorkerEvent
	begin := start
	for _, s := range starts {
		req := start.Add(s.after)
		ready := req.Add(s.dur)
		evs = append(evs, WorkerEvent{Worker: slot, Program: s.program, Host: host, Requested: req, Ready: ready})
		if ready.After(begin) {
			begin = ready
		}
	}
	return evs, begin
}
