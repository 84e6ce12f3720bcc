//go:build !unix

package executor

import (
	"os/exec"
	"time"
)

func isolate(cmd *exec.Cmd) {}

func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}

// processCPU is not available here.
func processCPU() (time.Duration, bool) { return 0, false }
