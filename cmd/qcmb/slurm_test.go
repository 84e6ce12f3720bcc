package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/qcschema"
)

// needSlurm skips the test unless Slurm's commands are here and a node is up (CI starts a
// one-node cluster with .ci/start-slurm.sh).
func needSlurm(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("sinfo"); err != nil {
		t.Skip("sinfo not found: the Slurm tests need a running Slurm (see .ci/start-slurm.sh)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, _ := exec.CommandContext(ctx, "sinfo", "-h", "-N", "-o", "%T").Output()
	for state := range strings.FieldsSeq(string(out)) {
		if state == "idle" || state == "mixed" || state == "allocated" {
			return
		}
	}
	t.Skipf("no Slurm node is up (sinfo: %q): the Slurm tests need one (see .ci/start-slurm.sh)", strings.TrimSpace(string(out)))
}

// buildQcmb builds the qcmb command into a temporary directory (srun starts the binary of
// the running program as the worker, so the tests need a real qcmb).
func buildQcmb(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "qcmb")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// writeWater4Input writes the ManyBodyInput of examples/water4: the cyclic water tetramer,
// one fragment per water, cp, nocp and vmfc through 4-body, HF in basis (65 tasks).
func writeWater4Input(t *testing.T, basis string) string {
	t.Helper()
	xyz, err := os.ReadFile("../../examples/water4/water4.xyz")
	require.NoError(t, err)
	mol, err := qcschema.ParseXYZ(bytes.NewReader(xyz))
	require.NoError(t, err)
	mol.Fragments = [][]int{{0, 1, 2}, {3, 4, 5}, {6, 7, 8}, {9, 10, 11}}
	mol.FragmentCharges, mol.FragmentMultiplicities = nil, nil
	require.NoError(t, mol.Normalize())
	rtd := true
	in := qcschema.ManyBodyInput{
		SchemaName: qcschema.SchemaManyBodyInput, SchemaVersion: 1, Molecule: *mol,
		Specification: qcschema.ManyBodySpecification{
			SchemaName: qcschema.SchemaManyBodySpecification, SchemaVersion: 1, Driver: qcschema.DriverEnergy,
			Keywords: qcschema.ManyBodyKeywords{SchemaName: qcschema.SchemaManyBodyKeywords, SchemaVersion: 1,
				BsseType: qcschema.BsseList{qcschema.BsseCP, qcschema.BsseNoCP, qcschema.BsseVMFC}, ReturnTotalData: &rtd},
			Specification: map[string]qcschema.AtomicSpecification{"(auto)": {
				SchemaName: qcschema.SchemaAtomicSpecification, SchemaVersion: 1, Program: "embedded",
				Driver: qcschema.DriverEnergy, Model: qcschema.Model{Method: "hf", Basis: basis}}},
		},
	}
	data, err := json.Marshal(&in)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "water4.json")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return path
}

// outsideEnv is this process's environment without the variables of a Slurm allocation.
func outsideEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SLURM_") || strings.HasPrefix(kv, "SLURM_CONF=") {
			env = append(env, kv)
		}
	}
	return env
}

// qcmbRun runs "qcmb run" in a directory of its own (so no store is shared between runs)
// and returns the result file's bytes.
func qcmbRun(t *testing.T, bin, input string, args ...string) []byte {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"run", input, "-o", "result.json", "--no-store"}, args...)...)
	cmd.Dir, cmd.Env = dir, outsideEnv()
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "qcmb run %v:\n%s", args, out)
	t.Logf("qcmb run %v:\n%s", args, out)
	res, err := os.ReadFile(filepath.Join(dir, "result.json"))
	require.NoError(t, err)
	return res
}

// TestRunWater4Slurm: the water tetramer through the Slurm executor, from outside any
// allocation and from inside an sbatch job, gives the serial result bitwise.
func TestRunWater4Slurm(t *testing.T) {
	if testing.Short() {
		t.Skip("3 × 65 Hartree-Fock calculations")
	}
	needSlurm(t)
	bin := buildQcmb(t)
	input := writeWater4Input(t, "sto-3g")
	serial := qcmbRun(t, bin, input, "--executor", "serial")
	var res qcschema.ManyBodyResult
	require.NoError(t, json.Unmarshal(serial, &res))
	require.Less(t, res.Properties.Energies["nocp_corrected_interaction_energy"], 0.0, "the tetramer binds")

	outside := qcmbRun(t, bin, input, "--executor", "slurm", "--workers", "2", "--mem-per-worker", "300M", "--stats-json", "stats.json")
	require.Equal(t, string(serial), string(outside), "Slurm result (outside an allocation) differs from serial")

	// Inside an allocation: sbatch --wait runs qcmb with two one-CPU steps.
	dir := t.TempDir()
	script := fmt.Sprintf("#!/bin/sh\nexec %q run %q --executor slurm --no-store -o result.json\n", bin, input)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "job.sh"), []byte(script), 0o755))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sbatch", "--wait", "--quiet", "--ntasks=2", "--mem=1G", "--time=10",
		"--job-name=qcmb-test", "-o", "job.out", "job.sh")
	cmd.Dir, cmd.Env = dir, outsideEnv()
	msg, err := cmd.CombinedOutput()
	log, _ := os.ReadFile(filepath.Join(dir, "job.out"))
	require.NoError(t, err, "sbatch: %s\njob output:\n%s", msg, log)
	t.Logf("inside an allocation:\n%s", log)
	require.Contains(t, string(log), "worker start-up   2 started", "two steps started inside the allocation")
	inside, err := os.ReadFile(filepath.Join(dir, "result.json"))
	require.NoError(t, err)
	require.Equal(t, string(serial), string(inside), "Slurm result (inside an allocation) differs from serial")
}

