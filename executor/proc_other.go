//go:build !unix

package executor

import (
	"os"
	"os/exec"
	"time"
)

func isolate(cmd *exec.Cmd) {}

// termGroup kills the worker: without signals to ask it, it cannot be asked to end.
func termGroup(cmd *exec.Cmd) { killGroup(cmd) }

func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}

// processCPU is not available here.
func processCPU() (time.Duration, bool) { return 0, false }

// pendingInput cannot tell here.
func pendingInput(*os.File) (int, bool) { return 0, false }
