// Package external runs the external programs that engines drive, each in a private
// scratch directory and in a process group of its own, so that cancelling the context
// ends the program and every process it started.
package external

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// waitDelay bounds how long Run waits for output pipes after the process was killed.
const waitDelay = 5 * time.Second

// Run runs name with args in dir (the current directory if empty) and env (the current
// environment if nil), in its own process group, and kills the whole group when ctx is done:
// quantum chemistry programs are often scripts that start threads and child processes. It
// returns the captured standard output and error and the error of cmd.Wait.
func Run(ctx context.Context, name string, args []string, dir string, env []string) (stdout, stderr []byte, err error) {
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
	cmd.WaitDelay = waitDelay
	err = cmd.Run()
	return out.Bytes(), errb.Bytes(), err
}

// ScratchDir makes a private directory for one calculation of program under parent
// (os.TempDir() if empty). The caller removes it with os.RemoveAll when done.
func ScratchDir(parent, program string) (string, error) {
	if parent == "" {
		parent = os.TempDir()
	}
	return os.MkdirTemp(parent, "qcmb-"+program+"-")
}
