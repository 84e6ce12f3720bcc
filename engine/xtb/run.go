package xtb

import (
	"bytes"
	"context"
	"os/exec"
	"syscall"
	"time"
)

// runGroup runs cmd in its own process group and kills the whole group (Psi4 is a Python
// process that may start threads and children) when ctx is done. It returns the captured
// stdout and stderr and the error of cmd.Wait.
func runGroup(ctx context.Context, name string, args []string, dir string, env []string) (stdout, stderr []byte, err error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errb
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		// Negative pid: the process group that Setpgid made.
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	cmd.WaitDelay = 5 * time.Second
	err = cmd.Run()
	return out.Bytes(), errb.Bytes(), err
}
