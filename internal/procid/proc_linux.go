package procid

import (
	"bytes"
	"os"
	"strconv"
	"strings"
)

// bootID is the id of this boot of the machine.
func bootID() string {
	data, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// statFields returns the fields of /proc/pid/stat after the command name, from the state
// (field 3) on; nil if the process is gone.
func statFields(pid int) []string {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil
	}
	i := bytes.LastIndexByte(data, ')') // the command name may hold spaces and parentheses
	if i < 0 {
		return nil
	}
	return strings.Fields(string(data[i+1:]))
}

// startTime is the process's start time (field 22 of /proc/pid/stat), "" if gone.
func startTime(pid int) string {
	if f := statFields(pid); len(f) > 19 {
		return f[19]
	}
	return ""
}

// zombie reports whether the process has ended and waits for its parent to reap it.
func zombie(pid int) bool {
	f := statFields(pid)
	return len(f) > 0 && f[0] == "Z"
}
