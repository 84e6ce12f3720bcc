package proctoken_test

import (
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/internal/proctoken"
)

// TestKillFindsDescendantsAnywhere: a marked process's child in a session of its own,
// which ignores SIGTERM and outlives its parent, is found by its token and killed; an
// unmarked process is not.
func TestKillFindsDescendantsAnywhere(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("processes are found by their environment through /proc, on Linux")
	}
	token := proctoken.New()
	assert.Len(t, token, 24)
	// The shell starts a grandchild in a new session that ignores SIGTERM, then exits.
	cmd := exec.Command("sh", "-c", `setsid sh -c 'trap "" TERM; sleep 300' </dev/null >/dev/null 2>&1 & exit 0`)
	cmd.Env = append(os.Environ(), proctoken.Mark("QCMB_TEST_MARK", token))
	require.NoError(t, cmd.Run())
	other := exec.Command("sleep", "300")
	require.NoError(t, other.Start())
	defer func() { _ = other.Process.Kill(); _ = other.Wait() }()

	var pids []int
	for deadline := time.Now().Add(10 * time.Second); len(pids) == 0 && time.Now().Before(deadline); {
		pids = proctoken.Find("QCMB_TEST_MARK", token)
		time.Sleep(10 * time.Millisecond)
	}
	require.NotEmpty(t, pids, "the orphaned grandchild, in a session of its own, and its child")
	proctoken.Kill("QCMB_TEST_MARK", token)
	assert.Empty(t, proctoken.Find("QCMB_TEST_MARK", token))
	assert.NoError(t, other.Process.Signal(syscall.Signal(0)), "an unmarked process lives on")
}
