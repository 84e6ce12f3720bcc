package external

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
	"time"
)

func setDeathSignal(attr *syscall.SysProcAttr) { attr.Pdeathsig = syscall.SIGKILL }

// killMarked kills, and kills again until none is left, every process whose environment
// holds TokenEnv=token: the descendants of a run wherever they moved (another process
// group, a new session, orphaned to init). Processes of other users cannot be read, and
// are not ours to kill.
func killMarked(token string) {
	mark := []byte("\x00" + TokenEnv + "=" + token + "\x00")
	self := os.Getpid()
	for i := range 10 {
		pids := markedProcesses(mark, self)
		if len(pids) == 0 {
			return
		}
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		// A killed process shows as running until the kernel has taken it down.
		time.Sleep(time.Millisecond << i)
	}
}

func markedProcesses(mark []byte, self int) []int {
	d, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	var pids []int
	for _, name := range names {
		pid, err := strconv.Atoi(name)
		if err != nil || pid == self {
			continue
		}
		env, err := os.ReadFile("/proc/" + name + "/environ")
		if err != nil || len(env) == 0 {
			continue // gone, a zombie, or not ours
		}
		// A leading NUL lets the first variable match too.
		if bytes.Contains(append([]byte{0}, env...), mark) && !isZombie(name) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// isZombie reports whether process name has exited and awaits its parent's wait.
func isZombie(name string) bool {
	stat, err := os.ReadFile("/proc/" + name + "/stat")
	if err != nil {
		return true
	}
	i := bytes.LastIndexByte(stat, ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] == 'Z'
}
