package qcengine

import (
	"context"
	"encoding/json"
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/qcschema"
)

// describe is a result or failure as JSON, without what differs from run to run (the
// program's output text, with its timings).
func describe(t *testing.T, res *qcschema.AtomicResult, err error) string {
	t.Helper()
	if err != nil {
		var fo *qcschema.FailedOperation
		require.ErrorAs(t, err, &fo)
		return fo.ComputeError.ErrorType + ": " + fo.ComputeError.ErrorMessage
	}
	r := *res
	r.Stdout, r.Provenance = nil, qcschema.Provenance{}
	data, err := json.Marshal(&r)
	require.NoError(t, err)
	return string(data)
}

// TestResidentSameResults: tasks of different kinds, one after another in one resident
// QCEngine process, give the results each has in a QCEngine process of its own, a task the
// program refuses included.
func TestResidentSameResults(t *testing.T) {
	p := needQCEnginePsi4(t)
	alone := New("psi4")
	alone.Scratch, alone.NoResident = p.Scratch, true
	ghosts := water()
	ghosts.Real = []bool{true, false, true}
	anion := water()
	anion.Symbols, anion.Geometry, anion.MolecularCharge = []string{"O", "H"}, []float64{0, 0, 0, 0, 0, 1.83}, -1
	tasks := []*qcschema.AtomicInput{
		input(qcschema.DriverEnergy, "sto-3g"),
		input(qcschema.DriverGradient, "6-31g"),
		{SchemaName: qcschema.SchemaInput, SchemaVersion: 1, Molecule: ghosts, Driver: qcschema.DriverGradient,
			Model: qcschema.Model{Method: "hf", Basis: "sto-3g"}, Keywords: map[string]any{"scf_type": "df"}},
		{SchemaName: qcschema.SchemaInput, SchemaVersion: 1, Molecule: anion, Driver: qcschema.DriverEnergy,
			Model: qcschema.Model{Method: "hf", Basis: "6-31g"}},
		{SchemaName: qcschema.SchemaInput, SchemaVersion: 1, Molecule: water(), Driver: qcschema.DriverEnergy,
			Model: qcschema.Model{Method: "hf", Basis: "sto-3g"}, Keywords: map[string]any{"no_such_option_anywhere": 1}},
		input(qcschema.DriverEnergy, "sto-3g"),
	}
	var mu sync.Mutex
	var starts []engine.ProcessStart
	ctx := engine.WithTrace(context.Background(), &engine.Trace{ProcessStarted: func(s engine.ProcessStart) {
		mu.Lock()
		starts = append(starts, s)
		mu.Unlock()
	}})
	for i, in := range tasks {
		res, err := alone.Compute(context.Background(), in)
		want := describe(t, res, err)
		res, err = p.Compute(ctx, in)
		assert.Equal(t, want, describe(t, res, err), "task %d", i)
	}
	assert.Len(t, starts, 1, "the tasks did not all run in one resident process")
	require.NoError(t, p.Close())
	ents, err := os.ReadDir(p.Scratch)
	require.NoError(t, err)
	assert.Empty(t, ents, "scratch left after Close")
}
