package computer_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/qcschema"
	"github.com/qcmb-go/qcmb/stats"
)

const timedProgram = "manybody-test-timed"

func init() {
	engine.Register(timedProgram, engine.ProgramFunc(timedCompute))
}

// timedTime is how long the timed program works on a task with nreal real waters: 30 ms
// for a monomer, 90 ms for a dimer.
func timedTime(nreal int) time.Duration { return time.Duration(60*nreal-30) * time.Millisecond }

func realWaters(m *qcschema.Molecule) int {
	n := 0
	for i := range m.Symbols {
		if m.IsReal(i) {
			n++
		}
	}
	return n / 3
}

// timedCompute sleeps timedTime and returns an energy of -76 hartree per real water.
func timedCompute(ctx context.Context, in *qcschema.AtomicInput) (*qcschema.AtomicResult, error) {
	n := realWaters(&in.Molecule)
	select {
	case <-time.After(timedTime(n)):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	e := -76.0 * float64(n)
	res := qcschema.NewAtomicResult(in, qcschema.Provenance{Creator: timedProgram, Version: "1", Routine: "timedCompute"})
	res.Properties.ReturnEnergy = &e
	res.ReturnResult.Scalar = e
	return res, nil
}

// The statistics of a run whose task times and thread counts are known equal the values
// computed by hand. The program sleeps, so the test's executor reports for each task the
// processor time a program that kept its 2 threads busy would have used (2 × its time), as
// worker processes report theirs; each task's estimated serial time is then exactly its
// known time.
func TestRunStatisticsOfKnownTasks(t *testing.T) {
	var in qcschema.ManyBodyInput
	b, err := os.ReadFile("../../testdata/inputs/water4_hf_sto3g_nocp_2body.json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &in))
	spec := in.Specification.Specification["hf"]
	spec.Program = timedProgram
	spec.Extras = map[string]any{"nthreads": 2.0}
	in.Specification.Specification["hf"] = spec

	pool := executor.NewPool(2, executor.Options{})
	ex := executor.ExecutorFunc(func(ctx context.Context, tasks []executor.Task, handle func(executor.Outcome)) error {
		return pool.Execute(ctx, tasks, func(o executor.Outcome) {
			ai, err := executor.DecodeInput(tasks[o.Index].Payload)
			require.NoError(t, err)
			o.CPU = 2 * timedTime(realWaters(&ai.Molecule))
			handle(o)
		})
	})
	rec := stats.NewRecorder()
	_, err = (&computer.Computer{Executor: ex, Stats: rec}).Compute(context.Background(), &in)
	require.NoError(t, err)
	rep := rec.Report(2)

	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	// 4 monomers of 30 ms and 6 dimers of 90 ms: 660 ms of work.
	require.Equal(t, 10, rep.Tasks)
	for _, r := range rep.Records {
		assert.Equal(t, 2, r.Threads, r.Label)
	}
	assert.Equal(t, stats.RefCPUEstimate, rep.SpeedupReference)
	assert.Equal(t, ms(660), rep.SerialEstimate)
	// Largest first on 2 workers: three dimers and two monomers each, 330 ms; the run
	// cannot be faster, so the speedup is at most 2 and close to it.
	assert.LessOrEqual(t, rep.Speedup, 2.0)
	assert.InDelta(t, 2.0, rep.Speedup, 0.5)
	assert.InDelta(t, float64(ms(660))/float64(rep.Wall), rep.Speedup, 1e-9)

	assert.Equal(t, stats.CriticalPath{Level: 0, Tasks: 10, Work: ms(660), Longest: rep.Critical.Longest,
		LongestTime: ms(90), Workers: 2, LowerBound: ms(330), Span: rep.Critical.Span, Predictions: rep.Predictions}, rep.Critical)
	require.Len(t, rep.CriticalByLevel, 2)
	assert.Equal(t, []time.Duration{ms(120), ms(540)}, []time.Duration{rep.CriticalByLevel[0].Work, rep.CriticalByLevel[1].Work})
	assert.Equal(t, []time.Duration{ms(60), ms(270)}, []time.Duration{rep.CriticalByLevel[0].LowerBound, rep.CriticalByLevel[1].LowerBound})

	// 1 worker 660; 2: 330; 4: 90,90,90+30+30,90+30+30 ... = 180 (90+90 on two of them);
	// 8 and more: 90.
	want := map[int]time.Duration{1: ms(660), 2: ms(330), 4: ms(180), 8: ms(90), 16: ms(90), 32: ms(90), 64: ms(90)}
	for _, p := range rep.Predictions {
		assert.Equal(t, want[p.Workers], p.Makespan, "%d workers", p.Workers)
	}

	// Each worker's busy and idle time add up to the wall time; the busy times add up to
	// the task times; a pool starts its workers at once.
	require.Len(t, rep.Idle, 2)
	var busy time.Duration
	for _, w := range rep.Idle {
		assert.Equal(t, rep.Wall, w.Busy+w.Idle(), "worker %d", w.Worker)
		assert.Less(t, w.Startup, ms(30), "worker %d", w.Worker)
		busy += w.Busy
	}
	assert.Equal(t, rep.SerialBaseline, busy)
}
