package hf

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// extraRecord is a record of testdata/engine/psi4_extra.json (Psi4 1.3,
// conventional integrals, tight convergence).
type extraRecord struct {
	refRecord
	Name     string         `json:"name"`
	Keywords map[string]any `json:"keywords"`
}

func loadExtra(t testing.TB) []extraRecord {
	t.Helper()
	data, err := os.ReadFile("../../testdata/engine/psi4_extra.json")
	require.NoError(t, err)
	var doc struct {
		Records []extraRecord `json:"records"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	return doc.Records
}

// TestMP2GradientPsi4 compares the analytic MP2 gradients with Psi4's
// analytic ones.
func TestMP2GradientPsi4(t *testing.T) {
	for _, rec := range loadExtra(t) {
		if rec.Driver != "gradient" || rec.Model.Method != "mp2" {
			continue
		}
		t.Run(rec.Name, func(t *testing.T) {
			opt := Options{Method: "mp2", Basis: rec.Model.Basis, EConvergence: 1e-10, DConvergence: 1e-10,
				Charge: int(rec.Molecule.MolecularCharge), Multiplicity: int(rec.Molecule.MolecularMultiplicity)}
			if ref, ok := rec.Keywords["reference"].(string); ok {
				opt.Reference = ref
			}
			res, err := Gradient(context.Background(), rec.atoms(), opt)
			require.NoError(t, err)
			assert.InDelta(t, rec.ReturnEnergy, res.Energy, 1e-9, "energy vs Psi4")
			for k, want := range rec.ReturnGradient {
				if testing.Verbose() {
					t.Logf("gradient[%d] diff %.1e", k, res.Gradient[k]-want)
				}
				assert.InDelta(t, want, res.Gradient[k], 1e-8, "gradient[%d] vs Psi4", k)
			}
		})
	}
}

// fd5Gradient is the 5-point central difference of energies (error of
// order h^4).
func fd5Gradient(t *testing.T, atoms []Atom, opt Options, h float64) []float64 {
	t.Helper()
	return fdStencil(t, atoms, opt, h, []float64{2, 1, -1, -2}, []float64{-1, 8, -8, 1}, 12)
}

// TestMP2GradientFiniteDifferences compares analytic RMP2 and UMP2
// gradients with 5-point differences of energies, with ghosts, point
// charges, cartesian and spherical d functions and direct integrals.
func TestMP2GradientFiniteDifferences(t *testing.T) {
	skipHeavy(t)
	oh := []Atom{{Z: 8, Pos: [3]float64{0, 0, 0.1}}, {Z: 1, Pos: [3]float64{0.1, 0.2, 1.9}}}
	charges := []PointCharge{{Q: -0.8, Pos: [3]float64{3, 1, 2}}, {Q: 0.4, Pos: [3]float64{-2, 3, -1}}}
	cases := []struct {
		name  string
		atoms []Atom
		opt   Options
	}{
		{"rmp2 water sto-3g charges", distorted(water()), Options{Basis: "sto-3g", Charges: charges}},
		{"rmp2 water sto-3g charges direct", distorted(water()), Options{Basis: "sto-3g", Charges: charges, SCFType: "direct"}},
		{"ump2 OH 6-31g", oh, Options{Basis: "6-31g"}},
		{"ump2 water cation 3-21g ghosts", dimerWithGhosts(), Options{Basis: "3-21g", Charge: 1}},
		{"ump2 water uhf singlet sto-3g", distorted(water()), Options{Basis: "sto-3g", Reference: "uhf"}},
		{"rmp2 water cc-pvdz spherical", distorted(water()), Options{Basis: "cc-pvdz"}},
		{"rmp2 ghost dimer 6-31g*", dimerWithGhosts(), Options{Basis: "6-31g*", Charges: charges[:1]}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opt.Method = "mp2"
			opt := c.opt
			opt.EConvergence, opt.DConvergence = 1e-12, 1e-10
			res, err := Gradient(bg, c.atoms, opt)
			require.NoError(t, err)
			fd := fd5Gradient(t, c.atoms, c.opt, 0.005)
			for k := range fd {
				if testing.Verbose() {
					t.Logf("gradient[%d] %.10f diff %.1e", k, res.Gradient[k], res.Gradient[k]-fd[k])
				}
				assert.InDelta(t, fd[k], res.Gradient[k], 2e-8, "gradient[%d] vs finite differences", k)
			}
		})
	}
}

// TestUMP2GradientPsi4 compares analytic UMP2 gradients with Psi4 1.3.2's
// (testdata/psi4_ump2_gradients.json: conventional integrals, all
// electrons, cartesian d functions).
func TestUMP2GradientPsi4(t *testing.T) {
	data, err := os.ReadFile("testdata/psi4_ump2_gradients.json")
	require.NoError(t, err)
	var doc struct {
		Records []struct {
			Name, Basis           string
			Symbols               []string
			Geometry              []float64
			MolecularCharge       int       `json:"molecular_charge"`
			MolecularMultiplicity int       `json:"molecular_multiplicity"`
			ReturnEnergy          float64   `json:"return_energy"`
			ReturnGradient        []float64 `json:"return_gradient"`
		}
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	for _, rec := range doc.Records {
		t.Run(rec.Name, func(t *testing.T) {
			atoms := make([]Atom, len(rec.Symbols))
			for i, s := range rec.Symbols {
				atoms[i] = Atom{Z: ZOf(s), Pos: [3]float64(rec.Geometry[3*i : 3*i+3])}
			}
			res, err := Gradient(bg, atoms, Options{Method: "mp2", Basis: rec.Basis, Reference: "uhf",
				Charge: rec.MolecularCharge, Multiplicity: rec.MolecularMultiplicity, EConvergence: 1e-11, DConvergence: 1e-10})
			require.NoError(t, err)
			assert.InDelta(t, rec.ReturnEnergy, res.Energy, 1e-9, "energy vs Psi4")
			for k, want := range rec.ReturnGradient {
				assert.InDelta(t, want, res.Gradient[k], 1e-8, "gradient[%d] vs Psi4", k)
			}
		})
	}
}

// TestMP2MemoryBudget checks that MP2 energies do not depend on the
// memory budget, which decides between stored and direct integrals and
// the size of the occupied batches.
func TestMP2MemoryBudget(t *testing.T) {
	oh := []Atom{{Z: 8, Pos: [3]float64{0, 0, 0.1}}, {Z: 1, Pos: [3]float64{0.1, 0.2, 1.9}}}
	for _, c := range []struct {
		name  string
		atoms []Atom
		opt   Options
	}{
		{"rmp2 water dimer", waterCluster(t, 2), Options{Method: "mp2", Basis: "6-31g"}},
		{"ump2 OH", oh, Options{Method: "mp2", Basis: "6-31g*"}},
	} {
		ref, err := Energy(bg, c.atoms, c.opt)
		require.NoError(t, err)
		for _, mem := range []int64{directMemory, 200_000, 2_000_000} {
			opt := c.opt
			opt.Memory = mem
			r, err := Energy(bg, c.atoms, opt)
			require.NoError(t, err)
			assert.InDelta(t, ref.MP2Correlation, r.MP2Correlation, 1e-10, "%s, memory %d: correlation vs default memory's", c.name, mem)
			assert.LessOrEqual(t, r.MP2Correlation, -0.01, "%s, memory %d: correlation", c.name, mem)
		}
	}
}

func TestMP2GradientMemoryBudget(t *testing.T) {
	_, err := Gradient(bg, water(), Options{Method: "mp2", Basis: "6-31g", Memory: 100_000})
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.ErrorContains(t, err, "memory", "an invalid-input error naming the memory budget")
}
