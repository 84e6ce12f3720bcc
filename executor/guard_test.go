package executor_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/qcschema"
)

// TestBadGeometryNeverRuns: a coordinate out of range is an input_error naming the atom,
// from every executor, before the program runs (the embedded program used to panic on
// 1e308 and report a NaN SCF failure for 1e154 to 1e300).
func TestBadGeometryNeverRuns(t *testing.T) {
	in := qcschema.AtomicInput{Driver: qcschema.DriverEnergy, Model: qcschema.Model{Method: "hf", Basis: "sto-3g"},
		Molecule: qcschema.Molecule{Symbols: []string{"He", "He"}, Geometry: []float64{0, 0, 0, 0, 1e308, 0}}}
	tasks := []executor.Task{mustTask(t, in, false)}
	for _, ec := range executors() {
		t.Run(ec.name, func(t *testing.T) {
			got, err := run(t, context.Background(), ec.new(t, executor.Options{}), tasks)
			var fo *qcschema.FailedOperation
			require.Error(t, err)
			require.ErrorAs(t, got[0].Err, &fo)
			require.Equal(t, qcschema.ErrorInput, fo.ComputeError.ErrorType)
			require.Contains(t, fo.ComputeError.ErrorMessage, "y coordinate of atom 2 (He) is 1e+308 bohr", "the error names the coordinate")
		})
	}
}

// TestBatchErrorBoundsMessages: a program message that quotes a 10 MB input is cut.
func TestBatchErrorBoundsMessages(t *testing.T) {
	fo := qcschema.NewFailedOperation(nil, qcschema.ErrorInput, "bad option: "+strings.Repeat("a", 10<<20))
	msg := (&executor.BatchError{Failed: []executor.Outcome{{ID: "t", Attempts: 1, Err: fo}}}).Error()
	assert.LessOrEqual(t, len(msg), 5000, "message's length")
	assert.Contains(t, msg, "bad option: aaa")
	assert.Contains(t, msg, "bytes)")
}
