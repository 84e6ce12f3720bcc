package psi4

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/qcschema"
)

// reference is the project's testdata/engine/psi4_reference.json (a copy of shared/testvectors/engine).
type reference struct {
	Keywords map[string]any `json:"keywords"`
	Records  []struct {
		Molecule       qcschema.Molecule `json:"molecule"`
		Driver         qcschema.Driver   `json:"driver"`
		Model          qcschema.Model    `json:"model"`
		ReturnEnergy   float64           `json:"return_energy"`
		NuclearRep     float64           `json:"nuclear_repulsion_energy"`
		ReturnGradient []float64         `json:"return_gradient"`
	} `json:"records"`
}

func loadReference(t *testing.T) reference {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "engine", "psi4_reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref reference
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	return ref
}

// needPsi4 returns a Program with a per-test scratch directory, or skips the test.
func needPsi4(t *testing.T) *Program {
	t.Helper()
	p := &Program{Scratch: t.TempDir()}
	if _, err := p.Find(context.Background()); err != nil {
		t.Skip("psi4 not found on PATH: " + err.Error())
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func input(mol qcschema.Molecule, driver qcschema.Driver, model qcschema.Model, kw map[string]any) *qcschema.AtomicInput {
	return &qcschema.AtomicInput{
		SchemaName: qcschema.SchemaInput, SchemaVersion: 1,
		Molecule: mol, Driver: driver, Model: model, Keywords: kw,
	}
}

func label(mol qcschema.Molecule) string {
	real := 0
	for i := range mol.Symbols {
		if mol.IsReal(i) {
			real++
		}
	}
	return fmt.Sprintf("%datoms_%dreal", mol.NAtom(), real)
}

func TestReference(t *testing.T) {
	p := needPsi4(t)
	ref := loadReference(t)
	for i, rec := range ref.Records {
		name := fmt.Sprintf("%d_%s_%s_%s_%s", i, rec.Model.Method, rec.Model.Basis, rec.Driver, label(rec.Molecule))
		t.Run(name, func(t *testing.T) {
			res, err := p.Compute(context.Background(), input(rec.Molecule, rec.Driver, rec.Model, ref.Keywords))
			if err != nil {
				t.Fatal(err)
			}
			if res.Properties.ReturnEnergy == nil {
				t.Fatal("no return_energy")
			}
			t.Logf("energy diff %.1e", *res.Properties.ReturnEnergy-rec.ReturnEnergy)
			if d := math.Abs(*res.Properties.ReturnEnergy - rec.ReturnEnergy); d > 1e-7 {
				t.Errorf("energy %.12f, reference %.12f (diff %.2e)", *res.Properties.ReturnEnergy, rec.ReturnEnergy, d)
			}
			if rec.Driver == qcschema.DriverEnergy && math.Abs(res.ReturnResult.Scalar-rec.ReturnEnergy) > 1e-7 {
				t.Errorf("return_result %.12f, reference %.12f", res.ReturnResult.Scalar, rec.ReturnEnergy)
			}
			if rec.Driver == qcschema.DriverGradient {
				g := res.ReturnResult.Array
				if len(g) != len(rec.ReturnGradient) {
					t.Fatalf("gradient length %d, want %d", len(g), len(rec.ReturnGradient))
				}
				for k := range g {
					if d := math.Abs(g[k] - rec.ReturnGradient[k]); d > 1e-7 {
						t.Errorf("gradient[%d] = %.10f, reference %.10f", k, g[k], rec.ReturnGradient[k])
					}
				}
			}
			if res.Stdout == nil || !strings.Contains(*res.Stdout, "SCF") {
				t.Error("no Psi4 output text in stdout")
			}
			if res.Provenance.Creator != "Psi4" {
				t.Errorf("provenance %+v", res.Provenance)
			}
		})
	}
}

// dimer returns the water dimer of the reference file (all atoms real).
func dimer(t *testing.T) (qcschema.Molecule, map[string]any) {
	ref := loadReference(t)
	for _, rec := range ref.Records {
		if rec.Molecule.NAtom() == 6 && rec.Molecule.Real == nil {
			m := rec.Molecule
			m.Geometry = append([]float64(nil), m.Geometry...)
			return m, ref.Keywords
		}
	}
	t.Fatal("no water dimer in reference")
	return qcschema.Molecule{}, nil
}

// TestDimerGradient checks the all-real dimer gradient (no reference record) by
// translational invariance and central differences of energies.
func TestDimerGradient(t *testing.T) {
	p := needPsi4(t)
	mol, kw := dimer(t)
	model := qcschema.Model{Method: "hf", Basis: "sto-3g"}
	ctx := context.Background()
	res, err := p.Compute(ctx, input(mol, qcschema.DriverGradient, model, kw))
	if err != nil {
		t.Fatal(err)
	}
	g := res.ReturnResult.Array
	for c := 0; c < 3; c++ {
		s := 0.0
		for a := 0; a < 6; a++ {
			s += g[3*a+c]
		}
		if math.Abs(s) > 1e-8 {
			t.Errorf("gradient sum along %d = %.2e", c, s)
		}
	}
	const h = 1e-3
	for _, k := range []int{2, 9} {
		e := func(d float64) float64 {
			m := mol
			m.Geometry = append([]float64(nil), mol.Geometry...)
			m.Geometry[k] += d
			r, err := p.Compute(ctx, input(m, qcschema.DriverEnergy, model, kw))
			if err != nil {
				t.Fatal(err)
			}
			return r.ReturnResult.Scalar
		}
		fd := (e(h) - e(-h)) / (2 * h)
		if math.Abs(fd-g[k]) > 1e-6 {
			t.Errorf("gradient[%d] = %.9f, finite difference %.9f", k, g[k], fd)
		}
	}
}

func TestBadBasis(t *testing.T) {
	p := needPsi4(t)
	mol, kw := dimer(t)
	_, err := p.Compute(context.Background(), input(mol, qcschema.DriverEnergy, qcschema.Model{Method: "hf", Basis: "no-such-basis"}, kw))
	var f *qcschema.FailedOperation
	if !errors.As(err, &f) {
		t.Fatalf("want a FailedOperation, got %v", err)
	}
	if f.ComputeError.ErrorType != qcschema.ErrorInput {
		t.Errorf("error_type %q, want %q", f.ComputeError.ErrorType, qcschema.ErrorInput)
	}
	if !strings.Contains(f.ComputeError.ErrorMessage, "BasisSetNotFound") || !strings.Contains(f.ComputeError.ErrorMessage, "Unable to find a basis set") {
		t.Errorf("message does not carry psi4's: %s", f.ComputeError.ErrorMessage)
	}
	if f.Extras["traceback"] == nil || f.Extras["psi4_error_type"] != "BasisSetNotFound" {
		t.Errorf("extras %v", f.Extras)
	}
	if len(f.InputData) < 10 {
		t.Error("no input_data")
	}
}

func TestMissingBinary(t *testing.T) {
	p := &Program{Command: filepath.Join(t.TempDir(), "psi4-not-here")}
	mol := qcschema.Molecule{Symbols: []string{"He"}, Geometry: []float64{0, 0, 0}}
	_, err := p.Compute(context.Background(), input(mol, qcschema.DriverEnergy, qcschema.Model{Method: "hf", Basis: "sto-3g"}, nil))
	var f *qcschema.FailedOperation
	if !errors.As(err, &f) || f.ComputeError.ErrorType != qcschema.ErrorUnavailable {
		t.Fatalf("want unavailable_error FailedOperation, got %v", err)
	}
	if _, err := p.Find(context.Background()); err == nil {
		t.Error("Find succeeded for a missing binary")
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

func TestCancel(t *testing.T) {
	p := needPsi4(t)
	mol, kw := dimer(t)
	// MP2 gradient in a large basis: tens of seconds, far longer than the test waits.
	in := input(mol, qcschema.DriverGradient, qcschema.Model{Method: "mp2", Basis: "aug-cc-pvtz"}, kw)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := p.Compute(ctx, in)
		done <- err
	}()
	// Wait until psi4 runs in its scratch directory.
	deadline := time.Now().Add(20 * time.Second)
	for len(processesUnder(p.Scratch)) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if len(processesUnder(p.Scratch)) == 0 {
		t.Fatal("psi4 never started")
	}
	time.Sleep(500 * time.Millisecond)
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("want context.Canceled, got %v", err)
		}
		d := time.Since(start)
		t.Logf("Compute returned %v after cancel", d)
		if d > 2*time.Second {
			t.Errorf("Compute returned %v after cancel", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Compute did not return after cancel")
	}
	if left := processesUnder(p.Scratch); len(left) > 0 {
		t.Errorf("processes left running: %v", left)
	}
	if ents, _ := os.ReadDir(p.Scratch); len(ents) > 0 {
		t.Errorf("scratch not removed: %v", ents)
	}
}

// TestEmbeddingCharges checks the external point charges against physics that the answer
// must obey: the nuclear repulsion Psi4 reports grows by exactly sum q Z / r (bohr), a zero
// charge changes nothing, and the analytic gradient matches finite differences.
func TestEmbeddingCharges(t *testing.T) {
	p := needPsi4(t)
	ref := loadReference(t)
	mol := ref.Records[0].Molecule // water monomer
	model := qcschema.Model{Method: "hf", Basis: "sto-3g"}
	ctx := context.Background()
	charges := [][]any{{0.5, []float64{0, 8, 3}}, {-0.3, []float64{5, -2, 1}}}
	with := func(ch any, geom []float64, driver qcschema.Driver) *qcschema.AtomicResult {
		t.Helper()
		m := mol
		m.Geometry = geom
		m.Extras = map[string]any{"embedding_charges": ch}
		res, err := p.Compute(ctx, input(m, driver, model, ref.Keywords))
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	plain, err := p.Compute(ctx, input(mol, qcschema.DriverEnergy, model, ref.Keywords))
	if err != nil {
		t.Fatal(err)
	}

	zero := with([][]any{{0.0, []float64{10, 10, 10}}}, mol.Geometry, qcschema.DriverEnergy)
	if d := math.Abs(zero.ReturnResult.Scalar - plain.ReturnResult.Scalar); d > 1e-8 {
		t.Errorf("a zero charge changed the energy by %.2e", d)
	}

	res := with(charges, mol.Geometry, qcschema.DriverGradient)
	want := *plain.Properties.NuclearRepulsionEnergy
	z := []float64{8, 1, 1}
	for _, c := range charges {
		q, pos := c[0].(float64), c[1].([]float64)
		for a := range 3 {
			dx := mol.Geometry[3*a] - pos[0]
			dy := mol.Geometry[3*a+1] - pos[1]
			dz := mol.Geometry[3*a+2] - pos[2]
			want += q * z[a] / math.Sqrt(dx*dx+dy*dy+dz*dz)
		}
	}
	if got := *res.Properties.NuclearRepulsionEnergy; math.Abs(got-want) > 1e-9 {
		t.Errorf("nuclear repulsion with charges %.10f, want %.10f", got, want)
	}
	if math.Abs(*res.Properties.ReturnEnergy-plain.ReturnResult.Scalar) < 1e-4 {
		t.Error("charges did not change the energy")
	}
	const h = 1e-3
	for _, k := range []int{2, 4} {
		gp := append([]float64(nil), mol.Geometry...)
		gm := append([]float64(nil), mol.Geometry...)
		gp[k] += h
		gm[k] -= h
		fd := (with(charges, gp, qcschema.DriverEnergy).ReturnResult.Scalar - with(charges, gm, qcschema.DriverEnergy).ReturnResult.Scalar) / (2 * h)
		if g := res.ReturnResult.Array[k]; math.Abs(g-fd) > 1e-6 {
			t.Errorf("gradient[%d] with charges %.9f, finite difference %.9f", k, g, fd)
		}
	}
}

func TestThreads(t *testing.T) {
	p := needPsi4(t)
	ref := loadReference(t)
	in := input(ref.Records[0].Molecule, qcschema.DriverEnergy, qcschema.Model{Method: "hf", Basis: "sto-3g"},
		map[string]any{"scf_type": "pk", "nthreads": 2})
	res, err := p.Compute(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stdout == nil || !strings.Contains(*res.Stdout, "2 Threads") {
		t.Error("psi4 output does not say 2 Threads")
	}
	if _, ok := res.Keywords["nthreads"]; !ok {
		t.Error("result keywords lost the caller's nthreads")
	}
}

func TestRegistered(t *testing.T) {
	p, err := engine.Lookup("psi4")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.(*Program); !ok {
		t.Fatalf("psi4 registered as %T", p)
	}
	if !engine.SupportsGhosts(p) {
		t.Error("psi4 should support ghosts")
	}
}

func TestExceptionMessage(t *testing.T) {
	tests := []struct {
		name, tb, pyType string
		wantType         string
		wantPrefix       string
	}{
		{
			name:       "basis",
			pyType:     "BasisSetNotFound",
			tb:         "Traceback (most recent call last):\n  File \"x.py\", line 1, in f\n    g()\npsi4.driver.qcdb.exceptions.BasisSetNotFound: BasisSet::construct: Unable to find a basis set\n  Shell Entries: ['O']\n",
			wantType:   qcschema.ErrorInput,
			wantPrefix: "BasisSetNotFound: BasisSet::construct: Unable to find a basis set\n  Shell Entries: ['O']",
		},
		{
			name:       "fatal",
			pyType:     "RuntimeError",
			tb:         "Traceback (most recent call last):\n  File \"x.py\", line 1\nRuntimeError: \nFatal Error: SCF: External Fields are not consistent with symmetry.\n",
			wantType:   qcschema.ErrorUnknown,
			wantPrefix: "RuntimeError: \nFatal Error: SCF",
		},
		{
			name:       "convergence",
			pyType:     "SCFConvergenceError",
			tb:         "Traceback (most recent call last):\n  File \"x\"\npsi4.driver.p4util.exceptions.SCFConvergenceError: Could not converge SCF iterations in 5 iterations.",
			wantType:   qcschema.ErrorConvergence,
			wantPrefix: "SCFConvergenceError: Could not converge",
		},
		{name: "qcschema type", pyType: "convergence_error", tb: "SCF did not converge", wantType: qcschema.ErrorConvergence, wantPrefix: "SCF did not"},
		{name: "plain", pyType: "X", tb: "  something broke  ", wantType: qcschema.ErrorUnknown, wantPrefix: "something broke"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ, msg := classify(tt.pyType, tt.tb)
			if typ != tt.wantType || !strings.HasPrefix(msg, tt.wantPrefix) {
				t.Errorf("classify = %q, %q; want %q, prefix %q", typ, msg, tt.wantType, tt.wantPrefix)
			}
		})
	}
}

func TestParseVersion(t *testing.T) {
	tests := []struct {
		out          string
		major, minor int
		flag         string
	}{
		{"1.3.2\n", 1, 3, "--json"},
		{"some warning\n1.9.1\n", 1, 9, "--qcschema"},
		{"1.4a2.dev100+abc\n", 1, 4, "--qcschema"},
	}
	for _, tt := range tests {
		v, err := parseVersion(tt.out)
		if err != nil || v.major != tt.major || v.minor != tt.minor || v.runnerFlag() != tt.flag {
			t.Errorf("parseVersion(%q) = %+v, %v", tt.out, v, err)
		}
	}
	if _, err := parseVersion("no digits"); err == nil {
		t.Error("parseVersion accepted garbage")
	}
}

func TestBuildDocument(t *testing.T) {
	mol := qcschema.Molecule{Symbols: []string{"He", "He"}, Geometry: []float64{0, 0, 0, 0, 0, 3},
		Real: []bool{true, false}, Extras: map[string]any{"embedding_charges": [][]any{{1.0, []float64{0, 0, 9}}}}}
	in := input(mol, qcschema.DriverEnergy, qcschema.Model{Method: "hf", Basis: "sto-3g"}, map[string]any{"NThreads": 4, "scf_type": "pk"})
	in.Protocols = map[string]any{"nthreads": 2, "stdout": true}
	ch, err := qcschema.EmbeddingCharges(mol.Extras)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		ver    version
		runner bool // 1.3 runner fields present
		fk     bool // function_kwargs present
	}{
		{"1.3", version{"1.3.2", 1, 3}, true, false},
		{"1.9", version{"1.9.1", 1, 9}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := buildDocument(in, tt.ver, ch, "1 GB", "/scratch/x")
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(data, &doc); err != nil {
				t.Fatal(err)
			}
			m := doc["molecule"].(map[string]any)
			if m["fix_com"] != true || m["fix_orientation"] != true || m["fix_symmetry"] != "c1" || m["schema_name"] != "qcschema_molecule" {
				t.Errorf("molecule %v", m)
			}
			if _, ok := m["extras"]; ok {
				t.Errorf("embedding charges left in molecule extras: %v", m["extras"])
			}
			kw := doc["keywords"].(map[string]any)
			if _, ok := kw["NThreads"]; ok {
				t.Error("thread keyword passed to psi4")
			}
			if _, ok := doc["protocols"].(map[string]any)["nthreads"]; ok {
				t.Error("thread protocol passed to psi4")
			}
			_, hasFK := kw["function_kwargs"]
			if hasFK != tt.fk {
				t.Errorf("function_kwargs present %v", hasFK)
			}
			_, hasRO := doc["return_output"]
			if hasRO != tt.runner || (tt.runner && doc["memory"] != "1 GB") {
				t.Errorf("runner fields: %v", doc)
			}
		})
	}
	// The caller's input is not modified.
	if in.Keywords["NThreads"] != 4 || in.Molecule.Extras["embedding_charges"] == nil {
		t.Error("buildDocument modified its input")
	}
}

func TestThreadsChoice(t *testing.T) {
	tests := []struct {
		name string
		p    Program
		in   qcschema.AtomicInput
		want int
		err  bool
	}{
		{"default", Program{}, qcschema.AtomicInput{}, 1, false},
		{"program", Program{Threads: 3}, qcschema.AtomicInput{}, 3, false},
		{"keywords", Program{Threads: 3}, qcschema.AtomicInput{Keywords: map[string]any{"nthreads": 2.0}}, 2, false},
		{"extras first", Program{}, qcschema.AtomicInput{Extras: map[string]any{"nthreads": 4}, Keywords: map[string]any{"nthreads": 2}}, 4, false},
		{"bad", Program{}, qcschema.AtomicInput{Extras: map[string]any{"nthreads": 1.5}}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := tt.p.threads(&tt.in)
			if (err != nil) != tt.err || n != tt.want {
				t.Errorf("threads = %d, %v; want %d", n, err, tt.want)
			}
		})
	}
}

// BenchmarkDimerEnergy times one water dimer HF/STO-3G energy through Psi4 (start-up
// dominated).
// BenchmarkDimerEnergy times one water dimer HF/STO-3G energy through Psi4, in a resident
// process (its start-up is paid once, outside the loop) and in a process of its own.
func BenchmarkDimerEnergy(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "engine", "psi4_reference.json"))
	if err != nil {
		b.Fatal(err)
	}
	var ref reference
	if err := json.Unmarshal(data, &ref); err != nil {
		b.Fatal(err)
	}
	rec := ref.Records[2]
	in := input(rec.Molecule, qcschema.DriverEnergy, rec.Model, ref.Keywords)
	for _, perTask := range []bool{false, true} {
		name := "resident"
		if perTask {
			name = "per-task"
		}
		b.Run(name, func(b *testing.B) {
			p := &Program{Scratch: b.TempDir(), NoResident: perTask}
			if _, err := p.Find(context.Background()); err != nil {
				b.Skip("psi4 not found on PATH: " + err.Error())
			}
			defer p.Close()
			if _, err := p.Compute(context.Background(), in); err != nil { // start-up
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := p.Compute(context.Background(), in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestDrivers runs the hessian and properties drivers on water.
func TestDrivers(t *testing.T) {
	p := needPsi4(t)
	ref := loadReference(t)
	mol := ref.Records[0].Molecule
	tests := []struct {
		driver qcschema.Driver
		check  func(t *testing.T, res *qcschema.AtomicResult)
	}{
		{qcschema.DriverHessian, func(t *testing.T, res *qcschema.AtomicResult) {
			h := res.ReturnResult.Array
			if len(h) != 81 || len(res.Properties.ReturnHessian) != 81 {
				t.Fatalf("hessian has %d entries", len(h))
			}
			for i := 0; i < 9; i++ {
				for j := 0; j < i; j++ {
					if math.Abs(h[9*i+j]-h[9*j+i]) > 1e-7 {
						t.Errorf("hessian not symmetric at %d,%d", i, j)
					}
				}
			}
		}},
		{qcschema.DriverProperties, func(t *testing.T, res *qcschema.AtomicResult) {
			if math.Abs(res.ReturnResult.Scalar-ref.Records[0].ReturnEnergy) > 1e-7 {
				t.Errorf("properties return_result %.10f, want the energy", res.ReturnResult.Scalar)
			}
			if _, ok := res.Extras["psi4_properties"].(map[string]any); !ok {
				t.Errorf("no psi4_properties in extras: %v", res.Extras)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.driver), func(t *testing.T) {
			in := input(mol, tt.driver, qcschema.Model{Method: "hf", Basis: "sto-3g"}, ref.Keywords)
			res, err := p.Compute(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, res)
			// Dipole in e·bohr: HF/STO-3G water has about 0.68 e·bohr (1.7 D).
			if d := res.Properties.SCFDipoleMoment; len(d) == 3 {
				n := math.Sqrt(d[0]*d[0] + d[1]*d[1] + d[2]*d[2])
				if n < 0.5 || n > 0.8 {
					t.Errorf("dipole norm %.4f e·bohr", n)
				}
			}
		})
	}
}
