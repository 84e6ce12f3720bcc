package procedure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

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
// *optimize.NotConvergedError) or a gradient failed. Partial holds what was computed, as
// an OptimizationResult with success false, so nothing is lost.
type Error struct {
	Partial *qcschema.OptimizationResult
	Err     error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Run optimizes in and returns the OptimizationResult.
func (p *Procedure) Run(ctx context.Context, in *qcschema.OptimizationInput) (*qcschema.OptimizationResult, error) {
	if in == nil {
		return nil, errors.New("procedure: nil OptimizationInput")
	}
	opt, err := Optimizer(in.Specification.Keywords)
	if err != nil {
		return nil, err
	}
	if !in.Specification.Protocols.TrajectoryResults.Valid() {
		return nil, fmt.Errorf("protocols.trajectory_results %q: want none, final, initial_and_final or all", in.Specification.Protocols.TrajectoryResults)
	}
	if prog := in.Specification.Program; prog != "" && prog != "qcmb" {
		return nil, fmt.Errorf("specification.program %q: qcmb runs its own optimizer; leave it empty or say \"qcmb\"", prog)
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
	if err != nil {
		var traj []optimize.Point
		var nc *optimize.NotConvergedError
		var ee *optimize.EvaluationError
		switch {
		case errors.As(err, &nc):
			traj = nc.Trajectory
		case errors.As(err, &ee):
			traj = ee.Trajectory
		default:
			return nil, err
		}
		partial := assemble(in, g, traj, nil)
		partial.Success = false
		if nc != nil {
			partial.FinalMolecule = nc.Last.Molecule // where the optimizer stood, not a rejected point
		}
		return nil, &Error{Partial: partial, Err: err}
	}
	return assemble(in, g, res.Trajectory, res), nil
}

// assemble builds the result from the points of the trajectory; final is nil when the
// optimization did not converge.
func assemble(in *qcschema.OptimizationInput, g stepGradienter, traj []optimize.Point, final *optimize.Result) *qcschema.OptimizationResult {
	out := &qcschema.OptimizationResult{
		SchemaName:    qcschema.SchemaOptimizationResult,
		SchemaVersion: 2,
		ID:            in.ID,
		InputData:     *in,
		Success:       true,
		Provenance:    qcschema.Provenance{Creator: "qcmb", Version: computer.Version, Routine: "qcmb.optimize.procedure"},
		Properties:    qcschema.OptimizationProperties{SchemaName: qcschema.SchemaOptimizationProperties},
		Extras:        map[string]any{},
		NativeFiles:   map[string]any{},
	}
	n := len(traj)
	steps := g.results()[:n]
	out.TrajectoryProperties = make([]qcschema.TrajectoryProperties, n)
	energies := make([]float64, n)
	for i, s := range steps {
		out.TrajectoryProperties[i] = s.Properties()
		energies[i] = traj[i].Energy
	}
	out.Extras["energies"] = energies
	keep := in.Specification.Protocols.TrajectoryResults.Keep(n)
	for _, i := range keep {
		if final != nil && i == n-1 {
			i = final.Final // "final" is the optimized point, even after a rejected step
		}
		out.TrajectoryResults = append(out.TrajectoryResults, steps[i])
	}
	iterations := n
	out.Properties.OptimizationIterations = &iterations
	if final != nil {
		out.FinalMolecule = final.Molecule
		e := final.Energy
		out.Properties.ReturnEnergy = &e
		out.Properties.ReturnGradient = final.Gradient
		f := final.Trajectory[final.Final].Measures.RMSForce
		out.Properties.FinalRMSForce = &f
		if props := out.TrajectoryProperties[final.Final]; props.Atomic != nil {
			out.Properties.NuclearRepulsionEnergy = props.Atomic.NuclearRepulsionEnergy
		} else if props.ManyBody != nil {
			out.Properties.NuclearRepulsionEnergy = props.ManyBody.NuclearRepulsionEnergy
		}
		out.Extras["convergence_set"] = final.Criteria.Name
	} else if n > 0 {
		out.FinalMolecule = traj[n-1].Molecule
	}
	return out
}

// stepGradienter is a Gradienter that keeps the QCSchema result of every evaluation.
type stepGradienter interface {
	optimize.Gradienter
	results() []qcschema.TrajectoryResult
}

// atomicGradient computes each gradient as one single point on the executor.
type atomicGradient struct {
	executor executor.Executor
	spec     qcschema.AtomicSpecification
	id       string
	steps    []qcschema.TrajectoryResult
}

func (a *atomicGradient) results() []qcschema.TrajectoryResult { return a.steps }

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
	v2 := res.ToV2(a.spec.Program)
	a.steps = append(a.steps, qcschema.TrajectoryResult{Atomic: &v2})
	return *res.Properties.ReturnEnergy, res.ReturnResult.Array, nil
}

// manyBodyGradient computes each gradient as a many-body expansion, every one on the same
// executor.
type manyBodyGradient struct {
	computer *computer.Computer
	spec     qcschema.ManyBodySpecificationV2
	id       string
	steps    []qcschema.TrajectoryResult
}

func (m *manyBodyGradient) results() []qcschema.TrajectoryResult { return m.steps }

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
	res, err := m.computer.ComputeV2(ctx, in)
	if err != nil {
		return 0, nil, err
	}
	if res.Properties.ReturnEnergy == nil || res.ReturnResult.Array == nil {
		return 0, nil, errors.New("many-body expansion returned no energy or gradient")
	}
	m.steps = append(m.steps, qcschema.TrajectoryResult{ManyBody: res})
	return *res.Properties.ReturnEnergy, res.ReturnResult.Array, nil
}

func nonNil(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
