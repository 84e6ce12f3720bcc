package hf

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func benchCalc(b *testing.B, f func(context.Context, []Atom, Options) (*Result, error), atoms []Atom, opt Options) {
	b.Helper()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		_, err := f(context.Background(), atoms, opt)
		require.NoError(b, err)
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

// waterCluster returns the first n waters of testdata/water16.xyz (bohr):
// water-2 a pair, water-4 a square, water-8 a cube, water-16 two cubes.
func waterCluster(tb testing.TB, n int) []Atom {
	tb.Helper()
	data, err := os.ReadFile("testdata/water16.xyz")
	require.NoError(tb, err)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")[2:]
	atoms := make([]Atom, 3*n)
	for i := range atoms {
		f := strings.Fields(lines[i])
		atoms[i].Z = ZOf(f[0])
		for k := 0; k < 3; k++ {
			atoms[i].Pos[k], err = strconv.ParseFloat(f[k+1], 64)
			require.NoError(tb, err)
		}
	}
	return atoms
}

// BenchmarkWaterClusters times single-threaded calculations on water
// clusters (CPU ms per operation), side by side with Psi4 on the same
// geometries. Run one size at a time, e.g.
//
//	go test -run '^$' -bench 'WaterClusters/mp2-gradient/n=4' -benchtime 1x
//
// Targets: the MP2 gradient at most 4 times the MP2 energy.
func BenchmarkWaterClusters(b *testing.B) {
	cases := []struct {
		name  string
		f     func(context.Context, []Atom, Options) (*Result, error)
		opt   Options
		sizes []int
	}{
		{"mp2-energy", Energy, Options{Method: "mp2", Basis: "6-31g"}, []int{2, 4, 8, 16}},
		{"mp2-gradient", Gradient, Options{Method: "mp2", Basis: "6-31g"}, []int{2, 4, 8}},
		{"hf-6-31gs-gradient", Gradient, Options{Method: "hf", Basis: "6-31g*"}, []int{1, 2, 4, 8, 16}},
	}
	for _, c := range cases {
		for _, n := range c.sizes {
			b.Run(fmt.Sprintf("%s/n=%d", c.name, n), func(b *testing.B) {
				opt := c.opt
				opt.Threads = 1
				benchCalc(b, c.f, waterCluster(b, n), opt)
			})
		}
	}
}
