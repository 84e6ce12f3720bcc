package stats

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	assert.Equal(t, time.Second, rep.SerialBaseline, "start-up leaked into task time")
	for _, c := range []struct {
		w    WorkerRecord
		want time.Duration
	}{
		{rep.WorkerStarts[0], 3 * time.Second},
		{rep.WorkerStarts[1], time.Second},
		{WorkerRecord{Ready: t0}, 0},
		{WorkerRecord{Requested: t0.Add(time.Second), Ready: t0}, 0},
	} {
		assert.Equal(t, c.want, c.w.Startup(), "%+v", c.w)
	}
	b, err := json.Marshal(rep)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"worker_starts":[{"worker":0,"host":"n1","requested":"2026-01-02T03:04:05Z","ready":"2026-01-02T03:04:08Z","startup_seconds":3}`, "JSON lacks the worker starts")
	var back Report
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, rep.WorkerStarts, back.WorkerStarts, "round trip")
	assert.Contains(t, rep.String(), "worker start-up   2 started, mean 2s, longest 3s", "text report lacks the start-up line")
}
