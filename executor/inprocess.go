package executor

import (
	"cmp"
	"context"
	"runtime"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/qcmb-go/qcmb/qcschema"
)

// inproc runs tasks in this process with a Runner; Serial and Pool share it.
type inproc struct {
	opt     Options
	run     Runner
	cpu     cpuMeter
	eventMu sync.Mutex // serializes Options.OnWorker
}

// one runs task idx with its retries. ok is false when ctx ended the task unfinished, in
// which case the outcome is not to be delivered.
func (x *inproc) one(ctx context.Context, worker, idx int, t *Task, queued time.Time) (out Outcome, ok bool) {
	out = Outcome{Index: idx, ID: t.ID, Worker: worker, Queued: queued}
	program := t.Program
	if program == "" {
		program = DefaultProgram
	}
	x.opt.started(idx, worker)
	for {
		out.Attempts++
		share := x.cpu.start(t.Threads)
		out.Start = time.Now()
		trace := newAttemptTrace(out.Start, x.cpu.exclude)
		res, err := x.attempt(trace.context(ctx), program, t.Payload)
		out.End = time.Now()
		out.CPU = x.cpu.stop(share) + trace.residentCPU()
		out.Start = x.reportStarts(worker, out.Start, trace.relative())
		if err != nil && ctx.Err() != nil {
			return out, false
		}
		out.Result, out.Err = res, err
		if err == nil || !x.opt.retry(err, out.Attempts) {
			return out, true
		}
		if !sleep(ctx, x.opt.backoff(out.Attempts)) {
			return out, false
		}
	}
}

// reportStarts tells Options.OnWorker of the resident program processes that an attempt
// begun at start waited for, and returns when the attempt's own work began.
func (x *inproc) reportStarts(worker int, start time.Time, starts []programStart) time.Time {
	evs, begin := startEvents(worker, "", start, starts)
	if x.opt.OnWorker != nil && len(evs) > 0 {
		x.eventMu.Lock()
		for _, ev := range evs {
			x.opt.OnWorker(ev)
		}
		x.eventMu.Unlock()
	}
	return begin
}

func (x *inproc) attempt(ctx context.Context, program string, payload []byte) (*qcschema.AtomicResult, error) {
	if x.opt.NoResident {
		ctx = withPerTask(ctx)
	}
	if x.opt.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = withTimeLimit(ctx, x.opt.Timeout)
		defer cancel()
	}
	res, err := safeRun(ctx, x.run, program, payload)
	return settle(ctx, payload, res, err, x.opt.Timeout)
}

// Serial runs tasks one at a time in plan order, in the goroutine that calls Execute. It
// may be used by several goroutines at once.
type Serial struct {
	x inproc
}

// NewSerial returns a Serial executor.
func NewSerial(opt Options) *Serial {
	return &Serial{x: inproc{opt: opt, run: opt.runner()}}
}

// Workers returns 1.
func (s *Serial) Workers() int { return 1 }

// Execute implements Executor.
func (s *Serial) Execute(ctx context.Context, tasks []Task, handle func(Outcome)) error {
	return s.Stream(ctx, closedQueue(tasks), handle)
}

// Stream implements Streamer: the tasks run one at a time in the order they are added.
func (s *Serial) Stream(ctx context.Context, q *Queue, handle func(Outcome)) error {
	in := newIntake(q, false)
	var failed []Outcome
	for next := 0; ; next++ {
		if next == len(in.tasks) && in.pull() == 0 {
			if in.closed {
				return batchResult(failed)
			}
			select {
			case <-in.wait:
				next--
				continue
			case <-ctx.Done():
				return cancelled(ctx, 0, len(in.tasks))
			}
		}
		if ctx.Err() != nil {
			return cancelled(ctx, len(in.tasks)-next, len(in.tasks))
		}
		out, ok := s.x.one(ctx, 0, next, &in.tasks[next], in.queued[next])
		if !ok {
			return cancelled(ctx, len(in.tasks)-next, len(in.tasks))
		}
		if out.Err != nil {
			failed = append(failed, out)
		}
		handle(out)
	}
}

