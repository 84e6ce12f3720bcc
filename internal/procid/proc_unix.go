//go:build unix

package procid

import (
	"errors"
	"syscall"
)

// exists checks whether a process with pid exists (another user's too).
func exists(pid int) State {
	err := syscall.Kill(pid, 0)
	switch {
	case err == nil, errors.Is(err, syscall.EPERM):
		return Running
	case errors.Is(err, syscall.ESRCH):
		return Gone
	}
	return Unknown
}
