//go:build unix && !linux

package executor

import (
	"os"
	"syscall"
)

func setDeathSignal(*syscall.SysProcAttr) {}

// pendingInput cannot tell here.
func pendingInput(*os.File) (int, bool) { return 0, false }
