package computer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/executor/store"
	"github.com/qcmb-go/qcmb/internal/waterbox"
	"github.com/qcmb-go/qcmb/manybody"
	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/qcschema"
	"github.com/qcmb-go/qcmb/stats"
)

// replayProgram answers the tasks of the water octamer of testdata/adaptive with the
// energies the vector gives each cluster, whatever the model chemistry's name; keywords
// {"sleep": seconds} make each task take that long.
const (
	replayProgram = "manybody-test-replay"
	adaptivePath  = "../../testdata/adaptive/w8_nocp4_energy.json"
)

type adaptiveVector struct {
	Input      qcschema.ManyBodyInput `json:"input"`
	Components []struct {
		Real   []int   `json:"real"`
		Energy float64 `json:"energy"`
	} `json:"components"`
	FullEnergy float64 `json:"full_energy"`
	Cases      []struct {
		Screening json.RawMessage    `json:"screening"`
		Kept      map[string][][]int `json:"kept"`
		Counts    map[string]int     `json:"counts"`
		Energy    float64            `json:"energy"`
	} `json:"cases"`
}

var replay = sync.OnceValues(func() (*adaptiveVector, error) {
	data, err := os.ReadFile(adaptivePath)
	if err != nil {
		return nil, err
	}
	v := new(adaptiveVector)
	return v, json.Unmarshal(data, v)
})

