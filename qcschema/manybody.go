package qcschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// BsseType is a counterpoise treatment: "nocp", "cp" or "vmfc".
type BsseType string

// The BSSE treatments.
const (
	BsseNoCP BsseType = "nocp"
	BsseCP   BsseType = "cp"
	BsseVMFC BsseType = "vmfc"
)

// BsseList is a list of BSSE types that also decodes from a single string, as QCManyBody
// accepts `"bsse_type": "cp"`.
type BsseList []BsseType

// UnmarshalJSON accepts a string or a list of strings; null means not given.
func (b *BsseList) UnmarshalJSON(data []byte) error {
	if string(bytes.TrimSpace(data)) == "null" {
		*b = nil // not [""]: an empty bsse type would be planned as an unknown one
		return nil
	}
	var one string
	if err := json.Unmarshal(data, &one); err == nil {
		*b = BsseList{BsseType(strings.ToLower(one))}
		return nil
	}
	var many []string
	if err := json.Unmarshal(data, &many); err != nil {
		return fmt.Errorf("bsse_type: want a string or a list of strings: %w", err)
	}
	out := make(BsseList, len(many))
	for i, s := range many {
		out[i] = BsseType(strings.ToLower(s))
	}
	*b = out
	return nil
}

// ManyBodyKeywords are QCManyBody's keywords. Nil pointers and maps mean "not given" and
// are written as JSON null, as QCManyBody writes them.
type ManyBodyKeywords struct {
	SchemaName        string               `json:"schema_name"`
	SchemaVersion     int                  `json:"schema_version"`
	BsseType          BsseList             `json:"bsse_type"`
	EmbeddingCharges  map[string][]float64 `json:"embedding_charges"`
	ReturnTotalData   *bool                `json:"return_total_data"`
	Levels            map[string]string    `json:"levels"`
	MaxNbody          *int                 `json:"max_nbody"`
	SupersystemIEOnly bool                 `json:"supersystem_ie_only"`
	// Screening drops clusters of distant fragments (a qcmb extension); nil: none.
	Screening *Screening `json:"screening,omitempty"`
}

// AtomicSpecification names the program and model chemistry of one level of the expansion.
type AtomicSpecification struct {
	SchemaName    string         `json:"schema_name"`
	SchemaVersion int            `json:"schema_version"`
	Keywords      map[string]any `json:"keywords"`
	Program       string         `json:"program"`
	Driver        Driver         `json:"driver"`
	Model         Model          `json:"model"`
	Protocols     map[string]any `json:"protocols"`
	Extras        map[string]any `json:"extras"`
}

// ManyBodyProtocols say what of the components to keep in the result.
type ManyBodyProtocols struct {
	// ComponentResults is "none" (default) or "all": keep every component's AtomicResult.
	ComponentResults string `json:"component_results,omitempty"`
}

// ManyBodySpecification is the driver, the keywords and the model chemistries.
type ManyBodySpecification struct {
	SchemaName    string                         `json:"schema_name"`
	SchemaVersion int                            `json:"schema_version"`
	Keywords      ManyBodyKeywords               `json:"keywords"`
	Protocols     ManyBodyProtocols              `json:"protocols"`
	Driver        Driver                         `json:"driver"`
	Specification map[string]AtomicSpecification `json:"specification"`
	Extras        map[string]any                 `json:"extras"`
}

// ManyBodyInput is a whole many-body calculation (schema_name "qcschema_manybodyinput").
type ManyBodyInput struct {
	SchemaName    string                `json:"schema_name"`
	SchemaVersion int                   `json:"schema_version"`
	ID            string                `json:"id,omitempty"`
	Specification ManyBodySpecification `json:"specification"`
	Molecule      Molecule              `json:"molecule"`
	Extras        map[string]any        `json:"extras"`
}

// ManyBodyResultProperties are the named results of a many-body calculation. The n-body
// properties, whose names depend on the number of bodies (cp_corrected_total_energy_through_3_body,
// vmfc_corrected_2_body_contribution_to_gradient, ...), live in Energies (scalars) and
// Arrays (flat gradients and Hessians) under their QCManyBody names; JSON flattens them
// into the one object QCManyBody writes.
type ManyBodyResultProperties struct {
	SchemaName             string
	SchemaVersion          int
	CalcinfoNMC            *int
	CalcinfoNFR            *int
	CalcinfoNAtom          *int
	CalcinfoNMBE           *int
	NuclearRepulsionEnergy *float64
	ReturnEnergy           *float64
	ReturnGradient         []float64
	ReturnHessian          []float64
	Energies               map[string]float64
	Arrays                 map[string][]float64
}

