package stats

import (
	"cmp"
	"container/heap"
	"fmt"
	"slices"
	"time"
)

// Speedup references, the values of Report.SpeedupReference besides RefBaseline and
// RefMeasuredSerial.
const (
	// RefSampledSerial: the serial time is extrapolated from a sample of tasks rerun
	// serially after the run (Recorder.AddSerialSample).
	RefSampledSerial = "sampled_serial"
	// RefCPUEstimate: the serial time is estimated from each task's CPU time spread over
	// its threads (see Report.SerialEstimate).
	RefCPUEstimate = "cpu_estimate"
)

// PredictionWorkers are the worker counts Report.Predictions covers.
var PredictionWorkers = []int{1, 2, 4, 8, 16, 32, 64}

// CriticalPath bounds the wall time of a set of tasks from below. Level is the n-body
// level, or 0 for the whole run.
type CriticalPath struct {
	Level int
	// Tasks counts the computed tasks (reused ones are left out); Work is the sum of their
	// estimated serial times (Report.SerialEstimate's per-task terms).
	Tasks int
	Work  time.Duration
	// Longest is the task with the largest estimated serial time and LongestTime that time:
	// no number of workers finishes the tasks sooner.
	Longest     string
	LongestTime time.Duration
	// Workers is the worker count of the run and LowerBound = max(LongestTime, Work/Workers),
	// the shortest wall time these tasks could take on that many workers.
	Workers    int
	LowerBound time.Duration
	// Span is the observed time from the first start to the last end of these tasks.
	Span time.Duration
	// Predictions are the makespans of these tasks alone on PredictionWorkers workers.
	Predictions []Prediction
}

// WorkerIdle divides the run's wall time of one worker into busy time and the causes of
// its idle time. Startup + Tail + Gaps + Busy = the run's wall time.
type WorkerIdle struct {
	Worker int
	// Busy is the time the worker spent on tasks, start-up excluded.
	Busy time.Duration
	// Startup is the time before the worker could take its first task: from the run's start
	// to WorkerRecord.Ready when one was recorded (plus the start-up of replacement
	// processes), else to its first task's start.
	Startup time.Duration
	// Tail is the time from the end of its last task to the end of the run: waiting for the
	// longest tasks elsewhere to finish. For a worker that ran nothing it is the whole wall
	// time after start-up.
	Tail time.Duration
	// Gaps is the rest: time between tasks (dispatch, retries' back-off).
	Gaps time.Duration
}

// Idle returns Startup + Tail + Gaps.
func (w WorkerIdle) Idle() time.Duration { return w.Startup + w.Tail + w.Gaps }

// Prediction is the makespan the computed tasks would have on Workers workers, scheduled
// largest first onto the worker that frees up first (list scheduling, the LPT rule), with
// every task taking its estimated serial time. LowerBound is max(longest, work/Workers);
// LPT is within 4/3 of the optimum. Speedup is the total work over Makespan.
type Prediction struct {
	Workers              int
	Makespan, LowerBound time.Duration
	Speedup              float64
}

// SerialSample is a serial baseline measured on a sample of the tasks. Each sampled task
// was run again on its own; per n-body level the ratio of the sampled tasks' serial time to
// their time in the run scales the time of all the level's tasks (a level without a sample
// uses the ratio over all samples). Extrapolated is the resulting serial time.
type SerialSample struct {
	Tasks        int
	Serial       time.Duration // sum of the sampled tasks' serial times
	InRun        time.Duration // sum of the same tasks' times in the run
	Extrapolated time.Duration
}

// Makespan returns the makespan of list scheduling the durations onto workers identical
// workers, largest first, each to the worker that is free first (ties: lowest number).
// It is 0 for no durations or workers ≤ 0.
func Makespan(durations []time.Duration, workers int) time.Duration {
	if workers <= 0 || len(durations) == 0 {
		return 0
	}
	d := slices.Clone(durations)
	slices.SortFunc(d, func(a, b time.Duration) int { return cmp.Compare(b, a) })
	return makespanSorted(d, workers)
}

// makespanSorted is Makespan of durations sorted largest first.
func makespanSorted(d []time.Duration, workers int) time.Duration {
	if workers >= len(d) {
		return d[0] // one task per worker: the longest
	}
	h := make(loadHeap, min(workers, len(d)))
	for i := range h {
		h[i] = load{worker: i}
	}
	var span time.Duration
	for _, x := range d {
		h[0].busy += x
		span = max(span, h[0].busy)
		heap.Fix(&h, 0)
	}
	return span
}

type load struct {
	busy   time.Duration
	worker int
}

// loadHeap is a min-heap of worker loads, ties broken by worker number.
type loadHeap []load

