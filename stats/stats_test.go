package stats

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// at returns t0 + d.
func at(d time.Duration) time.Time { return t0.Add(d) }

// rec builds a record that starts at start and lasts dur.
func rec(label, mc string, level, worker int, start, dur time.Duration) TaskRecord {
	return TaskRecord{Label: label, MC: mc, Level: level, Worker: worker,
		Queued: at(0), Start: at(start), End: at(start + dur), Attempts: 1}
}

// recordsOf returns records with the given durations, all on worker 0, back to back.
func recordsOf(ds ...time.Duration) []TaskRecord {
	var rs []TaskRecord
	var off time.Duration
	for i, d := range ds {
		rs = append(rs, rec(fmt.Sprintf("t%d", i), "mc", 1, 0, off, d))
		off += d
	}
	return rs
}

func report(recs []TaskRecord, begin, end time.Time, serial time.Duration, workers int) *Report {
	r := NewRecorder()
	if !begin.IsZero() {
		r.BeginAt(begin)
	}
	if !end.IsZero() {
		r.EndAt(end)
	}
	r.SetMeasuredSerial(serial)
	for _, x := range recs {
		r.Add(x)
	}
	return r.Report(workers)
}

func secs(xs ...float64) []time.Duration {
	ds := make([]time.Duration, len(xs))
	for i, x := range xs {
		ds[i] = time.Duration(x * float64(time.Second))
	}
	return ds
}

// assertFinite checks that no float of the report is NaN or Inf.
func assertFinite(t *testing.T, r *Report) {
	t.Helper()
	for name, f := range map[string]float64{"speedup": r.Speedup, "efficiency": r.Efficiency,
		"imbalance": r.LoadImbalance} {
		assert.False(t, math.IsNaN(f) || math.IsInf(f, 0), "%s = %v", name, f)
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		name       string
		start, end time.Time
		want       time.Duration
	}{
		{"normal", at(time.Second), at(3 * time.Second), 2 * time.Second},
		{"no start", time.Time{}, at(time.Second), 0},
		{"no end", at(time.Second), time.Time{}, 0},
		{"end before start", at(2 * time.Second), at(time.Second), 0},
		{"instant", at(time.Second), at(time.Second), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := TaskRecord{Start: tc.start, End: tc.end}
			assert.Equal(t, tc.want, r.Duration())
		})
	}
	r := TaskRecord{Queued: at(0), Start: at(time.Second)}
	assert.Equal(t, time.Second, r.Wait())
	assert.Equal(t, time.Duration(0), TaskRecord{Start: at(time.Second)}.Wait())
}

func TestQuantilesAndMeans(t *testing.T) {
	oneToTwenty := make([]float64, 20)
	for i := range oneToTwenty {
		oneToTwenty[i] = float64(20 - i) // unsorted on purpose
	}
	tests := []struct {
		name                            string
		ds                              []time.Duration
		total, min, mean, max, p50, p95 time.Duration
	}{
		{"one", secs(3), 3 * time.Second, 3 * time.Second, 3 * time.Second, 3 * time.Second,
			3 * time.Second, 3 * time.Second},
		{"1..4", secs(4, 1, 3, 2), 10 * time.Second, time.Second, 2500 * time.Millisecond,
			4 * time.Second, 2 * time.Second, 4 * time.Second},
		{"1..10", secs(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 55 * time.Second, time.Second,
			5500 * time.Millisecond, 10 * time.Second, 5 * time.Second, 10 * time.Second},
		{"1..20", secs(oneToTwenty...), 210 * time.Second, time.Second, 10500 * time.Millisecond,
			20 * time.Second, 10 * time.Second, 19 * time.Second},
		{"outlier", secs(1, 1, 1, 100), 103 * time.Second, time.Second, 25750 * time.Millisecond,
			100 * time.Second, time.Second, 100 * time.Second},
		{"ms", []time.Duration{5 * time.Millisecond, 7 * time.Millisecond, 9 * time.Millisecond},
			21 * time.Millisecond, 5 * time.Millisecond, 7 * time.Millisecond,
			9 * time.Millisecond, 7 * time.Millisecond, 9 * time.Millisecond},
		{"with zero", []time.Duration{0, 0, 3}, 3, 0, 1, 3, 0, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := report(recordsOf(tc.ds...), time.Time{}, time.Time{}, 0, 1)
			require.Len(t, rep.Levels, 1)
			l := rep.Levels[0]
			assert.Equal(t, LevelStats{Level: 1, Count: len(tc.ds), Total: tc.total, Min: tc.min,
				Mean: tc.mean, Max: tc.max, P50: tc.p50, P95: tc.p95}, l)
			require.Len(t, rep.ByMC, 1)
			m := rep.ByMC[0]
			assert.Equal(t, MCStats{MC: "mc", Count: len(tc.ds), Total: tc.total, Min: tc.min,
				Mean: tc.mean, Max: tc.max, P50: tc.p50, P95: tc.p95}, m)
			assert.Equal(t, tc.total, rep.SerialBaseline)
		})
	}
}

