package lattice

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// crystalatteDir holds CrystaLattE's CIF and .cle files and the reference data produced
// with it (see its README.md).
const crystalatteDir = "../testdata/crystalatte"

// refCase is one CrystaLattE run recorded by reference/generate.py.
type refCase struct {
	CIF           string         `json:"cif"`
	Args          map[string]any `json:"args"`
	Monomers      int            `json:"monomers"`
	Nmers         []refNmer      `json:"nmers"`
	LatticeEnergy float64        `json:"lattice_energy"`
}

type refNmer struct {
	Name            string    `json:"name"`
	Replicas        int       `json:"replicas"`
	AtomsPerMonomer []int     `json:"atoms_per_monomer"`
	NRE             float64   `json:"nre"`
	PriorityMin     float64   `json:"priority_min"`
	PriorityCOM     float64   `json:"priority_com"`
	PriorityCutoff  float64   `json:"priority_cutoff"`
	MinSeparations  []float64 `json:"min_separations"`
	COMSeparations  []float64 `json:"com_separations"`
	ChSEV           []float64 `json:"chsev"`
	Nambe           float64   `json:"nambe"`
	Contrib         float64   `json:"contrib"`
}

func loadReference(t testing.TB, name string) map[string]refCase {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(crystalatteDir, "reference", name))
	require.NoError(t, err)
	var out map[string]refCase
	require.NoError(t, json.Unmarshal(data, &out))
	return out
}

// caseNames lists the cases of a reference file in order.
func caseNames(ref map[string]refCase) []string {
	names := make([]string, 0, len(ref))
	for k := range ref {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// inputOf builds the Input of a reference case: CrystaLattE's main() defaults (which
// differ from its input parser's: r_cut_com 10, r_cut_monomer 12, 5 cells each way) with
// the case's arguments.
func inputOf(t testing.TB, c refCase) *Input {
	t.Helper()
	in := DefaultInput()
	in.CIF = filepath.Join(crystalatteDir, c.CIF)
	in.CellsA, in.CellsB, in.CellsC = 5, 5, 5
	in.RCutCOM, in.RCutMonomer = 10, 12
	for k, v := range c.Args {
		switch x := v.(type) {
		case float64:
			kind, ok := keywords[k]
			require.True(t, ok, k)
			require.NoError(t, in.set(k, kind, fmt.Sprint(x)), k)
		case string:
			switch k {
			case "uniq_filter":
				in.UniqFilter = x
			case "bsse_type":
				in.BSSE = x
			default:
				require.FailNowf(t, "unknown argument", "%s", k)
			}
		}
	}
	require.NoError(t, in.Validate())
	return &in
}

// TestEnumerationMatchesCrystaLattE enumerates every reference case and compares each
// unique n-mer with CrystaLattE's: the same n-mers (matched by order and nuclear
// repulsion energy, since numbering ties is arbitrary), replicas, nuclear repulsion
// energies to 1e-7 hartree, priorities, separations and chemical-space eigenvalues.
func TestEnumerationMatchesCrystaLattE(t *testing.T) {
	ref := loadReference(t, "enumeration.json")
	for _, name := range caseNames(ref) {
		c := ref[name]
		t.Run(name, func(t *testing.T) {
			if testing.Short() && c.Monomers > 60 {
				t.Skip("large supercell")
			}
			cr, err := Load(inputOf(t, c))
			require.NoError(t, err)
			assert.Equal(t, c.Monomers, len(cr.Monomers), "monomers")
			compareNmers(t, c.Nmers, cr.Nmers)
		})
	}
}

// TestEnumerationReadsCellAsCIF checks the other reading of a cell parameter with a
// standard uncertainty: with CellCIF, urea's 5.565(1) is 5.565 Å, and the n-mers are those
// CrystaLattE finds once its read_cif is made to read the cell that way
// (enumeration_cif_reading.json; see testdata/crystalatte/README.md). The default reading
// gives CrystaLattE's own n-mers (TestEnumerationMatchesCrystaLattE), and each cell
// parameter it changes is noted.
func TestEnumerationReadsCellAsCIF(t *testing.T) {
	ref := loadReference(t, "enumeration_cif_reading.json")
	for _, name := range caseNames(ref) {
		c := ref[name]
		t.Run(name, func(t *testing.T) {
			in := inputOf(t, c)
			crystalatte, err := Load(in)
			require.NoError(t, err)
			require.NotEmpty(t, crystalatte.Warnings)
			assert.Contains(t, crystalatte.Warnings[0], "as CrystaLattE reads it")

			in.CellUncertainty = CellCIF
			cr, err := Load(in)
			require.NoError(t, err)
			for _, w := range cr.Warnings {
				assert.NotContains(t, w, "as CrystaLattE reads it")
			}
			assert.Equal(t, c.Monomers, len(cr.Monomers), "monomers")
			compareNmers(t, c.Nmers, cr.Nmers)
			assert.NotEqual(t, crystalatte.Nmers[0].NuclearRepulsion, cr.Nmers[0].NuclearRepulsion,
				"the two readings are different cells")
		})
	}
}

func compareNmers(t *testing.T, want []refNmer, got []*Nmer) {
	t.Helper()
	require.Equal(t, len(want), len(got), "unique n-mers")
	used := make([]bool, len(got))
	for _, w := range want {
		n := len(w.AtomsPerMonomer)
		match := -1
		for i, g := range got {
			if !used[i] && g.N() == n && math.Abs(g.NuclearRepulsion-w.NRE) < 1e-7 && g.Replicas == w.Replicas {
				match = i
				break
			}
		}
		if !assert.GreaterOrEqual(t, match, 0, "%s (NRE %.10f, %d replicas) not found", w.Name, w.NRE, w.Replicas) {
			continue
		}
		used[match] = true
		g := got[match]
		assert.Equal(t, w.AtomsPerMonomer, g.AtomsPerMonomer, w.Name)
		assert.InEpsilon(t, w.PriorityMin, g.PriorityMin, 1e-9, "%s priority_min", w.Name)
		assert.InEpsilon(t, w.PriorityCOM, g.PriorityCOM, 1e-9, "%s priority_com", w.Name)
		assert.InEpsilon(t, w.PriorityCutoff, g.PriorityCutoff, 1e-9, "%s priority_cutoff", w.Name)
		assert.InDeltaSlice(t, w.MinSeparations, sorted(g.MinSeparations), 1e-9, "%s min separations", w.Name)
		assert.InDeltaSlice(t, w.COMSeparations, sorted(g.COMSeparations), 1e-9, "%s COM separations", w.Name)
		assert.InDeltaSlice(t, w.ChSEV, g.ChSEV[:len(w.ChSEV)], 1e-7, "%s eigenvalues", w.Name)
	}
}

func sorted(v []float64) []float64 {
	out := append([]float64(nil), v...)
	sort.Float64s(out)
	return out
}
