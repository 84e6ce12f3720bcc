package lattice

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/qcmb-go/qcmb/engine/hf"
	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/executor/store"
	"github.com/qcmb-go/qcmb/manybody/computer"
)

// ammoniaInput is CrystaLattE's ammonia test (test_91) through order n with a BSSE
// treatment, at HF/STO-3G.
func ammoniaInput(n int, bsse string) *Input {
	in := mainInput("data/cif/Ammonia.cif")
	in.CellsA, in.CellsB, in.CellsC = 3, 3, 3
	in.NmersUpTo = n
	in.RCutCOM, in.RCutMonomer, in.RCutDimer, in.RCutTrimer, in.RCutTetramer, in.RCutPentamer = 6.5, 3.5, 2.6, 3.7, 3.7, 6.1
	in.BSSE = bsse
	in.RunType = []string{"psi4api"}
	return &in
}

func plan(t testing.TB, in *Input, program string) *Plan {
	t.Helper()
	cr, err := Load(in)
	require.NoError(t, err)
	p, err := NewPlan(context.Background(), cr, program)
	require.NoError(t, err)
	return p
}

func pool() *computer.Computer {
	return &computer.Computer{Executor: executor.NewPool(2, executor.Options{})}
}

// The lattice energies of ammonia and carbon dioxide at HF/STO-3G (nocp, cp and vmfc,
// through trimers and pentamers) from the embedded program agree with CrystaLattE's,
// computed with Psi4 and conventional integrals, to 1e-7 hartree, n-mer by n-mer.
func TestLatticeEnergyMatchesCrystaLattE(t *testing.T) {
	ref := loadReference(t, "energies.json")
	for _, name := range caseNames(ref) {
		c := ref[name]
		t.Run(name, func(t *testing.T) {
			if testing.Short() && strings.Contains(name, "pentamers") {
				t.Skip("pentamers take a while")
			}
			in := inputOf(t, c)
			in.RunType = []string{"psi4api"}
			p := plan(t, in, Embedded)
			res, err := p.Run(context.Background(), pool())
			require.NoError(t, err)
			require.Len(t, res.Rows, len(c.Nmers))
			for _, w := range c.Nmers {
				var row *Row
				for i := range res.Rows {
					if math.Abs(res.Rows[i].Nmer.NuclearRepulsion-w.NRE) < 1e-7 && res.Rows[i].Nmer.Replicas == w.Replicas {
						row = &res.Rows[i]
					}
				}
				require.NotNil(t, row, w.Name)
				assert.InDelta(t, w.Nambe, row.NonAdditive, 1e-7, "%s non-additive energy", w.Name)
				assert.InDelta(t, w.Contrib, row.Contribution, 1e-7, "%s contribution", w.Name)
			}
			assert.InDelta(t, c.LatticeEnergy, res.LatticeEnergy, 1e-7, "lattice energy")
			assert.Less(t, res.FragmentCalculations, res.Planned)
		})
	}
}

// Fragment calculations that several n-mers share, or that are rotated copies of one
// another, are run once: the lattice energy is the same as when every n-mer's expansion
// runs on its own, to the convergence of the calculations.
func TestSharedCalculationsGiveTheSameEnergies(t *testing.T) {
	for _, tc := range []struct {
		n                        int
		bsse                     string
		planned, distinct, ident int
	}{
		{5, "nocp", 63, 19, 28},
		{3, "cp", 17, 13, 0},
		{3, "vmfc", 43, 17, 10},
	} {
		t.Run(fmt.Sprintf("%s%d", tc.bsse, tc.n), func(t *testing.T) {
			p := plan(t, ammoniaInput(tc.n, tc.bsse), Embedded)
			assert.Equal(t, tc.planned, p.Planned, "planned")
			assert.Equal(t, tc.distinct, len(p.Tasks), "distinct")
			assert.Equal(t, tc.ident, p.Identical, "identical")
			assert.Equal(t, p.Planned-len(p.Tasks)-p.Identical, p.Congruent)
			res, err := p.Run(context.Background(), pool())
			require.NoError(t, err)
			comp := pool()
			for k, prep := range p.Expansions {
				alone, err := comp.Run(context.Background(), prep)
				require.NoError(t, err)
				e := alone.Properties.Energies
				n := p.Nmers[k].N()
				want := e[fmt.Sprintf("%s_corrected_interaction_energy_through_%d_body", tc.bsse, n)]
				if n > 2 {
					want -= e[fmt.Sprintf("%s_corrected_interaction_energy_through_%d_body", tc.bsse, n-1)]
				}
				for _, row := range res.Rows {
					if row.Nmer == p.Nmers[k] {
						assert.InDelta(t, want, row.NonAdditive, 1e-9, p.Nmers[k].Name)
					}
				}
			}
		})
	}
}

