package executor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"github.com/qcmb-go/qcmb/qcschema"
)

// PingProgram is the program named by the handshake line an executor writes first to every
// worker process it starts. Serve answers it at once with a result line whose
// extras[WorkerInfoKey] says where the worker runs; a worker that does not know it answers
// with a FailedOperation line (an unknown program), which serves as well: the worker is
// ready when any answer to the handshake arrives.
const PingProgram = "qcmb:ping"

// WorkerInfoKey is the extras key of Serve's answer to the handshake: an object with
// "host", "pid" and, under Slurm, "slurm_job_id" and "slurm_step_id".
const WorkerInfoKey = "qcmb:worker"

// pingIndex stands for the handshake in proc.inflight.
const pingIndex = -1

// pingLine is the handshake line; with noResident it asks the worker to run resident
// programs in a process per task (ResidentKey).
func pingLine(noResident bool) []byte {
	if noResident {
		return []byte(`{"schema_name":"qcschema_input","schema_version":1,"id":"qcmb:ping","extras":{"qcmb:program":"qcmb:ping","qcmb:resident":false}}` + "\n")
	}
	return []byte(`{"schema_name":"qcschema_input","schema_version":1,"id":"qcmb:ping","extras":{"qcmb:program":"qcmb:ping"}}` + "\n")
}

// ErrNotStarted is wrapped by the *WorkerError of a worker that did not answer its handshake
// within the executor's start time-out.
var ErrNotStarted = errors.New("did not start")

// ErrClosed is the cause of the cancellation of a batch cut short by Close, and the error of
// an Execute that raced with Close.
var ErrClosed = errors.New("executor: closed")

// WorkerEvent reports how a worker process started: the Subprocess and Slurm executors
// call Options.OnWorker with one for every worker they start (first start or replacement)
// once it is ready or has failed to become ready.
//
// A worker is ready when its answer to the handshake line (see PingProgram) arrives: no task
// is sent to it before. Ready − Requested is therefore the worker's start-up: process start,
// and under Slurm the wait in the queue and the step launch. Task times (Outcome.Start) begin
// after it, so start-up is never counted as task time.
//
// Executors also report, with Program set, each resident program process (a Psi4 or
// QCEngine process kept between tasks, see engine.Resident) that a task waited for to
// start, on every executor: the task's time (Outcome.Start) begins when the process was
// ready, so program start-up is never task time either.
type WorkerEvent struct {
	// Worker is the slot number (0 to workers-1).
	Worker int
	// Program is the resident program whose process started ("psi4"), or "" for a
	// worker process.
	Program string
	// Requested is when the process (for Slurm, srun) was started; Ready when the
	// handshake was answered (zero if Err is set).
	Requested, Ready time.Time
	// Host is where the worker runs, as it reported it ("" if unknown).
	Host string
	// Err is why the worker did not become ready, nil if it did.
	Err error
}

// Starter is an Executor whose workers can be kept across batches: after Start, Execute
// reuses them until Close. Subprocess and Slurm are Starters; a driver that runs a sequence
// of batches (an optimization, a scan) checks for it with a type assertion. Execute without
// Start still works, starting and stopping workers per batch.
type Starter interface {
	Executor
	Start(ctx context.Context) error
	io.Closer
}

var (
	_ Starter = (*Subprocess)(nil)
	_ Starter = (*Slurm)(nil)
)

// launcher starts and stops worker processes: plain processes for Subprocess, srun
// steps or jobs for Slurm.
type launcher interface {
	// command returns the unstarted command of a new worker in slot and the tag that names
	// it to the launcher (a Slurm job name; "" for none).
	command(slot int) (*exec.Cmd, string)
	// stop ends a worker that has not exited, without waiting for it.
	stop(p *proc)
	// ready learns from the answer to the handshake (nil if it was a failure line).
	ready(p *proc, res *qcschema.AtomicResult)
	// waiting describes, for an error message, why worker p has not answered yet ("" if
	// nothing is known); it is called before p is stopped.
	waiting(p *proc) string
	// shutdown releases what the workers tagged tags left behind, once their processes
	// have exited (Slurm: cancel jobs and steps and wait until they leave the queue).
	shutdown(tags []string) error
}

