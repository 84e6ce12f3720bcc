package qcschema

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzOptimizationInput: no document makes the reader of v1 and v2 optimization inputs
// panic or quote more than a short excerpt in its error; one it accepts is exactly one of
// v1 and v2, with an initial molecule that validates and normalizes consistently. The
// seeds are QCManyBody's and qcmb's optimization inputs and broken ones; go test runs
// them, go test -fuzz=FuzzOptimizationInput explores further.
func FuzzOptimizationInput(f *testing.F) {
	for _, name := range []string{"qcmanybody_bsse_opt_hf_trimer.json", "qcmanybody_bsse_opt_hf_trimer_v1.json", "water_dimer_nocp_sto3g.json"} {
		data, err := os.ReadFile(filepath.Join("../testdata/optimize", name))
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte(`{"schema_name": "qcschema_optimization_input", "initial_molecule": {"symbols": ["He"], "geometry": [0, 0, 0]}, "input_specification": {}}`))
	f.Add([]byte(`{"schema_version": 1, "keywords": {"program": "psi4"}, "input_specification": {"model": {"method": "hf"}}, "initial_molecule": {"symbols": [" O\n"], "geometry": [0, 0, 1e400]}}`))
	f.Add([]byte(`{"initial_molecule": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v1, v2, err := DecodeAnyOptimizationInput(data)
		if err != nil {
			require.LessOrEqual(t, len(err.Error()), 4096, "error message's length")
			return
		}
		require.True(t, (v1 == nil) != (v2 == nil), "exactly one of v1 and v2")
		if v1 != nil {
			checkMolecule(t, &v1.InitialMolecule)
		} else {
			checkMolecule(t, &v2.InitialMolecule)
		}
	})
}
