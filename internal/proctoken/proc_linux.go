package proctoken

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
	"time"
)

// Find lists the running processes, other than this one, whose environment holds
// name=token. Processes of other users cannot be read, and are not listed.
func Find(name, token string) []int {
	mark := []byte("\x00" + name + "=" + token + "\x00")
	self := os.Getpid()
	d, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	var pids []int
	for _, dir := range names {
		pid, err := strconv.Atoi(dir)
		if err != nil || pid == self {
			continue
		}
		env, err := os.ReadFile("/proc/" + dir + "/environ")
		if err != nil || len(env) == 0 {
			continue // gone, a zombie, or not ours
		}
		// A leading NUL lets the first variable match too.
		if bytes.Contains(append([]byte{0}, env...), mark) && !isZombie(dir) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// Kill kills (SIGKILL), and kills again until none is left, every process that Find
// finds: what it started after a first kill is found the next time.
func Kill(name, token string) {
	for i := range 10 {
		pids := Find(name, token)
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

// isZombie reports whether process dir has exited and awaits its parent's wait.
func isZombie(dir string) bool {
	stat, err := os.ReadFile("/proc/" + dir + "/stat")
	if err != nil {
		return true
	}
	i := bytes.LastIndexByte(stat, ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] == 'Z'
}
