package qcschema

import (
	"encoding/json"
	"fmt"
)

// QCSchema v2 many-body documents, as QCManyBody's models/v2 define them (QCManyBody 0.6
// and later). The v2 types carry the same options as the v1 ones under the v2 names
// (schema names with underscores, cluster_* for component_*, a program on the many-body
// specification, no schema_version below the top level); the v1 types embedded in them
// keep one Go definition of the keywords and the atomic specification for both versions.
// ManyBodyInputV2.ToV1 and ManyBodyResult.ToV2 convert between the versions.

// Schema names of QCSchema v2 documents.
const (
	SchemaManyBodyInputV2         = "qcschema_many_body_input"
	SchemaManyBodySpecificationV2 = "qcschema_many_body_specification"
	SchemaManyBodyKeywordsV2      = "qcschema_many_body_keywords"
	SchemaManyBodyProtocolsV2     = "qcschema_many_body_protocols"
	SchemaManyBodyResultV2        = "qcschema_many_body_result"
	SchemaManyBodyPropertiesV2    = "qcschema_many_body_properties"
	SchemaAtomicResultV2          = "qcschema_atomic_result"
	SchemaAtomicPropertiesV2      = "qcschema_atomic_properties"
	// MoleculeSchemaVersionV2 is the schema_version of a QCSchema v2 molecule.
	MoleculeSchemaVersionV2 = 3
)

// ManyBodyKeywordsV2 are the many-body keywords of a v2 document: the v1 options under
// schema_name "qcschema_many_body_keywords", without schema_version.
type ManyBodyKeywordsV2 struct {
	ManyBodyKeywords
}

// MarshalJSON writes the v1 options with the v2 schema name.
func (k ManyBodyKeywordsV2) MarshalJSON() ([]byte, error) {
	return marshalWithSchemaName(k.ManyBodyKeywords, SchemaManyBodyKeywordsV2)
}

// AtomicSpecificationV2 is a model chemistry of a v2 document (schema_name
// "qcschema_atomic_specification", no schema_version).
type AtomicSpecificationV2 struct {
	AtomicSpecification
}

// MarshalJSON writes the specification with the v2 schema name.
func (s AtomicSpecificationV2) MarshalJSON() ([]byte, error) {
	return marshalWithSchemaName(s.AtomicSpecification, SchemaAtomicSpecificationV2)
}

// ManyBodyProtocolsV2 say what of the cluster calculations to keep in the result.
type ManyBodyProtocolsV2 struct {
	SchemaName string `json:"schema_name"`
	// ClusterResults is "none" (default) or "all": keep every cluster's AtomicResult.
	ClusterResults string `json:"cluster_results,omitempty"`
}

// MarshalJSON fills the schema name.
func (p ManyBodyProtocolsV2) MarshalJSON() ([]byte, error) {
	type plain ManyBodyProtocolsV2
	q := plain(p)
	if q.SchemaName == "" {
		q.SchemaName = SchemaManyBodyProtocolsV2
	}
	return json.Marshal(q)
}

// ManyBodySpecificationV2 is the driver, keywords, protocols and model chemistries of a
// v2 many-body calculation (schema_name "qcschema_many_body_specification"). Program
// names the many-body code; it is "" or "qcmanybody" for qcmb.
type ManyBodySpecificationV2 struct {
	SchemaName    string                           `json:"schema_name"`
	Keywords      ManyBodyKeywordsV2               `json:"keywords"`
	Program       string                           `json:"program"`
	Protocols     ManyBodyProtocolsV2              `json:"protocols"`
	Driver        Driver                           `json:"driver"`
	Specification map[string]AtomicSpecificationV2 `json:"specification"`
	Extras        map[string]any                   `json:"extras"`
}

// MarshalJSON fills the schema name and writes nil maps as {}.
func (s ManyBodySpecificationV2) MarshalJSON() ([]byte, error) {
	type plain ManyBodySpecificationV2
	p := plain(s)
	if p.SchemaName == "" {
		p.SchemaName = SchemaManyBodySpecificationV2
	}
	p.Extras = emptyIfNil(p.Extras)
	if p.Specification == nil {
		p.Specification = map[string]AtomicSpecificationV2{}
	}
	return json.Marshal(p)
}

// UnmarshalJSON reads the specification strictly, as the v1 one; one
// AtomicSpecification is the model chemistry "(auto)".
func (s *ManyBodySpecificationV2) UnmarshalJSON(data []byte) error {
	single, err := scanMembers(data, manyBodySpecShapeV2)
	if err != nil {
		return err
	}
	if single {
		var aux manyBodySpecificationV2Aux
		if err := json.Unmarshal(data, &aux); err != nil {
			return err
		}
		*s = aux.spec()
	} else {
		*s = ManyBodySpecificationV2{}
		if err := json.Unmarshal(data, (*manyBodySpecificationV2Plain)(s)); err != nil {
			return err
		}
	}
	return s.checkSchemas("")
}

type manyBodySpecificationV2Plain ManyBodySpecificationV2

