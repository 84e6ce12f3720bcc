package computer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/manybody"
	"github.com/qcmb-go/qcmb/qcschema"
	"github.com/qcmb-go/qcmb/stats"
)

// Version is the qcmb version written into provenance records.
const Version = "0.1.0"

// Computer runs a whole many-body calculation: it plans the fragment tasks of a
// ManyBodyInput, runs them on an Executor with the program each model chemistry names
// (looked up in the engine registry) and assembles the ManyBodyResult.
//
// The zero value is usable: it runs the tasks one at a time in this process.
type Computer struct {
	// Executor runs the tasks; nil means executor.NewSerial with default options.
	Executor executor.Executor
	// Stats, when set, records the timing of every task and the wall time of the run.
	Stats *stats.Recorder
	// Progress, when set, is called after each task finishes with the number done and
	// the total. It is never called concurrently.
	Progress func(done, total int, outcome executor.Outcome)
}

// RunError reports a run in which some tasks failed. The results of every task that did
// finish are kept in Completed, keyed by task label, so nothing computed is lost.
type RunError struct {
	Failed    []executor.Outcome
	Completed map[string]*qcschema.AtomicResult
	Err       error
}

func (e *RunError) Error() string {
	return fmt.Sprintf("manybody: %d of %d tasks failed: %v", len(e.Failed), len(e.Failed)+len(e.Completed), e.Err)
}

func (e *RunError) Unwrap() error { return e.Err }

// GhostError says that a plan needs ghost atoms (a counterpoise correction) from a
// program that cannot place basis functions on ghost atoms.
type GhostError struct {
	MC, Program string
	Task        string
}

func (e *GhostError) Error() string {
	return fmt.Sprintf("manybody: model chemistry %q runs program %q, which has no basis functions for ghost atoms, but task %s needs them; use bsse_type nocp", e.MC, e.Program, e.Task)
}

// Prepared is a planned many-body calculation: the core, the plan and the serialized task
// of every fragment calculation, ready for an Executor.
type Prepared struct {
	Input *qcschema.ManyBodyInput
	Core  *manybody.Core
	Plan  *manybody.Plan
	Tasks []executor.Task
}

// Prepare checks the input, plans it and builds the minimal AtomicInput payload of every
// task. Nothing runs.
func Prepare(in *qcschema.ManyBodyInput) (*Prepared, error) {
	if in == nil {
		return nil, errors.New("manybody: nil ManyBodyInput")
	}
	driver := in.Specification.Driver
	if driver == "" {
		driver = qcschema.DriverEnergy
	}
	if driver != qcschema.DriverEnergy && driver != qcschema.DriverGradient && driver != qcschema.DriverHessian {
		return nil, fmt.Errorf("manybody: specification.driver %q: want energy, gradient or hessian", qcschema.Excerpt(driver, qcschema.ExcerptLen))
	}
	kw, err := manybody.KeywordsFromInput(in)
	if err != nil {
		return nil, err
	}
	mol := in.Molecule
	core, err := manybody.NewCore(&mol, kw)
	if err != nil {
		return nil, err
	}
	plan := core.Plan()
	specs := in.Specification.Specification
	tasks := make([]executor.Task, len(plan.Tasks))
	ghostOK := map[string]bool{}
	for i, t := range plan.Tasks {
		spec, ok := specs[t.MC]
		if !ok {
			return nil, fmt.Errorf("manybody: specification.specification has no model chemistry %q", qcschema.Excerpt(t.MC, qcschema.ExcerptLen))
		}
		if len(t.Basis) > len(t.Real) {
			ok, seen := ghostOK[t.MC]
			if !seen {
				// An unknown program is reported when its task runs, with the others.
				p, err := engine.Lookup(spec.Program)
				ok = err != nil || engine.SupportsGhosts(p)
				ghostOK[t.MC] = ok
			}
			if !ok {
				return nil, &GhostError{MC: t.MC, Program: spec.Program, Task: t.Label()}
			}
		}
		sub, err := core.Molecule(t)
		if err != nil {
			return nil, err
		}
		ai := qcschema.AtomicInput{
			SchemaName:    qcschema.SchemaInput,
			SchemaVersion: 1,
			ID:            t.Label(),
			Molecule:      *sub,
			Driver:        driver,
			Model:         spec.Model,
			Keywords:      spec.Keywords,
			Protocols:     spec.Protocols,
			// The specification's extras travel with every task, as in QCManyBody (the
			// qcengine program reads its program name there); the executor adds the
			// program key its workers dispatch on.
			Extras: spec.Extras,
		}
		if ai.Keywords == nil {
			ai.Keywords = map[string]any{}
		}
		if ai.Protocols == nil {
			ai.Protocols = map[string]any{}
		}
		payload, err := json.Marshal(&ai)
		if err != nil {
			return nil, fmt.Errorf("manybody: task %s: encoding input: %w", t.Label(), err)
		}
		tasks[i] = executor.Task{ID: t.Label(), Program: spec.Program, Payload: payload, Cost: taskCost(sub)}
	}
	return &Prepared{Input: in, Core: core, Plan: plan, Tasks: tasks}, nil
}