// processes is the launcher of plain worker processes.
type processes struct{ s *Subprocess }

func (l processes) command(int) (*exec.Cmd, string) {
	return exec.Command(l.s.command[0], l.s.command[1:]...), ""
}
func (processes) stop(p *proc)                        { killGroup(p.cmd) }
func (processes) ready(*proc, *qcschema.AtomicResult) {}
func (processes) waiting(*proc) string                { return "" }
func (processes) shutdown([]string) error             { return nil }
func (s *Subprocess) launch() launcher {
	if s.hooks != nil {
		return s.hooks
	}
	return processes{s}
}

// crew is a set of worker processes and the channels of their goroutines. A batch's crew
// ends with the batch; the crew of an open executor (Start) lasts until Close.
type crew struct {
	depth  int
	keep   bool // workers outlive each batch
	events chan event
	bufs   chan []byte // free line buffers
	stderr io.Writer   // shared copy of all workers' stderr, or nil
	slots  []*proc     // live worker per slot, nil if none
	all    []*proc     // workers whose goroutines may still run
	tags   []string    // launcher tags of every worker started

	life   context.Context // of a kept crew: ends its batches when done
	cancel context.CancelCauseFunc
}

func (s *Subprocess) newCrew(workers int, keep bool) *crew {
	depth := s.Pipeline
	if depth <= 0 {
		depth = 2
	}
	c := &crew{
		depth:  depth,
		keep:   keep,
		events: make(chan event, workers*(depth+1)),
		bufs:   make(chan []byte, workers*(depth+1)),
		slots:  make([]*proc, workers),
	}
	if s.Stderr != nil {
		c.stderr = &lockedWriter{w: s.Stderr}
	}
	return c
}

// Start keeps the workers across Execute calls until Close: a sequence of batches (an
// optimization, a scan) pays for worker start-up once. Workers are started as tasks need
// them, never more than there are tasks waiting (up to Workers), and tasks go to each as
// soon as it is ready. Handshake answers (and so OnWorker calls and StartTimeout) are
// attended to while a batch runs and at Close; their times are those of arrival. Workers
// that crash are replaced as in any batch. Execute calls on a started executor take turns:
// one batch runs at a time. When ctx is done, running batches are cancelled; Close must
// still be called.
func (s *Subprocess) Start(ctx context.Context) error {
	if len(s.command) == 0 {
		return errors.New("executor: subprocess: empty worker command")
	}
	s.openMu.Lock()
	defer s.openMu.Unlock()
	if s.open != nil {
		return errors.New("executor: subprocess: already started")
	}
	c := s.newCrew(s.workers, true)
	c.life, c.cancel = context.WithCancelCause(ctx)
	s.open = c
	return nil
}

// Close stops the workers started by Start: a running batch is cancelled, idle workers get
// the end of their input and Grace to exit, then are killed. It returns once every worker
// has exited (and, for Slurm, every job and step it created has left the queue). Close
// without Start, or a second Close, does nothing.
func (s *Subprocess) Close() error {
	s.openMu.Lock()
	c := s.open
	s.open = nil
	s.openMu.Unlock()
	if c == nil {
		return nil
	}
	c.cancel(ErrClosed)
	s.mu.Lock()
	defer s.mu.Unlock()
	r := &subRun{crew: c, s: s, ctx: c.life}
	// Handshakes answered since the last batch are still to be reported.
	for drained := false; !drained; {
		select {
		case ev := <-c.events:
			r.onEvent(ev)
		default:
			drained = true
		}
	}
	r.closeAll()
	return s.launch().shutdown(c.tags)
}

