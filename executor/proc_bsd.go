//go:build unix && !linux

package executor

import "syscall"

func setDeathSignal(*syscall.SysProcAttr) {}