// taskCost estimates the relative cost of a fragment calculation from the atoms that carry
// basis functions: mean-field work grows with about the cube of the basis size.
func taskCost(m *qcschema.Molecule) float64 {
	var nbf float64
	for _, s := range m.Symbols {
		if strings.EqualFold(s, "H") || strings.EqualFold(s, "He") {
			nbf++
		} else {
			nbf += 5
		}
	}
	return nbf * nbf * nbf
}

// Compute runs in and returns its ManyBodyResult. When tasks fail, the error is a
// *RunError that keeps every finished result.
func (c *Computer) Compute(ctx context.Context, in *qcschema.ManyBodyInput) (*qcschema.ManyBodyResult, error) {
	p, err := Prepare(in)
	if err != nil {
		return nil, err
	}
	return c.Run(ctx, p)
}

// Run executes a Prepared calculation and assembles its result.
func (c *Computer) Run(ctx context.Context, p *Prepared) (*qcschema.ManyBodyResult, error) {
	ex := c.Executor
	if ex == nil {
		ex = executor.NewSerial(executor.Options{})
	}
	n := len(p.Tasks)
	results := make([]*qcschema.AtomicResult, n)
	var failed []executor.Outcome
	done := 0
	levelOf := func(i int) (string, int) { t := p.Plan.Tasks[i]; return t.MC, t.Level }
	if c.Stats != nil {
		c.Stats.Begin()
	}
	execErr := ex.Execute(ctx, p.Tasks, func(o executor.Outcome) {
		done++
		if o.Index >= 0 && o.Index < n {
			if o.Err == nil && o.Result != nil {
				results[o.Index] = o.Result
			} else {
				failed = append(failed, o)
			}
			if c.Stats != nil {
				mc, level := levelOf(o.Index)
				rec := stats.TaskRecord{Label: o.ID, MC: mc, Level: level, Worker: o.Worker,
					Queued: o.Queued, Start: o.Start, End: o.End, Attempts: o.Attempts}
				if o.Err != nil {
					rec.Error = o.Err.Error()
				}
				c.Stats.Add(rec)
			}
		}
		if c.Progress != nil {
			c.Progress(done, n, o)
		}
	})
	if c.Stats != nil {
		c.Stats.End()
	}
	if execErr != nil || len(failed) > 0 {
		completed := make(map[string]*qcschema.AtomicResult, n)
		for i, r := range results {
			if r != nil {
				completed[p.Tasks[i].ID] = r
			}
		}
		if execErr == nil {
			execErr = fmt.Errorf("%d tasks failed", len(failed))
		}
		return nil, &RunError{Failed: failed, Completed: completed, Err: execErr}
	}
	return Assemble(p, results)
}

