package psi4

import (
	"context"
	"encoding/json"
	"fmt"
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
	require.NoError(t, err)
	var ref reference
	require.NoError(t, json.Unmarshal(data, &ref))
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
			require.NoError(t, err)
			require.NotNil(t, res.Properties.ReturnEnergy, "no return_energy")
			t.Logf("energy diff %.1e", *res.Properties.ReturnEnergy-rec.ReturnEnergy)
			assert.InDelta(t, rec.ReturnEnergy, *res.Properties.ReturnEnergy, 1e-7, "energy vs reference")
			if rec.Driver == qcschema.DriverEnergy {
				assert.InDelta(t, rec.ReturnEnergy, res.ReturnResult.Scalar, 1e-7, "return_result vs reference")
			}
			if rec.Driver == qcschema.DriverGradient {
				g := res.ReturnResult.Array
				require.Len(t, g, len(rec.ReturnGradient), "gradient")
				for k := range g {
					assert.InDelta(t, rec.ReturnGradient[k], g[k], 1e-7, "gradient[%d] vs reference", k)
				}
			}
			if assert.NotNil(t, res.Stdout, "stdout") {
				assert.Contains(t, *res.Stdout, "SCF", "no Psi4 output text in stdout")
			}
			assert.Equal(t, "Psi4", res.Provenance.Creator, "provenance %+v", res.Provenance)
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
	require.FailNow(t, "no water dimer in reference")
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
	require.NoError(t, err)
	g := res.ReturnResult.Array
	for c := 0; c < 3; c++ {
		s := 0.0
		for a := 0; a < 6; a++ {
			s += g[3*a+c]
		}
		assert.InDelta(t, 0, s, 1e-8, "gradient sum along %d", c)
	}
	const h = 1e-3
	for _, k := range []int{2, 9} {
		e := func(d float64) float64 {
			m := mol
			m.Geometry = append([]float64(nil), mol.Geometry...)
			m.Geometry[k] += d
			r, err := p.Compute(ctx, input(m, qcschema.DriverEnergy, model, kw))
			require.NoError(t, err)
			return r.ReturnResult.Scalar
		}
		fd := (e(h) - e(-h)) / (2 * h)
		assert.InDelta(t, fd, g[k], 1e-6, "gradient[%d] vs finite difference", k)
	}
}

func TestBadBasis(t *testing.T) {
	p := needPsi4(t)
	mol, kw := dimer(t)
	_, err := p.Compute(context.Background(), input(mol, qcschema.DriverEnergy, qcschema.Model{Method: "hf", Basis: "no-such-basis"}, kw))
	var f *qcschema.FailedOperation
	require.ErrorAs(t, err, &f)
	assert.Equal(t, qcschema.ErrorInput, f.ComputeError.ErrorType, "error_type")
	assert.Contains(t, f.ComputeError.ErrorMessage, "BasisSetNotFound", "message carries psi4's")
	assert.Contains(t, f.ComputeError.ErrorMessage, "Unable to find a basis set", "message carries psi4's")
	assert.NotNil(t, f.Extras["traceback"], "extras %v", f.Extras)
	assert.Equal(t, "BasisSetNotFound", f.Extras["psi4_error_type"], "extras %v", f.Extras)
	assert.GreaterOrEqual(t, len(f.InputData), 10, "bytes of input_data")
}

