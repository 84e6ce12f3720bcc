package qcschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
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
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decode %T: %v", v, err)
	}
}

func generic(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// roundTrip encodes v, decodes it into a new value of the same type and returns the
// encoding and the new value.
func roundTrip[T any](t *testing.T, v *T) ([]byte, *T) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode %T: %v", v, err)
	}
	back := new(T)
	if err := json.Unmarshal(data, back); err != nil {
		t.Fatalf("decode %T: %v\n%s", v, err, data)
	}
	return data, back
}

func TestManyBodyInputVectors(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "inputs", "qcmanybody_*.json"))
	if err != nil || len(files) != 3 {
		t.Fatalf("want the 3 QCManyBody inputs in ../testdata/inputs, got %v (%v)", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var in ManyBodyInput
			decodeStrict(t, data, &in) // every field QCManyBody writes is known
			enc, back := roundTrip(t, &in)
			if d := cmp.Diff(&in, back, jsonOpts); d != "" {
				t.Errorf("round trip (-first +second):\n%s", d)
			}
			// Our encoding is the same JSON document QCManyBody wrote: names, nulls, values.
			if d := cmp.Diff(generic(t, data), generic(t, enc)); d != "" {
				t.Errorf("encoding differs from QCManyBody's (-theirs +ours):\n%s", d)
			}
			if in.SchemaName != SchemaManyBodyInput || in.Specification.SchemaName != SchemaManyBodySpecification ||
				in.Specification.Keywords.SchemaName != SchemaManyBodyKeywords || in.Molecule.SchemaName != SchemaMolecule {
				t.Errorf("schema names %q %q %q %q", in.SchemaName, in.Specification.SchemaName, in.Specification.Keywords.SchemaName, in.Molecule.SchemaName)
			}
			for mc, spec := range in.Specification.Specification {
				if spec.SchemaName != SchemaAtomicSpecification || spec.Program != "psi4" || spec.Model.Method == "" {
					t.Errorf("spec %s: %+v", mc, spec)
				}
			}
			if err := in.Molecule.Validate(); err != nil {
				t.Errorf("molecule: %v", err)
			}
			m := in.Molecule.Clone()
			if err := m.Normalize(); err != nil {
				t.Fatal(err)
			}
			if m.MolecularMultiplicity != 1 || !slices.Equal(m.FragmentCharges, in.Molecule.FragmentCharges) {
				t.Errorf("normalized: %v %v", m.MolecularMultiplicity, m.FragmentCharges)
			}
		})
	}
}

