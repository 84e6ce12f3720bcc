package store

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// The canonical form means the same as the payload (without id and the program key),
// and is its own canonical form.
func TestCanonicalPayload(t *testing.T) {
	cases := []struct {
		name, payload, want, id string
	}{
		{"sorted, compact", `{ "b" : [1, 2.5, {"z": null, "a": true}], "a": "x" }`, `{"a":"x","b":[1,2.5,{"a":true,"z":null}]}`, ""},
		{"id left out", `{"id": "[\"scf\", [1], [1, 2]]", "driver": "energy"}`, `{"driver":"energy"}`, `["scf", [1], [1, 2]]`},
		{"numbers", `{"n": [1.0, -0, 1e2, 1E-10, 0.1, 123456789012345678, 2.5e300, 9007199254740993.0]}`,
			`{"n":[1,0,100,1e-10,0.1,123456789012345678,2.5e+300,9.007199254740992e+15]}`, ""},
		{"escapes only where needed", `{"s": "\u0041<&>\u00e9\n\"\\\/"}`, `{"s":"A<&>é\u000a\"\\/"}`, ""},
		{"duplicates: the last wins", `{"a": 1, "b": 2, "a": 3}`, `{"a":3,"b":2}`, ""},
		{"program key removed from extras only", `{"extras": {"qcmb:program": "psi4", "k": 1}, "keywords": {"qcmb:program": 2}}`,
			`{"extras":{"k":1},"keywords":{"qcmb:program":2}}`, ""},
		{"extras left empty", `{"extras": {"qcmb:program": "psi4"}, "x": 1}`, `{"x":1}`, ""},
		{"extras null", `{"extras": null, "x": 1}`, `{"x":1}`, ""},
		{"nested program key kept", `{"extras": {"inner": {"qcmb:program": 1}}}`, `{"extras":{"inner":{"qcmb:program":1}}}`, ""},
		{"empty containers", `{"a": {}, "b": []}`, `{"a":{},"b":[]}`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, id, err := canonicalPayload([]byte(c.payload))
			require.NoError(t, err)
			require.Equal(t, c.want, string(got))
			require.Equal(t, c.id, id)
			again, _, err := canonicalPayload(got)
			require.NoError(t, err)
			require.Equal(t, string(got), string(again), "canonical form is stable")
			var a, b any
			require.NoError(t, json.Unmarshal(got, &a))
			require.NoError(t, json.Unmarshal([]byte(c.want), &b))
			require.Equal(t, b, a)
		})
	}
	for _, bad := range []string{``, `[]`, `"x"`, `{"a": 01}`, `{"a": tru}`, `{"a" 1}`, `{"a": "x}`, `{"a": 1,}`,
		`{"a": [1 2]}`, `{"a": 1} x`, `{"a": +1}`, `{"a": .5}`, "{\"a\": \"\x01\"}", "{\"a\": \"\xff\"}"} {
		_, _, err := canonicalPayload([]byte(bad))
		require.Error(t, err, "%q", bad)
	}
}
