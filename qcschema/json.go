package qcschema

import (
	"encoding/json"
	"reflect"
	"strings"
)

// QCSchema v2 schema names accepted on input.
const (
	SchemaInputV2               = "qcschema_atomic_input"
	SchemaAtomicSpecificationV2 = "qcschema_atomic_specification"
)

// The MarshalJSON methods below write what QCElemental and QCManyBody would accept back
// from a value built in Go with zero fields: an empty schema_name or schema_version is
// written as the type's default, and nil maps that the Python models require to be
// dictionaries (keywords, protocols, extras, component_properties) are written as {}.
// Fields that QCManyBody writes as null when unset (the ManyBodyKeywords pointers and
// maps) stay null.

func emptyIfNil(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func defaultSchema(name *string, version *int, wantName string, wantVersion int) {
	if *name == "" {
		*name = wantName
	}
	if *version == 0 {
		*version = wantVersion
	}
}

// MarshalJSON writes the keywords with their schema name; unset options are null.
func (k ManyBodyKeywords) MarshalJSON() ([]byte, error) {
	type plain ManyBodyKeywords
	p := plain(k)
	defaultSchema(&p.SchemaName, &p.SchemaVersion, SchemaManyBodyKeywords, 1)
	return json.Marshal(p)
}

// MarshalJSON writes the specification with its schema name and {} for nil maps.
func (s AtomicSpecification) MarshalJSON() ([]byte, error) {
	type plain AtomicSpecification
	p := plain(s)
	defaultSchema(&p.SchemaName, &p.SchemaVersion, SchemaAtomicSpecification, 1)
	p.Keywords, p.Protocols, p.Extras = emptyIfNil(p.Keywords), emptyIfNil(p.Protocols), emptyIfNil(p.Extras)
	return json.Marshal(p)
}

// MarshalJSON writes the specification with its schema name and {} for nil maps.
func (s ManyBodySpecification) MarshalJSON() ([]byte, error) {
	type plain ManyBodySpecification
	p := plain(s)
	defaultSchema(&p.SchemaName, &p.SchemaVersion, SchemaManyBodySpecification, 1)
	p.Extras = emptyIfNil(p.Extras)
	if p.Specification == nil {
		p.Specification = map[string]AtomicSpecification{}
	}
	return json.Marshal(p)
}

// MarshalJSON writes the input with its schema name and {} for nil extras.
func (in ManyBodyInput) MarshalJSON() ([]byte, error) {
	type plain ManyBodyInput
	p := plain(in)
	defaultSchema(&p.SchemaName, &p.SchemaVersion, SchemaManyBodyInput, 1)
	p.Extras = emptyIfNil(p.Extras)
	return json.Marshal(p)
}

// MarshalJSON writes the result with its schema name and {} for nil maps.
func (r ManyBodyResult) MarshalJSON() ([]byte, error) {
	type plain ManyBodyResult
	p := plain(r)
	defaultSchema(&p.SchemaName, &p.SchemaVersion, SchemaManyBodyResult, 1)
	p.Extras = emptyIfNil(p.Extras)
	if p.ComponentProperties == nil {
		p.ComponentProperties = map[string]AtomicResultProperties{}
	}
	return json.Marshal(p)
}

// MarshalJSON writes the input with its schema name and {} for nil maps.
func (in AtomicInput) MarshalJSON() ([]byte, error) {
	type plain AtomicInput
	p := plain(in)
	defaultSchema(&p.SchemaName, &p.SchemaVersion, SchemaInput, 1)
	p.Keywords, p.Protocols, p.Extras = emptyIfNil(p.Keywords), emptyIfNil(p.Protocols), emptyIfNil(p.Extras)
	return json.Marshal(p)
}

// atomicSpecificationV2 is the "specification" object of a QCSchema v2 AtomicInput.
type atomicSpecificationV2 struct {
	SchemaName string         `json:"schema_name"`
	Program    string         `json:"program"`
	Driver     Driver         `json:"driver"`
	Model      Model          `json:"model"`
	Keywords   map[string]any `json:"keywords"`
	Protocols  map[string]any `json:"protocols"`
	Extras     map[string]any `json:"extras"`
}

// UnmarshalJSON reads a QCSchema v1 AtomicInput strictly (unknown members, duplicate keys
// and other documents' schema names are errors), and also the v2 layout
// (schema_name "qcschema_atomic_input", with driver, model, keywords and protocols nested
// in "specification"), which it converts to v1: top-level values win, the specification's
// extras are merged under the top-level ones, and the program name, which v1 has no field
// for, is dropped. A document nested deeper than MaxDepth is an error.
func (in *AtomicInput) UnmarshalJSON(data []byte) error {
	if err := CheckDepth(data, MaxDepth); err != nil {
		return err
	}
	if err := checkMembers(data, atomicInputShape); err != nil {
		return err
	}
	type plain AtomicInput
	var aux struct {
		plain
		Specification *atomicSpecificationV2 `json:"specification"`
	}
	if err := json.Unmarshal(data, &aux); err != nil {
		return err
	}
	if err := checkAtomicInputSchema(aux.SchemaName, aux.SchemaVersion, &aux.Molecule, aux.Specification); err != nil {
		return err
	}
	*in = AtomicInput(aux.plain)
	if s := aux.Specification; s != nil {
		if in.Driver == "" {
			in.Driver = s.Driver
		}
		if in.Model == (Model{}) {
			in.Model = s.Model
		}
		if in.Keywords == nil {
			in.Keywords = s.Keywords
		}
		if in.Protocols == nil {
			in.Protocols = s.Protocols
		}
		for k, v := range s.Extras {
			if in.Extras == nil {
				in.Extras = map[string]any{}
			}
			if _, ok := in.Extras[k]; !ok {
				in.Extras[k] = v
			}
		}
	}
	if aux.Specification != nil || in.SchemaName == SchemaInputV2 {
		in.SchemaName, in.SchemaVersion = SchemaInput, 1
	}
	return nil
}

// MarshalJSON writes the result with its schema name and {} for nil maps.
func (r AtomicResult) MarshalJSON() ([]byte, error) {
	type plain AtomicResult
	p := plain(r)
	defaultSchema(&p.SchemaName, &p.SchemaVersion, SchemaOutput, 1)
	p.Keywords, p.Protocols, p.Extras = emptyIfNil(p.Keywords), emptyIfNil(p.Protocols), emptyIfNil(p.Extras)
	return json.Marshal(p)
}

// arpNames are the JSON names of AtomicResultProperties' fields.
var arpNames = func() map[string]bool {
	names := map[string]bool{}
	t := reflect.TypeFor[AtomicResultProperties]()
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names[name] = true
		}
	}
	return names
}()

// MarshalJSON writes the named fields and then the Other properties, sorted by name.
func (p AtomicResultProperties) MarshalJSON() ([]byte, error) {
	return p.AppendJSON(nil)
}

// UnmarshalJSON reads the named fields and keeps every other property in Other.
func (p *AtomicResultProperties) UnmarshalJSON(data []byte) error {
	type plain AtomicResultProperties
	var fixed plain
	if err := json.Unmarshal(data, &fixed); err != nil {
		return err
	}
	*p = AtomicResultProperties(fixed)
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		return err
	}
	for k, v := range all {
		if arpNames[k] {
			continue
		}
		if p.Other == nil {
			p.Other = map[string]json.RawMessage{}
		}
		p.Other[k] = v
	}
	return nil
}
