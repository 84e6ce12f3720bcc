//go:build unix

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runChild runs "qcmb args" in a child process with stdin, and returns its standard
// error and how it ended; it fails the test if the child runs longer than limit.
func runChild(t *testing.T, limit time.Duration, stdin *os.File, args ...string) (string, *os.ProcessState) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), asMainEnv+"=1")
	cmd.Stdin = stdin
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(limit):
		_ = cmd.Process.Kill()
		<-done
		require.FailNowf(t, "qcmb did not end in time", "qcmb %s did not end within %v; stderr:\n%s", strings.Join(args, " "), limit, stderr.String())
	}
	return strings.TrimSpace(stderr.String()), cmd.ProcessState
}

// TestNamedPipeInputs: a named pipe that no program writes to, given as the input of any
// command or as a file of a components directory, is an error at once, where its open
// used to block for ever, deaf to SIGINT and SIGTERM.
func TestNamedPipeInputs(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.json")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	input := testInput(t, nil)
	comps := t.TempDir()
	require.NoError(t, syscall.Mkfifo(filepath.Join(comps, "task.json"), 0o600))
	noData := "a named pipe that gave no data (no program writes to it)"
	for i, args := range [][]string{
		{"plan", fifo},
		{"run", fifo, "--no-store"},
		{"compute", fifo},
		{"report", fifo, "-o", filepath.Join(dir, "r.html")},
		{"analyze", fifo, input},
		{"analyze", input, fifo},
		{"analyze", input, comps},
		{"store", "show", fifo, "--store", filepath.Join(dir, "st.db")},
		{"store", "export", fifo, "--store", filepath.Join(dir, "st.db")},
		{"optimize", fifo, "--no-store"},
		{"lattice", fifo, "--no-store"},
	} {
		t.Run(fmt.Sprint(i, args[0]), func(t *testing.T) {
			msg, state := runChild(t, 20*time.Second, nil, args...)
			assert.False(t, state.Success())
			assert.Contains(t, msg, noData)
			assert.NotContains(t, msg, "\n", "one line")
		})
	}
}

// TestInputLimitBoundsMemory: standard input that never ends (/dev/zero) is refused at
// --max-input with a peak memory of little more than the limit (it used to reach three
// times the limit, 2.2 GB for the default 1 GiB, and under an address-space limit Go died
// with "out of memory").
func TestInputLimitBoundsMemory(t *testing.T) {
	zero, err := os.Open("/dev/zero")
	if err != nil {
		t.Skip("no /dev/zero")
	}
	defer zero.Close()
	const limitMiB = 128
	msg, state := runChild(t, time.Minute, zero, "run", "--max-input", "128MiB", "-")
	assert.Equal(t, "qcmb: -: larger than the limit of 128MiB (see --max-input)", msg)
	ru, ok := state.SysUsage().(*syscall.Rusage)
	if !ok || runtime.GOOS != "linux" {
		t.Skip("the child's peak memory is read here on Linux only")
	}
	if raceDetector {
		t.Skip("the race detector's shadow memory inflates the peak; the bound is checked without -race")
	}
	peakMiB := ru.Maxrss >> 10 // kilobytes on Linux
	t.Logf("peak resident memory %d MiB for a %d MiB limit", peakMiB, limitMiB)
	assert.Less(t, peakMiB, int64(limitMiB+80), "peak resident memory")
}
