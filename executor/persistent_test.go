package executor_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/executor"
)

// workerLog collects WorkerEvents, failing the test on concurrent calls.
type workerLog struct {
	t      *testing.T
	mu     sync.Mutex
	events []executor.WorkerEvent
}

func (l *workerLog) add(ev executor.WorkerEvent) {
	if !l.mu.TryLock() {
		assert.Fail(l.t, "OnWorker called concurrently")
		l.mu.Lock()
	}
	defer l.mu.Unlock()
	l.events = append(l.events, ev)
}

func (l *workerLog) list() []executor.WorkerEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]executor.WorkerEvent(nil), l.events...)
}

// TestSubprocessKeepsWorkers: after Start, a sequence of batches runs on the same worker
// processes (one pid file and one WorkerEvent per worker), with results identical to a
// Subprocess that starts workers per batch; Close ends them.
func TestSubprocessKeepsWorkers(t *testing.T) {
	const workers = 2
	log := &workerLog{t: t}
	opt := executor.Options{OnWorker: log.add}
	kept, dir := newSubprocess(t, workers, opt, "engine")
	perBatch, _ := newSubprocess(t, workers, executor.Options{}, "engine")
	before := time.Now()
	require.NoError(t, kept.Start(context.Background()))
	defer kept.Close()
	for batch := range 4 {
		var tasks []executor.Task
		for i := range 5 {
			tasks = append(tasks, task(t, fmt.Sprintf("b%d-t%d", batch, i)+strings.Repeat("x", i), nil))
		}
		got, err := run(t, context.Background(), kept, tasks)
		require.NoError(t, err, "batch %d", batch)
		want, err := run(t, context.Background(), perBatch, tasks)
		require.NoError(t, err)
		for i := range tasks {
			assert.Equal(t, *want[i].Result.Properties.ReturnEnergy, *got[i].Result.Properties.ReturnEnergy,
				"batch %d task %d: energy on kept workers against fresh ones", batch, i)
		}
	}
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, ents, workers, "worker processes started for 4 batches")
	evs := log.list()
	require.Len(t, evs, workers, "worker events: %+v", evs)
	host, _ := os.Hostname()
	for _, ev := range evs {
		assert.NoError(t, ev.Err, "worker event %+v", ev)
		assert.False(t, ev.Requested.Before(before), "worker event %+v: requested before the run", ev)
		assert.False(t, ev.Ready.Before(ev.Requested), "worker event %+v: want ready after requested", ev)
		assert.Equal(t, host, ev.Host, "worker event %+v", ev)
	}
	require.NoError(t, kept.Close())
	checkExited(t, dir)
	assert.NoError(t, kept.Close(), "second Close")
}

// TestSubprocessKeptWorkerCrash: a kept worker that crashes is replaced, and the
// replacement is reported.
func TestSubprocessKeptWorkerCrash(t *testing.T) {
	log := &workerLog{t: t}
	kept, dir := newSubprocess(t, 1, executor.Options{OnWorker: log.add}, "engine")
	require.NoError(t, kept.Start(context.Background()))
	marker := dir + "/marker"
	got, err := run(t, context.Background(), kept, []executor.Task{task(t, "crash", map[string]any{"crash": "once", "marker": marker})})
	require.NoError(t, err)
	require.Equal(t, 2, got[0].Attempts, "attempts: want the crashed task retried once")
	_, err = run(t, context.Background(), kept, []executor.Task{task(t, "next", nil)})
	require.NoError(t, err)
	require.NoError(t, kept.Close())
	assert.Len(t, log.list(), 2, "worker events (first worker and its replacement)")
	checkExited(t, dir)
}

// TestSubprocessCloseCancelsBatch: Close during a batch cancels it and stops the workers.
func TestSubprocessCloseCancelsBatch(t *testing.T) {
	kept, dir := newSubprocess(t, 1, executor.Options{}, "engine")
	require.NoError(t, kept.Start(context.Background()))
	errc := make(chan error, 1)
	go func() {
		errc <- kept.Execute(context.Background(), []executor.Task{task(t, "slow", map[string]any{"sleep": 30.0})}, func(executor.Outcome) {})
	}()
	time.Sleep(300 * time.Millisecond)
	require.NoError(t, kept.Close())
	select {
	case err := <-errc:
		assert.ErrorIs(t, err, context.Canceled, "Execute")
	case <-time.After(10 * time.Second):
		require.FailNow(t, "Execute still running 10 s after Close")
	}
	checkExited(t, dir)
}

// TestSubprocessStartTimeout: a worker that does not answer its handshake in time is
// stopped, and the tasks fail with ErrNotStarted instead of waiting for ever.
func TestSubprocessStartTimeout(t *testing.T) {
	log := &workerLog{t: t}
	s := executor.NewSubprocess(1, []string{"sleep", "60"}, executor.Options{OnWorker: log.add})
	s.StartTimeout = 200 * time.Millisecond
	start := time.Now()
	err := s.Execute(context.Background(), []executor.Task{task(t, "a", nil)}, func(executor.Outcome) {})
	require.ErrorIs(t, err, executor.ErrNotStarted)
	assert.LessOrEqual(t, time.Since(start), 5*time.Second, "time taken")
	evs := log.list()
	if assert.Len(t, evs, 1, "worker events: want one start failure") {
		assert.ErrorIs(t, evs[0].Err, executor.ErrNotStarted)
		assert.True(t, evs[0].Ready.IsZero(), "worker event %+v: a failed start is never ready", evs[0])
	}
}

// TestSubprocessKeptAfterPanic: a panic in handle does not leave a started executor locked:
// the next batch runs.
func TestSubprocessKeptAfterPanic(t *testing.T) {
	kept, dir := newSubprocess(t, 1, executor.Options{}, "engine")
	require.NoError(t, kept.Start(context.Background()))
	assert.Panics(t, func() {
		_ = kept.Execute(context.Background(), []executor.Task{task(t, "a", nil)}, func(executor.Outcome) { panic("handler") })
	})
	done := make(chan error, 1)
	go func() {
		_, err := run(t, context.Background(), kept, []executor.Task{task(t, "bb", nil)})
		done <- err
	}()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		require.FailNow(t, "second batch blocked after a panic in the first")
	}
	require.NoError(t, kept.Close())
	checkExited(t, dir)
}

// TestSubprocessLegacyWorker: a worker that knows nothing of the handshake answers it with a
// FailedOperation, which makes it ready as well; its tasks then run as on any worker.
func TestSubprocessLegacyWorker(t *testing.T) {
	log := &workerLog{t: t}
	legacy, _ := newSubprocess(t, 1, executor.Options{OnWorker: log.add}, "legacy")
	tasks := []executor.Task{task(t, "a", nil), task(t, "bb", nil)}
	got, err := run(t, context.Background(), legacy, tasks)
	require.NoError(t, err)
	want, err := run(t, context.Background(), executor.NewSerial(executor.Options{}), tasks)
	require.NoError(t, err)
	for i := range tasks {
		assert.Equal(t, *want[i].Result.Properties.ReturnEnergy, *got[i].Result.Properties.ReturnEnergy, "task %d: energy from the legacy worker against serial", i)
	}
	if evs := log.list(); assert.Len(t, evs, 1, "worker events: want one ready worker of unknown host") {
		assert.NoError(t, evs[0].Err)
		assert.False(t, evs[0].Ready.IsZero(), "worker event %+v: ready", evs[0])
		assert.Empty(t, evs[0].Host, "worker event %+v: host", evs[0])
	}
}
