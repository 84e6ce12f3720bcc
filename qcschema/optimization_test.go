package qcschema

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeOptimizationInput(t *testing.T) {
	const mol = `"initial_molecule": {"symbols": ["He", "He"], "geometry": [0, 0, 0, 0, 0, 5.6], "fragments": [[0], [1]]}`
	tests := []struct {
		name     string
		doc      string
		manyBody bool
		err      string
	}{
		{"atomic v2", `{"schema_name": "qcschema_optimization_input", "schema_version": 2, ` + mol + `,
			"specification": {"keywords": {"g_convergence": "gau_tight"}, "protocols": {"trajectory_results": "all"},
			"specification": {"schema_name": "qcschema_atomic_specification", "program": "embedded", "driver": "gradient",
			"model": {"method": "hf", "basis": "sto-3g"}, "keywords": {}}}}`, false, ""},
		// The input of QCManyBody's test_bsse_opt_hf_trimer (v2, cp), as QCEngine receives it.
		{"QCManyBody test_optimization", `{"initial_molecule": {"symbols": ["F", "H", "F", "H", "F", "H"], "geometry": [-0.081, 5.270, 0, 1.116, 3.844, 0, -3.672, -1.338, 0, -3.036, 0.412, 0, 3.847, -1.144, 0, 2.013, -1.468, 0], "fragments": [[0, 1], [2, 3], [4, 5]]},
			"specification": {"specification": {"schema_name": "qcschema_many_body_specification",
				"specification": {"model": {"method": "hf", "basis": "6-31g"}, "driver": "energy", "program": "psi4", "keywords": {}, "protocols": {"stdout": false}, "extras": {"psiapi": true}},
				"keywords": {"bsse_type": "cp", "supersystem_ie_only": false}, "driver": "energy", "protocols": {"cluster_results": "all"}},
			"keywords": {"g_convergence": "nwchem_loose"}, "protocols": {"trajectory_results": "initial_and_final"}}}`, true, ""},
		{"v1 many-body specification", `{` + mol + `, "specification": {"specification": {"schema_name": "qcschema_manybodyspecification",
			"keywords": {"bsse_type": "nocp"}, "driver": "energy", "specification": {"(auto)": {"program": "embedded", "model": {"method": "hf", "basis": "sto-3g"}}}}}}`, true, ""},
		{"many-body by shape", `{` + mol + `, "specification": {"specification": {
			"keywords": {"bsse_type": "cp"}, "specification": {"(auto)": {"program": "embedded", "model": {"method": "hf", "basis": "sto-3g"}}}}}}`, true, ""},
		{"unknown top-level field", `{` + mol + `, "trajectory": [], "specification": {"specification": {"program": "embedded", "model": {"method": "hf"}}}}`, false, `trajectory: unknown field`},
		{"unknown field in the atomic specification", `{` + mol + `, "specification": {"specification": {"program": "embedded", "modle": {"method": "hf"}}}}`, false, `specification.specification.modle: unknown field (did you mean "model"?)`},
		{"unknown field in the many-body specification", `{` + mol + `, "specification": {"specification": {"schema_name": "qcschema_many_body_specification",
			"keywords": {"bsse_type": "cp"}, "protocols": {"component_results": "all"}, "specification": {"program": "embedded", "model": {"method": "hf"}}}}}`, false, "component_results"},
		{"ManyBodyInput given", `{"schema_name": "qcschema_many_body_input", "schema_version": 2, "molecule": {"symbols": ["He"], "geometry": [0, 0, 0]}, "specification": {}}`, false, "qcschema_many_body_input"},
		{"bad protocol", `{` + mol + `, "specification": {"protocols": {"trajectory_results": "some"}, "specification": {"program": "embedded", "model": {"method": "hf"}}}}`, false, "trajectory_results"},
		{"v1", `{"schema_version": 1, ` + mol + `, "specification": {"specification": {"program": "embedded", "model": {"method": "hf"}}}}`, false, "schema_version: 1: want 2"},
		{"no specification", `{` + mol + `, "specification": {"keywords": {}}}`, false, "specification"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := DecodeOptimizationInput([]byte(tt.doc))
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			spec := in.Specification.Specification
			require.Equal(t, tt.manyBody, spec.ManyBody != nil, "a many-body specification")
			require.Equal(t, !tt.manyBody, spec.Atomic != nil, "an atomic specification")
			// What we write reads back the same.
			data, err := json.Marshal(in)
			require.NoError(t, err)
			back, err := DecodeOptimizationInput(data)
			require.NoError(t, err, "reading back %s", data)
			again, _ := json.Marshal(back)
			assert.Equal(t, string(data), string(again), "round trip changed the document")
		})
	}
}

func TestTrajectoryProtocolKeep(t *testing.T) {
	tests := []struct {
		p    TrajectoryProtocol
		n    int
		want []int
	}{
		{TrajectoryAll, 3, []int{0, 1, 2}},
		{TrajectoryInitialAndFinal, 5, []int{0, 4}},
		{TrajectoryInitialAndFinal, 1, []int{0, 0}},
		{TrajectoryFinal, 4, []int{3}},
		{TrajectoryNone, 4, nil},
		{"", 4, nil},
		{TrajectoryAll, 0, nil},
	}
	for _, tt := range tests {
		assert.True(t, slices.Equal(tt.p.Keep(tt.n), tt.want), "%q.Keep(%d) = %v, want %v", tt.p, tt.n, tt.p.Keep(tt.n), tt.want)
	}
}

