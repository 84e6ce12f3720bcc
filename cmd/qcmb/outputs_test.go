package main

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/internal/tmpfstest"
	"github.com/qcmb-go/qcmb/qcschema"
)

// fileHashes returns the SHA-256 of every file in dir by name (none for a missing dir).
func fileHashes(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		out[e.Name()] = sha256.Sum256(data)
	}
	return out
}

// names lists the entries of dir, sorted.
func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

// TestOutputClashes: an output path that is the store (or its -wal or -shm file), the
// input, or another output is refused before any work, by file identity, with both paths
// named; the store, the input and every file beside them are left byte for byte.
func TestOutputClashes(t *testing.T) {
	data, err := os.ReadFile(testInput(t, nil))
	require.NoError(t, err)
	dir := t.TempDir()
	t.Chdir(dir)
	require.NoError(t, os.WriteFile("in.json", data, 0o644))
	_, err = execute(t, "run", "in.json", "--store", "st.db", "-o", "first.json", "--executor", "serial")
	require.NoError(t, err)
	require.NoError(t, os.Link("in.json", "in-hard.json"))
	require.NoError(t, os.Symlink("st.db", "st-link.db"))
	require.NoError(t, os.Mkdir("sub", 0o755))
	before := fileHashes(t, dir)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-o", "st.db"}, "-o st.db and --store st.db are the same file"},
		{[]string{"--stats-json", "st.db"}, "--stats-json st.db and --store st.db"},
		{[]string{"--report", "./sub/../st.db"}, "--report ./sub/../st.db and --store st.db"},
		{[]string{"-o", "st-link.db"}, "-o st-link.db and --store st.db"},
		{[]string{"-o", "st.db-wal"}, "-o st.db-wal and the result store's st.db-wal"},
		{[]string{"-o", "sub/../st.db-shm"}, "-o sub/../st.db-shm and the result store's st.db-shm"},
		{[]string{"-o", "in.json"}, "-o in.json and the input in.json"},
		{[]string{"-o", "in-hard.json"}, "-o in-hard.json and the input in.json"},
		{[]string{"-o", "x.json", "--stats-json", "x.json"}, "--stats-json x.json and -o x.json are the same file"},
		{[]string{"--report", "sub/r.html", "--stats-json", filepath.Join(dir, "sub", "r.html")}, "--report sub/r.html and --stats-json " + filepath.Join(dir, "sub", "r.html") + " are the same file"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			_, err := execute(t, append([]string{"run", "in.json", "--store", "st.db", "--executor", "serial"}, c.args...)...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.Equal(t, before, fileHashes(t, dir), "no file changed")
			assert.Empty(t, fileHashes(t, filepath.Join(dir, "sub")), "no file created")
		})
	}
	// The other commands that write: store export, optimize, report.
	_, err = execute(t, "store", "export", "in.json", "--store", "st.db", "-o", "st.db-wal")
	require.ErrorContains(t, err, "-o st.db-wal and the result store's st.db-wal")
	_, err = execute(t, "store", "export", "in.json", "--store", "st.db", "-o", "in-hard.json")
	require.ErrorContains(t, err, "-o in-hard.json and the input in.json")
	_, err = execute(t, "run", "in.json", "--store", "st.db", "--stats-json", "stats.json", "--executor", "serial")
	require.NoError(t, err)
	before = fileHashes(t, dir)
	_, err = execute(t, "report", "stats.json", "-o", "stats.json")
	require.ErrorContains(t, err, "-o stats.json and the input stats.json")
	assert.Equal(t, before, fileHashes(t, dir))
}

// TestResultWrittenFirst: a run whose report or statistics cannot be written (a full
// disk) still writes its result, exits non-zero naming what failed, and leaves no empty or
// partial report or statistics file.
func TestResultWrittenFirst(t *testing.T) {
	full := tmpfstest.Mount(t, 32<<10)
	fill(t, full)
	out := filepath.Join(t.TempDir(), "ok.json")
	input := testInput(t, nil)
	_, err := execute(t, "run", input, "--no-store", "--executor", "serial", "-o", out,
		"--report", filepath.Join(full, "r.html"), "--stats-json", filepath.Join(full, "stats.json"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "r.html")
	assert.Contains(t, err.Error(), "stats.json")
	assert.Contains(t, err.Error(), "no space left on device")
	var res qcschema.ManyBodyResult
	require.NoError(t, readJSON(newRootCmd(), out, &res), "the result is written")
	require.InDelta(t, loadPsi4NBody(t).ReturnEnergy, res.ReturnResult.Scalar, 1e-8)
	assert.Equal(t, []string{"filler"}, names(t, full), "no empty or partial file")
}

// fill fills the file system of dir with a file "filler" until it is full.
func fill(t *testing.T, dir string) {
	t.Helper()
	fh, err := os.Create(filepath.Join(dir, "filler"))
	require.NoError(t, err)
	defer fh.Close()
	block := make([]byte, 4096)
	for {
		if _, err := fh.Write(block); err != nil {
			return
		}
	}
}
