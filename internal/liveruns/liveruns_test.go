package liveruns

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/internal/procid"
	"github.com/qcmb-go/qcmb/internal/proctoken"
)

// isolate gives the test a TMPDIR of its own and restores the environment Begin changes.
func isolate(t *testing.T) string {
	t.Helper()
	if !supported {
		t.Skip("runs are registered where there is TMPDIR")
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv(TokenEnv, "")
	t.Setenv(TempEnv, "")
	return tmp
}

// TestBeginEnd: a run gets a token and a root, set for what it starts; its end leaves
// nothing in TMPDIR, the registry directory included.
func TestBeginEnd(t *testing.T) {
	tmp := isolate(t)
	r, err := Begin()
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(tmp, "qcmb-runs-"+strconv.Itoa(os.Getuid()), r.Token), r.Root)
	assert.Equal(t, r.Token, os.Getenv(TokenEnv))
	assert.Equal(t, r.Root, os.TempDir(), "TMPDIR is the run's root")
	assert.Equal(t, tmp, os.Getenv(TempEnv))
	assert.DirExists(t, r.Root)
	var en entry
	data, err := os.ReadFile(entryPath(r.Dir, r.Token))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &en))
	assert.Equal(t, procid.Self(), en.Process)

	// A process this run starts (a worker) joins it.
	joined, err := Begin()
	require.NoError(t, err)
	assert.Equal(t, r.Token, joined.Token)
	joined.End() // does nothing: the run is not its own
	assert.DirExists(t, r.Root)

	require.NoError(t, os.WriteFile(filepath.Join(r.Root, "scratch-file"), []byte("x"), 0o600))
	r.End()
	left, err := os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Empty(t, left, "nothing left in TMPDIR")
}

// TestSweep: the next run's Begin kills the processes of a run whose process is gone
// (found by its token wherever they moved, even ignoring SIGTERM) and removes its root
// and file; a run whose process lives, and one of another host, are left alone.
func TestSweep(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("processes are found through /proc, on Linux")
	}
	tmp := isolate(t)
	dir := registryDir(tmp)
	require.NoError(t, ownDir(dir))
	gone := exec.Command("true")
	require.NoError(t, gone.Run())
	dead := procid.Of(gone.Process.Pid)
	dead.Start = "1" // whatever the pid names now, not the process that ran
	elsewhere := procid.Self()
	elsewhere.Host += ".elsewhere"
	write := func(p procid.Process) string {
		tok := proctoken.New()
		data, err := json.Marshal(entry{Token: tok, Process: p})
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(entryPath(dir, tok), data, 0o600))
		require.NoError(t, os.Mkdir(filepath.Join(dir, tok), 0o700))
		require.NoError(t, os.WriteFile(filepath.Join(dir, tok, "qcmb-psi4-x"), nil, 0o600))
		return tok
	}
	deadTok, liveTok, otherTok := write(dead), write(procid.Self()), write(elsewhere)
	// A program of the dead run: in a session of its own, deaf to SIGTERM.
	prog := exec.Command("setsid", "sh", "-c", `trap "" TERM; exec sleep 300`)
	prog.Env = append(os.Environ(), proctoken.Mark(TokenEnv, deadTok))
	require.NoError(t, prog.Start())
	waited := make(chan struct{})
	go func() { _ = prog.Wait(); close(waited) }()
	t.Cleanup(func() { _ = prog.Process.Kill() })

	r, err := Begin()
	require.NoError(t, err)
	defer r.End()
	select {
	case <-waited:
	case <-time.After(10 * time.Second):
		require.FailNow(t, "the dead run's program still runs")
	}
	assert.NoFileExists(t, entryPath(dir, deadTok))
	assert.NoDirExists(t, filepath.Join(dir, deadTok))
	for _, tok := range []string{liveTok, otherTok} {
		assert.FileExists(t, entryPath(dir, tok))
		assert.DirExists(t, filepath.Join(dir, tok))
	}
}
