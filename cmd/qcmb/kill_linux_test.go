package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/qcschema"
)

// fakePsi4 stands in for psi4: it answers --version, and otherwise starts a long-lived
// child in a session (and process group) of its own, writes a file into its scratch
// directory (its working directory) and sleeps: the hardest kind of program to clean up
// after. With QCMB_TEST_ANSWER_ON=file it answers with an energy once the file exists
// instead of sleeping on.
const fakePsi4 = `#!/bin/sh
if [ "$1" = "--version" ]; then echo 1.9.1; exit 0; fi
setsid sleep 300 &
echo $! > "$QCMB_TEST_PIDS/grandchild-$!"
echo data > scratch-file
echo $$ > "$QCMB_TEST_PIDS/program-$$"
if [ -n "$QCMB_TEST_ANSWER_ON" ]; then
	while [ ! -e "$QCMB_TEST_ANSWER_ON" ]; do sleep 0.05; done
	echo '{"success": true, "return_result": -1.5, "properties": {"return_energy": -1.5}}' > input.json
	exit 0
fi
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

// childRun is a "qcmb run" of the water dimer on the fake psi4, in a child process.
type childRun struct {
	cmd           *exec.Cmd
	done          chan error
	stderr        bytes.Buffer
	pids, scratch string // where the programs write their pids; their TMPDIR
	mark          string
}

func startChildRun(t *testing.T, args []string, env ...string) *childRun {
	t.Helper()
	return startChildRunWith(t, fakePsi4, args, env...)
}

// startChildRunWith is startChildRun with program as psi4.
func startChildRunWith(t *testing.T, program string, args []string, env ...string) *childRun {
	t.Helper()
	self, err := os.Executable()
	require.NoError(t, err)
	bin := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bin, "psi4"), []byte(program), 0o755))
	r := &childRun{done: make(chan error, 1), pids: t.TempDir(), scratch: t.TempDir(),
		mark: runMark + "=" + strconv.FormatInt(time.Now().UnixNano(), 36)}
	// --no-store: every run computes its tasks, whatever an earlier test stored.
	r.cmd = exec.Command(self, append([]string{"run", dimerInput(t, "psi4"), "--workers", "2", "--no-store"}, args...)...)
	r.cmd.Env = append(os.Environ(), asMainEnv+"=1", r.mark, "QCMB_TEST_PIDS="+r.pids, "TMPDIR="+r.scratch,
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	r.cmd.Env = append(r.cmd.Env, env...)
	r.cmd.Stderr = &r.stderr
	require.NoError(t, r.cmd.Start())
	go func() { r.done <- r.cmd.Wait() }()
	t.Cleanup(func() {
		for _, p := range markedProcesses(r.mark) {
			if pid, err := strconv.Atoi(strings.Fields(p)[0]); err == nil {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	return r
}

// waitPrograms waits until n programs have started.
func (r *childRun) waitPrograms(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		started, _ := filepath.Glob(filepath.Join(r.pids, "program-*"))
		if len(started) >= n {
			return
		}
		require.False(t, time.Now().After(deadline), "%d programs started, want %d; stderr:\n%s", len(started), n, r.stderr.String())
		time.Sleep(20 * time.Millisecond)
	}
}

// wait returns the run's exit error.
func (r *childRun) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-r.done:
		return err
	case <-time.After(120 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.done
		require.FailNowf(t, "qcmb run did not end", "stderr:\n%s", r.stderr.String())
		return nil
	}
}

// TestKilledRunLeavesNothing: after a task time-out, Ctrl-C (SIGINT) and SIGTERM to a
// "qcmb run" child process, with the subprocess and pool executors and a program that
// starts a child in a process group of its own, no process of the run is left running and
// no scratch directory remains. The statistics of a run stopped by a signal before any
// task finished count both workers busy with the tasks it interrupted, not idle.
func TestKilledRunLeavesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes and waits for time-outs")
	}
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
			statsPath := filepath.Join(t.TempDir(), "stats.json")
			r := startChildRun(t, append(tc.args, "--stats-json", statsPath))
			r.waitPrograms(t, 2)
			if tc.signal != 0 {
				require.NoError(t, r.cmd.Process.Signal(tc.signal))
			}
			require.Error(t, r.wait(t), "qcmb run succeeded; stderr:\n%s", r.stderr.String())
			assert.Empty(t, markedProcesses(r.mark), "processes of the run left running; stderr:\n%s", r.stderr.String())
			left, _ := os.ReadDir(r.scratch)
			assert.Empty(t, left, "scratch entries left")
			if tc.signal != 0 {
				assert.Contains(t, r.stderr.String(), "signal", "stderr does not say a signal stopped the run")
			}
			if tc.signal != 0 {
				data, err := os.ReadFile(statsPath)
				require.NoError(t, err)
				var st struct {
					TaskCount  int `json:"task_count"`
					WorkerBusy []struct {
						Worker      int     `json:"worker"`
						BusySeconds float64 `json:"busy_seconds"`
					} `json:"worker_busy"`
					Tasks []struct {
						Error string `json:"error"`
					} `json:"tasks"`
				}
				require.NoError(t, json.Unmarshal(data, &st))
				require.Len(t, st.WorkerBusy, 2, "both workers")
				for _, w := range st.WorkerBusy {
					require.Positive(t, w.BusySeconds, "worker %d computed until the signal", w.Worker)
				}
				require.Equal(t, 2, st.TaskCount, "the two interrupted tasks")
				for _, rec := range st.Tasks {
					require.Equal(t, interruptedError, rec.Error)
				}
			}
		})
	}
}

// TestStoppedRunDoesNotTimeOut: a "qcmb run" stopped with SIGSTOP for longer than its
// --timeout while its programs run, then continued, finishes once the programs answer: the
// time it was stopped does not count against the tasks (it used to fail every task in
// flight as timed out as soon as it continued).
func TestStoppedRunDoesNotTimeOut(t *testing.T) {
	if testing.Short() {
		t.Skip("stops a process for seconds")
	}
	for _, executor := range []string{"subprocess", "pool"} {
		t.Run(executor, func(t *testing.T) {
			answer := filepath.Join(t.TempDir(), "answer")
			r := startChildRun(t, []string{"--executor", executor, "--timeout", "4s", "--retries", "0", "-o", filepath.Join(t.TempDir(), "out.json")},
				"QCMB_TEST_ANSWER_ON="+answer)
			r.waitPrograms(t, 2)
			require.NoError(t, r.cmd.Process.Signal(syscall.SIGSTOP))
			time.Sleep(6 * time.Second)
			require.NoError(t, r.cmd.Process.Signal(syscall.SIGCONT))
			time.Sleep(time.Second) // running again, programs still at work
			require.NoError(t, os.WriteFile(answer, nil, 0o644))
			require.NoError(t, r.wait(t), "qcmb run failed after SIGSTOP/SIGCONT\n%s", r.stderr.String())
		})
	}
}

// TestResidentRunLeavesNothing: a "qcmb run" through the real Psi4, whose resident
// processes are computing, killed with SIGKILL (no chance to clean up; the next qcmb
// started removes what is left), interrupted with Ctrl-C or cut off by its time-out,
// leaves no process and no scratch directory, with the pool executor (resident processes
// are children of qcmb) and the subprocess executor (children of its workers).
func TestResidentRunLeavesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Psi4 and kills runs")
	}
	if _, err := exec.LookPath("psi4"); err != nil {
		t.Skip("psi4 not found on PATH: the resident Psi4 test needs it")
	}
	for _, tc := range []struct {
		name   string
		signal syscall.Signal // 0: none, the run ends by its time-out
		args   []string
	}{
		{"sigkill/pool", syscall.SIGKILL, []string{"--executor", "pool"}},
		{"sigkill/subprocess", syscall.SIGKILL, []string{"--executor", "subprocess"}},
		{"sigint/pool", syscall.SIGINT, []string{"--executor", "pool"}},
		{"timeout/pool", 0, []string{"--executor", "pool", "--timeout", "4s", "--retries", "0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := startResidentRun(t, tc.args)
			r.waitResident(t, 2)
			time.Sleep(time.Second) // into the tasks
			if tc.signal != 0 {
				require.NoError(t, r.cmd.Process.Signal(tc.signal))
			}
			require.Error(t, r.wait(t), "qcmb run succeeded; stderr:\n%s", r.stderr.String())
			if tc.signal == syscall.SIGKILL {
				r.nextStart(t) // removes what the killed run could not
			}
			// What the killed run could not end itself ends on its own: give it a moment.
			deadline := time.Now().Add(10 * time.Second)
			for time.Now().Before(deadline) {
				if left, _ := os.ReadDir(r.scratch); len(left) == 0 && len(markedProcesses(r.mark)) == 0 {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			assert.Empty(t, markedProcesses(r.mark), "processes of the run left running; stderr:\n%s", r.stderr.String())
			left, _ := os.ReadDir(r.scratch)
			assert.Empty(t, left, "scratch entries left")
		})
	}
}

// startResidentRun starts a "qcmb run" of the water dimer through Psi4 with a basis large
// enough that its tasks take seconds.
func startResidentRun(t *testing.T, args []string) *childRun {
	t.Helper()
	self, err := os.Executable()
	require.NoError(t, err)
	var in qcschema.ManyBodyInput
	require.NoError(t, readJSON(newRootCmd(), dimerInput(t, "psi4"), &in))
	spec := in.Specification.Specification["scf"]
	spec.Model.Basis = "aug-cc-pvtz"
	in.Specification.Specification["scf"] = spec
	input := filepath.Join(t.TempDir(), "input.json")
	data, err := json.Marshal(&in)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(input, data, 0o644))
	r := &childRun{done: make(chan error, 1), scratch: t.TempDir(),
		mark: runMark + "=" + strconv.FormatInt(time.Now().UnixNano(), 36)}
	r.cmd = exec.Command(self, append([]string{"run", input, "--workers", "2", "--no-store"}, args...)...)
	r.cmd.Env = append(os.Environ(), asMainEnv+"=1", r.mark, "TMPDIR="+r.scratch)
	r.cmd.Stderr = &r.stderr
	require.NoError(t, r.cmd.Start())
	go func() { r.done <- r.cmd.Wait() }()
	t.Cleanup(func() {
		for _, p := range markedProcesses(r.mark) {
			if pid, err := strconv.Atoi(strings.Fields(p)[0]); err == nil {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	return r
}

// waitResident waits until n resident Psi4 processes run.
func (r *childRun) waitResident(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		found := 0
		for _, p := range markedProcesses(r.mark) {
			if strings.Contains(p, "qcmb_driver.py") {
				found++
			}
		}
		if found >= n {
			return
		}
		require.False(t, time.Now().After(deadline), "%d resident processes, want %d; stderr:\n%s", found, n, r.stderr.String())
		time.Sleep(50 * time.Millisecond)
	}
}

// fakeStubbornProgram stands in for psi4 as fakePsi4 does, but ignores SIGTERM, and so does
// the child it starts in a session of its own: only SIGKILL ends them.
const fakeStubbornProgram = `#!/bin/sh
if [ "$1" = "--version" ]; then echo 1.9.1; exit 0; fi
trap '' TERM
setsid sh -c 'trap "" TERM; exec sleep 300' </dev/null >/dev/null 2>&1 &
echo data > scratch-file
mkdir -p program-scratch && echo data > program-scratch/file
echo $$ > "$QCMB_TEST_PIDS/program-$$"
exec sleep 300
`

// nextStart runs "qcmb --version" as the next qcmb started after r, in r's environment.
func (r *childRun) nextStart(t *testing.T) {
	t.Helper()
	self, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(self, "--version")
	cmd.Env = r.cmd.Env
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
}

// leftInTmp lists what is left in a run's TMPDIR.
func leftInTmp(t *testing.T, dir string) []string {
	t.Helper()
	var left []string
	_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if path != dir {
			left = append(left, strings.TrimPrefix(path, dir+"/"))
		}
		return nil
	})
	return left
}

// TestKilledRunCleanedByNextStart: after kill -9 of "qcmb run" (serial, pool and
// subprocess executors) whose program ignores SIGTERM and leaves a child in a session of
// its own, the next qcmb started (any command) kills every process of the killed run and
// removes its scratch; with no qcmb run alive, nothing of qcmb's or of a program's is left
// in TMPDIR. Processes Psi4 moved out of its process group and the qcmb-psi4-* scratch
// directories used to survive the killed run.
func TestKilledRunCleanedByNextStart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes and kills runs")
	}
	for _, ex := range []string{"serial", "pool", "subprocess"} {
		t.Run(ex, func(t *testing.T) {
			r := startChildRunWith(t, fakeStubbornProgram, []string{"--executor", ex, "--no-resident"})
			want := 2
			if ex == "serial" {
				want = 1
			}
			r.waitPrograms(t, want)
			require.NoError(t, r.cmd.Process.Signal(syscall.SIGKILL))
			require.Error(t, r.wait(t))
			if ex != "subprocess" { // subprocess workers are told to end, and may clean up first
				require.NotEmpty(t, markedProcesses(r.mark), "the killed run left processes (this test's premise)")
				require.NotEmpty(t, leftInTmp(t, r.scratch), "the killed run left scratch (this test's premise)")
			}
			r.nextStart(t)
			assert.Empty(t, markedProcesses(r.mark), "processes of the killed run")
			assert.Empty(t, leftInTmp(t, r.scratch), "left in TMPDIR")
		})
	}
}
