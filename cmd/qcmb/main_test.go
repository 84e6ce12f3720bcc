package main

import (
	"go.uber.org/goleak"

	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/internal/liveruns"
	"github.com/qcmb-go/qcmb/manybody"
	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/qcschema"
)

// TestMain lets the test binary stand in for "qcmb worker", so the subprocess executor can
// be tested without building the command first.
// With asMainEnv set, it is qcmb itself (main), so tests can run "qcmb run" as a child process
// and signal it.
func TestMain(m *testing.M) {
	if os.Getenv(asMainEnv) != "" || len(os.Args) > 1 && os.Args[1] == "worker" {
		main()
		os.Exit(0)
	}
	// Runs that name no store keep their results in a store of their own, not in the
	// source tree's .qcmb directory.
	dir, err := os.MkdirTemp("", "qcmb-test-store-")
	if err != nil {
		panic(err)
	}
	os.Setenv("QCMB_STORE", filepath.Join(dir, "results.db"))
	// Child runs the tests kill with SIGKILL register in, and leave their scratch in, a
	// TMPDIR of the tests' own, which is swept and removed at the end: nothing of them
	// lingers in the machine's TMPDIR until the next qcmb starts.
	tmp, err := os.MkdirTemp("", "qcmb-test-tmp-")
	if err != nil {
		panic(err)
	}
	os.Setenv("TMPDIR", tmp)
	code := m.Run()
	os.RemoveAll(dir)
	_ = engine.Close() // the resident processes of in-process runs
	// Begin kills what the runs the tests killed left behind.
	if swept, err := liveruns.Begin(); err == nil {
		swept.End()
	}
	os.RemoveAll(tmp)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

const asMainEnv = "QCMB_TEST_AS_MAIN"

// execute runs the root command with args and returns its standard output.
func execute(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

type psi4NBodyReference struct {
	ReturnEnergy float64            `json:"return_energy"`
	Properties   map[string]float64 `json:"properties"`
	Components   map[string]float64 `json:"components"`
}

func loadPsi4NBody(t *testing.T) psi4NBodyReference {
	t.Helper()
	data, err := os.ReadFile("../../testdata/psi4nbody/water_dimer_cp_nocp_energy.json")
	require.NoError(t, err)
	var ref psi4NBodyReference
	require.NoError(t, json.Unmarshal(data, &ref))
	return ref
}

// dimerInput is QCManyBody's water dimer cp/nocp input with the program replaced.
func dimerInput(t *testing.T, program string) string {
	t.Helper()
	var in qcschema.ManyBodyInput
	require.NoError(t, readJSON(newRootCmd(), "../../testdata/inputs/qcmanybody_water_dimer_cp_energy.json", &in))
	spec := in.Specification.Specification["scf"]
	spec.Program = program
	if program == "embedded" {
		spec.Keywords = map[string]any{"scf_type": "pk", "e_convergence": 1e-10, "d_convergence": 1e-10, "puream": false}
	}
	in.Specification.Specification["scf"] = spec
	path := filepath.Join(t.TempDir(), "input.json")
	data, err := json.Marshal(&in)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return path
}

// TestRunWaterDimerMatchesPsi4NBody runs QCManyBody's water dimer input through "qcmb run"
// with every executor and compares each property with what Psi4's n-body driver (the code
// QCManyBody grew from) computed for the same input.
func TestRunWaterDimerMatchesPsi4NBody(t *testing.T) {
	ref := loadPsi4NBody(t)
	cases := []struct{ program, executor string }{
		{"embedded", "serial"},
		{"embedded", "pool"},
		{"embedded", "subprocess"},
		{"psi4", "pool"},
	}
	var embedded []byte
	for _, c := range cases {
		t.Run(c.program+"/"+c.executor, func(t *testing.T) {
			if c.program == "psi4" {
				if _, err := exec.LookPath("psi4"); err != nil {
					t.Skip("psi4 not found on PATH; install it with apt-get install psi4")
				}
			}
			out := filepath.Join(t.TempDir(), "result.json")
			args := []string{"run", dimerInput(t, c.program), "--executor", c.executor, "--workers", "2", "-o", out,
				"--store", filepath.Join(t.TempDir(), "results.db")}
			if c.executor == "subprocess" {
				args = append(args, "--worker-command", os.Args[0]+" worker")
			}
			report, err := execute(t, args...)
			require.NoError(t, err)
			require.Contains(t, report, "speedup")

			var res qcschema.ManyBodyResult
			require.NoError(t, readJSON(newRootCmd(), out, &res))
			require.True(t, res.Success)
			require.InDelta(t, ref.ReturnEnergy, res.ReturnResult.Scalar, 1e-7)
			for name, want := range ref.Properties {
				got, ok := res.Properties.Energies[name]
				require.True(t, ok, "property %s missing", name)
				require.InDelta(t, want, got, 1e-7, name)
			}
			for label, want := range ref.Components {
				p, ok := res.ComponentProperties[label]
				require.True(t, ok, "component %s missing", label)
				require.InDelta(t, want, *p.ReturnEnergy, 1e-7, label)
			}
			if c.program == "embedded" {
				got, err := json.Marshal(struct {
					R qcschema.ReturnResult
					P qcschema.ManyBodyResultProperties
					C map[string]qcschema.AtomicResultProperties
				}{res.ReturnResult, res.Properties, res.ComponentProperties})
				require.NoError(t, err)
				if embedded == nil {
					embedded = got
				} else {
					require.Equal(t, string(embedded), string(got), "results differ between executors")
				}
			}
		})
	}
}

// TestAnalyzeFromComponents assembles the dimer from Psi4's fragment energies: the result
// must reproduce Psi4's n-body values to rounding.
func TestAnalyzeFromComponents(t *testing.T) {
	ref := loadPsi4NBody(t)
	var comps []map[string]any
	for label, e := range ref.Components {
		var parts []json.RawMessage
		require.NoError(t, json.Unmarshal([]byte(label), &parts))
		var mc string
		var real, basis []int
		require.NoError(t, json.Unmarshal(parts[0], &mc))
		require.NoError(t, json.Unmarshal(parts[1], &real))
		require.NoError(t, json.Unmarshal(parts[2], &basis))
		comps = append(comps, map[string]any{"mc": mc, "real": real, "basis": basis, "energy": e})
	}
	path := filepath.Join(t.TempDir(), "components.json")
	data, err := json.Marshal(comps)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, data, 0o644))

	out, err := execute(t, "analyze", "../../testdata/inputs/qcmanybody_water_dimer_cp_energy.json", path)
	require.NoError(t, err)
	var res qcschema.ManyBodyResult
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	require.InDelta(t, ref.ReturnEnergy, res.ReturnResult.Scalar, 1e-10)
	for name, want := range ref.Properties {
		require.InDelta(t, want, res.Properties.Energies[name], 1e-10, name)
	}

	// -o writes the same result to a file and nothing to standard output.
	result := filepath.Join(t.TempDir(), "result.json")
	quiet, err := execute(t, "analyze", "../../testdata/inputs/qcmanybody_water_dimer_cp_energy.json", path, "-o", result)
	require.NoError(t, err)
	require.Empty(t, quiet)
	written, err := os.ReadFile(result)
	require.NoError(t, err)
	require.Equal(t, out, string(written))
	// -o naming an input is refused before anything is read.
	_, err = execute(t, "analyze", "../../testdata/inputs/qcmanybody_water_dimer_cp_energy.json", path, "-o", path)
	require.ErrorContains(t, err, "-o")

	// A missing component is an error that names the task, and -o writes nothing.
	require.NoError(t, os.WriteFile(path, mustJSON(t, comps[1:]), 0o644))
	missing := filepath.Join(t.TempDir(), "missing.json")
	_, err = execute(t, "analyze", "../../testdata/inputs/qcmanybody_water_dimer_cp_energy.json", path, "-o", missing)
	require.Error(t, err)
	require.Contains(t, err.Error(), "task [")
	require.NoFileExists(t, missing)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return data
}

