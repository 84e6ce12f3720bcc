package stats

import (
	"encoding/json"
	"time"
)

// WorkerRecord is how one worker process started: when it was requested (process start,
// or srun submission under Slurm) and when it became ready to take tasks. The span between
// is start-up and queue wait, kept apart from task times.
type WorkerRecord struct {
	// Worker is the worker's slot number, as in TaskRecord.Worker.
	Worker int
	// Requested and Ready bound the worker's start-up.
	Requested, Ready time.Time
	// Host is where the worker runs ("" if unknown).
	Host string
}

// Startup is Ready − Requested, or 0 when either is unknown or Ready is not after Requested.
func (w WorkerRecord) Startup() time.Duration {
	if w.Requested.IsZero() || w.Ready.IsZero() || !w.Ready.After(w.Requested) {
		return 0
	}
	return w.Ready.Sub(w.Requested)
}

// AddWorker records the start of one worker process (each replacement is another record).
func (r *Recorder) AddWorker(w WorkerRecord) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.workers = append(r.workers, w)
	r.mu.Unlock()
}

// workerStarts is Report.WorkerStarts in reportJSON.
type workerStarts []WorkerRecord

type workerRecordJSON struct {
	Worker         int       `json:"worker"`
	Host           string    `json:"host,omitempty"`
	Requested      time.Time `json:"requested,omitzero"`
	Ready          time.Time `json:"ready,omitzero"`
	StartupSeconds float64   `json:"startup_seconds"`
}

// MarshalJSON writes {"worker", "host", "requested", "ready", "startup_seconds"}
// (startup_seconds is informational: it is recomputed from requested and ready).
func (w WorkerRecord) MarshalJSON() ([]byte, error) {
	return json.Marshal(workerRecordJSON{Worker: w.Worker, Host: w.Host, Requested: utc(w.Requested), Ready: utc(w.Ready),
		StartupSeconds: seconds(w.Startup())})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (w *WorkerRecord) UnmarshalJSON(b []byte) error {
	var j workerRecordJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*w = WorkerRecord{Worker: j.Worker, Host: j.Host, Requested: j.Requested, Ready: j.Ready}
	return nil
}

// startupSummary returns the number of worker starts and their mean and longest start-up.
func startupSummary(ws []WorkerRecord) (n int, mean, longest time.Duration) {
	var sum time.Duration
	for _, w := range ws {
		d := w.Startup()
		sum += d
		longest = max(longest, d)
	}
	if len(ws) > 0 {
		mean = sum / time.Duration(len(ws))
	}
	return len(ws), mean, longest
}
