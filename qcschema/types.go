package qcschema

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Schema names written into documents.
const (
	SchemaMolecule                 = "qcschema_molecule"
	SchemaInput                    = "qcschema_input"
	SchemaOutput                   = "qcschema_output"
	SchemaAtomicSpecification      = "qcschema_atomicspecification"
	SchemaManyBodyInput            = "qcschema_manybodyinput"
	SchemaManyBodyResult           = "qcschema_manybodyresult"
	SchemaManyBodySpecification    = "qcschema_manybodyspecification"
	SchemaManyBodyKeywords         = "qcschema_manybodykeywords"
	SchemaManyBodyResultProperties = "qcschema_manybodyproperties" // QCManyBody v1 ManyBodyResultProperties
)

// Driver says what a calculation returns.
type Driver string

// The drivers QCSchema defines.
const (
	DriverEnergy     Driver = "energy"
	DriverGradient   Driver = "gradient"
	DriverHessian    Driver = "hessian"
	DriverProperties Driver = "properties"
)

// Valid reports whether d is one of the QCSchema drivers.
func (d Driver) Valid() bool {
	switch d {
	case DriverEnergy, DriverGradient, DriverHessian, DriverProperties:
		return true
	}
	return false
}

// Provenance records which program wrote a document.
type Provenance struct {
	Creator string `json:"creator"`
	Version string `json:"version"`
	Routine string `json:"routine"`
}

// Model is a method and basis set.
type Model struct {
	Method string `json:"method"`
	Basis  string `json:"basis,omitempty"`
}

// Molecule is a QCSchema molecule. Geometry is flat (natom*3) in bohr; Fragments hold
// 0-indexed atoms. A zero MolecularMultiplicity or nil FragmentCharges/Multiplicities mean
// "not given": Molecule.Normalize fills them.
type Molecule struct {
	SchemaName             string         `json:"schema_name,omitempty"`
	SchemaVersion          int            `json:"schema_version,omitempty"`
	Validated              bool           `json:"validated,omitempty"`
	Symbols                []string       `json:"symbols"`
	Geometry               []float64      `json:"geometry"`
	Name                   string         `json:"name,omitempty"`
	Identifiers            map[string]any `json:"identifiers,omitempty"`
	Comment                string         `json:"comment,omitempty"`
	MolecularCharge        float64        `json:"molecular_charge"`
	MolecularMultiplicity  float64        `json:"molecular_multiplicity,omitempty"`
	Masses                 []float64      `json:"masses,omitempty"`
	Real                   []bool         `json:"real,omitempty"`
	AtomLabels             []string       `json:"atom_labels,omitempty"`
	AtomicNumbers          []int          `json:"atomic_numbers,omitempty"`
	MassNumbers            []int          `json:"mass_numbers,omitempty"`
	Connectivity           [][3]float64   `json:"connectivity,omitempty"`
	Fragments              [][]int        `json:"fragments,omitempty"`
	FragmentCharges        []float64      `json:"fragment_charges,omitempty"`
	FragmentMultiplicities []float64      `json:"fragment_multiplicities,omitempty"`
	FixCom                 bool           `json:"fix_com"`
	FixOrientation         bool           `json:"fix_orientation"`
	FixSymmetry            string         `json:"fix_symmetry,omitempty"`
	Provenance             *Provenance    `json:"provenance,omitempty"`
	Extras                 map[string]any `json:"extras,omitempty"`
}

// NAtom is the number of atoms (real and ghost).
func (m *Molecule) NAtom() int { return len(m.Symbols) }

// IsReal reports whether atom i carries a nucleus and electrons (Real nil means all real).
func (m *Molecule) IsReal(i int) bool { return m.Real == nil || m.Real[i] }

// AtomicInput is one single-point calculation (schema_name "qcschema_input").
type AtomicInput struct {
	SchemaName    string         `json:"schema_name"`
	SchemaVersion int            `json:"schema_version"`
	ID            string         `json:"id,omitempty"`
	Molecule      Molecule       `json:"molecule"`
	Driver        Driver         `json:"driver"`
	Model         Model          `json:"model"`
	Keywords      map[string]any `json:"keywords"`
	Protocols     map[string]any `json:"protocols"`
	Extras        map[string]any `json:"extras"`
	Provenance    *Provenance    `json:"provenance,omitempty"`
}

