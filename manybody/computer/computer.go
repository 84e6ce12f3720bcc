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
	"github.com/qcmb-go/qcmb/executor/store"
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
	// Store, when set, keeps the outcome of every task as it finishes (store.Wrap around
	// Executor) and records the run: tasks it holds results for are not run again, so
	// running the same input after a crash, an interruption or failures computes only
	// what is missing, and gives a bitwise identical result. Any store.Store serves:
	// sqlite.Open (package executor/store/sqlite) for a file, store.NewMemory for a run's
	// lifetime; this package links no database.
	Store store.Store
	// Stats, when set, records the timing of every task and the wall time of the run.
	Stats *stats.Recorder
	// Progress, when set, is called after each task finishes with the number done and
	// the total. It is never called concurrently. With energy screening the total is an
	// upper bound until every decision is made (see Released).
	Progress func(done, total int, outcome executor.Outcome)
	// Released, when set, hears of the tasks a run adds as it goes: all of them at once
	// for a static plan, those of an adaptive expansion (energy screening) as its
	// decisions release them. first is the index the first of them has in the run (that of
	// Outcome.Index and executor.Options.OnStart), bound the most tasks the run may have,
	// exact once every decision is made; it is also called when bound or exact change.
	// It is never called concurrently with itself or Progress.
	Released func(first int, added Batch, bound int, exact bool)
	// SkipCheck skips asking the programs, before any task runs, whether they are
	// available and can compute what is asked (Check): for executors whose workers run
	// where this process cannot look, such as cluster nodes with programs the submitting
	// host lacks.
	SkipCheck bool
}

// RunError reports a run in which some tasks failed. The results of every task that did
// finish are kept in Completed, keyed by task label, so nothing computed is lost.
type RunError struct {
	Failed    []executor.Outcome
	Completed map[string]*qcschema.AtomicResult
	Err       error
}

func (e *RunError) Error() string {
	if len(e.Failed) == 0 {
		// No task failed: the run stopped for another reason, which comes first.
		return fmt.Sprintf("manybody: %v", e.Err)
	}
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
	return fmt.Sprintf("manybody: model chemistry %s runs program %s, which has no basis functions for ghost atoms, but task %s needs them; use bsse_type nocp", qcschema.Quote(e.MC), qcschema.Quote(e.Program), qcschema.Excerpt(e.Task, qcschema.ExcerptLen))
}

// Prepared is a planned many-body calculation: the core, the plan and the serialized task
// of every fragment calculation, ready for an Executor. With energy screening the plan is
// an upper bound whose tasks are serialized as the expansion releases them (Tasks is nil;
// see Task).
type Prepared struct {
	Input *qcschema.ManyBodyInput
	Core  *manybody.Core
	Plan  *manybody.Plan
	Tasks []executor.Task
}

