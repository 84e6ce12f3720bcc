package executor_test

import (
	"context"
	"fmt"

	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/qcschema"
)

// A user-defined executor: ExecutorFunc turns a function into an Executor, here one that
// reports on each batch and delegates the work to an executor it embeds.
func ExampleExecutorFunc() {
	// The embedded executor; its Runner stands in for a real program.
	inner := executor.NewSerial(executor.Options{
		Runner: executor.RunnerFunc(func(ctx context.Context, program string, payload []byte) (*qcschema.AtomicResult, error) {
			in, err := executor.DecodeInput(payload)
			if err != nil {
				return nil, err
			}
			e := -float64(len(in.Molecule.Symbols))
			return &qcschema.AtomicResult{ID: in.ID, Success: true, ReturnResult: qcschema.ReturnResult{Scalar: e}}, nil
		}),
	})

	var logged executor.Executor = executor.ExecutorFunc(
		func(ctx context.Context, tasks []executor.Task, handle func(executor.Outcome)) error {
			fmt.Printf("batch of %d tasks\n", len(tasks))
			err := inner.Execute(ctx, tasks, func(o executor.Outcome) {
				fmt.Printf("  %s finished after %d attempt(s)\n", o.ID, o.Attempts)
				handle(o)
			})
			fmt.Println("batch done, error:", err)
			return err
		})

	tasks := []executor.Task{
		{ID: "monomer", Payload: []byte(`{"id": "monomer", "molecule": {"symbols": ["He"], "geometry": [0, 0, 0]}}`)},
		{ID: "dimer", Payload: []byte(`{"id": "dimer", "molecule": {"symbols": ["He", "He"], "geometry": [0, 0, 0, 0, 0, 5.6]}}`)},
	}
	_ = logged.Execute(context.Background(), tasks, func(o executor.Outcome) {
		fmt.Printf("  energy of %s: %g\n", o.ID, o.Result.ReturnResult.Scalar)
	})
	// Output:
	// batch of 2 tasks
	//   monomer finished after 1 attempt(s)
	//   energy of monomer: -1
	//   dimer finished after 1 attempt(s)
	//   energy of dimer: -2
	// batch done, error: <nil>
}

// Options.OnStart tells when each task begins, as a progress display needs.
func ExampleOptions_onStart() {
	ex := executor.NewSerial(executor.Options{
		OnStart: func(i int) { fmt.Println("started task", i) },
		Runner: executor.RunnerFunc(func(ctx context.Context, program string, payload []byte) (*qcschema.AtomicResult, error) {
			return &qcschema.AtomicResult{Success: true}, nil
		}),
	})
	tasks := []executor.Task{{ID: "a", Payload: []byte(`{}`)}, {ID: "b", Payload: []byte(`{}`)}}
	_ = ex.Execute(context.Background(), tasks, func(o executor.Outcome) {
		fmt.Println("finished task", o.Index)
	})
	// Output:
	// started task 0
	// finished task 0
	// started task 1
	// finished task 1
}
