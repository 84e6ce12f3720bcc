//go:build !linux

package external

// residentMemory cannot tell the resident memory of a process here.
func residentMemory(int) (int64, bool) { return 0, false }
