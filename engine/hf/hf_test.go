package hf

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var bg = context.Background()

// fdGradient is the central finite difference of Energy (step h bohr).
func fdGradient(t *testing.T, atoms []Atom, opt Options, h float64) []float64 {
	t.Helper()
	return fdStencil(t, atoms, opt, h, []float64{1, -1}, []float64{1, -1}, 2)
}

// fdStencil differentiates energies with a central stencil: displacements
// steps*h with weights, divided by div*h, with tight SCF convergence.
func fdStencil(t *testing.T, atoms []Atom, opt Options, h float64, steps, weights []float64, div float64) []float64 {
	t.Helper()
	opt.EConvergence, opt.DConvergence = 1e-12, 1e-10
	g := make([]float64, 3*len(atoms))
	for k := range g {
		for s, mult := range steps {
			d := append([]Atom(nil), atoms...)
			d[k/3].Pos[k%3] += mult * h
			r, err := Energy(bg, d, opt)
			require.NoError(t, err)
			g[k] += weights[s] * r.Energy
		}
		g[k] /= div * h
	}
	return g
}

func dimerWithGhosts() []Atom {
	return []Atom{
		{Z: 8, Pos: [3]float64{-2.76373224, -1.24377706, -0.15444566}},
		{Z: 1, Pos: [3]float64{-1.12357791, -2.0622797, -0.05243799}},
		{Z: 1, Pos: [3]float64{-3.80792362, -2.08705525, 1.06090407}},
		{Z: 8, Pos: [3]float64{2.46924614, -1.75437739, -0.17092884}, Ghost: true},
		{Z: 1, Pos: [3]float64{3.7636826, -2.21425403, 1.00846104}, Ghost: true},
		{Z: 1, Pos: [3]float64{2.3059833, 0.07098445, -0.03942473}, Ghost: true},
	}
}

func distorted(atoms []Atom) []Atom {
	out := append([]Atom(nil), atoms...)
	for i := range out {
		out[i].Pos[0] += 0.05 * float64(i%3)
		out[i].Pos[1] -= 0.03 * float64((i+1)%2)
		out[i].Pos[2] += 0.02 * float64(i)
	}
	return out
}

func TestAnalyticGradientVsFiniteDifference(t *testing.T) {
	skipHeavy(t)
	oh := []Atom{{Z: 8, Pos: [3]float64{0, 0, 0.1}}, {Z: 1, Pos: [3]float64{0.1, 0.2, 1.9}}}
	nh2 := []Atom{{Z: 7, Pos: [3]float64{0, 0, 0}}, {Z: 1, Pos: [3]float64{0, 1.5, 1.1}}, {Z: 1, Pos: [3]float64{0.2, -1.6, 1.0}}}
	hcl := []Atom{{Z: 17, Pos: [3]float64{0, 0, 0}}, {Z: 1, Pos: [3]float64{0.1, 0.1, 2.45}}}
	charges := []PointCharge{{Q: -0.8, Pos: [3]float64{3, 1, -2}}, {Q: 0.4, Pos: [3]float64{-2.5, 2, 3}}}
	cases := []struct {
		name  string
		atoms []Atom
		opt   Options
	}{
		{"rhf/sto-3g", distorted(water()), Options{Method: "hf", Basis: "sto-3g"}},
		{"rhf/6-31g*", distorted(water()), Options{Method: "hf", Basis: "6-31G*"}},
		{"rhf/3-21g/ghosts", dimerWithGhosts(), Options{Method: "hf", Basis: "3-21g"}},
		{"rhf/6-31g*/charges", distorted(water()), Options{Method: "hf", Basis: "6-31gs", Charges: charges}},
		{"uhf/6-31g*/OH", oh, Options{Method: "hf", Basis: "6-31g*", Multiplicity: 2}},
		{"uhf/6-31g/NH2+charges", nh2, Options{Method: "hf", Basis: "6-31g", Multiplicity: 2, Charges: charges}},
		{"uhf/sto-3g/triplet-water-cation", distorted(water()), Options{Method: "hf", Basis: "sto-3g", Charge: 1, Multiplicity: 2}},
		{"rhf/6-31g*/HCl", hcl, Options{Method: "hf", Basis: "6-31g*"}},
		{"rhf/cc-pvdz(spherical)", distorted(water()), Options{Method: "hf", Basis: "cc-pvdz"}},
		{"uhf/6-31g*(spherical)/OH", oh, Options{Method: "hf", Basis: "6-31g*", Multiplicity: 2, Puream: ptrTrue()}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opt := c.opt
			opt.EConvergence, opt.DConvergence = 1e-12, 1e-10
			res, err := Gradient(bg, c.atoms, opt)
			require.NoError(t, err)
			fd := fdGradient(t, c.atoms, c.opt, 1e-3)
			sum := [3]float64{}
			for k := range fd {
				assert.InDelta(t, fd[k], res.Gradient[k], 1e-6, "component %d: analytic vs finite difference", k)
				sum[k%3] += res.Gradient[k]
			}
			if len(opt.Charges) == 0 {
				for x, s := range sum {
					assert.InDelta(t, 0, s, 1e-8, "gradient not translationally invariant: sum[%d]", x)
				}
			}
		})
	}
}