type fixedMBProps struct {
	SchemaName             string    `json:"schema_name,omitempty"`
	SchemaVersion          int       `json:"schema_version,omitempty"`
	CalcinfoNMC            *int      `json:"calcinfo_nmc,omitempty"`
	CalcinfoNFR            *int      `json:"calcinfo_nfr,omitempty"`
	CalcinfoNAtom          *int      `json:"calcinfo_natom,omitempty"`
	CalcinfoNMBE           *int      `json:"calcinfo_nmbe,omitempty"`
	NuclearRepulsionEnergy *float64  `json:"nuclear_repulsion_energy,omitempty"`
	ReturnEnergy           *float64  `json:"return_energy,omitempty"`
	ReturnGradient         []float64 `json:"return_gradient,omitempty"`
	ReturnHessian          []float64 `json:"return_hessian,omitempty"`
}

var fixedMBPropNames = map[string]bool{
	"schema_name": true, "schema_version": true, "calcinfo_nmc": true, "calcinfo_nfr": true,
	"calcinfo_natom": true, "calcinfo_nmbe": true, "nuclear_repulsion_energy": true,
	"return_energy": true, "return_gradient": true, "return_hessian": true,
}

// MarshalJSON writes one flat object with sorted n-body property names.
func (p ManyBodyResultProperties) MarshalJSON() ([]byte, error) {
	fixed, err := json.Marshal(fixedMBProps{
		p.SchemaName, p.SchemaVersion, p.CalcinfoNMC, p.CalcinfoNFR, p.CalcinfoNAtom, p.CalcinfoNMBE,
		p.NuclearRepulsionEnergy, p.ReturnEnergy, p.ReturnGradient, p.ReturnHessian,
	})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(p.Energies)+len(p.Arrays))
	for k := range p.Energies {
		names = append(names, k)
	}
	for k := range p.Arrays {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	b.Write(fixed[:len(fixed)-1])
	sep := len(fixed) > 2
	for _, k := range names {
		var v []byte
		if a, ok := p.Arrays[k]; ok {
			v, err = json.Marshal(a)
		} else {
			v, err = json.Marshal(p.Energies[k])
		}
		if err != nil {
			return nil, fmt.Errorf("property %s: %w", k, err)
		}
		if sep {
			b.WriteByte(',')
		}
		sep = true
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// UnmarshalJSON reads the flat object; numbers go to Energies, arrays (flat or nested) to
// Arrays.
func (p *ManyBodyResultProperties) UnmarshalJSON(data []byte) error {
	var fixed fixedMBProps
	if err := json.Unmarshal(data, &fixed); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		return err
	}
	*p = ManyBodyResultProperties{
		SchemaName: fixed.SchemaName, SchemaVersion: fixed.SchemaVersion,
		CalcinfoNMC: fixed.CalcinfoNMC, CalcinfoNFR: fixed.CalcinfoNFR,
		CalcinfoNAtom: fixed.CalcinfoNAtom, CalcinfoNMBE: fixed.CalcinfoNMBE,
		NuclearRepulsionEnergy: fixed.NuclearRepulsionEnergy, ReturnEnergy: fixed.ReturnEnergy,
		ReturnGradient: fixed.ReturnGradient, ReturnHessian: fixed.ReturnHessian,
	}
	for k, raw := range all {
		if fixedMBPropNames[k] || string(raw) == "null" {
			continue
		}
		var x float64
		if err := json.Unmarshal(raw, &x); err == nil {
			if p.Energies == nil {
				p.Energies = map[string]float64{}
			}
			p.Energies[k] = x
			continue
		}
		a, err := UnmarshalFlat(raw)
		if err != nil {
			return fmt.Errorf("property %s: %w", k, err)
		}
		if p.Arrays == nil {
			p.Arrays = map[string][]float64{}
		}
		p.Arrays[k] = a
	}
	return nil
}

// ManyBodyResult is the outcome of a many-body calculation (schema_name
// "qcschema_manybodyresult").
type ManyBodyResult struct {
	SchemaName          string                            `json:"schema_name"`
	SchemaVersion       int                               `json:"schema_version"`
	ID                  string                            `json:"id,omitempty"`
	Extras              map[string]any                    `json:"extras"`
	Provenance          Provenance                        `json:"provenance"`
	InputData           ManyBodyInput                     `json:"input_data"`
	Success             bool                              `json:"success"`
	Properties          ManyBodyResultProperties          `json:"properties"`
	ComponentProperties map[string]AtomicResultProperties `json:"component_properties"`
	ComponentResults    map[string]AtomicResult           `json:"component_results,omitempty"`
	ReturnResult        ReturnResult                      `json:"return_result"`
	Stdout              *string                           `json:"stdout"`
	Stderr              *string                           `json:"stderr"`
}
