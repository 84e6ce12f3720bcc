package external

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// forker is a program that leaves processes where a process group kill cannot reach them:
// a child in a session of its own and an orphan (double fork) in another, each writing its
// pid to $PIDS; then it sleeps, or exits at once with "exit" as its argument.
const forker = `
setsid sleep 300 &
echo $! > "$PIDS/setsid"
(setsid sh -c 'echo $$ > "$PIDS/orphan"; exec sleep 300' &)
while [ ! -s "$PIDS/orphan" ]; do sleep 0.01; done
[ "$1" = exit ] && exit 0
sleep 300
`

func readPids(t *testing.T, dir string) []int {
	t.Helper()
	var pids []int
	for _, name := range []string{"setsid", "orphan"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err, "the program did not start its %s child", name)
		pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
		require.NoError(t, err)
		pids = append(pids, pid)
	}
	return pids
}

// TestRunKillsEscapedDescendants: whether the program is cancelled or exits on its own, the
// processes it started in other sessions, orphaned or not, end with it.
func TestRunKillsEscapedDescendants(t *testing.T) {
	for _, tc := range []struct {
		name string
		arg  string
		wait time.Duration // before cancelling
	}{
		{"cancelled", "sleep", 500 * time.Millisecond},
		{"exited", "exit", time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pidDir := t.TempDir()
			ctx, cancel := context.WithTimeout(context.Background(), tc.wait)
			defer cancel()
			env := append(os.Environ(), "PIDS="+pidDir)
			_, _, err := Run(ctx, "/bin/sh", []string{"-c", forker, "forker", tc.arg}, "", env)
			if tc.arg == "sleep" {
				require.Error(t, err)
			} else {
				require.NoError(t, err)
			}
			for _, pid := range readPids(t, pidDir) {
				deadline := time.Now().Add(5 * time.Second)
				for alive(pid) && time.Now().Before(deadline) {
					time.Sleep(10 * time.Millisecond)
				}
				if !assert.False(t, alive(pid), "process %d outlived the run", pid) {
					_ = syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		})
	}
}