func TestMP2GradientFiniteDifference(t *testing.T) {
	skipHeavy(t)
	atoms := distorted(water())
	opt := Options{Method: "mp2", Basis: "sto-3g"}
	res, err := Gradient(bg, atoms, opt)
	require.NoError(t, err)
	// check against the analytic HF gradient shape and translational invariance
	sum := [3]float64{}
	for k, v := range res.Gradient {
		sum[k%3] += v
	}
	for x, s := range sum {
		assert.InDelta(t, 0, s, 1e-6, "MP2 gradient sum[%d]", x)
	}
	// directional derivative check with a larger independent step
	fd := fdGradient(t, atoms[:], opt, 0.002)
	for k := range fd {
		assert.InDelta(t, fd[k], res.Gradient[k], 1e-5, "component %d: analytic vs finite difference", k)
	}
}

func TestHessian(t *testing.T) {
	skipHeavy(t)
	atoms := distorted(water())
	res, err := Hessian(bg, atoms, Options{Method: "hf", Basis: "sto-3g"})
	require.NoError(t, err)
	n3 := 3 * len(atoms)
	require.Len(t, res.Hessian, n3*n3, "Hessian")
	require.Len(t, res.Gradient, n3, "gradient")
	for i := 0; i < n3; i++ {
		for j := 0; j < n3; j++ {
			require.Equal(t, res.Hessian[j*n3+i], res.Hessian[i*n3+j], "Hessian not symmetric at %d,%d", i, j)
		}
	}
	// translations: H . T = 0 for T a rigid translation
	for x := 0; x < 3; x++ {
		for i := 0; i < n3; i++ {
			s := 0.0
			for a := 0; a < len(atoms); a++ {
				s += res.Hessian[i*n3+3*a+x]
			}
			assert.InDelta(t, 0, s, 1e-5, "translation %d: row %d sum", x, i)
		}
	}
	// diagonal O-H stretch-like elements must be positive
	assert.True(t, res.Hessian[3*n3+3] > 0 || res.Hessian[4*n3+4] > 0 || res.Hessian[5*n3+5] > 0,
		"Hessian diagonal for an H atom: no positive element")
}

func rotate(atoms []Atom, shift [3]float64) []Atom {
	// rotation by Euler-like angles
	a, b, c := 0.3, -1.1, 2.0
	rz := func(th float64) [3][3]float64 {
		return [3][3]float64{{math.Cos(th), -math.Sin(th), 0}, {math.Sin(th), math.Cos(th), 0}, {0, 0, 1}}
	}
	ry := func(th float64) [3][3]float64 {
		return [3][3]float64{{math.Cos(th), 0, math.Sin(th)}, {0, 1, 0}, {-math.Sin(th), 0, math.Cos(th)}}
	}
	mul := func(m [3][3]float64, v [3]float64) [3]float64 {
		var o [3]float64
		for i := 0; i < 3; i++ {
			for j := 0; j < 3; j++ {
				o[i] += m[i][j] * v[j]
			}
		}
		return o
	}
	out := append([]Atom(nil), atoms...)
	for i := range out {
		p := mul(rz(a), mul(ry(b), mul(rz(c), out[i].Pos)))
		for k := 0; k < 3; k++ {
			p[k] += shift[k]
		}
		out[i].Pos = p
	}
	return out
}

