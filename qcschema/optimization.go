package qcschema

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// Schema names of QCSchema v2 geometry optimizations (QCElemental's models/v2/optimization.py).
const (
	SchemaOptimizationInput         = "qcschema_optimization_input"
	SchemaOptimizationResult        = "qcschema_optimization_result"
	SchemaOptimizationSpecification = "qcschema_optimization_specification"
	SchemaOptimizationProtocols     = "qcschema_optimization_protocols"
	SchemaOptimizationProperties    = "qcschema_optimization_properties"
	// SchemaOptimizationOutput is the v1 name of a result, accepted on input.
	SchemaOptimizationOutput = "qcschema_optimization_output"
)

// TrajectoryProtocol says which gradient evaluations an OptimizationResult keeps in
// trajectory_results.
type TrajectoryProtocol string

// The trajectory protocols of QCSchema v2.
const (
	TrajectoryNone            TrajectoryProtocol = "none"
	TrajectoryFinal           TrajectoryProtocol = "final"
	TrajectoryInitialAndFinal TrajectoryProtocol = "initial_and_final"
	TrajectoryAll             TrajectoryProtocol = "all"
)

// Valid reports whether p is a known protocol ("" means none).
func (p TrajectoryProtocol) Valid() bool {
	switch p {
	case "", TrajectoryNone, TrajectoryFinal, TrajectoryInitialAndFinal, TrajectoryAll:
		return true
	}
	return false
}

// Keep returns the indices of the n evaluations the protocol keeps, in order.
func (p TrajectoryProtocol) Keep(n int) []int {
	if n == 0 {
		return nil
	}
	switch p {
	case TrajectoryAll:
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	case TrajectoryInitialAndFinal:
		if n == 1 {
			return []int{0, 0}
		}
		return []int{0, n - 1}
	case TrajectoryFinal:
		return []int{n - 1}
	}
	return nil
}

// OptimizationProtocols say what of the optimization to keep.
type OptimizationProtocols struct {
	SchemaName        string             `json:"schema_name,omitempty"`
	TrajectoryResults TrajectoryProtocol `json:"trajectory_results,omitempty"`
}

// GradientSpecification says how each gradient of an optimization is computed: by one
// program (Atomic) or by a many-body expansion (ManyBody). Exactly one is set.
type GradientSpecification struct {
	Atomic   *AtomicSpecificationV2
	ManyBody *ManyBodySpecificationV2
}

// MarshalJSON writes the one specification that is set (null if none is).
func (g GradientSpecification) MarshalJSON() ([]byte, error) {
	return marshalOneOf(g.Atomic, g.ManyBody)
}

// UnmarshalJSON tells the two kinds apart by schema_name, as QCElemental's discriminated
// union does; without one, a document with model chemistries under "specification" or
// with a bsse_type is a many-body specification. Both are read strictly. A v1
// ManyBodySpecification is accepted and converted to v2.
func (g *GradientSpecification) UnmarshalJSON(data []byte) error {
	*g = GradientSpecification{}
	head, null, err := readSpecificationHead(data)
	if null || err != nil {
		return err
	}
	switch head.SchemaName {
	case SchemaManyBodySpecification:
		var v1 ManyBodySpecification
		if err := json.Unmarshal(data, &v1); err != nil {
			return err
		}
		v2 := v1.ToV2()
		g.ManyBody = &v2
		return nil
	case SchemaManyBodySpecificationV2:
		g.ManyBody = new(ManyBodySpecificationV2)
		return json.Unmarshal(data, g.ManyBody)
	case SchemaAtomicSpecificationV2, SchemaAtomicSpecification:
	case "":
		if head.looksManyBody() {
			g.ManyBody = new(ManyBodySpecificationV2)
			return json.Unmarshal(data, g.ManyBody)
		}
	default:
		return &ValidationError{Field: "schema_name", Msg: fmt.Sprintf("%s: want %q or %q", Quote(head.SchemaName), SchemaAtomicSpecificationV2, SchemaManyBodySpecificationV2)}
	}
	if err := checkMembers(data, atomicSpecShape); err != nil {
		return err
	}
	g.Atomic = new(AtomicSpecificationV2)
	return json.Unmarshal(data, &g.Atomic.AtomicSpecification)
}