func (h loadHeap) Len() int { return len(h) }
func (h loadHeap) Less(i, j int) bool {
	return h[i].busy < h[j].busy || h[i].busy == h[j].busy && h[i].worker < h[j].worker
}
func (h loadHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *loadHeap) Push(x any)   { *h = append(*h, x.(load)) }
func (h *loadHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// serialEstimate is the time a task is expected to take on its own: its CPU time divided
// by its threads when the CPU time was measured and that is shorter than its duration
// (a task slowed down by others sharing its cores used the cores for less than its
// duration), otherwise its duration. It leans low, so a speedup computed from it leans
// low too: a task may well run longer alone than its CPU time over its threads (waiting
// on disk, or not using every thread it was given).
func (r TaskRecord) serialEstimate() time.Duration {
	d := r.Duration()
	if r.CPU <= 0 {
		return d
	}
	return min(d, r.CPU/time.Duration(r.threads()))
}

// criticalPath computes the critical path of the computed tasks among recs.
func criticalPath(level int, recs []TaskRecord, workers int) CriticalPath {
	cp := CriticalPath{Level: level, Workers: workers}
	var first, last time.Time
	for _, r := range recs {
		if r.Reused {
			continue
		}
		cp.Tasks++
		e := r.serialEstimate()
		cp.Work += e
		if cp.Tasks == 1 || e > cp.LongestTime {
			cp.Longest, cp.LongestTime = r.Label, e
		}
		if !r.Start.IsZero() && (first.IsZero() || r.Start.Before(first)) {
			first = r.Start
		}
		if r.End.After(last) {
			last = r.End
		}
	}
	cp.LowerBound = cp.LongestTime
	if workers > 0 {
		cp.LowerBound = max(cp.LongestTime, cp.Work/time.Duration(workers))
	}
	if !first.IsZero() && last.After(first) {
		cp.Span = last.Sub(first)
	}
	cp.Predictions = predictions(recs)
	return cp
}

// predictions list-schedules the estimated serial times of the computed tasks.
func predictions(recs []TaskRecord) []Prediction {
	var est []time.Duration
	var work, longest time.Duration
	for _, r := range recs {
		if !r.Reused {
			e := r.serialEstimate()
			est = append(est, e)
			work += e
			longest = max(longest, e)
		}
	}
	if len(est) == 0 {
		return nil
	}
	slices.SortFunc(est, func(a, b time.Duration) int { return cmp.Compare(b, a) })
	out := make([]Prediction, len(PredictionWorkers))
	for i, w := range PredictionWorkers {
		m := makespanSorted(est, w)
		out[i] = Prediction{Workers: w, Makespan: m,
			LowerBound: max(longest, work/time.Duration(w)), Speedup: ratio(float64(work), float64(m))}
	}
	return out
}

// interval is a half-open time span [lo, hi) in nanoseconds from the run's start.
type interval struct{ lo, hi time.Duration }

// union merges intervals into disjoint ones, sorted.
func union(iv []interval) []interval {
	slices.SortFunc(iv, func(a, b interval) int { return cmp.Compare(a.lo, b.lo) })
	var out []interval
	for _, x := range iv {
		if x.hi <= x.lo {
			continue
		}
		if n := len(out); n > 0 && x.lo <= out[n-1].hi {
			out[n-1].hi = max(out[n-1].hi, x.hi)
			continue
		}
		out = append(out, x)
	}
	return out
}

func length(iv []interval) time.Duration {
	var t time.Duration
	for _, x := range iv {
		t += x.hi - x.lo
	}
	return t
}

// overlap is the total length of the intersection of two unions.
func overlap(a, b []interval) time.Duration {
	var t time.Duration
	for i, j := 0, 0; i < len(a) && j < len(b); {
		lo, hi := max(a[i].lo, b[j].lo), min(a[i].hi, b[j].hi)
		if hi > lo {
			t += hi - lo
		}
		if a[i].hi < b[j].hi {
			i++
		} else {
			j++
		}
	}
	return t
}

// idle divides each worker's wall time [begin, begin+wall) into busy time and causes of idleness.
func idle(recs []TaskRecord, wrecs []WorkerRecord, begin time.Time, wall time.Duration, workers int) []WorkerIdle {
	if wall <= 0 || begin.IsZero() {
		return nil
	}
	clip := func(t time.Time) time.Duration { return min(max(t.Sub(begin), 0), wall) }
	tasks := map[int][]interval{}
	ids := map[int]bool{}
	for w := range workers {
		ids[w] = true
	}
	for _, r := range recs {
		ids[r.Worker] = true
		if !r.Reused && r.Duration() > 0 {
			tasks[r.Worker] = append(tasks[r.Worker], interval{clip(r.Start), clip(r.End)})
		}
	}
	starts := map[int][]WorkerRecord{}
	for _, w := range wrecs {
		ids[w.Worker] = true
		starts[w.Worker] = append(starts[w.Worker], w)
	}
	var out []WorkerIdle
	for w := range ids {
		busy := union(tasks[w])
		var up []interval
		if ws := starts[w]; len(ws) > 0 {
			slices.SortFunc(ws, func(a, b WorkerRecord) int { return a.Requested.Compare(b.Requested) })
			for k, s := range ws {
				lo := clip(s.Requested)
				if k == 0 {
					lo = 0 // the first process was asked for at the start of the run
				}
				if !s.Ready.IsZero() {
					up = append(up, interval{lo, clip(s.Ready)})
				}
			}
		} else if len(busy) > 0 {
			up = append(up, interval{0, busy[0].lo})
		}
		up = union(up)
		wi := WorkerIdle{Worker: w, Startup: length(up), Busy: length(busy) - overlap(busy, up)}
		lastEnd := time.Duration(0)
		if n := len(busy); n > 0 {
			lastEnd = busy[n-1].hi
		}
		if n := len(up); n > 0 {
			lastEnd = max(lastEnd, up[n-1].hi)
		}
		wi.Tail = wall - lastEnd
		wi.Gaps = max(wall-wi.Busy-wi.Startup-wi.Tail, 0)
		out = append(out, wi)
	}
	slices.SortFunc(out, func(a, b WorkerIdle) int { return cmp.Compare(a.Worker, b.Worker) })
	return out
}

// serialSample extrapolates the sampled serial times to the whole run.
func serialSample(recs []TaskRecord, sample map[string]time.Duration) *SerialSample {
	if len(sample) == 0 {
		return nil
	}
	type sums struct{ serial, inRun, all time.Duration }
	levels := map[int]*sums{}
	var total sums
	for _, r := range recs {
		if r.Reused {
			continue
		}
		s := levels[r.Level]
		if s == nil {
			s = &sums{}
			levels[r.Level] = s
		}
		s.all += r.Duration()
		if d, ok := sample[r.Label]; ok && r.Duration() > 0 {
			s.serial += d
			s.inRun += r.Duration()
		}
	}
	ss := &SerialSample{}
	for _, s := range levels {
		total.serial += s.serial
		total.inRun += s.inRun
	}
	if total.inRun <= 0 {
		return nil
	}
	for _, r := range recs {
		if _, ok := sample[r.Label]; ok && !r.Reused && r.Duration() > 0 {
			ss.Tasks++
		}
	}
	ss.Serial, ss.InRun = total.serial, total.inRun
	for _, s := range levels {
		num, den := s.serial, s.inRun
		if den <= 0 {
			num, den = total.serial, total.inRun
		}
		ss.Extrapolated += toDur(float64(s.all) * float64(num) / float64(den))
	}
	return ss
}

// chooseSpeedup sets the speedup, its reference and the sentence stating its basis.
func (rep *Report) chooseSpeedup() {
	var ref time.Duration
	switch {
	case rep.Tasks == 0 && rep.Reused > 0 && rep.MeasuredSerial == 0:
		// Nothing ran: there is no parallel run to compare a serial time with.
		rep.SpeedupReference = RefBaseline
		rep.SpeedupBasis = fmt.Sprintf("all %d tasks reused from the store: none ran, so there is no speedup to measure", rep.Reused)
		return
	case rep.MeasuredSerial > 0:
		ref, rep.SpeedupReference = rep.MeasuredSerial, RefMeasuredSerial
		rep.SpeedupBasis = "measured: a serial run of every task took " + FormatDuration(ref)
	case rep.SerialSample != nil:
		s := rep.SerialSample
		ref, rep.SpeedupReference = s.Extrapolated, RefSampledSerial
		rep.SpeedupBasis = fmt.Sprintf("sampled: %d tasks rerun serially took %s where the run took %s; "+
			"each level's task time scaled by its sample's ratio gives a serial time of %s",
			s.Tasks, FormatDuration(s.Serial), FormatDuration(s.InRun), FormatDuration(ref))
	case rep.CPUMeasured > 0:
		ref, rep.SpeedupReference = rep.SerialEstimate, RefCPUEstimate
		rep.SpeedupBasis = fmt.Sprintf("estimate: serial time %s is the sum over tasks of min(duration, CPU time / threads) "+
			"(CPU time measured for %d of %d computed tasks, duration used for the rest); "+
			"it assumes each task alone runs as fast as its CPU time spread over its threads, "+
			"so it leans low (the sum of the task durations, %s, would give %.2f); measure with --sample-serial or --measure-serial",
			FormatDuration(ref), rep.CPUMeasured, rep.Tasks,
			FormatDuration(rep.SerialBaseline), ratio(float64(rep.SerialBaseline), float64(rep.Wall)))
	default:
		ref, rep.SpeedupReference = rep.SerialEstimate, RefBaseline
		rep.SpeedupBasis = "estimate: serial time " + FormatDuration(ref) + " is the sum of the task durations " +
			"(no CPU times recorded); it overstates the speedup when tasks slowed each other down; " +
			"measure with --sample-serial or --measure-serial"
	}
	rep.Speedup = ratio(float64(ref), float64(rep.Wall))
	if rep.Workers > 0 {
		rep.Efficiency = rep.Speedup / float64(rep.Workers)
	}
}