// AtomicResultProperties are the scalar and array results QCSchema names. Pointers and nil
// slices mean "not computed" and are omitted from JSON. Every named field is a field of
// QCElemental's AtomicResultProperties (v1) and AtomicProperties (v2), whose models refuse
// any other name: a program's results that QCElemental has no field for (an MP2 gradient,
// say) belong in the AtomicResult's extras["qcvars"] under their QCVariable names.
type AtomicResultProperties struct {
	CalcinfoNBasis *int `json:"calcinfo_nbasis,omitempty"`
	CalcinfoNMO    *int `json:"calcinfo_nmo,omitempty"`
	CalcinfoNAlpha *int `json:"calcinfo_nalpha,omitempty"`
	CalcinfoNBeta  *int `json:"calcinfo_nbeta,omitempty"`
	CalcinfoNAtom  *int `json:"calcinfo_natom,omitempty"`

	NuclearRepulsionEnergy *float64  `json:"nuclear_repulsion_energy,omitempty"`
	ReturnEnergy           *float64  `json:"return_energy,omitempty"`
	ReturnGradient         []float64 `json:"return_gradient,omitempty"`
	ReturnHessian          []float64 `json:"return_hessian,omitempty"`

	SCFOneElectronEnergy *float64  `json:"scf_one_electron_energy,omitempty"`
	SCFTwoElectronEnergy *float64  `json:"scf_two_electron_energy,omitempty"`
	SCFTotalEnergy       *float64  `json:"scf_total_energy,omitempty"`
	SCFIterations        *int      `json:"scf_iterations,omitempty"`
	SCFDipoleMoment      []float64 `json:"scf_dipole_moment,omitempty"`
	SCFTotalGradient     []float64 `json:"scf_total_gradient,omitempty"`
	SCFTotalHessian      []float64 `json:"scf_total_hessian,omitempty"`

	MP2SameSpinCorrelationEnergy     *float64 `json:"mp2_same_spin_correlation_energy,omitempty"`
	MP2OppositeSpinCorrelationEnergy *float64 `json:"mp2_opposite_spin_correlation_energy,omitempty"`
	MP2SinglesEnergy                 *float64 `json:"mp2_singles_energy,omitempty"`
	MP2DoublesEnergy                 *float64 `json:"mp2_doubles_energy,omitempty"`
	MP2CorrelationEnergy             *float64 `json:"mp2_correlation_energy,omitempty"`
	MP2TotalEnergy                   *float64 `json:"mp2_total_energy,omitempty"`

	// Other holds the properties that have no field above (scf_xc_energy,
	// scf_quadrupole_moment, ccsd_total_energy, ...) as raw JSON by their QCSchema names, so
	// documents written by other programs survive a round trip.
	Other map[string]json.RawMessage `json:"-"`
}

// ReturnResult is an AtomicResult's return_result: a scalar energy, or a flat gradient or
// Hessian. Exactly one of the two forms is set; Array non-nil selects the array form.
type ReturnResult struct {
	Scalar float64
	Array  []float64
}

// MarshalJSON writes the scalar or the flat array.
func (r ReturnResult) MarshalJSON() ([]byte, error) {
	if r.Array != nil {
		return json.Marshal(r.Array)
	}
	return json.Marshal(r.Scalar)
}

// UnmarshalJSON reads a scalar, a flat array or a nested array (flattened row-major).
func (r *ReturnResult) UnmarshalJSON(data []byte) error {
	*r = ReturnResult{}
	if trimmed := bytes.TrimLeft(data, " \t\r\n"); len(trimmed) == 0 || trimmed[0] != '[' {
		// Not an array: a scalar, or an error that names what it is. (Arrays, gradients
		// and Hessians, skip this attempt: it would scan them once more for nothing.)
		var x float64
		if err := json.Unmarshal(data, &x); err == nil {
			r.Scalar = x
			return nil
		}
	}
	flat, err := UnmarshalFlat(data)
	if err != nil {
		return fmt.Errorf("return_result: %w", err)
	}
	r.Array = flat
	return nil
}

