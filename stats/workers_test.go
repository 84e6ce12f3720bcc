package stats

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestWorkerStarts: worker start-ups are kept apart from task times, survive the JSON round
// trip, and are summarized in the text report.
func TestWorkerStarts(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	rec := NewRecorder()
	rec.Add(TaskRecord{Label: "a", Level: 1, Worker: 0, Queued: t0, Start: t0.Add(3 * time.Second), End: t0.Add(4 * time.Second)})
	for _, w := range []WorkerRecord{
		{Worker: 0, Requested: t0, Ready: t0.Add(3 * time.Second), Host: "n1"},
		{Worker: 1, Requested: t0, Ready: t0.Add(1 * time.Second), Host: "n2"},
	} {
		rec.AddWorker(w)
	}
	rep := rec.Report(2)
	if got := rep.SerialBaseline; got != time.Second {
		t.Errorf("serial baseline %v: start-up leaked into task time", got)
	}
	for _, c := range []struct {
		w    WorkerRecord
		want time.Duration
	}{
		{rep.WorkerStarts[0], 3 * time.Second},
		{rep.WorkerStarts[1], time.Second},
		{WorkerRecord{Ready: t0}, 0},
		{WorkerRecord{Requested: t0.Add(time.Second), Ready: t0}, 0},
	} {
		if got := c.w.Startup(); got != c.want {
			t.Errorf("%+v: start-up %v, want %v", c.w, got, c.want)
		}
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"worker_starts":[{"worker":0,"host":"n1","requested":"2026-01-02T03:04:05Z","ready":"2026-01-02T03:04:08Z","startup_seconds":3}`) {
		t.Errorf("JSON lacks the worker starts: %s", b)
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.WorkerStarts, rep.WorkerStarts) {
		t.Errorf("round trip: %+v, want %+v", back.WorkerStarts, rep.WorkerStarts)
	}
	if txt := rep.String(); !strings.Contains(txt, "worker start-up   2 started, mean 2s, longest 3s") {
		t.Errorf("text report lacks the start-up line:\n%s", txt)
	}
}