// acquire returns the crew a batch of n tasks runs on: the open one, locked for the batch
// and with ctx also ended by its life, or a new one of its own. done releases it.
func (s *Subprocess) acquire(ctx context.Context, n int) (c *crew, bctx context.Context, done func() error, err error) {
	s.openMu.Lock()
	c = s.open
	s.openMu.Unlock()
	if c == nil {
		c = s.newCrew(min(s.workers, n), false)
		return c, ctx, func() error { return s.launch().shutdown(c.tags) }, nil
	}
	s.mu.Lock()
	if c.life.Err() != nil {
		s.mu.Unlock()
		return nil, nil, nil, ErrClosed
	}
	bctx, cancel := context.WithCancelCause(ctx)
	stop := context.AfterFunc(c.life, func() { cancel(context.Cause(c.life)) })
	return c, bctx, func() error {
		stop()
		cancel(nil)
		s.mu.Unlock()
		return nil
	}, nil
}

// busy reports whether p has tasks (not just the handshake) unanswered.
func busy(p *proc) bool { return p.ready && len(p.inflight) > 0 }

// ping records a new worker's tag and sends it the handshake.
func (r *subRun) ping(p *proc) {
	if p.tag != "" {
		r.tags = append(r.tags, p.tag)
	}
	p.inflight = append(p.inflight, pingIndex)
	p.in <- pingLine(r.s.opt.NoResident) // a new slice: the writer recycles lines
}

// onReady handles the answer to p's handshake.
func (r *subRun) onReady(p *proc, ev event) {
	p.inflight = p.inflight[:copy(p.inflight, p.inflight[1:])]
	p.ready = true
	p.headStart = ev.at
	// Having answered, the worker reads its next line: its first task's time starts when
	// that task is sent.
	p.reading = true
	host := ""
	if ev.res != nil {
		if info, ok := ev.res.Extras[WorkerInfoKey].(map[string]any); ok {
			host, _ = info["host"].(string)
		}
	}
	p.host = host
	r.s.launch().ready(p, ev.res)
	r.s.report(WorkerEvent{Worker: p.slot, Requested: p.requested, Ready: ev.at, Host: host})
}

// startTimeouts stops the workers that have not answered their handshake within
// StartTimeout. Since waiting longer elsewhere is unlikely to help, no worker is started
// in their place until some worker answers a task again.
func (r *subRun) startTimeouts(now time.Time) {
	t := r.s.StartTimeout
	if t <= 0 {
		return
	}
	for _, p := range r.slots {
		if p == nil || p.ready || now.Before(p.requested.Add(t)) {
			continue
		}
		why := r.s.launch().waiting(p)
		if why != "" {
			why = ": " + why
		}
		r.retire(p, true)
		err := &WorkerError{Worker: p.slot, Pid: p.pid, Err: fmt.Errorf("%w within %v%s", ErrNotStarted, t, why), Stderr: p.stderr.String()}
		r.lastErr = err
		r.doa++
		r.broken = true
		r.s.report(WorkerEvent{Worker: p.slot, Requested: p.requested, Err: err})
	}
}

// report calls Options.OnWorker, one call at a time.
func (s *Subprocess) report(ev WorkerEvent) {
	if s.opt.OnWorker == nil {
		return
	}
	s.eventMu.Lock()
	defer s.eventMu.Unlock()
	s.opt.OnWorker(ev)
}

// workerInfo is what Serve says about itself in answer to the handshake.
func workerInfo() map[string]any {
	info := map[string]any{"pid": os.Getpid()}
	if h, err := os.Hostname(); err == nil {
		info["host"] = h
	}
	for key, env := range map[string]string{"slurm_job_id": "SLURM_JOB_ID", "slurm_step_id": "SLURM_STEP_ID"} {
		if v := os.Getenv(env); v != "" {
			info[key] = v
		}
	}
	return info
}

// pong is Serve's answer to the handshake.
func pong() *qcschema.AtomicResult {
	return &qcschema.AtomicResult{SchemaName: qcschema.SchemaOutput, SchemaVersion: 1, ID: "qcmb:ping", Success: true,
		Provenance: qcschema.Provenance{Creator: "qcmb", Routine: "executor.Serve"},
		Extras:     map[string]any{WorkerInfoKey: workerInfo()}}
}