// TestRunSlurmSIGTERM: SIGTERM to a running "qcmb run --executor slurm" leaves nothing in
// squeue and no worker process within 10 s.
func TestRunSlurmSIGTERM(t *testing.T) {
	needSlurm(t)
	bin := buildQcmb(t)
	input := writeWater4Input(t, "cc-pvdz") // long enough to be running when terminated
	cmd := exec.Command(bin, "run", input, "--executor", "slurm", "--workers", "2", "--mem-per-worker", "300M", "--no-store", "-o", "result.json")
	cmd.Dir, cmd.Env = t.TempDir(), outsideEnv()
	var out syncBuffer // read while the run writes to it
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	prefix := fmt.Sprintf("qcmb-%d-", cmd.Process.Pid)
	jobs := func(state string) []string {
		args := []string{"-h", "-o", "%i %j"}
		if state != "" {
			args = append(args, "-t", state)
		}
		q, err := exec.Command("squeue", args...).Output()
		require.NoError(t, err)
		var ids []string
		for line := range strings.Lines(string(q)) {
			if f := strings.Fields(line); len(f) == 2 && strings.HasPrefix(f[1], prefix) {
				ids = append(ids, f[0])
			}
		}
		return ids
	}
	// Wait until both workers run (and so compute).
	deadline := time.Now().Add(2 * time.Minute)
	for len(jobs("R")) < 2 {
		require.False(t, time.Now().After(deadline), "workers not running after 2 minutes:\n%s", out.String())
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	signalled := time.Now()
	select {
	case err := <-exited:
		require.Error(t, err, "qcmb run should fail when terminated")
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
		require.FailNowf(t, "qcmb run still running 10 s after SIGTERM", "%s", out.String())
	}
	t.Logf("qcmb run ended %v after SIGTERM:\n%s", time.Since(signalled), out.String())
	require.Empty(t, jobs(""), "jobs left in squeue")
	require.Empty(t, workerProcesses(t, bin), "worker processes left")
	require.Less(t, time.Since(signalled), 10*time.Second)
}

// workerProcesses returns the pids of processes running "BIN worker".
func workerProcesses(t *testing.T, bin string) []int {
	t.Helper()
	dirs, err := filepath.Glob("/proc/[0-9]*/cmdline")
	require.NoError(t, err)
	var pids []int
	for _, path := range dirs {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		args := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
		if len(args) >= 2 && args[0] == bin && args[1] == "worker" {
			var pid int
			fmt.Sscan(strings.Split(path, "/")[2], &pid)
			pids = append(pids, pid)
		}
	}
	return pids
}

// TestRunFlagsForOtherExecutors: flags that make no sense for the executor are errors.
func TestRunFlagsForOtherExecutors(t *testing.T) {
	t.Setenv("SLURM_JOB_ID", "")
	input := dimerInput(t, "embedded")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--executor", "serial", "--worker-command", "x worker"}, "--worker-command applies to --executor subprocess or slurm only"},
		{[]string{"--executor", "pool", "--worker-command", "x worker"}, "--worker-command applies to --executor subprocess or slurm only"},
		{[]string{"--executor", "subprocess", "--partition", "big"}, "--partition applies to --executor slurm only"},
		{[]string{"--executor", "pool", "--srun-arg", "--exclusive"}, "--srun-arg applies to --executor slurm only"},
		{[]string{"--executor", "grid"}, `--executor "grid": want serial, pool, subprocess or slurm`},
		{[]string{"--executor", "slurm"}, "--executor slurm outside an allocation needs --workers N"},
	} {
		_, err := execute(t, append([]string{"run", input}, c.args...)...)
		require.ErrorContains(t, err, c.want, "args %v", c.args)
	}
}