func TestSpeedupEfficiencyImbalance(t *testing.T) {
	// worker 0: 3 s + 1 s = 4 s busy, worker 1: 2 s busy; wall 5 s; baseline 6 s.
	recs := []TaskRecord{
		rec(`["a", [1], [1]]`, "a", 1, 0, 0, 3*time.Second),
		rec(`["a", [2], [2]]`, "a", 1, 1, 0, 2*time.Second),
		rec(`["a", [1, 2], [1, 2]]`, "a", 2, 0, 3*time.Second, time.Second),
	}
	tests := []struct {
		name                           string
		serial                         time.Duration
		workers                        int
		wantWorkers                    int
		speedup, efficiency, imbalance float64
		ref                            string
	}{
		{"baseline 2 workers", 0, 2, 2, 6.0 / 5.0, 6.0 / 5.0 / 2, 4.0 / 3.0, RefBaseline},
		{"baseline inferred workers", 0, 0, 2, 6.0 / 5.0, 6.0 / 5.0 / 2, 4.0 / 3.0, RefBaseline},
		{"baseline 3 workers, one idle", 0, 3, 3, 6.0 / 5.0, 6.0 / 5.0 / 3, 2, RefBaseline},
		{"measured serial", 10 * time.Second, 2, 2, 2, 1, 4.0 / 3.0, RefMeasuredSerial},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := report(recs, at(0), at(5*time.Second), tc.serial, tc.workers)
			assert.Equal(t, 5*time.Second, rep.Wall)
			assert.Equal(t, 6*time.Second, rep.SerialBaseline)
			assert.Equal(t, tc.serial, rep.MeasuredSerial)
			assert.Equal(t, tc.wantWorkers, rep.Workers)
			assert.Equal(t, tc.speedup, rep.Speedup)
			assert.InDelta(t, tc.efficiency, rep.Efficiency, 1e-15)
			assert.Equal(t, tc.imbalance, rep.LoadImbalance)
			assert.Equal(t, tc.ref, rep.SpeedupReference)
			assert.Equal(t, recs[0], rep.Longest)
			assert.Equal(t, []WorkerStats{{0, 2, 4 * time.Second}, {1, 1, 2 * time.Second}}, rep.WorkerBusy)
			assert.Equal(t, 3, rep.Tasks)
			assert.Equal(t, 0, rep.Failed)
			require.Len(t, rep.Levels, 2)
			assert.Equal(t, []int{1, 2}, []int{rep.Levels[0].Level, rep.Levels[1].Level})
			assert.Equal(t, 5*time.Second, rep.Levels[0].Total)
			assert.Equal(t, time.Second, rep.Levels[1].Total)
		})
	}
}

func TestWall(t *testing.T) {
	recs := []TaskRecord{
		{Queued: at(time.Second), Start: at(2 * time.Second), End: at(4 * time.Second)},
		{Start: at(500 * time.Millisecond), End: at(3 * time.Second)}, // no Queued: Start counts
		{Queued: at(3 * time.Second), Start: at(5 * time.Second), End: at(7 * time.Second)},
	}
	tests := []struct {
		name       string
		begin, end time.Time
		want       time.Duration
	}{
		{"marked", at(0), at(10 * time.Second), 10 * time.Second},
		{"from records", time.Time{}, time.Time{}, 6500 * time.Millisecond},
		{"begin only", at(0), time.Time{}, 7 * time.Second},
		{"end only", time.Time{}, at(8 * time.Second), 7500 * time.Millisecond},
		{"end before begin", at(10 * time.Second), at(0), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := report(recs, tc.begin, tc.end, 0, 1)
			assert.Equal(t, tc.want, rep.Wall)
			assertFinite(t, rep)
		})
	}
}

