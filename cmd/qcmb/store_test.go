package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/engine/hf"
	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/executor/store"
	"github.com/qcmb-go/qcmb/manybody/components"
	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/qcschema"
	"github.com/qcmb-go/qcmb/stats"
)

// testProgram is the embedded Hartree-Fock program with test controls in its keywords:
// "sleep" (seconds) before computing, and "fail_task" (a task label) failing until the
// file "fail_until" exists. The controls are removed before Hartree-Fock sees them.
const testProgram = "qcmb-test-hf"

func init() {
	engine.Register(testProgram, engine.ProgramFunc(func(ctx context.Context, in *qcschema.AtomicInput) (*qcschema.AtomicResult, error) {
		kw := maps.Clone(in.Keywords)
		if secs, ok := kw["sleep"].(float64); ok {
			select {
			case <-time.After(time.Duration(secs * float64(time.Second))):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		if task, _ := kw["fail_task"].(string); task == in.ID {
			path, _ := kw["fail_until"].(string)
			if _, err := os.Stat(path); err != nil {
				return nil, qcschema.NewFailedOperation(in, qcschema.ErrorInput, "test failure until "+path+" exists")
			}
		}
		for _, k := range []string{"sleep", "fail_task", "fail_until"} {
			delete(kw, k)
		}
		plain := *in
		plain.Keywords = kw
		return hf.Compute(ctx, &plain)
	}))
}

// testInput writes QCManyBody's water dimer cp/nocp input (5 tasks) for testProgram with
// the given test keywords and returns its path.
func testInput(t *testing.T, controls map[string]any) string {
	t.Helper()
	var in qcschema.ManyBodyInput
	require.NoError(t, readJSON(newRootCmd(), "../../testdata/inputs/qcmanybody_water_dimer_cp_energy.json", &in))
	spec := in.Specification.Specification["scf"]
	spec.Program = testProgram
	spec.Keywords = map[string]any{"scf_type": "pk", "e_convergence": 1e-10, "d_convergence": 1e-10, "puream": false}
	maps.Copy(spec.Keywords, controls)
	in.Specification.Specification["scf"] = spec
	path := filepath.Join(t.TempDir(), "input.json")
	require.NoError(t, os.WriteFile(path, mustJSON(t, &in), 0o644))
	return path
}

// storeShow is "qcmb store show --json".
func storeShow(t *testing.T, input, db string) (storeReport, error) {
	t.Helper()
	var rep storeReport
	out, err := execute(t, "store", "show", input, "--store", db, "--json")
	if err == nil {
		err = json.Unmarshal([]byte(out), &rep)
	}
	return rep, err
}

func readStats(t *testing.T, path string) *stats.Report {
	t.Helper()
	var rep stats.Report
	require.NoError(t, readJSON(newRootCmd(), path, &rep))
	return &rep
}

// reference runs the input uninterrupted without a store and returns the result file.
func reference(t *testing.T, input string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "reference.json")
	_, err := execute(t, "run", input, "--executor", "serial", "--no-store", "-o", out)
	require.NoError(t, err)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	var res qcschema.ManyBodyResult
	require.NoError(t, json.Unmarshal(data, &res))
	// Psi4's n-body driver on the same input: the cp interaction energy is returned.
	require.InDelta(t, loadPsi4NBody(t).ReturnEnergy, res.ReturnResult.Scalar, 1e-8)
	require.InDelta(t, -149.93, res.Properties.Energies["nocp_corrected_total_energy"], 0.01)
	return data
}

// startUntilStored starts "qcmb args" in a child process and returns once the store db
// holds n results for input: the child, the channel its exit arrives on, and its stderr.
func startUntilStored(t *testing.T, args []string, input, db string, n int, timeout time.Duration) (*exec.Cmd, chan error, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), asMainEnv+"=1")
	stderr := new(bytes.Buffer)
	cmd.Stderr = stderr
	require.NoError(t, cmd.Start())
	deadline := time.Now().Add(timeout)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	for {
		rep, err := storeShow(t, input, db)
		if err == nil && rep.Counts["done"] >= n {
			return cmd, exited, stderr
		}
		select {
		case err := <-exited:
			require.FailNowf(t, "the run ended before it was stopped", "%v; stderr:\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-exited
			require.FailNowf(t, "no results stored in time", "stderr:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A run killed with SIGKILL after some results are stored resumes: the rerun reuses
// them, computes the rest and writes the result of an uninterrupted run, byte for byte.
// SIGINT (Ctrl-C) ends a run the same way, with an exit status and a resume hint.
func TestRunResumesAfterKill(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			input := testInput(t, map[string]any{"sleep": 0.4})
			dir := t.TempDir()
			db := filepath.Join(dir, "results.db")
			out := filepath.Join(dir, "result.json")
			statsPath := filepath.Join(dir, "stats.json")
			args := []string{"run", input, "--executor", "serial", "--store", db, "-o", out, "--stats-json", statsPath}

			cmd, exited, stderr := startUntilStored(t, args, input, db, 2, 30*time.Second)
			require.NoError(t, cmd.Process.Signal(sig))
			err := <-exited
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "the run ends with an error status")
			if sig == syscall.SIGINT {
				require.Equal(t, 1, exit.ExitCode())
				require.Contains(t, stderr.String(), "interrupted:")
				require.Contains(t, stderr.String(), "run the same command again")
			}
			_, err = os.Stat(out)
			require.True(t, errors.Is(err, os.ErrNotExist), "no result file from an unfinished run")

			rep, err := storeShow(t, input, db)
			require.NoError(t, err)
			stored := rep.Counts["done"]
			require.GreaterOrEqual(t, stored, 2)
			require.Less(t, stored, 5, "the run was stopped before its end")
			require.Zero(t, rep.Counts["failed"])

			_, err = execute(t, args...)
			require.NoError(t, err)
			st := readStats(t, statsPath)
			require.Equal(t, stored, st.Reused)
			require.Equal(t, 5-stored, st.Computed)
			got, err := os.ReadFile(out)
			require.NoError(t, err)
			require.Equal(t, string(reference(t, input)), string(got))
		})
	}
}

