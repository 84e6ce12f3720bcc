package executor_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

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
		l.t.Errorf("OnWorker called concurrently")
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
	if err := kept.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer kept.Close()
	for batch := range 4 {
		var tasks []executor.Task
		for i := range 5 {
			tasks = append(tasks, task(t, fmt.Sprintf("b%d-t%d", batch, i)+strings.Repeat("x", i), nil))
		}
		got, err := run(t, context.Background(), kept, tasks)
		if err != nil {
			t.Fatalf("batch %d: %v", batch, err)
		}
		want, err := run(t, context.Background(), perBatch, tasks)
		if err != nil {
			t.Fatal(err)
		}
		for i := range tasks {
			if *got[i].Result.Properties.ReturnEnergy != *want[i].Result.Properties.ReturnEnergy {
				t.Errorf("batch %d task %d: energy %v on kept workers, %v on fresh ones", batch, i,
					*got[i].Result.Properties.ReturnEnergy, *want[i].Result.Properties.ReturnEnergy)
			}
		}
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != workers {
		t.Errorf("%d worker processes started for 4 batches, want %d", len(ents), workers)
	}
	evs := log.list()
	if len(evs) != workers {
		t.Fatalf("%d worker events, want %d: %+v", len(evs), workers, evs)
	}
	host, _ := os.Hostname()
	for _, ev := range evs {
		if ev.Err != nil || ev.Requested.Before(before) || ev.Ready.Before(ev.Requested) || ev.Host != host {
			t.Errorf("worker event %+v: want ready after requested, host %q", ev, host)
		}
	}
	if err := kept.Close(); err != nil {
		t.Fatal(err)
	}
	checkExited(t, dir)
	if err := kept.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestSubprocessKeptWorkerCrash: a kept worker that crashes is replaced, and the
// replacement is reported.
func TestSubprocessKeptWorkerCrash(t *testing.T) {
	log := &workerLog{t: t}
	kept, dir := newSubprocess(t, 1, executor.Options{OnWorker: log.add}, "engine")
	if err := kept.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	marker := dir + "/marker"
	got, err := run(t, context.Background(), kept, []executor.Task{task(t, "crash", map[string]any{"crash": "once", "marker": marker})})
	if err != nil || got[0].Attempts != 2 {
		t.Fatalf("attempts %d, error %v: want the crashed task retried once", got[0].Attempts, err)
	}
	if _, err := run(t, context.Background(), kept, []executor.Task{task(t, "next", nil)}); err != nil {
		t.Fatal(err)
	}
	if err := kept.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(log.list()); n != 2 {
		t.Errorf("%d worker events, want 2 (first worker and its replacement)", n)
	}
	checkExited(t, dir)
}

// TestSubprocessCloseCancelsBatch: Close during a batch cancels it and stops the workers.
func TestSubprocessCloseCancelsBatch(t *testing.T) {
	kept, dir := newSubprocess(t, 1, executor.Options{}, "engine")
	if err := kept.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		errc <- kept.Execute(context.Background(), []executor.Task{task(t, "slow", map[string]any{"sleep": 30.0})}, func(executor.Outcome) {})
	}()
	time.Sleep(300 * time.Millisecond)
	if err := kept.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Execute returned %v, want a cancellation", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Execute still running 10 s after Close")
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
	if !errors.Is(err, executor.ErrNotStarted) {
		t.Fatalf("error %v, want ErrNotStarted", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	evs := log.list()
	if len(evs) != 1 || !errors.Is(evs[0].Err, executor.ErrNotStarted) || !evs[0].Ready.IsZero() {
		t.Errorf("worker events %+v, want one start failure", evs)
	}
}

// TestSubprocessKeptAfterPanic: a panic in handle does not leave a started executor locked:
// the next batch runs.
func TestSubprocessKeptAfterPanic(t *testing.T) {
	kept, dir := newSubprocess(t, 1, executor.Options{}, "engine")
	if err := kept.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() {
			if p := recover(); p == nil {
				t.Error("no panic")
			}
		}()
		_ = kept.Execute(context.Background(), []executor.Task{task(t, "a", nil)}, func(executor.Outcome) { panic("handler") })
	}()
	done := make(chan error, 1)
	go func() {
		_, err := run(t, context.Background(), kept, []executor.Task{task(t, "bb", nil)})
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("second batch blocked after a panic in the first")
	}
	if err := kept.Close(); err != nil {
		t.Fatal(err)
	}
	checkExited(t, dir)
}

// TestSubprocessLegacyWorker: a worker that knows nothing of the handshake answers it with a
// FailedOperation, which makes it ready as well; its tasks then run as on any worker.
func TestSubprocessLegacyWorker(t *testing.T) {
	log := &workerLog{t: t}
	legacy, _ := newSubprocess(t, 1, executor.Options{OnWorker: log.add}, "legacy")
	tasks := []executor.Task{task(t, "a", nil), task(t, "bb", nil)}
	got, err := run(t, context.Background(), legacy, tasks)
	if err != nil {
		t.Fatal(err)
	}
	want, err := run(t, context.Background(), executor.NewSerial(executor.Options{}), tasks)
	if err != nil {
		t.Fatal(err)
	}
	for i := range tasks {
		if g, w := *got[i].Result.Properties.ReturnEnergy, *want[i].Result.Properties.ReturnEnergy; g != w {
			t.Errorf("task %d: energy %v from the legacy worker, %v serially", i, g, w)
		}
	}
	if evs := log.list(); len(evs) != 1 || evs[0].Err != nil || evs[0].Ready.IsZero() || evs[0].Host != "" {
		t.Errorf("worker events %+v: want one ready worker of unknown host", evs)
	}
}
