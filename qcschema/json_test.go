package qcschema

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jsonOpts compares decoded documents: empty and nil are equal, raw JSON by meaning.
var jsonOpts = cmp.Options{
	cmpopts.EquateEmpty(),
	cmp.Transformer("rawJSON", func(r json.RawMessage) any {
		var v any
		if err := json.Unmarshal(r, &v); err != nil {
			return string(r)
		}
		return v
	}),
}

// ignoreSchema ignores schema_name and schema_version, which encoding fills with defaults.
var ignoreSchema = cmp.FilterPath(func(p cmp.Path) bool {
	sf, ok := p.Last().(cmp.StructField)
	return ok && (sf.Name() == "SchemaName" || sf.Name() == "SchemaVersion")
}, cmp.Ignore())

func decodeStrict(t *testing.T, data []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(v), "decode %T", v)
}

func generic(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(data, &v))
	return v
}

// roundTrip encodes v, decodes it into a new value of the same type and returns the
// encoding and the new value.
func roundTrip[T any](t *testing.T, v *T) ([]byte, *T) {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err, "encode %T", v)
	back := new(T)
	require.NoError(t, json.Unmarshal(data, back), "decode %T\n%s", v, data)
	return data, back
}

func TestManyBodyInputVectors(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "inputs", "qcmanybody_*.json"))
	require.NoError(t, err)
	require.Len(t, files, 3, "the QCManyBody inputs in ../testdata/inputs")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			var in ManyBodyInput
			decodeStrict(t, data, &in) // every field QCManyBody writes is known
			enc, back := roundTrip(t, &in)
			assert.Empty(t, cmp.Diff(&in, back, jsonOpts), "round trip (-first +second)")
			// Our encoding is the same JSON document QCManyBody wrote: names, nulls, values.
			assert.Empty(t, cmp.Diff(generic(t, data), generic(t, enc)), "encoding differs from QCManyBody's (-theirs +ours)")
			assert.Equal(t, SchemaManyBodyInput, in.SchemaName)
			assert.Equal(t, SchemaManyBodySpecification, in.Specification.SchemaName)
			assert.Equal(t, SchemaManyBodyKeywords, in.Specification.Keywords.SchemaName)
			assert.Equal(t, SchemaMolecule, in.Molecule.SchemaName)
			for mc, spec := range in.Specification.Specification {
				assert.Equal(t, SchemaAtomicSpecification, spec.SchemaName, "spec %s", mc)
				assert.Equal(t, "psi4", spec.Program, "spec %s", mc)
				assert.NotEmpty(t, spec.Model.Method, "spec %s", mc)
			}
			assert.NoError(t, in.Molecule.Validate(), "molecule")
			m := in.Molecule.Clone()
			require.NoError(t, m.Normalize())
			assert.Equal(t, 1.0, m.MolecularMultiplicity, "normalized")
			assert.True(t, slices.Equal(m.FragmentCharges, in.Molecule.FragmentCharges), "normalized fragment charges %v, given %v", m.FragmentCharges, in.Molecule.FragmentCharges)
		})
	}
}

func TestManyBodyInputVectorContents(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "inputs", "qcmanybody_water_trimer_vmfc_embedding_energy.json"))
	require.NoError(t, err)
	var in ManyBodyInput
	require.NoError(t, json.Unmarshal(data, &in))
	kw := in.Specification.Keywords
	assert.Equal(t, BsseList{BsseVMFC}, kw.BsseType)
	if assert.NotNil(t, kw.MaxNbody) {
		assert.Equal(t, 2, *kw.MaxNbody)
	}
	if assert.NotNil(t, kw.ReturnTotalData) {
		assert.True(t, *kw.ReturnTotalData)
	}
	assert.Nil(t, kw.Levels)
	assert.Equal(t, []float64{-0.8, 0.4, 0.4}, kw.EmbeddingCharges["2"], "embedding charges")
	assert.Equal(t, 9, in.Molecule.NAtom(), "atoms")
	assert.Len(t, in.Molecule.Fragments, 3, "fragments")
}