// OptimizationSpecification is how to run an optimization: the optimizer's keywords
// and protocols and what computes each gradient.
type OptimizationSpecification struct {
	SchemaName string `json:"schema_name,omitempty"`
	// Program is the optimizer ("" for qcmb's own).
	Program       string                `json:"program,omitempty"`
	Keywords      map[string]any        `json:"keywords"`
	Protocols     OptimizationProtocols `json:"protocols"`
	Extras        map[string]any        `json:"extras"`
	Specification GradientSpecification `json:"specification"`
}

// OptimizationInput is a QCSchema v2 geometry optimization
// (schema_name "qcschema_optimization_input").
type OptimizationInput struct {
	ID              string                    `json:"id,omitempty"`
	SchemaName      string                    `json:"schema_name"`
	SchemaVersion   int                       `json:"schema_version"`
	Specification   OptimizationSpecification `json:"specification"`
	InitialMolecule Molecule                  `json:"initial_molecule"`
	Provenance      *Provenance               `json:"provenance,omitempty"`
}

var optimizationInputShape = objectShape(reflect.TypeFor[OptimizationInput](), nil).with(map[string]*shape{
	"initial_molecule": moleculeShape,
	"specification": objectShape(reflect.TypeFor[OptimizationSpecification](), nil).with(map[string]*shape{
		"protocols": objectShape(reflect.TypeFor[OptimizationProtocols](), nil),
		// "specification" is checked by GradientSpecification.UnmarshalJSON.
	}),
})

func optimizationInputCheck(name string, version int) schemaCheck {
	return schemaCheck{name: name, version: version, names: [2]string{SchemaOptimizationInput}, versions: [2]int{2},
		other: otherDocument(name, "qcmb optimizes QCSchema v2 OptimizationInputs (schema_version 2)")}
}

// UnmarshalJSON reads an OptimizationInput strictly: unknown members, duplicate keys and
// schema names of other documents are errors (UnknownFieldError, DuplicateFieldError,
// ValidationError).
func (in *OptimizationInput) UnmarshalJSON(data []byte) error {
	if _, err := checkDocument(data, optimizationInputShape, optimizationInputCheck); err != nil {
		return err
	}
	type plain OptimizationInput
	var p plain
	if err := json.Unmarshal(data, &p); err != nil {
		return underPath("specification.specification", err)
	}
	*in = OptimizationInput(p)
	return firstErr(
		optimizationInputCheck(in.SchemaName, in.SchemaVersion),
		moleculeCheck("initial_molecule", &in.InitialMolecule),
		schemaCheck{parent: "specification", name: in.Specification.SchemaName, names: [2]string{SchemaOptimizationSpecification}},
		schemaCheck{parent: "specification", member: "protocols", name: in.Specification.Protocols.SchemaName, names: [2]string{SchemaOptimizationProtocols}},
	)
}

// underPath places the path of a member error of the gradient specification, which
// knows only its own members, under prefix.
func underPath(prefix string, err error) error {
	var unknown *UnknownFieldError
	var dup *DuplicateFieldError
	var invalid *ValidationError
	switch {
	case errors.As(err, &unknown):
		u := *unknown
		u.Path = joinPath(prefix, u.Path)
		return &u
	case errors.As(err, &dup):
		d := *dup
		d.Path = joinPath(prefix, d.Path)
		return &d
	case errors.As(err, &invalid):
		v := *invalid
		v.Field = joinPath(prefix, v.Field)
		return &v
	}
	return err
}

