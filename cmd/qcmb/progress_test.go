package main

import (
	"context"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/qcschema"
)

const gatedProgram = "cmd-test-gated"

// gate holds every task of the gated program until it is closed.
var gate = make(chan struct{})

func init() {
	engine.Register(gatedProgram, engine.ProgramFunc(func(ctx context.Context, in *qcschema.AtomicInput) (*qcschema.AtomicResult, error) {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		e := -76.0 * float64(len(in.Molecule.Symbols))
		res := qcschema.NewAtomicResult(in, qcschema.Provenance{Creator: gatedProgram, Version: "1", Routine: "test"})
		res.Properties.ReturnEnergy = &e
		res.ReturnResult.Scalar = e
		return res, nil
	}))
}

// syncBuffer collects what the terminal shows.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The progress bar on a terminal shows tasks running and an ETA before any task finishes:
// the program here finishes nothing until the test has seen that.
func TestProgressBarBeforeFirstTaskFinishes(t *testing.T) {
	ptmx, tty, err := pty.Open()
	require.NoError(t, err)
	defer ptmx.Close()
	require.NoError(t, pty.Setsize(tty, &pty.Winsize{Rows: 24, Cols: 120}))
	var screen syncBuffer
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		_, _ = io.Copy(&screen, ptmx)
	}()

	var in qcschema.ManyBodyInput
	require.NoError(t, readJSON(newRootCmd(), water4Input, &in))
	spec := in.Specification.Specification["hf"]
	spec.Program = gatedProgram
	in.Specification.Specification["hf"] = spec

	done := make(chan error, 1)
	go func() {
		f := runFlags{executor: "pool", workers: 2, progress: true, retries: 0, noStore: true}
		done <- runInput(context.Background(), manyBodyInput{v1: &in}, f, io.Discard, tty)
	}()

	want := "0/10 tasks done, 2 running, 0s elapsed, ETA ≥"
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(screen.String(), want) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	shown := screen.String()
	close(gate) // now let the tasks finish
	require.NoError(t, <-done)
	tty.Close()
	<-copied
	assert.Contains(t, shown, want, "terminal showed: %q", shown)
	assert.NotContains(t, shown, "1/10 tasks done", "a task finished before the gate opened")
	// The bar is erased before the run's output.
	assert.Regexp(t, `\r +\r+\n +==> N-Body`, screen.String())
}

// Without a terminal there is no bar, and nothing of it reaches standard error.
func TestProgressNotOnPipes(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	assert.Nil(t, newProgress(runFlags{progress: true}, w))
	// A nil progress accepts every call.
	var p *progress
	p.begin(2)
	p.released(0, []executor.Task{{ID: "a"}}, 1, true)
	p.started(0)
	p.finished(1, 1, executor.Outcome{})
	p.close()
}

// The estimate weights tasks by cost and moves while tasks run.
func TestWorkEstimate(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	e := newWorkEstimate([]executor.Task{{Cost: 8}, {Cost: 8}, {Cost: 2}, {Cost: 2}})
	e.workers = 2

	s := e.snapshot(t0)
	assert.Equal(t, progressState{total: 4, eta: -1, atLeast: true}, s)

	// Two large tasks run for 4 s: at least 0.5 s per unit cost. Left: 2×(8×0.5−4) + 2×2×0.5 = 2 s,
	// at least 1 s to go on 2 workers; how much is done is not known yet.
	e.start(0, t0)
	e.start(1, t0)
	s = e.snapshot(at(4))
	assert.Equal(t, 2, s.running)
	assert.True(t, s.atLeast)
	assert.Zero(t, s.fraction)
	assert.Equal(t, time.Second, s.eta)
	assert.Equal(t, "0/4 tasks done, 2 running, ETA ≥ 1s", s.String())

	// Task 0 finishes after 8 s: 1 s per unit cost. Task 1 has 0 s left, the small ones 2 s
	// each: 4 s of 20 s left, 2 s on 2 workers.
	e.finish(0, 8*time.Second, at(8))
	s = e.snapshot(at(8))
	assert.False(t, s.atLeast)
	assert.Equal(t, 1, s.done)
	assert.InDelta(t, 0.8, s.fraction, 1e-9)
	assert.Equal(t, 2*time.Second, s.eta)
	assert.Equal(t, "1/4 tasks done, 1 running, ETA 2s", s.String())
}

// While an adaptive expansion's decisions are to come, the total is an upper bound and
// says so, and the ETA counts only the tasks released: a lower bound.
func TestWorkEstimateUpperBound(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	e := newWorkEstimate(nil)
	e.add(0, []executor.Task{{Cost: 1}, {Cost: 1}}, 10, false)
	e.start(0, t0)
	e.finish(0, time.Second, t0.Add(time.Second))
	s := e.snapshot(t0.Add(time.Second))
	assert.Equal(t, "1/≤10 tasks done, 0 running, ETA ≥ 1s", s.String())
	// The last decisions drop clusters: 3 tasks in all, the bound exact.
	e.add(2, []executor.Task{{Cost: 1}}, 3, true)
	s = e.snapshot(t0.Add(time.Second))
	assert.Equal(t, "1/3 tasks done, 0 running, ETA 2s", s.String())
}
