package qcengine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/engine/psi4"
	"github.com/qcmb-go/qcmb/qcschema"
)

// water is the water monomer of the psi4 reference records (bohr).
func water() qcschema.Molecule {
	return qcschema.Molecule{
		Symbols:               []string{"O", "H", "H"},
		Geometry:              []float64{0, 0, -0.1294769411, 0, -1.494187339, 1.027187872, 0, 1.494187339, 1.027187872},
		MolecularMultiplicity: 1,
		FixCom:                true,
		FixOrientation:        true,
	}
}

var keywords = map[string]any{"scf_type": "pk", "e_convergence": 1e-10, "d_convergence": 1e-10, "puream": false}

func input(driver qcschema.Driver, basis string) *qcschema.AtomicInput {
	return &qcschema.AtomicInput{
		SchemaName: qcschema.SchemaInput, SchemaVersion: 1,
		Molecule: water(), Driver: driver, Model: qcschema.Model{Method: "hf", Basis: basis}, Keywords: keywords,
	}
}

// needQCEnginePsi4 returns a bridge to psi4 with a per-test scratch, or skips.
func needQCEnginePsi4(t *testing.T) *Program {
	t.Helper()
	p := New("psi4")
	p.Scratch = t.TempDir()
	if _, err := p.Find(context.Background()); err != nil {
		t.Skip("qcengine with psi4 not found: " + err.Error())
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestPsi4Bridge(t *testing.T) {
	bridge := needQCEnginePsi4(t)
	direct := &psi4.Program{Scratch: t.TempDir()}
	if _, err := direct.Find(context.Background()); err != nil {
		t.Skip("psi4 not found on PATH: " + err.Error())
	}
	t.Cleanup(func() { direct.Close() })
	tests := []struct {
		driver qcschema.Driver
	}{{qcschema.DriverEnergy}, {qcschema.DriverGradient}}
	for _, tt := range tests {
		t.Run(string(tt.driver), func(t *testing.T) {
			ctx := context.Background()
			a, err := bridge.Compute(ctx, input(tt.driver, "sto-3g"))
			require.NoError(t, err)
			b, err := direct.Compute(ctx, input(tt.driver, "sto-3g"))
			require.NoError(t, err)
			assert.InDelta(t, *b.Properties.ReturnEnergy, *a.Properties.ReturnEnergy, 1e-8, "energy via qcengine vs direct")
			assert.InDelta(t, b.ReturnResult.Scalar, a.ReturnResult.Scalar, 1e-8, "return_result scalar via qcengine vs direct")
			require.Len(t, a.ReturnResult.Array, len(b.ReturnResult.Array), "return_result")
			for i := range a.ReturnResult.Array {
				assert.InDelta(t, b.ReturnResult.Array[i], a.ReturnResult.Array[i], 1e-8, "gradient[%d] via qcengine vs direct", i)
			}
			for i := range a.Properties.SCFDipoleMoment {
				assert.InDelta(t, b.Properties.SCFDipoleMoment[i], a.Properties.SCFDipoleMoment[i], 1e-6, "dipole[%d] via qcengine vs direct", i)
			}
			assert.Equal(t, "Psi4", a.Provenance.Creator, "provenance %+v", a.Provenance)
			assert.True(t, a.Success, "success")
			assert.NotNil(t, a.Stdout, "stdout")
		})
	}
}

func TestProgramFromExtras(t *testing.T) {
	needQCEnginePsi4(t)
	p, err := engine.Lookup("qcengine")
	require.NoError(t, err)
	in := input(qcschema.DriverEnergy, "sto-3g")
	in.Extras = map[string]any{ProgramKey: "psi4"}
	res, err := p.Compute(context.Background(), in)
	require.NoError(t, err)
	assert.InDelta(t, -74.96466204537425, res.ReturnResult.Scalar, 1e-7, "energy")
}

func TestFailures(t *testing.T) {
	p := needQCEnginePsi4(t)
	generic := &Program{Scratch: p.Scratch}
	withProgram := func(in *qcschema.AtomicInput, prog string) *qcschema.AtomicInput {
		in.Extras = map[string]any{ProgramKey: prog}
		return in
	}
	tests := []struct {
		name     string
		p        *Program
		in       *qcschema.AtomicInput
		wantType string
		wantText string
	}{
		{"bad basis", p, input(qcschema.DriverEnergy, "no-such-basis"), "", "BasisSetNotFound"},
		{"unknown program", generic, withProgram(input(qcschema.DriverEnergy, "sto-3g"), "no-such-program"), qcschema.ErrorInput, "not registered"},
		{"no program", generic, input(qcschema.DriverEnergy, "sto-3g"), qcschema.ErrorInput, ProgramKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.p.Compute(context.Background(), tt.in)
			var f *qcschema.FailedOperation
			require.ErrorAs(t, err, &f)
			if tt.wantType != "" {
				assert.Equal(t, tt.wantType, f.ComputeError.ErrorType, "%.300s", f.ComputeError.ErrorMessage)
			}
			assert.Contains(t, f.ComputeError.ErrorMessage, tt.wantText)
		})
	}
}

func TestMissingPython(t *testing.T) {
	p := &Program{Python: filepath.Join(t.TempDir(), "python-not-here"), Program: "psi4"}
	_, err := p.Compute(context.Background(), input(qcschema.DriverEnergy, "sto-3g"))
	var f *qcschema.FailedOperation
	require.ErrorAs(t, err, &f)
	require.Equal(t, qcschema.ErrorUnavailable, f.ComputeError.ErrorType, "%v", err)
	_, err = p.Find(context.Background())
	assert.Error(t, err, "Find succeeded without an interpreter")
}

func TestFindUnknownProgram(t *testing.T) {
	needQCEnginePsi4(t)
	_, err := New("no-such-program").Find(context.Background())
	assert.Error(t, err, "Find accepted an unknown program")
}

func TestCancel(t *testing.T) {
	p := needQCEnginePsi4(t)
	in := input(qcschema.DriverGradient, "aug-cc-pvtz")
	in.Model.Method = "mp2"
	in.Keywords = map[string]any{"scf_type": "pk", "mp2_type": "conv"}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	start := time.Now()
	_, err := p.Compute(ctx, in)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	d := time.Since(start)
	t.Logf("returned %v after start (deadline 4s)", d)
	// Prompt means seconds after the deadline, not the minutes the calculation takes; the
	// margin covers killing QCEngine's Python and Psi4 and removing their scratch on a
	// loaded machine (7 s was seen once with four test binaries running).
	assert.LessOrEqual(t, d, 10*time.Second, "returned after")
	// Killed grandchildren (psi4 under QCEngine's Python) are reaped by init
	// asynchronously: allow them a moment to disappear.
	var left []string
	for wait := time.Now().Add(2 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		left = left[:0]
		ents, _ := os.ReadDir("/proc")
		for _, e := range ents {
			cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
			if err == nil && strings.HasPrefix(cwd, p.Scratch) {
				left = append(left, e.Name()+" in "+cwd)
			}
		}
		if len(left) == 0 || time.Now().After(wait) {
			break
		}
	}
	assert.Empty(t, left, "processes left running")
}

// BenchmarkDimerEnergy times one water dimer HF/STO-3G energy through QCEngine's psi4.
func BenchmarkDimerEnergy(b *testing.B) {
	p := New("psi4")
	p.Scratch = b.TempDir()
	if _, err := p.Find(context.Background()); err != nil {
		b.Skip("qcengine with psi4 not found: " + err.Error())
	}
	in := input(qcschema.DriverEnergy, "sto-3g")
	in.Molecule = qcschema.Molecule{
		Symbols: []string{"O", "H", "H", "O", "H", "H"},
		Geometry: []float64{-2.76373224, -1.24377706, -0.15444566, -1.12357791, -2.0622797, -0.05243799,
			-3.80792362, -2.08705525, 1.06090407, 2.46924614, -1.75437739, -0.17092884,
			3.7636826, -2.21425403, 1.00846104, 2.3059833, 0.07098445, -0.03942473},
	}
	for b.Loop() {
		_, err := p.Compute(context.Background(), in)
		require.NoError(b, err)
	}
}
