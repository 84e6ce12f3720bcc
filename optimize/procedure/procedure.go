package procedure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"

	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/optimize"
	"github.com/qcmb-go/qcmb/qcschema"
)

// Procedure runs optimizations. The zero value runs every calculation serially in this
// process.
type Procedure struct {
	// Executor runs every single point of every step; it is the same executor for the
	// whole optimization. Nil means executor.NewSerial.
	Executor executor.Executor
	// Observe, when set, is called after every gradient evaluation.
	Observe func(optimize.Point)
}

// Error is an optimization that did not finish: it did not converge (Err is an
// *optimize.NotConvergedError) or a gradient failed. Partial (for a v2 input, Run) or
// PartialV1 (for a v1 input, RunV1) holds what was computed, as a result with success
// false and error saying why, so nothing is lost.
type Error struct {
	Partial   *qcschema.OptimizationResult
	PartialV1 *qcschema.OptimizationResultV1
	Err       error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Run optimizes in and returns the OptimizationResult.
func (p *Procedure) Run(ctx context.Context, in *qcschema.OptimizationInput) (*qcschema.OptimizationResult, error) {
	if in == nil {
		return nil, errors.New("procedure: nil OptimizationInput")
	}
	o, err := p.optimize(ctx, in)
	if o == nil {
		return nil, err
	}
	out := o.v2(in)
	if err != nil {
		return nil, &Error{Partial: out, Err: err}
	}
	return out, nil
}

// RunV1 optimizes a QCSchema v1 input (QCElemental's OptimizationInput or QCManyBody's
// GeneralizedOptimizationInput) as the v2 input in.ToV2() and returns the v1 result.
func (p *Procedure) RunV1(ctx context.Context, in *qcschema.OptimizationInputV1) (*qcschema.OptimizationResultV1, error) {
	if in == nil {
		return nil, errors.New("procedure: nil OptimizationInputV1")
	}
	v2, err := in.ToV2()
	if err != nil {
		return nil, err
	}
	o, err := p.optimize(ctx, v2)
	if o == nil {
		return nil, err
	}
	out := o.v1(in, v2.Specification.Protocols.TrajectoryResults)
	if err != nil {
		return nil, &Error{PartialV1: out, Err: err}
	}
	return out, nil
}

// outcome is what an optimization computed: every gradient evaluation, the optimized point
// (nil when it did not converge) and why it stopped (err).
type outcome struct {
	g     stepGradienter
	traj  []optimize.Point
	final *optimize.Result
	last  *qcschema.Molecule // where the optimizer stood when it stopped
	err   error
}

// optimize runs the optimization of in. It returns a nil outcome for an input that cannot
// run, and an outcome with the error for one that did not finish.
func (p *Procedure) optimize(ctx context.Context, in *qcschema.OptimizationInput) (*outcome, error) {
	opt, err := Optimizer(in.Specification.Keywords)
	if err != nil {
		return nil, err
	}
	if !in.Specification.Protocols.TrajectoryResults.Valid() {
		return nil, fmt.Errorf("protocols.trajectory_results %s: want none, final, initial_and_final or all", qcschema.Quote(in.Specification.Protocols.TrajectoryResults))
	}
	if prog := in.Specification.Program; prog != "" && prog != "qcmb" {
		return nil, fmt.Errorf("specification.program %s: qcmb runs its own optimizer; leave it empty or say \"qcmb\"", qcschema.Quote(prog))
	}
	ex := p.Executor
	if ex == nil {
		ex = executor.NewSerial(executor.Options{})
	}
	mol := in.InitialMolecule.Clone()
	if err := mol.Normalize(); err != nil {
		return nil, fmt.Errorf("initial_molecule: %w", err)
	}
	var g stepGradienter
	switch spec := in.Specification.Specification; {
	case spec.ManyBody != nil:
		g = &manyBodyGradient{computer: &computer.Computer{Executor: ex}, spec: *spec.ManyBody, id: in.ID}
	case spec.Atomic != nil:
		g = &atomicGradient{executor: ex, spec: spec.Atomic.AtomicSpecification, id: in.ID}
	default:
		return nil, errors.New("specification.specification: neither an atomic nor a many-body specification")
	}
	opt.Observe = p.Observe
	res, err := opt.Optimize(ctx, g, mol)
	if err == nil {
		return &outcome{g: g, traj: res.Trajectory, final: res, last: res.Molecule}, nil
	}
	o := &outcome{g: g, err: err}
	var nc *optimize.NotConvergedError
	var ee *optimize.EvaluationError
	switch {
	case errors.As(err, &nc):
		o.traj, o.last = nc.Trajectory, nc.Last.Molecule // where the optimizer stood, not a rejected point
	case errors.As(err, &ee):
		o.traj = ee.Trajectory
		if n := len(o.traj); n > 0 {
			o.last = o.traj[n-1].Molecule
		}
	default:
		return nil, err
	}
	return o, err
}

// failure is the error record of an optimization that stopped with err: a convergence
// error when it did not converge, else the error of the gradient that failed.
func failure(err error) *qcschema.ComputeError {
	var nc *optimize.NotConvergedError
	var failed *qcschema.FailedOperation
	switch {
	case errors.As(err, &nc):
		return &qcschema.ComputeError{ErrorType: qcschema.ErrorConvergence, ErrorMessage: err.Error()}
	case errors.As(err, &failed):
		return &qcschema.ComputeError{ErrorType: failed.ComputeError.ErrorType, ErrorMessage: err.Error()}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &qcschema.ComputeError{ErrorType: qcschema.ErrorCancelled, ErrorMessage: err.Error()}
	}
	return &qcschema.ComputeError{ErrorType: qcschema.ErrorUnknown, ErrorMessage: err.Error()}
}

var provenance = qcschema.Provenance{Creator: "qcmb", Version: computer.Version, Routine: "qcmb.optimize.procedure"}

// v2 is the OptimizationResult of in.
func (o *outcome) v2(in *qcschema.OptimizationInput) *qcschema.OptimizationResult {
	out := &qcschema.OptimizationResult{
		SchemaName:    qcschema.SchemaOptimizationResult,
		SchemaVersion: 2,
		ID:            in.ID,
		InputData:     *in,
		Success:       o.err == nil,
		Provenance:    provenance,
		Properties:    qcschema.OptimizationProperties{SchemaName: qcschema.SchemaOptimizationProperties},
		Extras:        map[string]any{},
		NativeFiles:   map[string]any{},
		FinalMolecule: o.last,
	}
	if o.err != nil {
		out.Error = failure(o.err)
	}
	n := len(o.traj)
	steps := o.g.results()[:n]
	out.TrajectoryProperties = make([]qcschema.TrajectoryProperties, n)
	for i, s := range steps {
		out.TrajectoryProperties[i] = s.v2().Properties()
	}
	out.Extras["energies"] = o.energies()
	for _, i := range o.keep(in.Specification.Protocols.TrajectoryResults) {
		out.TrajectoryResults = append(out.TrajectoryResults, steps[i].v2())
	}
	iterations := n
	out.Properties.OptimizationIterations = &iterations
	if f := o.final; f != nil {
		e := f.Energy
		out.Properties.ReturnEnergy = &e
		out.Properties.ReturnGradient = f.Gradient
		rms := f.Trajectory[f.Final].Measures.RMSForce
		out.Properties.FinalRMSForce = &rms
		if props := out.TrajectoryProperties[f.Final]; props.Atomic != nil {
			out.Properties.NuclearRepulsionEnergy = props.Atomic.NuclearRepulsionEnergy
		} else if props.ManyBody != nil {
			out.Properties.NuclearRepulsionEnergy = props.ManyBody.NuclearRepulsionEnergy
		}
		out.Extras["convergence_set"] = f.Criteria.Name
	}
	return out
}

// v1 is the v1 result of in, which ran with trajectory protocol traj.
func (o *outcome) v1(in *qcschema.OptimizationInputV1, traj qcschema.TrajectoryProtocol) *qcschema.OptimizationResultV1 {
	out := &qcschema.OptimizationResultV1{
		ID:                 in.ID,
		HashIndex:          in.HashIndex,
		SchemaName:         qcschema.SchemaOptimizationOutput,
		SchemaVersion:      1,
		Keywords:           in.Keywords,
		Extras:             maps.Clone(in.Extras),
		Protocols:          in.Protocols,
		InputSpecification: in.InputSpecification,
		InitialMolecule:    in.InitialMolecule,
		Provenance:         provenance,
		FinalMolecule:      o.last,
		Energies:           o.energies(),
		Success:            o.err == nil,
	}
	if in.Generalized() {
		out.SchemaName = qcschema.SchemaGeneralizedOptimizationResult
	}
	if out.Extras == nil {
		out.Extras = map[string]any{}
	}
	if o.err != nil {
		out.Error = failure(o.err)
	}
	if o.final != nil {
		out.Extras["convergence_set"] = o.final.Criteria.Name
	}
	steps := o.g.results()
	for _, i := range o.keep(traj) {
		out.Trajectory = append(out.Trajectory, steps[i].v1())
	}
	return out
}

// energies is the energy of every gradient evaluation.
func (o *outcome) energies() []float64 {
	out := make([]float64, len(o.traj))
	for i, pt := range o.traj {
		out[i] = pt.Energy
	}
	return out
}

// keep is the indices of the evaluations protocol p keeps; "final" is the optimized point,
// even after a rejected step.
func (o *outcome) keep(p qcschema.TrajectoryProtocol) []int {
	n := len(o.traj)
	keep := p.Keep(n)
	for k, i := range keep {
		if o.final != nil && i == n-1 {
			keep[k] = o.final.Final
		}
	}
	return keep
}

// step is the result of one gradient evaluation as it was computed (v1), with what its v2
// form needs.
type step struct {
	atomic   *qcschema.AtomicResult
	program  string
	manyBody *qcschema.ManyBodyResult
	input    *qcschema.ManyBodyInputV2
}

func (s step) v1() qcschema.TrajectoryResultV1 {
	return qcschema.TrajectoryResultV1{Atomic: s.atomic, ManyBody: s.manyBody}
}

func (s step) v2() qcschema.TrajectoryResult {
	if s.manyBody != nil {
		return qcschema.TrajectoryResult{ManyBody: s.manyBody.ToV2(s.input)}
	}
	r := s.atomic.ToV2(s.program)
	return qcschema.TrajectoryResult{Atomic: &r}
}

// stepGradienter is a Gradienter that keeps the QCSchema result of every evaluation.
type stepGradienter interface {
	optimize.Gradienter
	results() []step
}

// atomicGradient computes each gradient as one single point on the executor.
type atomicGradient struct {
	executor executor.Executor
	spec     qcschema.AtomicSpecification
	id       string
	steps    []step
}

func (a *atomicGradient) results() []step { return a.steps }

func (a *atomicGradient) EnergyGradient(ctx context.Context, mol *qcschema.Molecule) (float64, []float64, error) {
	in := qcschema.AtomicInput{
		SchemaName:    qcschema.SchemaInput,
		SchemaVersion: 1,
		ID:            fmt.Sprintf("%s step %d", a.id, len(a.steps)),
		Molecule:      *mol,
		Driver:        qcschema.DriverGradient,
		Model:         a.spec.Model,
		Keywords:      nonNil(a.spec.Keywords),
		Protocols:     nonNil(a.spec.Protocols),
		Extras:        a.spec.Extras,
	}
	payload, err := json.Marshal(&in)
	if err != nil {
		return 0, nil, err
	}
	var res *qcschema.AtomicResult
	var taskErr error
	err = a.executor.Execute(ctx, []executor.Task{{ID: in.ID, Program: a.spec.Program, Payload: payload}}, func(o executor.Outcome) {
		res, taskErr = o.Result, o.Err
	})
	if taskErr != nil {
		return 0, nil, taskErr
	}
	if err != nil {
		return 0, nil, err
	}
	if res == nil || res.Properties.ReturnEnergy == nil || res.ReturnResult.Array == nil {
		return 0, nil, errors.New("single point returned no energy or gradient")
	}
	a.steps = append(a.steps, step{atomic: res, program: a.spec.Program})
	return *res.Properties.ReturnEnergy, res.ReturnResult.Array, nil
}

// manyBodyGradient computes each gradient as a many-body expansion, every one on the same
// executor.
type manyBodyGradient struct {
	computer *computer.Computer
	spec     qcschema.ManyBodySpecificationV2
	id       string
	steps    []step
}

func (m *manyBodyGradient) results() []step { return m.steps }

func (m *manyBodyGradient) EnergyGradient(ctx context.Context, mol *qcschema.Molecule) (float64, []float64, error) {
	spec := m.spec
	spec.Driver = qcschema.DriverGradient
	in := &qcschema.ManyBodyInputV2{
		SchemaName:    qcschema.SchemaManyBodyInputV2,
		SchemaVersion: 2,
		ID:            fmt.Sprintf("%s step %d", m.id, len(m.steps)),
		Specification: spec,
		Molecule:      *mol,
	}
	res, err := m.computer.Compute(ctx, in.ToV1())
	if err != nil {
		return 0, nil, err
	}
	if res.Properties.ReturnEnergy == nil || res.ReturnResult.Array == nil {
		return 0, nil, errors.New("many-body expansion returned no energy or gradient")
	}
	m.steps = append(m.steps, step{manyBody: res, input: in})
	return *res.Properties.ReturnEnergy, res.ReturnResult.Array, nil
}

func nonNil(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