// UnmarshalFlat decodes a JSON number array, flat or nested to any depth, into one flat
// slice in row-major order.
func UnmarshalFlat(data []byte) ([]float64, error) {
	var flat []float64
	if err := json.Unmarshal(data, &flat); err == nil {
		return flat, nil
	}
	var nested []json.RawMessage
	if err := json.Unmarshal(data, &nested); err != nil {
		return nil, fmt.Errorf("want a number array: %w", err)
	}
	out := []float64{}
	for _, row := range nested {
		sub, err := UnmarshalFlat(row)
		if err != nil {
			return nil, err
		}
		out = append(out, sub...)
	}
	return out, nil
}

// AtomicResult is a successful single point (schema_name "qcschema_output").
type AtomicResult struct {
	SchemaName    string                 `json:"schema_name"`
	SchemaVersion int                    `json:"schema_version"`
	ID            string                 `json:"id,omitempty"`
	Molecule      Molecule               `json:"molecule"`
	Driver        Driver                 `json:"driver"`
	Model         Model                  `json:"model"`
	Keywords      map[string]any         `json:"keywords"`
	Protocols     map[string]any         `json:"protocols"`
	Extras        map[string]any         `json:"extras"`
	Provenance    Provenance             `json:"provenance"`
	Properties    AtomicResultProperties `json:"properties"`
	ReturnResult  ReturnResult           `json:"return_result"`
	Success       bool                   `json:"success"`
	Stdout        *string                `json:"stdout"`
	Stderr        *string                `json:"stderr"`
	NativeFiles   map[string]any         `json:"native_files,omitempty"`
	Error         *ComputeError          `json:"error"`
}

// ComputeError is the error record of a FailedOperation.
type ComputeError struct {
	ErrorType    string         `json:"error_type"`
	ErrorMessage string         `json:"error_message"`
	Extras       map[string]any `json:"extras,omitempty"`
}

// Error types used in ComputeError.ErrorType, as QCEngine names them.
const (
	ErrorInput       = "input_error"
	ErrorConvergence = "convergence_error"
	ErrorUnknown     = "unknown_error"
	ErrorRandom      = "random_error" // transient: worth a retry
	ErrorResource    = "resource_error"
	ErrorUnavailable = "unavailable_error"
	ErrorTimeout     = "timeout_error" // retryable
	ErrorCancelled   = "cancelled_error"
)

// FailedOperation is what a program returns instead of an AtomicResult when it fails. It
// is an error, so programs can return it and callers can find it with errors.As.
type FailedOperation struct {
	ID           string          `json:"id,omitempty"`
	InputData    json.RawMessage `json:"input_data"`
	Success      bool            `json:"success"`
	ComputeError ComputeError    `json:"error"`
	Extras       map[string]any  `json:"extras,omitempty"`
}

// NewFailedOperation builds a FailedOperation for input (which may be nil).
func NewFailedOperation(input *AtomicInput, errorType, message string) *FailedOperation {
	f := &FailedOperation{ComputeError: ComputeError{ErrorType: errorType, ErrorMessage: message}}
	if input != nil {
		f.ID = input.ID
		if data, err := json.Marshal(input); err == nil {
			f.InputData = data
		}
	}
	if f.InputData == nil {
		f.InputData = json.RawMessage("null")
	}
	return f
}

// Error implements the error interface.
func (f *FailedOperation) Error() string {
	return fmt.Sprintf("%s: %s", f.ComputeError.ErrorType, f.ComputeError.ErrorMessage)
}

// Retryable reports whether the failure is transient (a random or timeout error), so that
// running the same input again may succeed.
func (f *FailedOperation) Retryable() bool {
	return f.ComputeError.ErrorType == ErrorRandom || f.ComputeError.ErrorType == ErrorTimeout
}

// NewAtomicResult starts the successful result of in: it carries over the input's id,
// molecule, driver, model, keywords, protocols and a copy of its extras (never nil), and
// records prov. The program fills in properties and return_result.
func NewAtomicResult(in *AtomicInput, prov Provenance) *AtomicResult {
	extras := make(map[string]any, len(in.Extras))
	for k, v := range in.Extras {
		extras[k] = v
	}
	return &AtomicResult{
		SchemaName:    SchemaOutput,
		SchemaVersion: 1,
		ID:            in.ID,
		Molecule:      in.Molecule,
		Driver:        in.Driver,
		Model:         in.Model,
		Keywords:      in.Keywords,
		Protocols:     in.Protocols,
		Extras:        extras,
		Provenance:    prov,
		Success:       true,
	}
}
