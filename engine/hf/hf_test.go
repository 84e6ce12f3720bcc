package hf

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"
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
			if err != nil {
				t.Fatal(err)
			}
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
			if err != nil {
				t.Fatal(err)
			}
			fd := fdGradient(t, c.atoms, c.opt, 1e-3)
			sum := [3]float64{}
			for k := range fd {
				if d := math.Abs(res.Gradient[k] - fd[k]); d > 1e-6 {
					t.Errorf("component %d: analytic %.9f, finite difference %.9f (diff %.2e)", k, res.Gradient[k], fd[k], d)
				}
				sum[k%3] += res.Gradient[k]
			}
			if len(opt.Charges) == 0 {
				for x, s := range sum {
					if math.Abs(s) > 1e-8 {
						t.Errorf("gradient not translationally invariant: sum[%d] = %.2e", x, s)
					}
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
	if err != nil {
		t.Fatal(err)
	}
	// check against the analytic HF gradient shape and translational invariance
	sum := [3]float64{}
	for k, v := range res.Gradient {
		sum[k%3] += v
	}
	for x, s := range sum {
		if math.Abs(s) > 1e-6 {
			t.Errorf("MP2 gradient sum[%d] = %.2e", x, s)
		}
	}
	// directional derivative check with a larger independent step
	fd := fdGradient(t, atoms[:], opt, 0.002)
	for k := range fd {
		if d := math.Abs(res.Gradient[k] - fd[k]); d > 1e-5 {
			t.Errorf("component %d: %.9f vs %.9f", k, res.Gradient[k], fd[k])
		}
	}
}

func TestHessian(t *testing.T) {
	skipHeavy(t)
	atoms := distorted(water())
	res, err := Hessian(bg, atoms, Options{Method: "hf", Basis: "sto-3g"})
	if err != nil {
		t.Fatal(err)
	}
	n3 := 3 * len(atoms)
	if len(res.Hessian) != n3*n3 || len(res.Gradient) != n3 {
		t.Fatalf("sizes %d %d", len(res.Hessian), len(res.Gradient))
	}
	for i := 0; i < n3; i++ {
		for j := 0; j < n3; j++ {
			if res.Hessian[i*n3+j] != res.Hessian[j*n3+i] {
				t.Fatalf("Hessian not symmetric at %d,%d", i, j)
			}
		}
	}
	// translations: H . T = 0 for T a rigid translation
	for x := 0; x < 3; x++ {
		for i := 0; i < n3; i++ {
			s := 0.0
			for a := 0; a < len(atoms); a++ {
				s += res.Hessian[i*n3+3*a+x]
			}
			if math.Abs(s) > 1e-5 {
				t.Errorf("translation %d: row %d sum %.2e", x, i, s)
			}
		}
	}
	// diagonal O-H stretch-like elements must be positive
	if res.Hessian[3*n3+3] <= 0 && res.Hessian[4*n3+4] <= 0 && res.Hessian[5*n3+5] <= 0 {
		t.Errorf("unexpected Hessian diagonal for H atom")
	}
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
		if err != nil {
			t.Fatal(err)
		}
		r2, err := Energy(bg, rotate(c.atoms, [3]float64{1.5, -2.25, 0.7}), opt)
		if err != nil {
			t.Fatal(err)
		}
		if d := math.Abs(r1.Energy - r2.Energy); d > 1e-9 {
			t.Errorf("%s/%s: energy changed by %.2e under rotation+translation", opt.Method, opt.Basis, d)
		}
	}
}

func TestUHFSingletEqualsRHF(t *testing.T) {
	atoms := distorted(water())
	for _, m := range []string{"hf", "mp2"} {
		r, err := Energy(bg, atoms, Options{Method: m, Basis: "6-31g*"})
		if err != nil {
			t.Fatal(err)
		}
		u, err := Energy(bg, atoms, Options{Method: m, Basis: "6-31g*", Reference: "uhf"})
		if err != nil {
			t.Fatal(err)
		}
		if d := math.Abs(r.Energy - u.Energy); d > 1e-8 {
			t.Errorf("%s: RHF %.10f vs UHF %.10f", m, r.Energy, u.Energy)
		}
		if m == "mp2" {
			if d := math.Abs(r.MP2SameSpin - u.MP2SameSpin); d > 1e-8 {
				t.Errorf("same spin %.10f vs %.10f", r.MP2SameSpin, u.MP2SameSpin)
			}
		}
	}
}

