package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"image"
	"image/png"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/stats"
)

const water4Input = "../../testdata/inputs/water4_hf_sto3g_nocp_2body.json"

// figureCount is the number of figures of a report with task records: timeline,
// durations, time per level, time per model chemistry, speedup.
const figureCount = 5

var svgElement = regexp.MustCompile(`(?s)<svg\b.*?</svg>`)

// checkHTML checks that page is a well-formed HTML document with one well-formed inline
// SVG per figure and no reference to anything outside it.
func checkHTML(t *testing.T, page string) {
	t.Helper()
	require.True(t, strings.HasPrefix(page, "<!DOCTYPE html>"), "doctype")
	svgs := svgElement.FindAllString(page, -1)
	assert.Len(t, svgs, figureCount)
	for i, s := range svgs {
		assert.NoError(t, wellFormed(s, true), "svg %d", i)
		assert.Contains(t, s, "<path", "svg %d draws nothing", i)
	}
	assert.NoError(t, wellFormed(page, false), "page")
	for _, bad := range []string{" src=", "<link", "@import", "url(http", "<script"} {
		assert.NotContains(t, page, bad, "the page must not load anything")
	}
	assert.NotContains(t, svgElement.ReplaceAllString(page, ""), "href=")
}

// wellFormed parses doc as XML (strict) or as HTML (void elements closed automatically)
// and reports the first error, such as an unclosed or mismatched element.
func wellFormed(doc string, strict bool) error {
	d := xml.NewDecoder(strings.NewReader(doc))
	if !strict {
		d.Strict = false
		d.AutoClose = xml.HTMLAutoClose
		d.Entity = xml.HTMLEntity
	}
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if depth != 0 {
				return io.ErrUnexpectedEOF
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
}

// TestRunReport runs the water tetramer (HF/STO-3G, nocp through 2-body) on worker
// processes with --report and --stats-json, checks the page, redraws it with "qcmb report"
// and writes the figures as files, then opens the page in headless Chromium when it is
// installed: it must load without console errors and its screenshot must not be blank.
func TestRunReport(t *testing.T) {
	dir := t.TempDir()
	page, statsPath := filepath.Join(dir, "report.html"), filepath.Join(dir, "stats.json")
	_, err := execute(t, "run", water4Input, "--executor", "subprocess", "--workers", "2", "--no-store",
		"--worker-command", os.Args[0]+" worker", "--sample-serial", "3",
		"--stats-json", statsPath, "--report", page, "-o", filepath.Join(dir, "result.json"))
	require.NoError(t, err)

	var rep stats.Report
	require.NoError(t, readJSON(newRootCmd(), statsPath, &rep))
	assert.Equal(t, 10, rep.Tasks)
	assert.Equal(t, 10, rep.CPUMeasured, "worker processes report every task's processor time")
	assert.Equal(t, stats.RefSampledSerial, rep.SpeedupReference)
	require.NotNil(t, rep.SerialSample)
	assert.Equal(t, 3, rep.SerialSample.Tasks)
	assert.Contains(t, rep.SpeedupBasis, "3 tasks rerun serially")

	html, err := os.ReadFile(page)
	require.NoError(t, err)
	checkHTML(t, string(html))
	assert.Contains(t, string(html), "Speedup basis")

	again := filepath.Join(dir, "again.html")
	_, err = execute(t, "report", statsPath, "-o", again)
	require.NoError(t, err)
	html2, err := os.ReadFile(again)
	require.NoError(t, err)
	checkHTML(t, string(html2))

	for _, format := range []string{"svg", "png"} {
		figs := filepath.Join(dir, format)
		out, err := execute(t, "report", statsPath, "--format", format, "-o", figs)
		require.NoError(t, err)
		paths := strings.Fields(out)
		assert.Len(t, paths, figureCount)
		for _, p := range paths {
			data, err := os.ReadFile(p)
			require.NoError(t, err)
			if format == "png" {
				img, err := png.Decode(bytes.NewReader(data))
				require.NoError(t, err, p)
				assert.Greater(t, pixelSpread(img), 0.01, "%s is blank", p)
			} else {
				assert.NoError(t, wellFormed(string(data), true), p)
			}
		}
	}
	_, err = execute(t, "report", statsPath, "--format", "gif", "-o", filepath.Join(dir, "gif"))
	assert.ErrorContains(t, err, `format "gif"`)
	_, err = execute(t, "report", water4Input, "-o", filepath.Join(dir, "not.html"))
	assert.ErrorContains(t, err, "holds no task statistics")
	_, err = execute(t, "report", statsPath)
	assert.ErrorContains(t, err, "-o is required")

	openInChromium(t, page)
}

// openInChromium loads page in headless Chromium, checks the DOM it built and that no
// console message was logged, and checks that a screenshot is not blank.
func openInChromium(t *testing.T, page string) {
	browser, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed; the report was not opened in a browser")
	}
	dir := t.TempDir()
	shot := filepath.Join(dir, "shot.png")
	run := func(args ...string) (stdout, stderr string) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		args = append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + filepath.Join(dir, "profile"),
			"--enable-logging=stderr", "--v=0"}, args...)
		cmd := exec.CommandContext(ctx, browser, append(args, "file://"+page)...)
		killGroupOnCancel(cmd)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		require.NoError(t, cmd.Run(), "chromium: %s", errOut.String())
		return out.String(), errOut.String()
	}
	dom, logs := run("--dump-dom")
	assert.Equal(t, figureCount, strings.Count(dom, "<svg"), "figures in the DOM chromium built")
	assert.Contains(t, dom, "Critical path")
	for _, line := range strings.Split(logs, "\n") {
		assert.NotContains(t, line, ":CONSOLE", "chromium console message")
	}
	run("--screenshot="+shot, "--window-size=1200,2400", "--hide-scrollbars")
	f, err := os.Open(shot)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	assert.Greater(t, pixelSpread(img), 0.01, "the screenshot is blank")
}

// pixelSpread is the standard deviation of the luminance of img's pixels, from 0 (a
// uniform image) to 0.5.
func pixelSpread(img image.Image) float64 {
	var n, sum, sum2 float64
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			l := (0.299*float64(r) + 0.587*float64(g) + 0.114*float64(bl)) / 0xffff
			n++
			sum += l
			sum2 += l * l
		}
	}
	if n == 0 {
		return 0
	}
	mean := sum / n
	return math.Sqrt(max(sum2/n-mean*mean, 0))
}