func TestPlanCommand(t *testing.T) {
	cases := []struct {
		input  string
		ntasks int
		counts map[string]map[string]int
	}{
		// cp+nocp energy, interaction data: 2 monomers in the dimer basis, 2 in their own
		// basis (nocp), 1 dimer.
		{"qcmanybody_water_dimer_cp_energy.json", 5, map[string]map[string]int{"scf": {"1": 4, "2": 1}}},
		// vmfc through 2-body of 3 waters: 3 + 3*2 monomers, 3 dimers.
		{"qcmanybody_water_trimer_vmfc_embedding_energy.json", 12, map[string]map[string]int{"(auto)": {"1": 9, "2": 3}}},
	}
	for _, c := range cases {
		t.Run(c.input, func(t *testing.T) {
			// --no-check: the plan alone, whether or not psi4 (the inputs' program) is here.
			out, err := execute(t, "plan", "../../testdata/inputs/"+c.input, "--json", "--no-check")
			require.NoError(t, err)
			var doc planDoc
			require.NoError(t, json.Unmarshal([]byte(out), &doc))
			require.Equal(t, c.ntasks, doc.NTasks)
			require.Len(t, doc.Tasks, c.ntasks)
			require.Equal(t, c.counts, doc.Counts)
			text, err := execute(t, "plan", "../../testdata/inputs/"+c.input, "--no-check")
			require.NoError(t, err)
			require.Contains(t, text, "tasks")
		})
	}
}

