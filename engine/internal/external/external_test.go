package external

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRunCapturesOutput(t *testing.T) {
	out, errOut, err := Run(context.Background(), "/bin/sh", []string{"-c", "echo out; echo err >&2; exit 3"}, t.TempDir(), nil)
	require.ErrorContains(t, err, "exit status 3")
	require.Equal(t, "out\n", string(out), "stdout")
	require.Equal(t, "err\n", string(errOut), "stderr")
}

// TestRunKillsGroup: cancelling ends the shell and the sleep it started, promptly.
func TestRunKillsGroup(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := Run(ctx, "/bin/sh", []string{"-c", "sleep 30 & sleep 30; wait"}, "", nil)
	require.Error(t, err, "no error from a cancelled run")
	require.LessOrEqual(t, time.Since(start), 3*time.Second, "cancelled run took")
}

func TestScratchDir(t *testing.T) {
	parent := t.TempDir()
	a, err := ScratchDir(parent, "psi4")
	require.NoError(t, err)
	b, err := ScratchDir(parent, "psi4")
	require.NoError(t, err)
	require.NotEqual(t, a, b, "scratch directories")
	require.True(t, strings.HasPrefix(a, parent+"/qcmb-psi4-"), "scratch directory %q under %q", a, parent)
}

// TestRunWithoutDirLeavesNothing: a program run without a directory (a version query)
// runs in a scratch directory of its own, removed afterwards: "psi4 --version" used to
// leave its timer.dat in the user's working directory.
func TestRunWithoutDirLeavesNothing(t *testing.T) {
	wd := t.TempDir()
	t.Chdir(wd)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	out, _, err := Run(context.Background(), "/bin/sh", []string{"-c", "echo timers > timer.dat; pwd"}, "", nil)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(out), tmp+"/qcmb-sh-"), "ran in %s", out)
	for _, dir := range []string{wd, tmp} {
		left, err := os.ReadDir(dir)
		require.NoError(t, err)
		require.Empty(t, left, "left in %s", dir)
	}
}
