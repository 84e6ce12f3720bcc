package psi4

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/qcschema"
)

// TestRefusesPathsOutsideScratch: molden_write with writer_file_label naming a path outside
// the scratch directory is an input_error, and psi4 never starts (it would write the file
// there).
func TestRefusesPathsOutsideScratch(t *testing.T) {
	dir := t.TempDir()
	ran := filepath.Join(dir, "psi4-ran")
	fake := filepath.Join(dir, "psi4")
	require.NoError(t, os.WriteFile(fake, []byte("#!/bin/sh\ntouch "+ran+"\necho 1.9.1\n"), 0o755))
	target := filepath.Join(dir, "elsewhere", "orbitals")
	p := &Program{Command: fake}
	mol := qcschema.Molecule{Symbols: []string{"He"}, Geometry: []float64{0, 0, 0}}
	kw := map[string]any{"molden_write": true, "writer_file_label": target}
	_, err := p.Compute(context.Background(), input(mol, qcschema.DriverEnergy, qcschema.Model{Method: "hf", Basis: "sto-3g"}, kw))
	var fo *qcschema.FailedOperation
	require.ErrorAs(t, err, &fo)
	require.Equal(t, qcschema.ErrorInput, fo.ComputeError.ErrorType, "%v", err)
	require.Contains(t, fo.ComputeError.ErrorMessage, "keyword writer_file_label")
	require.Contains(t, fo.ComputeError.ErrorMessage, "outside the program's scratch directory")
	assert.NoFileExists(t, ran, "psi4 ran with a keyword naming a path outside its scratch directory")
}