func TestComputeCommand(t *testing.T) {
	dir := t.TempDir()
	water := `{"schema_name":"qcschema_input","schema_version":1,"driver":"gradient",
	 "model":{"method":"hf","basis":"sto-3g"},"keywords":{},
	 "molecule":{"symbols":["O","H","H"],"geometry":[0,0,-0.1294769411,0,-1.494187339,1.027187872,0,1.494187339,1.027187872]}}`
	path := filepath.Join(dir, "water.json")
	require.NoError(t, os.WriteFile(path, []byte(water), 0o644))
	out, err := execute(t, "compute", path)
	require.NoError(t, err)
	var res qcschema.AtomicResult
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	require.True(t, res.Success)
	// Psi4 1.3.2, HF/STO-3G, same geometry (testdata of engine/hf).
	require.InDelta(t, -74.96466204537425, *res.Properties.ReturnEnergy, 1e-6)
	require.Len(t, res.ReturnResult.Array, 9)
	var sum float64
	for i := 2; i < 9; i += 3 {
		sum += res.ReturnResult.Array[i]
	}
	require.InDelta(t, 0, sum, 1e-8, "forces on a free molecule sum to zero")

	bad := strings.Replace(water, "sto-3g", "no-such-basis", 1)
	require.NoError(t, os.WriteFile(path, []byte(bad), 0o644))
	out, err = execute(t, "compute", path)
	require.Error(t, err)
	var failed qcschema.FailedOperation
	require.NoError(t, json.Unmarshal([]byte(out), &failed))
	require.False(t, failed.Success)
	require.Contains(t, failed.ComputeError.ErrorMessage, "no-such-basis")
}

