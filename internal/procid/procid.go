package procid

import (
	"os"
	"strconv"
)

// Process identifies one process of one machine's boot.
type Process struct {
	Host string `json:"host"`
	// Boot identifies the machine's boot (Linux's boot_id), "" where unknown: a process of
	// another boot is gone.
	Boot string `json:"boot,omitempty"`
	PID  int    `json:"pid"`
	// Start is when the process started, in the kernel's clock ticks since boot (Linux),
	// "" where unknown: a pid that now names a process started at another time was reused.
	Start string `json:"start,omitempty"`
}

// State is what can be told of a Process from here.
type State int

const (
	// Unknown: the process ran on another host, or this system cannot tell.
	Unknown State = iota
	// Running: the process still runs.
	Running
	// Gone: the process has ended (or the machine rebooted since).
	Gone
)

func (s State) String() string {
	switch s {
	case Running:
		return "running"
	case Gone:
		return "gone"
	}
	return "unknown"
}

// Self returns the identity of this process.
func Self() Process { return Of(os.Getpid()) }

// Of returns the identity of the process with pid as it is now.
func Of(pid int) Process {
	host, _ := os.Hostname()
	return Process{Host: host, Boot: bootID(), PID: pid, Start: startTime(pid)}
}

// State tells whether p still runs. A process on another host, or whose pid this
// system cannot check, is Unknown: callers must leave what it owns alone.
func (p Process) State() State {
	if host, err := os.Hostname(); err != nil || host != p.Host || p.PID <= 0 {
		return Unknown
	}
	if boot := bootID(); p.Boot != "" && boot != "" && boot != p.Boot {
		return Gone
	}
	switch exists(p.PID) {
	case Gone:
		return Gone
	case Unknown:
		return Unknown
	}
	if p.Start != "" {
		if now := startTime(p.PID); now != "" && now != p.Start {
			return Gone // the pid was reused
		}
	}
	if zombie(p.PID) {
		return Gone
	}
	return Running
}

// String writes p as host/pid.
func (p Process) String() string { return p.Host + "/" + strconv.Itoa(p.PID) }
