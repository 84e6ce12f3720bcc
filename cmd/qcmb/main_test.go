package main

import (
	"go.uber.org/goleak"

	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

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
	goleak.VerifyTestMain(m)
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
			args := []string{"run", dimerInput(t, c.program), "--executor", c.executor, "--workers", "2", "-o", out}
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

	// A missing component is an error that names the task.
	require.NoError(t, os.WriteFile(path, mustJSON(t, comps[1:]), 0o644))
	_, err = execute(t, "analyze", "../../testdata/inputs/qcmanybody_water_dimer_cp_energy.json", path)
	require.Error(t, err)
	require.Contains(t, err.Error(), "task [")
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
			out, err := execute(t, "plan", "../../testdata/inputs/"+c.input, "--json")
			require.NoError(t, err)
			var doc planDoc
			require.NoError(t, json.Unmarshal([]byte(out), &doc))
			require.Equal(t, c.ntasks, doc.NTasks)
			require.Len(t, doc.Tasks, c.ntasks)
			require.Equal(t, c.counts, doc.Counts)
			text, err := execute(t, "plan", "../../testdata/inputs/"+c.input)
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
	for _, name := range []string{"psi4", "xtb", "qcengine"} {
		_, listed := found[name]
		require.True(t, listed, "%s is registered", name)
	}
}