// A run in which a task fails exits with an error that names the task, its error and
// how to resume; once the cause is gone the same command computes only that task.
func TestRunResumesAfterFailure(t *testing.T) {
	dir := t.TempDir()
	goAhead := filepath.Join(dir, "go-ahead")
	const bad = `["scf", [1, 2], [1, 2]]`
	input := testInput(t, map[string]any{"fail_task": bad, "fail_until": goAhead})
	db := filepath.Join(dir, "results.db")
	out := filepath.Join(dir, "result.json")
	statsPath := filepath.Join(dir, "stats.json")
	args := []string{"run", input, "--executor", "pool", "--workers", "2", "--store", db, "-o", out, "--stats-json", statsPath}

	_, err := execute(t, args...)
	require.Error(t, err)
	for _, want := range []string{bad, "test failure until", "4 finished results are kept in " + db, "run the same command again"} {
		require.Contains(t, err.Error(), want)
	}
	_, statErr := os.Stat(out)
	require.True(t, errors.Is(statErr, os.ErrNotExist))
	st := readStats(t, statsPath)
	require.Equal(t, 1, st.Failed)

	rep, err := storeShow(t, input, db)
	require.NoError(t, err)
	require.Equal(t, map[string]int{"done": 4, "failed": 1, "missing": 0}, rep.Counts)
	for _, task := range rep.Tasks {
		if task.Label == bad {
			require.Equal(t, "failed", task.Status)
			require.Equal(t, qcschema.ErrorInput, task.ErrorType)
			require.Contains(t, task.Error, "test failure until")
		}
	}
	text, err := execute(t, "store", "show", input, "--store", db)
	require.NoError(t, err)
	require.Contains(t, text, "5 tasks: 4 done, 1 failed, 0 missing")

	require.NoError(t, os.WriteFile(goAhead, nil, 0o644))
	_, err = execute(t, args...)
	require.NoError(t, err)
	st = readStats(t, statsPath)
	require.Equal(t, 4, st.Reused)
	require.Equal(t, 1, st.Computed)
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Equal(t, string(reference(t, input)), string(got))

	rep, err = storeShow(t, input, db)
	require.NoError(t, err)
	require.Equal(t, map[string]int{"done": 5, "failed": 0, "missing": 0}, rep.Counts)
	require.Len(t, rep.Runs, 2)
	require.Equal(t, "failed", rep.Runs[0].Status)
	require.Equal(t, "succeeded", rep.Runs[1].Status)
}

// The finished components a store exports give, through "qcmb analyze", the run's
// numbers exactly.
func TestStoreExportFeedsAnalyze(t *testing.T) {
	input := testInput(t, nil)
	dir := t.TempDir()
	db := filepath.Join(dir, "results.db")
	out := filepath.Join(dir, "result.json")
	_, err := execute(t, "run", input, "--store", db, "-o", out)
	require.NoError(t, err)
	comps := filepath.Join(dir, "components.json")
	_, err = execute(t, "store", "export", input, "--store", db, "-o", comps)
	require.NoError(t, err)
	var exported []components.Entry
	require.NoError(t, readJSON(newRootCmd(), comps, &exported))
	require.Len(t, exported, 5)

	analyzed, err := execute(t, "analyze", input, comps)
	require.NoError(t, err)
	var a, r qcschema.ManyBodyResult
	require.NoError(t, json.Unmarshal([]byte(analyzed), &a))
	require.NoError(t, readJSON(newRootCmd(), out, &r))
	require.Equal(t, string(mustJSON(t, r.Properties)), string(mustJSON(t, a.Properties)))
	require.Equal(t, r.ReturnResult.Scalar, a.ReturnResult.Scalar)
}

