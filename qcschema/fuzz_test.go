package qcschema

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// Fuzz tests of the readers of outside data. Their seed corpora live in
// testdata/fuzz/FuzzXxx and run with every go test; go test -fuzz=FuzzXxx explores further.

// stableEncoding checks that a decoded document encodes to JSON that decodes and encodes
// to the same bytes.
func stableEncoding[T any](t *testing.T, v *T) {
	t.Helper()
	b1, back := roundTrip(t, v)
	b2, err := json.Marshal(back)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b1, b2) {
		t.Fatalf("round trip changed the document:\n%s\n%s", b1, b2)
	}
}

// checkMolecule validates and normalizes m: errors are fine, panics and inconsistent
// successes are not.
func checkMolecule(t *testing.T, m *Molecule) {
	t.Helper()
	if err := m.Validate(); err != nil {
		if len(err.Error()) > 2000 {
			t.Fatalf("%d-byte validation error", len(err.Error()))
		}
		return
	}
	if err := m.Normalize(); err != nil {
		t.Fatalf("Validate passed, Normalize failed: %v", err)
	}
	if len(m.Geometry) != 3*m.NAtom() || len(m.AtomicNumbers) != m.NAtom() {
		t.Fatalf("normalized molecule with %d atoms, %d coordinates", m.NAtom(), len(m.Geometry))
	}
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
			if len(err.Error()) > 2000 {
				t.Fatalf("%d-byte parse error", len(err.Error()))
			}
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
			if len(err.Error()) > 2000 {
				t.Fatalf("%d-byte parse error", len(err.Error()))
			}
			return
		}
		checkMolecule(t, m)
	})
}
