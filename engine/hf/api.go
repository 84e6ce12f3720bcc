package hf

import (
	"context"
	"fmt"
	"math"
	"time"
)

// HessianStep is the displacement (bohr) used for Hessians by 3-point
// central differences of analytic gradients.
const HessianStep = 0.005

// fdTightEConv and fdTightDConv are the SCF thresholds used for the
// displaced calculations of finite-difference derivatives (at least this tight).
const (
	fdTightEConv = 1e-11
	fdTightDConv = 1e-9
)

// Energy computes the energy of the requested method.
func Energy(ctx context.Context, atoms []Atom, opt Options) (*Result, error) {
	set, b, err := validate(atoms, opt)
	if err != nil {
		return nil, err
	}
	logHeader(set, atoms, opt, "energy")
	res, _, err := energyAt(ctx, atoms, set, b, opt.Charges, nil)
	if err != nil {
		return nil, err
	}
	logResult(set, res)
	return res, nil
}

// Gradient computes the energy and its nuclear gradient (natom x 3, flat,
// hartree/bohr), analytic for HF and MP2. Ghost atoms get gradient rows
// (from their basis functions); point charges are fixed.
func Gradient(ctx context.Context, atoms []Atom, opt Options) (*Result, error) {
	set, b, err := validate(atoms, opt)
	if err != nil {
		return nil, err
	}
	logHeader(set, atoms, opt, "gradient")
	res, _, err := gradientAt(ctx, atoms, set, b, opt.Charges, nil)
	if err != nil {
		return nil, err
	}
	logResult(set, res)
	logMatrix(set, "gradient (hartree/bohr)", res.Gradient, 3)
	return res, nil
}

// Hessian computes energy, gradient and the Hessian ((3n)^2 flat,
// hartree/bohr^2) by central differences of gradients with step
// HessianStep, symmetrised.
func Hessian(ctx context.Context, atoms []Atom, opt Options) (*Result, error) {
	set, b, err := validate(atoms, opt)
	if err != nil {
		return nil, err
	}
	logHeader(set, atoms, opt, "hessian")
	res, state, err := gradientAt(ctx, atoms, set, b, opt.Charges, nil)
	if err != nil {
		return nil, err
	}
	guess := &[2][]float64{state.D[0], state.D[1]}
	n3 := 3 * len(atoms)
	hess := asMatrix(make([]float64, n3*n3), n3, n3)
	quiet := *set
	quiet.log = nil
	quiet.threads = 1
	tightenFD(&quiet)
	// displacements run concurrently, each single-threaded
	errs := make([]error, n3)
	perr := parallelFor(set.threads, n3, func(_, k int) {
		errs[k] = hessianRow(ctx, atoms, k, &quiet, b, opt.Charges, guess, hess.v[k*n3:(k+1)*n3])
	})
	if perr != nil {
		return nil, perr
	}
	for _, err := range errs {
		if err != nil {
			return nil, err // the first, in coordinate order
		}
	}
	hess.symmetrize()
	res.Hessian = hess.v
	logResult(set, res)
	return res, nil
}

// hessianRow sets row k of the Hessian: the central difference of the
// gradients at coordinate k displaced by +-HessianStep.
func hessianRow(ctx context.Context, atoms []Atom, k int, set *settings, b *gbsBasis, ext []PointCharge, guess *[2][]float64, row []float64) error {
	disp := append([]Atom(nil), atoms...)
	var g [2][]float64
	for si, sgn := range []float64{1, -1} {
		if err := ctx.Err(); err != nil {
			return err
		}
		copy(disp, atoms)
		disp[k/3].Pos[k%3] += sgn * HessianStep
		r, _, err := gradientAt(ctx, disp, set, b, ext, guess)
		if err != nil {
			return fmt.Errorf("hf: hessian displacement %d: %w", k, err)
		}
		g[si] = r.Gradient
	}
	for j := range row {
		row[j] = (g[0][j] - g[1][j]) / (2 * HessianStep)
	}
	return nil
}

func tightenFD(s *settings) {
	s.econv = math.Min(s.econv, fdTightEConv)
	s.dconv = math.Min(s.dconv, fdTightDConv)
}

func energyAt(ctx context.Context, atoms []Atom, set *settings, b *gbsBasis, ext []PointCharge, guess *[2][]float64) (*Result, *scfState, error) {
	return compute(ctx, atoms, set, b, ext, guess, false)
}

func compute(ctx context.Context, atoms []Atom, set *settings, b *gbsBasis, ext []PointCharge, guess *[2][]float64, grad bool) (*Result, *scfState, error) {
	ws := acquireWorkspace()
	defer ws.release()
	return computeIn(ctx, ws, atoms, set, b, ext, guess, grad)
}