// TestManyBodyEncodingNames: a ManyBodyInput built in Go is written with QCManyBody's
// field names, schema names and nulls for unset keywords.
func TestManyBodyEncodingNames(t *testing.T) {
	in := ManyBodyInput{
		Specification: ManyBodySpecification{
			Keywords: ManyBodyKeywords{BsseType: BsseList{BsseCP}},
			Driver:   DriverEnergy,
			Specification: map[string]AtomicSpecification{
				"(auto)": {Program: "psi4", Driver: DriverEnergy, Model: Model{Method: "hf", Basis: "sto-3g"}},
			},
		},
		Molecule: *water2(),
	}
	data, err := json.Marshal(in)
	require.NoError(t, err)
	doc := generic(t, data).(map[string]any)
	spec := doc["specification"].(map[string]any)
	kw := spec["keywords"].(map[string]any)
	atomic := spec["specification"].(map[string]any)["(auto)"].(map[string]any)
	for _, c := range []struct {
		obj  map[string]any
		name string
	}{
		{doc, SchemaManyBodyInput}, {spec, SchemaManyBodySpecification}, {kw, SchemaManyBodyKeywords},
		{atomic, SchemaAtomicSpecification},
	} {
		assert.Equal(t, c.name, c.obj["schema_name"])
		assert.Equal(t, 1.0, c.obj["schema_version"], c.name)
	}
	for _, k := range []string{"embedding_charges", "levels", "return_total_data", "max_nbody"} {
		if assert.Contains(t, kw, k) {
			assert.Nil(t, kw[k], "keywords[%q]: want null", k)
		}
	}
	want := []string{"bsse_type", "embedding_charges", "levels", "max_nbody", "return_total_data", "schema_name", "schema_version", "supersystem_ie_only"}
	assert.Equal(t, want, slices.Sorted(mapsKeys(kw)), "keyword names")
	for _, k := range []string{"keywords", "protocols", "extras"} {
		assert.IsType(t, map[string]any{}, atomic[k], "atomic specification %s: want {}", k)
	}
	assert.IsType(t, map[string]any{}, doc["extras"], "extras: want {}")
}

func mapsKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return data
}

func TestAtomicInputQCEngine(t *testing.T) {
	var in AtomicInput
	decodeStrict(t, readTestdata(t, "qcengine_psi4_atomicinput_gradient.json"), &in)
	assert.Equal(t, SchemaInput, in.SchemaName)
	assert.Equal(t, DriverGradient, in.Driver)
	assert.Equal(t, Model{"hf", "sto-3g"}, in.Model)
	assert.Equal(t, "pk", in.Keywords["scf_type"])
	assert.Equal(t, 3, in.Molecule.NAtom())
	assert.True(t, in.Molecule.FixCom)
	assert.NoError(t, in.Molecule.Validate())
	_, back := roundTrip(t, &in)
	assert.Empty(t, cmp.Diff(&in, back, jsonOpts), "round trip")
}

func TestAtomicInputV2(t *testing.T) {
	var in AtomicInput
	require.NoError(t, json.Unmarshal(readTestdata(t, "qcschema_v2_atomicinput_energy.json"), &in))
	want := AtomicInput{
		SchemaName: SchemaInput, SchemaVersion: 1, ID: "he-dimer-1",
		Driver: DriverEnergy, Model: Model{"mp2", "cc-pvdz"},
		Keywords:  map[string]any{"mp2_type": "conv"},
		Protocols: map[string]any{"stdout": false},
		Extras:    map[string]any{"tag": "v2", "from_spec": 1.0},
	}
	got := in
	got.Molecule, got.Provenance = Molecule{}, nil
	assert.Empty(t, cmp.Diff(want, got, jsonOpts), "v2 input (-want +got)")
	assert.Equal(t, 2, in.Molecule.NAtom(), "atoms")
	assert.Len(t, in.Molecule.Fragments, 2, "fragments")
	// written back as v1
	data, _ := json.Marshal(in)
	doc := generic(t, data).(map[string]any)
	assert.Equal(t, SchemaInput, doc["schema_name"], "re-encoded")
	assert.Equal(t, "energy", doc["driver"], "re-encoded")
	assert.Nil(t, doc["specification"], "re-encoded")
	// top-level v1 fields win over the specification
	var mixed AtomicInput
	require.NoError(t, json.Unmarshal([]byte(`{"driver":"gradient","model":{"method":"hf"},"specification":{"driver":"energy","model":{"method":"mp2"}},"molecule":{"symbols":["He"],"geometry":[0,0,0]}}`), &mixed))
	assert.Equal(t, DriverGradient, mixed.Driver, "mixed")
	assert.Equal(t, "hf", mixed.Model.Method, "mixed")
}

