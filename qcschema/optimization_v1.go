package qcschema

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
)

// QCSchema v1 geometry optimizations: QCElemental's v1 OptimizationInput (a single point
// per gradient, its program named by keywords["program"]) and QCManyBody's v1
// GeneralizedOptimizationInput, whose input_specification may also be a v1
// ManyBodySpecification (each gradient a many-body expansion). qcmb runs them as the v2
// input OptimizationInputV1.ToV2 gives and writes the v1 result, OptimizationResultV1.

// Schema names of v1 optimizations.
const (
	SchemaGeneralizedOptimizationInput  = "qcschema_generalizedoptimizationinput"
	SchemaGeneralizedOptimizationResult = "qcschema_generalizedoptimizationresult"
)

// OptimizationProtocolsV1 say which gradient evaluations a v1 result keeps in trajectory
// ("all" when not given, QCElemental's v1 default).
type OptimizationProtocolsV1 struct {
	Trajectory TrajectoryProtocol `json:"trajectory,omitempty"`
}

// QCInputSpecification is QCElemental's v1 gradient specification of an optimization: a
// model and keywords, its program named by the optimization's keywords["program"].
type QCInputSpecification struct {
	SchemaName    string         `json:"schema_name"`
	SchemaVersion int            `json:"schema_version"`
	Driver        Driver         `json:"driver"`
	Model         Model          `json:"model"`
	Keywords      map[string]any `json:"keywords"`
	Extras        map[string]any `json:"extras"`
}

// MarshalJSON fills the schema name and version and writes nil maps as {}.
func (s QCInputSpecification) MarshalJSON() ([]byte, error) {
	type plain QCInputSpecification
	p := plain(s)
	defaultSchema(&p.SchemaName, &p.SchemaVersion, SchemaInput, 1)
	if p.Driver == "" {
		p.Driver = DriverGradient
	}
	p.Keywords, p.Extras = emptyIfNil(p.Keywords), emptyIfNil(p.Extras)
	return json.Marshal(p)
}

var qcInputSpecShape = objectShape(reflect.TypeFor[QCInputSpecification](), nil)

// InputSpecificationV1 is the gradient specification of a v1 optimization: one single
// point (Atomic) or a many-body expansion (ManyBody). Exactly one is set.
type InputSpecificationV1 struct {
	Atomic   *QCInputSpecification
	ManyBody *ManyBodySpecification
}

// MarshalJSON writes the specification that is set.
func (s InputSpecificationV1) MarshalJSON() ([]byte, error) {
	return marshalOneOf(s.Atomic, s.ManyBody)
}

// UnmarshalJSON tells the two apart by schema_name, as QCManyBody's discriminated union
// does ("qcschema_input" or "qcschema_manybodyspecification"); without one, a document
// with model chemistries under "specification" or a bsse_type is a many-body one. Both are
// read strictly.
func (s *InputSpecificationV1) UnmarshalJSON(data []byte) error {
	*s = InputSpecificationV1{}
	head, null, err := readSpecificationHead(data)
	if null || err != nil {
		return err
	}
	manyBody := false
	switch head.SchemaName {
	case SchemaManyBodySpecification:
		manyBody = true
	case SchemaInput:
	case "":
		manyBody = head.looksManyBody()
	default:
		return &ValidationError{Field: "schema_name", Index: -1, Msg: fmt.Sprintf("%q: want %q (a single point) or %q (a many-body expansion)",
			excerpt(head.SchemaName), SchemaInput, SchemaManyBodySpecification)}
	}
	if manyBody {
		s.ManyBody = new(ManyBodySpecification)
		return json.Unmarshal(data, s.ManyBody)
	}
	if err := checkMembers(data, qcInputSpecShape); err != nil {
		return err
	}
	type plain QCInputSpecification
	s.Atomic = new(QCInputSpecification)
	if err := json.Unmarshal(data, (*plain)(s.Atomic)); err != nil {
		return err
	}
	if d := s.Atomic.Driver; d != "" && !d.Valid() {
		return &ValidationError{Field: "driver", Index: -1, Msg: fmt.Sprintf("%q: want energy, gradient, hessian or properties", excerpt(string(d)))}
	}
	return nil
}

// OptimizationInputV1 is a QCSchema v1 geometry optimization: QCElemental's
// OptimizationInput (schema_name "qcschema_optimization_input", schema_version 1) or
// QCManyBody's GeneralizedOptimizationInput ("qcschema_generalizedoptimizationinput").
type OptimizationInputV1 struct {
	ID                 string                  `json:"id,omitempty"`
	HashIndex          string                  `json:"hash_index,omitempty"`
	SchemaName         string                  `json:"schema_name"`
	SchemaVersion      int                     `json:"schema_version"`
	Keywords           map[string]any          `json:"keywords"`
	Extras             map[string]any          `json:"extras"`
	Protocols          OptimizationProtocolsV1 `json:"protocols"`
	InputSpecification InputSpecificationV1    `json:"input_specification"`
	InitialMolecule    Molecule                `json:"initial_molecule"`
	Provenance         *Provenance             `json:"provenance,omitempty"`
}