// Prepare checks the input, plans it and builds the minimal AtomicInput payload of every
// task (but those of an adaptive expansion, built as it releases them). Nothing runs.
func Prepare(in *qcschema.ManyBodyInput) (*Prepared, error) {
	p, err := PreparePlan(in)
	if err != nil {
		return nil, err
	}
	if err := p.checkGhosts(); err != nil {
		return nil, err
	}
	if p.Core.Adaptive() {
		return p, nil
	}
	p.Tasks = make([]executor.Task, len(p.Plan.Tasks))
	for i, t := range p.Plan.Tasks {
		if p.Tasks[i], err = p.Task(t); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// PreparePlan checks the input and plans it, without building task payloads (Tasks is
// nil): what Assemble needs to turn given fragment results into the ManyBodyResult, as
// qcmb analyze does.
func PreparePlan(in *qcschema.ManyBodyInput) (*Prepared, error) {
	if in == nil {
		return nil, errors.New("manybody: nil ManyBodyInput")
	}
	driver := driverOf(in)
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
	for _, mc := range append(core.ModelChemistries(), core.Estimator()) {
		if _, ok := in.Specification.Specification[mc]; !ok && mc != "" {
			return nil, fmt.Errorf("manybody: specification.specification has no model chemistry %q", qcschema.Excerpt(mc, qcschema.ExcerptLen))
		}
	}
	return &Prepared{Input: in, Core: core, Plan: core.Plan()}, nil
}

// checkGhosts refuses a plan with ghost atoms for a program that has no basis functions
// on them; an unknown program is reported when its task runs, with the others.
func (p *Prepared) checkGhosts() error {
	specs := p.Input.Specification.Specification
	checked := map[string]bool{}
	for _, t := range p.Plan.Tasks {
		if len(t.Basis) == len(t.Real) || checked[t.MC] {
			continue
		}
		checked[t.MC] = true
		spec := specs[t.MC] // PreparePlan checked every model chemistry has one
		if prog, err := engine.Lookup(spec.Program); err == nil && !engine.SupportsGhosts(prog) {
			return &GhostError{MC: t.MC, Program: spec.Program, Task: t.Label()}
		}
	}
	return nil
}

// Task builds the serialized fragment calculation of a task of p's plan: the minimal
// AtomicInput of its molecule with the specification of its model chemistry.
func (p *Prepared) Task(t manybody.Task) (executor.Task, error) {
	spec := p.Input.Specification.Specification[t.MC]
	sub, err := p.Core.Molecule(t)
	if err != nil {
		return executor.Task{}, err
	}
	ai := qcschema.AtomicInput{
		SchemaName:    qcschema.SchemaInput,
		SchemaVersion: 1,
		ID:            t.Label(),
		Molecule:      *sub,
		Driver:        driverOf(p.Input),
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
		return executor.Task{}, fmt.Errorf("manybody: task %s: encoding input: %w", t.Label(), err)
	}
	return executor.Task{ID: t.Label(), Program: spec.Program, Payload: payload, Cost: taskCost(sub),
		Threads: threadsOf(spec)}, nil
}

// driverOf is the input's driver, energy when unset.
func driverOf(in *qcschema.ManyBodyInput) qcschema.Driver {
	if in.Specification.Driver == "" {
		return qcschema.DriverEnergy
	}
	return in.Specification.Driver
}

// threadsOf is the thread count a specification asks its program for: the first positive
// "nthreads" of its extras, protocols and keywords (where the programs read it), 0 if none.
func threadsOf(spec qcschema.AtomicSpecification) int {
	for _, m := range []map[string]any{spec.Extras, spec.Protocols, spec.Keywords} {
		if f, ok := m["nthreads"].(float64); ok && f >= 1 && f <= 1<<16 {
			return int(f)
		}
	}
	return 0
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

// Run checks the programs of a Prepared calculation (Check), executes its tasks and
// assembles its result.
func (c *Computer) Run(ctx context.Context, p *Prepared) (*qcschema.ManyBodyResult, error) {
	if !c.SkipCheck {
		if err := Check(ctx, p); err != nil {
			return nil, err
		}
	}
	if p.Core.Adaptive() {
		return c.runExpansion(ctx, p)
	}
	results, err := c.Execute(ctx, p.Batch())
	if err != nil {
		return nil, err
	}
	return Assemble(p, results)
}

// Batch is a list of fragment calculations run together: the tasks, what each is
// recorded under in the statistics, and what the run is recorded under in a store.
type Batch struct {
	Tasks []executor.Task
	// MC and Level are the model chemistry and n-body level of each task.
	MC    []string
	Level []int
	// InputHash identifies what the batch computes in the runs a Store records.
	InputHash string
}

// Batch is the batch of p's tasks.
func (p *Prepared) Batch() Batch {
	b := Batch{Tasks: p.Tasks, MC: make([]string, len(p.Tasks)), Level: make([]int, len(p.Tasks)), InputHash: p.InputHash()}
	for i, t := range p.Plan.Tasks {
		b.MC[i], b.Level[i] = t.MC, t.Level
	}
	return b
}

// Execute runs the tasks of b on the Computer's Executor, through its Store when set,
// recording their timings in Stats and reporting Progress, and returns their results in
// task order. When tasks fail, the error is a *RunError that keeps every finished result.
// It checks no programs: Run does, for a whole calculation.
func (c *Computer) Execute(ctx context.Context, b Batch) ([]*qcschema.AtomicResult, error) {
	return c.stream(ctx, batchSource{b}, b.InputHash)
}

// inputHash identifies an input in the runs a Store records: the SHA-256 of its JSON.
func inputHash(in *qcschema.ManyBodyInput) string {
	data, err := json.Marshal(in)
	if err != nil {
		return ""
	}
	return store.InputHash(data)
}

// InputHash is the hash under which a Computer with a Store records the runs of the
// prepared input.
func (p *Prepared) InputHash() string { return inputHash(p.Input) }

// Assemble turns the results of every task of p (in plan order) into the ManyBodyResult.
// For an adaptive expansion (energy screening) the plan is an upper bound: the expansion
// runs with these results, and only the tasks its decisions release need one.
func Assemble(p *Prepared, results []*qcschema.AtomicResult) (*qcschema.ManyBodyResult, error) {
	if len(results) != len(p.Plan.Tasks) {
		return nil, fmt.Errorf("manybody: %d results for %d tasks", len(results), len(p.Plan.Tasks))
	}
	if p.Core.Adaptive() {
		byLabel := make(map[string]*qcschema.AtomicResult, len(results))
		for i, r := range results {
			if r != nil {
				byLabel[p.Plan.Tasks[i].Label()] = r
			}
		}
		return replayExpansion(p, byLabel)
	}
	components := make(map[string]manybody.Component, len(results))
	props := make(map[string]qcschema.AtomicResultProperties, len(results))
	keepAll := p.Input.Specification.Protocols.ComponentResults == "all"
	var kept map[string]qcschema.AtomicResult
	if keepAll {
		kept = make(map[string]qcschema.AtomicResult, len(results))
	}
	for i, r := range results {
		label := p.Plan.Tasks[i].Label()
		if r == nil {
			return nil, fmt.Errorf("manybody: task %s: no result", label)
		}
		comp, err := ComponentOf(p.Input.Specification.Driver, r)
		if err != nil {
			return nil, fmt.Errorf("manybody: task %s: %w", label, err)
		}
		components[label] = comp
		props[label] = r.Properties
		if keepAll {
			kept[label] = *r
		}
	}
	return assemble(p, components, props, kept)
}

// AssembleProperties is Assemble for results known only by their properties, keyed by
// task label, as qcmb analyze reads them: return_energy, and return_gradient and
// return_hessian as the driver asks, laid out over the task's atoms or, as QCManyBody's
// component_properties hold them, over the whole molecule. Entries for tasks outside the
// plan are left out of the result. It keeps props as the result's ComponentProperties when
// it holds nothing else, filling in calcinfo_natom where an entry with a gradient or
// Hessian lacks it, so the caller must not use the map afterwards.
func AssembleProperties(p *Prepared, props map[string]qcschema.AtomicResultProperties) (*qcschema.ManyBodyResult, error) {
	if p.Core.Adaptive() {
		results := make(map[string]*qcschema.AtomicResult, len(props))
		for label, pr := range props {
			results[label] = &qcschema.AtomicResult{Properties: pr}
		}
		return replayExpansion(p, results)
	}
	components := make(map[string]manybody.Component, len(p.Plan.Tasks))
	for _, t := range p.Plan.Tasks {
		label := t.Label()
		pr, ok := props[label]
		if !ok {
			return nil, fmt.Errorf("manybody: task %s: no result", label)
		}
		comp, err := taskComponent(p, t, &pr, nil)
		if err != nil {
			return nil, fmt.Errorf("manybody: task %s: %w", label, err)
		}
		components[label] = comp
	}
	if len(props) > len(components) {
		only := make(map[string]qcschema.AtomicResultProperties, len(components))
		for label := range components {
			only[label] = props[label]
		}
		props = only
	}
	return assemble(p, components, props, nil)
}

// assemble sums the components of every task of p into the ManyBodyResult, with props as
// its component properties and kept, if not nil, as its component results.
func assemble(p *Prepared, components map[string]manybody.Component, props map[string]qcschema.AtomicResultProperties, kept map[string]qcschema.AtomicResult) (*qcschema.ManyBodyResult, error) {
	an, err := p.Core.Analyze(components)
	if err != nil {
		return nil, err
	}
	return newResult(p, an, p.Plan.Screening, props, kept), nil
}

// newResult is the ManyBodyResult of p's analysis, with props as its component
// properties, kept, if not nil, as its component results, and screening in its extras.
func newResult(p *Prepared, an *manybody.Analysis, screening *manybody.ScreeningSummary, props map[string]qcschema.AtomicResultProperties, kept map[string]qcschema.AtomicResult) *qcschema.ManyBodyResult {
	out := &qcschema.ManyBodyResult{
		SchemaName:          qcschema.SchemaManyBodyResult,
		SchemaVersion:       1,
		ID:                  p.Input.ID,
		Extras:              map[string]any{},
		Provenance:          qcschema.Provenance{Creator: "qcmb", Version: Version, Routine: "qcmb.manybody.computer.Computer"},
		InputData:           echo(p),
		Success:             true,
		Properties:          an.Properties,
		ComponentProperties: props,
		ComponentResults:    kept,
	}
	if screening != nil {
		// What screening kept and dropped per level, so that users can judge the error:
		// the result's only record of the clusters left out.
		out.Extras["screening"] = screening.Clone()
	}
	// A plan with no tasks (a cp interaction energy through 1 body) has nothing to sum:
	// its derivatives are zero arrays of the molecule's shape, not absent.
	natom3 := 3 * p.Core.NAtom()
	switch p.Input.Specification.Driver {
	case qcschema.DriverGradient:
		if an.ReturnGradient == nil {
			an.ReturnGradient = make([]float64, natom3)
			out.Properties.ReturnGradient = make([]float64, natom3)
		}
		out.ReturnResult = qcschema.ReturnResult{Array: an.ReturnGradient}
	case qcschema.DriverHessian:
		if an.ReturnHessian == nil {
			an.ReturnHessian = make([]float64, natom3*natom3)
			out.Properties.ReturnHessian = make([]float64, natom3*natom3)
		}
		out.ReturnResult = qcschema.ReturnResult{Array: an.ReturnHessian}
	default:
		out.ReturnResult = qcschema.ReturnResult{Scalar: an.ReturnEnergy}
	}
	withNAtom(p, props)
	stdout := an.Table
	out.Stdout = &stdout
	// Psi4's names of the properties, as Psi4 users and QCManyBody's translate_qcvariables expect
	out.Extras[QCVarsKey] = out.Properties.QCVariables()
	return out
}

// taskComponent is the component of task t of p from its properties, with the
// return_result of r, if not nil, standing in for a missing property (see ComponentOf).
// A gradient or Hessian laid out over the whole molecule, as QCManyBody's
// component_properties hold them, is taken over the task's atoms.
func taskComponent(p *Prepared, t manybody.Task, props *qcschema.AtomicResultProperties, r *qcschema.AtomicResult) (manybody.Component, error) {
	c, err := componentOfProperties(p.Input.Specification.Driver, props, r)
	if err != nil {
		return c, err
	}
	n := p.Core.NAtom()
	if len(c.Gradient) != 3*n && len(c.Hessian) != 9*n*n {
		return c, nil
	}
	atoms, err := p.Core.TaskAtoms(t)
	if err != nil || len(atoms) == n {
		return c, err
	}
	if len(c.Gradient) == 3*n {
		g := make([]float64, 3*len(atoms))
		for i, a := range atoms {
			copy(g[3*i:3*i+3], c.Gradient[3*a:3*a+3])
		}
		c.Gradient = g
	}
	if len(c.Hessian) == 9*n*n {
		m := 3 * len(atoms)
		h := make([]float64, m*m)
		for i, a := range atoms {
			for j, b := range atoms {
				for x := range 3 {
					copy(h[(3*i+x)*m+3*j:][:3], c.Hessian[(3*a+x)*3*n+3*b:][:3])
				}
			}
		}
		c.Hessian = h
	}
	return c, nil
}

// withNAtom sets calcinfo_natom, which QCElemental's models require beside every gradient
// and Hessian of atomic properties, in the entries of props that have one of those and lack
// it: the number of atoms their arrays are laid out over, the task's (or, for arrays of the
// whole molecule's size, the whole molecule's).
func withNAtom(p *Prepared, props map[string]qcschema.AtomicResultProperties) {
	full := p.Core.NAtom()
	for label, pr := range props {
		if pr.CalcinfoNAtom != nil || pr.ReturnGradient == nil && pr.ReturnHessian == nil && pr.SCFTotalGradient == nil && pr.SCFTotalHessian == nil {
			continue
		}
		t, err := manybody.ParseLabel(label)
		if err != nil {
			continue
		}
		atoms, err := p.Core.TaskAtoms(t)
		if err != nil {
			continue
		}
		n := len(atoms)
		if len(pr.ReturnGradient) == 3*full || len(pr.ReturnHessian) == 9*full*full {
			n = full
		}
		pr.CalcinfoNAtom = &n
		props[label] = pr
	}
}

// echo is the input of p as its result records it, as QCManyBody's models store it: the
// BSSE treatments canonical (aliases resolved, duplicates removed, ["cp"] when none was
// given), the molecule with its schema name and version, and no id, which a v1
// ManyBodyInput has no field for (the result carries it).
func echo(p *Prepared) qcschema.ManyBodyInput {
	in := *p.Input
	in.ID = ""
	in.Specification.Keywords.BsseType = qcschema.BsseList(p.Core.Keywords().BsseType)
	in.Molecule.SchemaName, in.Molecule.SchemaVersion = qcschema.SchemaMolecule, 2
	return in
}

// ComponentOf extracts the energy and, as the many-body driver asks, the gradient and
// Hessian of one fragment calculation. Derivatives a program returned beyond what was asked
// are left out so that the assembled properties follow the driver.
func ComponentOf(driver qcschema.Driver, r *qcschema.AtomicResult) (manybody.Component, error) {
	return componentOfProperties(driver, &r.Properties, r)
}

// componentOfProperties is ComponentOf from the properties, with the return_result of r,
// if not nil, standing in for a property that is missing.
func componentOfProperties(driver qcschema.Driver, props *qcschema.AtomicResultProperties, r *qcschema.AtomicResult) (manybody.Component, error) {
	var c manybody.Component
	switch {
	case props.ReturnEnergy != nil:
		c.Energy = *props.ReturnEnergy
	case r != nil && r.Driver == qcschema.DriverEnergy && r.ReturnResult.Array == nil:
		c.Energy = r.ReturnResult.Scalar
	default:
		return c, errors.New("result has no return_energy")
	}
	if math.IsNaN(c.Energy) || math.IsInf(c.Energy, 0) {
		return c, fmt.Errorf("energy is %v", c.Energy)
	}
	if driver == qcschema.DriverGradient || driver == qcschema.DriverHessian {
		c.Gradient = props.ReturnGradient
		if r != nil && r.Driver == qcschema.DriverGradient && r.ReturnResult.Array != nil {
			c.Gradient = r.ReturnResult.Array
		}
		if c.Gradient == nil && driver == qcschema.DriverGradient {
			return c, errors.New("result has no gradient")
		}
	}
	if driver == qcschema.DriverHessian {
		c.Hessian = props.ReturnHessian
		if r != nil && r.Driver == qcschema.DriverHessian && r.ReturnResult.Array != nil {
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
