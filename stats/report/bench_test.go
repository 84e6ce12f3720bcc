package report_test

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/stats"
	"github.com/qcmb-go/qcmb/stats/report"
)

// BenchmarkWriteHTML: the report of a 2 000-task run on 8 workers.
func BenchmarkWriteHTML(b *testing.B) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rec := stats.NewRecorder()
	rec.BeginAt(t0)
	free := make([]time.Time, 8)
	for i := range free {
		free[i] = t0
	}
	for i := range 2000 {
		w := i % len(free)
		d := time.Duration(1+i%4) * time.Duration(1+i%7) * 100 * time.Millisecond
		rec.Add(stats.TaskRecord{Label: fmt.Sprintf("t%d", i), MC: "mc", Level: 1 + i%4, Worker: w,
			Start: free[w], End: free[w].Add(d), Threads: 1, CPU: d})
		free[w] = free[w].Add(d)
	}
	rep := rec.Report(8)
	b.ResetTimer()
	for b.Loop() {
		require.NoError(b, report.WriteHTML(io.Discard, rep))
	}
}
