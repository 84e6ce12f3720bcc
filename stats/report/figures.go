package report

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/qcmb-go/qcmb/stats"
)

// Figure is one chart of the report.
type Figure struct {
	// Name is a file name stem ("timeline", "speedup", ...), Title a heading and Caption a
	// sentence saying how to read the chart.
	Name, Title, Caption string
	// Plot is the chart; Width and Height its size.
	Plot          *plot.Plot
	Width, Height vg.Length
}

// levelColors are the fill colours of n-body levels 1, 2, 3, ... (a colour-blind-safe
// qualitative palette, Okabe and Ito); further levels repeat them.
var levelColors = []color.NRGBA{
	{0x00, 0x72, 0xB2, 0xff}, // blue
	{0xE6, 0x9F, 0x00, 0xff}, // orange
	{0x00, 0x9E, 0x73, 0xff}, // green
	{0xCC, 0x79, 0xA7, 0xff}, // purple
	{0x56, 0xB4, 0xE9, 0xff}, // sky blue
	{0xD5, 0x5E, 0x00, 0xff}, // vermillion
	{0xF0, 0xE4, 0x42, 0xff}, // yellow
}

var (
	grey = color.NRGBA{0x99, 0x99, 0x99, 0xff}
	red  = color.NRGBA{0xC0, 0x00, 0x00, 0xff}
)

func levelColor(level int) color.Color {
	return levelColors[(max(level, 1)-1)%len(levelColors)]
}

// Figures draws the report's charts for rep: the timeline of every task on every worker,
// the task durations per level, the time per level and per model chemistry, and the
// predicted speedup against workers. Charts that need the task records (rep.Records) are
// left out when there are none.
func Figures(rep *stats.Report) ([]Figure, error) {
	var figs []Figure
	add := func(f Figure, err error) error {
		if err != nil {
			return fmt.Errorf("report: %s: %w", f.Name, err)
		}
		if f.Plot != nil {
			styleFonts(f.Plot)
			figs = append(figs, f)
		}
		return nil
	}
	for _, build := range []func(*stats.Report) (Figure, error){timeline, durations, timePerLevel, timePerMC, speedup} {
		if err := add(build(rep)); err != nil {
			return nil, err
		}
	}
	return figs, nil
}

// styleFonts sets every text of p in a sans-serif face, which reads better on screen.
func styleFonts(p *plot.Plot) {
	sans := func(f *font.Font) { f.Typeface, f.Variant = "Liberation", "Sans" }
	sans(&p.Title.TextStyle.Font)
	p.Title.TextStyle.Font.Size = 13
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		sans(&a.Label.TextStyle.Font)
		sans(&a.Tick.Label.Font)
		a.Tick.Label.Font.Size = 9
		a.Label.TextStyle.Font.Size = 11
	}
	sans(&p.Legend.TextStyle.Font)
	p.Legend.TextStyle.Font.Size = 10
}

// timeOrigin is the earliest time in the records and worker start-ups.
func timeOrigin(rep *stats.Report) time.Time {
	var t0 time.Time
	earlier := func(t time.Time) {
		if !t.IsZero() && (t0.IsZero() || t.Before(t0)) {
			t0 = t
		}
	}
	for _, r := range rep.Records {
		earlier(r.Queued)
		earlier(r.Start)
	}
	for _, w := range rep.WorkerStarts {
		earlier(w.Requested)
	}
	return t0
}

// bar is one rectangle of the timeline.
type bar struct {
	x0, x1 float64 // seconds from the origin
	y      float64 // worker row
	fill   color.Color
	failed bool
}

// gantt draws bars, one row per worker.
type gantt struct{ bars []bar }

func (g *gantt) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	edge := draw.LineStyle{Color: color.White, Width: vg.Points(0.6)}
	failEdge := draw.LineStyle{Color: red, Width: vg.Points(1.5)}
	for _, b := range g.bars {
		x0, x1 := trX(b.x0), trX(b.x1)
		if x1-x0 < vg.Points(0.8) { // keep very short tasks visible
			x1 = x0 + vg.Points(0.8)
		}
		y0, y1 := trY(b.y-0.36), trY(b.y+0.36)
		pts := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
		c.FillPolygon(b.fill, c.ClipPolygonXY(pts))
		style := edge
		if b.failed {
			style = failEdge
		}
		c.StrokeLines(style, c.ClipLinesXY(append(pts, pts[0]))...)
	}
}

func (g *gantt) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = 0, -0.5
	for _, b := range g.bars {
		xmax = max(xmax, b.x1)
		ymax = max(ymax, b.y+0.5)
	}
	return xmin, xmax, ymin, ymax
}