func TestRigidMotionInvariance(t *testing.T) {
	skipUnderRace(t)
	cases := []struct {
		atoms []Atom
		opt   Options
	}{
		{distorted(water()), Options{Method: "hf", Basis: "6-31g*"}},
		{dimerWithGhosts(), Options{Method: "mp2", Basis: "6-31g*"}},
		{[]Atom{{Z: 8, Pos: [3]float64{0, 0, 0.1}}, {Z: 1, Pos: [3]float64{0.1, 0.2, 1.9}}}, Options{Method: "mp2", Basis: "cc-pvdz", Multiplicity: 2, Puream: new(bool)}},
		{[]Atom{{Z: 8, Pos: [3]float64{0, 0, 0.1}}, {Z: 1, Pos: [3]float64{0.1, 0.2, 1.9}}}, Options{Method: "mp2", Basis: "cc-pvdz", Multiplicity: 2}},
		{[]Atom{{Z: 30}, {Z: 8, Pos: [3]float64{0.3, 0.1, 3.2}}}, Options{Method: "hf", Basis: "sto-3g"}},
	}
	for _, c := range cases {
		opt := c.opt
		opt.EConvergence, opt.DConvergence = 1e-12, 1e-10
		r1, err := Energy(bg, c.atoms, opt)
		require.NoError(t, err)
		r2, err := Energy(bg, rotate(c.atoms, [3]float64{1.5, -2.25, 0.7}), opt)
		require.NoError(t, err)
		assert.InDelta(t, r1.Energy, r2.Energy, 1e-9, "%s/%s: energy under rotation+translation", opt.Method, opt.Basis)
	}
}

func TestUHFSingletEqualsRHF(t *testing.T) {
	atoms := distorted(water())
	for _, m := range []string{"hf", "mp2"} {
		r, err := Energy(bg, atoms, Options{Method: m, Basis: "6-31g*"})
		require.NoError(t, err)
		u, err := Energy(bg, atoms, Options{Method: m, Basis: "6-31g*", Reference: "uhf"})
		require.NoError(t, err)
		assert.InDelta(t, r.Energy, u.Energy, 1e-8, "%s: RHF vs UHF", m)
		if m == "mp2" {
			assert.InDelta(t, r.MP2SameSpin, u.MP2SameSpin, 1e-8, "same spin: RHF vs UHF")
		}
	}
}

// Known literature-quality values: H2 and He atom limits.
func TestSmallSystems(t *testing.T) {
	// He atom, STO-3G: E = -2.807783957 (Szabo & Ostlund style value).
	r, err := Energy(bg, []Atom{{Z: 2}}, Options{Method: "hf", Basis: "sto-3g"})
	require.NoError(t, err)
	assert.InDelta(t, -2.807783957, r.Energy, 1e-6, "He/STO-3G")
	// H2 at 1.4 bohr STO-3G: E = -1.116714325 (Szabo & Ostlund: -1.1167).
	r, err = Energy(bg, []Atom{{Z: 1}, {Z: 1, Pos: [3]float64{0, 0, 1.4}}}, Options{Method: "hf", Basis: "sto-3g"})
	require.NoError(t, err)
	assert.InDelta(t, -1.116714325, r.Energy, 1e-6, "H2/STO-3G")
	// H atom (doublet): exact single-determinant energy in the basis: -0.466581850 in STO-3G
	r, err = Energy(bg, []Atom{{Z: 1}}, Options{Method: "mp2", Basis: "sto-3g"})
	require.NoError(t, err)
	assert.InDelta(t, -0.466581850, r.SCFEnergy, 1e-6, "H/STO-3G")
	assert.Zero(t, r.MP2Correlation, "H/STO-3G MP2 correlation")
	assert.Equal(t, 1, r.NAlpha, "H/STO-3G alpha electrons")
	assert.Equal(t, 0, r.NBeta, "H/STO-3G beta electrons")
}

