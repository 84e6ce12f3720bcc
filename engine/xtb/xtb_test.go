package xtb

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	if err != nil {
		t.Fatal(err)
	}
	return res.ReturnResult.Scalar
}

// checkGradient compares the analytic gradient with central differences of energies.
func checkGradient(t *testing.T, p *Program, mol qcschema.Molecule, method string, coords []int) {
	t.Helper()
	res, err := p.Compute(context.Background(), input(mol, qcschema.DriverGradient, method))
	if err != nil {
		t.Fatal(err)
	}
	g := res.ReturnResult.Array
	if len(g) != 3*mol.NAtom() {
		t.Fatalf("gradient has %d entries", len(g))
	}
	if e := energyAt(t, p, mol, method); math.Abs(e-*res.Properties.ReturnEnergy) > 1e-9 {
		t.Errorf("gradient run energy %.12f, energy run %.12f", *res.Properties.ReturnEnergy, e)
	}
	const h = 1e-4
	for _, k := range coords {
		mp, mm := mol, mol
		mp.Geometry = append([]float64(nil), mol.Geometry...)
		mm.Geometry = append([]float64(nil), mol.Geometry...)
		mp.Geometry[k] += h
		mm.Geometry[k] -= h
		fd := (energyAt(t, p, mp, method) - energyAt(t, p, mm, method)) / (2 * h)
		if math.Abs(fd-g[k]) > 1e-5 {
			t.Errorf("gradient[%d] = %.8f, finite difference %.8f", k, g[k], fd)
		}
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
			if err != nil {
				t.Fatal(err)
			}
			e := res.ReturnResult.Array
			energy := *res.Properties.ReturnEnergy
			if math.Abs(energy/3-tt.perWater) > tt.enRel*math.Abs(tt.perWater) {
				t.Errorf("energy %.6f Eh: not about %.2f per water", energy, tt.perWater)
			}
			for c := 0; c < 3; c++ {
				s := 0.0
				for a := 0; a < 9; a++ {
					s += e[3*a+c]
				}
				if math.Abs(s) > tt.sumTol {
					t.Errorf("gradient sum along %d = %.2e", c, s)
				}
			}
			if res.Provenance.Creator != tt.wantProvenance || res.Provenance.Version == "" {
				t.Errorf("provenance %+v", res.Provenance)
			}
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
	if e > -5.0 || e < -5.2 {
		t.Errorf("GFN2 water energy %.6f, want about -5.07", e)
	}
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
			if !errors.As(err, &f) {
				t.Fatalf("want FailedOperation, got %v", err)
			}
			if f.ComputeError.ErrorType != tt.wantType || !strings.Contains(f.ComputeError.ErrorMessage, tt.wantText) {
				t.Errorf("got %s: %s", f.ComputeError.ErrorType, f.ComputeError.ErrorMessage)
			}
		})
	}
}

func TestGhostChecker(t *testing.T) {
	p, err := engine.Lookup("xtb")
	if err != nil {
		t.Fatal(err)
	}
	if engine.SupportsGhosts(p) || SupportsGhosts() {
		t.Error("xtb must report no ghost support")
	}
}

func TestMissingBinary(t *testing.T) {
	p := &Program{Command: filepath.Join(t.TempDir(), "xtb-not-here")}
	_, err := p.Compute(context.Background(), input(trimer(), qcschema.DriverEnergy, "gfn2-xtb"))
	var f *qcschema.FailedOperation
	if !errors.As(err, &f) || f.ComputeError.ErrorType != qcschema.ErrorUnavailable {
		t.Fatalf("want unavailable_error, got %v", err)
	}
}

func TestXTBFailure(t *testing.T) {
	p := needXTB(t)
	in := input(trimer(), qcschema.DriverEnergy, "gfn2-xtb")
	in.Keywords = map[string]any{"max_iterations": 2}
	_, err := p.Compute(context.Background(), in)
	var f *qcschema.FailedOperation
	if !errors.As(err, &f) {
		t.Fatalf("want FailedOperation, got %v", err)
	}
	if f.ComputeError.ErrorType != qcschema.ErrorConvergence || !strings.Contains(f.ComputeError.ErrorMessage, "did not converge") {
		t.Errorf("got %s: %s", f.ComputeError.ErrorType, f.ComputeError.ErrorMessage)
	}
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
	if math.Abs(embedded-plain) < 1e-4 {
		t.Errorf("embedding changed the energy by only %.2e", embedded-plain)
	}
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
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("want DeadlineExceeded, got %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("returned after %v", d)
	}
	if ents, _ := os.ReadDir(p.Scratch); len(ents) > 0 {
		t.Errorf("scratch not removed: %v", ents)
	}
	if left := processesUnder(p.Scratch); len(left) > 0 {
		t.Errorf("processes left running: %v", left)
	}
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
		if (err != nil) != tt.err || (!tt.err && got != tt.want) {
			t.Errorf("parseKeywords(%v) = %+v, %v", tt.kw, got, err)
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
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	g, err := parseGradient(file, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0.1, -0.02, 3, 4, 5, 6}
	for i := range want {
		if g[i] != want[i] {
			t.Fatalf("got %v, want %v", g, want)
		}
	}
	if _, err := parseGradient(file, 3); err == nil {
		t.Error("short gradient accepted")
	}
}

// BenchmarkTrimerGradient times one GFN2-xTB water trimer gradient.
func BenchmarkTrimerGradient(b *testing.B) {
	p := &Program{Scratch: b.TempDir()}
	if _, err := p.Find(context.Background()); err != nil {
		b.Skip("xtb not found on PATH: " + err.Error())
	}
	in := input(trimer(), qcschema.DriverGradient, "gfn2-xtb")
	for b.Loop() {
		if _, err := p.Compute(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}
