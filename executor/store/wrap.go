package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/qcschema"
)

// Option configures Wrap and Lookup.
type Option func(*options)

type options struct {
	version VersionFunc
}

// WithVersion finds program versions with f instead of EngineVersion.
func WithVersion(f VersionFunc) Option { return func(o *options) { o.version = f } }

func newKeyer(opts []Option) *Keyer {
	var o options
	for _, f := range opts {
		f(&o)
	}
	return NewKeyer(o.version)
}

// Wrap returns an Executor that runs tasks with next and keeps their outcomes in s.
//
// A task whose success is stored already is not run: its outcome (Reused true, Attempts 0)
// is handed on first, with the stored result. The other tasks go to next; each outcome is
// committed to s as it arrives, before it is handed on, so that a crash right after loses
// nothing that was reported. Failures are stored with their error and run again by the
// next Execute.
//
// If s cannot be read, Execute fails before running anything. If an outcome cannot be
// stored (a full disk), the outcome is still handed on, the rest of the batch is
// cancelled, and Execute returns an error that wraps the store's.
//
// The returned executor keeps next's optional capabilities, as middleware must: it is an
// executor.Starter exactly when next is one (Start and Close reach next, so workers are
// kept across batches through the wrapper too), Close closes next when next is an
// io.Closer, and Workers reports next's worker count. It is an executor.Streamer whatever
// next is: tasks added to a stream are looked up as they arrive (see the Stream method).
func Wrap(next executor.Executor, s Store, opts ...Option) executor.Executor {
	w := &wrapped{next: next, store: s, keyer: newKeyer(opts)}
	if st, ok := next.(executor.Starter); ok {
		return &wrappedStarter{wrapped: w, next: st}
	}
	return w
}

type wrapped struct {
	next  executor.Executor
	store Store
	keyer *Keyer
}

// wrappedStarter is the wrapper of an executor.Starter.
type wrappedStarter struct {
	*wrapped
	next executor.Starter
}

// Start starts the wrapped executor's workers.
func (w *wrappedStarter) Start(ctx context.Context) error { return w.next.Start(ctx) }

var _ executor.Starter = (*wrappedStarter)(nil)

// Workers returns the worker count of the wrapped executor, 0 if it does not say.
func (w *wrapped) Workers() int {
	if n, ok := w.next.(interface{ Workers() int }); ok {
		return n.Workers()
	}
	return 0
}

