package stats

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/qcmb-go/qcmb/qcschema"
)

// histWidth is the length of the longest bar of the ASCII histogram.
const histWidth = 40

// FormatDuration formats d as time.Duration.String does after rounding it to four
// significant digits, e.g. 1.235s, 12.35ms, 2m3.5s.
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	a := d
	if a < 0 {
		a = -a
	}
	digits := len(strconv.FormatInt(int64(a), 10))
	if digits > 4 {
		unit := time.Duration(math.Pow10(digits - 4))
		d = d.Round(unit)
	}
	return d.String()
}

// referenceWords describes each speedup reference in the text report.
var referenceWords = map[string]string{
	RefBaseline:       "estimate: sum of task times / wall time",
	RefCPUEstimate:    "estimate from CPU times / wall time",
	RefSampledSerial:  "sampled serial / wall time",
	RefMeasuredSerial: "measured serial / wall time",
}

// WriteText writes a readable fixed-width report: the run summary (tasks, workers, wall
// time, serial baseline, speedup, efficiency, load imbalance, longest task), the
// per-level and per-model-chemistry tables (count, failed, total, min, mean, max, p50,
// p95), worker busy times and an ASCII histogram of the task durations.
func (r *Report) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	for _, section := range []func(printf){
		r.writeSummary, r.writeCritical, r.writeWorkerTime, r.writePredictions,
		r.writeLevels, r.writeModelChemistries, r.writeWorkers, r.writeHistogram,
	} {
		section(p)
	}
	return bw.Flush()
}

// printf writes formatted text; WriteText's sections write through it to one buffer, whose
// Flush reports any write error once.
type printf func(format string, args ...any)

// writeSummary writes the run summary, one quantity a line.
func (r *Report) writeSummary(p printf) {
	p("Many-body run statistics\n")
	p("  %-17s %d (%d failed, %d retries)\n", "tasks", r.Tasks, r.Failed, r.Retries)
	if r.Reused > 0 {
		p("  %-17s %d (from the result store, not run)\n", "tasks reused", r.Reused)
	}
	p("  %-17s %d\n", "workers", r.Workers)
	p("  %-17s %s\n", "wall time", FormatDuration(r.Wall))
	p("  %-17s %s (sum of task times)\n", "serial baseline", FormatDuration(r.SerialBaseline))
	if r.MeasuredSerial > 0 {
		p("  %-17s %s\n", "measured serial", FormatDuration(r.MeasuredSerial))
	} else {
		p("  %-17s not measured\n", "measured serial")
	}
	if r.Tasks == 0 && r.Reused > 0 && r.MeasuredSerial == 0 {
		p("  %-17s none: all %d tasks reused from the store\n", "speedup", r.Reused)
	} else {
		p("  %-17s %.2f (%s)\n", "speedup", r.Speedup, referenceWords[r.SpeedupReference])
	}
	if r.SpeedupBasis != "" {
		p("  %-17s %s\n", "speedup basis", r.SpeedupBasis)
	}
	p("  %-17s %.1f%% (speedup / workers)\n", "efficiency", 100*r.Efficiency)
	p("  %-17s %.2f (max / mean worker busy time)\n", "load imbalance", r.LoadImbalance)
	if r.Tasks > 0 {
		label := r.Longest.Label
		if label == "" {
			label = "(unlabelled)"
		}
		p("  %-17s %s %s (level %d, worker %d)\n", "longest task", qcschema.Excerpt(label, qcschema.ExcerptLen),
			FormatDuration(r.Longest.Duration()), r.Longest.Level, r.Longest.Worker)
	}
	r.writeStartups(p)
}

// writeStartups writes the summary's lines on worker start-up: all workers, then each
// program whose resident processes were started.
func (r *Report) writeStartups(p printf) {
	if n, mean, longest := startupSummary(r.WorkerStarts, ""); n > 0 {
		p("  %-17s %d started, mean %s, longest %s (queue wait + start, not in task times)\n",
			"worker start-up", n, FormatDuration(mean), FormatDuration(longest))
	}
	for _, prog := range residentPrograms(r.WorkerStarts) {
		n, mean, longest := startupSummary(r.WorkerStarts, prog)
		p("  %-17s %d started, mean %s, longest %s (resident processes, not in task times)\n",
			prog+" start-up", n, FormatDuration(mean), FormatDuration(longest))
	}
}

// writeCritical writes the critical path of each level and of the whole run.
func (r *Report) writeCritical(p printf) {
	c := r.Critical
	if c.Tasks == 0 {
		return
	}
	p("\nCritical path (lower bound on wall time = max(longest task, work / workers))\n")
	p("%6s %6s %10s %10s %10s %10s  %s\n", "level", "tasks", "work", "longest", "bound", "span", "longest task")
	row := func(name string, c CriticalPath) {
		p("%6s %6d %10s %10s %10s %10s  %s\n", name, c.Tasks, FormatDuration(c.Work), FormatDuration(c.LongestTime),
			FormatDuration(c.LowerBound), FormatDuration(c.Span), qcschema.Excerpt(c.Longest, qcschema.ExcerptLen))
	}
	for _, l := range r.CriticalByLevel {
		row(strconv.Itoa(l.Level), l)
	}
	row("all", c)
	p("  (work and longest use each task's estimated serial time; span is first start to last end)\n")
}

