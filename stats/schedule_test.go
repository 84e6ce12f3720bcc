package stats

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMakespan(t *testing.T) {
	for _, tc := range []struct {
		name    string
		tasks   []time.Duration
		workers int
		want    time.Duration
	}{
		// The classic case where largest-first is not optimal: LPT gives {5,3,3}+{4,3}... = 10
		// (5 | 4, 3 -> 7 | 3 -> 8 | 3 -> 10) where {5,4},{3,3,3} would give 9.
		{"lpt not optimal", secs(3, 5, 3, 4, 3), 2, 10 * time.Second},
		{"three workers", secs(3, 5, 3, 4, 3), 3, 7 * time.Second},
		{"one worker is the sum", secs(3, 5, 3, 4, 3), 1, 18 * time.Second},
		{"more workers than tasks", secs(3, 5, 3, 4, 3), 64, 5 * time.Second},
		{"no tasks", nil, 4, 0},
		{"no workers", secs(1), 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Makespan(tc.tasks, tc.workers))
		})
	}
}

// atS returns t0 plus s seconds.
func atS(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

func noPredictions(c CriticalPath) CriticalPath {
	c.Predictions = nil
	return c
}

func TestIdleAndCriticalPath(t *testing.T) {
	rec := NewRecorder()
	rec.BeginAt(t0)
	// Worker 0 is a process that took 2 s to start; its first task was sent at once, so the
	// task's recorded time includes the start-up.
	rec.AddWorker(WorkerRecord{Worker: 0, Requested: t0, Ready: atS(2), Host: "node1"})
	rec.Add(TaskRecord{Label: "a", MC: "hf", Level: 1, Worker: 0, Start: t0, End: atS(5)})
	rec.Add(TaskRecord{Label: "b", MC: "hf", Level: 2, Worker: 0, Start: atS(5.5), End: atS(8)})
	// Worker 1 has no start-up record: it was idle until its first task.
	rec.Add(TaskRecord{Label: "c", MC: "hf", Level: 2, Worker: 1, Start: atS(1), End: atS(10)})
	// A reused task counts nowhere.
	rec.Add(TaskRecord{Label: "d", MC: "hf", Level: 1, Worker: 1, Start: atS(1), End: atS(1), Reused: true})
	rec.EndAt(atS(10))
	rep := rec.Report(2)

	assert.Equal(t, 10*time.Second, rep.Wall)
	assert.Equal(t, 1, rep.Reused)
	assert.Equal(t, []WorkerIdle{
		{Worker: 0, Busy: 5500 * time.Millisecond, Startup: 2 * time.Second, Tail: 2 * time.Second, Gaps: 500 * time.Millisecond},
		{Worker: 1, Busy: 9 * time.Second, Startup: time.Second},
	}, rep.Idle)

	// Work 5 + 2.5 + 9 = 16.5 s; longest 9 s; bound on 2 workers max(9, 8.25) = 9 s.
	assert.Equal(t, CriticalPath{Level: 0, Tasks: 3, Work: 16500 * time.Millisecond, Longest: "c",
		LongestTime: 9 * time.Second, Workers: 2, LowerBound: 9 * time.Second, Span: 10 * time.Second}, noPredictions(rep.Critical))
	require.Len(t, rep.CriticalByLevel, 2)
	assert.Equal(t, CriticalPath{Level: 1, Tasks: 1, Work: 5 * time.Second, Longest: "a",
		LongestTime: 5 * time.Second, Workers: 2, LowerBound: 5 * time.Second, Span: 5 * time.Second}, noPredictions(rep.CriticalByLevel[0]))
	assert.Equal(t, CriticalPath{Level: 2, Tasks: 2, Work: 11500 * time.Millisecond, Longest: "c",
		LongestTime: 9 * time.Second, Workers: 2, LowerBound: 9 * time.Second, Span: 9 * time.Second}, noPredictions(rep.CriticalByLevel[1]))
	// Level 2 alone, {9, 2.5}: 11.5 s on one worker, 9 s on two or more.
	require.Len(t, rep.CriticalByLevel[1].Predictions, len(PredictionWorkers))
	assert.Equal(t, 11500*time.Millisecond, rep.CriticalByLevel[1].Predictions[0].Makespan)
	assert.Equal(t, 9*time.Second, rep.CriticalByLevel[1].Predictions[1].Makespan)
	assert.Equal(t, rep.Predictions, rep.Critical.Predictions)

	// Predictions: {9, 5, 2.5}: 1 worker 16.5 s, 2 workers 9 s (9 | 5+2.5), then 9 s.
	require.Len(t, rep.Predictions, len(PredictionWorkers))
	assert.Equal(t, Prediction{Workers: 1, Makespan: 16500 * time.Millisecond, LowerBound: 16500 * time.Millisecond, Speedup: 1}, rep.Predictions[0])
	assert.Equal(t, Prediction{Workers: 2, Makespan: 9 * time.Second, LowerBound: 9 * time.Second, Speedup: 16.5 / 9}, rep.Predictions[1])
	assert.Equal(t, 9*time.Second, rep.Predictions[6].Makespan)

	// The JSON round trip keeps the analysis.
	b, err := json.Marshal(rep)
	require.NoError(t, err)
	var back Report
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, rep.Idle, back.Idle)
	assert.Equal(t, rep.Critical, back.Critical)
	assert.Equal(t, rep.CriticalByLevel, back.CriticalByLevel)
	assert.Equal(t, rep.Predictions, back.Predictions)
	assert.Equal(t, 1, back.Reused)
	require.Len(t, back.WorkerStarts, 1)
	assert.Equal(t, "node1", back.WorkerStarts[0].Host)
	assert.Contains(t, string(b), `"tasks_reused":1`)
	assert.Contains(t, string(b), `"worker_starts":[{"worker":0,`)
}

