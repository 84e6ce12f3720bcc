package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/executor/store"
)

// TestTaskKeyPinned: the key of a task never changes with the code that computes it, or
// stores written before a change would no longer find their results. The payload has
// what canonicalization touches: member order, white space, every kind of number, escapes,
// non-ASCII text, the id and the program key.
func TestTaskKeyPinned(t *testing.T) {
	payload := `{"schema_name": "qcschema_input", "schema_version": 1, "id": "[\"mp2\", [1], [1, 2]]",
	 "molecule": {"symbols": ["O", "H", "H", "O", "H", "H"], "real": [true, true, true, false, false, false],
	  "geometry": [0.0, -0.1432, 1e-3, 1.8, 2.5E+1, -3.25e-12, 0, 1, 2.0, 123456789012345678, 9007199254740993.0, 0.1],
	  "name": "w\u00e9ird \"n\\a\/me\"\t<&>\u2028", "fragments": [[0, 1, 2], [3, 4, 5]], "molecular_charge": -0.0},
	 "driver": "gradient", "model": {"method": "mp2", "basis": "cc-pvdz"},
	 "keywords": {"scf_type": "df", "e_convergence": 1e-10, "flag": true, "none": null},
	 "protocols": {}, "extras": {"qcmb:program": "psi4", "nthreads": 2}}`
	key, id, err := store.TaskKey("psi4", "1.3.2", []byte(payload))
	require.NoError(t, err)
	require.Equal(t, `["mp2", [1], [1, 2]]`, id)
	require.Equal(t, "14883bce7e126e873c8128ccb0541d36f600a9a303d6cfa001b38a4cb13460c8", key.String())
}
