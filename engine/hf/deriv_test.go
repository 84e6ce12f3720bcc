package hf

import (
	"context"
	"math"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixedEnergies evaluates sum Dt (T+V), sum W S and the two-electron
// energy for fixed (geometry-independent) density matrices.
func fixedEnergies(t *testing.T, atoms []Atom, b *gbsBasis, ext []PointCharge, dt, W []float64, ds [2][]float64) (e1, eS, e2 float64) {
	sys, err := newSystem(atoms, b, ext, false, 1, false)
	require.NoError(t, err)
	n := sys.bs.nbf
	S, T, V := oneElectron(nil, sys.bs, sys.charges)
	for i := range S {
		e1 += dt[i] * (T[i] + V[i])
		eS += W[i] * S[i]
	}
	st, err := sys.buildERIStore(context.Background(), math.MaxInt)
	require.NoError(t, err)
	jkb := newJKBuilder(sys, st, 2)
	J := make([]float64, n*n)
	K := [][]float64{make([]float64, n*n), make([]float64, n*n)}
	jkb.build(dt, ds[:], J, K)
	for i := range J {
		e2 += 0.5 * (dt[i]*J[i] - ds[0][i]*K[0][i] - ds[1][i]*K[1][i])
	}
	return
}

// TestDerivativeIntegrals checks each analytic derivative-integral
// contraction against central differences with fixed random densities,
// for every shell type (SP, merged general contractions, d, f).
func TestDerivativeIntegrals(t *testing.T) {
	skipUnderRace(t)
	cases := []struct {
		basis string
		atoms []Atom
		ext   []PointCharge
	}{
		{"cc-pvdz", []Atom{{Z: 3}, {Z: 1, Pos: [3]float64{0.1, 0.2, 3.0}}}, nil},
		{"6-31g*", []Atom{{Z: 8}, {Z: 1, Pos: [3]float64{0.3, -0.2, 1.8}}, {Z: 1, Pos: [3]float64{1.5, 0.4, -0.6}, Ghost: true}},
			[]PointCharge{{Q: -0.7, Pos: [3]float64{2, 2, 2}}}},
		{"sto-3g", []Atom{{Z: 30}, {Z: 9, Pos: [3]float64{0.2, 0.1, 3.4}}}, nil},
		{"test-spdf", []Atom{{Z: 2}, {Z: 1, Pos: [3]float64{0.2, 0.1, 2.1}}, {Z: 1, Pos: [3]float64{-1.1, 0.5, -0.9}}}, nil},
	}
	for _, c := range cases {
		var b *gbsBasis
		var err error
		if c.basis == "test-spdf" {
			b, err = parseGBS("test-spdf", testSPDF)
		} else {
			b, err = loadBasis(c.basis)
		}
		require.NoError(t, err)
		sys, err := newSystem(c.atoms, b, c.ext, true, 1, false)
		require.NoError(t, err)
		n := sys.bs.nbf
		r := rand.New(rand.NewSource(7))
		sym := func() []float64 {
			m := make([]float64, n*n)
			for i := 0; i < n; i++ {
				for j := 0; j <= i; j++ {
					v := 0.2 * (r.Float64() - 0.5)
					m[i*n+j], m[j*n+i] = v, v
				}
			}
			return m
		}
		da, db, W := sym(), sym(), sym()
		dt := make([]float64, n*n)
		for i := range dt {
			dt[i] = da[i] + db[i]
		}
		zero := make([]float64, n*n)
		n3 := 3 * len(c.atoms)
		g1, gS, g2 := make([]float64, n3), make([]float64, n3), make([]float64, n3)
		sys.oneElectronGradient(dt, zero, g1)
		sys.oneElectronGradient(zero, W, gS)
		require.NoError(t, sys.twoElectronGradient(&twoPDM{dt: dt, ds: [2][]float64{da, db}}, g2))
		h := 1e-4
		for k := 0; k < n3; k++ {
			var e [2][3]float64
			for s, sg := range []float64{1, -1} {
				d := append([]Atom(nil), c.atoms...)
				d[k/3].Pos[k%3] += sg * h
				e[s][0], e[s][1], e[s][2] = fixedEnergies(t, d, b, c.ext, dt, W, [2][]float64{da, db})
			}
			fd := [3]float64{(e[0][0] - e[1][0]) / (2 * h), -(e[0][1] - e[1][1]) / (2 * h), (e[0][2] - e[1][2]) / (2 * h)}
			an := [3]float64{g1[k], gS[k], g2[k]}
			for i, name := range []string{"one-electron", "overlap", "two-electron"} {
				assert.InDelta(t, fd[i], an[i], 1e-6*math.Max(1, math.Abs(fd[i])), "%s %s coordinate %d: analytic vs finite difference", c.basis, name, k)
			}
		}
	}
}

// testSPDF is a small made-up basis with every shell kind: a general
// contraction (two S sharing exponents), SP, D and F.
const testSPDF = `cartesian
****
H     0
S   2   1.00
      3.0   0.4
      0.5   0.7
S   2   1.00
      3.0   -0.2
      0.5   1.1
SP   2   1.00
      1.2   0.3   0.5
      0.3   0.8   0.6
D   1   1.00
      0.9   1.0
F   1   1.00
      0.7   1.0
****
He     0
S   3   1.00
      9.0   0.2
      2.0   0.5
      0.6   0.5
D   2   1.00
      1.5   0.6
      0.4   0.5
F   1   1.00
      1.1   1.0
****
`

// Spherical d and f functions (and a merged general contraction) keep the
// energy invariant under rotation; cartesian ones do too, at a lower energy.
func TestSphericalRotationInvariance(t *testing.T) {
	skipHeavy(t)
	b, err := parseGBS("test-spdf", testSPDF)
	require.NoError(t, err)
	atoms := []Atom{{Z: 2}, {Z: 1, Pos: [3]float64{0.2, 0.1, 2.1}}, {Z: 1, Pos: [3]float64{-1.1, 0.5, -0.9}}}
	energy := func(a []Atom, pure bool) (float64, int) {
		set := &settings{method: methodHF, nalpha: 2, nbeta: 2, econv: 1e-12, dconv: 1e-10, maxiter: 200, threads: 1, pure: pure, guess: "core", basis: b, memory: DefaultMemory()}
		sys, err := newSystem(a, b, nil, false, 1, pure)
		require.NoError(t, err)
		st, _, err := sys.runSCF(context.Background(), set, nil)
		require.NoError(t, err)
		return st.energy, st.nmo
	}
	es, ms := energy(atoms, true)
	er, _ := energy(rotate(atoms, [3]float64{0.3, 0.2, -0.1}), true)
	ec, mc := energy(atoms, false)
	assert.InDelta(t, es, er, 1e-9, "spherical energy under rotation")
	// H: 2 s + sp + d + f = 2+4+5+7 spherical, 2+4+6+10 cartesian; He: s + d + f
	assert.Equal(t, 18*2+(1+5+7), ms, "spherical orbitals")
	assert.Equal(t, 22*2+(1+6+10), mc, "cartesian orbitals")
	assert.Less(t, ec, es, "cartesian energy below the spherical")
}