var optimizationInputShapeV1 = objectShape(reflect.TypeFor[OptimizationInputV1](), nil).with(map[string]*shape{
	"initial_molecule": moleculeShape,
	"protocols":        objectShape(reflect.TypeFor[OptimizationProtocolsV1](), nil),
	// "input_specification" is checked by InputSpecificationV1.UnmarshalJSON.
})

func optimizationInputV1Check(name string, version int) schemaCheck {
	return schemaCheck{name: name, version: version, names: [2]string{SchemaOptimizationInput, SchemaGeneralizedOptimizationInput},
		versions: [2]int{1}, other: otherDocument(name, "")}
}

// UnmarshalJSON reads a v1 optimization input strictly: unknown members, duplicate keys
// and other documents' schema names are errors.
func (in *OptimizationInputV1) UnmarshalJSON(data []byte) error {
	if _, err := checkDocument(data, optimizationInputShapeV1, optimizationInputV1Check); err != nil {
		return err
	}
	type plain OptimizationInputV1
	var p plain
	if err := json.Unmarshal(data, &p); err != nil {
		return underPath("input_specification", err)
	}
	*in = OptimizationInputV1(p)
	return firstErr(optimizationInputV1Check(in.SchemaName, in.SchemaVersion), moleculeCheck("initial_molecule", &in.InitialMolecule))
}

// MarshalJSON fills the schema name and version and writes nil maps as {}.
func (in OptimizationInputV1) MarshalJSON() ([]byte, error) {
	type plain OptimizationInputV1
	p := plain(in)
	name := SchemaOptimizationInput
	if p.InputSpecification.ManyBody != nil {
		name = SchemaGeneralizedOptimizationInput
	}
	defaultSchema(&p.SchemaName, &p.SchemaVersion, name, 1)
	p.Keywords, p.Extras = emptyIfNil(p.Keywords), emptyIfNil(p.Extras)
	return json.Marshal(p)
}

// Generalized reports whether each gradient is a many-body expansion.
func (in *OptimizationInputV1) Generalized() bool { return in.InputSpecification.ManyBody != nil }

// ToV2 is the v2 input of the same optimization: keywords but "program" become the
// optimizer's, protocols.trajectory becomes trajectory_results ("all" by default, v1's
// default), the extras go to the specification, and the gradient specification becomes an
// AtomicSpecification of program keywords["program"] or the v2 ManyBodySpecification.
func (in *OptimizationInputV1) ToV2() (*OptimizationInput, error) {
	kw := maps.Clone(in.Keywords)
	program, hasProgram := kw["program"]
	delete(kw, "program")
	traj := in.Protocols.Trajectory
	if traj == "" {
		traj = TrajectoryAll
	}
	if !traj.Valid() {
		return nil, fmt.Errorf("optimization input: protocols.trajectory %q: want none, final, initial_and_final or all", excerpt(string(traj)))
	}
	out := &OptimizationInput{
		ID:            in.ID,
		SchemaName:    SchemaOptimizationInput,
		SchemaVersion: 2,
		Specification: OptimizationSpecification{
			SchemaName: SchemaOptimizationSpecification,
			Keywords:   kw,
			Protocols:  OptimizationProtocols{SchemaName: SchemaOptimizationProtocols, TrajectoryResults: traj},
			Extras:     in.Extras,
		},
		InitialMolecule: in.InitialMolecule,
		Provenance:      in.Provenance,
	}
	switch s := in.InputSpecification; {
	case s.ManyBody != nil:
		v2 := s.ManyBody.ToV2()
		out.Specification.Specification.ManyBody = &v2
	case s.Atomic != nil:
		name, ok := program.(string)
		if !hasProgram || !ok || name == "" {
			return nil, errors.New(`optimization input: keywords.program: name the program that computes each gradient (a v1 OptimizationInput names it there)`)
		}
		out.Specification.Specification.Atomic = &AtomicSpecificationV2{AtomicSpecification{
			SchemaName: SchemaAtomicSpecificationV2, Program: name, Driver: DriverGradient,
			Model: s.Atomic.Model, Keywords: s.Atomic.Keywords, Extras: s.Atomic.Extras,
		}}
	default:
		return nil, errors.New("optimization input: input_specification is missing")
	}
	return out, nil
}

// TrajectoryResultV1 is one gradient evaluation of a v1 optimization: an AtomicResult or,
// in a generalized optimization, a ManyBodyResult. Exactly one is set.
type TrajectoryResultV1 struct {
	Atomic   *AtomicResult
	ManyBody *ManyBodyResult
}

