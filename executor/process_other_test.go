//go:build !unix

package executor_test

import "os"

// processExists reports whether a process with this pid exists: where there is no signal
// 0, finding the process opens it, which fails once it is gone.
func processExists(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	_ = p.Release()
	return true
}