// closedQueue is a closed queue of the tasks of a batch.
func closedQueue(tasks []Task) *Queue {
	q := &Queue{tasks: tasks, closed: true, changed: make(chan struct{})}
	return q
}

// Pool runs tasks on at most a fixed number of goroutines, largest Cost first: a goroutine
// starts when a task waits for one, so there are never more than tasks. The goroutines
// take tasks from a shared counter, so dispatch costs no channel operation or goroutine
// per task. A task waiting to be retried keeps its goroutine during the back-off. On
// cancellation Execute waits for the programs running to return, which they should do
// promptly when their context is done. A Pool may be used by several goroutines at once.
type Pool struct {
	workers int
	x       inproc
}

// NewPool returns a Pool of workers goroutines (workers <= 0 means runtime.GOMAXPROCS(0)).
func NewPool(workers int, opt Options) *Pool {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return &Pool{workers: workers, x: inproc{opt: opt, run: opt.runner()}}
}

// Workers returns the number of goroutines.
func (p *Pool) Workers() int { return p.workers }

// Execute implements Executor.
func (p *Pool) Execute(ctx context.Context, tasks []Task, handle func(Outcome)) error {
	return p.Stream(ctx, closedQueue(tasks), handle)
}

// Stream implements Streamer: each goroutine takes the largest waiting task as it becomes
// free, waiting for more while the queue is open.
func (p *Pool) Stream(ctx context.Context, q *Queue, handle func(Outcome)) error {
	var (
		in        = newIntake(q, true)
		inMu      sync.Mutex // guards in
		mu        sync.Mutex // serializes handle and guards failed, delivered
		failed    []Outcome
		delivered int
		g         errgroup.Group
		started   int // goroutines started, guarded by inMu
		work      func(w int) func() error
	)
	// take returns the next task to run, once there is one; ok is false when the queue is
	// closed and drained, or ctx is done. A task left waiting when one is taken starts
	// another goroutine, up to the pool's size: never more goroutines than tasks.
	take := func() (i int, t *Task, queued time.Time, ok bool) {
		inMu.Lock()
		defer inMu.Unlock()
		for ctx.Err() == nil {
			in.pull()
			if in.heap.len() > 0 {
				i = in.heap.pop()
				if in.heap.len() > 0 && started < p.workers {
					g.Go(work(started))
					started++
				}
				return i, &in.tasks[i], in.queued[i], true
			}
			if in.closed {
				return 0, nil, time.Time{}, false
			}
			wait := in.wait
			inMu.Unlock()
			select {
			case <-wait:
			case <-ctx.Done():
			}
			inMu.Lock()
		}
		return 0, nil, time.Time{}, false
	}
	work = func(w int) func() error {
		return func() error {
			for {
				i, t, queued, ok := take()
				if !ok {
					return nil
				}
				out, ok := p.x.one(ctx, w, i, t, queued)
				if !ok {
					return nil
				}
				mu.Lock()
				delivered++
				if out.Err != nil {
					failed = append(failed, out)
				}
				handle(out)
				mu.Unlock()
			}
		}
	}
	inMu.Lock()
	g.Go(work(0)) // the first goroutine starts the others as tasks wait for them
	started = 1
	inMu.Unlock()
	_ = g.Wait()
	if total := q.Len(); delivered < total || (ctx.Err() != nil && !in.closed) {
		return cancelled(ctx, total-delivered, total)
	}
	slices.SortFunc(failed, func(a, b Outcome) int { return cmp.Compare(a.Index, b.Index) })
	return batchResult(failed)
}

func batchResult(failed []Outcome) error {
	if len(failed) == 0 {
		return nil
	}
	return &BatchError{Failed: failed}
}