// Close closes the wrapped executor, when it can be closed.
func (w *wrapped) Close() error {
	if c, ok := w.next.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// Execute implements executor.Executor.
func (w *wrapped) Execute(ctx context.Context, tasks []executor.Task, handle func(executor.Outcome)) error {
	found, err := lookup(ctx, w.store, w.keyer, tasks)
	if err != nil {
		return err
	}
	var rest []executor.Task
	var restIndex []int
	for i, f := range found {
		if f.Result != nil {
			handle(executor.Outcome{Index: i, ID: tasks[i].ID, Result: f.Result, Reused: true})
			continue
		}
		rest = append(rest, tasks[i])
		restIndex = append(restIndex, i)
	}
	if len(rest) == 0 {
		return nil
	}
	if err := unwritable(w.store); err != nil {
		return unstorable(len(rest), len(tasks), err)
	}

	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	rec := &recorder{store: w.store, ctx: ctx, cancel: cancel, handle: handle}
	err = w.next.Execute(runCtx, rest, func(o executor.Outcome) {
		if o.Index < 0 || o.Index >= len(restIndex) {
			handle(o) // not ours to interpret: hand it on as it came
			return
		}
		o.Index = restIndex[o.Index]
		rec.record(o, found[o.Index], tasks[o.Index])
	})
	return rec.result(err)
}

// recorder stores the outcomes of the tasks the wrapped executor runs and hands them on.
type recorder struct {
	store    Store
	ctx      context.Context
	cancel   context.CancelCauseFunc // stops the run when an outcome cannot be stored
	handle   func(executor.Outcome)
	storeErr error
	failed   []executor.Outcome
}

// record stores outcome o of task t, renumbered in the caller's batch or stream, and hands
// it on.
func (r *recorder) record(o executor.Outcome, f Found, t executor.Task) {
	if f.Keyed {
		if err := r.store.Put(context.WithoutCancel(r.ctx), entryOf(f, t, o)); err != nil && r.storeErr == nil {
			r.storeErr = err
			r.cancel(err)
		}
	}
	if o.Err != nil || o.Result == nil {
		r.failed = append(r.failed, o)
	}
	r.handle(o)
}

// result is the error of the run given the wrapped executor's.
func (r *recorder) result(err error) error {
	if r.storeErr != nil {
		return fmt.Errorf("store: keeping results stopped the run: %w", r.storeErr)
	}
	var be *executor.BatchError
	if errors.As(err, &be) {
		// next numbered its failures within the sub-batch; report them in this batch.
		slices.SortFunc(r.failed, func(a, b executor.Outcome) int { return a.Index - b.Index })
		return &executor.BatchError{Failed: r.failed}
	}
	return err
}

// Stream implements executor.Streamer, whatever the wrapped executor: each task added to
// q is looked up as it arrives, a stored success is handed on at once, and the others
// stream to next (through executor.Stream, so batch by batch when next has no Stream of
// its own), each outcome committed to the store before it is handed on.
func (w *wrapped) Stream(ctx context.Context, q *executor.Queue, handle func(executor.Outcome)) error {
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		mu        sync.Mutex // serializes handle; guards the fields below and rec
		tasks     []executor.Task
		found     []Found
		nextIndex []int // the index in q of each task given to next
		inner     = executor.NewQueue()
	)
	rec := &recorder{store: w.store, ctx: ctx, cancel: cancel, handle: handle}
	var g errgroup.Group
	g.Go(func() error {
		defer inner.Close()
		for {
			more, closed, changed := q.Since(len(tasks))
			if len(more) > 0 {
				f, err := lookup(runCtx, w.store, w.keyer, more)
				if err != nil {
					cancel(err)
					return err
				}
				mu.Lock()
				first := len(tasks)
				tasks, found = append(tasks, more...), append(found, f...)
				var rest []executor.Task
				for i := range more {
					if f[i].Result != nil {
						handle(executor.Outcome{Index: first + i, ID: more[i].ID, Result: f[i].Result, Reused: true})
						continue
					}
					rest = append(rest, more[i])
					nextIndex = append(nextIndex, first+i)
				}
				mu.Unlock()
				if uerr := unwritable(w.store); len(rest) > 0 && uerr != nil {
					err := unstorable(len(rest), len(more), uerr)
					cancel(err)
					return err
				}
				_ = inner.Add(rest...)
				continue
			}
			if closed {
				return nil
			}
			select {
			case <-changed:
			case <-runCtx.Done():
				return nil
			}
		}
	})
	err := executor.Stream(runCtx, w.next, inner, func(o executor.Outcome) {
		mu.Lock()
		defer mu.Unlock()
		if o.Index < 0 || o.Index >= len(nextIndex) {
			handle(o) // not ours to interpret: hand it on as it came
			return
		}
		o.Index = nextIndex[o.Index]
		rec.record(o, found[o.Index], tasks[o.Index])
	})
	if ferr := g.Wait(); ferr != nil {
		return ferr
	}
	return rec.result(err)
}

// unstorable is the error of tasks that a store which takes no new entries (why) holds
// no result for.
func unstorable(missing, total int, why error) error {
	return fmt.Errorf("%d of %d tasks have no stored result, and the store takes no new ones: %w", missing, total, why)
}

// Found is what a store holds for one task.
type Found struct {
	// Keyed says that the task has a key; a payload that is not a JSON object has none.
	Keyed bool
	Key   Key
	// Version is the program's version that went into the key.
	Version string
	// Entry is the stored outcome, nil if there is none.
	Entry *Entry
	// Result is the stored result when Entry is a success, with the task's id.
	Result *qcschema.AtomicResult
	id     string // the payload's id
}

