//go:build unix

package executor

import (
	"os/exec"
	"syscall"
)

// terminate asks the worker's process group to end (SIGTERM): srun passes it on to the job
// step, or withdraws a job still waiting in the queue.
func terminate(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	}
}