// DecodeOptimizationInput reads an OptimizationInput strictly (see UnmarshalJSON) and
// checks that it names a trajectory protocol qcmb knows and a gradient specification.
func DecodeOptimizationInput(data []byte) (*OptimizationInput, error) {
	in := new(OptimizationInput)
	if err := json.Unmarshal(data, in); err != nil {
		return nil, fmt.Errorf("optimization input: %w", err)
	}
	if p := in.Specification.Protocols.TrajectoryResults; !p.Valid() {
		return nil, fmt.Errorf("optimization input: protocols.trajectory_results %s: want none, final, initial_and_final or all", Quote(p))
	}
	if in.Specification.Specification.Atomic == nil && in.Specification.Specification.ManyBody == nil {
		return nil, errors.New("optimization input: specification.specification is missing")
	}
	return in, nil
}

// MarshalJSON writes the input with its schema names and {} for nil maps.
func (in OptimizationInput) MarshalJSON() ([]byte, error) {
	type plain OptimizationInput
	p := plain(in)
	defaultSchema(&p.SchemaName, &p.SchemaVersion, SchemaOptimizationInput, 2)
	if p.Specification.SchemaName == "" {
		p.Specification.SchemaName = SchemaOptimizationSpecification
	}
	if p.Specification.Protocols.SchemaName == "" {
		p.Specification.Protocols.SchemaName = SchemaOptimizationProtocols
	}
	p.Specification.Keywords = emptyIfNil(p.Specification.Keywords)
	p.Specification.Extras = emptyIfNil(p.Specification.Extras)
	return json.Marshal(p)
}

// OptimizationProperties are the named results of an optimization.
type OptimizationProperties struct {
	SchemaName             string    `json:"schema_name"`
	NuclearRepulsionEnergy *float64  `json:"nuclear_repulsion_energy,omitempty"`
	ReturnEnergy           *float64  `json:"return_energy,omitempty"`
	ReturnGradient         []float64 `json:"return_gradient,omitempty"`
	OptimizationIterations *int      `json:"optimization_iterations,omitempty"`
	FinalRMSForce          *float64  `json:"final_rms_force,omitempty"`
}

// TrajectoryResult is the result of one gradient evaluation: an AtomicResult or a
// ManyBodyResult. Exactly one is set.
type TrajectoryResult struct {
	Atomic   *AtomicResultV2
	ManyBody *ManyBodyResultV2
}

// MarshalJSON writes the result that is set.
func (t TrajectoryResult) MarshalJSON() ([]byte, error) {
	return marshalOneOf(t.Atomic, t.ManyBody)
}

// UnmarshalJSON reads either kind, told apart by schema_name.
func (t *TrajectoryResult) UnmarshalJSON(data []byte) error {
	var head struct {
		SchemaName string `json:"schema_name"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return err
	}
	*t = TrajectoryResult{}
	if strings.Contains(head.SchemaName, "many_body") || strings.Contains(head.SchemaName, "manybody") {
		t.ManyBody = new(ManyBodyResultV2)
		return json.Unmarshal(data, t.ManyBody)
	}
	t.Atomic = new(AtomicResultV2)
	return json.Unmarshal(data, t.Atomic)
}

// TrajectoryProperties are the properties of one gradient evaluation: atomic or
// many-body. Exactly one is set.
type TrajectoryProperties struct {
	Atomic   *AtomicPropertiesV2
	ManyBody *ManyBodyResultProperties
}

// MarshalJSON writes the properties that are set.
func (t TrajectoryProperties) MarshalJSON() ([]byte, error) {
	return marshalOneOf(t.Atomic, t.ManyBody)
}

// UnmarshalJSON reads either kind: many-body properties carry calcinfo_nmbe or
// calcinfo_nfr.
func (t *TrajectoryProperties) UnmarshalJSON(data []byte) error {
	var head struct {
		SchemaName string `json:"schema_name"`
		NMBE       *int   `json:"calcinfo_nmbe"`
		NFR        *int   `json:"calcinfo_nfr"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return err
	}
	*t = TrajectoryProperties{}
	if strings.Contains(head.SchemaName, "many_body") || strings.Contains(head.SchemaName, "manybody") || head.NMBE != nil || head.NFR != nil {
		t.ManyBody = new(ManyBodyResultProperties)
		return json.Unmarshal(data, t.ManyBody)
	}
	t.Atomic = new(AtomicPropertiesV2)
	return json.Unmarshal(data, t.Atomic)
}

