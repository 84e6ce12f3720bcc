package hf

import (
	"context"
	"math"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sameResult reports the first difference between two results, compared
// bit for bit; "" if there is none.
func sameResult(a, b *Result) string {
	fa := []float64{a.Energy, a.SCFEnergy, a.NuclearRepulsion, a.ExternalNuclear, a.MP2Correlation, a.MP2SameSpin, a.MP2OppositeSpin}
	fb := []float64{b.Energy, b.SCFEnergy, b.NuclearRepulsion, b.ExternalNuclear, b.MP2Correlation, b.MP2SameSpin, b.MP2OppositeSpin}
	for i := range fa {
		if math.Float64bits(fa[i]) != math.Float64bits(fb[i]) {
			return "energies differ"
		}
	}
	if a.Iterations != b.Iterations || a.NBasis != b.NBasis || a.NMO != b.NMO {
		return "iterations or sizes differ"
	}
	for _, p := range [][2][]float64{{a.Gradient, b.Gradient}, {a.Hessian, b.Hessian}} {
		if len(p[0]) != len(p[1]) {
			return "derivative lengths differ"
		}
		for i := range p[0] {
			if math.Float64bits(p[0][i]) != math.Float64bits(p[1][i]) {
				return "derivatives differ"
			}
		}
	}
	return ""
}

type wsCalc struct {
	name  string
	atoms []Atom
	opt   Options
	grad  bool
}

func wsCalcs() []wsCalc {
	oh := []Atom{{Z: 8}, {Z: 1, Pos: [3]float64{0.1, 0.2, 1.83}}}
	charges := []PointCharge{{Q: -0.8, Pos: [3]float64{3, 1, 2}}}
	return []wsCalc{
		{name: "trimer sto-3g gradient", atoms: waterTrimer(), opt: Options{Method: "hf", Basis: "sto-3g", Threads: 2}, grad: true},
		{name: "water 6-31g* mp2", atoms: water(), opt: Options{Method: "mp2", Basis: "6-31g*", Threads: 2}},
		{name: "ghost dimer 6-31g gradient", atoms: dimerWithGhosts(), opt: Options{Method: "hf", Basis: "6-31g", Threads: 1}, grad: true},
		{name: "OH uhf cc-pvdz gradient", atoms: oh, opt: Options{Method: "hf", Basis: "cc-pvdz", Threads: 2, Charges: charges}, grad: true},
		{name: "trimer sto-3g gradient again", atoms: waterTrimer(), opt: Options{Method: "hf", Basis: "sto-3g", Threads: 2}, grad: true},
		{name: "water 3-21g direct gradient", atoms: water(), opt: Options{Method: "hf", Basis: "3-21g", Threads: 2, SCFType: "direct"}, grad: true},
		{name: "OH ump2 6-31g gradient", atoms: oh, opt: Options{Method: "mp2", Basis: "6-31g", Threads: 2, Charges: charges}, grad: true},
		{name: "water sto-3g energy", atoms: water(), opt: Options{Method: "hf", Basis: "sto-3g", Threads: 2}},
	}
}

// TestWorkspaceReuse runs calculations of different sizes and kinds, one
// after the other, on one recycled workspace and checks each bitwise
// against the same calculation on freshly allocated memory, so that stale
// data left in a reused buffer would show.
func TestWorkspaceReuse(t *testing.T) {
	ws := new(workspace)
	for _, c := range wsCalcs() {
		set, b, err := validate(c.atoms, c.opt)
		require.NoError(t, err)
		want, _, err := computeIn(context.Background(), nil, c.atoms, set, b, c.opt.Charges, nil, c.grad)
		require.NoError(t, err, c.name)
		got, _, err := computeIn(context.Background(), ws, c.atoms, set, b, c.opt.Charges, nil, c.grad)
		require.NoError(t, err, c.name)
		ws.reset()
		assert.Empty(t, sameResult(got, want), "%s on a reused workspace", c.name)
	}
}

// TestPooledRunsInterleaved runs the same calculation twice through the
// public API with a different molecule in between (so the pooled
// workspace is reused with other sizes) and compares bitwise.
func TestPooledRunsInterleaved(t *testing.T) {
	opt := Options{Method: "hf", Basis: "sto-3g"}
	first, err := Gradient(bg, waterTrimer(), opt)
	require.NoError(t, err)
	_, err = Gradient(bg, dimerWithGhosts(), Options{Method: "hf", Basis: "6-31g*"})
	require.NoError(t, err)
	_, err = Energy(bg, water(), Options{Method: "mp2", Basis: "cc-pvdz"})
	require.NoError(t, err)
	second, err := Gradient(bg, waterTrimer(), opt)
	require.NoError(t, err)
	assert.Empty(t, sameResult(first, second), "repeated trimer gradient")
	// results never alias pooled memory: scribbling on one does not
	// change another
	for i := range first.Gradient {
		first.Gradient[i] = math.NaN()
	}
	third, err := Gradient(bg, waterTrimer(), opt)
	require.NoError(t, err)
	assert.Empty(t, sameResult(second, third), "after modifying an earlier result")
}

// TestPooledConcurrent runs different calculations concurrently (each
// drawing a workspace from the pool) and compares them bitwise with
// serial runs; run it with -race.
func TestPooledConcurrent(t *testing.T) {
	type job struct {
		atoms []Atom
		opt   Options
	}
	jobs := []job{
		{waterTrimer(), Options{Method: "hf", Basis: "sto-3g", Threads: 1}},
		{water(), Options{Method: "hf", Basis: "6-31g*", Threads: 2}},
		{dimerWithGhosts(), Options{Method: "hf", Basis: "sto-3g", Threads: 1}},
		{water(), Options{Method: "mp2", Basis: "6-31g", Threads: 1}},
	}
	want := make([]*Result, len(jobs))
	for i, j := range jobs {
		r, err := Gradient(bg, j.atoms, j.opt)
		require.NoError(t, err)
		want[i] = r
	}
	const rounds = 3
	var wg sync.WaitGroup
	errs := make([]string, rounds*len(jobs))
	for k := range errs {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			j := jobs[k%len(jobs)]
			r, err := Gradient(bg, j.atoms, j.opt)
			if err != nil {
				errs[k] = err.Error()
				return
			}
			errs[k] = sameResult(r, want[k%len(jobs)])
		}(k)
	}
	wg.Wait()
	for k, e := range errs {
		assert.Empty(t, e, "concurrent run %d", k)
	}
}
