package external

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// Defaults of Spec.MaxTasks and Spec.MaxRSS.
const (
	// DefaultMaxTasks bounds the tasks one resident process runs: a slow leak in a program
	// cannot grow without end.
	DefaultMaxTasks = 1000
	// DefaultMaxRSS is the resident memory, in bytes, above which a process is replaced
	// after its task: twice and more what Psi4's default memory setting (500 MiB) lets it
	// use, plus its libraries.
	DefaultMaxRSS = 2 << 30
)

// residentGrace is how long Close lets idle processes take to end after their input is
// closed before they are killed.
const residentGrace = 5 * time.Second

//go:embed driver.py
var driverCommon string

// Spec says how to start a resident process: a Python driver (driver.py, followed by the
// program's own part) run by Python in a scratch root of its own under Scratch.
type Spec struct {
	// Program names the program in errors and traces ("psi4").
	Program string
	// Key tells which processes are interchangeable: a task runs in an idle process
	// started from a Spec with the same Key.
	Key string
	// Python is the interpreter, Driver the program's part of the driver: Python source
	// that defines setup() and handle(task) (see driver.py).
	Python, Driver string
	// Env is the processes' environment; nil means this process's.
	Env []string
	// Scratch is the parent directory of the processes' scratch roots (os.TempDir() if
	// empty). Each task gets a directory of its own in its process's root.
	Scratch string
	// MaxTasks is how many tasks a process runs before it is replaced (0:
	// DefaultMaxTasks); MaxRSS the resident memory in bytes above which a process is
	// replaced after a task (0: DefaultMaxRSS; measured where /proc tells it).
	MaxTasks int
	MaxRSS   int64
}

func (s *Spec) maxTasks() int {
	if s.MaxTasks > 0 {
		return s.MaxTasks
	}
	return DefaultMaxTasks
}

func (s *Spec) maxRSS() int64 {
	if s.MaxRSS > 0 {
		return s.MaxRSS
	}
	return DefaultMaxRSS
}

// StartError says that a resident process could not be started or did not become ready.
// Callers run the task in a process of its own instead: a resident process is a saving,
// never a condition of computing.
type StartError struct {
	Program string
	Err     error
	Stderr  string // the end of what the process wrote to standard error
}

func (e *StartError) Error() string {
	msg := fmt.Sprintf("starting a resident %s process: %v", e.Program, e.Err)
	if e.Stderr != "" {
		msg += ": " + e.Stderr
	}
	return msg
}

func (e *StartError) Unwrap() error { return e.Err }

// ExitError says that a resident process ended during a task, twice: in the process that
// had the task and in the fresh one that ran it again.
type ExitError struct {
	Program string
	Err     error  // the process's exit status or the protocol violation
	Stderr  string // the end of what the process wrote to standard error
}

func (e *ExitError) Error() string {
	msg := fmt.Sprintf("resident %s process failed during the task: %v", e.Program, e.Err)
	if e.Stderr != "" {
		msg += ": " + e.Stderr
	}
	return msg
}

func (e *ExitError) Unwrap() error { return e.Err }

// DriverError is an exception of the driver itself (not of the program, whose failures are
// results): its traceback.
type DriverError struct {
	Program   string
	Traceback string
	// Lost says that the task's process (forked from the resident process) ended without
	// answering: killed, or crashed in the program.
	Lost bool
}

func (e *DriverError) Error() string {
	return fmt.Sprintf("resident %s driver: %s", e.Program, tail(e.Traceback, 2000))
}

// Pool keeps resident processes between tasks. The zero value is ready to use; a Pool must
// not be copied after first use. Every task checks out an idle process (starting one if
// none is idle), so a caller running N tasks at once has at most N processes: when a task
// finds no idle process with its key but one with another key, that one is ended first.
type Pool struct {
	mu     sync.Mutex
	idle   []*process       // least recently used first
	failed map[string]error // keys whose processes could not start
	gen    int              // Close increments it: older busy processes end on return
}

