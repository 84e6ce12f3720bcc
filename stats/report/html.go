package report

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/qcmb-go/qcmb/internal/outfile"
	"github.com/qcmb-go/qcmb/stats"
)

// Formats WriteFiles writes.
const (
	FormatSVG = "svg"
	FormatPNG = "png"
)

// render draws f in format (FormatSVG or FormatPNG) to w.
func render(w io.Writer, f Figure, format string) error {
	var c interface {
		vg.CanvasSizer
		io.WriterTo
	}
	switch format {
	case FormatSVG:
		c = vgsvg.New(f.Width, f.Height)
	case FormatPNG:
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(f.Width, f.Height), vgimg.UseDPI(144))}
	default:
		return fmt.Errorf("report: format %q: want %s or %s", format, FormatSVG, FormatPNG)
	}
	f.Plot.Draw(draw.New(c))
	_, err := c.WriteTo(w)
	return err
}

// WriteFiles draws every figure of rep into dir (created if need be) as NAME.svg or
// NAME.png and returns the paths written.
func WriteFiles(dir string, rep *stats.Report, format string) ([]string, error) {
	if format != FormatSVG && format != FormatPNG {
		return nil, fmt.Errorf("report: format %q: want %s or %s", format, FormatSVG, FormatPNG)
	}
	figs, err := Figures(rep)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var paths []string
	for _, f := range figs {
		path := filepath.Join(dir, f.Name+"."+format)
		if err := outfile.Write(path, func(w io.Writer) error { return render(w, f, format) }); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// svgProlog is what precedes the <svg> element in a standalone SVG file.
var svgProlog = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?s)^.*?(<svg\b)`) })

// svgSize is the fixed width and height vgsvg writes, replaced so figures scale with the page.
var svgSize = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^<svg width="[^"]*" height="[^"]*"`) })

// inlineSVG draws f as an <svg> element to embed in HTML.
func inlineSVG(f Figure) (template.HTML, error) {
	var buf bytes.Buffer
	if err := render(&buf, f, FormatSVG); err != nil {
		return "", err
	}
	s := svgProlog().ReplaceAllString(buf.String(), "$1")
	s = svgSize().ReplaceAllString(s, fmt.Sprintf(`<svg role="img" aria-label=%q style="width:100%%;max-width:%.0fpx;height:auto"`,
		f.Title, f.Width.Points()*4/3))
	// Markup of our own drawing; text in it was escaped by the SVG writer.
	return template.HTML(s), nil //nolint:gosec
}

type htmlFigure struct {
	Figure
	SVG template.HTML
}

type htmlPage struct {
	Title     string
	Generated string
	R         *stats.Report
	Figures   []htmlFigure
	IdleSum   stats.WorkerIdle
	Dur       func(time.Duration) string
}

// WriteHTML writes the report as one self-contained HTML page: the summary (wall time,
// speedup and its basis, critical path, idle time, predicted makespans) and every figure
// as inline SVG. It needs no network to open.
func WriteHTML(w io.Writer, rep *stats.Report) error {
	figs, err := Figures(rep)
	if err != nil {
		return err
	}
	page := htmlPage{Title: "qcmb run report", R: rep, Dur: stats.FormatDuration,
		Generated: time.Now().UTC().Format("2006-01-02 15:04 UTC")}
	for _, f := range figs {
		f.Plot.Title.Text = "" // the page's heading names the figure
		svg, err := inlineSVG(f)
		if err != nil {
			return fmt.Errorf("report: %s: %w", f.Name, err)
		}
		page.Figures = append(page.Figures, htmlFigure{Figure: f, SVG: svg})
	}
	for _, wi := range rep.Idle {
		page.IdleSum.Busy += wi.Busy
		page.IdleSum.Startup += wi.Startup
		page.IdleSum.Tail += wi.Tail
		page.IdleSum.Gaps += wi.Gaps
	}
	var buf bytes.Buffer
	if err := pageTemplate().Execute(&buf, page); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// pageTemplate is parsed on first use, not at the start of every qcmb command.
var pageTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("page").Funcs(template.FuncMap{
		"pct": func(a, b time.Duration) string {
			if b <= 0 {
				return "–"
			}
			return fmt.Sprintf("%.0f%%", 100*float64(a)/float64(b))
		},
		"f2":   func(x float64) string { return fmt.Sprintf("%.2f", x) },
		"mulf": func(x float64) float64 { return 100 * x },
		"ref":  referenceShort,
		"predAt": func(c stats.CriticalPath, i int) string {
			if i < 0 || i >= len(c.Predictions) {
				return "–"
			}
			return stats.FormatDuration(c.Predictions[i].Makespan)
		},
	}).Parse(pageHTML))
})
