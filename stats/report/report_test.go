package report_test

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/stats"
	"github.com/qcmb-go/qcmb/stats/report"
)

// trimer is the report of a small run: a water trimer on two workers, one of them a
// process that took 300 ms to start, one task failed.
func trimer() *stats.Report {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	rec := stats.NewRecorder()
	rec.BeginAt(t0)
	rec.AddWorker(stats.WorkerRecord{Worker: 1, Requested: t0, Ready: ms(300), Host: "node7"})
	for _, task := range []struct {
		label, mc  string
		level, wkr int
		start, end int
		err        string
	}{
		{`["mp2", [1, 2, 3], [1, 2, 3]]`, "mp2", 3, 0, 0, 2500, ""},
		{`["mp2", [1, 2], [1, 2, 3]]`, "mp2", 2, 1, 0, 1300, ""},
		{`["mp2", [1, 3], [1, 2, 3]]`, "mp2", 2, 1, 1300, 2200, "SCF did not converge"},
		{`["mp2", [2, 3], [1, 2, 3]]`, "mp2", 2, 1, 2200, 3100, ""},
		{`["mp2", [1], [1, 2, 3]]`, "mp2", 1, 0, 2500, 2900, ""},
		{`["mp2", [2], [1, 2, 3]]`, "mp2", 1, 0, 2900, 3300, ""},
		{`["hf", [3], [3]]`, "hf", 1, 1, 3100, 3150, ""},
	} {
		// CPU times well below the durations, as a task waiting on a loaded machine has:
		// estimated serial times are a tenth of the measured ones.
		cpu := time.Duration(task.end-task.start) * time.Millisecond / 10
		rec.Add(stats.TaskRecord{Label: task.label, MC: task.mc, Level: task.level,
			Worker: task.wkr, Start: ms(task.start), End: ms(task.end), Attempts: 1, Error: task.err, Threads: 1, CPU: cpu})
	}
	rec.EndAt(ms(3350))
	return rec.Report(2)
}

func TestFigures(t *testing.T) {
	rep := trimer()
	figs, err := report.Figures(rep)
	require.NoError(t, err)
	var names []string
	for _, f := range figs {
		names = append(names, f.Name)
		assert.Positive(t, f.Width, f.Name)
		assert.Positive(t, f.Height, f.Name)
		assert.NotEmpty(t, f.Caption, f.Name)
	}
	assert.Equal(t, []string{"timeline", "durations", "levels", "model-chemistries", "speedup"}, names)

	// Without task records only the charts of the aggregates remain.
	rep.Records = nil
	figs, err = report.Figures(rep)
	require.NoError(t, err)
	names = names[:0]
	for _, f := range figs {
		names = append(names, f.Name)
	}
	assert.Equal(t, []string{"levels", "model-chemistries", "speedup"}, names)
}

func TestWriteHTML(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, report.WriteHTML(&buf, trimer()))
	page := buf.String()
	assert.True(t, strings.HasPrefix(page, "<!DOCTYPE html>"))
	assert.Equal(t, 5, strings.Count(page, "<svg "))
	assert.Equal(t, 5, strings.Count(page, "</svg>"))
	assert.NotContains(t, page, "<?xml", "SVG prologs do not belong inline")
	assert.Contains(t, page, "Speedup basis")
	// The longest task card shows the measured duration the timeline draws, not the
	// estimated serial time (250ms).
	assert.Contains(t, page, `<div class="k">Longest task</div><div class="v">2.5s</div><div class="s">[&#34;mp2&#34;, [1, 2, 3], [1, 2, 3]] · measured</div>`)
	assert.Contains(t, page, `<td class="label">[&#34;mp2&#34;, [1, 2, 3], [1, 2, 3]]</td>`, "labels are escaped")
	for _, bad := range []string{" src=", "<link", "<script"} {
		assert.NotContains(t, page, bad)
	}
}

func TestWriteFiles(t *testing.T) {
	dir := t.TempDir()
	for _, format := range []string{report.FormatSVG, report.FormatPNG} {
		paths, err := report.WriteFiles(filepath.Join(dir, format), trimer(), format)
		require.NoError(t, err)
		require.Len(t, paths, 5)
		for _, p := range paths {
			data, err := os.ReadFile(p)
			require.NoError(t, err)
			assert.True(t, strings.HasSuffix(p, "."+format), p)
			if format == report.FormatPNG {
				_, err := png.Decode(bytes.NewReader(data))
				assert.NoError(t, err, p)
			} else {
				assert.Contains(t, string(data), "<svg")
			}
		}
	}
	_, err := report.WriteFiles(dir, trimer(), "jpeg")
	assert.ErrorContains(t, err, `format "jpeg"`)
}
