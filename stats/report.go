package stats

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
	"sort"
	"time"

	"gonum.org/v1/gonum/stat"
)

// Reference values for Report.SpeedupReference.
const (
	RefBaseline       = "baseline"        // speedup = SerialBaseline / Wall
	RefMeasuredSerial = "measured_serial" // speedup = MeasuredSerial / Wall
)

// Histogram scales for Report.HistogramScale.
const (
	ScaleLog    = "log"    // log-spaced bin edges
	ScaleLinear = "linear" // equal-width bins
)

// maxBins caps the number of histogram bins.
const maxBins = 16

// LevelStats aggregates the task durations of one n-body level.
type LevelStats struct {
	Level                           int
	Count                           int
	Total, Min, Mean, Max, P50, P95 time.Duration
	Failed                          int
}

// MCStats aggregates the task durations of one model chemistry.
type MCStats struct {
	MC                              string
	Count                           int
	Total, Min, Mean, Max, P50, P95 time.Duration
	Failed                          int
}

// WorkerStats is the busy time of one worker: the sum of the durations of its tasks.
type WorkerStats struct {
	Worker int
	Tasks  int
	Busy   time.Duration
}

// Bin is one histogram bin: the number of tasks whose duration d satisfies Lo ≤ d < Hi.
type Bin struct {
	Lo, Hi time.Duration
	Count  int
}

// Report holds the timing statistics of a run. Build one with Recorder.Report.
//
// Quantities that are undefined for the data at hand (a speedup with zero wall time, an
// efficiency with no workers, a load imbalance with no busy time) are 0, never NaN or Inf.
type Report struct {
	// Wall is the wall-clock time of the run: End − Begin of the Recorder. When Begin was
	// not marked the earliest Queued (or Start) of the records is used; when End was not
	// marked, the latest End of the records.
	Wall time.Duration
	// Workers is the worker count given to Recorder.Report, or, if that was ≤ 0, the
	// number of distinct worker ids in the records.
	Workers int
	// Tasks is the number of records, Failed the number with an error, Retries the sum of
	// Attempts−1 over records with more than one attempt. Reused tasks are not counted.
	Tasks, Failed, Retries int
	// Reused is the number of tasks answered from a result store without running;
	// Computed is the number that ran and succeeded (Tasks − Failed).
	Reused, Computed int

	// SerialBaseline is the sum of the measured task durations (failed tasks included):
	// the time a serial run without overhead would take.
	SerialBaseline time.Duration
	// MeasuredSerial is the wall time of a separately measured serial run, 0 if none.
	MeasuredSerial time.Duration
	// Speedup is MeasuredSerial/Wall when MeasuredSerial > 0, else SerialBaseline/Wall;
	// SpeedupReference says which (RefMeasuredSerial or RefBaseline). Speedup is 0 when
	// Wall or the reference is 0. Efficiency is Speedup/Workers (0 when Workers is 0).
	Speedup, Efficiency float64
	SpeedupReference    string
	// LoadImbalance is the largest worker busy time divided by the mean busy time over
	// max(Workers, distinct worker ids) workers — workers that ran nothing count as idle.
	// 1 is perfect balance; 0 means undefined (no busy time).
	LoadImbalance float64

	// Longest is the task with the largest duration (ties: the earliest in Records order).
	// It is the zero TaskRecord when there are no tasks.
	Longest TaskRecord

	// Levels holds per-n-body-level statistics, sorted by level.
	Levels []LevelStats
	// ByMC holds per-model-chemistry statistics, sorted by the lowest level of the model
	// chemistry, then by name.
	ByMC []MCStats
	// WorkerBusy holds the busy time of every worker id seen, sorted by id.
	WorkerBusy []WorkerStats

	// HistogramScale is ScaleLog or ScaleLinear ("" with no tasks); see Histogram.
	HistogramScale string
	// Histogram is the distribution of task durations (every record, failed ones too, so
	// the counts sum to Tasks), computed with gonum's stat.Histogram. The number of bins
	// follows Sturges' rule, ceil(log2 n)+1, capped at 16. When the positive durations span
	// at least a factor of 10 the bin edges are log-spaced (rounded to whole nanoseconds)
	// from the shortest positive duration to the longest plus 1 ns, with the first bin
	// extended down to 0 if some durations are 0. Otherwise the bins have equal widths of
	// ⌈(longest − shortest)/bins⌉ ns starting at the shortest duration. Bins are half-open,
	// [Lo, Hi); the last one always reaches at least the longest duration plus 1 ns so that
	// it holds the longest task.
	Histogram []Bin

	// CPU is the sum of the measured CPU times; CPUMeasured counts the computed tasks that
	// have one.
	CPU         time.Duration
	CPUMeasured int
	// SerialEstimate is the estimated serial time of the computed tasks: the sum over them
	// of min(duration, CPU time / threads) where the CPU time was measured, and of the
	// duration otherwise.
	SerialEstimate time.Duration
	// SerialSample is the sampled serial baseline, nil when no sample was run.
	SerialSample *SerialSample
	// SpeedupBasis states in one sentence what Speedup is measured or estimated from.
	SpeedupBasis string
	// Critical is the critical path of the whole run (Level 0), CriticalByLevel that of
	// each n-body level's tasks taken alone, sorted by level.
	Critical        CriticalPath
	CriticalByLevel []CriticalPath
	// Idle divides each worker's wall time into busy time and causes of idleness, sorted by
	// worker (for the run as a whole: the levels' tasks interleave on the same workers).
	Idle []WorkerIdle
	// Predictions are the makespans list scheduling predicts for PredictionWorkers workers
	// (the same as Critical.Predictions; CriticalByLevel has each level's).
	Predictions []Prediction

	// Records is the full list of task records, sorted by Start, then Level, MC, Label
	// and Worker. Set it to nil before writing JSON for a compact report.
	Records []TaskRecord

	// WorkerStarts holds the start-up of every worker process (Recorder.AddWorker), in the
	// order recorded; their start-up time is not part of any task's duration.
	WorkerStarts []WorkerRecord
}

