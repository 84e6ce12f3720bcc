package computer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/executor/store"
	"github.com/qcmb-go/qcmb/qcschema"
	"github.com/qcmb-go/qcmb/stats"
)

// source is what a run streams to the executor: its first tasks, and the tasks the result
// of each releases (an adaptive expansion's decisions; nothing for a batch).
type source interface {
	first() (Batch, error)
	// done takes the result of task i of the run and returns the tasks it releases; an
	// error fails task i.
	done(i int, res *qcschema.AtomicResult) (Batch, error)
	// bound is the most tasks the run may have, exact once nothing more can change it.
	bound() (n int, exact bool)
	// grows reports whether results may release tasks: a batch does not, and its queue
	// is closed from the start.
	grows() bool
}

// batchSource releases a batch at once.
type batchSource struct{ b Batch }

func (s batchSource) first() (Batch, error)                           { return s.b, nil }
func (s batchSource) done(int, *qcschema.AtomicResult) (Batch, error) { return Batch{}, nil }
func (s batchSource) bound() (int, bool)                              { return len(s.b.Tasks), true }
func (s batchSource) grows() bool                                     { return false }

// streamRun is the state of one run of stream.
type streamRun struct {
	c        *Computer
	src      source
	q        *executor.Queue
	all      Batch // every task added, in the order of Outcome.Index
	results  []*qcschema.AtomicResult
	failed   []executor.Outcome
	done     int
	reused   int
	inflight int
	bound    int
	exact    bool
	// inputErrors stops the run (stop) when a model chemistry's first tasks fail with the
	// same input error.
	inputErrors inputErrors
	stop        context.CancelCauseFunc
}

// stream runs the tasks src releases on the Computer's Executor (through its Store when
// set), feeding the tasks each result releases to the executor while others run, and
// recording their timings in Stats, telling Released and Progress. It returns the results
// in the order the tasks were released, or a *RunError keeping every finished result.
func (c *Computer) stream(ctx context.Context, src source, inputHash string) ([]*qcschema.AtomicResult, error) {
	ex := c.Executor
	if ex == nil {
		ex = executor.NewSerial(executor.Options{})
	}
	r := &streamRun{c: c, src: src, q: executor.NewQueue()}
	r.bound, r.exact = src.bound()
	var run *store.Run
	if c.Store != nil {
		ex = store.Wrap(ex, c.Store)
		run = &store.Run{InputHash: inputHash, Start: time.Now(), Status: store.RunRunning, Tasks: r.bound}
		if err := c.Store.RecordRun(ctx, run); err != nil {
			return nil, err
		}
	}
	first, err := src.first()
	if err != nil {
		return nil, err
	}
	r.add(first)
	if !src.grows() {
		r.q.Close()
	}
	if c.Stats != nil {
		c.Stats.Begin()
	}
	streamCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	r.stop = stop
	execErr := executor.Stream(streamCtx, ex, r.q, r.handle)
	r.q.Close()
	var repeated *RepeatedInputError
	if errors.As(context.Cause(streamCtx), &repeated) && ctx.Err() == nil {
		execErr = repeated // the one error every failure was, said once
	}
	if c.Stats != nil {
		c.Stats.End()
	}
	if run != nil && !errors.Is(execErr, store.ErrCorrupt) { // a damaged store is not written
		execErr = errors.Join(execErr, r.recordRun(ctx, run, execErr))
	}
	if execErr != nil || len(r.failed) > 0 {
		completed := make(map[string]*qcschema.AtomicResult, len(r.results))
		for i, res := range r.results {
			if res != nil {
				completed[r.all.Tasks[i].ID] = res
			}
		}
		if execErr == nil {
			execErr = fmt.Errorf("%d tasks failed", len(r.failed))
		}
		return nil, &RunError{Failed: r.failed, Completed: completed, Err: execErr}
	}
	return r.results, nil
}

// add hands tasks to the executor and tells Released; the queue closes once no task is
// awaited, since nothing can release more.
func (r *streamRun) add(b Batch) {
	first := len(r.all.Tasks)
	r.all.Tasks = append(r.all.Tasks, b.Tasks...)
	r.all.MC = append(r.all.MC, b.MC...)
	r.all.Level = append(r.all.Level, b.Level...)
	r.results = append(r.results, make([]*qcschema.AtomicResult, len(b.Tasks))...)
	r.inflight += len(b.Tasks)
	bound, exact := r.src.bound()
	if r.c.Released != nil && (len(b.Tasks) > 0 || bound != r.bound || exact != r.exact || first == 0) {
		r.c.Released(first, b, bound, exact)
	}
	r.bound, r.exact = bound, exact
	_ = r.q.Add(b.Tasks...)
	if r.inflight == 0 {
		r.q.Close()
	}
}

// handle takes an outcome of the executor.
func (r *streamRun) handle(o executor.Outcome) {
	r.done++
	if o.Index < 0 || o.Index >= len(r.all.Tasks) {
		r.progress(o)
		return
	}
	r.inflight--
	var more Batch
	if o.Err == nil && o.Result != nil {
		var err error
		if more, err = r.src.done(o.Index, o.Result); err != nil {
			o.Err = err
		}
	}
	if o.Err == nil && o.Result != nil {
		r.results[o.Index] = o.Result
		if o.Reused {
			r.reused++
		}
	} else {
		r.failed = append(r.failed, o)
	}
	if err := r.inputErrors.add(r.all.MC[o.Index], o.Err); err != nil {
		r.stop(err)
	}
	r.record(o)
	r.add(more)
	r.progress(o)
}

func (r *streamRun) record(o executor.Outcome) {
	if r.c.Stats == nil {
		return
	}
	rec := stats.TaskRecord{Label: o.ID, MC: r.all.MC[o.Index], Level: r.all.Level[o.Index], Worker: o.Worker,
		Queued: o.Queued, Start: o.Start, End: o.End, Attempts: o.Attempts, Reused: o.Reused,
		Threads: r.all.Tasks[o.Index].Threads, CPU: o.CPU}
	if o.Err != nil {
		rec.Error = o.Err.Error()
	}
	r.c.Stats.Add(rec)
}

func (r *streamRun) progress(o executor.Outcome) {
	if r.c.Progress != nil {
		r.c.Progress(r.done, r.bound, o)
	}
}

// recordRun records how the run ended in the store.
func (r *streamRun) recordRun(ctx context.Context, run *store.Run, execErr error) error {
	run.End, run.Reused, run.Failed = time.Now(), r.reused, len(r.failed)
	run.Tasks = len(r.all.Tasks)
	run.Computed = r.done - r.reused - len(r.failed)
	switch {
	case execErr == nil && len(r.failed) == 0:
		run.Status = store.RunSucceeded
	case errors.Is(execErr, context.Canceled) || errors.Is(execErr, context.DeadlineExceeded):
		run.Status = store.RunInterrupted
	default:
		run.Status = store.RunFailed
	}
	return r.c.Store.RecordRun(context.WithoutCancel(ctx), run)
}