func TestEnginesCommand(t *testing.T) {
	out, err := execute(t, "engines", "--json")
	require.NoError(t, err)
	var infos []struct {
		Name      string `json:"name"`
		Available bool   `json:"available"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &infos))
	found := map[string]bool{}
	for _, in := range infos {
		found[in.Name] = in.Available
	}
	require.True(t, found["embedded"], "the embedded program is always available")
	for _, name := range []string{"psi4", "xtb", "qcengine", "nwchem", "cfour", "gamess", "mrchem"} {
		_, listed := found[name]
		require.True(t, listed, "%s is listed", name)
	}
}

// TestErrorsBeforeWork: inputs that cannot run are refused before any task runs, each with
// one error that says what is wrong and what to do.
func TestErrorsBeforeWork(t *testing.T) {
	dir := t.TempDir()
	write := func(name, doc string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(doc), 0o644))
		return path
	}
	atomic := write("atomic.json", `{"schema_name":"qcschema_input","schema_version":1,"driver":"energy",
	 "model":{"method":"hf","basis":"sto-3g"},"molecule":{"symbols":["He"],"geometry":[0,0,0]}}`)
	bare := write("bare.json", `{"driver":"energy","model":{"method":"hf","basis":"sto-3g"},"molecule":{"symbols":["He"],"geometry":[0,0,0]}}`)

	var in qcschema.ManyBodyInput
	require.NoError(t, readJSON(newRootCmd(), dimerInput(t, "embedded"), &in))
	spec := in.Specification.Specification["scf"]
	spec.Model.Basis = "def2-qzvpp"
	in.Specification.Specification["scf"] = spec
	badBasis := write("basis.json", string(mustJSON(t, &in)))

	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"run atomic input", []string{"run", atomic}, []string{"AtomicInput", "qcmb compute"}},
		{"run atomic input without schema_name", []string{"run", bare}, []string{"AtomicInput", "qcmb compute"}},
		{"plan atomic input", []string{"plan", atomic}, []string{"AtomicInput"}},
		{"run unknown basis", []string{"run", badBasis, "--executor", "serial", "--no-store"}, []string{`"scf"`, "def2-qzvpp"}},
		{"plan unknown basis", []string{"plan", badBasis}, []string{"cannot run here", "def2-qzvpp"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := execute(t, c.args...)
			require.Error(t, err)
			for _, w := range c.want {
				require.Contains(t, err.Error(), w)
			}
			require.NotContains(t, err.Error(), "\n", "one line")
		})
	}
}

// TestAnalyzeFormats: qcmb analyze assembles the same result, bitwise, from every format
// users have: the component list, QCManyBody's label-keyed dictionary, a JSON-lines file of
// AtomicResults, and a directory of AtomicResults without labels (matched by molecule).
func TestAnalyzeFormats(t *testing.T) {
	dir := t.TempDir()
	var in qcschema.ManyBodyInput
	require.NoError(t, readJSON(newRootCmd(), dimerInput(t, "embedded"), &in))
	in.Specification.Driver = qcschema.DriverGradient
	in.Specification.Protocols.ComponentResults = "all"
	input := filepath.Join(dir, "input.json")
	require.NoError(t, os.WriteFile(input, mustJSON(t, &in), 0o644))
	out, err := execute(t, "run", input, "--executor", "serial", "--no-store")
	require.NoError(t, err)
	var run qcschema.ManyBodyResult
	require.NoError(t, json.Unmarshal([]byte(out), &run))
	require.Len(t, run.ComponentResults, 5)

	var list []map[string]any
	dict := map[string]map[string]any{}
	var lines bytes.Buffer
	resultsDir := filepath.Join(dir, "results")
	require.NoError(t, os.Mkdir(resultsDir, 0o755))
	k := 0
	for label, r := range run.ComponentResults {
		task, err := manybody.ParseLabel(label)
		require.NoError(t, err)
		p := r.Properties
		list = append(list, map[string]any{"mc": task.MC, "real": task.Real, "basis": task.Basis,
			"energy": *p.ReturnEnergy, "gradient": p.ReturnGradient})
		dict[label] = map[string]any{"energy": *p.ReturnEnergy, "gradient": p.ReturnGradient}
		lines.Write(mustJSON(t, &r))
		lines.WriteByte('\n')
		r.ID = "" // matched by molecule
		k++
		require.NoError(t, os.WriteFile(filepath.Join(resultsDir, fmt.Sprintf("r%d.json", k)), mustJSON(t, &r), 0o644))
	}
	files := map[string][]byte{"list.json": mustJSON(t, list), "dict.json": mustJSON(t, dict), "results.jsonl": lines.Bytes()}
	for name, data := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	for _, source := range []string{"list.json", "dict.json", "results.jsonl", "results"} {
		t.Run(source, func(t *testing.T) {
			out, err := execute(t, "analyze", input, filepath.Join(dir, source))
			require.NoError(t, err)
			var res qcschema.ManyBodyResult
			require.NoError(t, json.Unmarshal([]byte(out), &res))
			require.Equal(t, run.ReturnResult.Array, res.ReturnResult.Array, "gradient bitwise")
			require.Equal(t, run.Properties.Energies, res.Properties.Energies)
		})
	}
	// A dictionary missing a task names it.
	for label := range dict {
		delete(dict, label)
		break
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "short.json"), mustJSON(t, dict), 0o644))
	_, err = execute(t, "analyze", input, filepath.Join(dir, "short.json"))
	require.ErrorContains(t, err, "no result for task [")
}

func TestVersion(t *testing.T) {
	out, err := execute(t, "--version")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(out, "qcmb "), out)
	info := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.2.0"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-12-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	require.Equal(t, "v0.2.0 (revision 0123456789ab, 2026-12-01T10:00:00Z, modified), go1.26.8", formatVersion(info))
	info.Main.Version, info.Settings = "(devel)", nil
	require.Equal(t, computer.Version+"-devel, go1.26.8", formatVersion(info))
}

// defaultInputs reads input files as a command does with the default --max-input.
func defaultInputs() inputReader {
	return inputReader{ctx: context.Background(), limit: defaultMaxInput}
}
