package stats

import (
	"encoding/json"
	"slices"
	"time"
)

// WorkerRecord is how one worker process started: when it was requested (process start,
// or srun submission under Slurm) and when it became ready to take tasks. The span between
// is start-up and queue wait, kept apart from task times. A record with Program set is the
// start of a resident program process (a Psi4 or QCEngine process kept between tasks) that
// a task of the worker waited for.
type WorkerRecord struct {
	// Worker is the worker's slot number, as in TaskRecord.Worker.
	Worker int
	// Program is the resident program started, "" for a worker process.
	Program string
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
	Program        string    `json:"program,omitempty"`
	Host           string    `json:"host,omitempty"`
	Requested      time.Time `json:"requested,omitzero"`
	Ready          time.Time `json:"ready,omitzero"`
	StartupSeconds float64   `json:"startup_seconds"`
}

// MarshalJSON writes {"worker", "host", "requested", "ready", "startup_seconds"}
// (startup_seconds is informational: it is recomputed from requested and ready).
func (w WorkerRecord) MarshalJSON() ([]byte, error) {
	return json.Marshal(workerRecordJSON{Worker: w.Worker, Program: w.Program, Host: w.Host, Requested: utc(w.Requested), Ready: utc(w.Ready),
		StartupSeconds: seconds(w.Startup())})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (w *WorkerRecord) UnmarshalJSON(b []byte) error {
	var j workerRecordJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*w = WorkerRecord{Worker: j.Worker, Program: j.Program, Host: j.Host, Requested: j.Requested, Ready: j.Ready}
	return nil
}

// startupSummary returns the number of starts of program's processes ("" for worker
// processes) and their mean and longest start-up.
func startupSummary(ws []WorkerRecord, program string) (n int, mean, longest time.Duration) {
	var sum time.Duration
	for _, w := range ws {
		if w.Program != program {
			continue
		}
		d := w.Startup()
		sum += d
		longest = max(longest, d)
		n++
	}
	if n > 0 {
		mean = sum / time.Duration(n)
	}
	return n, mean, longest
}

// residentPrograms lists, sorted, the programs of the resident process starts in ws.
func residentPrograms(ws []WorkerRecord) []string {
	var out []string
	for _, w := range ws {
		if w.Program != "" && !slices.Contains(out, w.Program) {
			out = append(out, w.Program)
		}
	}
	slices.Sort(out)
	return out
}