// Output paths are checked, and a store that is not one refused, before any task runs.
func TestRunChecksPathsFirst(t *testing.T) {
	input := testInput(t, map[string]any{"sleep": 60.0}) // would not finish in the test's time
	dir := t.TempDir()
	notes := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(notes, []byte("my notes"), 0o644))
	db := filepath.Join(dir, "results.db")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"-o in a missing directory", []string{"--store", db, "-o", filepath.Join(dir, "no", "such", "dir", "r.json")}, "-o:"},
		{"-o a directory", []string{"--store", db, "-o", dir}, "is a directory"},
		{"--stats-json in a missing directory", []string{"--store", db, "--stats-json", filepath.Join(dir, "missing", "s.json")}, "--stats-json:"},
		{"a store that is not one", []string{"--store", notes}, "not a qcmb result store"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := execute(t, append([]string{"run", input}, c.args...)...)
			require.Error(t, err)
			require.Contains(t, err.Error(), c.want)
			_, statErr := os.Stat(db)
			require.True(t, errors.Is(statErr, os.ErrNotExist), "no store was opened, no task ran")
		})
	}
	data, err := os.ReadFile(notes)
	require.NoError(t, err)
	require.Equal(t, "my notes", string(data))
}

func TestResumeHint(t *testing.T) {
	failed := []executor.Outcome{{ID: "t3", Err: errors.New("boom")}}
	completed := map[string]*qcschema.AtomicResult{"t1": {}, "t2": {}}
	cases := []struct {
		name  string
		err   error
		store string
		want  []string
	}{
		{"failed task", &computer.RunError{Failed: failed, Completed: completed, Err: errors.New("1 task failed")}, "r.db",
			[]string{"1 task failed", "2 finished results are kept in r.db", "run the same command again"}},
		{"interrupted", &computer.RunError{Completed: completed, Err: fmt.Errorf("executor: cancelled: %w", context.Canceled)}, "r.db",
			[]string{"interrupted: 2 of 5 tasks finished, 0 failed, 3 not run", "run the same command again"}},
		{"no store", &computer.RunError{Failed: failed, Completed: completed, Err: errors.New("x")}, "",
			[]string{"nothing was kept (--no-store)"}},
		{"store full", &computer.RunError{Completed: completed, Err: fmt.Errorf("store: %w", store.ErrFull)}, "r.db",
			[]string{"r.db is full; what it holds is intact", "run the same command again"}},
		{"store damaged", &computer.RunError{Err: fmt.Errorf("store: %w", store.ErrCorrupt)}, "r.db",
			[]string{"r.db is damaged", "--no-store"}},
		{"not a run error", errors.New("bad input"), "r.db", []string{"bad input"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := withResumeHint(c.err, 5, c.store)
			require.ErrorIs(t, err, c.err)
			for _, w := range c.want {
				require.Contains(t, err.Error(), w)
			}
		})
	}
}

// Two runs of one input share a store at once: both finish, with the same result as a run
// of its own.
func TestTwoRunsShareAStore(t *testing.T) {
	input := testInput(t, map[string]any{"sleep": 0.05})
	dir := t.TempDir()
	db := filepath.Join(dir, "results.db")
	var cmds []*exec.Cmd
	var outs []string
	for i := range 2 {
		out := filepath.Join(dir, fmt.Sprintf("result%d.json", i))
		cmd := exec.Command(os.Args[0], "run", input, "--executor", "pool", "--workers", "2", "--store", db, "-o", out)
		cmd.Env = append(os.Environ(), asMainEnv+"=1")
		require.NoError(t, cmd.Start())
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	for _, cmd := range cmds {
		require.NoError(t, cmd.Wait())
	}
	want := reference(t, input)
	for _, out := range outs {
		got, err := os.ReadFile(out)
		require.NoError(t, err)
		require.Equal(t, string(want), string(got))
	}
	rep, err := storeShow(t, input, db)
	require.NoError(t, err)
	require.Equal(t, map[string]int{"done": 5, "failed": 0, "missing": 0}, rep.Counts)
	require.Len(t, rep.Runs, 2)
}
