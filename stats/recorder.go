package stats

import (
	"slices"
	"sync"
	"time"
)

// TaskRecord is the timing of one fragment calculation (one task of the many-body plan).
type TaskRecord struct {
	// Label is the task's QCManyBody label, e.g. `["mp2", [1], [1, 2]]`.
	Label string
	// MC is the model chemistry of the task.
	MC string
	// Level is the n-body order of the task (the number of real fragments).
	Level int
	// Worker identifies the worker that ran the task (by convention 0 .. workers-1).
	Worker int
	// Queued is when the task was handed to the executor, Start and End bracket the
	// computation itself (all attempts). Zero times mean "not known".
	Queued, Start, End time.Time
	// Attempts is the number of times the task was tried (0 or 1 means no retry).
	Attempts int
	// Error is empty for a successful task and holds the error message otherwise.
	Error string
}

// Duration is the measured run time End − Start of the task. It is 0 when either time is
// unknown (zero) or End is not after Start.
func (r TaskRecord) Duration() time.Duration {
	if r.Start.IsZero() || r.End.IsZero() {
		return 0
	}
	if d := r.End.Sub(r.Start); d > 0 {
		return d
	}
	return 0
}

// Wait is the time the task spent queued before it started, Start − Queued, or 0 when
// either time is unknown or Start is not after Queued.
func (r TaskRecord) Wait() time.Duration {
	if r.Queued.IsZero() || r.Start.IsZero() {
		return 0
	}
	if d := r.Start.Sub(r.Queued); d > 0 {
		return d
	}
	return 0
}

// Failed reports whether the task ended in an error.
func (r TaskRecord) Failed() bool { return r.Error != "" }

// Recorder collects task records and the wall-clock span of a run. It is safe for
// concurrent use by many goroutines. The zero value is ready to use, and all methods
// accept a nil *Recorder, which discards everything and reports an empty Report, so a
// driver can record unconditionally.
type Recorder struct {
	mu     sync.Mutex
	begin  time.Time
	end    time.Time
	serial time.Duration
	recs   []TaskRecord
	// workers holds the start of every worker process (AddWorker).
	workers []WorkerRecord
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{} }

// Begin marks the start of the wall-clock span at time.Now().
func (r *Recorder) Begin() { r.BeginAt(time.Now()) }

// BeginAt marks the start of the wall-clock span at t.
func (r *Recorder) BeginAt(t time.Time) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.begin = t
	r.mu.Unlock()
}

// End marks the end of the wall-clock span at time.Now().
func (r *Recorder) End() { r.EndAt(time.Now()) }

// EndAt marks the end of the wall-clock span at t.
func (r *Recorder) EndAt(t time.Time) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.end = t
	r.mu.Unlock()
}

// Add records one finished (or failed) task.
func (r *Recorder) Add(rec TaskRecord) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.recs = append(r.recs, rec)
	r.mu.Unlock()
}

// SetMeasuredSerial records the wall time of a separately measured serial run of the same
// tasks. When set (> 0) the speedup is computed against it instead of the sum of the task
// times.
func (r *Recorder) SetMeasuredSerial(d time.Duration) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.serial = d
	r.mu.Unlock()
}

// Len returns the number of records added so far.
func (r *Recorder) Len() int {
	if r == nil {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.recs)
}

// Records returns a copy of the records added so far, in the order they were added.
func (r *Recorder) Records() []TaskRecord {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.recs)
}

// Report computes the statistics of what has been recorded so far. workers is the number
// of workers the executor ran with; if it is ≤ 0 it is taken to be the number of distinct
// TaskRecord.Worker values. Report may be called at any time, also while tasks are still
// being added; it works on a snapshot.
func (r *Recorder) Report(workers int) *Report {
	if r == nil {
		return compute(nil, time.Time{}, time.Time{}, 0, workers)
	}
	r.mu.Lock()
	recs := slices.Clone(r.recs)
	begin, end, serial := r.begin, r.end, r.serial
	starts := slices.Clone(r.workers)
	r.mu.Unlock()
	rep := compute(recs, begin, end, serial, workers)
	rep.WorkerStarts = starts
	return rep
}