func TestPointChargeEnergy(t *testing.T) {
	atoms := water()
	q := []PointCharge{{Q: 0.5, Pos: [3]float64{0, 0, 6}}}
	r, err := Energy(bg, atoms, Options{Method: "hf", Basis: "sto-3g", Charges: q})
	require.NoError(t, err)
	want := 0.0
	for _, a := range atoms {
		want += float64(a.Z) * 0.5 / dist(a.Pos, q[0].Pos)
	}
	assert.InDelta(t, want, r.ExternalNuclear, 1e-12, "charge-nucleus energy")
	r0, _ := Energy(bg, atoms, Options{Method: "hf", Basis: "sto-3g"})
	assert.Equal(t, r0.NuclearRepulsion, r.NuclearRepulsion, "nuclear repulsion must exclude external charges")
	// a distant small charge: energy change ~ q * (molecular potential) -> small
	assert.InDelta(t, r0.Energy, r.Energy, 0.05, "energy with charge")
	assert.NotEqual(t, r0.Energy, r.Energy, "energy with charge")
}

func TestBadInput(t *testing.T) {
	w := water()
	cases := []struct {
		name  string
		atoms []Atom
		opt   Options
		check func(error) bool
	}{
		{"unknown basis", w, Options{Method: "hf", Basis: "def2-qzvpp"}, func(e error) bool { var x *UnknownBasisError; return errors.As(e, &x) }},
		{"unknown method", w, Options{Method: "ccsd(t)", Basis: "sto-3g"}, func(e error) bool { var x *UnknownMethodError; return errors.As(e, &x) }},
		{"element not in basis", []Atom{{Z: 86}}, Options{Method: "hf", Basis: "6-31g"}, func(e error) bool {
			var x *UnsupportedElementError
			return errors.As(e, &x) && x.Element == "Rn" && x.Basis == "6-31g"
		}},
		{"bad Z", []Atom{{Z: 0}}, Options{Method: "hf", Basis: "sto-3g"}, func(e error) bool { var x *UnsupportedElementError; return errors.As(e, &x) }},
		{"multiplicity mismatch", w, Options{Method: "hf", Basis: "sto-3g", Multiplicity: 2}, func(e error) bool { return errors.Is(e, ErrInvalidInput) }},
		{"rhf open shell", w, Options{Method: "hf", Basis: "sto-3g", Charge: 1, Reference: "rhf"}, func(e error) bool { return errors.Is(e, ErrInvalidInput) }},
		{"bad reference", w, Options{Method: "hf", Basis: "sto-3g", Reference: "rohf"}, func(e error) bool { return errors.Is(e, ErrInvalidInput) }},
		{"no atoms", nil, Options{Method: "hf", Basis: "sto-3g"}, func(e error) bool { return errors.Is(e, ErrInvalidInput) }},
		{"all ghosts", []Atom{{Z: 1, Ghost: true}}, Options{Method: "hf", Basis: "sto-3g"}, func(e error) bool { return errors.Is(e, ErrInvalidInput) }},
		{"NaN coordinate", []Atom{{Z: 1, Pos: [3]float64{math.NaN(), 0, 0}}}, Options{Method: "hf", Basis: "sto-3g"}, func(e error) bool { return errors.Is(e, ErrInvalidInput) }},
		{"coincident atoms", []Atom{{Z: 1}, {Z: 1}}, Options{Method: "hf", Basis: "sto-3g"}, func(e error) bool { return errors.Is(e, ErrInvalidInput) }},
		{"too many electrons removed", w, Options{Method: "hf", Basis: "sto-3g", Charge: 11}, func(e error) bool { return errors.Is(e, ErrInvalidInput) }},
		{"charge on nucleus", w, Options{Method: "hf", Basis: "sto-3g", Charges: []PointCharge{{Q: 1, Pos: w[1].Pos}}}, func(e error) bool { return errors.Is(e, ErrInvalidInput) }},
		{"NaN threshold", w, Options{Method: "hf", Basis: "sto-3g", EConvergence: math.NaN()}, func(e error) bool { return errors.Is(e, ErrInvalidInput) }},
		{"NaN point charge", w, Options{Method: "hf", Basis: "sto-3g", Charges: []PointCharge{{Q: math.Inf(1)}}}, func(e error) bool { return errors.Is(e, ErrInvalidInput) }},
		{"huge Z", []Atom{{Z: 500}}, Options{Method: "hf", Basis: "sto-3g"}, func(e error) bool { var x *UnsupportedElementError; return errors.As(e, &x) }},
		{"empty method", w, Options{Basis: "sto-3g"}, func(e error) bool { var x *UnknownMethodError; return errors.As(e, &x) }},
		{"not converged", w, Options{Method: "hf", Basis: "6-31g", MaxIter: 3}, func(e error) bool {
			var x *SCFError
			return errors.As(e, &x) && x.Reason == SCFNotConverged && len(x.History) == 3 &&
				x.Last().Iteration == 3 && !math.IsNaN(x.Last().Energy) && x.Last().OrbitalGradient > 0
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, f := range []func(context.Context, []Atom, Options) (*Result, error){Energy, Gradient} {
				r, err := f(bg, c.atoms, c.opt)
				require.Error(t, err, "no error, result %+v", r)
				assert.True(t, c.check(err), "unexpected error type %T: %v", err, err)
				assert.NotEmpty(t, err.Error(), "message")
			}
		})
	}
}

