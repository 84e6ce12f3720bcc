package executor

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRunClock: readings at most period+pauseSlack apart advance the run clock with real
// time; a longer gap (a stopped process) counts as one period.
func TestRunClock(t *testing.T) {
	c := newRunClock(4 * time.Second) // period 500ms
	require.Equal(t, 500*time.Millisecond, c.period, "period")
	t0 := time.Unix(1000, 0)
	steps := []struct {
		after time.Duration // since the previous reading
		want  time.Duration // run time since t0
	}{
		{0, 0},
		{500 * time.Millisecond, 500 * time.Millisecond},
		{1400 * time.Millisecond, 1900 * time.Millisecond}, // a late reading on a busy machine still counts
		{time.Minute, 2400 * time.Millisecond},             // stopped for a minute: one period
		{300 * time.Millisecond, 2700 * time.Millisecond},
	}
	now := t0
	for i, s := range steps {
		now = now.Add(s.after)
		assert.Equal(t, s.want, c.now(now).Sub(t0), "step %d: run time", i)
	}
	assert.WithinDuration(t, now.Add(300*time.Millisecond), c.real(t0.Add(3*time.Second)), 0, "real")
}

// TestWithTimeLimit: the context ends after the limit with a deadline cause.
func TestWithTimeLimit(t *testing.T) {
	start := time.Now()
	ctx, cancel := withTimeLimit(context.Background(), 100*time.Millisecond)
	defer cancel()
	<-ctx.Done()
	assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond, "ended after")
	assert.True(t, timedOut(ctx), "cause %v, want a time limit", context.Cause(ctx))
	ctx2, cancel2 := withTimeLimit(context.Background(), time.Hour)
	cancel2()
	assert.False(t, timedOut(ctx2), "a cancelled context counts as timed out")
}
