package qcschema

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
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
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			out, err := json.Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tc.out {
				t.Errorf("round trip %s, want %s", out, tc.out)
			}
		})
	}
	var s Screening
	if err := json.Unmarshal([]byte(`{"metric":"centroid","cutoffs":{"2":null}}`), &s); err != nil || !math.IsInf(s.Cutoffs["2"], 1) {
		t.Errorf("null cutoff decoded as %v (%v), want +Inf", s.Cutoffs["2"], err)
	}
	if _, err := json.Marshal(Screening{Metric: "centroid", Cutoffs: map[string]float64{"2": math.NaN()}}); err == nil {
		t.Error("NaN cutoff encoded without error")
	}
	// Inputs without screening are written as before.
	b, _ := json.Marshal(ManyBodyKeywords{})
	if strings.Contains(string(b), "screening") {
		t.Errorf("empty keywords write screening: %s", b)
	}
}