func ptrTrue() *bool { b := true; return &b }

func TestMP2Hessian(t *testing.T) {
	skipHeavy(t)
	h2 := []Atom{{Z: 1}, {Z: 1, Pos: [3]float64{0.1, 0, 1.4}}}
	r, err := Hessian(bg, h2, Options{Method: "mp2", Basis: "sto-3g"})
	require.NoError(t, err)
	// the stretch force constant from the Hessian must match a direct
	// second difference of energies along the bond
	h := 0.01
	var e [3]float64
	for i, d := range []float64{-h, 0, h} {
		a := append([]Atom(nil), h2...)
		a[1].Pos[2] += d
		res, err := Energy(bg, a, Options{Method: "mp2", Basis: "sto-3g", EConvergence: 1e-12, DConvergence: 1e-10})
		require.NoError(t, err)
		e[i] = res.Energy
	}
	want := (e[0] - 2*e[1] + e[2]) / (h * h)
	assert.InDelta(t, want, r.Hessian[5*6+5], 1e-3, "d2E/dz2")
}

func TestContextCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(bg)
	cancel()
	_, err := Energy(ctx, water(), Options{Method: "hf", Basis: "sto-3g"})
	assert.ErrorIs(t, err, context.Canceled, "energy")
	_, err = Hessian(ctx, water(), Options{Method: "hf", Basis: "sto-3g"})
	assert.ErrorIs(t, err, context.Canceled, "hessian")
	// a deadline in the middle of a finite-difference Hessian
	ctx, cancel = context.WithTimeout(bg, 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = Hessian(ctx, waterTrimer(), Options{Method: "hf", Basis: "sto-3g", Threads: 1})
	assert.ErrorIs(t, err, context.DeadlineExceeded, "hessian with deadline")
	assert.LessOrEqual(t, time.Since(start), 2*time.Second, "cancellation took")
}

func TestBasisNames(t *testing.T) {
	for _, name := range []string{"STO-3G", "sto-3g", "3-21G", "6-31G", "6-31g*", "6-31GS", "6-31G(d)", "CC-PVDZ"} {
		_, err := loadBasis(name)
		assert.NoError(t, err, name)
	}
	a, _ := loadBasis("6-31g*")
	b, _ := loadBasis("6-31gs")
	assert.Same(t, a, b, "6-31g* and 6-31gs must be the same basis")
	// element coverage H..Ar for the Pople sets
	for _, name := range []string{"sto-3g", "3-21g", "6-31g", "6-31g*", "cc-pvdz"} {
		b, _ := loadBasis(name)
		for z := 1; z <= 18; z++ {
			_, ok := b.elements[z]
			assert.True(t, ok, "%s lacks %s", name, symbolOf(z))
		}
	}
}