func TestMissingBinary(t *testing.T) {
	p := &Program{Command: filepath.Join(t.TempDir(), "psi4-not-here")}
	mol := qcschema.Molecule{Symbols: []string{"He"}, Geometry: []float64{0, 0, 0}}
	_, err := p.Compute(context.Background(), input(mol, qcschema.DriverEnergy, qcschema.Model{Method: "hf", Basis: "sto-3g"}, nil))
	var f *qcschema.FailedOperation
	require.ErrorAs(t, err, &f)
	require.Equal(t, qcschema.ErrorUnavailable, f.ComputeError.ErrorType, "%v", err)
	_, err = p.Find(context.Background())
	assert.Error(t, err, "Find succeeded for a missing binary")
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
	require.NotEmpty(t, processesUnder(p.Scratch), "psi4 never started")
	time.Sleep(500 * time.Millisecond)
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
		d := time.Since(start)
		t.Logf("Compute returned %v after cancel", d)
		assert.LessOrEqual(t, d, 2*time.Second, "Compute returned after cancel")
	case <-time.After(10 * time.Second):
		require.FailNow(t, "Compute did not return after cancel")
	}
	assert.Empty(t, processesUnder(p.Scratch), "processes left running")
	ents, _ := os.ReadDir(p.Scratch)
	assert.Empty(t, ents, "scratch not removed")
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
		require.NoError(t, err)
		return res
	}
	plain, err := p.Compute(ctx, input(mol, qcschema.DriverEnergy, model, ref.Keywords))
	require.NoError(t, err)

	zero := with([][]any{{0.0, []float64{10, 10, 10}}}, mol.Geometry, qcschema.DriverEnergy)
	assert.InDelta(t, plain.ReturnResult.Scalar, zero.ReturnResult.Scalar, 1e-8, "a zero charge changed the energy")

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
	assert.InDelta(t, want, *res.Properties.NuclearRepulsionEnergy, 1e-9, "nuclear repulsion with charges")
	assert.GreaterOrEqual(t, math.Abs(*res.Properties.ReturnEnergy-plain.ReturnResult.Scalar), 1e-4, "charges did not change the energy")
	const h = 1e-3
	for _, k := range []int{2, 4} {
		gp := append([]float64(nil), mol.Geometry...)
		gm := append([]float64(nil), mol.Geometry...)
		gp[k] += h
		gm[k] -= h
		fd := (with(charges, gp, qcschema.DriverEnergy).ReturnResult.Scalar - with(charges, gm, qcschema.DriverEnergy).ReturnResult.Scalar) / (2 * h)
		assert.InDelta(t, fd, res.ReturnResult.Array[k], 1e-6, "gradient[%d] with charges vs finite difference", k)
	}
}

func TestThreads(t *testing.T) {
	p := needPsi4(t)
	ref := loadReference(t)
	in := input(ref.Records[0].Molecule, qcschema.DriverEnergy, qcschema.Model{Method: "hf", Basis: "sto-3g"},
		map[string]any{"scf_type": "pk", "nthreads": 2})
	res, err := p.Compute(context.Background(), in)
	require.NoError(t, err)
	if assert.NotNil(t, res.Stdout, "stdout") {
		assert.Contains(t, *res.Stdout, "2 Threads", "psi4 output")
	}
	_, ok := res.Keywords["nthreads"]
	assert.True(t, ok, "result keywords lost the caller's nthreads")
}

func TestRegistered(t *testing.T) {
	p, err := engine.Lookup("psi4")
	require.NoError(t, err)
	require.IsType(t, &Program{}, p, "psi4 registered as %T", p)
	assert.True(t, engine.SupportsGhosts(p), "psi4 should support ghosts")
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
			assert.Equal(t, tt.wantType, typ, "classify: type")
			assert.True(t, strings.HasPrefix(msg, tt.wantPrefix), "classify: message %q, want prefix %q", msg, tt.wantPrefix)
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
		if assert.NoError(t, err, "parseVersion(%q)", tt.out) {
			assert.Equal(t, tt.major, v.major, "parseVersion(%q): major", tt.out)
			assert.Equal(t, tt.minor, v.minor, "parseVersion(%q): minor", tt.out)
			assert.Equal(t, tt.flag, v.runnerFlag(), "parseVersion(%q): runner flag", tt.out)
		}
	}
	_, err := parseVersion("no digits")
	assert.Error(t, err, "parseVersion accepted garbage")
}