// MarshalJSON writes the result that is set.
func (t TrajectoryResultV1) MarshalJSON() ([]byte, error) {
	return marshalOneOf(t.Atomic, t.ManyBody)
}

// UnmarshalJSON reads either kind, told apart by schema_name.
func (t *TrajectoryResultV1) UnmarshalJSON(data []byte) error {
	var head struct {
		SchemaName string `json:"schema_name"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return err
	}
	*t = TrajectoryResultV1{}
	if head.SchemaName == SchemaManyBodyResult {
		t.ManyBody = new(ManyBodyResult)
		return json.Unmarshal(data, t.ManyBody)
	}
	t.Atomic = new(AtomicResult)
	return json.Unmarshal(data, t.Atomic)
}

// OptimizationResultV1 is the result of a v1 optimization: QCElemental's
// OptimizationResult (schema_name "qcschema_optimization_output") or QCManyBody's
// GeneralizedOptimizationResult. It repeats the input's members; Success false with Error
// set is an optimization that did not finish, Trajectory and Energies what it computed.
type OptimizationResultV1 struct {
	ID                 string                  `json:"id,omitempty"`
	HashIndex          string                  `json:"hash_index,omitempty"`
	SchemaName         string                  `json:"schema_name"`
	SchemaVersion      int                     `json:"schema_version"`
	Keywords           map[string]any          `json:"keywords"`
	Extras             map[string]any          `json:"extras"`
	Protocols          OptimizationProtocolsV1 `json:"protocols"`
	InputSpecification InputSpecificationV1    `json:"input_specification"`
	InitialMolecule    Molecule                `json:"initial_molecule"`
	Provenance         Provenance              `json:"provenance"`
	FinalMolecule      *Molecule               `json:"final_molecule"`
	Trajectory         []TrajectoryResultV1    `json:"trajectory"`
	Energies           []float64               `json:"energies"`
	Stdout             *string                 `json:"stdout"`
	Stderr             *string                 `json:"stderr"`
	Success            bool                    `json:"success"`
	Error              *ComputeError           `json:"error"`
}

// MarshalJSON fills the schema name and version, writes [] for empty lists and {} for nil
// maps.
func (r OptimizationResultV1) MarshalJSON() ([]byte, error) {
	type plain OptimizationResultV1
	p := plain(r)
	name := SchemaOptimizationOutput
	if p.InputSpecification.ManyBody != nil {
		name = SchemaGeneralizedOptimizationResult
	}
	defaultSchema(&p.SchemaName, &p.SchemaVersion, name, 1)
	p.Keywords, p.Extras = emptyIfNil(p.Keywords), emptyIfNil(p.Extras)
	if p.Trajectory == nil {
		p.Trajectory = []TrajectoryResultV1{}
	}
	if p.Energies == nil {
		p.Energies = []float64{}
	}
	return json.Marshal(p)
}

// OptimizationVersion says which QCSchema version an optimization input document is: 1
// for schema_version 1, QCManyBody's generalized schema name or an input_specification
// member (QCManyBody's tests write v1 inputs without a schema name), else 2.
func OptimizationVersion(data []byte) (int, error) {
	name, version, err := topSchema(data)
	if err != nil {
		return 0, err
	}
	if version == 1 || name == SchemaGeneralizedOptimizationInput {
		return 1, nil
	}
	if version == 0 {
		var probe struct {
			InputSpecification json.RawMessage `json:"input_specification"`
		}
		if json.Unmarshal(data, &probe) == nil && probe.InputSpecification != nil {
			return 1, nil
		}
	}
	return 2, nil
}

// DecodeAnyOptimizationInput reads a v1 or v2 optimization input (OptimizationVersion
// tells which) strictly. Exactly one of v1 and v2 is non-nil when err is nil.
func DecodeAnyOptimizationInput(data []byte) (v1 *OptimizationInputV1, v2 *OptimizationInput, err error) {
	version, err := OptimizationVersion(data)
	if err != nil {
		return nil, nil, fmt.Errorf("optimization input: %w", err)
	}
	if version == 2 {
		v2, err := DecodeOptimizationInput(data)
		return nil, v2, err
	}
	v1 = new(OptimizationInputV1)
	if err := json.Unmarshal(data, v1); err != nil {
		return nil, nil, fmt.Errorf("optimization input: %w", err)
	}
	if v1.InputSpecification.Atomic == nil && v1.InputSpecification.ManyBody == nil {
		return nil, nil, errors.New("optimization input: input_specification is missing")
	}
	if _, err := v1.ToV2(); err != nil {
		return nil, nil, err
	}
	return v1, nil, nil
}
