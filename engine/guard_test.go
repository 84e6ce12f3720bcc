package engine_test

import (
	"context"
	"math"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/qcschema"
)

// TestComputeGuards: engine.Compute keeps bad geometries from programs and turns a panic
// into a FailedOperation, so neither a stack trace nor a misleading program error reaches
// the user.
func TestComputeGuards(t *testing.T) {
	var calls atomic.Int32
	engine.Register("guard-test-counter", engine.ProgramFunc(func(ctx context.Context, in *qcschema.AtomicInput) (*qcschema.AtomicResult, error) {
		calls.Add(1)
		return constant(-1)(ctx, in)
	}))
	engine.Register("guard-test-panic", engine.ProgramFunc(func(ctx context.Context, in *qcschema.AtomicInput) (*qcschema.AtomicResult, error) {
		var m map[string]int
		m["boom"]++ // a nil map write: a runtime panic
		return nil, nil
	}))
	he2 := func(z float64) *qcschema.AtomicInput {
		return &qcschema.AtomicInput{Driver: qcschema.DriverEnergy, Model: qcschema.Model{Method: "hf", Basis: "sto-3g"},
			Molecule: qcschema.Molecule{Symbols: []string{"He", "He"}, Geometry: []float64{0, 0, 0, 0, 0, z}}}
	}
	for _, tc := range []struct {
		name, program string
		z             float64
		wantType      string
		wantMsg       string
	}{
		{"1e308", "guard-test-counter", 1e308, qcschema.ErrorInput, "z coordinate of atom 2 (He) is 1e+308 bohr"},
		{"1e154", "guard-test-counter", 1e154, qcschema.ErrorInput, "z coordinate of atom 2 (He) is 1e+154 bohr"},
		{"just over", "guard-test-counter", -1.000001e5, qcschema.ErrorInput, "is -100000.1 bohr"},
		{"NaN", "guard-test-counter", math.NaN(), qcschema.ErrorInput, "is NaN bohr"},
		{"panic", "guard-test-panic", 1.4, qcschema.ErrorUnknown, "program guard-test-panic panicked: assignment to entry in nil map"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := calls.Load()
			_, err := engine.Compute(context.Background(), tc.program, he2(tc.z))
			var fo *qcschema.FailedOperation
			require.ErrorAs(t, err, &fo)
			require.Equal(t, tc.wantType, fo.ComputeError.ErrorType, "%v", err)
			require.Contains(t, fo.ComputeError.ErrorMessage, tc.wantMsg)
			assert.Equal(t, before, calls.Load(), "the program ran on an invalid geometry")
		})
	}
	// The largest valid coordinate reaches the program.
	res, err := engine.Compute(context.Background(), "guard-test-counter", he2(1e5))
	require.NoError(t, err, "valid geometry")
	require.Equal(t, -1.0, res.ReturnResult.Scalar, "valid geometry")
}
