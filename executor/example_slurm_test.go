package executor_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/qcmb-go/qcmb/executor"
)

// Workers kept across batches: Start launches them once, each Execute reuses them, Close
// stops them. (The worker here is this test binary serving the protocol with a program
// whose energy is -1.5; in practice it is {"qcmb", "worker"}.)
func ExampleSubprocess_Start() {
	s := executor.NewSubprocess(2, []string{os.Args[0], "-test.run=^$"}, executor.Options{})
	s.Env = append(os.Environ(), workerEnv+"=noop")
	if err := s.Start(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	for batch := range 3 {
		tasks := []executor.Task{{ID: "a", Payload: []byte(`{}`)}, {ID: "b", Payload: []byte(`{}`)}}
		sum := 0.0
		err := s.Execute(context.Background(), tasks, func(o executor.Outcome) { sum += o.Result.ReturnResult.Scalar })
		fmt.Printf("batch %d: sum %g, error %v\n", batch, sum, err)
	}
	fmt.Println("close:", s.Close())
	// Output:
	// batch 0: sum -3, error <nil>
	// batch 1: sum -3, error <nil>
	// batch 2: sum -3, error <nil>
	// close: <nil>
}

// A Slurm executor for a run outside any allocation: four one-CPU workers, each a job of
// its own in partition "short", started once for a sequence of batches. Start-ups (queue
// wait included) are reported apart from task times.
func ExampleNewSlurm() {
	s, err := executor.NewSlurm(4, executor.SlurmConfig{
		Command:       []string{"/shared/bin/qcmb", "worker"},
		CPUsPerWorker: 1,
		MemPerWorker:  "2G",
		Partition:     "short",
		Time:          "01:00:00",
		StartTimeout:  30 * time.Minute,
	}, executor.Options{
		Retries: 1,
		OnWorker: func(ev executor.WorkerEvent) {
			if ev.Err != nil {
				fmt.Fprintf(os.Stderr, "worker %d: %v\n", ev.Worker, ev.Err)
				return
			}
			fmt.Fprintf(os.Stderr, "worker %d ready on %s after %v\n", ev.Worker, ev.Host, ev.Ready.Sub(ev.Requested))
		},
	})
	if err != nil {
		fmt.Println(err) // no srun here, say
		return
	}
	if err := s.Start(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close() // scancels what is left and waits for squeue to clear
	// ... s.Execute(ctx, tasks, handle) for each batch ...
}