func TestManyBodyInputVectorContents(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "inputs", "qcmanybody_water_trimer_vmfc_embedding_energy.json"))
	if err != nil {
		t.Fatal(err)
	}
	var in ManyBodyInput
	if err := json.Unmarshal(data, &in); err != nil {
		t.Fatal(err)
	}
	kw := in.Specification.Keywords
	if !slices.Equal(kw.BsseType, BsseList{BsseVMFC}) || kw.MaxNbody == nil || *kw.MaxNbody != 2 ||
		kw.ReturnTotalData == nil || !*kw.ReturnTotalData || kw.Levels != nil {
		t.Errorf("keywords %+v", kw)
	}
	if !slices.Equal(kw.EmbeddingCharges["2"], []float64{-0.8, 0.4, 0.4}) {
		t.Errorf("embedding charges %v", kw.EmbeddingCharges)
	}
	if in.Molecule.NAtom() != 9 || len(in.Molecule.Fragments) != 3 {
		t.Errorf("molecule %d atoms %d fragments", in.Molecule.NAtom(), len(in.Molecule.Fragments))
	}
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
	if err != nil {
		t.Fatal(err)
	}
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
		if c.obj["schema_name"] != c.name || c.obj["schema_version"] != 1.0 {
			t.Errorf("schema %v/%v, want %s/1", c.obj["schema_name"], c.obj["schema_version"], c.name)
		}
	}
	for _, k := range []string{"embedding_charges", "levels", "return_total_data", "max_nbody"} {
		v, ok := kw[k]
		if !ok || v != nil {
			t.Errorf("keywords[%q] = %v (present %v), want null", k, v, ok)
		}
	}
	want := []string{"bsse_type", "embedding_charges", "levels", "max_nbody", "return_total_data", "schema_name", "schema_version", "supersystem_ie_only"}
	got := slices.Sorted(mapsKeys(kw))
	if !slices.Equal(got, want) {
		t.Errorf("keyword names %v, want %v", got, want)
	}
	for _, k := range []string{"keywords", "protocols", "extras"} {
		if _, ok := atomic[k].(map[string]any); !ok {
			t.Errorf("atomic specification %s = %v, want {}", k, atomic[k])
		}
	}
	if _, ok := doc["extras"].(map[string]any); !ok {
		t.Errorf("extras = %v, want {}", doc["extras"])
	}
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
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestAtomicInputQCEngine(t *testing.T) {
	var in AtomicInput
	decodeStrict(t, readTestdata(t, "qcengine_psi4_atomicinput_gradient.json"), &in)
	if in.SchemaName != SchemaInput || in.Driver != DriverGradient || in.Model != (Model{"hf", "sto-3g"}) ||
		in.Keywords["scf_type"] != "pk" || in.Molecule.NAtom() != 3 || !in.Molecule.FixCom {
		t.Errorf("decoded %+v", in)
	}
	if err := in.Molecule.Validate(); err != nil {
		t.Error(err)
	}
	_, back := roundTrip(t, &in)
	if d := cmp.Diff(&in, back, jsonOpts); d != "" {
		t.Errorf("round trip:\n%s", d)
	}
}

func TestAtomicInputV2(t *testing.T) {
	var in AtomicInput
	if err := json.Unmarshal(readTestdata(t, "qcschema_v2_atomicinput_energy.json"), &in); err != nil {
		t.Fatal(err)
	}
	want := AtomicInput{
		SchemaName: SchemaInput, SchemaVersion: 1, ID: "he-dimer-1",
		Driver: DriverEnergy, Model: Model{"mp2", "cc-pvdz"},
		Keywords:  map[string]any{"mp2_type": "conv"},
		Protocols: map[string]any{"stdout": false},
		Extras:    map[string]any{"tag": "v2", "from_spec": 1.0},
	}
	got := in
	got.Molecule, got.Provenance = Molecule{}, nil
	if d := cmp.Diff(want, got, jsonOpts); d != "" {
		t.Errorf("v2 input (-want +got):\n%s", d)
	}
	if in.Molecule.NAtom() != 2 || len(in.Molecule.Fragments) != 2 {
		t.Errorf("molecule %+v", in.Molecule)
	}
	// written back as v1
	data, _ := json.Marshal(in)
	doc := generic(t, data).(map[string]any)
	if doc["schema_name"] != SchemaInput || doc["driver"] != "energy" || doc["specification"] != nil {
		t.Errorf("re-encoded: %s", data)
	}
	// top-level v1 fields win over the specification
	var mixed AtomicInput
	if err := json.Unmarshal([]byte(`{"driver":"gradient","model":{"method":"hf"},"specification":{"driver":"energy","model":{"method":"mp2"}},"molecule":{"symbols":["He"],"geometry":[0,0,0]}}`), &mixed); err != nil {
		t.Fatal(err)
	}
	if mixed.Driver != DriverGradient || mixed.Model.Method != "hf" {
		t.Errorf("mixed: %+v", mixed)
	}
}

