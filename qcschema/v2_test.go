package qcschema

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// QCManyBody's v2 test inputs (test_schema_keywords.py, test_computer_he4_singlelevel.py)
// and the he4 one as its v2 ManyBodyInput.model_dump() writes it parse as v2 inputs.
func TestQCManyBodyV2ExamplesParse(t *testing.T) {
	cases := []struct {
		file    string
		driver  Driver
		mcs     []string
		bsse    BsseList
		cluster string
	}{
		{"qcmanybody_v2_schema_keywords_mbe_data.json", DriverGradient, []string{AutoMC}, BsseList{BsseCP}, ""},
		{"qcmanybody_v2_schema_keywords_multilevel.json", DriverGradient, []string{AutoMC, "c4-ccsd-tz", "c4-hf-dz", "p4-mp2-dz"}, BsseList{BsseNoCP}, ""},
		{"qcmanybody_v2_he4_single_4b_all.json", DriverEnergy, []string{AutoMC}, BsseList{BsseNoCP, BsseCP, BsseVMFC}, "all"},
		{"qcmanybody_v2_he4_model_dump.json", DriverEnergy, []string{AutoMC}, BsseList{BsseNoCP, BsseCP, BsseVMFC}, "all"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			data := readTestdata(t, c.file)
			var in ManyBodyInputV2
			if err := json.Unmarshal(data, &in); err != nil {
				t.Fatal(err)
			}
			s := in.Specification
			if s.Driver != c.driver || !slices.Equal(s.Keywords.BsseType, c.bsse) || s.Protocols.ClusterResults != c.cluster {
				t.Errorf("specification %+v", s)
			}
			if got := slices.Sorted(maps.Keys(s.Specification)); !slices.Equal(got, c.mcs) {
				t.Errorf("model chemistries %v, want %v", got, c.mcs)
			}
			if in.Molecule.NAtom() != 4 || len(in.Molecule.Fragments) < 3 {
				t.Errorf("molecule %+v", in.Molecule)
			}
			// the v1 input qcmb runs keeps every option
			v1 := in.ToV1()
			if v1.Specification.Protocols.ComponentResults != c.cluster || !slices.Equal(v1.Specification.Keywords.BsseType, c.bsse) ||
				len(v1.Specification.Specification) != len(c.mcs) || v1.Specification.Driver != c.driver {
				t.Errorf("v1 %+v", v1.Specification)
			}
		})
	}
}

// memberNames lists the members of a JSON object.
func memberNames(t *testing.T, data []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return slices.Sorted(maps.Keys(m))
}

