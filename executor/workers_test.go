package executor_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/internal/proctoken"
)

// TestNoMoreWorkersThanTasks: an executor of many workers given a few tasks starts no
// more worker processes (or goroutines) than there are tasks, whether the batch is closed,
// its workers are kept across batches (Start), or its tasks stream in one by one
// ("qcmb run --executor subprocess --workers 5000" on 10 tasks started thousands of
// processes).
func TestNoMoreWorkersThanTasks(t *testing.T) {
	const workers, n = 50, 3
	tasks := func(prefix string) []executor.Task {
		var out []executor.Task
		for i := range n {
			out = append(out, task(t, fmt.Sprintf("%s%d", prefix, i), nil))
		}
		return out
	}
	started := func(dir string) int {
		ents, err := os.ReadDir(dir)
		require.NoError(t, err)
		return len(ents)
	}
	t.Run("subprocess batch", func(t *testing.T) {
		s, dir := newSubprocess(t, workers, executor.Options{}, "engine")
		_, err := run(t, context.Background(), s, tasks("a"))
		require.NoError(t, err)
		assert.LessOrEqual(t, started(dir), n)
	})
	t.Run("subprocess kept", func(t *testing.T) {
		s, dir := newSubprocess(t, workers, executor.Options{}, "engine")
		require.NoError(t, s.Start(context.Background()))
		assert.Zero(t, started(dir), "no worker before there is a task")
		for batch := range 2 {
			_, err := run(t, context.Background(), s, tasks(fmt.Sprint("k", batch)))
			require.NoError(t, err)
		}
		require.NoError(t, s.Close())
		assert.LessOrEqual(t, started(dir), n)
		checkExited(t, dir)
	})
	t.Run("subprocess stream", func(t *testing.T) {
		s, dir := newSubprocess(t, workers, executor.Options{}, "engine")
		q := executor.NewQueue()
		all := tasks("s")
		require.NoError(t, q.Add(all[0]))
		var mu sync.Mutex
		done := 0
		err := s.Stream(context.Background(), q, func(o executor.Outcome) {
			mu.Lock()
			defer mu.Unlock()
			require.NoError(t, o.Err)
			if done++; done < n {
				require.NoError(t, q.Add(all[done]))
			} else {
				q.Close()
			}
		})
		require.NoError(t, err)
		assert.Equal(t, 1, started(dir), "one task at a time needs one worker")
	})
	t.Run("pool stream", func(t *testing.T) {
		p := executor.NewPool(5000, executor.Options{Runner: noopRunner})
		q := executor.NewQueue()
		all := tasks("p")
		require.NoError(t, q.Add(all[0]))
		seen := map[int]bool{}
		done, goroutines := 0, 0
		err := p.Stream(context.Background(), q, func(o executor.Outcome) {
			seen[o.Worker] = true
			goroutines = max(goroutines, runtime.NumGoroutine())
			if done++; done < n {
				require.NoError(t, q.Add(all[done]))
			} else {
				q.Close()
			}
		})
		require.NoError(t, err)
		assert.LessOrEqual(t, len(seen), n)
		assert.Less(t, goroutines, 100, "goroutines while the stream ran")
	})
}

// TestDeadWorkerIsCleanedUp: a worker that dies during a task (here: its program exits the
// worker) has its scratch directory removed, and the processes its program moved out of
// its process group killed, by the executor as soon as it is gone, not at the end of the
// run: a killed worker used to leave its scratch directory.
func TestDeadWorkerIsCleanedUp(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("leftover processes are found through /proc, on Linux")
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	mark := fmt.Sprintf("QCMB_TEST_LEFT=%d", os.Getpid())
	s, _ := newSubprocess(t, 1, executor.Options{Retries: 0}, "engine")
	t.Cleanup(func() { proctoken.Kill("QCMB_TEST_LEFT", strconv.Itoa(os.Getpid())) })
	var outcomes []executor.Outcome
	err := s.Execute(context.Background(), []executor.Task{task(t, "dies", map[string]any{"leave": mark, "crash": "always"})},
		func(o executor.Outcome) { outcomes = append(outcomes, o) })
	var we *executor.WorkerError
	require.ErrorAs(t, err, &we, "the worker died")
	assert.Empty(t, proctoken.Find("QCMB_TEST_LEFT", strconv.Itoa(os.Getpid())), "processes the dead worker's program left")
	left, err := os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Empty(t, left, "scratch the dead worker left")
}
