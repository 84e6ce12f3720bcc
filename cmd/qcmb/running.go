package main

import (
	"sync"
	"time"

	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/stats"
)

// interruptedError is the error of the record of a task that a run cut short (Ctrl-C,
// SIGTERM, --timeout) while it ran.
const interruptedError = "interrupted: the run ended while it ran"

// running keeps which tasks run on which worker since when, so that a run cut short still
// counts the time its workers spent on the tasks it interrupted as busy, not idle: the
// executor reports no outcome for them.
type running struct {
	mu    sync.Mutex
	tasks map[int]runningTask
}

type runningTask struct {
	worker int
	start  time.Time
}

// started is the executor's OnStartWorker.
func (r *running) started(index, worker int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tasks == nil {
		r.tasks = map[int]runningTask{}
	}
	r.tasks[index] = runningTask{worker: worker, start: time.Now()}
}

// finished takes the outcome of a task.
func (r *running) finished(o executor.Outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.tasks, o.Index)
}

// record adds to rec a record of each task still running, of the tasks the run released
// (batch), up to end, and moves rec's end there.
func (r *running) record(rec *stats.Recorder, batch computer.Batch, end time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, t := range r.tasks {
		if i < 0 || i >= len(batch.Tasks) {
			continue
		}
		rec.Add(stats.TaskRecord{Label: batch.Tasks[i].ID, MC: batch.MC[i], Level: batch.Level[i], Worker: t.worker,
			Start: t.start, End: end, Attempts: 1, Threads: batch.Tasks[i].Threads, Error: interruptedError})
	}
	rec.EndAt(end)
}