func TestDegenerate(t *testing.T) {
	t.Run("nil recorder", func(t *testing.T) {
		var r *Recorder
		r.Begin()
		r.Add(TaskRecord{})
		r.SetMeasuredSerial(time.Second)
		r.End()
		assert.Equal(t, 0, r.Len())
		assert.Nil(t, r.Records())
		rep := r.Report(4)
		assert.Equal(t, 4, rep.Workers)
		assert.Equal(t, RefBaseline, rep.SpeedupReference)
		assert.Zero(t, rep.Tasks)
		assert.Zero(t, rep.Speedup)
		assert.Nil(t, rep.Predictions)
		assert.Nil(t, rep.Idle)
	})
	t.Run("empty", func(t *testing.T) {
		r := NewRecorder()
		r.Begin()
		r.End()
		rep := r.Report(0)
		assertFinite(t, rep)
		assert.Zero(t, rep.Tasks)
		assert.Zero(t, rep.Workers)
		assert.Zero(t, rep.Speedup)
		assert.Zero(t, rep.Efficiency)
		assert.Zero(t, rep.LoadImbalance)
		assert.Empty(t, rep.Levels)
		assert.Empty(t, rep.Histogram)
		assert.Equal(t, TaskRecord{}, rep.Longest)
		var sb strings.Builder
		require.NoError(t, rep.WriteText(&sb))
		assert.Contains(t, sb.String(), "tasks             0 (0 failed, 0 retries)")
		assert.NotContains(t, sb.String(), "longest task")
		b, err := json.Marshal(rep)
		require.NoError(t, err)
		assert.Contains(t, string(b), `"levels":[]`)
		assert.NotContains(t, string(b), "longest_task")
	})
	t.Run("one task", func(t *testing.T) {
		recs := recordsOf(2 * time.Second)
		rep := report(recs, at(0), at(4*time.Second), 0, 1)
		assertFinite(t, rep)
		assert.Equal(t, 0.5, rep.Speedup)
		assert.Equal(t, 0.5, rep.Efficiency)
		assert.Equal(t, 1.0, rep.LoadImbalance)
		assert.Equal(t, recs[0], rep.Longest)
		assert.Equal(t, []Bin{{2 * time.Second, 2*time.Second + 1, 1}}, rep.Histogram)
		assert.Equal(t, ScaleLinear, rep.HistogramScale)
	})
	t.Run("all failed, no times", func(t *testing.T) {
		recs := []TaskRecord{
			{Label: "a", Level: 1, Error: "boom", Attempts: 3},
			{Label: "b", Level: 2, Error: "boom", Attempts: 1},
		}
		rep := report(recs, time.Time{}, time.Time{}, 0, 2)
		assertFinite(t, rep)
		assert.Equal(t, 2, rep.Tasks)
		assert.Equal(t, 2, rep.Failed)
		assert.Equal(t, 2, rep.Retries)
		assert.Zero(t, rep.Wall)
		assert.Zero(t, rep.Speedup)
		assert.Zero(t, rep.Efficiency)
		assert.Zero(t, rep.LoadImbalance)
		assert.Equal(t, "a", rep.Longest.Label) // tie at 0: first in order
		require.Len(t, rep.Levels, 2)
		assert.Equal(t, LevelStats{Level: 1, Count: 1, Failed: 1}, rep.Levels[0])
		assert.Equal(t, []Bin{{0, 1, 2}}, rep.Histogram)
		_, err := json.Marshal(rep)
		require.NoError(t, err)
		require.NoError(t, rep.WriteText(&strings.Builder{}))
	})
	t.Run("measured serial, zero wall", func(t *testing.T) {
		rep := report(nil, time.Time{}, time.Time{}, time.Second, 1)
		assert.Zero(t, rep.Speedup)
		assert.Equal(t, RefMeasuredSerial, rep.SpeedupReference)
		assertFinite(t, rep)
	})
}