// summary holds duration statistics common to LevelStats and MCStats.
type summary struct {
	count, failed                   int
	total, min, mean, max, p50, p95 time.Duration
}

// summarize computes the statistics of recs. Quantiles use gonum's stat.Quantile with
// stat.Empirical on the sorted durations: Pp is the smallest duration q such that at
// least the fraction p of the durations are ≤ q.
func summarize(recs []TaskRecord) summary {
	s := summary{count: len(recs)}
	if len(recs) == 0 {
		return s
	}
	x := make([]float64, len(recs))
	for i, r := range recs {
		d := r.Duration()
		s.total += d
		x[i] = float64(d)
		if r.Failed() {
			s.failed++
		}
	}
	sort.Float64s(x)
	s.min = toDur(x[0])
	s.max = toDur(x[len(x)-1])
	s.mean = toDur(stat.Mean(x, nil))
	s.p50 = toDur(stat.Quantile(0.5, stat.Empirical, x, nil))
	s.p95 = toDur(stat.Quantile(0.95, stat.Empirical, x, nil))
	return s
}

// toDur converts float nanoseconds to a Duration, rounding to the nearest nanosecond and
// mapping non-finite values to 0.
func toDur(ns float64) time.Duration {
	if math.IsNaN(ns) || math.IsInf(ns, 0) {
		return 0
	}
	return time.Duration(math.Round(ns))
}

func ratio(a, b float64) float64 {
	if b <= 0 || a <= 0 {
		return 0
	}
	q := a / b
	if math.IsNaN(q) || math.IsInf(q, 0) {
		return 0
	}
	return q
}

// runData is what a Recorder holds.
type runData struct {
	recs       []TaskRecord
	workers    []WorkerRecord
	begin, end time.Time
	serial     time.Duration
	sample     map[string]time.Duration
}

