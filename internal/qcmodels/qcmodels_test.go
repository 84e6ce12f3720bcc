package qcmodels

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/qcschema"
)

// TestPropertyNamesAreQCElementals: every property qcschema names is a field of
// QCElemental's AtomicResultProperties, whose model refuses any other name.
func TestPropertyNamesAreQCElementals(t *testing.T) {
	typ := reflect.TypeFor[qcschema.AtomicResultProperties]()
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		assert.Contains(t, AtomicPropertyNames, name)
	}
}

const water = `{"symbols": ["O", "H", "H"], "geometry": [0, 0, -0.13, 0, 1.43, 1.03, 0, -1.43, 1.03]}`

func atomicResult(props string) string {
	return `{"schema_name": "qcschema_output", "schema_version": 1, "molecule": ` + water + `, "driver": "gradient",
		"model": {"method": "hf", "basis": "sto-3g"}, "provenance": {"creator": "embedded"}, "success": true,
		"return_result": [0, 0, 1, 0, 0, -0.5, 0, 0, -0.5], "properties": ` + props + `}`
}

func manyBodyResult(mutate func(doc map[string]any)) string {
	var doc map[string]any
	err := json.Unmarshal([]byte(`{"schema_name": "qcschema_manybodyresult", "schema_version": 1,
		"provenance": {"creator": "qcmb", "version": "0.1.0", "routine": "x"}, "success": true, "return_result": -1.5,
		"input_data": {"schema_name": "qcschema_manybodyinput", "schema_version": 1,
			"molecule": {"symbols": ["He", "He"], "geometry": [0, 0, 0, 0, 0, 5], "fragments": [[0], [1]]},
			"specification": {"driver": "energy", "keywords": {"bsse_type": ["cp"]},
				"specification": {"program": "embedded", "driver": "energy", "model": {"method": "hf", "basis": "sto-3g"}}}},
		"properties": {"calcinfo_nfr": 2, "return_energy": -1.5, "cp_corrected_interaction_energy": 0.001,
			"cp_corrected_interaction_energy_through_7_body": 0.001},
		"component_properties": {"[\"(auto)\", [1], [1]]": {"calcinfo_natom": 1, "return_energy": -0.75}}}`), &doc)
	if err != nil {
		panic(err)
	}
	if mutate != nil {
		mutate(doc)
	}
	data, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return string(data)
}

func props(doc map[string]any) map[string]any { return doc["properties"].(map[string]any) }
func spec(doc map[string]any) map[string]any {
	return doc["input_data"].(map[string]any)["specification"].(map[string]any)
}

// TestCheck: documents the models accept pass, and each kind of violation pydantic
// reports is found, with its path.
func TestCheck(t *testing.T) {
	cases := []struct {
		name  string
		model *Model
		doc   string
		want  []string // substrings of the error; none: valid
	}{
		{"atomic result", AtomicResultV1(), atomicResult(`{"calcinfo_natom": 3, "return_gradient": [0, 0, 1, 0, 0, -0.5, 0, 0, -0.5]}`), nil},
		{"gradient without calcinfo_natom", AtomicResultV1(), atomicResult(`{"return_gradient": [0, 0, 1, 0, 0, -0.5, 0, 0, -0.5]}`),
			[]string{"properties.return_gradient: Please also set ``calcinfo_natom``!"}},
		{"gradient of the wrong shape", AtomicResultV1(), atomicResult(`{"calcinfo_natom": 2, "scf_total_gradient": [0, 0, 1]}`),
			[]string{"properties.scf_total_gradient: Derivative must be castable"}},
		{"unknown property", AtomicResultV1(), atomicResult(`{"mp2_total_gradient": [0, 0, 1]}`),
			[]string{"properties.mp2_total_gradient: extra field not permitted"}},
		{"failed operation", FailedOperationV1(), `{"success": false, "input_data": null, "error": {"error_type": "input_error", "error_message": "no"}}`, nil},
		{"failed operation without error", FailedOperationV1(), `{"success": false, "input_data": null}`, []string{"error: field required"}},
		{"many-body result", ManyBodyResultV1(), manyBodyResult(nil), nil},
		{"bsse alias", ManyBodyResultV1(), manyBodyResult(func(d map[string]any) {
			spec(d)["keywords"].(map[string]any)["bsse_type"] = "SSFC"
		}), nil},
		{"unknown bsse type", ManyBodyResultV1(), manyBodyResult(func(d map[string]any) {
			spec(d)["keywords"].(map[string]any)["bsse_type"] = []any{"cp", "boys"}
		}), []string{`bsse_type[1]: want one of nocp, cp, vmfc`}},
		{"many-body property name", ManyBodyResultV1(), manyBodyResult(func(d map[string]any) {
			props(d)["cp_corrected_interaction_energy_through_two_body"] = 1.0
		}), []string{"properties.cp_corrected_interaction_energy_through_two_body: extra field not permitted"}},
		{"id in a v1 input", ManyBodyResultV1(), manyBodyResult(func(d map[string]any) {
			d["input_data"].(map[string]any)["id"] = "x"
		}), []string{"input_data.id: extra field not permitted (ManyBodyInput (v1))"}},
		{"missing field", ManyBodyResultV1(), manyBodyResult(func(d map[string]any) { delete(d, "component_properties") }),
			[]string{"component_properties: field required"}},
		{"screening extension", ManyBodyResultV1(), manyBodyResult(func(d map[string]any) {
			spec(d)["keywords"].(map[string]any)["screening"] = map[string]any{}
		}), []string{"keywords.screening: extra field not permitted"}},
		{"levels keys", ManyBodyResultV1(), manyBodyResult(func(d map[string]any) {
			spec(d)["keywords"].(map[string]any)["levels"] = map[string]any{"2": "(auto)", "most": "(auto)"}
		}), []string{`levels["most"]: key not allowed`}},
		{"geometry", ManyBodyResultV1(), manyBodyResult(func(d map[string]any) {
			d["input_data"].(map[string]any)["molecule"].(map[string]any)["geometry"] = []any{0, 0, 0, 1}
		}), []string{"molecule.geometry: Geometry must be castable"}},
		{"v2 result is not v1", ManyBodyResultV2(), manyBodyResult(nil),
			[]string{"schema_name: want one of [qcschema_many_body_result]", "cluster_properties: field required", "molecule: field required"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Check(c.model, []byte(c.doc))
			if len(c.want) == 0 {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, w := range c.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

// TestPropertyFieldsThroughMaxNBody: the many-body properties through 4 bodies are fields
// (typed), those beyond are allowed by name only.
func TestPropertyFieldsThroughMaxNBody(t *testing.T) {
	m := manyBodyProperties(1)
	var names []string
	for _, f := range m.Fields {
		names = append(names, f.Name)
	}
	assert.Contains(t, names, "vmfc_corrected_4_body_contribution_to_hessian")
	assert.NotContains(t, names, "vmfc_corrected_5_body_contribution_to_hessian")
	assert.True(t, m.Extra("vmfc_corrected_5_body_contribution_to_hessian"))
	assert.False(t, m.Extra("vmfc_corrected_5_body_contribution_to_dipole"))
	assert.True(t, slices.Contains(names, "calcinfo_nmbe"))
}
