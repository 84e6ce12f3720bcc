package executor

import (
	"context"
	"testing"
	"time"
)

// TestRunClock: readings at most period+pauseSlack apart advance the run clock with real
// time; a longer gap (a stopped process) counts as one period.
func TestRunClock(t *testing.T) {
	c := newRunClock(4 * time.Second) // period 500ms
	if c.period != 500*time.Millisecond {
		t.Fatalf("period %v", c.period)
	}
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
		if got := c.now(now).Sub(t0); got != s.want {
			t.Errorf("step %d: run time %v, want %v", i, got, s.want)
		}
	}
	if got := c.real(t0.Add(3 * time.Second)); !got.Equal(now.Add(300 * time.Millisecond)) {
		t.Errorf("real: %v, want %v", got, now.Add(300*time.Millisecond))
	}
}

// TestWithTimeLimit: the context ends after the limit with a deadline cause.
func TestWithTimeLimit(t *testing.T) {
	start := time.Now()
	ctx, cancel := withTimeLimit(context.Background(), 100*time.Millisecond)
	defer cancel()
	<-ctx.Done()
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("ended after %v", d)
	}
	if !timedOut(ctx) {
		t.Errorf("cause %v, want a time limit", context.Cause(ctx))
	}
	ctx2, cancel2 := withTimeLimit(context.Background(), time.Hour)
	cancel2()
	if timedOut(ctx2) {
		t.Error("a cancelled context counts as timed out")
	}
}
