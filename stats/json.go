package stats

import (
	"encoding/json"
	"math"
	"time"
)

// JSON encoding. Durations are written as seconds (float64) in fields named *_seconds and
// decoded back to the nearest nanosecond (the round trip is exact for durations up to 10
// days, which the tests check; float64 seconds lose nanosecond resolution beyond a few
// weeks); times are RFC 3339 strings in UTC, omitted when zero. Non-finite floats are
// written as 0.

// seconds converts d to float seconds.
func seconds(d time.Duration) float64 { return d.Seconds() }

// fromSeconds converts float seconds to the nearest Duration (0 for non-finite input).
func fromSeconds(s float64) time.Duration { return toDur(s * 1e9) }

func finite(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

type taskRecordJSON struct {
	Label           string    `json:"label"`
	MC              string    `json:"mc"`
	Level           int       `json:"level"`
	Worker          int       `json:"worker"`
	Queued          time.Time `json:"queued,omitzero"`
	Start           time.Time `json:"start,omitzero"`
	End             time.Time `json:"end,omitzero"`
	DurationSeconds float64   `json:"duration_seconds"`
	Attempts        int       `json:"attempts,omitempty"`
	Error           string    `json:"error,omitempty"`
	Threads         int       `json:"threads,omitempty"`
	CPUSeconds      float64   `json:"cpu_seconds,omitempty"`
}

// MarshalJSON writes the record with snake_case field names and its duration in seconds
// (duration_seconds, informational: it is recomputed from start and end on decoding).
func (r TaskRecord) MarshalJSON() ([]byte, error) {
	return json.Marshal(taskRecordJSON{
		Label: r.Label, MC: r.MC, Level: r.Level, Worker: r.Worker,
		Queued: utc(r.Queued), Start: utc(r.Start), End: utc(r.End),
		DurationSeconds: seconds(r.Duration()), Attempts: r.Attempts, Error: r.Error,
		Threads: r.Threads, CPUSeconds: seconds(r.CPU),
	})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (r *TaskRecord) UnmarshalJSON(b []byte) error {
	var j taskRecordJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*r = TaskRecord{Label: j.Label, MC: j.MC, Level: j.Level, Worker: j.Worker,
		Queued: j.Queued, Start: j.Start, End: j.End, Attempts: j.Attempts, Error: j.Error,
		Threads: j.Threads, CPU: fromSeconds(j.CPUSeconds)}
	return nil
}

// durStatsJSON is the common part of LevelStats and MCStats.
type durStatsJSON struct {
	Count        int     `json:"count"`
	Failed       int     `json:"failed"`
	TotalSeconds float64 `json:"total_seconds"`
	MinSeconds   float64 `json:"min_seconds"`
	MeanSeconds  float64 `json:"mean_seconds"`
	MaxSeconds   float64 `json:"max_seconds"`
	P50Seconds   float64 `json:"p50_seconds"`
	P95Seconds   float64 `json:"p95_seconds"`
}

func toDurStatsJSON(count, failed int, total, mn, mean, mx, p50, p95 time.Duration) durStatsJSON {
	return durStatsJSON{Count: count, Failed: failed, TotalSeconds: seconds(total),
		MinSeconds: seconds(mn), MeanSeconds: seconds(mean), MaxSeconds: seconds(mx),
		P50Seconds: seconds(p50), P95Seconds: seconds(p95)}
}

type levelStatsJSON struct {
	Level int `json:"level"`
	durStatsJSON
}

// MarshalJSON writes the statistics with durations in seconds (total_seconds etc.).
func (l LevelStats) MarshalJSON() ([]byte, error) {
	return json.Marshal(levelStatsJSON{l.Level,
		toDurStatsJSON(l.Count, l.Failed, l.Total, l.Min, l.Mean, l.Max, l.P50, l.P95)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (l *LevelStats) UnmarshalJSON(b []byte) error {
	var j levelStatsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*l = LevelStats{Level: j.Level, Count: j.Count, Failed: j.Failed,
		Total: fromSeconds(j.TotalSeconds), Min: fromSeconds(j.MinSeconds),
		Mean: fromSeconds(j.MeanSeconds), Max: fromSeconds(j.MaxSeconds),
		P50: fromSeconds(j.P50Seconds), P95: fromSeconds(j.P95Seconds)}
	return nil
}

type mcStatsJSON struct {
	MC string `json:"mc"`
	durStatsJSON
}

// MarshalJSON writes the statistics with durations in seconds (total_seconds etc.).
func (m MCStats) MarshalJSON() ([]byte, error) {
	return json.Marshal(mcStatsJSON{m.MC,
		toDurStatsJSON(m.Count, m.Failed, m.Total, m.Min, m.Mean, m.Max, m.P50, m.P95)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (m *MCStats) UnmarshalJSON(b []byte) error {
	var j mcStatsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*m = MCStats{MC: j.MC, Count: j.Count, Failed: j.Failed,
		Total: fromSeconds(j.TotalSeconds), Min: fromSeconds(j.MinSeconds),
		Mean: fromSeconds(j.MeanSeconds), Max: fromSeconds(j.MaxSeconds),
		P50: fromSeconds(j.P50Seconds), P95: fromSeconds(j.P95Seconds)}
	return nil
}

type workerStatsJSON struct {
	Worker      int     `json:"worker"`
	Tasks       int     `json:"tasks"`
	BusySeconds float64 `json:"busy_seconds"`
}

// MarshalJSON writes {"worker", "tasks", "busy_seconds"}.
func (w WorkerStats) MarshalJSON() ([]byte, error) {
	return json.Marshal(workerStatsJSON{w.Worker, w.Tasks, seconds(w.Busy)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (w *WorkerStats) UnmarshalJSON(b []byte) error {
	var j workerStatsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*w = WorkerStats{Worker: j.Worker, Tasks: j.Tasks, Busy: fromSeconds(j.BusySeconds)}
	return nil
}

type binJSON struct {
	LoSeconds float64 `json:"lo_seconds"`
	HiSeconds float64 `json:"hi_seconds"`
	Count     int     `json:"count"`
}

// MarshalJSON writes {"lo_seconds", "hi_seconds", "count"}.
func (b Bin) MarshalJSON() ([]byte, error) {
	return json.Marshal(binJSON{seconds(b.Lo), seconds(b.Hi), b.Count})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (b *Bin) UnmarshalJSON(data []byte) error {
	var j binJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*b = Bin{Lo: fromSeconds(j.LoSeconds), Hi: fromSeconds(j.HiSeconds), Count: j.Count}
	return nil
}

type reportJSON struct {
	WallSeconds           float64       `json:"wall_seconds"`
	Workers               int           `json:"workers"`
	TaskCount             int           `json:"task_count"`
	FailedCount           int           `json:"failed_count"`
	Retries               int           `json:"retries"`
	TasksReused           int           `json:"tasks_reused"`
	TasksComputed         int           `json:"tasks_computed"`
	SerialBaselineSeconds float64       `json:"serial_baseline_seconds"`
	MeasuredSerialSeconds float64       `json:"measured_serial_seconds"`
	Speedup               float64       `json:"speedup"`
	SpeedupReference      string        `json:"speedup_reference"`
	Efficiency            float64       `json:"efficiency"`
	LoadImbalance         float64       `json:"load_imbalance"`
	LongestTask           *TaskRecord   `json:"longest_task,omitempty"`
	Levels                []LevelStats  `json:"levels"`
	ModelChemistries      []MCStats     `json:"model_chemistries"`
	WorkerBusy            []WorkerStats `json:"worker_busy"`
	HistogramScale        string        `json:"histogram_scale,omitempty"`
	Histogram             []Bin         `json:"histogram"`
	Tasks                 []TaskRecord  `json:"tasks,omitempty"`
	WorkerStarts          workerStarts  `json:"worker_starts,omitempty"`

	CPUSeconds            float64            `json:"cpu_seconds"`
	CPUMeasured           int                `json:"cpu_measured_tasks"`
	SerialEstimateSeconds float64            `json:"serial_estimate_seconds"`
	SerialSample          *serialSampleJSON  `json:"serial_sample,omitempty"`
	SpeedupBasis          string             `json:"speedup_basis"`
	CriticalPath          criticalPathJSON   `json:"critical_path"`
	CriticalByLevel       []criticalPathJSON `json:"critical_path_by_level"`
	Idle                  []workerIdleJSON   `json:"idle"`
	Predictions           []predictionJSON   `json:"predictions"`
}

type serialSampleJSON struct {
	Tasks               int     `json:"tasks"`
	SerialSeconds       float64 `json:"serial_seconds"`
	InRunSeconds        float64 `json:"in_run_seconds"`
	ExtrapolatedSeconds float64 `json:"extrapolated_seconds"`
}

type criticalPathJSON struct {
	Level             int              `json:"level"`
	Tasks             int              `json:"tasks"`
	WorkSeconds       float64          `json:"work_seconds"`
	Longest           string           `json:"longest"`
	LongestSeconds    float64          `json:"longest_seconds"`
	Workers           int              `json:"workers"`
	LowerBoundSeconds float64          `json:"lower_bound_seconds"`
	SpanSeconds       float64          `json:"span_seconds"`
	Predictions       []predictionJSON `json:"predictions,omitempty"`
}

type workerIdleJSON struct {
	Worker         int     `json:"worker"`
	BusySeconds    float64 `json:"busy_seconds"`
	StartupSeconds float64 `json:"startup_seconds"`
	TailSeconds    float64 `json:"tail_seconds"`
	GapsSeconds    float64 `json:"gaps_seconds"`
}

type predictionJSON struct {
	Workers           int     `json:"workers"`
	MakespanSeconds   float64 `json:"makespan_seconds"`
	LowerBoundSeconds float64 `json:"lower_bound_seconds"`
	Speedup           float64 `json:"speedup"`
}

func toCriticalJSON(c CriticalPath) criticalPathJSON {
	return criticalPathJSON{Level: c.Level, Tasks: c.Tasks, WorkSeconds: seconds(c.Work),
		Longest: c.Longest, LongestSeconds: seconds(c.LongestTime), Workers: c.Workers,
		LowerBoundSeconds: seconds(c.LowerBound), SpanSeconds: seconds(c.Span),
		Predictions: mapSlice(c.Predictions, toPredictionJSON)}
}

func toPredictionJSON(p Prediction) predictionJSON {
	return predictionJSON{p.Workers, seconds(p.Makespan), seconds(p.LowerBound), finite(p.Speedup)}
}

func fromPredictionJSON(p predictionJSON) Prediction {
	return Prediction{p.Workers, fromSeconds(p.MakespanSeconds), fromSeconds(p.LowerBoundSeconds), p.Speedup}
}

func fromCriticalJSON(j criticalPathJSON) CriticalPath {
	return CriticalPath{Level: j.Level, Tasks: j.Tasks, Work: fromSeconds(j.WorkSeconds),
		Longest: j.Longest, LongestTime: fromSeconds(j.LongestSeconds), Workers: j.Workers,
		LowerBound: fromSeconds(j.LowerBoundSeconds), Span: fromSeconds(j.SpanSeconds),
		Predictions: nilIfEmpty(mapSlice(j.Predictions, fromPredictionJSON))}
}

// mapSlice converts every element of s with f; nil stays nil.
func mapSlice[T, U any](s []T, f func(T) U) []U {
	if s == nil {
		return nil
	}
	out := make([]U, len(s))
	for i, x := range s {
		out[i] = f(x)
	}
	return out
}

// emptyIfNil returns s, or an empty slice when it is nil, so JSON shows [] rather than null.
func emptyIfNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// setAnalysis fills the JSON fields of the run analysis (speedup basis, critical path,
// idle time, predictions).
func (j *reportJSON) setAnalysis(r *Report) {
	j.CPUSeconds, j.CPUMeasured = seconds(r.CPU), r.CPUMeasured
	j.SerialEstimateSeconds, j.SpeedupBasis = seconds(r.SerialEstimate), r.SpeedupBasis
	if s := r.SerialSample; s != nil {
		j.SerialSample = &serialSampleJSON{s.Tasks, seconds(s.Serial), seconds(s.InRun), seconds(s.Extrapolated)}
	}
	j.CriticalPath = toCriticalJSON(r.Critical)
	j.CriticalByLevel = emptyIfNil(mapSlice(r.CriticalByLevel, toCriticalJSON))
	j.Idle = emptyIfNil(mapSlice(r.Idle, func(w WorkerIdle) workerIdleJSON {
		return workerIdleJSON{w.Worker, seconds(w.Busy), seconds(w.Startup), seconds(w.Tail), seconds(w.Gaps)}
	}))
	j.Predictions = emptyIfNil(mapSlice(r.Predictions, toPredictionJSON))
}

// analysis reads back what setAnalysis writes.
func (j *reportJSON) analysis(r *Report) {
	r.CPU, r.CPUMeasured = fromSeconds(j.CPUSeconds), j.CPUMeasured
	r.SerialEstimate, r.SpeedupBasis = fromSeconds(j.SerialEstimateSeconds), j.SpeedupBasis
	if s := j.SerialSample; s != nil {
		r.SerialSample = &SerialSample{s.Tasks, fromSeconds(s.SerialSeconds), fromSeconds(s.InRunSeconds), fromSeconds(s.ExtrapolatedSeconds)}
	}
	r.Critical = fromCriticalJSON(j.CriticalPath)
	r.CriticalByLevel = nilIfEmpty(mapSlice(j.CriticalByLevel, fromCriticalJSON))
	r.Idle = nilIfEmpty(mapSlice(j.Idle, func(w workerIdleJSON) WorkerIdle {
		return WorkerIdle{w.Worker, fromSeconds(w.BusySeconds), fromSeconds(w.StartupSeconds), fromSeconds(w.TailSeconds), fromSeconds(w.GapsSeconds)}
	}))
	r.Predictions = nilIfEmpty(mapSlice(j.Predictions, fromPredictionJSON))
}

// MarshalJSON writes the report with snake_case names and durations in seconds:
//
//	wall_seconds, workers, task_count, failed_count, retries, tasks_reused (answered
//	from a result store, not in task_count), tasks_computed, serial_baseline_seconds,
//	measured_serial_seconds (0 if not measured), speedup, speedup_reference
//	("baseline" or "measured_serial"), efficiency, load_imbalance, longest_task (omitted
//	with no tasks), levels, model_chemistries, worker_busy, histogram_scale, histogram,
//	tasks (the records; omitted when Records is empty), worker_starts (omitted when
//	no worker start was recorded).
func (r Report) MarshalJSON() ([]byte, error) {
	j := reportJSON{
		WallSeconds: seconds(r.Wall), Workers: r.Workers,
		TaskCount: r.Tasks, FailedCount: r.Failed, Retries: r.Retries,
		TasksReused: r.Reused, TasksComputed: r.Computed,
		SerialBaselineSeconds: seconds(r.SerialBaseline),
		MeasuredSerialSeconds: seconds(r.MeasuredSerial),
		Speedup:               finite(r.Speedup), SpeedupReference: r.SpeedupReference,
		Efficiency: finite(r.Efficiency), LoadImbalance: finite(r.LoadImbalance),
		Levels: r.Levels, ModelChemistries: r.ByMC, WorkerBusy: r.WorkerBusy,
		HistogramScale: r.HistogramScale, Histogram: r.Histogram, Tasks: r.Records,
		WorkerStarts: r.WorkerStarts,
	}
	j.setAnalysis(&r)
	if r.Tasks > 0 {
		longest := r.Longest
		j.LongestTask = &longest
	}
	// Empty lists as [] rather than null, for consumers that iterate without checks.
	if j.Levels == nil {
		j.Levels = []LevelStats{}
	}
	if j.ModelChemistries == nil {
		j.ModelChemistries = []MCStats{}
	}
	if j.WorkerBusy == nil {
		j.WorkerBusy = []WorkerStats{}
	}
	if j.Histogram == nil {
		j.Histogram = []Bin{}
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes. Empty lists decode as nil.
func (r *Report) UnmarshalJSON(b []byte) error {
	var j reportJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*r = Report{
		Wall: fromSeconds(j.WallSeconds), Workers: j.Workers,
		Tasks: j.TaskCount, Failed: j.FailedCount, Retries: j.Retries,
		Reused: j.TasksReused, Computed: j.TasksComputed,
		SerialBaseline:   fromSeconds(j.SerialBaselineSeconds),
		MeasuredSerial:   fromSeconds(j.MeasuredSerialSeconds),
		Speedup:          j.Speedup,
		SpeedupReference: j.SpeedupReference,
		Efficiency:       j.Efficiency, LoadImbalance: j.LoadImbalance,
		Levels: nilIfEmpty(j.Levels), ByMC: nilIfEmpty(j.ModelChemistries),
		WorkerBusy: nilIfEmpty(j.WorkerBusy), HistogramScale: j.HistogramScale,
		Histogram: nilIfEmpty(j.Histogram), Records: nilIfEmpty(j.Tasks),
		WorkerStarts: nilIfEmpty([]WorkerRecord(j.WorkerStarts)),
	}
	j.analysis(r)
	if j.LongestTask != nil {
		r.Longest = *j.LongestTask
	}
	return nil
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}