// writeWorkerTime writes each worker's busy and idle time, and their sums.
func (r *Report) writeWorkerTime(p printf) {
	if len(r.Idle) == 0 {
		return
	}
	p("\nWorker time (idle = start-up + tail waiting for the last tasks + gaps between tasks)\n")
	p("%6s %10s %10s %10s %10s %10s\n", "worker", "busy", "idle", "start-up", "tail", "gaps")
	var sum WorkerIdle
	for _, w := range r.Idle {
		p("%6d %10s %10s %10s %10s %10s\n", w.Worker, FormatDuration(w.Busy), FormatDuration(w.Idle()),
			FormatDuration(w.Startup), FormatDuration(w.Tail), FormatDuration(w.Gaps))
		sum.Busy += w.Busy
		sum.Startup += w.Startup
		sum.Tail += w.Tail
		sum.Gaps += w.Gaps
	}
	p("%6s %10s %10s %10s %10s %10s\n", "all", FormatDuration(sum.Busy), FormatDuration(sum.Idle()),
		FormatDuration(sum.Startup), FormatDuration(sum.Tail), FormatDuration(sum.Gaps))
}

// writePredictions writes the predicted makespan for each worker count.
func (r *Report) writePredictions(p printf) {
	if len(r.Predictions) == 0 {
		return
	}
	p("\nPredicted makespan (largest-first list scheduling of the estimated serial task times)\n")
	p("%8s %10s %10s %8s\n", "workers", "makespan", "bound", "speedup")
	for _, q := range r.Predictions {
		p("%8d %10s %10s %8.2f\n", q.Workers, FormatDuration(q.Makespan), FormatDuration(q.LowerBound), q.Speedup)
	}
}

// statHead is the layout of the duration statistics' columns, shared by the per-level
// and per-model-chemistry tables.
const statHead = "%6s %6s %10s %10s %10s %10s %10s %10s\n"

// writeStatRow writes one row of duration statistics in statHead's layout.
func writeStatRow(p printf, count, failed int, total, mn, mean, mx, p50, p95 time.Duration) {
	p(statHead, strconv.Itoa(count), strconv.Itoa(failed), FormatDuration(total),
		FormatDuration(mn), FormatDuration(mean), FormatDuration(mx),
		FormatDuration(p50), FormatDuration(p95))
}

// writeLevels writes the duration statistics of each n-body level.
func (r *Report) writeLevels(p printf) {
	if len(r.Levels) == 0 {
		return
	}
	p("\nPer n-body level\n")
	p("%6s "+statHead, "level", "count", "failed", "total", "min", "mean", "max", "p50", "p95")
	for _, l := range r.Levels {
		p("%6d ", l.Level)
		writeStatRow(p, l.Count, l.Failed, l.Total, l.Min, l.Mean, l.Max, l.P50, l.P95)
	}
}

// writeModelChemistries writes the duration statistics of each model chemistry, its
// first column as wide as the longest (excerpted) name.
func (r *Report) writeModelChemistries(p printf) {
	if len(r.ByMC) == 0 {
		return
	}
	wmc := len("model chemistry")
	for _, m := range r.ByMC {
		wmc = max(wmc, len(qcschema.Excerpt(m.MC, qcschema.ExcerptLen)))
	}
	p("\nPer model chemistry\n")
	p("%-*s "+statHead, wmc, "model chemistry", "count", "failed", "total", "min", "mean", "max", "p50", "p95")
	for _, m := range r.ByMC {
		p("%-*s ", wmc, qcschema.Excerpt(m.MC, qcschema.ExcerptLen))
		writeStatRow(p, m.Count, m.Failed, m.Total, m.Min, m.Mean, m.Max, m.P50, m.P95)
	}
}

// writeWorkers writes each worker's tasks and busy time, also as a share of the wall time.
func (r *Report) writeWorkers(p printf) {
	if len(r.WorkerBusy) == 0 {
		return
	}
	p("\nWorkers\n")
	p("%6s %6s %10s %8s\n", "worker", "tasks", "busy", "busy%")
	for _, wk := range r.WorkerBusy {
		p("%6d %6d %10s %7.1f%%\n", wk.Worker, wk.Tasks, FormatDuration(wk.Busy),
			100*ratio(float64(wk.Busy), float64(r.Wall)))
	}
}

// writeHistogram writes the histogram of task durations as bars of '#', the fullest bin
// histWidth long and any nonempty bin at least one.
func (r *Report) writeHistogram(p printf) {
	if len(r.Histogram) == 0 {
		return
	}
	most := 0
	for _, b := range r.Histogram {
		most = max(most, b.Count)
	}
	p("\nTask durations (%s bins)\n", r.HistogramScale)
	for _, b := range r.Histogram {
		bar := 0
		if most > 0 && b.Count > 0 {
			bar = max(1, int(math.Round(float64(b.Count)*histWidth/float64(most))))
		}
		line := fmt.Sprintf("  [%10s, %10s) %6d %s", FormatDuration(b.Lo), FormatDuration(b.Hi),
			b.Count, strings.Repeat("#", bar))
		p("%s\n", strings.TrimRight(line, " "))
	}
}

// String returns the text report.
func (r *Report) String() string {
	var sb strings.Builder
	_ = r.WriteText(&sb)
	return sb.String()
}
