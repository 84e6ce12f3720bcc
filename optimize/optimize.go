package optimize

import (
	"context"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/qcmb-go/qcmb/qcschema"
)

// Gradienter computes the energy (hartree) and the flat Cartesian gradient (hartree/bohr,
// natom*3) of a molecule. It is the only thing the optimizer needs from a method.
type Gradienter interface {
	EnergyGradient(ctx context.Context, mol *qcschema.Molecule) (energy float64, gradient []float64, err error)
}

// Func adapts an ordinary function to the Gradienter interface.
type Func func(ctx context.Context, mol *qcschema.Molecule) (float64, []float64, error)

// EnergyGradient calls f(ctx, mol).
func (f Func) EnergyGradient(ctx context.Context, mol *qcschema.Molecule) (float64, []float64, error) {
	return f(ctx, mol)
}

// Defaults of an Optimizer's zero fields: optking's geom_maxiter and trust radii
// (intrafrag_trust, _min, _max; bohr).
const (
	DefaultMaxIter     = 50
	DefaultTrustRadius = 0.5
	DefaultMinTrust    = 0.001
	DefaultMaxTrust    = 1.0
)

// Optimizer minimizes the energy of a molecule. The zero value uses the gau convergence
// set, at most 50 gradients and optking's trust radii.
type Optimizer struct {
	// Convergence is the convergence set; the zero value means ConvergenceSet("gau").
	Convergence Criteria
	// MaxIter bounds the number of gradient evaluations (optking's geom_maxiter).
	MaxIter int
	// TrustRadius, MinTrust and MaxTrust bound the length of a step (bohr).
	TrustRadius, MinTrust, MaxTrust float64
	// Observe, when set, is called after every gradient evaluation with the point just
	// computed (Measures are set once the following step is known, so they are zero here).
	Observe func(Point)
}

// Point is one gradient evaluation of an optimization.
type Point struct {
	// Index counts gradient evaluations from 0.
	Index    int
	Molecule *qcschema.Molecule
	Energy   float64
	Gradient []float64
	// Accepted is false for a point whose energy rose, from which the optimizer stepped back.
	Accepted bool
	// Measures are the convergence measures at this point (zero for rejected points).
	Measures Measures
}

// Result is a converged optimization.
type Result struct {
	Molecule *qcschema.Molecule // the optimized geometry
	Energy   float64
	Gradient []float64
	// Trajectory holds every gradient evaluation in order.
	Trajectory []Point
	// Final is the index in Trajectory of the optimized point: the last one, unless the
	// last step was rejected and the point before it then met the criteria.
	Final    int
	Criteria Criteria
}

// Evaluations is the number of gradients computed.
func (r *Result) Evaluations() int { return len(r.Trajectory) }

// NotConvergedError reports an optimization that used up MaxIter gradients. Last is the
// point the optimizer stood at (the last accepted one, with its convergence measures);
// Trajectory holds every point.
type NotConvergedError struct {
	MaxIter    int
	Criteria   Criteria
	Last       Point
	Trajectory []Point
}

func (e *NotConvergedError) Error() string {
	m := e.Last.Measures
	return fmt.Sprintf("optimize: not converged (%s) after %d gradients: energy %.10f, max force %.2e, rms force %.2e, max disp %.2e, rms disp %.2e",
		e.Criteria.Name, e.MaxIter, e.Last.Energy, m.MaxForce, m.RMSForce, m.MaxDisp, m.RMSDisp)
}

// EvaluationError wraps a failure of the Gradienter, with the points computed before it.
type EvaluationError struct {
	Trajectory []Point
	Err        error
}

func (e *EvaluationError) Error() string {
	return fmt.Sprintf("optimize: gradient %d: %v", len(e.Trajectory), e.Err)
}

func (e *EvaluationError) Unwrap() error { return e.Err }

// A step that raises the energy by more than this (hartree) is rejected; smaller rises are
// SCF noise near a minimum and only shrink the trust radius.
const rejectEnergyRise = 1e-7

