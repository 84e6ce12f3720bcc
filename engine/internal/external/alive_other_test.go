//go:build !linux

package external

import (
	"os"
	"runtime"
	"syscall"
)

// alive reports whether pid exists. Without /proc a zombie counts as alive; on Windows,
// finding a process opens it, which fails once it is gone.
func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	defer p.Release()
	if runtime.GOOS == "windows" {
		return true
	}
	return p.Signal(syscall.Signal(0)) == nil
}
