package computer_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/qcmb-go/qcmb/engine"
	_ "github.com/qcmb-go/qcmb/engine/hf"
	_ "github.com/qcmb-go/qcmb/engine/qcengine"
	_ "github.com/qcmb-go/qcmb/engine/xtb"
	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/manybody"
	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/qcschema"
	"github.com/qcmb-go/qcmb/stats"
)

const (
	fakeProgram = "manybody-test-fake"
	workerEnv   = "QCMB_MANYBODY_TEST_WORKER"
)

func init() {
	engine.Register(fakeProgram, engine.ProgramFunc(fakeCompute))
}

// TestMain lets the test binary serve the worker protocol for the Subprocess executor.
func TestMain(m *testing.M) {
	if os.Getenv(workerEnv) == "1" {
		if err := executor.Serve(context.Background(), os.Stdin, os.Stdout, executor.EngineRunner()); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

// fakeCompute is a deterministic stand-in for a quantum chemistry program: energy,
// gradient and Hessian are smooth functions of the real atoms' positions plus a term per
// ghost atom, so every task of a plan gets its own, reproducible numbers. keywords
// {"fail": "<label>"} makes the task with that id fail.
func fakeCompute(ctx context.Context, in *qcschema.AtomicInput) (*qcschema.AtomicResult, error) {
	if lbl, _ := in.Keywords["fail"].(string); lbl != "" && lbl == in.ID {
		return nil, qcschema.NewFailedOperation(in, qcschema.ErrorInput, "told to fail")
	}
	if secs, ok := in.Keywords["sleep"].(float64); ok {
		select {
		case <-time.After(time.Duration(secs * float64(time.Second))):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	m := &in.Molecule
	n := len(m.Symbols)
	h := fnv.New64a()
	h.Write([]byte(in.Model.Method))
	seed := float64(h.Sum64()%1000) / 1e4
	e := -1.0 - seed
	grad := make([]float64, 3*n)
	for i := 0; i < n; i++ {
		w := 0.5
		if !m.IsReal(i) {
			w = 0.01
		}
		for j := i + 1; j < n; j++ {
			var r2 float64
			for k := 0; k < 3; k++ {
				d := m.Geometry[3*i+k] - m.Geometry[3*j+k]
				r2 += d * d
			}
			e -= w / (1 + r2)
			for k := 0; k < 3; k++ {
				d := m.Geometry[3*i+k] - m.Geometry[3*j+k]
				g := w * 2 * d / ((1 + r2) * (1 + r2))
				grad[3*i+k] += g
				grad[3*j+k] -= g
			}
		}
	}
	res := &qcschema.AtomicResult{
		SchemaName: qcschema.SchemaOutput, SchemaVersion: 1, ID: in.ID, Driver: in.Driver,
		Model: in.Model, Molecule: in.Molecule, Success: true,
		Provenance: qcschema.Provenance{Creator: fakeProgram},
	}
	res.Properties.ReturnEnergy = &e
	switch in.Driver {
	case qcschema.DriverEnergy:
		res.ReturnResult.Scalar = e
	case qcschema.DriverGradient:
		res.ReturnResult.Array = grad
		res.Properties.ReturnGradient = grad
	case qcschema.DriverHessian:
		hess := make([]float64, 9*n*n)
		for i := range hess {
			r, c := i/(3*n), i%(3*n)
			hess[i] = grad[r%len(grad)]*grad[c%len(grad)] + e*float64((r*7+c*7)%5)
		}
		res.Properties.ReturnGradient = grad
		res.ReturnResult.Array = hess
		res.Properties.ReturnHessian = hess
	}
	return res, nil
}

// vectorInput turns a many-body test vector's molecule and keywords into a QCManyBody
// ManyBodyInput whose every model chemistry runs the fake program.
func vectorInput(t *testing.T, path string) *qcschema.ManyBodyInput {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var v struct {
		Molecule qcschema.Molecule `json:"molecule"`
		Keywords struct {
			BsseType          qcschema.BsseList    `json:"bsse_type"`
			Levels            map[string]string    `json:"levels"`
			ReturnTotalData   bool                 `json:"return_total_data"`
			SupersystemIEOnly bool                 `json:"supersystem_ie_only"`
			EmbeddingCharges  map[string][]float64 `json:"embedding_charges"`
		} `json:"keywords"`
		Components []struct {
			Gradient json.RawMessage `json:"gradient"`
			Hessian  json.RawMessage `json:"hessian"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(data, &v))
	driver := qcschema.DriverEnergy
	if len(v.Components) > 0 && len(v.Components[0].Hessian) > 0 {
		driver = qcschema.DriverHessian
	} else if len(v.Components) > 0 && len(v.Components[0].Gradient) > 0 {
		driver = qcschema.DriverGradient
	}
	// The vectors list every level; a ManyBodyInput names each model chemistry once, at
	// its highest level.
	levels := map[string]string{}
	top := map[string]int{}
	for k, mc := range v.Keywords.Levels {
		if k == "supersystem" {
			levels[k] = mc
			continue
		}
		n, err := strconv.Atoi(k)
		require.NoError(t, err)
		if n > top[mc] {
			top[mc] = n
		}
	}
	specs := map[string]qcschema.AtomicSpecification{}
	for mc, n := range top {
		levels[strconv.Itoa(n)] = mc
	}
	for _, mc := range levels {
		specs[mc] = qcschema.AtomicSpecification{Program: fakeProgram, Driver: driver, Model: qcschema.Model{Method: mc}}
	}
	rtd := v.Keywords.ReturnTotalData
	return &qcschema.ManyBodyInput{
		Molecule: v.Molecule,
		Specification: qcschema.ManyBodySpecification{
			Driver: driver,
			Keywords: qcschema.ManyBodyKeywords{
				BsseType: v.Keywords.BsseType, Levels: levels, ReturnTotalData: &rtd,
				SupersystemIEOnly: v.Keywords.SupersystemIEOnly, EmbeddingCharges: v.Keywords.EmbeddingCharges,
			},
			Specification: specs,
		},
	}
}

func executors(t *testing.T) map[string]executor.Executor {
	t.Setenv(workerEnv, "1")
	t.Setenv("GORACE", "atexit_sleep_ms=0") // race-built workers would linger a second at exit
	return map[string]executor.Executor{
		"serial":     executor.NewSerial(executor.Options{}),
		"pool":       executor.NewPool(3, executor.Options{}),
		"subprocess": executor.NewSubprocess(2, []string{os.Args[0]}, executor.Options{}),
	}
}

// resultJSON is the encoded result, the form in which "bitwise identical" is checked.
func resultJSON(t *testing.T, r *qcschema.ManyBodyResult) string {
	t.Helper()
	data, err := json.Marshal(r)
	require.NoError(t, err)
	return string(data)
}

// TestComputerExecutorsBitwise runs the plan of every many-body vector on the three
// executors with a deterministic program: the encoded ManyBodyResults must be identical.
func TestComputerExecutorsBitwise(t *testing.T) {
	files, err := filepath.Glob("../../testdata/manybody/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files, "no vectors")
	exs := executors(t)
	names := []string{"serial", "pool", "subprocess"}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		t.Run(name, func(t *testing.T) {
			in := vectorInput(t, path)
			var want string
			for _, exName := range names {
				comp := &computer.Computer{Executor: exs[exName]}
				res, err := comp.Compute(context.Background(), in)
				require.NoError(t, err, exName)
				got := resultJSON(t, res)
				if want == "" {
					want = got
					require.True(t, res.Success, "%s: no return energy", exName)
					require.NotNil(t, res.Properties.ReturnEnergy, "%s: no return energy", exName)
				} else {
					require.Equal(t, want, got, "%s result differs from serial", exName)
				}
			}
		})
	}
}

// TestComputerWaterTetramerEmbedded runs the water tetramer of examples/water4 (cp, nocp,
// vmfc through 4-body, HF/STO-3G) with the embedded program on all three executors.
func TestComputerWaterTetramerEmbedded(t *testing.T) {
	if testing.Short() {
		t.Skip("65 Hartree-Fock calculations per executor")
	}
	in := water4Input(t)
	exs := executors(t)
	var want string
	var energies map[string]float64
	for _, exName := range []string{"serial", "pool", "subprocess"} {
		rec := stats.NewRecorder()
		comp := &computer.Computer{Executor: exs[exName], Stats: rec}
		res, err := comp.Compute(context.Background(), in)
		require.NoError(t, err, exName)
		assert.Equal(t, 65, rec.Report(0).Tasks, "%s: tasks recorded in the statistics", exName)
		got := resultJSON(t, res)
		if want == "" {
			want, energies = got, res.Properties.Energies
		} else {
			require.Equal(t, want, got, "%s result differs from serial", exName)
		}
	}
	// Physics: a hydrogen-bonded ring binds; cp reduces the binding of nocp; the three
	// treatments agree on the total 1-body energy; vmfc through 4-body is the full-cluster
	// energy corrected... and the nocp 4-body total is the tetramer's own energy.
	ieNoCP := energies["nocp_corrected_interaction_energy"]
	ieCP := energies["cp_corrected_interaction_energy"]
	assert.Negative(t, ieNoCP, "nocp interaction energy: want binding")
	assert.Negative(t, ieCP, "cp interaction energy: want binding")
	assert.Greater(t, ieCP, ieNoCP, "cp interaction energy: want weaker than nocp")
	e1 := energies["nocp_corrected_total_energy_through_1_body"]
	for _, bt := range []string{"cp", "vmfc"} {
		assert.InDelta(t, e1, energies[bt+"_corrected_total_energy_through_1_body"], 1e-10, "%s 1-body total against nocp", bt)
	}
	sum := energies["nocp_corrected_2_body_contribution_to_energy"] + energies["nocp_corrected_3_body_contribution_to_energy"] + energies["nocp_corrected_4_body_contribution_to_energy"]
	assert.InDelta(t, ieNoCP, sum, 1e-10, "nocp contributions summed against the interaction energy")
}

// water4Input is the input of examples/water4: the water tetramer, cp, nocp and vmfc
// through 4-body, HF/STO-3G with the embedded program (65 tasks).
func water4Input(t testing.TB) *qcschema.ManyBodyInput {
	t.Helper()
	xyz, err := os.ReadFile("../../examples/water4/water4.xyz")
	require.NoError(t, err)
	mol, err := qcschema.ParseXYZ(strings.NewReader(string(xyz)))
	require.NoError(t, err)
	mol.Fragments = [][]int{{0, 1, 2}, {3, 4, 5}, {6, 7, 8}, {9, 10, 11}}
	mol.FragmentCharges, mol.FragmentMultiplicities = nil, nil
	require.NoError(t, mol.Normalize())
	rtd := true
	in := &qcschema.ManyBodyInput{
		Molecule: *mol,
		Specification: qcschema.ManyBodySpecification{
			Driver: qcschema.DriverEnergy,
			Keywords: qcschema.ManyBodyKeywords{
				BsseType:        qcschema.BsseList{qcschema.BsseCP, qcschema.BsseNoCP, qcschema.BsseVMFC},
				ReturnTotalData: &rtd,
			},
			Specification: map[string]qcschema.AtomicSpecification{
				"(auto)": {Program: "embedded", Model: qcschema.Model{Method: "hf", Basis: "sto-3g"}},
			},
		},
	}
	return in
}

// TestComputerKeepsFinishedResults: a task that always fails yields a *RunError naming it,
// and every other task's result is kept.
func TestComputerKeepsFinishedResults(t *testing.T) {
	in := vectorInput(t, "../../testdata/manybody/h2o_trimer_single_energy_1.json")
	p, err := computer.Prepare(in)
	require.NoError(t, err)
	bad := p.Tasks[len(p.Tasks)/2].ID
	for mc, s := range in.Specification.Specification {
		s.Keywords = map[string]any{"fail": bad}
		in.Specification.Specification[mc] = s
	}
	for name, ex := range executors(t) {
		t.Run(name, func(t *testing.T) {
			comp := &computer.Computer{Executor: ex}
			res, err := comp.Compute(context.Background(), in)
			require.Nil(t, res, "result returned despite a failed task")
			var re *computer.RunError
			require.ErrorAs(t, err, &re)
			require.Equal(t, []string{bad}, re.FailedLabels())
			require.Len(t, re.Completed, len(p.Tasks)-1, "results kept")
			var failed *qcschema.FailedOperation
			require.ErrorAs(t, re.Failed[0].Err, &failed)
			require.Contains(t, failed.ComputeError.ErrorMessage, "told to fail", "the failure carries the program's message")
		})
	}
}

// TestComputerCancel: cancelling the context mid-run returns promptly on every executor,
// with the context's error and whatever finished kept.
func TestComputerCancel(t *testing.T) {
	in := vectorInput(t, "../../testdata/manybody/het4_vmfc_only_hessian.json")
	in.Specification.Driver = qcschema.DriverEnergy
	for mc, s := range in.Specification.Specification {
		s.Keywords = map[string]any{"sleep": 0.05}
		in.Specification.Specification[mc] = s
	}
	for name, ex := range executors(t) {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := (&computer.Computer{Executor: ex}).Compute(ctx, in)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			require.LessOrEqual(t, time.Since(start), 2*time.Second, "cancelled run's time")
			var re *computer.RunError
			require.ErrorAs(t, err, &re)
		})
	}
}

// TestPrepareRefusesGhostsWithXTB: a counterpoise plan with a program that has no basis
// functions for ghost atoms is refused before anything runs, with advice.
func TestPrepareRefusesGhostsWithXTB(t *testing.T) {
	in := vectorInput(t, "../../testdata/manybody/h2o_trimer_single_energy_1.json")
	for mc, s := range in.Specification.Specification {
		s.Program, s.Model = "xtb", qcschema.Model{Method: "gfn2-xtb"}
		in.Specification.Specification[mc] = s
	}
	cases := []struct {
		bsse    qcschema.BsseList
		refused bool
	}{
		{qcschema.BsseList{qcschema.BsseCP}, true},
		{qcschema.BsseList{qcschema.BsseVMFC}, true},
		{qcschema.BsseList{qcschema.BsseNoCP}, false},
	}
	for _, c := range cases {
		in.Specification.Keywords.BsseType = c.bsse
		_, err := computer.Prepare(in)
		var ge *computer.GhostError
		assert.Equal(t, c.refused, errors.As(err, &ge), "%v: refused (err %v)", c.bsse, err)
		if c.refused {
			assert.ErrorContains(t, err, "nocp", "%v: the message suggests nocp", c.bsse)
		}
	}
}

// TestPrepareErrors: bad inputs are refused with the field named.
func TestPrepareErrors(t *testing.T) {
	base := func() *qcschema.ManyBodyInput {
		return vectorInput(t, "../../testdata/manybody/h2o_trimer_single_energy_1.json")
	}
	cases := []struct {
		name  string
		edit  func(in *qcschema.ManyBodyInput)
		field string
	}{
		{"driver", func(in *qcschema.ManyBodyInput) { in.Specification.Driver = "optimize" }, "driver"},
		{"missing spec", func(in *qcschema.ManyBodyInput) {
			in.Specification.Specification = map[string]qcschema.AtomicSpecification{"other": {Program: fakeProgram}}
		}, "specification"},
		{"bsse", func(in *qcschema.ManyBodyInput) { in.Specification.Keywords.BsseType = qcschema.BsseList{"ccp"} }, "bsse_type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := base()
			c.edit(in)
			_, err := computer.Prepare(in)
			require.ErrorContains(t, err, c.field)
		})
	}
}

// BenchmarkComputerWater8MBE3 runs water-8 through 3-body (nocp, HF/STO-3G, embedded
// program) serially and on a 2-worker pool, and reports the speedup of the pool over the
// measured serial run.
func BenchmarkComputerWater8MBE3(b *testing.B) {
	mol := &qcschema.Molecule{}
	for i := 0; i < 8; i++ {
		x, y, z := 5.5*float64(i%3), 5.5*float64(i/3), 0.3*float64(i%3)
		base := len(mol.Symbols)
		mol.Symbols = append(mol.Symbols, "O", "H", "H")
		mol.Geometry = append(mol.Geometry, x, y, z, x+1.43, y+1.11, z, x-1.43, y+1.11, z)
		mol.Fragments = append(mol.Fragments, []int{base, base + 1, base + 2})
	}
	require.NoError(b, mol.Normalize())
	maxNB := 3
	in := &qcschema.ManyBodyInput{
		Molecule: *mol,
		Specification: qcschema.ManyBodySpecification{
			Driver:        qcschema.DriverEnergy,
			Keywords:      qcschema.ManyBodyKeywords{BsseType: qcschema.BsseList{qcschema.BsseNoCP}, MaxNbody: &maxNB},
			Specification: map[string]qcschema.AtomicSpecification{"(auto)": {Program: "embedded", Model: qcschema.Model{Method: "hf", Basis: "sto-3g"}}},
		},
	}
	p, err := computer.Prepare(in)
	require.NoError(b, err)
	var speedups []float64
	for b.Loop() {
		serial := stats.NewRecorder()
		_, err := (&computer.Computer{Executor: executor.NewSerial(executor.Options{}), Stats: serial}).Run(context.Background(), p)
		require.NoError(b, err)
		pool := stats.NewRecorder()
		pool.SetMeasuredSerial(serial.Report(1).Wall)
		_, err = (&computer.Computer{Executor: executor.NewPool(2, executor.Options{}), Stats: pool}).Run(context.Background(), p)
		require.NoError(b, err)
		speedups = append(speedups, pool.Report(2).Speedup)
	}
	sort.Float64s(speedups)
	b.ReportMetric(speedups[len(speedups)/2], "speedup")
	b.ReportMetric(float64(len(p.Tasks)), "tasks")
}

// TestComputerXTBWaterTrimerGradient runs a nocp gradient MBE of the water trimer with xtb
// end to end. Through 3-body the nocp expansion of a trimer is exact, so the assembled
// gradient must equal xtb's gradient of the whole trimer.
func TestComputerXTBWaterTrimerGradient(t *testing.T) {
	if _, err := exec.LookPath("xtb"); err != nil {
		t.Skip("xtb not found on PATH; install it with apt-get install xtb")
	}
	in := vectorInput(t, "../../testdata/manybody/h2o_trimer_single_gradient_1.json")
	in.Specification.Driver = qcschema.DriverGradient
	in.Specification.Keywords.BsseType = qcschema.BsseList{qcschema.BsseNoCP}
	in.Specification.Keywords.Levels = nil
	in.Specification.Specification = map[string]qcschema.AtomicSpecification{
		"gfn2": {Program: "xtb", Model: qcschema.Model{Method: "gfn2-xtb"}},
	}
	res, err := (&computer.Computer{Executor: executor.NewPool(2, executor.Options{})}).Compute(context.Background(), in)
	require.NoError(t, err)
	full, ok := res.ComponentProperties[`["gfn2", [1, 2, 3], [1, 2, 3]]`]
	require.True(t, ok, "no trimer component among %d", len(res.ComponentProperties))
	got := res.ReturnResult.Array
	require.Len(t, got, 27)
	require.Len(t, full.ReturnGradient, 27)
	for i := range got {
		require.InDelta(t, full.ReturnGradient[i], got[i], 1e-10, "gradient[%d] against the trimer's", i)
	}
	ie := res.Properties.Energies["nocp_corrected_interaction_energy"]
	assert.True(t, ie < -0.005 && ie > -0.05, "GFN2 trimer interaction energy %.6f Eh: want a few hydrogen bonds' worth", ie)
}

// TestPrepareCarriesSpecificationExtras: each task's AtomicInput carries its model
// chemistry's extras (the qcengine program reads its program name there), and nothing else.
func TestPrepareCarriesSpecificationExtras(t *testing.T) {
	in := vectorInput(t, "../../testdata/manybody/h2o_trimer_single_energy_1.json")
	for mc, s := range in.Specification.Specification {
		s.Extras = map[string]any{"qcengine_program": "psi4"}
		in.Specification.Specification[mc] = s
	}
	p, err := computer.Prepare(in)
	require.NoError(t, err)
	for _, task := range p.Tasks {
		var ai qcschema.AtomicInput
		require.NoError(t, json.Unmarshal(task.Payload, &ai))
		require.Equal(t, map[string]any{"qcengine_program": "psi4"}, ai.Extras, "task %s extras", task.ID)
	}
}

// TestCheckBeforeWork: a program that is unknown, missing here, or cannot compute the
// basis asked is one error naming the model chemistry before any task runs.
func TestCheckBeforeWork(t *testing.T) {
	cases := []struct {
		name    string
		spec    qcschema.AtomicSpecification
		wantErr []string
		unknown bool
	}{
		{name: "unknown basis", spec: qcschema.AtomicSpecification{Program: "embedded", Model: qcschema.Model{Method: "hf", Basis: "def2-qzvpp"}},
			wantErr: []string{`model chemistry "(auto)"`, `"embedded"`, "def2-qzvpp"}},
		{name: "unknown method", spec: qcschema.AtomicSpecification{Program: "embedded", Model: qcschema.Model{Method: "ccsd(t)", Basis: "sto-3g"}},
			wantErr: []string{"ccsd(t)"}},
		{name: "unknown program", spec: qcschema.AtomicSpecification{Program: "no-such-code", Model: qcschema.Model{Method: "hf", Basis: "sto-3g"}},
			wantErr: []string{`"no-such-code"`}, unknown: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := vectorInput(t, "../../testdata/manybody/h2o_trimer_single_energy_1.json")
			for mc := range in.Specification.Specification {
				delete(in.Specification.Specification, mc)
			}
			in.Specification.Specification["(auto)"] = c.spec
			in.Specification.Keywords.Levels = nil
			ran := 0
			counting := executor.ExecutorFunc(func(ctx context.Context, tasks []executor.Task, handle func(executor.Outcome)) error {
				ran += len(tasks)
				return executor.NewSerial(executor.Options{}).Execute(ctx, tasks, handle)
			})
			_, err := (&computer.Computer{Executor: counting}).Compute(context.Background(), in)
			var pe *computer.ProgramError
			require.ErrorAs(t, err, &pe)
			for _, part := range c.wantErr {
				assert.ErrorContains(t, err, part)
			}
			assert.Equal(t, c.unknown, errors.Is(err, engine.ErrUnknownProgram), "errors.Is(err, ErrUnknownProgram)")
			assert.Zero(t, ran, "tasks ran before the error")
		})
	}
}

// TestQCEngineProgramByName: a specification naming a program that only QCEngine runs
// goes to the QCEngine bridge (and, where QCEngine does not find it, fails the check
// before any work, saying so).
func TestQCEngineProgramByName(t *testing.T) {
	p, err := engine.Lookup("nwchem")
	require.NoError(t, err, "Lookup(nwchem): want the QCEngine bridge")
	require.Equal(t, "*qcengine.Program", fmt.Sprintf("%T", p), "Lookup(nwchem)")
	in := vectorInput(t, "../../testdata/manybody/h2o_trimer_single_energy_1.json")
	for mc, spec := range in.Specification.Specification {
		spec.Program = "nwchem"
		in.Specification.Specification[mc] = spec
	}
	prep, err := computer.Prepare(in)
	require.NoError(t, err)
	if _, _, avail := engine.Availability(context.Background(), "nwchem"); avail == nil {
		t.Skip("QCEngine finds nwchem here; the unavailable path cannot be shown")
	}
	err = computer.Check(context.Background(), prep)
	require.ErrorContains(t, err, "nwchem", "Check: want an error saying nwchem is not available")
}

// TestZeroTaskDerivatives: a plan without tasks (cp interaction through 1 body) returns a
// zero gradient or Hessian of the molecule's shape, not a scalar.
func TestZeroTaskDerivatives(t *testing.T) {
	for _, c := range []struct {
		driver qcschema.Driver
		n      int
	}{{qcschema.DriverGradient, 27}, {qcschema.DriverHessian, 27 * 27}} {
		t.Run(string(c.driver), func(t *testing.T) {
			in := vectorInput(t, "../../testdata/manybody/h2o_trimer_single_energy_1.json")
			in.Specification.Driver = c.driver
			in.Specification.Keywords.BsseType = qcschema.BsseList{qcschema.BsseCP}
			in.Specification.Keywords.ReturnTotalData = new(bool)
			one := 1
			in.Specification.Keywords.MaxNbody = &one
			in.Specification.Keywords.Levels = nil
			res, err := (&computer.Computer{}).Compute(context.Background(), in)
			require.NoError(t, err)
			require.Equal(t, make([]float64, c.n), res.ReturnResult.Array, "return_result: want %d zeros", c.n)
			data, err := json.Marshal(res)
			require.NoError(t, err)
			var head struct {
				ReturnResult json.RawMessage `json:"return_result"`
			}
			require.NoError(t, json.Unmarshal(data, &head))
			require.True(t, len(head.ReturnResult) > 0 && head.ReturnResult[0] == '[', "return_result encodes as %.20s, want an array", head.ReturnResult)
		})
	}
}

// TestAssemblePropertiesEqualsAssemble: results given by their properties alone assemble
// to the same ManyBodyResult as the AtomicResults that hold them, entries outside the plan
// are left out, and a task without an entry is named.
func TestAssemblePropertiesEqualsAssemble(t *testing.T) {
	in := vectorInput(t, "../../testdata/manybody/h2o_trimer_single_energy_1.json")
	in.Specification.Driver = qcschema.DriverGradient
	p, err := computer.PreparePlan(in)
	require.NoError(t, err)
	results := make([]*qcschema.AtomicResult, len(p.Plan.Tasks))
	props := map[string]qcschema.AtomicResultProperties{}
	for i, task := range p.Plan.Tasks {
		mol, err := p.Core.Molecule(task)
		require.NoError(t, err)
		e := -76*float64(len(task.Real)) + float64(i)/7
		grad := make([]float64, 3*len(mol.Symbols))
		for k := range grad {
			grad[k] = math.Sin(float64(i*31 + k))
		}
		pr := qcschema.AtomicResultProperties{ReturnEnergy: &e, ReturnGradient: grad}
		results[i] = &qcschema.AtomicResult{Success: true, Driver: qcschema.DriverGradient, Properties: pr, ReturnResult: qcschema.ReturnResult{Array: grad}}
		props[task.Label()] = pr
	}
	want, err := computer.Assemble(p, results)
	require.NoError(t, err)
	extra := -1.0
	props[`["x", [9], [9]]`] = qcschema.AtomicResultProperties{ReturnEnergy: &extra}
	got, err := computer.AssembleProperties(p, props)
	require.NoError(t, err)
	wantJSON, _ := json.Marshal(want)
	gotJSON, _ := json.Marshal(got)
	require.Equal(t, string(wantJSON), string(gotJSON), "AssembleProperties against Assemble")
	missing := p.Plan.Tasks[3].Label()
	delete(props, missing)
	_, err = computer.AssembleProperties(p, props)
	require.ErrorContains(t, err, missing, "a missing task is named")
}

// TestAssemblePropertiesNAtom: every component property with a gradient or Hessian gets the
// calcinfo_natom QCElemental's models require with them (the task's atoms, or the whole
// molecule's for arrays laid out over it, as QCManyBody's component_properties are), and
// arrays laid out over the whole molecule assemble to the same result as the task's own.
func TestAssemblePropertiesNAtom(t *testing.T) {
	in := vectorInput(t, "../../testdata/manybody/h2o_trimer_single_energy_1.json")
	in.Specification.Driver = qcschema.DriverHessian
	p, err := computer.PreparePlan(in)
	require.NoError(t, err)
	natom := p.Core.NAtom()
	own := map[string]qcschema.AtomicResultProperties{}
	whole := map[string]qcschema.AtomicResultProperties{}
	for i, task := range p.Plan.Tasks {
		atoms, err := p.Core.TaskAtoms(task)
		require.NoError(t, err)
		n := len(atoms)
		e := -76*float64(len(task.Real)) + float64(i)/7
		grad, hess := make([]float64, 3*n), make([]float64, 9*n*n)
		for k := range grad {
			grad[k] = math.Sin(float64(i*31 + k))
		}
		for k := range hess {
			r, c := k/(3*n), k%(3*n)
			hess[k] = math.Cos(float64(i + r*c))
		}
		// The same arrays over the whole molecule, zero on the atoms the task lacks.
		g, h := make([]float64, 3*natom), make([]float64, 9*natom*natom)
		for a, pa := range atoms {
			copy(g[3*pa:3*pa+3], grad[3*a:3*a+3])
			for b, pb := range atoms {
				for x := range 3 {
					copy(h[(3*pa+x)*3*natom+3*pb:][:3], hess[(3*a+x)*3*n+3*b:][:3])
				}
			}
		}
		own[task.Label()] = qcschema.AtomicResultProperties{ReturnEnergy: &e, ReturnGradient: grad, ReturnHessian: hess}
		whole[task.Label()] = qcschema.AtomicResultProperties{ReturnEnergy: &e, ReturnGradient: g, ReturnHessian: h}
	}
	fromOwn, err := computer.AssembleProperties(p, own)
	require.NoError(t, err)
	fromWhole, err := computer.AssembleProperties(p, whole)
	require.NoError(t, err)
	for _, c := range []struct {
		name  string
		res   *qcschema.ManyBodyResult
		natom func(task manybody.Task) int
	}{
		{"task's atoms", fromOwn, func(task manybody.Task) int { a, _ := p.Core.TaskAtoms(task); return len(a) }},
		{"whole molecule", fromWhole, func(manybody.Task) int { return natom }},
	} {
		for _, task := range p.Plan.Tasks {
			pr := c.res.ComponentProperties[task.Label()]
			require.NotNil(t, pr.CalcinfoNAtom, "%s: %s: calcinfo_natom", c.name, task.Label())
			require.Equal(t, c.natom(task), *pr.CalcinfoNAtom, "%s: %s: calcinfo_natom", c.name, task.Label())
			require.Len(t, pr.ReturnGradient, 3**pr.CalcinfoNAtom, "%s: %s: gradient values for calcinfo_natom", c.name, task.Label())
		}
	}
	require.True(t, slices.Equal(fromOwn.ReturnResult.Array, fromWhole.ReturnResult.Array),
		"Hessians assembled from arrays over the whole molecule differ from those over the tasks' atoms")
}