// Optimize minimizes the energy that g computes, starting from mol (geometry in bohr). mol
// is not modified. A run that does not converge within MaxIter gradients returns a
// *NotConvergedError; a failing gradient an *EvaluationError.
func (o *Optimizer) Optimize(ctx context.Context, g Gradienter, mol *qcschema.Molecule) (*Result, error) {
	r, err := o.newRun(ctx, g, mol)
	if err != nil {
		return nil, err
	}
	cur, err := r.evaluate(mol.Geometry)
	if err != nil {
		return nil, err
	}
	hess := lindhHessian(cur.Molecule.Geometry, r.z)
	floorEigenvalues(hess, internalBasis(cur.Molecule.Geometry), minModelCurvature)
	prevEnergy := math.Inf(1)
	for {
		x := cur.Molecule.Geometry
		basis := internalBasis(x)
		if basis == nil {
			return nil, errors.New("optimize: no internal degrees of freedom")
		}
		step, predicted, forces := rfoStep(hess, basis, cur.Gradient, r.trust)
		cur.Measures = Measures{
			DeltaE:   cur.Energy - prevEnergy,
			MaxForce: maxAbs(forces), RMSForce: rms(forces),
			MaxDisp: maxAbs(step), RMSDisp: rms(step),
		}
		r.traj[cur.Index].Measures = cur.Measures
		if r.crit.Met(cur.Measures) {
			return &Result{Molecule: cur.Molecule, Energy: cur.Energy, Gradient: cur.Gradient, Trajectory: r.traj, Final: cur.Index, Criteria: r.crit}, nil
		}
		if len(r.traj) >= r.maxIter {
			return nil, &NotConvergedError{MaxIter: r.maxIter, Criteria: r.crit, Last: cur, Trajectory: r.traj}
		}
		xNew, rot := applyStep(x, step, mol.Fragments)
		next, err := r.evaluate(xNew)
		if err != nil {
			return nil, err
		}
		// Curvature along the step is information whether or not the step is kept.
		// In the frames the step turned, the step is straight and the new gradient is
		// comparable with the old one.
		bfgsUpdate(hess, step, sub(rotateBack(next.Gradient, rot), cur.Gradient))
		if !r.judgeStep(next.Energy-cur.Energy, predicted, math.Sqrt(dot(step, step))) {
			r.traj[next.Index].Accepted = false
			continue
		}
		rotateHessian(hess, rot)
		prevEnergy = cur.Energy
		cur = next
	}
}

// optRun is the state of one Optimize call: its settings, the atoms' atomic numbers and
// the points computed so far.
type optRun struct {
	ctx     context.Context
	g       Gradienter
	mol     *qcschema.Molecule
	observe func(Point)
	z       []int
	traj    []Point

	crit                      Criteria
	maxIter                   int
	trust, minTrust, maxTrust float64
}

// newRun checks mol and takes o's settings, with the defaults of its zero fields.
func (o *Optimizer) newRun(ctx context.Context, g Gradienter, mol *qcschema.Molecule) (*optRun, error) {
	crit := o.Convergence
	if crit.Name == "" && crit == (Criteria{}) {
		crit, _ = ConvergenceSet(DefaultConvergence)
	}
	if mol == nil || len(mol.Geometry) != 3*len(mol.Symbols) || len(mol.Symbols) < 2 {
		return nil, errors.New("optimize: need a molecule of at least two atoms with natom*3 coordinates")
	}
	z := make([]int, len(mol.Symbols))
	for i, s := range mol.Symbols {
		zi, ok := qcschema.ElementZ(s)
		if !ok {
			return nil, fmt.Errorf("optimize: atom %d: unknown element %s", i, qcschema.Quote(s))
		}
		z[i] = zi
	}
	return &optRun{
		ctx: ctx, g: g, mol: mol, observe: o.Observe, z: z, crit: crit,
		maxIter:  int(orDefault(float64(o.MaxIter), DefaultMaxIter)),
		trust:    orDefault(o.TrustRadius, DefaultTrustRadius),
		minTrust: orDefault(o.MinTrust, DefaultMinTrust),
		maxTrust: orDefault(o.MaxTrust, DefaultMaxTrust),
	}, nil
}

// evaluate computes the point at the geometry x and appends it to the trajectory.
func (r *optRun) evaluate(x []float64) (Point, error) {
	if err := r.ctx.Err(); err != nil {
		return Point{}, &EvaluationError{Trajectory: r.traj, Err: err}
	}
	m := r.mol.Clone()
	m.Geometry = append([]float64(nil), x...)
	e, grad, err := r.g.EnergyGradient(r.ctx, m)
	if err == nil && len(grad) != len(x) {
		err = fmt.Errorf("gradient has %d components for %d coordinates", len(grad), len(x))
	}
	if err == nil && (math.IsNaN(e) || math.IsInf(e, 0)) {
		err = fmt.Errorf("energy is %v", e)
	}
	if err != nil {
		return Point{}, &EvaluationError{Trajectory: r.traj, Err: err}
	}
	p := Point{Index: len(r.traj), Molecule: m, Energy: e, Gradient: grad, Accepted: true}
	r.traj = append(r.traj, p)
	if r.observe != nil {
		r.observe(p)
	}
	return p, nil
}

// judgeStep sets the trust radius from how a step of length stepLen that the model
// predicted to change the energy by predicted did (actual), and reports whether the step
// is kept.
func (r *optRun) judgeStep(actual, predicted, stepLen float64) bool {
	ratio := actual / predicted
	switch {
	case actual > rejectEnergyRise && stepLen > r.minTrust:
		r.trust = math.Max(math.Min(r.trust, stepLen)/4, r.minTrust)
		return false
	case actual > 0 || ratio < 0.25:
		r.trust = math.Max(r.trust/4, r.minTrust)
	case ratio > 0.75 && stepLen > 0.8*r.trust:
		// Grow only a radius that limited the step (Nocedal and Wright, as geomeTRIC):
		// a short step that went well says nothing about longer ones.
		r.trust = math.Min(r.trust*3, r.maxTrust)
	}
	return true
}

