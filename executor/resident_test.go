package executor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/qcschema"
)

const residentName = "executor-test-resident"

// residentStartup is how long the fake resident program's process takes to start.
const residentStartup = 150 * time.Millisecond

func init() {
	engine.Register(residentName, fakeResident{})
}

// fakeResident stands for a resident program: every computation waits for a process to
// start and says so through engine.Trace, as a first task on a worker does; its per-task
// form starts nothing. Results tell which form computed them.
type fakeResident struct{ perTask bool }

func (f fakeResident) Compute(ctx context.Context, in *qcschema.AtomicInput) (*qcschema.AtomicResult, error) {
	res := qcschema.NewAtomicResult(in, qcschema.Provenance{Creator: "fake"})
	res.ReturnResult.Scalar = -1
	if f.perTask {
		res.ReturnResult.Scalar = -2
		return res, nil
	}
	requested := time.Now()
	time.Sleep(residentStartup)
	engine.ReportProcessStarted(ctx, engine.ProcessStart{Program: "fake", Requested: requested, Ready: time.Now()})
	engine.ReportProcessCPU(ctx, 3*time.Second)
	time.Sleep(10 * time.Millisecond)
	return res, nil
}

func (f fakeResident) PerTask() engine.Program { return fakeResident{perTask: true} }
func (fakeResident) Close() error              { return nil }

func residentTasks(n int) []executor.Task {
	tasks := make([]executor.Task, n)
	for i := range tasks {
		in := qcschema.AtomicInput{SchemaName: qcschema.SchemaInput, SchemaVersion: 1, ID: fmt.Sprint(i),
			Molecule: qcschema.Molecule{Symbols: []string{"He"}, Geometry: []float64{0, 0, float64(i)}},
			Driver:   qcschema.DriverEnergy, Model: qcschema.Model{Method: "hf", Basis: "sto-3g"}}
		b, _ := json.Marshal(&in)
		tasks[i] = executor.Task{ID: in.ID, Program: residentName, Payload: b}
	}
	return tasks
}

// TestResidentStartups: on every executor, the start-up of a resident program's process is
// a WorkerEvent with Program set and no part of the task's time; the processor time used
// in it is the task's; results carry no trace of the reporting. With NoResident every
// task runs in the per-task form.
func TestResidentStartups(t *testing.T) {
	executors := map[string]func(executor.Options) executor.Executor{
		"serial": func(o executor.Options) executor.Executor { return executor.NewSerial(o) },
		"pool":   func(o executor.Options) executor.Executor { return executor.NewPool(2, o) },
		"subprocess": func(o executor.Options) executor.Executor {
			s, _ := newSubprocess(t, 2, o, "engine")
			return s
		},
	}
	for name, newExec := range executors {
		for _, noResident := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/noResident=%v", name, noResident), func(t *testing.T) {
				var mu sync.Mutex
				var events []executor.WorkerEvent
				opt := executor.Options{NoResident: noResident, OnWorker: func(ev executor.WorkerEvent) {
					mu.Lock()
					events = append(events, ev)
					mu.Unlock()
				}}
				tasks := residentTasks(4)
				var outs []executor.Outcome
				require.NoError(t, newExec(opt).Execute(context.Background(), tasks, func(o executor.Outcome) { outs = append(outs, o) }))
				require.Len(t, outs, len(tasks))
				var programStarts []executor.WorkerEvent
				for _, ev := range events {
					if ev.Program != "" {
						programStarts = append(programStarts, ev)
					}
				}
				want := -1.0
				if noResident {
					want = -2
					assert.Empty(t, programStarts)
				} else {
					assert.Len(t, programStarts, len(tasks))
				}
				for _, o := range outs {
					assert.Equal(t, want, o.Result.ReturnResult.Scalar)
					assert.NotContains(t, o.Result.Extras, executor.StartsKey)
					assert.NotContains(t, o.Result.Extras, executor.CPUKey)
					if noResident {
						continue
					}
					assert.Less(t, o.End.Sub(o.Start), residentStartup, "start-up counted as task time")
					assert.GreaterOrEqual(t, o.CPU, 3*time.Second, "processor time of the resident process")
				}
				for _, ev := range programStarts {
					assert.Equal(t, "fake", ev.Program)
					assert.GreaterOrEqual(t, ev.Ready.Sub(ev.Requested), residentStartup-10*time.Millisecond)
				}
			})
		}
	}
}