func TestAtomicResultQCEngine(t *testing.T) {
	var res AtomicResult
	require.NoError(t, json.Unmarshal(readTestdata(t, "qcengine_psi4_atomicresult_gradient.json"), &res))
	assert.True(t, res.Success)
	assert.Nil(t, res.Error)
	assert.Equal(t, DriverGradient, res.Driver)
	assert.Len(t, res.ReturnResult.Array, 9)
	assert.Equal(t, "Psi4", res.Provenance.Creator)
	assert.NotNil(t, res.Stdout)
	assert.Nil(t, res.Stderr)
	p := res.Properties
	if assert.NotNil(t, p.ReturnEnergy) {
		assert.Equal(t, -74.96466204537425, *p.ReturnEnergy)
	}
	if assert.NotNil(t, p.CalcinfoNBasis) {
		assert.Equal(t, 7, *p.CalcinfoNBasis)
	}
	if assert.NotNil(t, p.SCFIterations) {
		assert.Equal(t, 9, *p.SCFIterations)
	}
	assert.Len(t, p.SCFDipoleMoment, 3)
	for _, k := range []string{"scf_xc_energy", "scf_vv10_energy", "scf_dispersion_correction_energy", "scf_quadrupole_moment"} {
		assert.Contains(t, p.Other, k, "property kept in Other")
	}
	assert.NotContains(t, p.Other, "return_energy", "known property in Other")
	data, back := roundTrip(t, &res)
	assert.Empty(t, cmp.Diff(&res, back, jsonOpts), "round trip")
	// the properties object is written back whole
	orig := generic(t, readTestdata(t, "qcengine_psi4_atomicresult_gradient.json")).(map[string]any)["properties"]
	ours := generic(t, data).(map[string]any)["properties"]
	assert.Empty(t, cmp.Diff(orig, ours), "properties (-theirs +ours)")
	// return_result is flat on output
	assert.Len(t, generic(t, data).(map[string]any)["return_result"].([]any), 9, "return_result")
}

func TestReturnResultForms(t *testing.T) {
	cases := []struct {
		in   string
		want ReturnResult
		out  string
	}{
		{`-76.02`, ReturnResult{Scalar: -76.02}, `-76.02`},
		{`[1, 2, 3, 4, 5, 6]`, ReturnResult{Array: []float64{1, 2, 3, 4, 5, 6}}, `[1,2,3,4,5,6]`},
		{`[[1, 2, 3], [4, 5, 6]]`, ReturnResult{Array: []float64{1, 2, 3, 4, 5, 6}}, `[1,2,3,4,5,6]`},
		{`[]`, ReturnResult{Array: []float64{}}, `[]`},
	}
	for _, tc := range cases {
		var r ReturnResult
		require.NoError(t, json.Unmarshal([]byte(tc.in), &r), tc.in)
		assert.Empty(t, cmp.Diff(tc.want, r), "%s (-want +got)", tc.in)
		out, _ := json.Marshal(r)
		assert.Equal(t, tc.out, string(out), "%s: encoded", tc.in)
	}
	var r ReturnResult
	assert.Error(t, json.Unmarshal([]byte(`"x"`), &r), "string return_result accepted")
	// scalar and hessian AtomicResults round trip
	e := -1.5
	for _, res := range []AtomicResult{
		{Driver: DriverEnergy, Success: true, ReturnResult: ReturnResult{Scalar: e}, Properties: AtomicResultProperties{ReturnEnergy: &e}, Molecule: *water2()},
		{Driver: DriverHessian, Success: true, ReturnResult: ReturnResult{Array: make([]float64, 18*18)}, Molecule: *water2()},
	} {
		data, back := roundTrip(t, &res)
		assert.Empty(t, cmp.Diff(&res, back, jsonOpts, cmpopts.IgnoreFields(AtomicResult{}, "SchemaName", "SchemaVersion")), "%s round trip", res.Driver)
		assert.Equal(t, SchemaOutput, back.SchemaName)
		assert.Equal(t, 1, back.SchemaVersion)
		assert.Contains(t, string(data), `"error":null`)
		assert.Contains(t, string(data), `"stdout":null`)
	}
}

func TestFailedOperation(t *testing.T) {
	data := readTestdata(t, "qcengine_failedoperation.json")
	var fo FailedOperation
	decodeStrict(t, data, &fo)
	assert.False(t, fo.Success)
	assert.Equal(t, ErrorInput, fo.ComputeError.ErrorType)
	assert.Contains(t, fo.ComputeError.ErrorMessage, "BasisSetNotFound")
	assert.False(t, fo.Retryable())
	var in AtomicInput
	if assert.NoError(t, json.Unmarshal(fo.InputData, &in), "input_data") {
		assert.Equal(t, "no-such-basis", in.Model.Basis, "input_data")
	}
	var err error = &fo
	var target *FailedOperation
	assert.ErrorAs(t, err, &target)
	assert.True(t, strings.HasPrefix(err.Error(), "input_error: "), "as error: %v", err)
	enc, back := roundTrip(t, &fo)
	assert.Empty(t, cmp.Diff(&fo, back, jsonOpts), "round trip")
	doc := generic(t, enc).(map[string]any)
	assert.Equal(t, false, doc["success"], "encoded %s", enc)
	assert.Equal(t, "input_error", doc["error"].(map[string]any)["error_type"], "encoded %s", enc)
	// built in Go, with and without an input
	for _, f := range []*FailedOperation{
		NewFailedOperation(nil, ErrorTimeout, "took too long"),
		NewFailedOperation(&AtomicInput{ID: "x1", Molecule: *water2(), Driver: DriverEnergy, Model: Model{Method: "hf"}}, ErrorConvergence, "SCF did not converge"),
	} {
		enc, back := roundTrip(t, f)
		assert.Empty(t, cmp.Diff(f, back, jsonOpts), "round trip")
		doc := generic(t, enc).(map[string]any)
		assert.Contains(t, doc, "input_data", "encoded %s", enc)
		assert.Equal(t, false, doc["success"], "encoded %s", enc)
	}
	assert.True(t, NewFailedOperation(nil, ErrorTimeout, "").Retryable(), "timeout errors are retryable")
	assert.True(t, NewFailedOperation(nil, ErrorRandom, "").Retryable(), "random errors are retryable")
}

