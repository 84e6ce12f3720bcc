package qcschema

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
			require.NoError(t, json.Unmarshal(data, &in))
			s := in.Specification
			assert.Equal(t, c.driver, s.Driver)
			assert.Equal(t, c.bsse, s.Keywords.BsseType)
			assert.Equal(t, c.cluster, s.Protocols.ClusterResults)
			assert.Equal(t, c.mcs, slices.Sorted(maps.Keys(s.Specification)), "model chemistries")
			assert.Equal(t, 4, in.Molecule.NAtom())
			assert.GreaterOrEqual(t, len(in.Molecule.Fragments), 3, "fragments")
			// the v1 input qcmb runs keeps every option
			v1 := in.ToV1()
			assert.Equal(t, c.cluster, v1.Specification.Protocols.ComponentResults, "v1")
			assert.Equal(t, c.bsse, v1.Specification.Keywords.BsseType, "v1")
			assert.Len(t, v1.Specification.Specification, len(c.mcs), "v1 model chemistries")
			assert.Equal(t, c.driver, v1.Specification.Driver, "v1")
		})
	}
}

// memberNames lists the members of a JSON object.
func memberNames(t *testing.T, data []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(data, &m))
	return slices.Sorted(maps.Keys(m))
}

// A v2 input encodes with QCManyBody's v2 member names and schema names and decodes back
// to itself.
func TestManyBodyInputV2RoundTrip(t *testing.T) {
	var in ManyBodyInputV2
	require.NoError(t, json.Unmarshal(readTestdata(t, "qcmanybody_v2_he4_single_4b_all.json"), &in))
	data, back := roundTrip(t, &in)
	assert.Empty(t, cmp.Diff(&in, back, jsonOpts, ignoreSchema), "round trip (-want +got)")
	var doc struct {
		SchemaName    string                     `json:"schema_name"`
		SchemaVersion int                        `json:"schema_version"`
		Specification map[string]json.RawMessage `json:"specification"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	assert.Equal(t, "qcschema_many_body_input", doc.SchemaName)
	assert.Equal(t, 2, doc.SchemaVersion)
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
	assert.Empty(t, cmp.Diff(want, got), "member names (-want +got)")
	for member, schema := range map[string]string{"keywords": SchemaManyBodyKeywordsV2, "protocols": SchemaManyBodyProtocolsV2} {
		assert.Contains(t, string(doc.Specification[member]), `"schema_name":"`+schema+`"`, member)
	}
	var auto map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(doc.Specification["specification"], &auto))
	assert.Equal(t, []string{"driver", "extras", "keywords", "model", "program", "protocols", "schema_name"}, memberNames(t, auto[AutoMC]),
		"atomic specification members")
	// v1 -> v2 -> v1 keeps the calculation
	v1 := in.ToV1()
	assert.Empty(t, cmp.Diff(v1, v1.ToV2().ToV1(), jsonOpts), "v1 -> v2 -> v1 (-want +got)")
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
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
			require.NotEqual(t, base, doc, "%q not in the document", c.old)
			var in ManyBodyInputV2
			assert.EqualError(t, json.Unmarshal([]byte(doc), &in), c.want)
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
		assert.NoError(t, err, doc)
		assert.Equal(t, want, got, doc)
	}
}

// A v1 result converts to a v2 result with the same numbers under the v2 names.
func TestManyBodyResultToV2(t *testing.T) {
	var in ManyBodyInputV2
	require.NoError(t, json.Unmarshal(readTestdata(t, "qcmanybody_v2_he4_single_4b_all.json"), &in))
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
	assert.Equal(t, []string{"cluster_properties", "cluster_results", "extras", "input_data", "molecule",
		"native_files", "properties", "provenance", "return_result", "schema_name", "schema_version", "stderr", "stdout", "success"},
		memberNames(t, data), "result members")
	var back ManyBodyResultV2
	require.NoError(t, json.Unmarshal(data, &back))
	cr := back.ClusterResults[label]
	assert.Equal(t, SchemaManyBodyResultV2, back.SchemaName)
	assert.Equal(t, 2, back.SchemaVersion)
	assert.Equal(t, SchemaManyBodyPropertiesV2, back.Properties.SchemaName)
	assert.Equal(t, 0.008, back.Properties.Energies["nocp_corrected_interaction_energy"], "properties")
	cp := back.ClusterProperties[label]
	require.NotNil(t, cp.ReturnEnergy, "cluster properties %+v", back.ClusterProperties)
	require.NotNil(t, cp.CalcinfoNAtom, "cluster properties %+v", back.ClusterProperties)
	assert.Equal(t, e, *cp.ReturnEnergy, "cluster properties")
	assert.Equal(t, 4, *cp.CalcinfoNAtom, "cluster properties")
	assert.Nil(t, cp.Other, "cluster properties")
	assert.Equal(t, SchemaAtomicResultV2, cr.SchemaName, "cluster result")
	assert.Equal(t, "psi4", cr.InputData.Specification.Program, "cluster result")
	assert.Equal(t, "mp2", cr.InputData.Specification.Model.Method, "cluster result")
	assert.Equal(t, SchemaAtomicSpecificationV2, cr.InputData.Specification.SchemaName, "cluster result")
	assert.Equal(t, e, cr.ReturnResult.Scalar, "cluster result")
	assert.Equal(t, MoleculeSchemaVersionV2, back.Molecule.SchemaVersion, "molecule")
	assert.Equal(t, 4, back.Molecule.NAtom(), "molecule")
	assert.Equal(t, 0.008, back.ReturnResult.Scalar, "return_result")
	assert.NotNil(t, back.Extras["qcvars"], "extras")
	assert.Equal(t, string(data), string(mustMarshal(t, &back)), "v2 result does not round-trip")
	assert.Contains(t, string(data), `"cluster_properties":{"[\"(auto)\", [1], [1]]":{"schema_name":"qcschema_atomic_properties","calcinfo_natom":4,"return_energy":-11.5}}`,
		"cluster_properties as written")
}

func TestDecodeManyBodyInput(t *testing.T) {
	v1doc := mbDoc("", "", "", "", "")
	v2doc := string(readTestdata(t, "qcmanybody_v2_he4_model_dump.json"))
	v1, v2, err := DecodeManyBodyInput([]byte(v1doc))
	require.NoError(t, err, "v1")
	require.Nil(t, v2, "v1")
	require.NotNil(t, v1, "v1")
	assert.Equal(t, "hf", v1.Specification.Specification["scf"].Program, "v1")
	var want ManyBodyInput
	require.NoError(t, json.Unmarshal([]byte(v1doc), &want))
	assert.Empty(t, cmp.Diff(&want, v1), "DecodeManyBodyInput differs from json.Unmarshal (-want +got)")
	v1, v2, err = DecodeManyBodyInput([]byte(v2doc))
	require.NoError(t, err, "v2")
	require.Nil(t, v1, "v2")
	require.NotNil(t, v2, "v2")
	assert.Equal(t, "all", v2.Specification.Protocols.ClusterResults, "v2")
	var syn *json.SyntaxError
	for doc, want := range map[string]string{
		`[1, 2]`:                                `qcschema: want a JSON object, got "[1, 2]"`,
		`{"schema_version": "2"`:                `qcschema: invalid schema_version: want an integer`,
		`{"schema_name": 2}`:                    `qcschema: invalid schema_name: want a string`,
		mbDoc("", "", `,"bsse_typo":1`, "", ""): `qcschema: specification.keywords.bsse_typo: unknown field (did you mean "bsse_type"?)`,
	} {
		_, _, err := DecodeManyBodyInput([]byte(doc))
		assert.EqualError(t, err, want, doc)
	}
	for _, doc := range []string{`{"schema_name": "x"`, `{"a" 1}`, `{"molecule": {"symbols": [}`, ``} {
		_, _, err := DecodeManyBodyInput([]byte(doc))
		assert.ErrorAs(t, err, &syn, "%q", doc)
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
	assert.Equal(t, []float64{1, 2, 3, 0, 0, 0, 4, 5, 6}, got.ReturnGradient)
	assert.Equal(t, 3, *got.CalcinfoNAtom)
	assert.Equal(t, e, *got.ReturnEnergy)
	h := got.ReturnHessian
	require.Len(t, h, 81, "Hessian")
	// element (row, col) of the sub-Hessian lands at the rows and columns of its atoms
	for r := 0; r < 6; r++ {
		for c := 0; c < 6; c++ {
			fr, fc := []int{0, 1, 2, 6, 7, 8}[r], []int{0, 1, 2, 6, 7, 8}[c]
			require.Equal(t, sub.ReturnHessian[r*6+c], h[fr*9+fc], "H[%d][%d]", fr, fc)
		}
	}
	var sum float64
	for _, x := range h {
		sum += x
	}
	assert.Equal(t, 666.0, sum, "Hessian sum") // 1 + ... + 36: nothing else is non-zero
	// a cluster of the whole molecule, or arrays of an unexpected size, are kept as they are
	whole := AtomicResultProperties{ReturnEnergy: &e, ReturnGradient: make([]float64, 9)}
	assert.Len(t, clusterProperties(`["a", [1, 2], [1, 2]]`, &whole, mol, 3).ReturnGradient, 9, "whole")
	assert.Len(t, clusterProperties(`not a label`, &sub, mol, 3).ReturnGradient, 6, "bad label")
}
