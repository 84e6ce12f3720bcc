package executor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/executor"
)

// streamCases are the executors a stream runs on: the four of the package, and one with
// Execute only, which executor.Stream runs batch by batch.
func streamCases(t *testing.T) []executorCase {
	cases := append(executors(), executorCase{"batch-only", func(t testing.TB, opt executor.Options) executor.Executor {
		p := executor.NewPool(2, opt)
		return executor.ExecutorFunc(p.Execute) // hides Stream
	}})
	if testing.Short() {
		return cases
	}
	cases = append(cases, executorCase{"slurm", func(t testing.TB, opt executor.Options) executor.Executor {
		needSlurm(t)
		return newSlurm(t, 2, executor.SlurmConfig{Env: outsideEnv()}, opt, "engine")
	}})
	return cases
}

// chain runs a stream in which each finished task of generation g < gens adds one task of
// generation g+1, the queue closing once nothing is awaited, as an adaptive run does; it
// returns the outcomes by stream index and the tasks added.
func chain(t *testing.T, ex executor.Executor, first []executor.Task, gens int, next func(o executor.Outcome, g int) executor.Task) (map[int]executor.Outcome, []executor.Task, error) {
	t.Helper()
	q := executor.NewQueue(first...)
	tasks := append([]executor.Task(nil), first...)
	gen := make([]int, len(first))
	log := newOutcomeLog(t)
	got := log.got
	err := executor.Stream(context.Background(), ex, q, func(o executor.Outcome) {
		defer log.enter()()
		if !log.check(o, tasks) {
			return
		}
		if g := gen[o.Index]; g < gens {
			nt := next(o, g+1)
			tasks = append(tasks, nt)
			gen = append(gen, g+1)
			require.NoError(t, q.Add(nt))
		}
		if len(got) == len(tasks) {
			q.Close()
		}
	})
	return got, tasks, err
}

// TestStreamSameResultsBitwise: tasks released by the outcomes of others run on every
// executor, each delivered once with the stream's numbering, with results bitwise identical
// to a serial batch of the same tasks.
func TestStreamSameResultsBitwise(t *testing.T) {
	var first []executor.Task
	for i := range 6 {
		tk := task(t, fmt.Sprintf("g0-%d", i), nil)
		tk.Cost = float64(i % 3)
		first = append(first, tk)
	}
	next := func(o executor.Outcome, g int) executor.Task {
		return task(t, fmt.Sprintf("g%d-%s", g, o.ID[3:]), map[string]any{"from": o.ID})
	}
	var serial map[string][]byte
	for _, ec := range streamCases(t) {
		t.Run(ec.name, func(t *testing.T) {
			got, tasks, err := chain(t, ec.new(t, executor.Options{}), first, 3, next)
			require.NoError(t, err)
			require.Len(t, got, len(first)*4)
			if serial == nil {
				serial = map[string][]byte{}
				want, err := run(t, context.Background(), executor.NewSerial(executor.Options{}), tasks)
				require.NoError(t, err)
				for i, o := range want {
					serial[tasks[i].ID], _ = json.Marshal(o.Result)
				}
			}
			for i, o := range got {
				b, err := json.Marshal(o.Result)
				require.NoError(t, err)
				assert.True(t, bytes.Equal(serial[tasks[i].ID], b), "task %s differs from a serial batch", tasks[i].ID)
			}
		})
	}
}

// TestStreamNoBarrier: a long task and a short one start on two workers; the short one's
// outcome adds a task, which starts while the long one still runs.
func TestStreamNoBarrier(t *testing.T) {
	for _, ec := range streamCases(t) {
		if ec.name == "serial" || ec.name == "batch-only" {
			continue // one task at a time; one batch at a time
		}
		t.Run(ec.name, func(t *testing.T) {
			// Worker processes are started and ready first: a worker that starts late
			// would leave both first tasks to the other's pipe.
			var ready atomic.Int32
			ex := ec.new(t, executor.Options{OnWorker: func(ev executor.WorkerEvent) {
				if ev.Err == nil {
					ready.Add(1)
				}
			}})
			if s, ok := ex.(executor.Starter); ok {
				require.NoError(t, s.Start(context.Background()))
				defer s.Close()
				workers := ex.(interface{ Workers() int }).Workers()
				require.Eventually(t, func() bool {
					// Handshakes are read while a batch runs: run small ones, a task for each
					// worker (workers start as tasks need them), until all answered.
					var warm []executor.Task
					for i := range workers {
						warm = append(warm, task(t, fmt.Sprint("warm", i), nil))
					}
					_ = s.Execute(context.Background(), warm, func(executor.Outcome) {})
					return int(ready.Load()) >= workers
				}, 2*time.Minute, 100*time.Millisecond)
			}
			long := task(t, "long", map[string]any{"sleep": 1.5})
			long.Cost = 10
			short := task(t, "short", nil)
			got, tasks, err := chain(t, ex, []executor.Task{long, short}, 1, func(o executor.Outcome, g int) executor.Task {
				return task(t, "after-"+o.ID, nil)
			})
			require.NoError(t, err)
			require.Len(t, tasks, 4)
			byID := map[string]executor.Outcome{}
			for _, o := range got {
				byID[o.ID] = o
			}
			assert.True(t, byID["after-short"].Start.Before(byID["long"].End),
				"the task released by the short one started %v, after the long one ended %v", byID["after-short"].Start, byID["long"].End)
		})
	}
}

// TestStreamFailuresAndEmpty: failed tasks of a stream are a *BatchError numbered in the
// stream; a stream closed empty returns at once; one never closed ends with its context.
func TestStreamFailuresAndEmpty(t *testing.T) {
	for _, ec := range streamCases(t) {
		t.Run(ec.name, func(t *testing.T) {
			ex := ec.new(t, executor.Options{})
			bad := task(t, "bad", map[string]any{"fail": "always"})
			got, _, err := chain(t, ex, []executor.Task{task(t, "ok", nil)}, 2, func(o executor.Outcome, g int) executor.Task {
				if g == 2 {
					return bad
				}
				return task(t, fmt.Sprint("ok", g), nil)
			})
			var be *executor.BatchError
			require.True(t, errors.As(err, &be), "error %v", err)
			require.Len(t, be.Failed, 1)
			assert.Equal(t, 2, be.Failed[0].Index)
			assert.Len(t, got, 3)

			q := executor.NewQueue()
			q.Close()
			require.NoError(t, executor.Stream(context.Background(), ex, q, func(executor.Outcome) { assert.Fail(t, "outcome of no task") }))
			assert.ErrorIs(t, q.Add(task(t, "late", nil)), executor.ErrQueueClosed)

			// A queue never closed: the stream waits for more tasks after its only one, and
			// ends when its context does (cancelled here once that task's outcome is in, not
			// after a fixed time, which a loaded machine's worker start-up can outlast).
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			open := executor.NewQueue(task(t, "only", nil))
			n := 0
			err = executor.Stream(ctx, ex, open, func(executor.Outcome) { n++; cancel() })
			assert.ErrorIs(t, err, context.Canceled)
			assert.Equal(t, 1, n)
		})
	}
}
