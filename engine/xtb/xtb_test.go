package xtb

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/qcschema"
)

// trimer is the water trimer of the shared h2o_trimer test vectors (bohr).
func trimer() qcschema.Molecule {
	return qcschema.Molecule{
		Symbols: []string{"O", "H", "H", "O", "H", "H", "O", "H", "H"},
		Geometry: []float64{
			-2.76373224, -1.24377706, -0.15444566, -1.12357791, -2.0622797, -0.05243799,
			-3.80792362, -2.08705525, 1.06090407, 2.46924614, -1.75437739, -0.17092884,
			3.7636826, -2.21425403, 1.00846104, 2.3059833, 0.07098445, -0.03942473,
			0.2912793, 3.00875625, 0.20308515, -1.21253048, 1.958209, 0.10303324,
			0.10002049, 4.24958115, -1.10222079,
		},
		Fragments:             [][]int{{0, 1, 2}, {3, 4, 5}, {6, 7, 8}},
		MolecularMultiplicity: 1,
		FixCom:                true,
		FixOrientation:        true,
	}
}

func needXTB(t *testing.T) *Program {
	t.Helper()
	p := &Program{Scratch: t.TempDir()}
	if _, err := p.Find(context.Background()); err != nil {
		t.Skip("xtb not found on PATH: " + err.Error())
	}
	return p
}

func input(mol qcschema.Molecule, driver qcschema.Driver, method string) *qcschema.AtomicInput {
	return &qcschema.AtomicInput{
		SchemaName: qcschema.SchemaInput, SchemaVersion: 1,
		Molecule: mol, Driver: driver, Model: qcschema.Model{Method: method},
	}
}

func energyAt(t *testing.T, p *Program, mol qcschema.Molecule, method string) float64 {
	t.Helper()
	res, err := p.Compute(context.Background(), input(mol, qcschema.DriverEnergy, method))
	require.NoError(t, err)
	return res.ReturnResult.Scalar
}

// checkGradient compares the analytic gradient with central differences of energies.
func checkGradient(t *testing.T, p *Program, mol qcschema.Molecule, method string, coords []int) {
	t.Helper()
	res, err := p.Compute(context.Background(), input(mol, qcschema.DriverGradient, method))
	require.NoError(t, err)
	g := res.ReturnResult.Array
	require.Len(t, g, 3*mol.NAtom(), "gradient")
	assert.InDelta(t, energyAt(t, p, mol, method), *res.Properties.ReturnEnergy, 1e-9, "gradient run energy vs energy run")
	const h = 1e-4
	for _, k := range coords {
		mp, mm := mol, mol
		mp.Geometry = append([]float64(nil), mol.Geometry...)
		mm.Geometry = append([]float64(nil), mol.Geometry...)
		mp.Geometry[k] += h
		mm.Geometry[k] -= h
		fd := (energyAt(t, p, mp, method) - energyAt(t, p, mm, method)) / (2 * h)
		assert.InDelta(t, fd, g[k], 1e-5, "gradient[%d] vs finite difference", k)
	}
}

func TestTrimer(t *testing.T) {
	p := needXTB(t)
	tests := []struct {
		method         string
		perWater       float64 // rough energy per water molecule
		coords         []int
		sumTol, enRel  float64
		wantProvenance string
	}{
		{"gfn2-xtb", -5.07, []int{0, 4, 14, 26}, 1e-6, 0.01, "xtb"},
		{"gfn1-xtb", -5.77, []int{2, 19}, 1e-6, 0.01, "xtb"},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			mol := trimer()
			res, err := p.Compute(context.Background(), input(mol, qcschema.DriverGradient, tt.method))
			require.NoError(t, err)
			e := res.ReturnResult.Array
			energy := *res.Properties.ReturnEnergy
			assert.InDelta(t, tt.perWater, energy/3, tt.enRel*math.Abs(tt.perWater), "energy per water")
			for c := 0; c < 3; c++ {
				s := 0.0
				for a := 0; a < 9; a++ {
					s += e[3*a+c]
				}
				assert.InDelta(t, 0, s, tt.sumTol, "gradient sum along %d", c)
			}
			assert.Equal(t, tt.wantProvenance, res.Provenance.Creator, "provenance %+v", res.Provenance)
			assert.NotEmpty(t, res.Provenance.Version, "provenance %+v", res.Provenance)
			checkGradient(t, p, mol, tt.method, tt.coords)
		})
	}
}