// compute builds the Report of a run from what its Recorder holds, step by step; workers
// is the pool's size, or 0 to count the workers that ran a task.
func compute(d runData, workers int) *Report {
	sortRecords(d.recs)
	recs, reused := withoutReused(d.recs)
	rep := &Report{Tasks: len(recs), Records: recs, Reused: reused}
	if d.serial > 0 {
		rep.MeasuredSerial = d.serial
	}
	first := rep.wallClock(d.begin, d.end)
	seen := rep.totals()
	rep.Workers = workers
	if workers <= 0 {
		rep.Workers = seen
	}
	rep.parallelism(d, first)
	rep.loadImbalance(seen)
	rep.levels()
	rep.modelChemistries()
	x := make([]float64, len(recs))
	for i, r := range recs {
		x[i] = float64(r.Duration())
	}
	sort.Float64s(x)
	rep.HistogramScale, rep.Histogram = histogram(x)
	return rep
}

// sortRecords puts the records in start order, ties broken by level, model chemistry,
// label and worker, so that every table and path computed from them is deterministic.
func sortRecords(recs []TaskRecord) {
	slices.SortStableFunc(recs, func(a, b TaskRecord) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.Level, b.Level),
			cmp.Compare(a.MC, b.MC), cmp.Compare(a.Label, b.Label), cmp.Compare(a.Worker, b.Worker))
	})
}

// wallClock sets the wall-clock span of the run: from begin to end where the recorder saw
// them, else from the first task queued (or started) to the last task's end. It returns
// the span's start, zero when unknown.
func (rep *Report) wallClock(begin, end time.Time) time.Time {
	first, last := begin, end
	for _, r := range rep.Records {
		if begin.IsZero() {
			t := r.Queued
			if t.IsZero() {
				t = r.Start
			}
			if !t.IsZero() && (first.IsZero() || t.Before(first)) {
				first = t
			}
		}
		if end.IsZero() && !r.End.IsZero() && (last.IsZero() || r.End.After(last)) {
			last = r.End
		}
	}
	if !first.IsZero() && !last.IsZero() && last.After(first) {
		rep.Wall = last.Sub(first)
	}
	return first
}

// totals sets the serial baseline, failures, retries, the longest task and each worker's
// busy time, and returns the number of workers that ran a task.
func (rep *Report) totals() int {
	busy := map[int]*WorkerStats{}
	for i, r := range rep.Records {
		d := r.Duration()
		rep.SerialBaseline += d
		if r.Failed() {
			rep.Failed++
		}
		if r.Attempts > 1 {
			rep.Retries += r.Attempts - 1
		}
		if i == 0 || d > rep.Longest.Duration() {
			rep.Longest = r
		}
		w := busy[r.Worker]
		if w == nil {
			w = &WorkerStats{Worker: r.Worker}
			busy[r.Worker] = w
		}
		w.Tasks++
		w.Busy += d
	}
	rep.Computed = rep.Tasks - rep.Failed
	for _, w := range busy {
		rep.WorkerBusy = append(rep.WorkerBusy, *w)
	}
	slices.SortFunc(rep.WorkerBusy, func(a, b WorkerStats) int { return cmp.Compare(a.Worker, b.Worker) })
	return len(busy)
}

// parallelism sets CPU time, the serial estimates and the speedup chosen from them, the
// critical path with its predictions, and the workers' idle time (when the run's start,
// first, is known).
func (rep *Report) parallelism(d runData, first time.Time) {
	recs := rep.Records
	for _, r := range recs {
		if r.CPU > 0 {
			rep.CPU += r.CPU
			rep.CPUMeasured++
		}
		rep.SerialEstimate += r.serialEstimate()
	}
	rep.SerialSample = serialSample(recs, d.sample)
	rep.chooseSpeedup()
	rep.Critical = criticalPath(0, recs, rep.Workers)
	rep.Predictions = rep.Critical.Predictions
	rep.WorkerStarts = d.workers
	if !first.IsZero() {
		rep.Idle = idle(recs, d.workers, first, rep.Wall, rep.Workers)
	}
}

// loadImbalance sets max busy / mean busy over the workers, idle workers included (seen
// is the number that ran a task).
func (rep *Report) loadImbalance(seen int) {
	if n := max(rep.Workers, seen); n > 0 {
		var total, most time.Duration
		for _, w := range rep.WorkerBusy {
			total += w.Busy
			most = max(most, w.Busy)
		}
		rep.LoadImbalance = ratio(float64(most), float64(total)/float64(n))
	}
}