func TestManyBodyResultRoundTrip(t *testing.T) {
	e1, e2, nre := -150.1, -0.0051, 37.3
	n3, n1, n2, n6 := 3, 1, 2, 6
	res := ManyBodyResult{
		Provenance: Provenance{Creator: "qcmb", Version: "0.1.0", Routine: "qcmb.manybody"},
		InputData: ManyBodyInput{
			Specification: ManyBodySpecification{
				Keywords: ManyBodyKeywords{BsseType: BsseList{BsseCP, BsseNoCP}, MaxNbody: &n2},
				Driver:   DriverGradient,
				Specification: map[string]AtomicSpecification{
					"hf": {Program: "hf", Driver: DriverGradient, Model: Model{"hf", "sto-3g"}},
				},
			},
			Molecule: *water2(),
		},
		Success: true,
		Properties: ManyBodyResultProperties{
			SchemaName: SchemaManyBodyResultProperties, SchemaVersion: 1,
			CalcinfoNMC: &n1, CalcinfoNFR: &n2, CalcinfoNAtom: &n6, CalcinfoNMBE: &n3,
			NuclearRepulsionEnergy: &nre, ReturnEnergy: &e2,
			ReturnGradient: make([]float64, 18),
			Energies: map[string]float64{
				"cp_corrected_total_energy_through_2_body":   e1,
				"cp_corrected_interaction_energy":            e2,
				"cp_corrected_2_body_contribution_to_energy": e2,
				"nocp_corrected_interaction_energy":          -0.006,
			},
			Arrays: map[string][]float64{
				"cp_corrected_total_gradient_through_2_body": make([]float64, 18),
				"nocp_corrected_interaction_gradient":        make([]float64, 18),
			},
		},
		ComponentProperties: map[string]AtomicResultProperties{
			`["hf", [1], [1, 2]]`: {ReturnEnergy: &e1, Other: map[string]json.RawMessage{"scf_xc_energy": json.RawMessage(`0.0`)}},
		},
		ReturnResult: ReturnResult{Array: make([]float64, 18)},
	}
	data, back := roundTrip(t, &res)
	assert.Empty(t, cmp.Diff(&res, back, jsonOpts, ignoreSchema), "round trip")
	doc := generic(t, data).(map[string]any)
	assert.Equal(t, SchemaManyBodyResult, doc["schema_name"])
	assert.Equal(t, 1.0, doc["schema_version"])
	props := doc["properties"].(map[string]any)
	for _, k := range []string{
		"schema_name", "calcinfo_nmc", "calcinfo_nfr", "calcinfo_natom", "calcinfo_nmbe", "nuclear_repulsion_energy",
		"return_energy", "return_gradient", "cp_corrected_total_energy_through_2_body", "cp_corrected_interaction_energy",
		"cp_corrected_2_body_contribution_to_energy", "cp_corrected_total_gradient_through_2_body", "nocp_corrected_interaction_gradient",
	} {
		assert.Contains(t, props, k, "properties")
	}
	assert.Equal(t, "qcschema_manybodyproperties", props["schema_name"], "properties schema_name (QCManyBody's Literal)")
	assert.NotContains(t, props, "energies", "properties not flat")
	assert.Len(t, props["cp_corrected_total_gradient_through_2_body"].([]any), 18, "gradient property")
	comp := doc["component_properties"].(map[string]any)[`["hf", [1], [1, 2]]`].(map[string]any)
	assert.Equal(t, 0.0, comp["scf_xc_energy"], "component properties")
	assert.Equal(t, e1, comp["return_energy"], "component properties")
	assert.NotContains(t, doc, "component_results", "empty component_results written")
	// nested arrays in properties are accepted and flattened
	var p ManyBodyResultProperties
	require.NoError(t, json.Unmarshal([]byte(`{"return_energy": -1, "cp_corrected_total_gradient": [[1,2,3],[4,5,6]], "cp_corrected_total_energy": -2, "nocp_corrected_total_energy": null}`), &p))
	assert.Equal(t, []float64{1, 2, 3, 4, 5, 6}, p.Arrays["cp_corrected_total_gradient"])
	assert.Equal(t, map[string]float64{"cp_corrected_total_energy": -2}, p.Energies)
}
