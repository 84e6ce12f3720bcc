package outfile_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/internal/outfile"
)

// TestWriteJSON: number arrays stay on one line, objects are indented, a newline ends it.
func TestWriteJSON(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, outfile.WriteJSON(&b, map[string]any{"gradient": []float64{0.5, -1e-7, 3}, "name": "w<1>"}))
	assert.Equal(t, "{\n  \"gradient\": [0.5, -1e-7, 3],\n  \"name\": \"w\\u003c1\\u003e\"\n}\n", b.String())
}

func TestWriteFileAndCheck(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.json")
	require.NoError(t, outfile.Check("-o", path))
	_, err := os.Stat(path)
	assert.ErrorIs(t, err, os.ErrNotExist, "the check leaves no file behind")
	require.NoError(t, outfile.WriteFile(path, []int{1, 2}))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "[1, 2]\n", string(data))
	require.NoError(t, outfile.Check("-o", path), "an existing writable file")
	assert.FileExists(t, path, "and is not removed")

	require.EqualError(t, outfile.Check("-o", dir), "-o "+dir+": is a directory")
	require.ErrorContains(t, outfile.Check("--stats-json", filepath.Join(dir, "no", "such", "dir.json")), "--stats-json: ")
	require.NoError(t, outfile.Check("-o", ""), "no output")
}