// levels sets the duration statistics and the critical path of each n-body level, in
// level order.
func (rep *Report) levels() {
	byLevel := map[int][]TaskRecord{}
	for _, r := range rep.Records {
		byLevel[r.Level] = append(byLevel[r.Level], r)
	}
	for level, rs := range byLevel {
		s := summarize(rs)
		rep.Levels = append(rep.Levels, LevelStats{Level: level, Count: s.count, Failed: s.failed,
			Total: s.total, Min: s.min, Mean: s.mean, Max: s.max, P50: s.p50, P95: s.p95})
	}
	slices.SortFunc(rep.Levels, func(a, b LevelStats) int { return cmp.Compare(a.Level, b.Level) })
	for _, l := range rep.Levels {
		rep.CriticalByLevel = append(rep.CriticalByLevel, criticalPath(l.Level, byLevel[l.Level], rep.Workers))
	}
}

// modelChemistries sets the duration statistics of each model chemistry, ordered by the
// lowest level it computes (the order of the many-body levels), then by name.
func (rep *Report) modelChemistries() {
	byMC := map[string][]TaskRecord{}
	minLevel := map[string]int{}
	for _, r := range rep.Records {
		if l, ok := minLevel[r.MC]; !ok || r.Level < l {
			minLevel[r.MC] = r.Level
		}
		byMC[r.MC] = append(byMC[r.MC], r)
	}
	for mc, rs := range byMC {
		s := summarize(rs)
		rep.ByMC = append(rep.ByMC, MCStats{MC: mc, Count: s.count, Failed: s.failed,
			Total: s.total, Min: s.min, Mean: s.mean, Max: s.max, P50: s.p50, P95: s.p95})
	}
	slices.SortFunc(rep.ByMC, func(a, b MCStats) int {
		return cmp.Or(cmp.Compare(minLevel[a.MC], minLevel[b.MC]), cmp.Compare(a.MC, b.MC))
	})
}

// withoutReused removes the records of reused tasks from recs (in place) and counts them.
func withoutReused(recs []TaskRecord) ([]TaskRecord, int) {
	n := len(recs)
	recs = slices.DeleteFunc(recs, func(r TaskRecord) bool { return r.Reused })
	if len(recs) == 0 {
		recs = nil
	}
	return recs, n - len(recs)
}

// histogram bins the sorted durations x (nanoseconds, integer valued, ≥ 0); see
// Report.Histogram for the choice of bins.
func histogram(x []float64) (string, []Bin) {
	n := len(x)
	if n == 0 {
		return "", nil
	}
	k := min(bits.Len(uint(n-1))+1, maxBins) // Sturges: ceil(log2 n) + 1
	lo, hi := x[0], x[n-1]+1

	minPos := 0.0
	if i := sort.SearchFloat64s(x, 1); i < n {
		minPos = x[i]
	}

	var scale string
	var edges []float64
	if minPos > 0 && x[n-1]/minPos >= 10 {
		scale = ScaleLog
		edges = append(edges, minPos)
		for i := 1; i < k; i++ {
			e := math.Round(minPos * math.Pow(hi/minPos, float64(i)/float64(k)))
			if e > edges[len(edges)-1] && e < hi {
				edges = append(edges, e)
			}
		}
		edges = append(edges, hi)
		if lo == 0 {
			edges[0] = 0
		}
	} else {
		scale = ScaleLinear
		span := x[n-1] - lo
		width := max(1, math.Ceil(span/float64(k)))
		nb := min(int(math.Floor(span/width))+1, k)
		for i := 0; i < nb; i++ {
			edges = append(edges, lo+float64(i)*width)
		}
		edges = append(edges, max(lo+float64(nb)*width, hi))
	}

	counts := stat.Histogram(nil, edges, x, nil)
	bins := make([]Bin, len(counts))
	for i, c := range counts {
		bins[i] = Bin{Lo: time.Duration(edges[i]), Hi: time.Duration(edges[i+1]), Count: int(c)}
	}
	return scale, bins
}
