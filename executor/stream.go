package executor

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// Queue is a stream of tasks that a caller appends to while an executor runs them (see
// Streamer): a run whose next tasks depend on the results of the first, such as an
// adaptive many-body expansion, adds them as they become known, so that workers never wait
// for a whole batch to finish. Tasks are numbered in the order they are added: the
// Outcome.Index of the k-th task added is k (from 0). Close says that no task will follow.
//
// A Queue is safe for concurrent use; Add may be called from an executor's handle
// function.
type Queue struct {
	mu      sync.Mutex
	tasks   []Task
	closed  bool
	changed chan struct{} // closed, and replaced, when tasks are added or the queue closes
}

// ErrQueueClosed is returned by Queue.Add after Close.
var ErrQueueClosed = errors.New("executor: queue closed")

// NewQueue returns an open queue holding tasks.
func NewQueue(tasks ...Task) *Queue {
	return &Queue{tasks: slices.Clone(tasks), changed: make(chan struct{})}
}

// Add appends tasks; it fails after Close.
func (q *Queue) Add(tasks ...Task) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return ErrQueueClosed
	}
	if len(tasks) == 0 {
		return nil
	}
	q.tasks = append(q.tasks, tasks...)
	q.signal()
	return nil
}

// Close says that no task will be added: an executor streaming the queue returns once
// every task added has finished. Closing twice does nothing.
func (q *Queue) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed {
		q.closed = true
		q.signal()
	}
}

// Len is the number of tasks added so far.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.tasks)
}

func (q *Queue) signal() {
	close(q.changed)
	q.changed = make(chan struct{})
}

// Since returns the tasks added after the first n (to be read, not modified), whether the
// queue is closed, and a channel that is closed at the queue's next change: what an
// executor streaming the queue, or middleware in front of one, reads.
func (q *Queue) Since(n int) (tasks []Task, closed bool, changed <-chan struct{}) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.tasks[n:len(q.tasks):len(q.tasks)], q.closed, q.changed
}

// Streamer is an Executor that takes tasks while it runs. Stream runs the tasks of q as
// they are added and returns once q is closed and every task added has finished, with the
// outcomes and errors of Execute: handle is called once per task as it finishes (never
// concurrently; Outcome.Index numbers the task in q), and the error is nil, a *BatchError
// of the failed tasks, or a cancellation. Serial, Pool, Subprocess and Slurm are
// Streamers; Execute is the case of a queue that holds the whole batch and is closed.
//
// A Stream whose queue is neither closed nor added to waits: the caller must close it,
// typically from handle once no outcome is awaited, or cancel ctx.
type Streamer interface {
	Executor
	Stream(ctx context.Context, q *Queue, handle func(Outcome)) error
}

var (
	_ Streamer = (*Serial)(nil)
	_ Streamer = (*Pool)(nil)
	_ Streamer = (*Subprocess)(nil)
	_ Streamer = (*Slurm)(nil)
)

// Stream runs the tasks of q on ex as Streamer.Stream does: with ex's own Stream when it
// has one, otherwise in batches, each of the tasks added since the previous batch began,
// run with Execute (so an executor without Stream still works, one batch per addition).
func Stream(ctx context.Context, ex Executor, q *Queue, handle func(Outcome)) error {
	if s, ok := ex.(Streamer); ok {
		return s.Stream(ctx, q, handle)
	}
	var failed []Outcome
	n := 0
	for {
		tasks, closed, changed := q.Since(n)
		if len(tasks) == 0 {
			if closed {
				return batchResult(failed)
			}
			select {
			case <-changed:
				continue
			case <-ctx.Done():
				return cancelled(ctx, 0, n)
			}
		}
		base := n
		n += len(tasks)
		err := ex.Execute(ctx, tasks, func(o Outcome) {
			o.Index += base
			handle(o)
		})
		var be *BatchError
		switch {
		case errors.As(err, &be):
			for _, o := range be.Failed {
				o.Index += base
				failed = append(failed, o)
			}
		case err != nil:
			return err
		}
	}
}

// taskHeap holds the tasks of a stream waiting to run, largest Cost first, ties in the
// order they were added.
type taskHeap struct {
	idx   []int
	tasks *[]Task // the stream's tasks, indexed by idx
}

func (h *taskHeap) less(a, b int) bool {
	ta, tb := &(*h.tasks)[h.idx[a]], &(*h.tasks)[h.idx[b]]
	if ta.Cost != tb.Cost {
		return ta.Cost > tb.Cost
	}
	return h.idx[a] < h.idx[b]
}

func (h *taskHeap) push(i int) {
	h.idx = append(h.idx, i)
	for c := len(h.idx) - 1; c > 0; {
		p := (c - 1) / 2
		if !h.less(c, p) {
			break
		}
		h.idx[c], h.idx[p] = h.idx[p], h.idx[c]
		c = p
	}
}

func (h *taskHeap) pop() int {
	top := h.idx[0]
	last := len(h.idx) - 1
	h.idx[0] = h.idx[last]
	h.idx = h.idx[:last]
	for p := 0; ; {
		c := 2*p + 1
		if c >= last {
			break
		}
		if c+1 < last && h.less(c+1, c) {
			c++
		}
		if !h.less(c, p) {
			break
		}
		h.idx[c], h.idx[p] = h.idx[p], h.idx[c]
		p = c
	}
	return top
}

func (h *taskHeap) len() int { return len(h.idx) }

// intake takes the tasks of a stream as they are added: their times of arrival, and, for
// executors that start the largest first, a heap of those not yet started.
type intake struct {
	q      *Queue
	tasks  []Task
	queued []time.Time
	closed bool
	wait   <-chan struct{} // closed at the queue's next change
	heap   taskHeap
	byCost bool
}

func newIntake(q *Queue, byCost bool) *intake {
	in := &intake{q: q, byCost: byCost}
	in.heap.tasks = &in.tasks
	return in
}

// pull takes the tasks added since the last pull; it reports how many.
func (in *intake) pull() int {
	more, closed, wait := in.q.Since(len(in.tasks))
	in.closed, in.wait = closed, wait
	if len(more) == 0 {
		return 0
	}
	now := time.Now()
	first := len(in.tasks)
	in.tasks = append(in.tasks, more...)
	for i := first; i < len(in.tasks); i++ {
		in.queued = append(in.queued, now)
		if in.byCost {
			in.heap.push(i)
		}
	}
	return len(more)
}
