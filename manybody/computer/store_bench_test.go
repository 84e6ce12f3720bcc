package computer_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/executor/store"
	"github.com/qcmb-go/qcmb/executor/store/sqlite"
	"github.com/qcmb-go/qcmb/manybody/computer"
)

// timed measures the time spent in a Store's methods.
type timed struct {
	store.Store
	mu    sync.Mutex
	spent time.Duration
}

func (t *timed) add(start time.Time) {
	t.mu.Lock()
	t.spent += time.Since(start)
	t.mu.Unlock()
}

func (t *timed) Get(ctx context.Context, k store.Key) (store.Entry, error) {
	defer t.add(time.Now())
	return t.Store.Get(ctx, k)
}

func (t *timed) Put(ctx context.Context, e store.Entry) error {
	defer t.add(time.Now())
	return t.Store.Put(ctx, e)
}

func (t *timed) RecordRun(ctx context.Context, r *store.Run) error {
	defer t.add(time.Now())
	return t.Store.RecordRun(ctx, r)
}

// BenchmarkWater4Store runs the water4 workload (goroutine pool, 2 workers) into a new
// SQLite store and reports the share of the wall time spent storing (store-%, the
// target is under 5): the time inside the store, where the executor's handler waits.
func BenchmarkWater4Store(b *testing.B) {
	p, err := computer.Prepare(water4Input(b))
	require.NoError(b, err)
	ctx := context.Background()
	var spent, wall time.Duration
	for b.Loop() {
		s, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "results.db"))
		require.NoError(b, err)
		ts := &timed{Store: s}
		start := time.Now()
		_, err = (&computer.Computer{Executor: executor.NewPool(2, executor.Options{}), Store: ts}).Run(ctx, p)
		require.NoError(b, err)
		wall += time.Since(start)
		spent += ts.spent
		s.Close()
	}
	b.ReportMetric(100*spent.Seconds()/wall.Seconds(), "store-%")
	b.ReportMetric(spent.Seconds()/float64(b.N)/65*1e6, "µs/task-stored")
}

// BenchmarkWater4Rerun is a rerun of water4 that finds all 65 results in the store:
// open the store, plan, look every task up, assemble, close (target: under 0.2 s).
func BenchmarkWater4Rerun(b *testing.B) {
	p, err := computer.Prepare(water4Input(b))
	require.NoError(b, err)
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "results.db")
	s, err := sqlite.Open(ctx, path)
	require.NoError(b, err)
	want, err := (&computer.Computer{Executor: executor.NewPool(2, executor.Options{}), Store: s}).Run(ctx, p)
	require.NoError(b, err)
	s.Close()
	nothing := executor.ExecutorFunc(func(ctx context.Context, tasks []executor.Task, handle func(executor.Outcome)) error {
		return fmt.Errorf("%d tasks reached the executor", len(tasks))
	})
	for b.Loop() {
		s, err := sqlite.Open(ctx, path)
		require.NoError(b, err)
		p, err := computer.Prepare(water4Input(b))
		require.NoError(b, err)
		got, err := (&computer.Computer{Executor: nothing, Store: s}).Run(ctx, p)
		require.NoError(b, err)
		require.Equal(b, want.ReturnResult.Scalar, got.ReturnResult.Scalar, "rerun differs")
		s.Close()
	}
}
