//go:build unix && !linux

package external

import "syscall"

func setDeathSignal(*syscall.SysProcAttr) {}

// killMarked does nothing here: without /proc, the process group is what is killed.
func killMarked(string) {}