// A v2 input encodes with QCManyBody's v2 member names and schema names and decodes back
// to itself.
func TestManyBodyInputV2RoundTrip(t *testing.T) {
	var in ManyBodyInputV2
	if err := json.Unmarshal(readTestdata(t, "qcmanybody_v2_he4_single_4b_all.json"), &in); err != nil {
		t.Fatal(err)
	}
	data, back := roundTrip(t, &in)
	if d := cmp.Diff(&in, back, jsonOpts, ignoreSchema); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
	var doc struct {
		SchemaName    string                     `json:"schema_name"`
		SchemaVersion int                        `json:"schema_version"`
		Specification map[string]json.RawMessage `json:"specification"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.SchemaName != "qcschema_many_body_input" || doc.SchemaVersion != 2 {
		t.Errorf("schema %q %d", doc.SchemaName, doc.SchemaVersion)
	}
	want := map[string][]string{
		"":              {"molecule", "schema_name", "schema_version", "specification"},
		"specification": {"driver", "extras", "keywords", "program", "protocols", "schema_name", "specification"},
		"keywords":      {"bsse_type", "embedding_charges", "levels", "max_nbody", "return_total_data", "schema_name", "supersystem_ie_only"},
		"protocols":     {"cluster_results", "schema_name"},
	}
	got := map[string][]string{
		"":              memberNames(t, data),
		"specification": memberNames(t, mustMarshal(t, doc.Specification)),
		"keywords":      memberNames(t, doc.Specification["keywords"]),
		"protocols":     memberNames(t, doc.Specification["protocols"]),
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("member names (-want +got):\n%s", d)
	}
	for member, schema := range map[string]string{"keywords": SchemaManyBodyKeywordsV2, "protocols": SchemaManyBodyProtocolsV2} {
		if !strings.Contains(string(doc.Specification[member]), `"schema_name":"`+schema+`"`) {
			t.Errorf("%s: %s", member, doc.Specification[member])
		}
	}
	var auto map[string]json.RawMessage
	if err := json.Unmarshal(doc.Specification["specification"], &auto); err != nil {
		t.Fatal(err)
	}
	if got := memberNames(t, auto[AutoMC]); !slices.Equal(got, []string{"driver", "extras", "keywords", "model", "program", "protocols", "schema_name"}) {
		t.Errorf("atomic specification members %v", got)
	}
	// v1 -> v2 -> v1 keeps the calculation
	v1 := in.ToV1()
	if d := cmp.Diff(v1, v1.ToV2().ToV1(), jsonOpts); d != "" {
		t.Errorf("v1 -> v2 -> v1 (-want +got):\n%s", d)
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestStrictManyBodyInputV2(t *testing.T) {
	base := string(readTestdata(t, "qcmanybody_v2_he4_model_dump.json"))
	cases := []struct{ name, old, new, want string }{
		{"v1 protocol name", `"cluster_results": "all"`, `"component_results": "all"`,
			`qcschema: specification.protocols.component_results: unknown field (did you mean "cluster_results"?)`},
		{"keywords have no schema_version in v2", `"bsse_type": [`, `"schema_version": 1, "bsse_type": [`,
			`qcschema: specification.keywords.schema_version: unknown field`},
		{"keyword typo", `"max_nbody": null`, `"max_nbdy": null`,
			`qcschema: specification.keywords.max_nbdy: unknown field (did you mean "max_nbody"?)`},
		{"v1 extras at the top", `"id": null`, `"extras": {}`,
			`qcschema: extras: unknown field`},
		{"v1 schema name", `"qcschema_many_body_input"`, `"qcschema_manybodyinput"`,
			`qcschema: invalid schema_name: "qcschema_manybodyinput": want "qcschema_many_body_input"; "qcschema_manybodyinput" is QCSchema v1: read it with ManyBodyInput`},
		{"v1 keywords schema name", `"qcschema_many_body_keywords"`, `"qcschema_manybodykeywords"`,
			`qcschema: invalid specification.keywords.schema_name: "qcschema_manybodykeywords": want "qcschema_many_body_keywords"`},
		{"atomic specification", `"qcschema_atomic_specification"`, `"qcschema_atomicspecification"`,
			`qcschema: invalid specification.specification["(auto)"].schema_name: "qcschema_atomicspecification": want "qcschema_atomic_specification"`},
		{"version", `"schema_version": 2`, `"schema_version": 1`, `qcschema: invalid schema_version: 1: want 2`},
		{"duplicate", `"mp2_type": "conv"`, `"mp2_type": "conv", "mp2_type": "df"`,
			`qcschema: specification.specification["(auto)"].keywords.mp2_type: duplicate key`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := strings.Replace(base, c.old, c.new, 1)
			if doc == base {
				t.Fatalf("%q not in the document", c.old)
			}
			var in ManyBodyInputV2
			err := json.Unmarshal([]byte(doc), &in)
			if err == nil || err.Error() != c.want {
				t.Errorf("error\n got %v\nwant %s", err, c.want)
			}
		})
	}
}

func TestManyBodyVersion(t *testing.T) {
	for doc, want := range map[string]int{
		`{"schema_name":"qcschema_many_body_input","schema_version":2}`: 2,
		`{"schema_name":"qcschema_many_body_input"}`:                    2,
		`{"schema_version":2,"specification":{}}`:                       2,
		`{"schema_name":"qcschema_manybodyinput","schema_version":1}`:   1,
		`{"specification":{"schema_name":"x"}}`:                         1,
	} {
		got, err := ManyBodyVersion([]byte(doc))
		if err != nil || got != want {
			t.Errorf("%s: %d, %v; want %d", doc, got, err, want)
		}
	}
}

// A v1 result converts to a v2 result with the same numbers under the v2 names.
func TestManyBodyResultToV2(t *testing.T) {
	var in ManyBodyInputV2
	if err := json.Unmarshal(readTestdata(t, "qcmanybody_v2_he4_single_4b_all.json"), &in); err != nil {
		t.Fatal(err)
	}
	e, natom := -11.5, 4
	label := `["(auto)", [1], [1]]`
	v1 := &ManyBodyResult{
		Success:             true,
		Extras:              map[string]any{"qcvars": map[string]any{"CURRENT ENERGY": 0.008}},
		Properties:          ManyBodyResultProperties{CalcinfoNAtom: &natom, Energies: map[string]float64{"nocp_corrected_interaction_energy": 0.008}},
		ComponentProperties: map[string]AtomicResultProperties{label: {ReturnEnergy: &e}},
		ComponentResults: map[string]AtomicResult{label: {ID: label, Driver: DriverEnergy, Model: Model{"mp2", "aug-cc-pvdz"},
			Properties: AtomicResultProperties{ReturnEnergy: &e}, ReturnResult: ReturnResult{Scalar: e}, Success: true}},
		ReturnResult: ReturnResult{Scalar: 0.008},
	}
	v2 := v1.ToV2(&in)
	data := mustMarshal(t, v2)
	if got := memberNames(t, data); !slices.Equal(got, []string{"cluster_properties", "cluster_results", "extras", "input_data", "molecule",
		"native_files", "properties", "provenance", "return_result", "schema_name", "schema_version", "stderr", "stdout", "success"}) {
		t.Errorf("result members %v", got)
	}
	var back ManyBodyResultV2
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	cr := back.ClusterResults[label]
	switch {
	case back.SchemaName != SchemaManyBodyResultV2 || back.SchemaVersion != 2:
		t.Errorf("schema %s %d", back.SchemaName, back.SchemaVersion)
	case back.Properties.SchemaName != SchemaManyBodyPropertiesV2 || back.Properties.Energies["nocp_corrected_interaction_energy"] != 0.008:
		t.Errorf("properties %+v", back.Properties)
	case *back.ClusterProperties[label].ReturnEnergy != e || *back.ClusterProperties[label].CalcinfoNAtom != 4 || back.ClusterProperties[label].Other != nil:
		t.Errorf("cluster properties %+v", back.ClusterProperties)
	case cr.SchemaName != SchemaAtomicResultV2 || cr.InputData.Specification.Program != "psi4" || cr.InputData.Specification.Model.Method != "mp2" ||
		cr.InputData.Specification.SchemaName != SchemaAtomicSpecificationV2 || cr.ReturnResult.Scalar != e:
		t.Errorf("cluster result %+v", cr)
	case back.Molecule.SchemaVersion != MoleculeSchemaVersionV2 || back.Molecule.NAtom() != 4:
		t.Errorf("molecule %+v", back.Molecule)
	case back.ReturnResult.Scalar != 0.008 || back.Extras["qcvars"] == nil:
		t.Errorf("return_result %v, extras %v", back.ReturnResult, back.Extras)
	}
	if again := mustMarshal(t, &back); string(again) != string(data) {
		t.Errorf("v2 result does not round-trip:\n%s\n%s", data, again)
	}
	if !strings.Contains(string(data), `"cluster_properties":{"[\"(auto)\", [1], [1]]":{"schema_name":"qcschema_atomic_properties","calcinfo_natom":4,"return_energy":-11.5}}`) {
		t.Errorf("cluster_properties as written: %s", data)
	}
}

func TestDecodeManyBodyInput(t *testing.T) {
	v1doc := mbDoc("", "", "", "", "")
	v2doc := string(readTestdata(t, "qcmanybody_v2_he4_model_dump.json"))
	v1, v2, err := DecodeManyBodyInput([]byte(v1doc))
	if err != nil || v2 != nil || v1 == nil || v1.Specification.Specification["scf"].Program != "hf" {
		t.Errorf("v1: %+v %+v %v", v1, v2, err)
	}
	var want ManyBodyInput
	if err := json.Unmarshal([]byte(v1doc), &want); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(&want, v1); d != "" {
		t.Errorf("DecodeManyBodyInput differs from json.Unmarshal (-want +got):\n%s", d)
	}
	v1, v2, err = DecodeManyBodyInput([]byte(v2doc))
	if err != nil || v1 != nil || v2 == nil || v2.Specification.Protocols.ClusterResults != "all" {
		t.Errorf("v2: %+v %+v %v", v1, v2, err)
	}
	var syn *json.SyntaxError
	for doc, want := range map[string]string{
		`[1, 2]`:                                `qcschema: want a JSON object, got "[1, 2]"`,
		`{"schema_version": "2"`:                `qcschema: invalid schema_version: want an integer`,
		`{"schema_name": 2}`:                    `qcschema: invalid schema_name: want a string`,
		mbDoc("", "", `,"bsse_typo":1`, "", ""): `qcschema: specification.keywords.bsse_typo: unknown field (did you mean "bsse_type"?)`,
	} {
		if _, _, err := DecodeManyBodyInput([]byte(doc)); err == nil || err.Error() != want {
			t.Errorf("%s: got %v, want %s", doc, err, want)
		}
	}
	for _, doc := range []string{`{"schema_name": "x"`, `{"a" 1}`, `{"molecule": {"symbols": [}`, ``} {
		if _, _, err := DecodeManyBodyInput([]byte(doc)); !errors.As(err, &syn) {
			t.Errorf("%q: got %v, want a *json.SyntaxError", doc, err)
		}
	}
}

// cluster_properties hold, as QCManyBody's do, each cluster's gradient and Hessian sized
// for the whole molecule: the rows of the cluster's basis atoms in parent order, zero
// elsewhere.
func TestClusterPropertiesWholeMolecule(t *testing.T) {
	mol := &Molecule{Symbols: []string{"He", "Ne", "Ar"}, Geometry: make([]float64, 9), Fragments: [][]int{{1}, {0, 2}}}
	e := -1.0
	sub := AtomicResultProperties{ReturnEnergy: &e, ReturnGradient: []float64{1, 2, 3, 4, 5, 6}, ReturnHessian: make([]float64, 36)}
	for i := range sub.ReturnHessian {
		sub.ReturnHessian[i] = float64(i + 1)
	}
	got := clusterProperties(`["a", [2], [2]]`, &sub, mol, 3) // atoms 0 and 2
	if !slices.Equal(got.ReturnGradient, []float64{1, 2, 3, 0, 0, 0, 4, 5, 6}) || *got.CalcinfoNAtom != 3 || *got.ReturnEnergy != e {
		t.Errorf("gradient %v natom %d", got.ReturnGradient, *got.CalcinfoNAtom)
	}
	h := got.ReturnHessian
	if len(h) != 81 {
		t.Fatalf("Hessian size %d", len(h))
	}
	// element (row, col) of the sub-Hessian lands at the rows and columns of its atoms
	for r := 0; r < 6; r++ {
		for c := 0; c < 6; c++ {
			fr, fc := []int{0, 1, 2, 6, 7, 8}[r], []int{0, 1, 2, 6, 7, 8}[c]
			if h[fr*9+fc] != sub.ReturnHessian[r*6+c] {
				t.Fatalf("H[%d][%d] = %v, want %v", fr, fc, h[fr*9+fc], sub.ReturnHessian[r*6+c])
			}
		}
	}
	var sum float64
	for _, x := range h {
		sum += x
	}
	if sum != 666 { // 1 + ... + 36: nothing else is non-zero
		t.Errorf("Hessian sum %v", sum)
	}
	// a cluster of the whole molecule, or arrays of an unexpected size, are kept as they are
	whole := AtomicResultProperties{ReturnEnergy: &e, ReturnGradient: make([]float64, 9)}
	if got := clusterProperties(`["a", [1, 2], [1, 2]]`, &whole, mol, 3); len(got.ReturnGradient) != 9 {
		t.Errorf("whole: %v", got.ReturnGradient)
	}
	if got := clusterProperties(`not a label`, &sub, mol, 3); len(got.ReturnGradient) != 6 {
		t.Errorf("bad label: %v", got.ReturnGradient)
	}
}