// computeIn is compute with its large buffers taken from ws (nil
// allocates). The returned Result and scfState are freshly allocated:
// nothing in them points into ws.
func computeIn(ctx context.Context, ws *workspace, atoms []Atom, set *settings, b *gbsBasis, ext []PointCharge, guess *[2][]float64, grad bool) (*Result, *scfState, error) {
	t0 := time.Now()
	sys, err := newSystemIn(ws, atoms, b, ext, grad, set.threads, set.pure)
	if err != nil {
		return nil, nil, err
	}
	state, store, err := sys.runSCF(ctx, set, guess)
	if err != nil {
		return nil, nil, err
	}
	res := &Result{
		SCFEnergy:        state.energy,
		Energy:           state.energy,
		NuclearRepulsion: sys.enuc,
		ExternalNuclear:  sys.eext,
		Iterations:       state.iterations,
		NBasis:           sys.bs.nsph,
		NMO:              state.nmo,
		NAlpha:           set.nalpha,
		NBeta:            set.nbeta,
	}
	set.logf("  SCF converged in %d iterations (%.3f s)\n", state.iterations, time.Since(t0).Seconds())
	switch {
	case set.method == methodMP2 && grad:
		var corr, ss, os float64
		corr, ss, os, res.Gradient, err = sys.mp2Gradient(ctx, state, store, set.memory)
		if err != nil {
			return nil, nil, err
		}
		res.MP2Correlation, res.MP2SameSpin, res.MP2OppositeSpin = corr, ss, os
		res.Energy = state.energy + corr
	case set.method == methodMP2:
		corr, ss, os, err := sys.mp2(ctx, state, store, set.memory)
		if err != nil {
			return nil, nil, err
		}
		res.MP2Correlation, res.MP2SameSpin, res.MP2OppositeSpin = corr, ss, os
		res.Energy = state.energy + corr
	case grad:
		if res.Gradient, err = sys.scfGradient(state); err != nil {
			return nil, nil, err
		}
	}
	return res, state, nil
}

func gradientAt(ctx context.Context, atoms []Atom, set *settings, b *gbsBasis, ext []PointCharge, guess *[2][]float64) (*Result, *scfState, error) {
	return compute(ctx, atoms, set, b, ext, guess, true)
}

func logHeader(set *settings, atoms []Atom, opt Options, driver string) {
	if set.log == nil {
		return
	}
	ref := "RHF"
	if set.uhf {
		ref = "UHF"
	}
	meth := "HF"
	if set.method == methodMP2 {
		meth = "MP2"
	}
	set.logf("qcmb embedded Hartree-Fock program\n")
	kind := "cartesian"
	if set.pure {
		kind = "spherical"
	}
	set.logf("  driver %s, method %s, reference %s, basis %s (%s)\n", driver, meth, ref, opt.Basis, kind)
	set.logf("  charge %d, alpha electrons %d, beta electrons %d\n", opt.Charge, set.nalpha, set.nbeta)
	set.logf("  e_convergence %.1e, d_convergence %.1e, maxiter %d\n", set.econv, set.dconv, set.maxiter)
	set.logf("  geometry (bohr):\n")
	for _, a := range atoms {
		sym := symbolOf(a.Z)
		if a.Ghost {
			sym = "Gh(" + sym + ")"
		}
		set.logf("    %-8s %16.10f %16.10f %16.10f\n", sym, a.Pos[0], a.Pos[1], a.Pos[2])
	}
	if len(opt.Charges) > 0 {
		set.logf("  %d external point charges\n", len(opt.Charges))
	}
}

func logResult(set *settings, r *Result) {
	set.logf("  nuclear repulsion energy  %20.12f\n", r.NuclearRepulsion)
	if r.ExternalNuclear != 0 {
		set.logf("  charge-nucleus energy     %20.12f\n", r.ExternalNuclear)
	}
	set.logf("  SCF total energy          %20.12f\n", r.SCFEnergy)
	if set.method == methodMP2 {
		set.logf("  MP2 same-spin energy      %20.12f\n", r.MP2SameSpin)
		set.logf("  MP2 opposite-spin energy  %20.12f\n", r.MP2OppositeSpin)
		set.logf("  MP2 correlation energy    %20.12f\n", r.MP2Correlation)
		set.logf("  MP2 total energy          %20.12f\n", r.Energy)
	}
}

func logMatrix(set *settings, title string, v []float64, cols int) {
	if set.log == nil || v == nil {
		return
	}
	set.logf("  %s:\n", title)
	for i := 0; i+cols <= len(v); i += cols {
		set.logf("   ")
		for j := 0; j < cols; j++ {
			set.logf(" %18.12f", v[i+j])
		}
		set.logf("\n")
	}
}
