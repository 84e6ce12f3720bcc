//go:build unix

package executor_test

import (
	"errors"
	"syscall"
)

// processExists reports whether a process with this pid exists (a zombie does): signal 0
// checks without sending anything.
func processExists(pid int) bool {
	return !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
