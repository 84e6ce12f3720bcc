package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/internal/tmpfstest"
	"github.com/qcmb-go/qcmb/qcschema"
)

// TestFullDisk: with the result file and the store on a disk that is full, a run that
// cannot store its new results and a run that cannot write its result both fail, and the
// old result file and every result in the store survive, with no partial file left.
func TestFullDisk(t *testing.T) {
	disk := tmpfstest.Mount(t, 512<<10)
	db, out := filepath.Join(disk, "st.db"), filepath.Join(disk, "result.json")
	input := testInput(t, nil)
	_, err := execute(t, "run", input, "--store", db, "-o", out, "--executor", "serial")
	require.NoError(t, err)
	result, err := os.ReadFile(out)
	require.NoError(t, err)
	fill(t, disk)
	files := names(t, disk)
	// The same input: every task is stored, the result cannot be written.
	_, err = execute(t, "run", input, "--store", db, "-o", out, "--executor", "serial")
	require.ErrorContains(t, err, "no space left on device")
	// Another input (another geometry): its new results cannot be stored.
	other := testInput(t, nil)
	var in qcschema.ManyBodyInput
	require.NoError(t, readJSON(newRootCmd(), other, &in))
	in.Molecule.Geometry[0] += 0.1
	otherData, err := json.Marshal(&in)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(other, otherData, 0o644))
	_, err = execute(t, "run", other, "--store", db, "-o", out, "--executor", "serial")
	require.ErrorContains(t, err, "no space left on device")

	got, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, string(result), string(got), "the result file survives")
	assert.Equal(t, files, names(t, disk), "no partial or temporary file")
	require.NoError(t, os.Remove(filepath.Join(disk, "filler")))
	rep, err := storeShow(t, input, db)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"done": 5, "failed": 0, "missing": 0}, rep.Counts, "every stored result survives")
	again := filepath.Join(t.TempDir(), "again.json")
	_, err = execute(t, "run", input, "--store", db, "-o", again, "--executor", "serial")
	require.NoError(t, err)
	data, err := os.ReadFile(again)
	require.NoError(t, err)
	assert.Equal(t, string(result), string(data), "the stored results give the same result")
}
