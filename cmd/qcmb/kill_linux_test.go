package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakePsi4 stands in for psi4: it answers --version, and otherwise starts a long-lived
// child in a session (and process group) of its own, writes a file into its scratch
// directory (its working directory) and sleeps: the hardest kind of program to clean up
// after.
const fakePsi4 = `#!/bin/sh
if [ "$1" = "--version" ]; then echo 1.9.1; exit 0; fi
setsid sleep 300 &
echo $! > "$QCMB_TEST_PIDS/grandchild-$!"
echo data > scratch-file
echo $$ > "$QCMB_TEST_PIDS/program-$$"
sleep 300
`

// runMark marks every process of one child "qcmb run" through its environment, which
// all its descendants inherit.
const runMark = "QCMB_TEST_RUN_MARK"

// markedProcesses lists the running processes whose environment holds mark.
func markedProcesses(mark string) []string {
	want := []byte("\x00" + mark + "\x00")
	names, _ := filepath.Glob("/proc/[0-9]*")
	var found []string
	for _, dir := range names {
		env, err := os.ReadFile(dir + "/environ")
		if err != nil || !bytes.Contains(append([]byte{0}, env...), want) {
			continue
		}
		stat, err := os.ReadFile(dir + "/stat")
		if i := bytes.LastIndexByte(stat, ')'); err != nil || i < 0 || i+2 >= len(stat) || stat[i+2] == 'Z' {
			continue // gone or a zombie: not running
		}
		cmdline, _ := os.ReadFile(dir + "/cmdline")
		found = append(found, filepath.Base(dir)+" "+strings.ReplaceAll(string(cmdline), "\x00", " "))
	}
	return found
}

// TestKilledRunLeavesNothing: after a task time-out, Ctrl-C (SIGINT) and SIGTERM to a
// "qcmb run" child process, with the subprocess and pool executors and a program that
// starts a child in a process group of its own, no process of the run is left running and
// no scratch directory remains.
func TestKilledRunLeavesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes and waits for time-outs")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "psi4"), []byte(fakePsi4), 0o755); err != nil {
		t.Fatal(err)
	}
	input := dimerInput(t, "psi4")
	for _, tc := range []struct {
		name   string
		signal syscall.Signal // 0: none, the run ends by its time-out
		args   []string
	}{
		{"timeout/subprocess", 0, []string{"--executor", "subprocess", "--timeout", "3s", "--retries", "0"}},
		{"sigint/subprocess", syscall.SIGINT, []string{"--executor", "subprocess"}},
		{"sigterm/subprocess", syscall.SIGTERM, []string{"--executor", "subprocess"}},
		{"sigterm/pool", syscall.SIGTERM, []string{"--executor", "pool"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pids, scratch := t.TempDir(), t.TempDir()
			mark := runMark + "=" + strconv.FormatInt(time.Now().UnixNano(), 36)
			cmd := exec.Command(self, append([]string{"run", input, "--workers", "2"}, tc.args...)...)
			cmd.Env = append(os.Environ(), asMainEnv+"=1", mark, "QCMB_TEST_PIDS="+pids, "TMPDIR="+scratch,
				"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			defer func() {
				for _, p := range markedProcesses(mark) {
					if pid, err := strconv.Atoi(strings.Fields(p)[0]); err == nil {
						_ = syscall.Kill(pid, syscall.SIGKILL)
					}
				}
			}()
			// Wait until the programs run with their children, then signal.
			deadline := time.Now().Add(60 * time.Second)
			for {
				started, _ := filepath.Glob(filepath.Join(pids, "program-*"))
				if len(started) >= 2 || time.Now().After(deadline) {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if tc.signal != 0 {
				if err := cmd.Process.Signal(tc.signal); err != nil {
					t.Fatal(err)
				}
			}
			select {
			case err := <-done:
				if err == nil {
					t.Fatalf("qcmb run succeeded; stderr:\n%s", stderr.String())
				}
			case <-time.After(120 * time.Second):
				_ = cmd.Process.Kill()
				<-done
				t.Fatalf("qcmb run did not end; stderr:\n%s", stderr.String())
			}
			if started, _ := filepath.Glob(filepath.Join(pids, "grandchild-*")); len(started) == 0 {
				t.Fatalf("no program started; stderr:\n%s", stderr.String())
			}
			if left := markedProcesses(mark); len(left) > 0 {
				t.Errorf("processes of the run left running:\n%s\nstderr:\n%s", strings.Join(left, "\n"), stderr.String())
			}
			if left, _ := os.ReadDir(scratch); len(left) > 0 {
				t.Errorf("%d scratch entries left, first %s", len(left), left[0].Name())
			}
			if msg := stderr.String(); tc.signal != 0 && !strings.Contains(msg, "signal") {
				t.Errorf("stderr does not say a signal stopped the run:\n%s", msg)
			}
		})
	}
}
