package qcschema

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScreeningJSON(t *testing.T) {
	cases := []struct {
		name, in, out string
		err           string
	}{
		{"full", `{"metric":"centroid","cutoffs":{"2":6.5,"3":4.2},"units":"angstrom"}`, `{"metric":"centroid","cutoffs":{"2":6.5,"3":4.2},"units":"angstrom"}`, ""},
		{"null_cutoff_is_infinite", `{"metric":"min_atom","cutoffs":{"2":null,"3":4}}`, `{"metric":"min_atom","cutoffs":{"2":null,"3":4}}`, ""},
		{"no_units", `{"metric":"min_atom","cutoffs":{}}`, `{"metric":"min_atom","cutoffs":{}}`, ""},
		{"unknown_field", `{"metric":"min_atom","cutoff":{"2":4}}`, "", "unknown field"},
		{"energy_only", `{"energy":{"thresholds":{"3":0.0003,"4":0.0001},"units":"kcal/mol","estimator":"xtb"}}`,
			`{"energy":{"thresholds":{"3":0.0003,"4":0.0001},"units":"kcal/mol","estimator":"xtb"}}`, ""},
		{"energy_and_distance", `{"metric":"centroid","cutoffs":{"2":6.5},"energy":{"thresholds":{"3":0.001}}}`,
			`{"metric":"centroid","cutoffs":{"2":6.5},"energy":{"thresholds":{"3":0.001}}}`, ""},
		{"energy_unknown_field", `{"energy":{"thresholds":{"3":0.001},"estimate":"xtb"}}`, "", "unknown field"},
		{"bad_value", `{"metric":"min_atom","cutoffs":{"2":"far"}}`, "", "screening"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var s Screening
			err := json.Unmarshal([]byte(tc.in), &s)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			out, err := json.Marshal(s)
			require.NoError(t, err)
			assert.Equal(t, tc.out, string(out), "round trip")
		})
	}
	var s Screening
	if assert.NoError(t, json.Unmarshal([]byte(`{"metric":"centroid","cutoffs":{"2":null}}`), &s)) {
		assert.True(t, math.IsInf(s.Cutoffs["2"], 1), "null cutoff decoded as %v, want +Inf", s.Cutoffs["2"])
	}
	_, err := json.Marshal(Screening{Metric: "centroid", Cutoffs: map[string]float64{"2": math.NaN()}})
	assert.Error(t, err, "NaN cutoff encoded without error")
	// Inputs without screening are written as before.
	b, _ := json.Marshal(ManyBodyKeywords{})
	assert.NotContains(t, string(b), "screening", "empty keywords write screening")
}