// swatch is a legend entry: a filled square.
type swatch struct{ fill color.Color }

func (s swatch) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y}}
	c.FillPolygon(s.fill, c.ClipPolygonXY(pts))
}

// workerIDs lists the worker numbers of the records, the idle analysis and the start-ups.
func workerIDs(rep *stats.Report) []int {
	seen := map[int]bool{}
	for _, r := range rep.Records {
		seen[r.Worker] = true
	}
	for _, w := range rep.Idle {
		seen[w.Worker] = true
	}
	for _, w := range rep.WorkerStarts {
		seen[w.Worker] = true
	}
	ids := make([]int, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func levels(rep *stats.Report) []int {
	var ls []int
	for _, l := range rep.Levels {
		ls = append(ls, l.Level)
	}
	return ls
}

func timeline(rep *stats.Report) (Figure, error) {
	f := Figure{Name: "timeline", Title: "Timeline of every task on every worker",
		Caption: "Each bar is one task from its start to its end, coloured by n-body level; grey bars are worker start-up, " +
			"red outlines mark failed tasks. White space is idle time."}
	t0 := timeOrigin(rep)
	if len(rep.Records) == 0 || t0.IsZero() {
		return f, nil
	}
	ids := workerIDs(rep)
	row := map[int]float64{}
	names := make([]string, len(ids))
	for i, id := range ids {
		row[id] = float64(i)
		names[i] = "worker " + strconv.Itoa(id)
	}
	sec := func(t time.Time) float64 { return t.Sub(t0).Seconds() }
	g := &gantt{}
	for _, r := range rep.Records {
		if r.Reused || r.Start.IsZero() || r.End.IsZero() {
			continue
		}
		g.bars = append(g.bars, bar{x0: sec(r.Start), x1: sec(r.End), y: row[r.Worker], fill: levelColor(r.Level), failed: r.Failed()})
	}
	// Start-up on top: a worker process's first task is timed from when it was sent, so
	// its bar includes the start-up.
	for _, w := range rep.WorkerStarts {
		if !w.Ready.IsZero() {
			g.bars = append(g.bars, bar{x0: sec(w.Requested), x1: sec(w.Ready), y: row[w.Worker], fill: grey})
		}
	}
	p := plot.New()
	p.Title.Text = f.Title
	p.X.Label.Text = "time since start (s)"
	p.Add(g)
	p.NominalY(names...)
	p.Y.Padding = 0
	p.X.Min = 0
	for _, l := range levels(rep) {
		p.Legend.Add(levelName(l), swatch{levelColor(l)})
	}
	if len(rep.WorkerStarts) > 0 {
		p.Legend.Add("start-up", swatch{grey})
	}
	p.Legend.Top = true
	p.Legend.XOffs = -vg.Points(4)
	p.Legend.Padding = vg.Points(2)
	_, xmax, _, _ := g.DataRange()
	p.X.Max = xmax * 1.16 // room for the legend on the right
	f.Plot = p
	f.Width = 18 * vg.Centimeter
	f.Height = vg.Length(math.Min(4+0.8*float64(len(ids)), 16)) * vg.Centimeter
	return f, nil
}

func levelName(l int) string { return strconv.Itoa(l) + "-body" }

func durations(rep *stats.Report) (Figure, error) {
	f := Figure{Name: "durations", Title: "Task durations per n-body level",
		Caption: "How many tasks of each level took how long; the bins are the same for every level and log-spaced, " +
			"since a task of a higher level costs many times one of a lower level."}
	byLevel := map[int][]float64{}
	var all []float64
	for _, r := range rep.Records {
		if d := r.Duration().Seconds(); !r.Reused && d > 0 {
			byLevel[r.Level] = append(byLevel[r.Level], d)
			all = append(all, d)
		}
	}
	if len(all) == 0 {
		return f, nil
	}
	edges := logEdges(all)
	p := plot.New()
	p.Title.Text = f.Title
	p.X.Label.Text = "task duration (s)"
	p.Y.Label.Text = "tasks"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Add(plotter.NewGrid())
	g := &groupedHist{edges: edges}
	for _, l := range levels(rep) {
		xs := byLevel[l]
		if len(xs) == 0 {
			continue
		}
		g.counts = append(g.counts, counts(xs, edges))
		g.fills = append(g.fills, levelColor(l))
		p.Legend.Add(fmt.Sprintf("%s (%d tasks)", levelName(l), len(xs)), swatch{levelColor(l)})
	}
	p.Add(g)
	p.Legend.Top = true
	p.Legend.Padding = vg.Points(2)
	p.Y.Min = 0
	p.X.Min, p.X.Max = edges[0], edges[len(edges)-1]
	f.Plot, f.Width, f.Height = p, 18*vg.Centimeter, 9*vg.Centimeter
	return f, nil
}

// logEdges returns Sturges' number of log-spaced bin edges (at least 6 bins) spanning xs (all > 0),
// widened by a few percent.
func logEdges(xs []float64) []float64 {
	lo, hi := slices.Min(xs)/1.05, slices.Max(xs)*1.05
	n := max(int(math.Ceil(math.Log2(float64(len(xs)))))+1, 6)
	edges := make([]float64, n+1)
	for i := range edges {
		edges[i] = lo * math.Pow(hi/lo, float64(i)/float64(n))
	}
	return edges
}

// counts counts xs in the bins between consecutive edges.
func counts(xs, edges []float64) []float64 {
	out := make([]float64, len(edges)-1)
	for _, x := range xs {
		i, _ := slices.BinarySearch(edges, x)
		out[min(max(i-1, 0), len(out)-1)]++
	}
	return out
}

// groupedHist draws histograms of several series side by side: each bin is split (evenly
// on the log axis) into one bar per series.
type groupedHist struct {
	edges  []float64
	counts [][]float64 // per series, per bin
	fills  []color.Color
}

func (g *groupedHist) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	n := float64(len(g.counts))
	for s, cs := range g.counts {
		for i, k := range cs {
			if k == 0 {
				continue
			}
			lo, hi := g.edges[i], g.edges[i+1]
			x0 := trX(lo * math.Pow(hi/lo, (float64(s)+0.08)/n))
			x1 := trX(lo * math.Pow(hi/lo, (float64(s)+0.92)/n))
			y0, y1 := trY(0), trY(k)
			pts := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
			c.FillPolygon(g.fills[s], c.ClipPolygonXY(pts))
		}
	}
}

func (g *groupedHist) DataRange() (xmin, xmax, ymin, ymax float64) {
	for _, cs := range g.counts {
		ymax = max(ymax, slices.Max(cs))
	}
	return g.edges[0], g.edges[len(g.edges)-1], 0, ymax * 1.3 // headroom for the legend
}

// barFigure draws one bar per name, each in its colour, with the value labelled.
func barFigure(f Figure, names []string, values []float64, fills []color.Color, ylabel string) (Figure, error) {
	if len(values) == 0 {
		return f, nil
	}
	p := plot.New()
	p.Title.Text = f.Title
	p.Y.Label.Text = ylabel
	w := vg.Points(math.Min(40, 160/float64(len(values))))
	for i, v := range values {
		vs := make(plotter.Values, len(values))
		vs[i] = v
		b, err := plotter.NewBarChart(vs, w)
		if err != nil {
			return f, err
		}
		b.Color = fills[i]
		b.LineStyle.Width = 0
		p.Add(b)
	}
	labels := make([]string, len(values))
	xys := make(plotter.XYs, len(values))
	for i, v := range values {
		labels[i] = stats.FormatDuration(time.Duration(v * float64(time.Second)))
		xys[i] = plotter.XY{X: float64(i), Y: v}
	}
	l, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
	if err != nil {
		return f, err
	}
	for i := range l.TextStyle {
		l.TextStyle[i].Font.Size = 9
		l.TextStyle[i].Font.Typeface, l.TextStyle[i].Font.Variant = "Liberation", "Sans"
		l.TextStyle[i].XAlign = draw.XCenter
		l.Offset.Y = vg.Points(3)
	}
	p.Add(l)
	p.NominalX(names...)
	p.Y.Min = 0
	p.Y.Max = slices.Max(values) * 1.15
	f.Plot, f.Width, f.Height = p, 9*vg.Centimeter, 8*vg.Centimeter
	return f, nil
}

func timePerLevel(rep *stats.Report) (Figure, error) {
	f := Figure{Name: "levels", Title: "Task time per n-body level",
		Caption: "The sum of the task durations of each level: where the work is."}
	var names []string
	var values []float64
	var fills []color.Color
	for _, l := range rep.Levels {
		names = append(names, levelName(l.Level))
		values = append(values, l.Total.Seconds())
		fills = append(fills, levelColor(l.Level))
	}
	return barFigure(f, names, values, fills, "task time (s)")
}

func timePerMC(rep *stats.Report) (Figure, error) {
	f := Figure{Name: "model-chemistries", Title: "Task time per model chemistry",
		Caption: "The sum of the task durations of each model chemistry."}
	mcs := slices.Clone(rep.ByMC)
	slices.SortStableFunc(mcs, func(a, b stats.MCStats) int { return cmp.Compare(b.Total, a.Total) })
	var names []string
	var values []float64
	var fills []color.Color
	for i, m := range mcs {
		names = append(names, m.MC)
		values = append(values, m.Total.Seconds())
		fills = append(fills, mcColors[i%len(mcColors)])
	}
	return barFigure(f, names, values, fills, "task time (s)")
}

var mcColors = []color.Color{
	color.NRGBA{0x44, 0x77, 0xAA, 0xff}, color.NRGBA{0x66, 0xCC, 0xEE, 0xff}, color.NRGBA{0x22, 0x88, 0x33, 0xff},
	color.NRGBA{0xCC, 0xBB, 0x44, 0xff}, color.NRGBA{0xEE, 0x66, 0x77, 0xff}, color.NRGBA{0xAA, 0x33, 0x77, 0xff},
}

// log2Ticks marks the powers of two.
type log2Ticks struct{}

func (log2Ticks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for v := 1.0; v <= hi*1.0001; v *= 2 {
		if v >= lo*0.9999 {
			ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', -1, 64)})
		}
	}
	for v := 0.5; v >= lo*0.9999 && v > 0; v /= 2 {
		ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', -1, 64)})
	}
	return ts
}

func speedup(rep *stats.Report) (Figure, error) {
	f := Figure{Name: "speedup", Title: "Predicted speedup against workers",
		Caption: "Largest-first list scheduling of the recorded tasks (each at its estimated serial time) on 1 to 64 workers; " +
			"the bound is total work over max(longest task, work / workers); the marked point is this run."}
	if len(rep.Predictions) == 0 {
		return f, nil
	}
	var pred, bound, ideal plotter.XYs
	work := rep.Predictions[0].Makespan.Seconds()
	for _, q := range rep.Predictions {
		x := float64(q.Workers)
		pred = append(pred, plotter.XY{X: x, Y: q.Speedup})
		if q.LowerBound > 0 {
			bound = append(bound, plotter.XY{X: x, Y: work / q.LowerBound.Seconds()})
		}
		ideal = append(ideal, plotter.XY{X: x, Y: x})
	}
	p := plot.New()
	p.Title.Text = f.Title
	p.X.Label.Text = "workers"
	p.Y.Label.Text = "speedup"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = log2Ticks{}, log2Ticks{}
	p.Add(plotter.NewGrid())

	line := func(xys plotter.XYs, c color.Color, width float64, dashes []vg.Length, name string) error {
		l, s, err := plotter.NewLinePoints(xys)
		if err != nil {
			return err
		}
		l.Color, l.Width, l.Dashes = c, vg.Points(width), dashes
		s.Color, s.Radius = c, vg.Points(2)
		s.Shape = draw.CircleGlyph{}
		p.Add(l, s)
		p.Legend.Add(name, l, s)
		return nil
	}
	if err := line(ideal, grey, 1, []vg.Length{vg.Points(4), vg.Points(3)}, "ideal (speedup = workers)"); err != nil {
		return f, err
	}
	if err := line(bound, levelColors[1], 1, []vg.Length{vg.Points(1), vg.Points(2)}, "bound from the critical path"); err != nil {
		return f, err
	}
	if err := line(pred, levelColors[0], 2, nil, "predicted (list scheduling)"); err != nil {
		return f, err
	}
	if rep.Workers > 0 && rep.Speedup > 0 {
		m, err := plotter.NewScatter(plotter.XYs{{X: float64(rep.Workers), Y: rep.Speedup}})
		if err != nil {
			return f, err
		}
		m.Shape = draw.PyramidGlyph{}
		m.Color = red
		m.Radius = vg.Points(6)
		p.Add(m)
		p.Legend.Add(fmt.Sprintf("this run: %.2f on %d (%s)", rep.Speedup, rep.Workers, referenceShort(rep.SpeedupReference)), m)
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(6), -vg.Points(4)
	p.Legend.Padding = vg.Points(3)
	p.X.Min, p.X.Max = 1, float64(rep.Predictions[len(rep.Predictions)-1].Workers)
	p.Y.Min = math.Min(1, math.Max(rep.Speedup, 0.1)) / 1.4
	p.Y.Max = p.X.Max
	f.Plot, f.Width, f.Height = p, 16*vg.Centimeter, 11*vg.Centimeter
	return f, nil
}

// referenceShort names a speedup reference in a few words.
func referenceShort(ref string) string {
	switch ref {
	case stats.RefMeasuredSerial:
		return "measured"
	case stats.RefSampledSerial:
		return "sampled serial"
	case stats.RefCPUEstimate:
		return "estimate from CPU time"
	default:
		return "estimate from task times"
	}
}
