package executor_test

import (
	"context"
	"testing"
	"time"

	"github.com/qcmb-go/qcmb/executor"
)

// TestTimeoutIgnoresPause: when the coordinator does not run for a while (the process was
// stopped by SIGSTOP, here simulated by a handle that blocks), the time it missed does not
// count against the tasks running meanwhile: before the fix, every task in flight was
// killed as timed out when the coordinator ran again.
func TestTimeoutIgnoresPause(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for seconds")
	}
	s, _ := newSubprocess(t, 2, executor.Options{Timeout: 3500 * time.Millisecond}, "engine")
	tasks := []executor.Task{
		task(t, "quick", nil),
		task(t, "slow1", map[string]any{"sleep": 4.0}),
		task(t, "slow2", map[string]any{"sleep": 4.0}),
	}
	tasks[0].Cost = 10 // first
	paused := false
	ex := executor.ExecutorFunc(func(ctx context.Context, tasks []executor.Task, handle func(executor.Outcome)) error {
		return s.Execute(ctx, tasks, func(o executor.Outcome) {
			handle(o)
			if !paused {
				paused = true
				time.Sleep(3 * time.Second) // the coordinator is stopped
			}
		})
	})
	got, err := run(t, context.Background(), ex, tasks)
	if err != nil {
		t.Fatalf("a pause of the coordinator failed tasks: %v", err)
	}
	for i, o := range got {
		if o.Attempts != 1 || o.Result == nil {
			t.Errorf("task %d: %d attempts, result %v", i, o.Attempts, o.Result)
		}
	}
}
