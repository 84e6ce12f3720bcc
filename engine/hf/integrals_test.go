package hf

import (
	"math"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refHermiteR evaluates R^n_tuv by the textbook recursion (memoised).
func refHermiteR(alpha, x, y, z float64, f []float64) func(n, t, u, v int) float64 {
	memo := map[[4]int]float64{}
	var r func(n, t, u, v int) float64
	r = func(n, t, u, v int) float64 {
		k := [4]int{n, t, u, v}
		if val, ok := memo[k]; ok {
			return val
		}
		var val float64
		switch {
		case t < 0 || u < 0 || v < 0:
			return 0
		case t > 0:
			val = float64(t-1)*r(n+1, t-2, u, v) + x*r(n+1, t-1, u, v)
		case u > 0:
			val = float64(u-1)*r(n+1, t, u-2, v) + y*r(n+1, t, u-1, v)
		case v > 0:
			val = float64(v-1)*r(n+1, t, u, v-2) + z*r(n+1, t, u, v-1)
		default:
			val = math.Pow(-2*alpha, float64(n)) * f[n]
		}
		memo[k] = val
		return val
	}
	return r
}

// TestHermiteR checks the closed forms (L <= 3) and the tabulated
// recursion against the textbook recursion.
func TestHermiteR(t *testing.T) {
	ensureTables()
	rng := rand.New(rand.NewSource(7))
	buf := make([]float64, 2*maxStride*maxStride*maxStride)
	f := make([]float64, maxHermL+2)
	for L := 0; L <= maxHermL; L++ {
		for trial := 0; trial < 5; trial++ {
			alpha := 0.1 + 3*rng.Float64()
			x, y, z := 2*rng.Float64()-1, 2*rng.Float64()-1, 2*rng.Float64()-1
			boys(L, alpha*(x*x+y*y+z*z), f)
			got := hermiteR(L, alpha, x, y, z, f, buf)
			ref := refHermiteR(alpha, x, y, z, f)
			off := hermOff[L+1]
			for h := 0; h < nherm(L); h++ {
				tuv := hermIdx[h]
				want := ref(0, tuv[0], tuv[1], tuv[2])
				tol := 1e-14
				if L > 5 {
					tol = 1e-10 // roundoff grows with the recursion depth
				}
				require.InDelta(t, want, got[off[h]], tol*math.Max(1, math.Abs(want)), "L=%d R%v", L, tuv)
			}
		}
	}
}

// TestGradientBoysCache checks that the gradient is the same whether the
// Boys function values come from the integral pass or are recomputed.
func TestGradientBoysCache(t *testing.T) {
	skipHeavy(t)
	atoms := waterTrimer()
	for _, basis := range []string{"sto-3g", "6-31g*"} {
		opt := Options{Method: "hf", Basis: basis}
		set, b, err := validate(atoms, opt)
		require.NoError(t, err)
		sys, err := newSystem(atoms, b, nil, true, 1, set.pure)
		require.NoError(t, err)
		st, _, err := sys.runSCF(bg, set, nil)
		require.NoError(t, err)
		require.NotNil(t, sys.boysF, "%s: no Boys cache", basis)
		g1, err := sys.scfGradient(st)
		require.NoError(t, err)
		sys.boysF = nil
		g2, err := sys.scfGradient(st)
		require.NoError(t, err)
		for k := range g1 {
			assert.InDelta(t, g1[k], g2[k], 1e-11, "%s: gradient %d: cached vs recomputed", basis, k)
		}
	}
}

// TestTrimerGradientDeterministic checks that the water trimer gradient
// (stored integrals, Boys cache, one-centre shortcuts) is bitwise the same
// for any thread count and across runs.
func TestTrimerGradientDeterministic(t *testing.T) {
	skipHeavy(t)
	var ref *Result
	for _, th := range []int{1, 2, 3, 1} {
		r, err := Gradient(bg, waterTrimer(), Options{Method: "hf", Basis: "sto-3g", Threads: th})
		require.NoError(t, err)
		if ref == nil {
			ref = r
			continue
		}
		assert.Equal(t, ref.Energy, r.Energy, "threads %d: energy", th)
		assert.Equal(t, ref.Gradient, r.Gradient, "threads %d: gradient", th)
	}
	// translational invariance: the gradient sums to zero
	for x := 0; x < 3; x++ {
		s := 0.0
		for i := x; i < len(ref.Gradient); i += 3 {
			s += ref.Gradient[i]
		}
		assert.InDelta(t, 0, s, 1e-9, "gradient component %d sum", x)
	}
}