func init() {
	engine.Register(replayProgram, engine.ProgramFunc(func(ctx context.Context, in *qcschema.AtomicInput) (*qcschema.AtomicResult, error) {
		v, err := replay()
		if err != nil {
			return nil, err
		}
		if secs, ok := in.Keywords["sleep"].(float64); ok {
			select {
			case <-time.After(time.Duration(secs * float64(time.Second))):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		t, err := manybody.ParseLabel(in.ID)
		if err != nil {
			return nil, err
		}
		for _, c := range v.Components {
			if fmt.Sprint(c.Real) == fmt.Sprint(t.Real) && len(t.Real) == len(t.Basis) {
				e := c.Energy
				return &qcschema.AtomicResult{SchemaName: qcschema.SchemaOutput, SchemaVersion: 1, ID: in.ID, Driver: in.Driver,
					Model: in.Model, Molecule: in.Molecule, Success: true, ReturnResult: qcschema.ReturnResult{Scalar: e},
					Properties: qcschema.AtomicResultProperties{ReturnEnergy: &e}}, nil
			}
		}
		return nil, qcschema.NewFailedOperation(in, qcschema.ErrorInput, "no such cluster in the vector: "+in.ID)
	}))
}

// adaptiveInput is the octamer's input with case k's screening keyword and, if est, an
// estimator "est" (the same energies, so the same decisions).
func adaptiveInput(t testing.TB, k int, est bool, keywords map[string]any) *qcschema.ManyBodyInput {
	t.Helper()
	v, err := replay()
	require.NoError(t, err)
	in := v.Input
	specs := map[string]qcschema.AtomicSpecification{}
	for name, s := range in.Specification.Specification {
		s.Program, s.Keywords = replayProgram, keywords
		specs[name] = s
	}
	kw := in.Specification.Keywords
	kw.Screening = new(qcschema.Screening)
	require.NoError(t, json.Unmarshal(v.Cases[k].Screening, kw.Screening))
	if est {
		specs["est"] = specs["hf"]
		kw.Screening.Energy.Estimator = "est"
	}
	in.Specification.Specification, in.Specification.Keywords = specs, kw
	return &in
}

// keptLabels are the labels of the target tasks of case k: every kept cluster in its own
// basis.
func keptLabels(t testing.TB, k int) []string {
	v, err := replay()
	require.NoError(t, err)
	var out []string
	n := len(v.Input.Molecule.Fragments)
	for i := 1; i <= n; i++ {
		out = append(out, fmt.Sprintf(`["hf", [%d], [%d]]`, i, i))
		for j := i + 1; j <= n; j++ {
			out = append(out, fmt.Sprintf(`["hf", [%d, %d], [%d, %d]]`, i, j, i, j))
		}
	}
	for _, lvl := range []string{"3", "4"} {
		for _, c := range v.Cases[k].Kept[lvl] {
			out = append(out, manybody.Task{MC: "hf", Real: c, Basis: c}.Label())
		}
	}
	sort.Strings(out)
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestAdaptiveRun runs the energy-screened octamer through the Computer on every executor,
// with and without an estimator: the decisions and the energy are the vector's, the
// results bitwise identical, component_properties lists exactly the target tasks computed,
// the estimator's results stand apart, and extras.screening says what was kept.
func TestAdaptiveRun(t *testing.T) {
	v, err := replay()
	require.NoError(t, err)
	exs := executors(t)
	for k, tc := range v.Cases {
		for _, est := range []bool{false, true} {
			t.Run(fmt.Sprintf("case%d/estimator=%v", k, est), func(t *testing.T) {
				in := adaptiveInput(t, k, est, nil)
				var want string
				for _, name := range []string{"serial", "pool", "subprocess"} {
					rec := stats.NewRecorder()
					res, err := (&computer.Computer{Executor: exs[name], Stats: rec}).Compute(context.Background(), in)
					require.NoError(t, err, name)
					assert.InDelta(t, tc.Energy, *res.Properties.ReturnEnergy, 1e-9)
					got := resultJSON(t, res)
					if want == "" {
						want = got
					} else {
						assert.Equal(t, want, got, "%s: the result differs from serial", name)
					}
					assert.Equal(t, keptLabels(t, k), sortedKeys(res.ComponentProperties))
					estProps, _ := res.Extras[computer.EstimatorPropertiesKey].(map[string]qcschema.AtomicResultProperties)
					if est {
						assert.Len(t, estProps, tc.Counts["1"]+tc.Counts["2"]+tc.Counts["3"], "the estimator computes the kept clusters through 3 bodies")
					} else {
						assert.Nil(t, res.Extras[computer.EstimatorPropertiesKey])
					}
					rep := rec.Report(0)
					assert.Equal(t, len(res.ComponentProperties)+len(estProps), rep.Tasks)

					sc, ok := res.Extras["screening"].(*manybody.ScreeningSummary)
					require.True(t, ok, "extras.screening is %T", res.Extras["screening"])
					require.NotNil(t, sc.Energy)
					for _, l := range sc.Energy.Levels {
						assert.Equal(t, tc.Counts[fmt.Sprint(l.Level)], *l.Kept, "level %d kept", l.Level)
					}
				}
			})
		}
	}
}

// TestAdaptiveRunNoBarrier: tetramers start while trimers still run.
func TestAdaptiveRunNoBarrier(t *testing.T) {
	in := adaptiveInput(t, 0, false, map[string]any{"sleep": 0.01})
	rec := stats.NewRecorder()
	_, err := (&computer.Computer{Executor: executor.NewPool(2, executor.Options{}), Stats: rec}).Compute(context.Background(), in)
	require.NoError(t, err)
	var lastTrimerEnd, firstTetramerStart time.Time
	for _, r := range rec.Records() {
		switch r.Level {
		case 3:
			if r.End.After(lastTrimerEnd) {
				lastTrimerEnd = r.End
			}
		case 4:
			if firstTetramerStart.IsZero() || r.Start.Before(firstTetramerStart) {
				firstTetramerStart = r.Start
			}
		}
	}
	assert.True(t, firstTetramerStart.Before(lastTrimerEnd), "the first tetramer started at %v, after the last trimer ended at %v", firstTetramerStart, lastTrimerEnd)
}

// TestAdaptiveResume: a run cut short and resumed from the store makes the same decisions
// and gives the uninterrupted run's result, bit for bit; so do Assemble and
// AssembleProperties from the results alone.
func TestAdaptiveResume(t *testing.T) {
	in := adaptiveInput(t, 1, true, nil)
	want, err := (&computer.Computer{}).Compute(context.Background(), in)
	require.NoError(t, err)
	s := store.NewMemory()
	for _, stop := range []int{5, 60, 120} {
		ctx, cancel := context.WithCancel(context.Background())
		comp := &computer.Computer{Executor: executor.NewPool(2, executor.Options{}), Store: s,
			Progress: func(done, total int, o executor.Outcome) {
				if done == stop {
					cancel()
				}
			}}
		_, err := comp.Compute(ctx, in)
		cancel()
		require.ErrorIs(t, err, context.Canceled)
	}
	var released []int
	res, err := (&computer.Computer{Store: s, Released: func(first int, added computer.Batch, bound int, exact bool) {
		released = append(released, len(added.Tasks))
	}}).Compute(context.Background(), in)
	require.NoError(t, err)
	assert.Equal(t, resultJSON(t, want), resultJSON(t, res))

	p, err := computer.Prepare(in)
	require.NoError(t, err)
	tasks, found, err := p.Replay(context.Background(), s)
	require.NoError(t, err)
	results := make([]*qcschema.AtomicResult, len(p.Plan.Tasks))
	props := map[string]qcschema.AtomicResultProperties{}
	index := map[string]int{}
	for i, task := range p.Plan.Tasks {
		index[task.Label()] = i
	}
	for i, f := range found {
		require.NotNil(t, f.Result, "task %s", tasks[i].ID)
		results[index[tasks[i].ID]] = f.Result
		props[tasks[i].ID] = f.Result.Properties
	}
	fromResults, err := computer.Assemble(p, results)
	require.NoError(t, err)
	assert.Equal(t, *want.Properties.ReturnEnergy, *fromResults.Properties.ReturnEnergy)
	fromProps, err := computer.AssembleProperties(p, props)
	require.NoError(t, err)
	assert.Equal(t, math.Float64bits(*want.Properties.ReturnEnergy), math.Float64bits(*fromProps.Properties.ReturnEnergy))
	assert.Equal(t, sortedKeys(want.ComponentProperties), sortedKeys(fromProps.ComponentProperties))
}

// TestAdaptiveRunV2: a v2 input gets a v2 result with the same numbers and the screening
// extras.
func TestAdaptiveRunV2(t *testing.T) {
	in := adaptiveInput(t, 0, false, nil)
	v1, err := (&computer.Computer{}).Compute(context.Background(), in)
	require.NoError(t, err)
	v2, err := (&computer.Computer{}).ComputeV2(context.Background(), in.ToV2())
	require.NoError(t, err)
	assert.Equal(t, *v1.Properties.ReturnEnergy, *v2.Properties.ReturnEnergy)
	assert.Len(t, v2.ClusterProperties, len(v1.ComponentProperties))
	assert.NotNil(t, v2.Extras["screening"])
}

// TestAdaptiveWaterEndToEnd runs a 10-water droplet with the embedded program, nocp MBE-4,
// energy-screened at 0.3 millihartree at levels 3 and 4, then the full MBE-4 (through the
// same store, which answers the tasks both need): the screened total is within 0.1 kcal/mol
// per monomer of the full one, computing a small fraction of the tetramers.
func TestAdaptiveWaterEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("the full MBE-4 of 10 waters: 385 HF/STO-3G single points")
	}
	const waters = 10
	rtd := true
	in := &qcschema.ManyBodyInput{
		SchemaName: qcschema.SchemaManyBodyInput, SchemaVersion: 1,
		Molecule: *waterbox.Droplet(waters, 1),
		Specification: qcschema.ManyBodySpecification{
			Driver: qcschema.DriverEnergy,
			Keywords: qcschema.ManyBodyKeywords{BsseType: qcschema.BsseList{qcschema.BsseNoCP},
				Levels: map[string]string{"4": "hf"}, ReturnTotalData: &rtd},
			Specification: map[string]qcschema.AtomicSpecification{
				"hf": {Program: "embedded", Driver: qcschema.DriverEnergy, Model: qcschema.Model{Method: "hf", Basis: "sto-3g"}}},
		},
	}
	full := *in
	screened := *in
	screened.Specification.Keywords.Screening = &qcschema.Screening{Energy: &qcschema.EnergyScreening{
		Thresholds: map[string]float64{"3": 3e-4, "4": 3e-4}}}
	s := store.NewMemory()
	ex := executor.NewPool(2, executor.Options{})

	rec := stats.NewRecorder()
	sres, err := (&computer.Computer{Executor: ex, Store: s, Stats: rec}).Compute(context.Background(), &screened)
	require.NoError(t, err)
	tetramers := 0
	for _, r := range rec.Records() {
		if r.Level == 4 {
			tetramers++
		}
	}
	fres, err := (&computer.Computer{Executor: ex, Store: s}).Compute(context.Background(), &full)
	require.NoError(t, err)

	perMonomer := math.Abs(*sres.Properties.ReturnEnergy-*fres.Properties.ReturnEnergy) * manybody.KcalMolPerHartree / waters
	t.Logf("error %.5f kcal/mol per monomer; %d of %d tetramers, %d of %d tasks computed",
		perMonomer, tetramers, 210, len(sres.ComponentProperties), len(fres.ComponentProperties))
	assert.Less(t, perMonomer, 0.1)
	assert.Less(t, float64(tetramers), 0.1*210, "a small fraction of the tetramers")
	assert.Equal(t, len(sres.ComponentProperties), rec.Report(0).Tasks)
}
