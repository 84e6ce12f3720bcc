package executor_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/executor"
)

// TestTimeoutIgnoresPause: when the coordinator does not run for a while (the process was
// stopped by SIGSTOP, here simulated by an OnStart callback that blocks the coordinator
// once both tasks run), the time it missed does not count against the tasks running
// meanwhile: before the fix, every task in flight was killed as timed out when the
// coordinator ran again. Each task runs 4 s against a limit of 3.5 s, 3 s of it during the
// pause.
func TestTimeoutIgnoresPause(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for seconds")
	}
	started := 0
	opt := executor.Options{Timeout: 3500 * time.Millisecond, OnStart: func(int) {
		started++
		if started == 2 {
			time.Sleep(3 * time.Second) // the coordinator is stopped
		}
	}}
	s, _ := newSubprocess(t, 2, opt, "engine")
	s.Pipeline = 1 // one task per worker: both run at once
	tasks := []executor.Task{
		task(t, "slow1", map[string]any{"sleep": 4.0}),
		task(t, "slow2", map[string]any{"sleep": 4.0}),
	}
	got, err := run(t, context.Background(), s, tasks)
	require.NoError(t, err, "a pause of the coordinator failed tasks")
	require.Equal(t, 2, started, "tasks started")
	for i, o := range got {
		assert.Equal(t, 1, o.Attempts, "task %d: attempts", i)
		assert.NotNil(t, o.Result, "task %d: result", i)
	}
}
