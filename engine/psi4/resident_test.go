package psi4

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/qcschema"
)

// mixedTasks is a sequence of tasks that differ in every way a resident process could carry
// over from one to the next: molecule, ghosts, basis, method, driver, charge and
// multiplicity, embedding charges, keywords, and one that Psi4 refuses.
func mixedTasks(t *testing.T) []*qcschema.AtomicInput {
	ref := loadReference(t)
	water := ref.Records[0].Molecule
	dimer, _ := dimer(t)
	ghosted := ref.Records[3].Molecule
	hydroxide := qcschema.Molecule{Symbols: []string{"O", "H"}, Geometry: []float64{0, 0, 0, 0, 0, 1.83}, MolecularCharge: -1}
	radical := hydroxide
	radical.MolecularCharge, radical.MolecularMultiplicity = 0, 2
	embedded := water
	embedded.Extras = map[string]any{"embedding_charges": []any{[]any{0.5, []any{0.0, 8.0, 3.0}}, []any{-0.3, []any{5.0, -2.0, 1.0}}}}
	sto, g631 := qcschema.Model{Method: "hf", Basis: "sto-3g"}, qcschema.Model{Method: "hf", Basis: "6-31g"}
	tight := map[string]any{"scf_type": "pk", "e_convergence": 1e-10, "d_convergence": 1e-10}
	return []*qcschema.AtomicInput{
		input(water, qcschema.DriverEnergy, sto, ref.Keywords),
		input(dimer, qcschema.DriverGradient, g631, map[string]any{"scf_type": "df", "puream": true}),
		input(ghosted, qcschema.DriverGradient, sto, tight),
		input(hydroxide, qcschema.DriverEnergy, g631, nil),
		input(radical, qcschema.DriverGradient, sto, map[string]any{"reference": "uhf", "scf_type": "pk"}),
		input(embedded, qcschema.DriverGradient, sto, tight),
		input(water, qcschema.DriverEnergy, qcschema.Model{Method: "mp2", Basis: "6-31g"}, map[string]any{"mp2_type": "conv", "freeze_core": true}),
		input(water, qcschema.DriverEnergy, sto, map[string]any{"no_such_option_anywhere": 3}),
		input(water, qcschema.DriverEnergy, sto, ref.Keywords),
		input(water, qcschema.DriverEnergy, sto, nil),
	}
}

// outcome is a result or failure as JSON, without what differs from run to run (Psi4's
// output text, which has timings and dates, and the failure's traceback and output).
func outcome(t *testing.T) func(*qcschema.AtomicResult, error) string {
	return func(res *qcschema.AtomicResult, err error) string {
		t.Helper()
		return describe(t, res, err)
	}
}

func describe(t *testing.T, res *qcschema.AtomicResult, err error) string {
	t.Helper()
	if err != nil {
		var fo *qcschema.FailedOperation
		require.ErrorAs(t, err, &fo)
		return fo.ComputeError.ErrorType + ": " + fo.ComputeError.ErrorMessage
	}
	r := *res
	r.Stdout = nil
	if q, ok := r.Extras["qcvars"].(map[string]any); ok {
		// Psi4 1.3's conventional MP2 computes these from uninitialized memory: they are 0
		// or the SOS-MP2 value from one run of psi4 --json alone to the next.
		q = maps.Clone(q)
		delete(q, "SOS-MP2 CORRELATION ENERGY")
		delete(q, "SOS-MP2 TOTAL ENERGY")
		r.Extras = maps.Clone(r.Extras)
		r.Extras["qcvars"] = q
	}
	data, err := json.Marshal(&r)
	require.NoError(t, err)
	return string(data)
}

// startCounter is an engine.Trace that counts resident process starts.
type startCounter struct {
	mu     sync.Mutex
	starts []engine.ProcessStart
}

func (c *startCounter) context(ctx context.Context) context.Context {
	return engine.WithTrace(ctx, &engine.Trace{ProcessStarted: func(s engine.ProcessStart) {
		c.mu.Lock()
		c.starts = append(c.starts, s)
		c.mu.Unlock()
	}})
}

func (c *startCounter) list() []engine.ProcessStart {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]engine.ProcessStart(nil), c.starts...)
}

// TestResidentSameResults: a sequence of different tasks run one after another in one
// resident process gives, task for task, bitwise the results of each task run alone in a
// Psi4 process of its own, a task Psi4 refuses included; and the resident process stays
// the same throughout.
func TestResidentSameResults(t *testing.T) {
	p := needPsi4(t)
	alone := &Program{Scratch: p.Scratch, NoResident: true}
	tasks := mixedTasks(t)
	var starts startCounter
	ctx := starts.context(context.Background())
	for i, in := range tasks {
		want := outcome(t)(alone.Compute(context.Background(), in))
		got := outcome(t)(p.Compute(ctx, in))
		assert.Equal(t, want, got, "task %d (%s %s %s)", i, in.Model.Method, in.Model.Basis, in.Driver)
	}
	assert.Len(t, starts.list(), 1, "the tasks did not all run in one resident process")
	assert.Contains(t, outcome(t)(p.Compute(ctx, tasks[7])), "input_error", "the bad keyword was not refused")
	require.NoError(t, p.Close())
	ents, err := os.ReadDir(p.Scratch)
	require.NoError(t, err)
	assert.Empty(t, ents, "scratch left after Close")
}