func TestFailuresPerLevelAndMC(t *testing.T) {
	recs := []TaskRecord{
		rec("m1", "hf", 1, 0, 0, time.Second),
		rec("m2", "hf", 1, 1, 0, 2*time.Second),
		rec("d12", "hf", 2, 0, time.Second, 3*time.Second),
		rec("t123", "mp2", 3, 1, 2*time.Second, 4*time.Second),
		rec("sup", "ccsd", 0, 0, 4*time.Second, time.Second),
	}
	recs[1].Error = "scf did not converge"
	recs[1].Attempts = 2
	recs[3].Error = "oom"
	rep := report(recs, at(0), at(6*time.Second), 0, 2)
	assert.Equal(t, 2, rep.Failed)
	assert.Equal(t, 1, rep.Retries)
	var levels []int
	var failed []int
	for _, l := range rep.Levels {
		levels = append(levels, l.Level)
		failed = append(failed, l.Failed)
	}
	assert.Equal(t, []int{0, 1, 2, 3}, levels)
	assert.Equal(t, []int{0, 1, 0, 1}, failed)
	var mcs []string
	for _, m := range rep.ByMC {
		mcs = append(mcs, m.MC)
	}
	assert.Equal(t, []string{"ccsd", "hf", "mp2"}, mcs) // by lowest level, then name
	assert.Equal(t, MCStats{MC: "hf", Count: 3, Failed: 1, Total: 6 * time.Second,
		Min: time.Second, Mean: 2 * time.Second, Max: 3 * time.Second,
		P50: 2 * time.Second, P95: 3 * time.Second}, rep.ByMC[1])
	assert.Equal(t, "t123", rep.Longest.Label)
	// Records are sorted by start, then level, mc, label, worker.
	var order []string
	for _, r := range rep.Records {
		order = append(order, r.Label)
	}
	assert.Equal(t, []string{"m1", "m2", "d12", "t123", "sup"}, order)
}

func TestHistogram(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name  string
		ds    []time.Duration
		scale string
		bins  []Bin
	}{
		{"equal width", secs(1, 2, 3, 4), ScaleLinear, []Bin{
			{time.Second, 2 * time.Second, 1},
			{2 * time.Second, 3 * time.Second, 1},
			{3 * time.Second, 4*time.Second + 1, 2},
		}},
		{"equal width, not divisible", secs(1, 2, 3, 4, 5.5), ScaleLinear, []Bin{
			// 5 tasks: 4 bins of (5.5 s − 1 s)/4 = 1.125 s.
			{time.Second, 2125 * time.Millisecond, 2},
			{2125 * time.Millisecond, 3250 * time.Millisecond, 1},
			{3250 * time.Millisecond, 4375 * time.Millisecond, 1},
			{4375 * time.Millisecond, 5500*time.Millisecond + 1, 1},
		}},
		{"log decades", []time.Duration{10 * time.Second, ms, 10 * ms, 100 * ms, time.Second}, ScaleLog, []Bin{
			{ms, 10 * ms, 1},
			{10 * ms, 100 * ms, 1},
			{100 * ms, time.Second, 1},
			{time.Second, 10*time.Second + 1, 2},
		}},
		{"zeros in log", []time.Duration{0, ms, time.Second}, ScaleLog, []Bin{
			{0, 10 * ms, 2},
			{10 * ms, 100 * ms, 0},
			{100 * ms, time.Second + 1, 1},
		}},
		{"all zero", []time.Duration{0, 0, 0}, ScaleLinear, []Bin{{0, 1, 3}}},
		{"all equal", secs(2, 2, 2, 2, 2), ScaleLinear, []Bin{{2 * time.Second, 2*time.Second + 1, 5}}},
		{"tiny span", []time.Duration{5, 6, 7, 8, 9}, ScaleLinear, []Bin{
			{5, 6, 1}, {6, 7, 1}, {7, 8, 1}, {8, 10, 2},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := report(recordsOf(tc.ds...), time.Time{}, time.Time{}, 0, 1)
			assert.Equal(t, tc.scale, rep.HistogramScale)
			assert.Equal(t, tc.bins, rep.Histogram)
		})
	}
}

func TestHistogramRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		n := 1 + rng.IntN(300)
		ds := make([]time.Duration, n)
		for i := range ds {
			switch trial % 3 {
			case 0: // log-uniform over 1 µs .. 100 s
				ds[i] = time.Duration(math.Pow(10, 3+8*rng.Float64()))
			case 1: // narrow
				ds[i] = time.Second + time.Duration(rng.IntN(1000))
			default: // with zeros and tiny values
				ds[i] = time.Duration(rng.IntN(20))
			}
		}
		rep := report(recordsOf(ds...), time.Time{}, time.Time{}, 0, 1)
		sum := 0
		for i, b := range rep.Histogram {
			require.Less(t, b.Lo, b.Hi, "trial %d bin %d", trial, i)
			if i > 0 {
				require.Equal(t, rep.Histogram[i-1].Hi, b.Lo)
			}
			sum += b.Count
		}
		require.Equal(t, n, sum, "trial %d", trial)
		require.LessOrEqual(t, len(rep.Histogram), maxBins)
		require.Positive(t, rep.Histogram[len(rep.Histogram)-1].Count, "last bin empty, trial %d", trial)
		for _, d := range ds {
			found := 0
			for _, b := range rep.Histogram {
				if b.Lo <= d && d < b.Hi {
					found++
				}
			}
			require.Equal(t, 1, found, "trial %d: %v in %d bins", trial, d, found)
		}
	}
}

func sampleReport() *Report {
	recs := []TaskRecord{
		rec(`["mp2", [1], [1]]`, "mp2", 1, 0, 0, 1250*time.Millisecond),
		rec(`["mp2", [2], [2]]`, "mp2", 1, 1, 0, 1500*time.Millisecond),
		rec(`["mp2", [3], [3]]`, "mp2", 1, 0, 1250*time.Millisecond, 1000*time.Millisecond),
		rec(`["mp2", [1, 2], [1, 2]]`, "mp2", 2, 1, 1500*time.Millisecond, 4*time.Second),
		rec(`["mp2", [1, 3], [1, 3]]`, "mp2", 2, 0, 2250*time.Millisecond, 4500*time.Millisecond),
		rec(`["mp2", [2, 3], [2, 3]]`, "mp2", 2, 1, 5500*time.Millisecond, 3500*time.Millisecond),
		rec(`["hf", [1, 2, 3], [1, 2, 3]]`, "hf", 3, 0, 6750*time.Millisecond, 2*time.Second),
	}
	recs[5].Attempts = 2
	recs[6].Error = "SCF did not converge"
	return report(recs, at(0), at(9*time.Second), 0, 2)
}

func TestJSON(t *testing.T) {
	rep := sampleReport()
	b, err := json.Marshal(rep)
	require.NoError(t, err)
	s := string(b)
	for _, want := range []string{
		`"wall_seconds":9,`, `"workers":2,`, `"task_count":7,`, `"failed_count":1,`,
		`"retries":1,`, `"serial_baseline_seconds":17.75,`, `"measured_serial_seconds":0,`,
		`"speedup_reference":"baseline"`, `"histogram_scale":"linear"`,
		`{"level":2,"count":3,"failed":0,"total_seconds":12,"min_seconds":3.5,"mean_seconds":4,` +
			`"max_seconds":4.5,"p50_seconds":4,"p95_seconds":4.5}`,
		`{"worker":0,"tasks":4,"busy_seconds":8.75}`,
		`"longest_task":{"label":"[\"mp2\", [1, 3], [1, 3]]","mc":"mp2","level":2,"worker":0,` +
			`"queued":"2026-11-28T12:00:00Z","start":"2026-11-28T12:00:02.25Z",` +
			`"end":"2026-11-28T12:00:06.75Z","duration_seconds":4.5,"attempts":1}`,
		`"error":"SCF did not converge"`,
	} {
		assert.Contains(t, s, want)
	}

	var back Report
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, rep, &back)

	// By value, the same encoding.
	b2, err := json.Marshal(*rep)
	require.NoError(t, err)
	assert.JSONEq(t, s, string(b2))

	// Compact: without records.
	rep.Records = nil
	b, err = json.Marshal(rep)
	require.NoError(t, err)
	assert.NotContains(t, string(b), `"tasks":[`)
	back = Report{}
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, rep, &back)
}

func TestSecondsRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		d := time.Duration(rng.Int64N(int64(240 * time.Hour)))
		require.Equal(t, d, fromSeconds(seconds(d)))
	}
	for _, d := range []time.Duration{0, 1, 999_999_999, time.Second, 240*time.Hour - 1} {
		require.Equal(t, d, fromSeconds(seconds(d)))
	}
	assert.Zero(t, fromSeconds(math.NaN()))
	assert.Zero(t, fromSeconds(math.Inf(1)))
}

func TestWriteText(t *testing.T) {
	rep := sampleReport()
	var sb strings.Builder
	require.NoError(t, rep.WriteText(&sb))
	text := sb.String()
	for _, line := range []string{
		"  tasks             7 (1 failed, 1 retries)",
		"  workers           2",
		"  wall time         9s",
		"  serial baseline   17.75s (sum of task times)",
		"  measured serial   not measured",
		"  speedup           1.97 (estimate: sum of task times / wall time)",
		"  efficiency        98.6% (speedup / workers)",
		"  load imbalance    1.01 (max / mean worker busy time)",
		`  longest task      ["mp2", [1, 3], [1, 3]] 4.5s (level 2, worker 0)`,
		" level  count failed      total        min       mean        max        p50        p95",
		"     1      3      0      3.75s         1s      1.25s       1.5s      1.25s       1.5s",
		"     2      3      0        12s       3.5s         4s       4.5s         4s       4.5s",
		"     3      1      1         2s         2s         2s         2s         2s         2s",
		"model chemistry  count failed      total        min       mean        max        p50        p95",
		"mp2                  6      0     15.75s         1s     2.625s       4.5s       1.5s       4.5s",
		"hf                   1      1         2s         2s         2s         2s         2s         2s",
		"worker  tasks       busy    busy%",
		"     0      4      8.75s    97.2%",
		"     1      3         9s   100.0%",
		"Task durations (linear bins)",
		"  [        1s,     1.875s)      3 ########################################",
	} {
		assert.Contains(t, text, line+"\n")
	}
	assert.Equal(t, text, rep.String())
	for i, l := range strings.Split(text, "\n") {
		assert.Equal(t, strings.TrimRight(l, " "), l, "trailing space on line %d", i)
	}

	// Measured serial changes the reference.
	rep.MeasuredSerial = 18 * time.Second
	rep.SpeedupReference = RefMeasuredSerial
	rep.Speedup = 2
	sb.Reset()
	require.NoError(t, rep.WriteText(&sb))
	assert.Contains(t, sb.String(), "  measured serial   18s\n")
	assert.Contains(t, sb.String(), "  speedup           2.00 (measured serial / wall time)\n")
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{1, "1ns"},
		{1234, "1.234µs"},
		{1234567891, "1.235s"},
		{12345678, "12.35ms"},
		{123456789012, "2m3.5s"},
		{-1234567891, "-1.235s"},
		{2 * time.Hour, "2h0m0s"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, FormatDuration(tc.d), "%d", int64(tc.d))
	}
}

func TestConcurrentAdd(t *testing.T) {
	r := NewRecorder()
	r.Begin()
	const goroutines, per = 8, 500
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				start := time.Now()
				r.Add(TaskRecord{Label: fmt.Sprint(g, i), Level: 1 + i%3, Worker: g,
					Start: start, End: start.Add(time.Duration(i) * time.Microsecond)})
				if i%100 == 0 {
					_ = r.Report(goroutines) // concurrent snapshots
				}
			}
		}()
	}
	wg.Wait()
	r.End()
	rep := r.Report(goroutines)
	assert.Equal(t, goroutines*per, rep.Tasks)
	assert.Equal(t, goroutines*per, r.Len())
	assert.Len(t, rep.WorkerBusy, goroutines)
	sum := 0
	for _, b := range rep.Histogram {
		sum += b.Count
	}
	assert.Equal(t, goroutines*per, sum)
	assert.InDelta(t, 1.0, rep.LoadImbalance, 1e-12)
	assertFinite(t, rep)
}
