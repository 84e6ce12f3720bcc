package qcschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// Conversions between QCSchema v1 and v2 many-body documents, as QCManyBody's convert_v
// methods make them. qcmb plans and runs the v1 types; a v2 input is converted on the way
// in and its result on the way out.

// ManyBodyVersion reads the schema_name and schema_version of a many-body input document
// and says which QCSchema version it is: 2 for schema_name "qcschema_many_body_input" or
// schema_version 2, else 1 (the strict decode of that version reports anything wrong).
func ManyBodyVersion(data []byte) (int, error) {
	name, version, err := topSchema(data)
	if err != nil {
		return 0, err
	}
	if name == SchemaManyBodyInputV2 || version == 2 {
		return 2, nil
	}
	return 1, nil
}

// DecodeManyBodyInput decodes a v1 or a v2 many-body input document (ManyBodyVersion tells
// which) strictly, as json.Unmarshal into ManyBodyInput or ManyBodyInputV2 does, but
// without encoding/json's two extra passes over a document whose type decodes itself.
// Exactly one of v1 and v2 is non-nil when err is nil.
func DecodeManyBodyInput(data []byte) (v1 *ManyBodyInput, v2 *ManyBodyInputV2, err error) {
	version, err := ManyBodyVersion(data)
	if err != nil {
		return nil, nil, err
	}
	if version == 2 {
		v2 = new(ManyBodyInputV2)
		if err := v2.UnmarshalJSON(data); err != nil {
			return nil, nil, err
		}
		return nil, v2, nil
	}
	v1 = new(ManyBodyInput)
	if err := v1.UnmarshalJSON(data); err != nil {
		return nil, nil, err
	}
	return v1, nil, nil
}

// topSchema reads the schema_name and schema_version members of the JSON object data with
// one scan that decodes nothing else.
func topSchema(data []byte) (name string, version int, err error) {
	s := scanner{data: data, skip: true}
	s.ws()
	if s.pos >= len(data) || data[s.pos] != '{' {
		if err := json.Unmarshal(data, new(any)); err != nil {
			return "", 0, err
		}
		return "", 0, fmt.Errorf("qcschema: want a JSON object, got %.20q", data)
	}
	s.pos++
	for {
		s.ws()
		if s.pos >= len(data) {
			return "", 0, json.Unmarshal(data, new(any)) // the decoder's own syntax error
		}
		switch data[s.pos] {
		case '}':
			return name, version, nil
		case ',':
			s.pos++
			continue
		}
		key, kerr := s.str()
		s.ws()
		if kerr != nil || s.pos >= len(data) || data[s.pos] != ':' {
			return "", 0, json.Unmarshal(data, new(any)) // the decoder's own syntax error
		}
		s.pos++
		s.ws()
		start := s.pos
		if err := s.value(anyShape); err != nil {
			return "", 0, json.Unmarshal(data, new(any))
		}
		raw := data[start:s.pos]
		switch string(key) {
		case "schema_name":
			if len(raw) >= 2 && raw[0] == '"' && bytes.IndexByte(raw, '\\') < 0 {
				name = string(raw[1 : len(raw)-1])
			} else if json.Unmarshal(raw, &name) != nil {
				return "", 0, invalid("schema_name", -1, "want a string")
			}
		case "schema_version":
			v, err := strconv.Atoi(string(raw))
			if err != nil {
				return "", 0, invalid("schema_version", -1, "want an integer")
			}
			version = v
		}
	}
}

// ToV1 is the v1 input of the same calculation: protocols.cluster_results becomes
// component_results; the many-body program and the provenance have no v1 place (the id
// stays, as qcmb's v1 input keeps one).
func (in *ManyBodyInputV2) ToV1() *ManyBodyInput {
	return &ManyBodyInput{
		SchemaName:    SchemaManyBodyInput,
		SchemaVersion: 1,
		ID:            in.ID,
		Specification: in.Specification.ToV1(),
		Molecule:      in.Molecule,
		Extras:        map[string]any{},
	}
}

