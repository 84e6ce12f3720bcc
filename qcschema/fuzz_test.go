package qcschema

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Fuzz tests of the readers of outside data. Their seed corpora live in
// testdata/fuzz/FuzzXxx and run with every go test; go test -fuzz=FuzzXxx explores further.

// stableEncoding checks that a decoded document encodes to JSON that decodes and encodes
// to the same bytes.
func stableEncoding[T any](t *testing.T, v *T) {
	t.Helper()
	b1, back := roundTrip(t, v)
	b2, err := json.Marshal(back)
	require.NoError(t, err)
	require.Equal(t, string(b1), string(b2), "round trip changed the document")
}

// checkMolecule validates and normalizes m: errors are fine, panics and inconsistent
// successes are not.
func checkMolecule(t *testing.T, m *Molecule) {
	t.Helper()
	if err := m.Validate(); err != nil {
		require.LessOrEqual(t, len(err.Error()), 2000, "validation error's length")
		return
	}
	require.NoError(t, m.Normalize(), "Validate passed")
	require.Len(t, m.Geometry, 3*m.NAtom(), "normalized molecule's coordinates")
	require.Len(t, m.AtomicNumbers, m.NAtom(), "normalized molecule's atomic numbers")
}

func FuzzAtomicInput(f *testing.F) {
	f.Add([]byte(`{"driver":"energy","model":{"method":"hf","basis":"sto-3g"},"molecule":{"symbols":["He"],"geometry":[0,0,0]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		in := new(AtomicInput)
		if err := json.Unmarshal(data, in); err != nil {
			return
		}
		stableEncoding(t, in)
		checkMolecule(t, &in.Molecule)
	})
}

func FuzzManyBodyInput(f *testing.F) {
	f.Add([]byte(`{"specification":{"keywords":{"bsse_type":["cp"]},"specification":{"hf":{"program":"embedded","model":{"method":"hf","basis":"sto-3g"},"driver":"energy"}},"driver":"energy"},"molecule":{"symbols":["He","He"],"geometry":[0,0,0,0,0,5],"fragments":[[0],[1]]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		in := new(ManyBodyInput)
		if err := json.Unmarshal(data, in); err != nil {
			return
		}
		stableEncoding(t, in)
		checkMolecule(t, &in.Molecule)
	})
}

func FuzzParseXYZ(f *testing.F) {
	f.Add(waterXYZ)
	f.Add("2 bohr\n1 3\n8 0 0 0 extra\nH 0 0 1.8\n\n")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseXYZ(strings.NewReader(s))
		if err != nil {
			require.LessOrEqual(t, len(err.Error()), 2000, "parse error's length")
			return
		}
		checkMolecule(t, m)
	})
}

func FuzzParsePsi4(f *testing.F) {
	f.Add("0 1\n--\n0 1\nO 0 0 0\nH 0 0 1\n--\n0 1\nHe 3 0 0\nunits bohr\nno_com\n")
	f.Add("@He 0 0 0\nGh(Ne) 0 0 2\nsymmetry c1\n")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParsePsi4(s)
		if err != nil {
			require.LessOrEqual(t, len(err.Error()), 2000, "parse error's length")
			return
		}
		checkMolecule(t, m)
	})
}