func TestAtomicResultQCEngine(t *testing.T) {
	var res AtomicResult
	if err := json.Unmarshal(readTestdata(t, "qcengine_psi4_atomicresult_gradient.json"), &res); err != nil {
		t.Fatal(err)
	}
	if !res.Success || res.Error != nil || res.Driver != DriverGradient || len(res.ReturnResult.Array) != 9 ||
		res.Provenance.Creator != "Psi4" || res.Stdout == nil || res.Stderr != nil {
		t.Errorf("decoded %+v", res)
	}
	p := res.Properties
	if p.ReturnEnergy == nil || *p.ReturnEnergy != -74.96466204537425 || p.CalcinfoNBasis == nil || *p.CalcinfoNBasis != 7 ||
		p.SCFIterations == nil || *p.SCFIterations != 9 || len(p.SCFDipoleMoment) != 3 {
		t.Errorf("properties %+v", p)
	}
	for _, k := range []string{"scf_xc_energy", "scf_vv10_energy", "scf_dispersion_correction_energy", "scf_quadrupole_moment"} {
		if _, ok := p.Other[k]; !ok {
			t.Errorf("property %s not kept in Other", k)
		}
	}
	if _, ok := p.Other["return_energy"]; ok {
		t.Error("known property in Other")
	}
	data, back := roundTrip(t, &res)
	if d := cmp.Diff(&res, back, jsonOpts); d != "" {
		t.Errorf("round trip:\n%s", d)
	}
	// the properties object is written back whole
	orig := generic(t, readTestdata(t, "qcengine_psi4_atomicresult_gradient.json")).(map[string]any)["properties"]
	ours := generic(t, data).(map[string]any)["properties"]
	if d := cmp.Diff(orig, ours); d != "" {
		t.Errorf("properties (-theirs +ours):\n%s", d)
	}
	// return_result is flat on output
	if rr := generic(t, data).(map[string]any)["return_result"].([]any); len(rr) != 9 {
		t.Errorf("return_result %v", rr)
	}
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
		if err := json.Unmarshal([]byte(tc.in), &r); err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if d := cmp.Diff(tc.want, r); d != "" {
			t.Errorf("%s: %s", tc.in, d)
		}
		out, _ := json.Marshal(r)
		if string(out) != tc.out {
			t.Errorf("%s: encoded %s, want %s", tc.in, out, tc.out)
		}
	}
	var r ReturnResult
	if err := json.Unmarshal([]byte(`"x"`), &r); err == nil {
		t.Error("string return_result accepted")
	}
	// scalar and hessian AtomicResults round trip
	e := -1.5
	for _, res := range []AtomicResult{
		{Driver: DriverEnergy, Success: true, ReturnResult: ReturnResult{Scalar: e}, Properties: AtomicResultProperties{ReturnEnergy: &e}, Molecule: *water2()},
		{Driver: DriverHessian, Success: true, ReturnResult: ReturnResult{Array: make([]float64, 18*18)}, Molecule: *water2()},
	} {
		data, back := roundTrip(t, &res)
		if d := cmp.Diff(&res, back, jsonOpts, cmpopts.IgnoreFields(AtomicResult{}, "SchemaName", "SchemaVersion")); d != "" {
			t.Errorf("%s round trip:\n%s", res.Driver, d)
		}
		if back.SchemaName != SchemaOutput || back.SchemaVersion != 1 {
			t.Errorf("schema %q %d", back.SchemaName, back.SchemaVersion)
		}
		if !strings.Contains(string(data), `"error":null`) || !strings.Contains(string(data), `"stdout":null`) {
			t.Errorf("encoding: %s", data)
		}
	}
}