// Lookup finds what s holds for each task, as Wrap does before it runs them: the stored
// outcome and, for a success, the decoded result. A result that cannot be decoded is an
// error wrapping ErrCorrupt.
func Lookup(ctx context.Context, s Store, tasks []executor.Task, opts ...Option) ([]Found, error) {
	return lookup(ctx, s, newKeyer(opts), tasks)
}

func lookup(ctx context.Context, s Store, k *Keyer, tasks []executor.Task) ([]Found, error) {
	// Versions first, one program at a time (each may start the program once); then keys,
	// reads and decoding on every processor, or, for a BatchGetter, reads in one go.
	for _, t := range tasks {
		if _, err := k.Version(ctx, t.Program); err != nil {
			return nil, err
		}
	}
	out := make([]Found, len(tasks))
	batch, isBatch := s.(BatchGetter)
	err := parallel(ctx, len(tasks), func(ctx context.Context, i int) error {
		version, err := k.Version(ctx, tasks[i].Program)
		if err != nil {
			return err
		}
		key, id, err := TaskKey(tasks[i].Program, version, tasks[i].Payload)
		if err != nil {
			return nil // not a JSON object: the executor reports it; there is nothing to key
		}
		out[i] = Found{Keyed: true, Key: key, Version: version, id: id}
		if isBatch {
			return nil
		}
		e, err := s.Get(ctx, key)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		out[i].Entry = &e
		return nil
	})
	if err != nil {
		return nil, err
	}
	if isBatch {
		keys := make([]Key, 0, len(tasks))
		for _, f := range out {
			if f.Keyed {
				keys = append(keys, f.Key)
			}
		}
		entries, err := batch.GetMany(ctx, keys)
		if err != nil {
			return nil, err
		}
		for i := range out {
			if e, ok := entries[out[i].Key]; ok && out[i].Keyed {
				out[i].Entry = &e
			}
		}
	}
	err = parallel(ctx, len(tasks), func(ctx context.Context, i int) error {
		e := out[i].Entry
		if e == nil || !e.OK {
			return nil
		}
		res := new(qcschema.AtomicResult)
		if err := json.Unmarshal(e.Result, res); err != nil {
			return fmt.Errorf("store: result of task %s (key %s): %w: %v", tasks[i].ID, e.Key, ErrCorrupt, err)
		}
		// The same calculation may have been stored under another input's label; the
		// result answers this task, so it carries this task's id.
		if res.ID == e.TaskID {
			res.ID = out[i].id
		}
		out[i].Result = res
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// parallel calls f(ctx, i) for i in [0, n) on every processor, and returns the first error.
func parallel(ctx context.Context, n int, f func(ctx context.Context, i int) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := range n {
		g.Go(func() error { return f(gctx, i) })
	}
	return g.Wait()
}

// entryOf is the Entry that records outcome o of task t.
func entryOf(f Found, t executor.Task, o executor.Outcome) Entry {
	e := Entry{Key: f.Key, Program: programName(t.Program), Version: f.Version, TaskID: f.id,
		Attempts: o.Attempts, Start: o.Start, End: o.End}
	if o.Err == nil && o.Result != nil {
		data, err := json.Marshal(o.Result)
		if err == nil {
			e.OK, e.Result = true, data
			return e
		}
		e.ErrorType, e.Error = qcschema.ErrorUnknown, "encoding the result: "+err.Error()
		return e
	}
	e.ErrorType = qcschema.ErrorUnknown
	var fo *qcschema.FailedOperation
	if errors.As(o.Err, &fo) {
		e.ErrorType = fo.ComputeError.ErrorType
	}
	e.Error = "no result"
	if o.Err != nil {
		e.Error = o.Err.Error()
	}
	return e
}
