//go:build unix

package executor

import (
	"os/exec"
	"syscall"
)

// isolate puts the worker in a process group of its own, so that killing it also ends the
// processes it started (srun, a wrapper script's children).
func isolate(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
}

// killGroup kills the worker's process group, and the worker itself.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Process.Kill()
}