type manyBodySpecificationV2Aux struct {
	manyBodySpecificationV2Plain
	Specification specMap[AtomicSpecificationV2] `json:"specification"`
}

func (a *manyBodySpecificationV2Aux) spec() ManyBodySpecificationV2 {
	s := ManyBodySpecificationV2(a.manyBodySpecificationV2Plain)
	s.Specification = a.Specification
	return s
}

func (s *ManyBodySpecificationV2) checkSchemas(path string) error {
	if err := firstErr(
		schemaCheck{parent: path, name: s.SchemaName, names: [2]string{SchemaManyBodySpecificationV2}},
		schemaCheck{parent: path, member: "keywords", name: s.Keywords.SchemaName, names: [2]string{SchemaManyBodyKeywordsV2}},
		schemaCheck{parent: path, member: "protocols", name: s.Protocols.SchemaName, names: [2]string{SchemaManyBodyProtocolsV2}},
	); err != nil {
		return err
	}
	for mc, a := range s.Specification {
		c := schemaCheck{parent: path, member: "specification", mc: mc, name: a.SchemaName, names: [2]string{SchemaAtomicSpecificationV2}}
		if err := c.err(); err != nil {
			return err
		}
	}
	return nil
}

// ManyBodyInputV2 is a whole v2 many-body calculation (schema_name
// "qcschema_many_body_input", schema_version 2).
type ManyBodyInputV2 struct {
	SchemaName    string                  `json:"schema_name"`
	SchemaVersion int                     `json:"schema_version"`
	ID            string                  `json:"id,omitempty"`
	Provenance    *Provenance             `json:"provenance,omitempty"`
	Specification ManyBodySpecificationV2 `json:"specification"`
	Molecule      Molecule                `json:"molecule"`
}

// MarshalJSON fills the schema name and version.
func (in ManyBodyInputV2) MarshalJSON() ([]byte, error) {
	type plain ManyBodyInputV2
	p := plain(in)
	defaultSchema(&p.SchemaName, &p.SchemaVersion, SchemaManyBodyInputV2, 2)
	return json.Marshal(p)
}

// UnmarshalJSON reads a v2 ManyBodyInput strictly: unknown members, duplicate keys and
// schema names of other documents are errors.
func (in *ManyBodyInputV2) UnmarshalJSON(data []byte) error {
	single, err := checkDocument(data, manyBodyInputShapeV2, manyBodyInputV2Check)
	if err != nil {
		return err
	}
	type plain ManyBodyInputV2
	*in = ManyBodyInputV2{}
	if single {
		aux := struct {
			*plain
			Specification *manyBodySpecificationV2Aux `json:"specification"`
		}{(*plain)(in), new(manyBodySpecificationV2Aux)}
		if err := json.Unmarshal(data, &aux); err != nil {
			return err
		}
		in.Specification = aux.Specification.spec()
	} else {
		aux := struct {
			*plain
			Specification *manyBodySpecificationV2Plain `json:"specification"`
		}{(*plain)(in), (*manyBodySpecificationV2Plain)(&in.Specification)}
		if err := json.Unmarshal(data, &aux); err != nil {
			return err
		}
	}
	if err := firstErr(manyBodyInputV2Check(in.SchemaName, in.SchemaVersion), moleculeCheck("molecule", &in.Molecule)); err != nil {
		return err
	}
	return in.Specification.checkSchemas("specification")
}

func manyBodyInputV2Check(name string, version int) schemaCheck {
	return schemaCheck{name: name, version: version, names: [2]string{SchemaManyBodyInputV2}, versions: [2]int{2}, other: otherDocument(name, "")}
}

// AtomicPropertiesV2 are the properties of one cluster calculation in a v2 document:
// AtomicResultProperties under schema_name "qcschema_atomic_properties".
type AtomicPropertiesV2 struct {
	AtomicResultProperties
}

// MarshalJSON writes the properties with their schema name.
func (p AtomicPropertiesV2) MarshalJSON() ([]byte, error) {
	return marshalWithSchemaName(p.AtomicResultProperties, SchemaAtomicPropertiesV2)
}

// UnmarshalJSON reads the properties; the schema name is not a property.
func (p *AtomicPropertiesV2) UnmarshalJSON(data []byte) error {
	if err := json.Unmarshal(data, &p.AtomicResultProperties); err != nil {
		return err
	}
	delete(p.Other, "schema_name")
	if len(p.Other) == 0 {
		p.Other = nil
	}
	return nil
}

// AtomicInputV2 is the input_data of a v2 AtomicResult: the molecule and the
// specification, program included.
type AtomicInputV2 struct {
	SchemaName    string                `json:"schema_name"`
	SchemaVersion int                   `json:"schema_version"`
	ID            string                `json:"id,omitempty"`
	Molecule      Molecule              `json:"molecule"`
	Specification AtomicSpecificationV2 `json:"specification"`
	Provenance    *Provenance           `json:"provenance,omitempty"`
}