func TestOptimizationResultJSON(t *testing.T) {
	e := -1.5
	res := OptimizationResult{
		FinalMolecule: &Molecule{Symbols: []string{"H", "H"}, Geometry: []float64{0, 0, 0, 0, 0, 1.4}},
		TrajectoryResults: []TrajectoryResult{
			{Atomic: &AtomicResultV2{SchemaName: SchemaAtomicResultV2, ReturnResult: ReturnResult{Array: []float64{0, 0, 1, 0, 0, -1}}}},
			{ManyBody: &ManyBodyResultV2{SchemaName: SchemaManyBodyResultV2, ReturnResult: ReturnResult{Array: []float64{0, 0, 0, 0, 0, 0}}}},
		},
		TrajectoryProperties: []TrajectoryProperties{{Atomic: &AtomicPropertiesV2{AtomicResultProperties{ReturnEnergy: &e}}}},
		Success:              true,
	}
	data, err := json.Marshal(res)
	require.NoError(t, err)
	for _, want := range []string{`"schema_name":"qcschema_optimization_result"`, `"schema_version":2`, `"schema_name":"qcschema_optimization_properties"`, `"native_files":{}`} {
		assert.Contains(t, string(data), want)
	}
	var back OptimizationResult
	require.NoError(t, json.Unmarshal(data, &back))
	assert.NotNil(t, back.TrajectoryResults[0].Atomic, "trajectory kinds lost: %+v", back.TrajectoryResults)
	assert.NotNil(t, back.TrajectoryResults[1].ManyBody, "trajectory kinds lost: %+v", back.TrajectoryResults)
	got, ok := back.TrajectoryProperties[0].Energy()
	assert.True(t, ok, "energy")
	assert.Equal(t, e, got, "energy")
	assert.Error(t, json.Unmarshal([]byte(`{"schema_name": "qcschema_input"}`), &back), "an AtomicInput read as an OptimizationResult")
}

// TestDecodeAnyOptimizationInput tells v1 inputs (QCElemental's OptimizationInput,
// QCManyBody's GeneralizedOptimizationInput, with or without a schema name) from v2 ones and
// reads them strictly.
func TestDecodeAnyOptimizationInput(t *testing.T) {
	mol := `"initial_molecule": {"symbols": ["He", "He"], "geometry": [0, 0, 0, 0, 0, 5], "fragments": [[0], [1]]}`
	atomic := `"input_specification": {"schema_name": "qcschema_input", "model": {"method": "hf", "basis": "sto-3g"}}`
	manyBody := `"input_specification": {"schema_name": "qcschema_manybodyspecification", "driver": "energy", "keywords": {"bsse_type": "cp"},
		"specification": {"model": {"method": "hf", "basis": "sto-3g"}, "driver": "energy", "program": "embedded"}}`
	cases := []struct {
		name, doc string
		version   int    // 0: an error
		err       string // a substring of the error
		program   string // of the v2 atomic specification
	}{
		{"v1 atomic", `{"schema_name": "qcschema_optimization_input", "schema_version": 1, ` + mol + `, ` + atomic + `, "keywords": {"program": "embedded"}}`, 1, "", "embedded"},
		{"v1 without schema", `{` + mol + `, ` + atomic + `, "keywords": {"program": "psi4"}}`, 1, "", "psi4"},
		{"generalized", `{"schema_name": "qcschema_generalizedoptimizationinput", ` + mol + `, ` + manyBody + `, "keywords": {"program": "nonsense"}}`, 1, "", ""},
		{"generalized without schema", `{` + mol + `, ` + manyBody + `, "protocols": {"trajectory": "final"}}`, 1, "", ""},
		{"v2", `{"schema_name": "qcschema_optimization_input", "schema_version": 2, ` + mol + `, "specification": {"specification": {"program": "embedded", "driver": "gradient", "model": {"method": "hf"}}}}`, 2, "", "embedded"},
		{"no program", `{` + mol + `, ` + atomic + `}`, 0, "keywords.program", ""},
		{"unknown member", `{` + mol + `, ` + atomic + `, "keywords": {"program": "embedded"}, "protocol": {}}`, 0, `protocol: unknown field (did you mean "protocols"?)`, ""},
		{"unknown specification member", `{` + mol + `, "input_specification": {"model": {"method": "hf"}, "program": "x"}, "keywords": {"program": "embedded"}}`, 0, "input_specification.program", ""},
		{"v2 specification in v1", `{` + mol + `, "input_specification": {"schema_name": "qcschema_atomic_specification", "model": {"method": "hf"}}, "keywords": {"program": "embedded"}}`, 0, "qcschema_atomic_specification", ""},
		{"bad protocol", `{` + mol + `, ` + atomic + `, "keywords": {"program": "embedded"}, "protocols": {"trajectory": "most"}}`, 0, "trajectory", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v1, v2, err := DecodeAnyOptimizationInput([]byte(c.doc))
			if c.version == 0 {
				require.ErrorContains(t, err, c.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, c.version == 1, v1 != nil, "a v1 input")
			require.Equal(t, c.version == 2, v2 != nil, "a v2 input")
			if v1 != nil {
				v2, err = v1.ToV2()
				require.NoError(t, err)
			}
			if c.program != "" && assert.NotNil(t, v2.Specification.Specification.Atomic, "v2 specification %+v: want an atomic one", v2.Specification.Specification) {
				assert.Equal(t, c.program, v2.Specification.Specification.Atomic.Program, "the v2 specification's program")
			}
			assert.NotContains(t, v2.Specification.Keywords, "program", "keywords.program left among the optimizer's keywords")
		})
	}
}
