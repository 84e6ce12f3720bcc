package stats

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// manyRecords is a run of n tasks on 16 workers with durations spread over three decades.
func manyRecords(n int) *Recorder {
	rng := rand.New(rand.NewPCG(1, 2))
	rec := NewRecorder()
	rec.BeginAt(t0)
	free := make([]time.Time, 16)
	for i := range free {
		free[i] = t0
	}
	for i := range n {
		w := i % len(free)
		d := time.Duration(float64(time.Millisecond) * 1000 * rng.ExpFloat64() / float64(1+i%4))
		rec.Add(TaskRecord{Label: fmt.Sprintf("t%d", i), MC: "mc", Level: 1 + i%4, Worker: w,
			Start: free[w], End: free[w].Add(d), Threads: 1, CPU: d * 9 / 10})
		free[w] = free[w].Add(d)
	}
	rec.EndAt(t0.Add(time.Hour))
	return rec
}

// BenchmarkReport: the statistics of a 10 000-task run (a 6-body expansion of a 20-fragment
// cluster is about that size) take well under a second.
func BenchmarkReport(b *testing.B) {
	rec := manyRecords(10000)
	b.ResetTimer()
	for b.Loop() {
		rec.Report(16)
	}
}

func BenchmarkMakespan(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	d := make([]time.Duration, 10000)
	for i := range d {
		d[i] = time.Duration(rng.Int64N(int64(time.Minute)))
	}
	b.ResetTimer()
	for b.Loop() {
		Makespan(d, 64)
	}
}
