package main

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/executor/store"
	"github.com/qcmb-go/qcmb/internal/tmpfstest"
	"github.com/qcmb-go/qcmb/qcschema"
)

// TestDamagedStoreIsLeftAlone: "qcmb run" on a store with 4 KB of random bytes in its
// middle fails with a first line that says the store is damaged (it used to say "0 of 0
// tasks failed"), and neither the run nor "qcmb store show" changes a byte of it or
// records a run in it (a run used to change 177 bytes and add a runs row).
func TestDamagedStoreIsLeftAlone(t *testing.T) {
	input := testInput(t, nil)
	dir := t.TempDir()
	db := filepath.Join(dir, "st.db")
	_, err := execute(t, "run", input, "--store", db, "--executor", "serial", "-o", filepath.Join(t.TempDir(), "r.json"))
	require.NoError(t, err)
	info, err := os.Stat(db)
	require.NoError(t, err)
	damage := make([]byte, 4096)
	r := rand.New(rand.NewPCG(4, 2))
	for i := range damage {
		damage[i] = byte(r.Uint32())
	}
	fh, err := os.OpenFile(db, os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = fh.WriteAt(damage, info.Size()/2)
	require.NoError(t, err)
	require.NoError(t, fh.Close())
	before := fileHashes(t, dir)

	_, err = execute(t, "run", input, "--store", db, "--executor", "serial")
	require.Error(t, err)
	first, _, _ := strings.Cut(err.Error(), "\n")
	assert.Contains(t, first, "store "+db+": store file is corrupt")
	assert.NotContains(t, err.Error(), "0 of 0 tasks failed")
	assert.Equal(t, before, fileHashes(t, dir), "the damaged store was written")
	_, err = storeShow(t, input, db)
	require.ErrorIs(t, err, store.ErrCorrupt)
	assert.Equal(t, before, fileHashes(t, dir))
}

// TestKilledRunIsShownInterrupted: a run killed with kill -9 is shown as interrupted by
// "qcmb store show" (it used to stay "running" for ever), before and after the next run.
func TestKilledRunIsShownInterrupted(t *testing.T) {
	input := testInput(t, map[string]any{"sleep": 0.4})
	db := filepath.Join(t.TempDir(), "results.db")
	args := []string{"run", input, "--executor", "serial", "--store", db, "--no-resident"}
	cmd, exited, _ := startUntilStored(t, args, input, db, 1, 30*time.Second)
	rep, err := storeShow(t, input, db)
	require.NoError(t, err)
	require.Len(t, rep.Runs, 1)
	assert.Equal(t, store.RunRunning, rep.Runs[0].Status, "while it runs")
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	<-exited

	rep, err = storeShow(t, input, db)
	require.NoError(t, err)
	require.Len(t, rep.Runs, 1)
	assert.Equal(t, store.RunInterrupted, rep.Runs[0].Status, "once its process is gone")
	text, err := execute(t, "store", "show", input, "--store", db)
	require.NoError(t, err)
	assert.Contains(t, text, " interrupted ")

	_, err = execute(t, args...)
	require.NoError(t, err)
	rep, err = storeShow(t, input, db)
	require.NoError(t, err)
	var statuses []string
	for _, r := range rep.Runs {
		statuses = append(statuses, r.Status)
	}
	assert.Equal(t, []string{store.RunInterrupted, store.RunSucceeded}, statuses)
}

// TestReadOnlyStore: a complete store on read-only media (a tmpfs remounted read-only,
// which root cannot write either) serves "qcmb store show", "qcmb store export" and a run
// whose tasks are all stored, with a result identical to the first run's (it used to be
// "unable to open database file"); a run that would have to compute tasks it cannot keep
// fails before computing, saying why.
func TestReadOnlyStore(t *testing.T) {
	input := testInput(t, nil)
	media := tmpfstest.Mount(t, 4<<20)
	db := filepath.Join(media, "results.db")
	first := filepath.Join(t.TempDir(), "first.json")
	_, err := execute(t, "run", input, "--store", db, "--executor", "serial", "-o", first)
	require.NoError(t, err)
	tmpfstest.ReadOnly(t, media)
	before := fileHashes(t, media)

	rep, err := storeShow(t, input, db)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"done": 5, "failed": 0, "missing": 0}, rep.Counts)
	require.Len(t, rep.Runs, 1)
	assert.Equal(t, store.RunSucceeded, rep.Runs[0].Status)

	comps := filepath.Join(t.TempDir(), "components.json")
	_, err = execute(t, "store", "export", input, "--store", db, "-o", comps)
	require.NoError(t, err)
	var exported []map[string]any
	data, err := os.ReadFile(comps)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &exported))
	assert.Len(t, exported, 5)

	again := filepath.Join(t.TempDir(), "again.json")
	_, err = execute(t, "run", input, "--store", db, "--executor", "pool", "-o", again)
	require.NoError(t, err)
	got, err := os.ReadFile(again)
	require.NoError(t, err)
	want, err := os.ReadFile(first)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "the stored results give the same result")

	// Another geometry: tasks the store lacks.
	var in qcschema.ManyBodyInput
	require.NoError(t, readJSON(newRootCmd(), input, &in))
	in.Molecule.Geometry[0] += 0.1
	other := filepath.Join(t.TempDir(), "other.json")
	require.NoError(t, os.WriteFile(other, mustJSON(t, &in), 0o644))
	_, err = execute(t, "run", other, "--store", db, "--executor", "serial")
	require.ErrorIs(t, err, store.ErrReadOnly)
	firstLine, _, _ := strings.Cut(err.Error(), "\n")
	assert.Contains(t, firstLine, "have no stored result, and the store takes no new ones")
	assert.Contains(t, err.Error(), "cannot be written (read-only media or permissions)")
	assert.Equal(t, before, fileHashes(t, media), "nothing written")
}

// TestReadOnlyStorePermissions: a store whose directory and file an unprivileged user may
// not write is used read-only in the same way (root may write it: see TestReadOnlyStore).
func TestReadOnlyStorePermissions(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes files whatever their permissions; TestReadOnlyStore covers read-only media")
	}
	input := testInput(t, nil)
	dir := t.TempDir()
	db := filepath.Join(dir, "results.db")
	_, err := execute(t, "run", input, "--store", db, "--executor", "serial")
	require.NoError(t, err)
	require.NoError(t, os.Chmod(db, 0o444))
	require.NoError(t, os.Chmod(dir, 0o555))
	t.Cleanup(func() { _ = os.Chmod(dir, 0o755) })
	before := fileHashes(t, dir)
	rep, err := storeShow(t, input, db)
	require.NoError(t, err)
	assert.Equal(t, 5, rep.Counts["done"])
	_, err = execute(t, "run", input, "--store", db, "--executor", "serial")
	require.NoError(t, err)
	assert.Equal(t, before, fileHashes(t, dir))
}