func TestMonomerEnergy(t *testing.T) {
	p := needXTB(t)
	mol := trimer()
	mol.Symbols = mol.Symbols[:3]
	mol.Geometry = mol.Geometry[:9]
	mol.Fragments = nil
	e := energyAt(t, p, mol, "gfn2-xtb")
	assert.GreaterOrEqual(t, e, -5.2, "GFN2 water energy, want about -5.07")
	assert.LessOrEqual(t, e, -5.0, "GFN2 water energy, want about -5.07")
}

func TestRefusals(t *testing.T) {
	ghost := trimer()
	ghost.Real = []bool{true, true, true, false, false, false, true, true, true}
	odd := trimer()
	odd.MolecularMultiplicity = 2
	tests := []struct {
		name     string
		in       *qcschema.AtomicInput
		wantType string
		wantText string
	}{
		{"ghost", input(ghost, qcschema.DriverEnergy, "gfn2-xtb"), qcschema.ErrorInput, "nocp"},
		{"hessian", input(trimer(), qcschema.DriverHessian, "gfn2-xtb"), qcschema.ErrorInput, "hessian"},
		{"method", input(trimer(), qcschema.DriverEnergy, "b3lyp"), qcschema.ErrorInput, "unknown method"},
		{"basis", &qcschema.AtomicInput{Molecule: trimer(), Driver: qcschema.DriverEnergy, Model: qcschema.Model{Method: "gfn2-xtb", Basis: "sto-3g"}}, qcschema.ErrorInput, "basis must be empty"},
		{"keyword", &qcschema.AtomicInput{Molecule: trimer(), Driver: qcschema.DriverEnergy, Model: qcschema.Model{Method: "gfn2-xtb"}, Keywords: map[string]any{"scf_type": "pk"}}, qcschema.ErrorInput, "unknown keyword"},
		{"parity", input(odd, qcschema.DriverEnergy, "gfn2-xtb"), qcschema.ErrorInput, "multiplicity"},
	}
	// These are refused before xtb is looked for, so they run without xtb installed.
	p := &Program{Command: "/nonexistent/xtb"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.Compute(context.Background(), tt.in)
			var f *qcschema.FailedOperation
			require.ErrorAs(t, err, &f)
			assert.Equal(t, tt.wantType, f.ComputeError.ErrorType, f.ComputeError.ErrorMessage)
			assert.Contains(t, f.ComputeError.ErrorMessage, tt.wantText)
		})
	}
}

func TestGhostChecker(t *testing.T) {
	p, err := engine.Lookup("xtb")
	require.NoError(t, err)
	assert.False(t, engine.SupportsGhosts(p), "xtb must report no ghost support")
	assert.False(t, SupportsGhosts(), "xtb must report no ghost support")
}

func TestMissingBinary(t *testing.T) {
	p := &Program{Command: filepath.Join(t.TempDir(), "xtb-not-here")}
	_, err := p.Compute(context.Background(), input(trimer(), qcschema.DriverEnergy, "gfn2-xtb"))
	var f *qcschema.FailedOperation
	require.ErrorAs(t, err, &f)
	require.Equal(t, qcschema.ErrorUnavailable, f.ComputeError.ErrorType, "%v", err)
}

func TestXTBFailure(t *testing.T) {
	p := needXTB(t)
	in := input(trimer(), qcschema.DriverEnergy, "gfn2-xtb")
	in.Keywords = map[string]any{"max_iterations": 2}
	_, err := p.Compute(context.Background(), in)
	var f *qcschema.FailedOperation
	require.ErrorAs(t, err, &f)
	assert.Equal(t, qcschema.ErrorConvergence, f.ComputeError.ErrorType, f.ComputeError.ErrorMessage)
	assert.Contains(t, f.ComputeError.ErrorMessage, "did not converge")
}