func TestSpeedupReferences(t *testing.T) {
	build := func() *Recorder {
		rec := NewRecorder()
		rec.BeginAt(t0)
		// 4 s on 2 threads using 6 s of CPU: alone it would take about 3 s.
		rec.Add(TaskRecord{Label: "a", Level: 1, Worker: 0, Start: t0, End: atS(4), Threads: 2, CPU: 6 * time.Second})
		// CPU time above the duration on one thread (helper threads): the duration counts.
		rec.Add(TaskRecord{Label: "b", Level: 1, Worker: 1, Start: t0, End: atS(2), Threads: 1, CPU: 3 * time.Second})
		// No CPU time: the duration counts.
		rec.Add(TaskRecord{Label: "c", Level: 2, Worker: 1, Start: atS(2), End: atS(5)})
		rec.EndAt(atS(5))
		return rec
	}

	rep := build().Report(2)
	assert.Equal(t, RefCPUEstimate, rep.SpeedupReference)
	assert.Equal(t, 8*time.Second, rep.SerialEstimate) // 3 + 2 + 3
	assert.InDelta(t, 8.0/5, rep.Speedup, 1e-12)
	assert.Equal(t, 2, rep.CPUMeasured)
	assert.Contains(t, rep.SpeedupBasis, "CPU time measured for 2 of 3 computed tasks")

	// A serial sample: a (level 1) took 2 s alone where it took 4 s in the run, so level 1
	// (6 s in the run) extrapolates to 3 s; level 2 has no sample and uses the overall
	// ratio 2/4: 3 s -> 1.5 s. Serial 4.5 s, speedup 4.5/5.
	rec := build()
	rec.AddSerialSample("a", 2*time.Second)
	rep = rec.Report(2)
	assert.Equal(t, RefSampledSerial, rep.SpeedupReference)
	assert.Equal(t, &SerialSample{Tasks: 1, Serial: 2 * time.Second, InRun: 4 * time.Second, Extrapolated: 4500 * time.Millisecond}, rep.SerialSample)
	assert.InDelta(t, 0.9, rep.Speedup, 1e-12)
	assert.Contains(t, rep.SpeedupBasis, "sampled: 1 tasks rerun serially took 2s where the run took 4s")

	// A measured serial run wins over both.
	rec.SetMeasuredSerial(6 * time.Second)
	rep = rec.Report(2)
	assert.Equal(t, RefMeasuredSerial, rep.SpeedupReference)
	assert.InDelta(t, 1.2, rep.Speedup, 1e-12)
	assert.InDelta(t, 0.6, rep.Efficiency, 1e-12)
}

func TestSampleTasks(t *testing.T) {
	levels := []int{1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3}
	costs := []float64{4, 1, 3, 2, 60, 10, 50, 20, 40, 30, 900}
	// 5 picks: levels 1, 2, 3, 1, 2. Level 1 by cost: 1(1) 3(2) 2(3) 0(4), two picks at
	// positions 1 and 3: tasks 3 and 0. Level 2 by cost: 5 7 9 8 6 4, picks at 1 and 4:
	// tasks 7 and 6. Level 3: task 10.
	assert.Equal(t, []int{0, 3, 6, 7, 10}, SampleTasks(levels, costs, 5))
	assert.Empty(t, SampleTasks(levels, costs, 0))
	assert.Len(t, SampleTasks(levels, costs, 100), len(levels))
}
