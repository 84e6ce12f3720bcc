//go:build unix

package external

import (
	"errors"
	"os/exec"
	"syscall"
	"time"

	"github.com/qcmb-go/qcmb/internal/proctoken"
)

// isolate starts the program in a process group of its own (and, on Linux, has it killed
// should this process die first).
func isolate(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	setDeathSignal(cmd.SysProcAttr)
}

// killTree kills the program's process group and every process marked with token: the
// descendants of a run wherever they moved (another process group, a new session,
// orphaned to init; on Linux).
func killTree(cmd *exec.Cmd, token string) {
	if cmd.Process != nil {
		// Negative pid: the process group that Setpgid made.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	proctoken.Kill(TokenEnv, token)
}

// groupGoneWait bounds how long waitGroupGone waits.
const groupGoneWait = 2 * time.Second

// waitGroupGone waits, a little, until no process of the program's process group is left:
// killed processes take a moment to be torn down (a large one longer), and whoever checks
// for leftovers right after should find none.
func waitGroupGone(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	deadline := time.Now().Add(groupGoneWait)
	for d := time.Millisecond; time.Now().Before(deadline); d = min(2*d, 50*time.Millisecond) {
		if err := syscall.Kill(-cmd.Process.Pid, 0); errors.Is(err, syscall.ESRCH) {
			return
		}
		time.Sleep(d)
	}
}