// A run interrupted part way and run again with the same store computes only what did not
// finish, and gives the same lattice energy, bit for bit, as one uninterrupted run; so do
// the serial and the pool executors.
func TestResumeAndExecutorsAgree(t *testing.T) {
	p := plan(t, ammoniaInput(3, "cp"), Embedded)
	serial, err := p.Run(context.Background(), &computer.Computer{})
	require.NoError(t, err)

	results := store.NewMemory()
	ctx, cancel := context.WithCancel(context.Background())
	first := 0
	comp := &computer.Computer{Executor: executor.NewSerial(executor.Options{}), Store: results,
		Progress: func(done, total int, o executor.Outcome) {
			if o.Err == nil {
				first++
			}
			if done == 4 {
				cancel()
			}
		}}
	_, err = p.Run(ctx, comp)
	require.Error(t, err)
	var re *computer.RunError
	require.ErrorAs(t, err, &re)
	require.Equal(t, 4, first)

	computed, reused := 0, 0
	comp = &computer.Computer{Executor: executor.NewPool(2, executor.Options{}), Store: results,
		Progress: func(done, total int, o executor.Outcome) {
			if o.Reused {
				reused++
			} else {
				computed++
			}
		}}
	resumed, err := p.Run(context.Background(), comp)
	require.NoError(t, err)
	assert.Equal(t, 4, reused, "finished calculations are not run again")
	assert.Equal(t, len(p.Tasks)-4, computed)

	a, err := json.Marshal(serial)
	require.NoError(t, err)
	b, err := json.Marshal(resumed)
	require.NoError(t, err)
	assert.Equal(t, string(a), string(b))
}

func TestChooseProgram(t *testing.T) {
	ctx := context.Background()
	in := DefaultInput()
	in.Method = "HF/STO-3G"
	assert.Equal(t, Embedded, ChooseProgram(ctx, &in, []string{"N", "H"}))
	in.Method = "MP2/cc-pVDZ"
	assert.Equal(t, Psi4, ChooseProgram(ctx, &in, []string{"N", "H"}), "CrystaLattE's MP2 freezes the core, which the embedded program does not")
	in.Method = "HF/no-such-basis"
	assert.Equal(t, Psi4, ChooseProgram(ctx, &in, []string{"N", "H"}))
	in.Method, in.Program = "HF/STO-3G", "psi4"
	assert.Equal(t, Psi4, ChooseProgram(ctx, &in, []string{"N", "H"}))
	assert.Equal(t, "df", ProgramKeywords(&in, Psi4)["scf_type"], "Psi4 runs with CrystaLattE's options")
	assert.NotContains(t, ProgramKeywords(&in, Embedded), "scf_type")
}

// Test mode: the table says "Not Computed", as CrystaLattE's does, and the JSON document
// has null energies.
func TestEnumerationOutput(t *testing.T) {
	in := ammoniaInput(3, "nocp")
	in.RunType = []string{"test"}
	res, err := Compute(context.Background(), in, nil)
	require.NoError(t, err)
	var b strings.Builder
	require.NoError(t, res.WriteTable(&b, KJPerMol))
	assert.Contains(t, b.String(), "2mer-0+1                   | Not Computed |    6 | Not Computed |  Not Computed | 1.748924e-03 |  2.588 \n")
	assert.Contains(t, b.String(), "Crystal Lattice Energy (kJ/mol)   = 0.00000000\n")
	data, err := json.Marshal(res)
	require.NoError(t, err)
	assert.Contains(t, string(data), `{"lattice_energy":null,"nmers":[{"name":"2mer-0+1","n":2,"replicas":6,"nuclear_repulsion_energy":38.18102709854362,"nonadditive_energy":null,"contribution":null}`)
	assert.Contains(t, string(data), fmt.Sprintf(`"fragment_calculations":%d}`, res.FragmentCalculations))
}