func TestBuildDocument(t *testing.T) {
	mol := qcschema.Molecule{Symbols: []string{"He", "He"}, Geometry: []float64{0, 0, 0, 0, 0, 3},
		Real: []bool{true, false}, Extras: map[string]any{"embedding_charges": [][]any{{1.0, []float64{0, 0, 9}}}}}
	in := input(mol, qcschema.DriverEnergy, qcschema.Model{Method: "hf", Basis: "sto-3g"}, map[string]any{"NThreads": 4, "scf_type": "pk"})
	in.Protocols = map[string]any{"nthreads": 2, "stdout": true}
	ch, err := qcschema.EmbeddingCharges(mol.Extras)
	require.NoError(t, err)
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
			require.NoError(t, err)
			var doc map[string]any
			require.NoError(t, json.Unmarshal(data, &doc))
			m := doc["molecule"].(map[string]any)
			assert.Equal(t, true, m["fix_com"], "molecule fix_com")
			assert.Equal(t, true, m["fix_orientation"], "molecule fix_orientation")
			assert.Equal(t, "c1", m["fix_symmetry"], "molecule fix_symmetry")
			assert.Equal(t, "qcschema_molecule", m["schema_name"], "molecule schema_name")
			assert.NotContains(t, m, "extras", "embedding charges left in molecule extras")
			kw := doc["keywords"].(map[string]any)
			assert.NotContains(t, kw, "NThreads", "thread keyword passed to psi4")
			assert.NotContains(t, doc["protocols"].(map[string]any), "nthreads", "thread protocol passed to psi4")
			_, hasFK := kw["function_kwargs"]
			assert.Equal(t, tt.fk, hasFK, "function_kwargs present")
			_, hasRO := doc["return_output"]
			assert.Equal(t, tt.runner, hasRO, "runner fields: return_output present")
			if tt.runner {
				assert.Equal(t, "1 GB", doc["memory"], "runner fields: memory")
			}
		})
	}
	// The caller's input is not modified.
	assert.Equal(t, 4, in.Keywords["NThreads"], "buildDocument modified its input")
	assert.NotNil(t, in.Molecule.Extras["embedding_charges"], "buildDocument modified its input")
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
			if tt.err {
				assert.Error(t, err)
			} else {
				assert.NoError(t, err)
			}
			assert.Equal(t, tt.want, n, "threads")
		})
	}
}

// BenchmarkDimerEnergy times one water dimer HF/STO-3G energy through Psi4 (start-up
// dominated).
// BenchmarkDimerEnergy times one water dimer HF/STO-3G energy through Psi4, in a resident
// process (its start-up is paid once, outside the loop) and in a process of its own.
func BenchmarkDimerEnergy(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "engine", "psi4_reference.json"))
	require.NoError(b, err)
	var ref reference
	require.NoError(b, json.Unmarshal(data, &ref))
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
			_, err := p.Compute(context.Background(), in) // start-up
			require.NoError(b, err)
			for b.Loop() {
				_, err := p.Compute(context.Background(), in)
				require.NoError(b, err)
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
			require.Len(t, h, 81, "hessian")
			require.Len(t, res.Properties.ReturnHessian, 81, "properties.return_hessian")
			for i := 0; i < 9; i++ {
				for j := 0; j < i; j++ {
					assert.InDelta(t, h[9*j+i], h[9*i+j], 1e-7, "hessian not symmetric at %d,%d", i, j)
				}
			}
		}},
		{qcschema.DriverProperties, func(t *testing.T, res *qcschema.AtomicResult) {
			assert.InDelta(t, ref.Records[0].ReturnEnergy, res.ReturnResult.Scalar, 1e-7, "properties return_result, want the energy")
			_, ok := res.Extras["psi4_properties"].(map[string]any)
			assert.True(t, ok, "no psi4_properties in extras: %v", res.Extras)
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.driver), func(t *testing.T) {
			in := input(mol, tt.driver, qcschema.Model{Method: "hf", Basis: "sto-3g"}, ref.Keywords)
			res, err := p.Compute(context.Background(), in)
			require.NoError(t, err)
			tt.check(t, res)
			// Dipole in e·bohr: HF/STO-3G water has about 0.68 e·bohr (1.7 D).
			if d := res.Properties.SCFDipoleMoment; len(d) == 3 {
				n := math.Sqrt(d[0]*d[0] + d[1]*d[1] + d[2]*d[2])
				assert.GreaterOrEqual(t, n, 0.5, "dipole norm in e·bohr")
				assert.LessOrEqual(t, n, 0.8, "dipole norm in e·bohr")
			}
		})
	}
}
