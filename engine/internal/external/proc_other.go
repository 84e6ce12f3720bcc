//go:build !unix

package external

import "os/exec"

// isolate does nothing: there are no process groups here.
func isolate(*exec.Cmd) {}

// killTree kills the program itself; the processes it started are left to it.
func killTree(cmd *exec.Cmd, _ string) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}

// waitGroupGone has nothing to wait for here: the program alone was killed.
func waitGroupGone(*exec.Cmd) {}