// Known literature-quality values: H2 and He atom limits.
func TestSmallSystems(t *testing.T) {
	// He atom, STO-3G: E = -2.807783957 (Szabo & Ostlund style value).
	r, err := Energy(bg, []Atom{{Z: 2}}, Options{Method: "hf", Basis: "sto-3g"})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.Energy-(-2.807783957)) > 1e-6 {
		t.Errorf("He/STO-3G = %.9f", r.Energy)
	}
	// H2 at 1.4 bohr STO-3G: E = -1.116714325 (Szabo & Ostlund: -1.1167).
	r, err = Energy(bg, []Atom{{Z: 1}, {Z: 1, Pos: [3]float64{0, 0, 1.4}}}, Options{Method: "hf", Basis: "sto-3g"})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.Energy-(-1.116714325)) > 1e-6 {
		t.Errorf("H2/STO-3G = %.9f", r.Energy)
	}
	// H atom (doublet): exact single-determinant energy in the basis: -0.466581850 in STO-3G
	r, err = Energy(bg, []Atom{{Z: 1}}, Options{Method: "mp2", Basis: "sto-3g"})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.SCFEnergy-(-0.466581850)) > 1e-6 || r.MP2Correlation != 0 || r.NAlpha != 1 || r.NBeta != 0 {
		t.Errorf("H/STO-3G = %+v", r)
	}
}

func TestPointChargeEnergy(t *testing.T) {
	atoms := water()
	q := []PointCharge{{Q: 0.5, Pos: [3]float64{0, 0, 6}}}
	r, err := Energy(bg, atoms, Options{Method: "hf", Basis: "sto-3g", Charges: q})
	if err != nil {
		t.Fatal(err)
	}
	want := 0.0
	for _, a := range atoms {
		want += float64(a.Z) * 0.5 / dist(a.Pos, q[0].Pos)
	}
	if math.Abs(r.ExternalNuclear-want) > 1e-12 {
		t.Errorf("charge-nucleus energy %.12f, want %.12f", r.ExternalNuclear, want)
	}
	r0, _ := Energy(bg, atoms, Options{Method: "hf", Basis: "sto-3g"})
	if r.NuclearRepulsion != r0.NuclearRepulsion {
		t.Errorf("nuclear repulsion must exclude external charges")
	}
	// a distant small charge: energy change ~ q * (molecular potential) -> small
	if math.Abs(r.Energy-r0.Energy) > 0.05 || r.Energy == r0.Energy {
		t.Errorf("energy with charge %.8f vs %.8f", r.Energy, r0.Energy)
	}
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
				if err == nil {
					t.Fatalf("no error, result %+v", r)
				}
				if !c.check(err) {
					t.Errorf("unexpected error type %T: %v", err, err)
				}
				if err.Error() == "" {
					t.Error("empty message")
				}
			}
		})
	}
}

func ptrTrue() *bool { b := true; return &b }

func TestMP2Hessian(t *testing.T) {
	skipHeavy(t)
	h2 := []Atom{{Z: 1}, {Z: 1, Pos: [3]float64{0.1, 0, 1.4}}}
	r, err := Hessian(bg, h2, Options{Method: "mp2", Basis: "sto-3g"})
	if err != nil {
		t.Fatal(err)
	}
	// the stretch force constant from the Hessian must match a direct
	// second difference of energies along the bond
	h := 0.01
	var e [3]float64
	for i, d := range []float64{-h, 0, h} {
		a := append([]Atom(nil), h2...)
		a[1].Pos[2] += d
		res, err := Energy(bg, a, Options{Method: "mp2", Basis: "sto-3g", EConvergence: 1e-12, DConvergence: 1e-10})
		if err != nil {
			t.Fatal(err)
		}
		e[i] = res.Energy
	}
	want := (e[0] - 2*e[1] + e[2]) / (h * h)
	if got := r.Hessian[5*6+5]; math.Abs(got-want) > 1e-3 {
		t.Errorf("d2E/dz2 = %.6f, want %.6f", got, want)
	}
}

func TestContextCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if _, err := Energy(ctx, water(), Options{Method: "hf", Basis: "sto-3g"}); !errors.Is(err, context.Canceled) {
		t.Errorf("energy: %v", err)
	}
	if _, err := Hessian(ctx, water(), Options{Method: "hf", Basis: "sto-3g"}); !errors.Is(err, context.Canceled) {
		t.Errorf("hessian: %v", err)
	}
	// a deadline in the middle of a finite-difference Hessian
	ctx, cancel = context.WithTimeout(bg, 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Hessian(ctx, waterTrimer(), Options{Method: "hf", Basis: "sto-3g", Threads: 1})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hessian with deadline: %v", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("cancellation took %v", el)
	}
}

func TestBasisNames(t *testing.T) {
	for _, name := range []string{"STO-3G", "sto-3g", "3-21G", "6-31G", "6-31g*", "6-31GS", "6-31G(d)", "CC-PVDZ"} {
		if _, err := loadBasis(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	a, _ := loadBasis("6-31g*")
	b, _ := loadBasis("6-31gs")
	if a != b {
		t.Error("6-31g* and 6-31gs must be the same basis")
	}
	// element coverage H..Ar for the Pople sets
	for _, name := range []string{"sto-3g", "3-21g", "6-31g", "6-31g*", "cc-pvdz"} {
		b, _ := loadBasis(name)
		for z := 1; z <= 18; z++ {
			if _, ok := b.elements[z]; !ok {
				t.Errorf("%s lacks %s", name, symbolOf(z))
			}
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
	if err != nil {
		t.Fatal(err)
	}
	e1, err := Energy(bg, atoms, opt)
	if err != nil {
		t.Fatal(err)
	}
	direct, err := Gradient(bg, atoms, Options{Method: "hf", Basis: "6-31g*", Charge: 1, Multiplicity: 2, SCFType: "direct"})
	if err != nil {
		t.Fatal(err)
	}
	opt.SCFType = "direct"
	e2, err := Energy(bg, atoms, opt)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(stored.Energy-direct.Energy) > 1e-10 || math.Abs(e1.Energy-e2.Energy) > 1e-10 {
		t.Errorf("stored %.12f / %.12f, direct %.12f / %.12f", stored.Energy, e1.Energy, direct.Energy, e2.Energy)
	}
	for k := range stored.Gradient {
		if math.Abs(stored.Gradient[k]-direct.Gradient[k]) > 1e-9 {
			t.Errorf("gradient %d: %g vs %g", k, stored.Gradient[k], direct.Gradient[k])
		}
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
			if err != nil {
				t.Fatal(err)
			}
			if ref == nil {
				ref = r
				continue
			}
			if d := sameResult(r, ref); d != "" {
				t.Errorf("%s/%s threads %d: %s", opt.Method, opt.Basis, th, d)
			}
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
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("tu1 diff %.2e", res.Energy+76.02665366)
	if math.Abs(res.Energy-(-76.02665366)) > 1e-6 || res.NBasis != 24 || res.NMO != 24 {
		t.Errorf("tu1: E = %.10f, nbasis %d", res.Energy, res.NBasis)
	}
	cart, err := Energy(bg, tu1, Options{Method: "hf", Basis: "cc-pVDZ", Puream: new(bool)})
	if err != nil {
		t.Fatal(err)
	}
	if cart.NBasis != 25 || cart.Energy >= res.Energy {
		t.Errorf("cartesian cc-pVDZ: nbasis %d, E %.10f must be below the spherical %.10f", cart.NBasis, cart.Energy, res.Energy)
	}
	q := []Atom{
		{Z: 8, Pos: [3]float64{0, 0, -0.065638538099 * bohrPerAngstrom}},
		{Z: 1, Pos: [3]float64{0, -0.757480611647 * bohrPerAngstrom, 0.520865616174 * bohrPerAngstrom}},
		{Z: 1, Pos: [3]float64{0, 0.757480611647 * bohrPerAngstrom, 0.520865616174 * bohrPerAngstrom}},
	}
	res, err = Energy(bg, q, Options{Method: "hf", Basis: "cc-pvdz"})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("qcdb diff %.2e", res.Energy+76.026760737428)
	if math.Abs(res.Energy-(-76.026760737428)) > 1e-6 {
		t.Errorf("qcdb water: E = %.10f", res.Energy)
	}
}

func TestConcurrentCalls(t *testing.T) {
	want, err := Energy(bg, water(), Options{Method: "mp2", Basis: "6-31g*"})
	if err != nil {
		t.Fatal(err)
	}
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
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
