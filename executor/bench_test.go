package executor_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/qcschema"
)

const benchTasks = 10000

// benchBatch is 10,000 copies of a water monomer AtomicInput (about 400 bytes each).
func benchBatch(b *testing.B, program string) []executor.Task {
	in := qcschema.AtomicInput{SchemaName: qcschema.SchemaInput, SchemaVersion: 1, ID: "w",
		Molecule: qcschema.Molecule{Symbols: []string{"O", "H", "H"}, MolecularMultiplicity: 1, FixCom: true, FixOrientation: true,
			Geometry: []float64{0, 0, -0.1294769411935893, 0, -1.494187339479985, 1.0274465079245698, 0, 1.494187339479985, 1.0274465079245698}},
		Driver: qcschema.DriverEnergy, Model: qcschema.Model{Method: "hf", Basis: "sto-3g"},
		Keywords: map[string]any{}, Protocols: map[string]any{}, Extras: map[string]any{executor.ProgramKey: program}}
	payload, err := json.Marshal(in)
	require.NoError(b, err)
	tasks := make([]executor.Task, benchTasks)
	for i := range tasks {
		tasks[i] = executor.Task{ID: "w", Program: program, Payload: payload, Cost: float64(i % 7)}
	}
	return tasks
}

var noopRunner = executor.RunnerFunc(func(ctx context.Context, program string, payload []byte) (*qcschema.AtomicResult, error) {
	return &qcschema.AtomicResult{Success: true}, nil
})

// BenchmarkDispatch measures the cost per task of running a batch of 10,000 tasks whose
// program does nothing (reported as ns/task). "noop" runners skip decoding the payload,
// "engine" ones decode it and run a registered no-op program, as real runs do.
func BenchmarkDispatch(b *testing.B) {
	for _, c := range []struct {
		name string
		new  func(b *testing.B) executor.Executor
	}{
		{"serial-noop", func(b *testing.B) executor.Executor { return executor.NewSerial(executor.Options{Runner: noopRunner}) }},
		{"pool-noop", func(b *testing.B) executor.Executor { return executor.NewPool(0, executor.Options{Runner: noopRunner}) }},
		{"pool-engine", func(b *testing.B) executor.Executor { return executor.NewPool(0, executor.Options{}) }},
		{"subprocess-noop", func(b *testing.B) executor.Executor {
			s, _ := newSubprocess(b, 0, executor.Options{}, "noop")
			return s
		}},
		{"subprocess-noop-lockstep", func(b *testing.B) executor.Executor {
			s, _ := newSubprocess(b, 0, executor.Options{}, "noop")
			s.Pipeline = 1
			return s
		}},
		{"subprocess-noop-pipeline4", func(b *testing.B) executor.Executor {
			s, _ := newSubprocess(b, 0, executor.Options{}, "noop")
			s.Pipeline = 4
			return s
		}},
		{"subprocess-engine", func(b *testing.B) executor.Executor {
			s, _ := newSubprocess(b, 0, executor.Options{}, "engine")
			return s
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			tasks := benchBatch(b, fakeName+"-noop")
			ex := c.new(b)
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				if err := ex.Execute(context.Background(), tasks, func(o executor.Outcome) { n++ }); err != nil || n != len(tasks) {
					b.Fatalf("%d outcomes, error %v", n, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(tasks)), "ns/task")
		})
	}
}