// TestResidentKilledMidTask: a resident process killed while it computes is replaced, and
// the task runs again in the new one, with the result it has alone.
func TestResidentKilledMidTask(t *testing.T) {
	p := needPsi4(t)
	mol, _ := dimer(t)
	in := input(mol, qcschema.DriverEnergy, qcschema.Model{Method: "hf", Basis: "aug-cc-pvdz"}, map[string]any{"scf_type": "pk"})
	var starts startCounter
	ctx := starts.context(context.Background())
	type computed struct {
		res *qcschema.AtomicResult
		err error
	}
	done := make(chan computed, 1)
	go func() {
		res, err := p.Compute(ctx, in)
		done <- computed{res, err}
	}()
	deadline := time.Now().Add(time.Minute)
	for len(starts.list()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	require.NotEmpty(t, starts.list(), "no resident process started")
	victim := starts.list()[0].Pid
	time.Sleep(300 * time.Millisecond) // into the SCF, which takes over a second
	proc, err := os.FindProcess(victim)
	require.NoError(t, err)
	require.NoError(t, proc.Kill())
	got := <-done
	require.NoError(t, got.err)
	s := starts.list()
	require.Len(t, s, 2, "the killed process was not replaced (or the task finished before the kill)")
	assert.NotEqual(t, victim, s[1].Pid)
	want := outcome(t)((&Program{Scratch: p.Scratch, NoResident: true}).Compute(context.Background(), in))
	assert.Equal(t, want, describe(t, got.res, nil))
}

// TestResidentTimeout: a task cut off by its context ends its resident process and leaves
// no scratch; the next task starts a new process.
func TestResidentTimeout(t *testing.T) {
	p := needPsi4(t)
	mol, kw := dimer(t)
	var starts startCounter
	slow := input(mol, qcschema.DriverGradient, qcschema.Model{Method: "mp2", Basis: "aug-cc-pvtz"}, kw)
	ctx, cancel := context.WithTimeout(starts.context(context.Background()), 3*time.Second)
	defer cancel()
	_, err := p.Compute(ctx, slow)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Len(t, starts.list(), 1)
	assert.False(t, running(starts.list()[0].Pid), "the timed-out resident process still runs")
	ents, err := os.ReadDir(p.Scratch)
	require.NoError(t, err)
	assert.Empty(t, ents, "scratch left after the time-out")
	ref := loadReference(t)
	res, err := p.Compute(starts.context(context.Background()), input(ref.Records[0].Molecule, qcschema.DriverEnergy, qcschema.Model{Method: "hf", Basis: "sto-3g"}, ref.Keywords))
	require.NoError(t, err)
	assert.InDelta(t, ref.Records[0].ReturnEnergy, *res.Properties.ReturnEnergy, 1e-7)
	assert.Len(t, starts.list(), 2)
}

// TestResidentFallsBack: when no resident process starts (here the psi4 command is a shell
// script, whose interpreter cannot run the driver), tasks run in processes of their own.
func TestResidentFallsBack(t *testing.T) {
	p := needPsi4(t)
	path := t.TempDir() + "/psi4"
	real, err := exec.LookPath("psi4")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, []byte(fmt.Sprintf("#!/bin/sh\nexec %q \"$@\"\n", real)), 0o755))
	q := &Program{Command: path, Scratch: p.Scratch}
	t.Cleanup(func() { q.Close() })
	ref := loadReference(t)
	var starts startCounter
	res, err := q.Compute(starts.context(context.Background()), input(ref.Records[0].Molecule, qcschema.DriverEnergy, qcschema.Model{Method: "hf", Basis: "sto-3g"}, ref.Keywords))
	require.NoError(t, err)
	assert.InDelta(t, ref.Records[0].ReturnEnergy, *res.Properties.ReturnEnergy, 1e-7)
	assert.Empty(t, starts.list())
}

func TestShebangAndPythonPath(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := dir + "/" + name
		require.NoError(t, os.WriteFile(path, []byte(text), 0o755))
		return path
	}
	sh, err := exec.LookPath("sh")
	require.NoError(t, err)
	for _, tc := range []struct {
		script, want, wantErr string
	}{
		{"#!/usr/bin/python3\nimport sys\n", "/usr/bin/python3", ""},
		{"#! /opt/conda/bin/python3.10 -u\n", "/opt/conda/bin/python3.10", ""},
		{"#!/usr/bin/env -S sh -e\n", sh, ""},
		{"ELF\x00binary", "", "no #! line"},
	} {
		got, err := shebang(write("s", tc.script))
		if tc.wantErr != "" {
			assert.ErrorContains(t, err, tc.wantErr)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tc.want, got)
	}
	assert.Equal(t, "/usr/lib/x86_64-linux-gnu/", pythonPath("export PATH=/usr/bin:$PATH\nexport PYTHONPATH=/usr/lib/x86_64-linux-gnu/:$PYTHONPATH\n"))
	assert.Equal(t, "/a:/b", pythonPath(`export PYTHONPATH="/a:/b:${PYTHONPATH}"`))
	assert.Equal(t, "", pythonPath("nothing here\n"))
}

// running reports whether process pid runs (a zombie does not).
func running(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	for i := len(stat) - 1; i > 0; i-- {
		if stat[i] == ')' {
			return i+2 < len(stat) && stat[i+2] != 'Z'
		}
	}
	return false
}