// Call runs one task in a resident process of spec and returns its reply (the JSON the
// program's handle returned). request builds the task line (one JSON document, no newline)
// given the task's scratch directory, which Call makes in the process's root and removes
// afterwards. A task whose process ends without answering is run again once: when the
// resident process itself ended, in a new one. A process that takes longer than ctx allows
// is killed with everything it started, and Call returns ctx's error. The errors are
// *StartError, *ExitError, *DriverError, the error of request, or ctx's.
func (p *Pool) Call(ctx context.Context, spec *Spec, request func(dir string) ([]byte, error)) ([]byte, error) {
	for attempt := 1; ; attempt++ {
		proc, err := p.checkout(ctx, spec)
		if err != nil {
			return nil, err
		}
		reply, err := proc.call(ctx, request)
		var perr *protocolError
		var derr *DriverError
		switch {
		case err == nil:
			p.checkin(ctx, spec, proc)
			return reply, nil
		case ctx.Err() != nil:
			proc.stop(ctx)
			return nil, ctx.Err()
		case errors.As(err, &derr) && derr.Lost && attempt == 1:
			p.checkin(ctx, spec, proc) // the task's process died, not the resident one
			continue
		case !errors.As(err, &perr):
			// request failed, or the driver reported an exception: the process is sound.
			p.checkin(ctx, spec, proc)
			return nil, err
		}
		proc.stop(ctx)
		if attempt == 2 {
			cause := perr.err
			if perr.ended {
				cause = fmt.Errorf("%w (%v)", cause, proc.waitErr)
			}
			return nil, &ExitError{Program: spec.Program, Err: cause, Stderr: proc.stderrTail()}
		}
	}
}

// checkout takes an idle process with spec's key, or starts one.
func (p *Pool) checkout(ctx context.Context, spec *Spec) (*process, error) {
	p.mu.Lock()
	if err := p.failed[spec.Key]; err != nil {
		p.mu.Unlock()
		return nil, err
	}
	for i := len(p.idle) - 1; i >= 0; i-- {
		if proc := p.idle[i]; proc.key == spec.Key {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			p.mu.Unlock()
			return proc, nil
		}
	}
	var other *process
	if len(p.idle) > 0 {
		other = p.idle[0]
		p.idle = p.idle[1:]
	}
	gen := p.gen
	p.mu.Unlock()
	if other != nil {
		other.stop(ctx)
	}
	proc, err := startProcess(ctx, spec, gen)
	if err != nil && ctx.Err() == nil {
		p.mu.Lock()
		if p.failed == nil {
			p.failed = map[string]error{}
		}
		p.failed[spec.Key] = err
		p.mu.Unlock()
	}
	return proc, err
}

// checkin returns proc to the idle processes, or ends it when it has run its tasks, grown
// past its memory budget or outlived a Close.
func (p *Pool) checkin(ctx context.Context, spec *Spec, proc *process) {
	proc.tasks++
	p.mu.Lock()
	retire := proc.gen != p.gen || proc.tasks >= spec.maxTasks()
	p.mu.Unlock()
	if !retire {
		if rss, ok := residentMemory(proc.pid); ok && rss > spec.maxRSS() {
			retire = true
		}
	}
	if retire {
		proc.stop(ctx)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if proc.gen != p.gen { // closed meanwhile
		go proc.stop(context.Background())
		return
	}
	p.idle = append(p.idle, proc)
}

// Close ends the idle processes (their input is closed; those that do not exit within a
// few seconds are killed) and has busy ones end when their task returns. It forgets start
// failures. The Pool stays usable.
func (p *Pool) Close() error {
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	p.failed = nil
	p.gen++
	p.mu.Unlock()
	for _, proc := range idle {
		proc.closeInput()
	}
	grace, cancel := context.WithTimeout(context.Background(), residentGrace)
	defer cancel()
	for _, proc := range idle {
		select {
		case <-proc.exited:
		case <-grace.Done():
		}
		proc.stop(context.Background())
	}
	return nil
}

// tail returns at most the last n bytes of s, trimmed.
func tail(s string, n int) string {
	if len(s) > n {
		s = "..." + s[len(s)-n:]
	}
	return s
}

// removeAll removes dir, ignoring errors: what cannot be removed is not ours to fix.
func removeAll(dir string) { _ = os.RemoveAll(dir) }