// Assemble turns the results of every task of p (in plan order) into the ManyBodyResult.
func Assemble(p *Prepared, results []*qcschema.AtomicResult) (*qcschema.ManyBodyResult, error) {
	if len(results) != len(p.Tasks) {
		return nil, fmt.Errorf("manybody: %d results for %d tasks", len(results), len(p.Tasks))
	}
	components := make(map[string]manybody.Component, len(results))
	props := make(map[string]qcschema.AtomicResultProperties, len(results))
	keepAll := p.Input.Specification.Protocols.ComponentResults == "all"
	var kept map[string]qcschema.AtomicResult
	if keepAll {
		kept = make(map[string]qcschema.AtomicResult, len(results))
	}
	for i, r := range results {
		label := p.Tasks[i].ID
		if r == nil {
			return nil, fmt.Errorf("manybody: task %s: no result", label)
		}
		comp, err := componentOf(p.Input.Specification.Driver, r)
		if err != nil {
			return nil, fmt.Errorf("manybody: task %s: %w", label, err)
		}
		components[label] = comp
		props[label] = r.Properties
		if keepAll {
			kept[label] = *r
		}
	}
	an, err := p.Core.Analyze(components)
	if err != nil {
		return nil, err
	}
	out := &qcschema.ManyBodyResult{
		SchemaName:          qcschema.SchemaManyBodyResult,
		SchemaVersion:       1,
		ID:                  p.Input.ID,
		Extras:              map[string]any{},
		Provenance:          qcschema.Provenance{Creator: "qcmb", Version: Version, Routine: "qcmb.manybody.computer.Computer"},
		InputData:           *p.Input,
		Success:             true,
		Properties:          an.Properties,
		ComponentProperties: props,
		ComponentResults:    kept,
	}
	switch p.Input.Specification.Driver {
	case qcschema.DriverGradient:
		out.ReturnResult = qcschema.ReturnResult{Array: an.ReturnGradient}
	case qcschema.DriverHessian:
		out.ReturnResult = qcschema.ReturnResult{Array: an.ReturnHessian}
	default:
		out.ReturnResult = qcschema.ReturnResult{Scalar: an.ReturnEnergy}
	}
	stdout := an.Table
	out.Stdout = &stdout
	return out, nil
}

// componentOf extracts the energy and, as the many-body driver asks, the gradient and
// Hessian of one fragment calculation. Derivatives a program returned beyond what was asked
// are left out so that the assembled properties follow the driver.
func componentOf(driver qcschema.Driver, r *qcschema.AtomicResult) (manybody.Component, error) {
	var c manybody.Component
	switch {
	case r.Properties.ReturnEnergy != nil:
		c.Energy = *r.Properties.ReturnEnergy
	case r.Driver == qcschema.DriverEnergy && r.ReturnResult.Array == nil:
		c.Energy = r.ReturnResult.Scalar
	default:
		return c, errors.New("result has no return_energy")
	}
	if math.IsNaN(c.Energy) || math.IsInf(c.Energy, 0) {
		return c, fmt.Errorf("energy is %v", c.Energy)
	}
	if driver == qcschema.DriverGradient || driver == qcschema.DriverHessian {
		c.Gradient = r.Properties.ReturnGradient
		if r.Driver == qcschema.DriverGradient && r.ReturnResult.Array != nil {
			c.Gradient = r.ReturnResult.Array
		}
		if c.Gradient == nil && driver == qcschema.DriverGradient {
			return c, errors.New("result has no gradient")
		}
	}
	if driver == qcschema.DriverHessian {
		c.Hessian = r.Properties.ReturnHessian
		if r.Driver == qcschema.DriverHessian && r.ReturnResult.Array != nil {
			c.Hessian = r.ReturnResult.Array
		}
		if c.Hessian == nil {
			return c, errors.New("result has no Hessian")
		}
	}
	return c, nil
}

// FailedLabels lists the labels of the failed tasks of a RunError, sorted.
func (e *RunError) FailedLabels() []string {
	out := make([]string, len(e.Failed))
	for i, o := range e.Failed {
		out[i] = o.ID
	}
	sort.Strings(out)
	return out
}