func orDefault(v, def float64) float64 {
	if v > 0 {
		return v
	}
	return def
}

// minModelCurvature (hartree/bohr^2) keeps the model Hessian positive definite in every
// internal direction, however far apart the fragments are.
const minModelCurvature = 0.005

// floorEigenvalues raises every eigenvalue of h within the internal space below min to
// min, leaving the external (translation and rotation) part alone.
func floorEigenvalues(h *mat.SymDense, basis *mat.Dense, min float64) {
	if basis == nil {
		return
	}
	_, m := basis.Dims()
	red := reduce(h, basis)
	var eig mat.EigenSym
	if !eig.Factorize(red, true) {
		return
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	var full mat.Dense
	full.Mul(basis, &vecs)
	for k := 0; k < m; k++ {
		if vals[k] >= min {
			continue
		}
		h.SymRankOne(h, min-vals[k], full.ColView(k))
	}
}

// reduce is B^T H B.
func reduce(h *mat.SymDense, basis *mat.Dense) *mat.SymDense {
	_, m := basis.Dims()
	var tmp, red mat.Dense
	tmp.Mul(h, basis)
	red.Mul(basis.T(), &tmp)
	out := mat.NewSymDense(m, nil)
	for i := 0; i < m; i++ {
		for j := i; j < m; j++ {
			out.SetSym(i, j, 0.5*(red.At(i, j)+red.At(j, i)))
		}
	}
	return out
}

// rfoStep returns the rational-function-optimization step in the internal space spanned by
// basis, scaled to at most trust in length, the energy change the RFO model predicts for
// it, and the projected forces (minus the gradient in the internal space, Cartesian).
func rfoStep(h *mat.SymDense, basis *mat.Dense, grad []float64, trust float64) (step []float64, predicted float64, forces []float64) {
	dim, m := basis.Dims()
	var gr mat.VecDense
	gr.MulVec(basis.T(), mat.NewVecDense(dim, grad))
	var gproj mat.VecDense
	gproj.MulVec(basis, &gr)
	forces = make([]float64, dim)
	for i := range forces {
		forces[i] = -gproj.AtVec(i)
	}
	hr := reduce(h, basis)
	aug := mat.NewSymDense(m+1, nil)
	for i := 0; i < m; i++ {
		for j := i; j < m; j++ {
			aug.SetSym(i, j, hr.At(i, j))
		}
		aug.SetSym(i, m, gr.AtVec(i))
	}
	sr := make([]float64, m)
	var eig mat.EigenSym
	ok := eig.Factorize(aug, true)
	if ok {
		var vecs mat.Dense
		eig.VectorsTo(&vecs)
		last := vecs.At(m, 0)
		if math.Abs(last) > 1e-8 {
			for i := range sr {
				sr[i] = vecs.At(i, 0) / last
			}
		} else {
			ok = false
		}
	}
	if !ok {
		// Steepest descent with unit curvature.
		for i := range sr {
			sr[i] = -gr.AtVec(i)
		}
	}
	if n := math.Sqrt(dot(sr, sr)); n > trust {
		for i := range sr {
			sr[i] *= trust / n
		}
	}
	srv := mat.NewVecDense(m, sr)
	var hs mat.VecDense
	hs.MulVec(hr, srv)
	predicted = (mat.Dot(&gr, srv) + 0.5*mat.Dot(srv, &hs)) / (1 + dot(sr, sr))
	var s mat.VecDense
	s.MulVec(basis, srv)
	return s.RawVector().Data, predicted, forces
}

// bfgsUpdate applies the BFGS update for step s and gradient change y to h, skipping it
// when the curvature along s is not positive (which keeps h positive definite).
func bfgsUpdate(h *mat.SymDense, s, y []float64) {
	sy := dot(s, y)
	if sy < 1e-7*math.Sqrt(dot(s, s)*dot(y, y)) || sy <= 0 {
		return
	}
	n := len(s)
	sv := mat.NewVecDense(n, s)
	var hs mat.VecDense
	hs.MulVec(h, sv)
	shs := mat.Dot(sv, &hs)
	if shs <= 0 {
		return
	}
	h.SymRankOne(h, 1/sy, mat.NewVecDense(n, y))
	h.SymRankOne(h, -1/shs, &hs)
}

func sub(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] - b[i]
	}
	return out
}

func maxAbs(v []float64) float64 {
	var m float64
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	return m
}

func rms(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	return math.Sqrt(dot(v, v) / float64(len(v)))
}