// Energy is the return_energy of the evaluation, if it has one.
func (t TrajectoryProperties) Energy() (float64, bool) {
	switch {
	case t.ManyBody != nil && t.ManyBody.ReturnEnergy != nil:
		return *t.ManyBody.ReturnEnergy, true
	case t.Atomic != nil && t.Atomic.ReturnEnergy != nil:
		return *t.Atomic.ReturnEnergy, true
	}
	return 0, false
}

// OptimizationResult is a converged QCSchema v2 geometry optimization
// (schema_name "qcschema_optimization_result").
type OptimizationResult struct {
	SchemaName           string                 `json:"schema_name"`
	SchemaVersion        int                    `json:"schema_version"`
	ID                   string                 `json:"id,omitempty"`
	InputData            OptimizationInput      `json:"input_data"`
	FinalMolecule        *Molecule              `json:"final_molecule"`
	TrajectoryResults    []TrajectoryResult     `json:"trajectory_results"`
	TrajectoryProperties []TrajectoryProperties `json:"trajectory_properties"`
	Properties           OptimizationProperties `json:"properties"`
	Stdout               *string                `json:"stdout"`
	Stderr               *string                `json:"stderr"`
	Success              bool                   `json:"success"`
	// Error says why an optimization that did not finish (Success false) stopped, as a
	// FailedOperation's error does; nil for a converged one. (QCSchema v2 writes a failure
	// as a FailedOperation; qcmb keeps what was computed in this partial result.)
	Error       *ComputeError  `json:"error,omitempty"`
	Provenance  Provenance     `json:"provenance"`
	NativeFiles map[string]any `json:"native_files"`
	Extras      map[string]any `json:"extras"`
}

// MarshalJSON writes the result with its schema names, [] for empty trajectories and {}
// for nil maps.
func (r OptimizationResult) MarshalJSON() ([]byte, error) {
	type plain OptimizationResult
	p := plain(r)
	defaultSchema(&p.SchemaName, &p.SchemaVersion, SchemaOptimizationResult, 2)
	if p.Properties.SchemaName == "" {
		p.Properties.SchemaName = SchemaOptimizationProperties
	}
	if p.TrajectoryResults == nil {
		p.TrajectoryResults = []TrajectoryResult{}
	}
	if p.TrajectoryProperties == nil {
		p.TrajectoryProperties = []TrajectoryProperties{}
	}
	p.NativeFiles, p.Extras = emptyIfNil(p.NativeFiles), emptyIfNil(p.Extras)
	return json.Marshal(p)
}

// UnmarshalJSON reads a result, accepting the v1 schema name qcschema_optimization_output.
func (r *OptimizationResult) UnmarshalJSON(data []byte) error {
	type plain OptimizationResult
	var p plain
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	switch p.SchemaName {
	case "", SchemaOptimizationResult, SchemaOptimizationOutput:
	default:
		return fmt.Errorf("optimization result: schema_name %s: want %q", Quote(p.SchemaName), SchemaOptimizationResult)
	}
	*r = OptimizationResult(p)
	return nil
}

// Properties are the properties of the result that is set.
func (t TrajectoryResult) Properties() TrajectoryProperties {
	switch {
	case t.ManyBody != nil:
		p := t.ManyBody.Properties
		return TrajectoryProperties{ManyBody: &p}
	case t.Atomic != nil:
		p := t.Atomic.Properties
		return TrajectoryProperties{Atomic: &p}
	}
	return TrajectoryProperties{}
}
