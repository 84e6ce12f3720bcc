package hf

import (
	"context"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time (wall time is unreliable
// on a shared machine).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchCalc(b *testing.B, f func(context.Context, []Atom, Options) (*Result, error), atoms []Atom, opt Options) {
	b.Helper()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := f(context.Background(), atoms, opt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-c0)/1e6/float64(b.N), "cpu-ms/op")
}

// Target (one core): under 50 ms.
func BenchmarkWaterTrimerSTO3GEnergyGradient(b *testing.B) {
	benchCalc(b, Gradient, waterTrimer(), Options{Method: "hf", Basis: "sto-3g"})
}

// Target (one core): under 0.5 s.
func BenchmarkWaterTrimer631GEnergy(b *testing.B) {
	benchCalc(b, Energy, waterTrimer(), Options{Method: "hf", Basis: "6-31g"})
}

func BenchmarkWaterTrimer631GsEnergyGradient(b *testing.B) {
	benchCalc(b, Gradient, waterTrimer(), Options{Method: "hf", Basis: "6-31g*"})
}

func BenchmarkWaterTrimer631GMP2Energy(b *testing.B) {
	benchCalc(b, Energy, waterTrimer(), Options{Method: "mp2", Basis: "6-31g"})
}