func TestDirectSCFMatchesStored(t *testing.T) {
	skipHeavy(t)
	atoms := dimerWithGhosts()
	for i := range atoms {
		atoms[i].Ghost = false
	}
	opt := Options{Method: "mp2", Basis: "6-31g*", Charges: []PointCharge{{Q: 0.2, Pos: [3]float64{0, 5, 0}}}}
	stored, err := Gradient(bg, atoms, Options{Method: "hf", Basis: "6-31g*", Charge: 1, Multiplicity: 2})
	require.NoError(t, err)
	e1, err := Energy(bg, atoms, opt)
	require.NoError(t, err)
	direct, err := Gradient(bg, atoms, Options{Method: "hf", Basis: "6-31g*", Charge: 1, Multiplicity: 2, SCFType: "direct"})
	require.NoError(t, err)
	opt.SCFType = "direct"
	e2, err := Energy(bg, atoms, opt)
	require.NoError(t, err)
	assert.InDelta(t, stored.Energy, direct.Energy, 1e-10, "HF energy: stored vs direct")
	assert.InDelta(t, e1.Energy, e2.Energy, 1e-10, "MP2 energy: stored vs direct")
	for k := range stored.Gradient {
		assert.InDelta(t, stored.Gradient[k], direct.Gradient[k], 1e-9, "gradient %d: stored vs direct", k)
	}
}

func TestThreadIndependence(t *testing.T) {
	cation := dimerWithGhosts()
	for _, opt := range []Options{
		{Method: "hf", Basis: "6-31g"},
		{Method: "mp2", Basis: "6-31g"},
		{Method: "mp2", Basis: "3-21g", Charge: 1, SCFType: "direct"},
	} {
		var ref *Result
		for _, th := range []int{1, 2, 3} {
			opt.Threads = th
			r, err := Gradient(bg, cation, opt)
			require.NoError(t, err)
			if ref == nil {
				ref = r
				continue
			}
			assert.Empty(t, sameResult(r, ref), "%s/%s threads %d", opt.Method, opt.Basis, th)
		}
	}
}

// Psi4's tu1 test: HF/cc-pVDZ (spherical d) water, O-H 0.96 A, 104.5 deg,
// scf_type pk: -76.02665366 Eh. Also a qcdb reference geometry in A.
func TestSphericalReference(t *testing.T) {
	skipUnderRace(t)
	const bohrPerAngstrom = 1 / 0.52917721067
	r := 0.96 * bohrPerAngstrom
	th := 104.5 * math.Pi / 180
	tu1 := []Atom{{Z: 8}, {Z: 1, Pos: [3]float64{0, 0, r}}, {Z: 1, Pos: [3]float64{0, r * math.Sin(th), r * math.Cos(th)}}}
	res, err := Energy(bg, tu1, Options{Method: "hf", Basis: "cc-pVDZ"})
	require.NoError(t, err)
	t.Logf("tu1 diff %.2e", res.Energy+76.02665366)
	assert.InDelta(t, -76.02665366, res.Energy, 1e-6, "tu1: energy")
	assert.Equal(t, 24, res.NBasis, "tu1: basis functions")
	assert.Equal(t, 24, res.NMO, "tu1: orbitals")
	cart, err := Energy(bg, tu1, Options{Method: "hf", Basis: "cc-pVDZ", Puream: new(bool)})
	require.NoError(t, err)
	assert.Equal(t, 25, cart.NBasis, "cartesian cc-pVDZ: basis functions")
	assert.Less(t, cart.Energy, res.Energy, "cartesian cc-pVDZ energy below the spherical")
	q := []Atom{
		{Z: 8, Pos: [3]float64{0, 0, -0.065638538099 * bohrPerAngstrom}},
		{Z: 1, Pos: [3]float64{0, -0.757480611647 * bohrPerAngstrom, 0.520865616174 * bohrPerAngstrom}},
		{Z: 1, Pos: [3]float64{0, 0.757480611647 * bohrPerAngstrom, 0.520865616174 * bohrPerAngstrom}},
	}
	res, err = Energy(bg, q, Options{Method: "hf", Basis: "cc-pvdz"})
	require.NoError(t, err)
	t.Logf("qcdb diff %.2e", res.Energy+76.026760737428)
	assert.InDelta(t, -76.026760737428, res.Energy, 1e-6, "qcdb water: energy")
}

func TestConcurrentCalls(t *testing.T) {
	want, err := Energy(bg, water(), Options{Method: "mp2", Basis: "6-31g*"})
	require.NoError(t, err)
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		go func() {
			r, err := Energy(bg, water(), Options{Method: "mp2", Basis: "6-31g*"})
			if err == nil && r.Energy != want.Energy {
				err = errors.New("energies differ between concurrent calls")
			}
			errs <- err
		}()
	}
	for i := 0; i < 4; i++ {
		assert.NoError(t, <-errs)
	}
}