// ToV1 is the v1 specification of the same calculation (see ManyBodyInputV2.ToV1).
func (s *ManyBodySpecificationV2) ToV1() ManyBodySpecification {
	kw := s.Keywords.ManyBodyKeywords
	kw.SchemaName, kw.SchemaVersion = SchemaManyBodyKeywords, 1
	var specs map[string]AtomicSpecification
	if s.Specification != nil {
		specs = make(map[string]AtomicSpecification, len(s.Specification))
		for mc, a := range s.Specification {
			v1 := a.AtomicSpecification
			v1.SchemaName, v1.SchemaVersion = SchemaAtomicSpecification, 1
			specs[mc] = v1
		}
	}
	return ManyBodySpecification{
		SchemaName:    SchemaManyBodySpecification,
		SchemaVersion: 1,
		Keywords:      kw,
		Protocols:     ManyBodyProtocols{ComponentResults: s.Protocols.ClusterResults},
		Driver:        s.Driver,
		Specification: specs,
		Extras:        s.Extras,
	}
}

// ToV2 is the v2 input of the same calculation (v1 extras have no v2 place and are dropped,
// as QCManyBody drops them).
func (in *ManyBodyInput) ToV2() *ManyBodyInputV2 {
	return &ManyBodyInputV2{
		SchemaName:    SchemaManyBodyInputV2,
		SchemaVersion: 2,
		ID:            in.ID,
		Specification: in.Specification.ToV2(),
		Molecule:      in.Molecule,
	}
}

// ToV2 is the v2 specification of the same calculation.
func (s *ManyBodySpecification) ToV2() ManyBodySpecificationV2 {
	kw := s.Keywords
	kw.SchemaName, kw.SchemaVersion = SchemaManyBodyKeywordsV2, 0
	var specs map[string]AtomicSpecificationV2
	if s.Specification != nil {
		specs = make(map[string]AtomicSpecificationV2, len(s.Specification))
		for mc, a := range s.Specification {
			a.SchemaName, a.SchemaVersion = SchemaAtomicSpecificationV2, 0
			specs[mc] = AtomicSpecificationV2{a}
		}
	}
	return ManyBodySpecificationV2{
		SchemaName:    SchemaManyBodySpecificationV2,
		Keywords:      ManyBodyKeywordsV2{kw},
		Protocols:     ManyBodyProtocolsV2{SchemaName: SchemaManyBodyProtocolsV2, ClusterResults: s.Protocols.ComponentResults},
		Driver:        s.Driver,
		Specification: specs,
		Extras:        s.Extras,
	}
}

// moleculeV2 is m labelled as a QCSchema v2 molecule.
func moleculeV2(m Molecule) Molecule {
	m.SchemaName, m.SchemaVersion = SchemaMolecule, MoleculeSchemaVersionV2
	return m
}

// ToV2 is the v2 result of in, the v2 input r was computed from: component_results become
// cluster_results, which take their program from the model chemistry of their label;
// cluster_properties hold what QCManyBody keeps there (see clusterProperties); the result
// carries the molecule. input_data is in as QCManyBody stores it: its BSSE treatments as
// r's input_data records them (canonical) and its molecule named a v2 molecule. Extras,
// numbers and stdout are r's.
func (r *ManyBodyResult) ToV2(in *ManyBodyInputV2) *ManyBodyResultV2 {
	echo := *in
	if bt := r.InputData.Specification.Keywords.BsseType; bt != nil {
		echo.Specification.Keywords.BsseType = bt // canonical, as r records it
	}
	echo.Molecule = moleculeV2(in.Molecule)
	props := r.Properties
	props.SchemaName, props.SchemaVersion = SchemaManyBodyPropertiesV2, 0
	out := &ManyBodyResultV2{
		SchemaName:        SchemaManyBodyResultV2,
		SchemaVersion:     2,
		ID:                r.ID,
		Extras:            maps.Clone(r.Extras),
		Provenance:        r.Provenance,
		InputData:         echo,
		Success:           r.Success,
		NativeFiles:       map[string]any{},
		Molecule:          moleculeV2(in.Molecule),
		Properties:        props,
		ClusterProperties: make(map[string]AtomicPropertiesV2, len(r.ComponentProperties)),
		ClusterResults:    make(map[string]AtomicResultV2, len(r.ComponentResults)),
		ReturnResult:      r.ReturnResult,
		Stdout:            r.Stdout,
		Stderr:            r.Stderr,
	}
	natom := in.Molecule.NAtom()
	for label, p := range r.ComponentProperties {
		out.ClusterProperties[label] = clusterProperties(label, &p, &in.Molecule, natom)
	}
	for label, ar := range r.ComponentResults {
		out.ClusterResults[label] = ar.ToV2(in.Specification.Specification[labelMC(label)].Program)
	}
	return out
}

