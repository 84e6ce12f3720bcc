package store_test

import (
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/executor/store"
)

// workerCounter is the Workers capability of Serial, Pool, Subprocess and Slurm.
type workerCounter interface{ Workers() int }

// capable is an executor with every optional capability, recording the calls that reach
// it.
type capable struct {
	executor.ExecutorFunc
	started, closed int
}

func (c *capable) Start(context.Context) error { c.started++; return nil }
func (c *capable) Close() error                { c.closed++; return nil }
func (c *capable) Workers() int                { return 7 }

// TestWrapKeepsCapabilities: every optional capability of an executor reaches it through
// store.Wrap, and the wrapper claims none that the executor lacks.
func TestWrapKeepsCapabilities(t *testing.T) {
	noop := executor.ExecutorFunc(func(context.Context, []executor.Task, func(executor.Outcome)) error { return nil })
	t.Run("Starter", func(t *testing.T) {
		c := &capable{ExecutorFunc: noop}
		st, ok := store.Wrap(c, store.NewMemory()).(executor.Starter)
		require.True(t, ok, "a wrapped Starter is a Starter")
		require.NoError(t, st.Start(context.Background()))
		require.NoError(t, st.Close())
		assert.Equal(t, 1, c.started)
		assert.Equal(t, 1, c.closed)
	})
	t.Run("Workers", func(t *testing.T) {
		w, ok := store.Wrap(&capable{ExecutorFunc: noop}, store.NewMemory()).(workerCounter)
		require.True(t, ok)
		assert.Equal(t, 7, w.Workers())
	})
	t.Run("Closer", func(t *testing.T) {
		c := &capable{ExecutorFunc: noop}
		cl, ok := store.Wrap(c, store.NewMemory()).(io.Closer)
		require.True(t, ok)
		require.NoError(t, cl.Close())
		assert.Equal(t, 1, c.closed)
	})
	t.Run("Streamer", func(t *testing.T) {
		_, ok := store.Wrap(noop, store.NewMemory()).(executor.Streamer)
		assert.True(t, ok, "a wrapper streams, by batches when next cannot")
	})
	t.Run("none", func(t *testing.T) {
		ex := store.Wrap(noop, store.NewMemory())
		_, ok := ex.(executor.Starter)
		assert.False(t, ok, "a wrapped function is no Starter")
		assert.Equal(t, 0, ex.(workerCounter).Workers(), "no worker count to report")
		assert.NoError(t, ex.(io.Closer).Close())
		_, ok = ex.(executor.Streamer)
		assert.True(t, ok, "Wrap streams whatever it wraps")
	})
	// The executors of package executor, wrapped, keep what they have.
	type kept struct {
		ex      executor.Executor
		workers int
		starter bool
	}
	executors := map[string]kept{
		"serial":     {executor.NewSerial(executor.Options{}), 1, false},
		"pool":       {executor.NewPool(4, executor.Options{}), 4, false},
		"subprocess": {executor.NewSubprocess(3, []string{"true"}, executor.Options{}), 3, true},
	}
	// NewSlurm needs srun on PATH; outside an allocation (no SLURM_JOB_ID) it starts nothing.
	if slurm, err := executor.NewSlurm(2, executor.SlurmConfig{Command: []string{"true"}, Env: []string{}}, executor.Options{}); err == nil {
		executors["slurm"] = kept{slurm, 2, true}
	}
	for name, c := range executors {
		t.Run(name, func(t *testing.T) {
			ex := store.Wrap(c.ex, store.NewMemory())
			_, starter := ex.(executor.Starter)
			assert.Equal(t, c.starter, starter)
			assert.Equal(t, c.workers, ex.(workerCounter).Workers())
		})
	}
}
