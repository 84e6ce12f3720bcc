package hf

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type refRecord struct {
	Molecule struct {
		Symbols               []string  `json:"symbols"`
		Geometry              []float64 `json:"geometry"`
		Real                  []bool    `json:"real"`
		MolecularCharge       float64   `json:"molecular_charge"`
		MolecularMultiplicity float64   `json:"molecular_multiplicity"`
	} `json:"molecule"`
	Driver string `json:"driver"`
	Model  struct {
		Method string `json:"method"`
		Basis  string `json:"basis"`
	} `json:"model"`
	ReturnEnergy           float64   `json:"return_energy"`
	SCFTotalEnergy         float64   `json:"scf_total_energy"`
	NuclearRepulsionEnergy float64   `json:"nuclear_repulsion_energy"`
	ReturnGradient         []float64 `json:"return_gradient"`
}

func loadReference(t testing.TB) []refRecord {
	t.Helper()
	data, err := os.ReadFile("../../testdata/engine/psi4_reference.json")
	require.NoError(t, err)
	var doc struct {
		Records []refRecord `json:"records"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	return doc.Records
}

func (r refRecord) atoms() []Atom {
	var out []Atom
	for i, s := range r.Molecule.Symbols {
		a := Atom{Z: ZOf(s)}
		copy(a.Pos[:], r.Molecule.Geometry[3*i:3*i+3])
		if r.Molecule.Real != nil && !r.Molecule.Real[i] {
			a.Ghost = true
		}
		out = append(out, a)
	}
	return out
}

func TestPsi4Reference(t *testing.T) {
	skipUnderRace(t)
	for i, rec := range loadReference(t) {
		rec := rec
		name := rec.Driver + "/" + rec.Model.Method + "/" + rec.Model.Basis
		t.Run(itoa(i)+"_"+name, func(t *testing.T) {
			opt := Options{Method: rec.Model.Method, Basis: rec.Model.Basis,
				Charge: int(rec.Molecule.MolecularCharge), Multiplicity: int(rec.Molecule.MolecularMultiplicity)}
			var res *Result
			var err error
			if rec.Driver == "gradient" {
				res, err = Gradient(context.Background(), rec.atoms(), opt)
			} else {
				res, err = Energy(context.Background(), rec.atoms(), opt)
			}
			require.NoError(t, err)
			check := func(what string, got, want, tol float64) {
				t.Helper()
				if testing.Verbose() {
					t.Logf("%s diff %.2e", what, got-want)
				}
				assert.InDelta(t, want, got, tol, what)
			}
			check("nuclear repulsion", res.NuclearRepulsion, rec.NuclearRepulsionEnergy, 1e-9)
			check("scf energy", res.SCFEnergy, rec.SCFTotalEnergy, 1e-6)
			check("return energy", res.Energy, rec.ReturnEnergy, 1e-6)
			if rec.ReturnGradient != nil {
				require.Len(t, res.Gradient, len(rec.ReturnGradient), "gradient")
				for k := range rec.ReturnGradient {
					check("gradient["+itoa(k)+"]", res.Gradient[k], rec.ReturnGradient[k], 1e-5)
				}
			}
		})
	}
}
