//go:build unix

package external

import (
	"os/exec"
	"syscall"
)

// isolate starts the program in a process group of its own (and, on Linux, has it killed
// should this process die first).
func isolate(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	setDeathSignal(cmd.SysProcAttr)
}

// killTree kills the program's process group and every process marked with token.
func killTree(cmd *exec.Cmd, token string) {
	if cmd.Process != nil {
		// Negative pid: the process group that Setpgid made.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	killMarked(token)
}