// labelMC is the model chemistry of a task label `["mc", [1], [1, 2]]`, or "".
func labelMC(label string) string {
	var parts []json.RawMessage
	var mc string
	if json.Unmarshal([]byte(label), &parts) != nil || len(parts) == 0 || json.Unmarshal(parts[0], &mc) != nil {
		return ""
	}
	return mc
}

// labelBasisAtoms are the atoms of mol (0-indexed, in parent order, as a task's
// sub-molecule holds them) of the basis fragments of a task label, or nil.
func labelBasisAtoms(label string, mol *Molecule) []int {
	var parts []json.RawMessage
	var basis []int
	if json.Unmarshal([]byte(label), &parts) != nil || len(parts) != 3 || json.Unmarshal(parts[2], &basis) != nil {
		return nil
	}
	var atoms []int
	for _, f := range basis {
		if f < 1 || f > mol.NFragments() {
			return nil
		}
		atoms = append(atoms, mol.FragmentAtoms(f-1)...)
	}
	slices.Sort(atoms)
	return atoms
}

// clusterProperties is QCManyBody's cluster_properties entry of one cluster: the whole
// molecule's calcinfo_natom and the cluster's return energy, gradient and Hessian, the
// arrays sized for the whole molecule (zero on the atoms outside the cluster's basis).
// Arrays whose size fits neither the cluster nor the molecule are kept as they are.
func clusterProperties(label string, p *AtomicResultProperties, mol *Molecule, natom int) AtomicPropertiesV2 {
	out := AtomicResultProperties{CalcinfoNAtom: &natom, ReturnEnergy: p.ReturnEnergy}
	if p.ReturnGradient == nil && p.ReturnHessian == nil {
		return AtomicPropertiesV2{out}
	}
	atoms := labelBasisAtoms(label, mol)
	out.ReturnGradient = p.ReturnGradient
	if n := len(atoms); n > 0 && len(p.ReturnGradient) == 3*n && n != natom {
		out.ReturnGradient = make([]float64, 3*natom)
		for i, a := range atoms {
			copy(out.ReturnGradient[3*a:3*a+3], p.ReturnGradient[3*i:3*i+3])
		}
	}
	out.ReturnHessian = p.ReturnHessian
	if n := len(atoms); n > 0 && len(p.ReturnHessian) == 9*n*n && n != natom {
		out.ReturnHessian = make([]float64, 9*natom*natom)
		for i, a := range atoms {
			for j, b := range atoms {
				for x := 0; x < 3; x++ {
					copy(out.ReturnHessian[(3*a+x)*3*natom+3*b:][:3], p.ReturnHessian[(3*i+x)*3*n+3*j:][:3])
				}
			}
		}
	}
	return AtomicPropertiesV2{out}
}

// ToV2 is the v2 form of the single point r, run by program: the driver, model, keywords
// and protocols move into input_data.specification.
func (r *AtomicResult) ToV2(program string) AtomicResultV2 {
	return AtomicResultV2{
		SchemaName:    SchemaAtomicResultV2,
		SchemaVersion: 2,
		ID:            r.ID,
		InputData: AtomicInputV2{
			SchemaName:    SchemaInputV2,
			SchemaVersion: 2,
			ID:            r.ID,
			Molecule:      moleculeV2(r.Molecule),
			Specification: AtomicSpecificationV2{AtomicSpecification{
				SchemaName: SchemaAtomicSpecificationV2, Program: program, Driver: r.Driver, Model: r.Model,
				Keywords: r.Keywords, Protocols: r.Protocols,
			}},
		},
		Molecule:     moleculeV2(r.Molecule),
		Properties:   AtomicPropertiesV2{r.Properties},
		ReturnResult: r.ReturnResult,
		Stdout:       r.Stdout,
		Stderr:       r.Stderr,
		NativeFiles:  r.NativeFiles,
		Success:      r.Success,
		Provenance:   r.Provenance,
		Extras:       r.Extras,
	}
}
