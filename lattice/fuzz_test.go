package lattice

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzParseInput: no .cle keyword file and no JSON input makes the lattice input reader
// panic or quote more than a short excerpt in its error, and an input it accepts passes
// Validate with odd cell counts, as CrystaLattE makes them. The seeds are CrystaLattE's
// own .cle files, the JSON form and broken ones; go test runs them, go test
// -fuzz=FuzzParseInput explores further.
func FuzzParseInput(f *testing.F) {
	for _, name := range []string{"Tests/Ammonia/Ammonia.cle", "data/cle/input_parser.cle"} {
		data, err := os.ReadFile(filepath.Join(crystalatteDir, name))
		require.NoError(f, err)
		f.Add(data, false)
	}
	f.Add([]byte("cif_input = x.cif\ncif_a = 2 = 3\n"), false)
	f.Add([]byte("cif_input = x.cif\nnmers_up_to = 99999999999999999999\n"), false)
	f.Add([]byte(`{"cif_input": "x.cif", "cle_run_type": ["psi4api", "quiet"], "program": "psi4", "keywords": {"scf_type": "pk"}}`), true)
	f.Add([]byte(`{"cif_input": "x.cif", "r_cut_dimer": -1, "cif_a": 1e400}`), true)
	f.Add([]byte(`{"cif_input": [[[[[[[[[[[[["x"]]]]]]]]]]]]]}`), true)
	f.Fuzz(func(t *testing.T, data []byte, asJSON bool) {
		name := "fuzz.cle"
		if asJSON {
			name = "fuzz.json"
		}
		in, err := ParseInput(data, name)
		if err != nil {
			require.LessOrEqual(t, len(err.Error()), 4096, "error message's length")
			return
		}
		require.NoError(t, in.Validate(), "accepted input")
		for _, n := range []int{in.CellsA, in.CellsB, in.CellsC} {
			require.True(t, n <= 0 || n%2 == 1, "cell count %d accepted as even", n)
		}
	})
}