func TestEmbedding(t *testing.T) {
	p := needXTB(t)
	mol := trimer()
	mol.Symbols = mol.Symbols[:3]
	mol.Geometry = mol.Geometry[:9]
	mol.Fragments = nil
	plain := energyAt(t, p, mol, "gfn2-xtb")
	// The other two waters as TIP3P-like point charges.
	all := trimer()
	q := []float64{-0.834, 0.417, 0.417}
	var charges [][]any
	for a := 3; a < 9; a++ {
		charges = append(charges, []any{q[a%3], all.Geometry[3*a : 3*a+3]})
	}
	mol.Extras = map[string]any{"embedding_charges": charges}
	embedded := energyAt(t, p, mol, "gfn2-xtb")
	assert.GreaterOrEqual(t, math.Abs(embedded-plain), 1e-4, "embedding changed the energy by")
	checkGradient(t, p, mol, "gfn2-xtb", []int{0, 5, 7})
}

func TestCancel(t *testing.T) {
	p := needXTB(t)
	// A big cluster of waters takes long enough to cancel.
	base := trimer()
	var mol qcschema.Molecule
	for i := 0; i < 6; i++ {
		for j := 0; j < 6; j++ {
			for k := 0; k < 6; k++ {
				for a := 0; a < 3; a++ {
					mol.Symbols = append(mol.Symbols, base.Symbols[a])
					mol.Geometry = append(mol.Geometry, base.Geometry[3*a]+8*float64(i), base.Geometry[3*a+1]+8*float64(j), base.Geometry[3*a+2]+8*float64(k))
				}
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := p.Compute(ctx, input(mol, qcschema.DriverGradient, "gfn2-xtb"))
	if err == nil {
		t.Skip("xtb finished before the deadline")
	}
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.LessOrEqual(t, time.Since(start), 3*time.Second, "returned after")
	ents, _ := os.ReadDir(p.Scratch)
	assert.Empty(t, ents, "scratch not removed")
	assert.Empty(t, processesUnder(p.Scratch), "processes left running")
}

// processesUnder lists the pids whose working directory is below dir.
func processesUnder(dir string) []string {
	var out []string
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		if err == nil && strings.HasPrefix(cwd, dir) {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestParseKeywords(t *testing.T) {
	tests := []struct {
		kw   map[string]any
		want options
		err  bool
	}{
		{nil, options{}, false},
		{map[string]any{"accuracy": 0.1, "electronic_temperature": 500, "max_iterations": 300.0, "nthreads": 2}, options{0.1, 500, 300, 2}, false},
		{map[string]any{"accuracy": -1}, options{}, true},
		{map[string]any{"max_iterations": 2.5}, options{}, true},
		{map[string]any{"solvent": "water"}, options{}, true},
	}
	for _, tt := range tests {
		got, err := parseKeywords(tt.kw)
		if tt.err {
			assert.Error(t, err, "parseKeywords(%v)", tt.kw)
		} else if assert.NoError(t, err, "parseKeywords(%v)", tt.kw) {
			assert.Equal(t, tt.want, got, "parseKeywords(%v)", tt.kw)
		}
	}
}

func TestParseGradient(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "gradient")
	text := `$grad
  cycle =      1    SCF energy =    -5.0   |dE/dxyz| =  0.05
    0.0 0.0 -0.12 o
    0.0 -1.49 1.02 h
   1.0D-01  -2.0E-02  3.0
   4.0 5.0 6.0
$end
`
	require.NoError(t, os.WriteFile(file, []byte(text), 0o644))
	g, err := parseGradient(file, 2)
	require.NoError(t, err)
	require.Equal(t, []float64{0.1, -0.02, 3, 4, 5, 6}, g)
	_, err = parseGradient(file, 3)
	assert.Error(t, err, "short gradient accepted")
}

// BenchmarkTrimerGradient times one GFN2-xTB water trimer gradient.
func BenchmarkTrimerGradient(b *testing.B) {
	p := &Program{Scratch: b.TempDir()}
	if _, err := p.Find(context.Background()); err != nil {
		b.Skip("xtb not found on PATH: " + err.Error())
	}
	in := input(trimer(), qcschema.DriverGradient, "gfn2-xtb")
	for b.Loop() {
		_, err := p.Compute(context.Background(), in)
		require.NoError(b, err)
	}
}