// MarshalJSON fills the schema name and version.
func (in AtomicInputV2) MarshalJSON() ([]byte, error) {
	type plain AtomicInputV2
	p := plain(in)
	defaultSchema(&p.SchemaName, &p.SchemaVersion, SchemaInputV2, 2)
	return json.Marshal(p)
}

// AtomicResultV2 is a successful single point in QCSchema v2 (schema_name
// "qcschema_atomic_result"): what was asked is in input_data.
type AtomicResultV2 struct {
	SchemaName    string             `json:"schema_name"`
	SchemaVersion int                `json:"schema_version"`
	ID            string             `json:"id,omitempty"`
	InputData     AtomicInputV2      `json:"input_data"`
	Molecule      Molecule           `json:"molecule"`
	Properties    AtomicPropertiesV2 `json:"properties"`
	ReturnResult  ReturnResult       `json:"return_result"`
	Stdout        *string            `json:"stdout"`
	Stderr        *string            `json:"stderr"`
	NativeFiles   map[string]any     `json:"native_files"`
	Success       bool               `json:"success"`
	Provenance    Provenance         `json:"provenance"`
	Extras        map[string]any     `json:"extras"`
}

// MarshalJSON fills the schema name and version and writes nil maps as {}.
func (r AtomicResultV2) MarshalJSON() ([]byte, error) {
	type plain AtomicResultV2
	p := plain(r)
	defaultSchema(&p.SchemaName, &p.SchemaVersion, SchemaAtomicResultV2, 2)
	p.NativeFiles, p.Extras = emptyIfNil(p.NativeFiles), emptyIfNil(p.Extras)
	return json.Marshal(p)
}

// ManyBodyResultV2 is the outcome of a v2 many-body calculation (schema_name
// "qcschema_many_body_result", schema_version 2). Properties carries schema_name
// "qcschema_many_body_properties".
type ManyBodyResultV2 struct {
	SchemaName        string                        `json:"schema_name"`
	SchemaVersion     int                           `json:"schema_version"`
	ID                string                        `json:"id,omitempty"`
	Extras            map[string]any                `json:"extras"`
	Provenance        Provenance                    `json:"provenance"`
	InputData         ManyBodyInputV2               `json:"input_data"`
	Success           bool                          `json:"success"`
	NativeFiles       map[string]any                `json:"native_files"`
	Molecule          Molecule                      `json:"molecule"`
	Properties        ManyBodyResultProperties      `json:"properties"`
	ClusterProperties map[string]AtomicPropertiesV2 `json:"cluster_properties"`
	ClusterResults    map[string]AtomicResultV2     `json:"cluster_results"`
	ReturnResult      ReturnResult                  `json:"return_result"`
	Stdout            *string                       `json:"stdout"`
	Stderr            *string                       `json:"stderr"`
}

// MarshalJSON fills the schema names and version and writes nil maps as {}.
func (r ManyBodyResultV2) MarshalJSON() ([]byte, error) {
	type plain ManyBodyResultV2
	p := plain(r)
	defaultSchema(&p.SchemaName, &p.SchemaVersion, SchemaManyBodyResultV2, 2)
	if p.Properties.SchemaName == "" {
		p.Properties.SchemaName = SchemaManyBodyPropertiesV2
	}
	p.Extras, p.NativeFiles = emptyIfNil(p.Extras), emptyIfNil(p.NativeFiles)
	if p.ClusterProperties == nil {
		p.ClusterProperties = map[string]AtomicPropertiesV2{}
	}
	if p.ClusterResults == nil {
		p.ClusterResults = map[string]AtomicResultV2{}
	}
	return json.Marshal(p)
}

// marshalWithSchemaName encodes the v1 value v as the v2 document named name.
func marshalWithSchemaName(v any, name string) ([]byte, error) {
	v1, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return withSchemaName(v1, name)
}

// withSchemaName rewrites the JSON object data (as json.Marshal writes it) with
// schema_name set to name first and without schema_version; other members keep their order.
func withSchemaName(data []byte, name string) ([]byte, error) {
	s := scanner{data: data, skip: true}
	s.ws()
	if s.pos >= len(data) || data[s.pos] != '{' {
		return nil, fmt.Errorf("qcschema: want a JSON object, got %.20q", data)
	}
	s.pos++
	q, _ := json.Marshal(name)
	out := make([]byte, 0, len(data)+len(q)+16)
	out = append(out, `{"schema_name":`...)
	out = append(out, q...)
	for {
		s.ws()
		if s.pos >= len(data) {
			return nil, errSyntax
		}
		switch data[s.pos] {
		case '}':
			return append(out, '}'), nil
		case ',':
			s.pos++
			continue
		}
		start := s.pos
		key, err := s.str()
		if err != nil {
			return nil, err
		}
		s.ws()
		s.pos++ // ':'
		if err := s.value(anyShape); err != nil {
			return nil, err
		}
		if k := string(key); k == "schema_name" || k == "schema_version" {
			continue
		}
		out = append(out, ',')
		out = append(out, data[start:s.pos]...)
	}
}