func TestFailedOperation(t *testing.T) {
	data := readTestdata(t, "qcengine_failedoperation.json")
	var fo FailedOperation
	decodeStrict(t, data, &fo)
	if fo.Success || fo.ComputeError.ErrorType != ErrorInput || !strings.Contains(fo.ComputeError.ErrorMessage, "BasisSetNotFound") || fo.Retryable() {
		t.Errorf("decoded %+v", fo)
	}
	var in AtomicInput
	if err := json.Unmarshal(fo.InputData, &in); err != nil || in.Model.Basis != "no-such-basis" {
		t.Errorf("input_data: %v %+v", err, in.Model)
	}
	var err error = &fo
	var target *FailedOperation
	if !errors.As(err, &target) || !strings.HasPrefix(err.Error(), "input_error: ") {
		t.Errorf("as error: %v", err)
	}
	enc, back := roundTrip(t, &fo)
	if d := cmp.Diff(&fo, back, jsonOpts); d != "" {
		t.Errorf("round trip:\n%s", d)
	}
	doc := generic(t, enc).(map[string]any)
	if doc["success"] != false || doc["error"].(map[string]any)["error_type"] != "input_error" {
		t.Errorf("encoded %s", enc)
	}
	// built in Go, with and without an input
	for _, f := range []*FailedOperation{
		NewFailedOperation(nil, ErrorTimeout, "took too long"),
		NewFailedOperation(&AtomicInput{ID: "x1", Molecule: *water2(), Driver: DriverEnergy, Model: Model{Method: "hf"}}, ErrorConvergence, "SCF did not converge"),
	} {
		enc, back := roundTrip(t, f)
		if d := cmp.Diff(f, back, jsonOpts); d != "" {
			t.Errorf("round trip:\n%s", d)
		}
		doc := generic(t, enc).(map[string]any)
		if _, ok := doc["input_data"]; !ok || doc["success"] != false {
			t.Errorf("encoded %s", enc)
		}
	}
	if !NewFailedOperation(nil, ErrorTimeout, "").Retryable() || !NewFailedOperation(nil, ErrorRandom, "").Retryable() {
		t.Error("timeout and random errors are retryable")
	}
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
	if d := cmp.Diff(&res, back, jsonOpts, ignoreSchema); d != "" {
		t.Errorf("round trip:\n%s", d)
	}
	doc := generic(t, data).(map[string]any)
	if doc["schema_name"] != SchemaManyBodyResult || doc["schema_version"] != 1.0 {
		t.Errorf("schema %v %v", doc["schema_name"], doc["schema_version"])
	}
	props := doc["properties"].(map[string]any)
	for _, k := range []string{
		"schema_name", "calcinfo_nmc", "calcinfo_nfr", "calcinfo_natom", "calcinfo_nmbe", "nuclear_repulsion_energy",
		"return_energy", "return_gradient", "cp_corrected_total_energy_through_2_body", "cp_corrected_interaction_energy",
		"cp_corrected_2_body_contribution_to_energy", "cp_corrected_total_gradient_through_2_body", "nocp_corrected_interaction_gradient",
	} {
		if _, ok := props[k]; !ok {
			t.Errorf("properties lack %s", k)
		}
	}
	if props["schema_name"] != "qcschema_manybodyproperties" {
		t.Errorf("properties schema_name %v (QCManyBody's Literal is qcschema_manybodyproperties)", props["schema_name"])
	}
	if _, nested := props["energies"]; nested {
		t.Error("properties not flat")
	}
	if g := props["cp_corrected_total_gradient_through_2_body"].([]any); len(g) != 18 {
		t.Errorf("gradient property %v", g)
	}
	comp := doc["component_properties"].(map[string]any)[`["hf", [1], [1, 2]]`].(map[string]any)
	if comp["scf_xc_energy"] != 0.0 || comp["return_energy"] != e1 {
		t.Errorf("component properties %v", comp)
	}
	if _, ok := doc["component_results"]; ok {
		t.Error("empty component_results written")
	}
	// nested arrays in properties are accepted and flattened
	var p ManyBodyResultProperties
	if err := json.Unmarshal([]byte(`{"return_energy": -1, "cp_corrected_total_gradient": [[1,2,3],[4,5,6]], "cp_corrected_total_energy": -2, "nocp_corrected_total_energy": null}`), &p); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Arrays["cp_corrected_total_gradient"], []float64{1, 2, 3, 4, 5, 6}) || p.Energies["cp_corrected_total_energy"] != -2 || len(p.Energies) != 1 {
		t.Errorf("properties %+v", p)
	}
}
