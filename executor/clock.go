package executor

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// pauseSlack is how much later than due a reading of a runClock may come before the gap
// is taken for a pause: well above the scheduling delays of a loaded machine, well below
// the seconds of a SIGSTOP or a suspended laptop.
const pauseSlack = time.Second

// runClock measures the running time of tasks, which a task timeout limits, rather than
// wall-clock time: read at least every period while it matters, it advances with real
// time except that a gap between readings longer than period+pauseSlack (the process was
// stopped by SIGSTOP or ^Z, or the machine slept) counts as one period. A task that ran
// while its supervisor was stopped gains that time; one that was stopped with it (the
// whole process tree stopped, or an in-process program) loses none.
type runClock struct {
	period time.Duration
	last   time.Time
	paused time.Duration
}

// newRunClock returns a clock read every period, suited to time limits of limit.
func newRunClock(limit time.Duration) *runClock {
	return &runClock{period: min(max(limit/8, 10*time.Millisecond), time.Second)}
}

// now returns the running time at real time t (t never earlier than the previous call's).
func (c *runClock) now(t time.Time) time.Time {
	if !c.last.IsZero() {
		if gap := t.Sub(c.last); gap > c.period+pauseSlack {
			c.paused += gap - c.period
		}
	}
	c.last = t
	return t.Add(-c.paused)
}

// real converts a running time back to the real time it will be if no pause comes first.
func (c *runClock) real(v time.Time) time.Time { return v.Add(c.paused) }

// errTimeLimit is the cause of a context ended by withTimeLimit.
var errTimeLimit = fmt.Errorf("task time limit: %w", context.DeadlineExceeded)

// withTimeLimit is context.WithTimeout measured by a runClock: its context ends, with cause
// errTimeLimit, once the running time since the call reaches limit.
func withTimeLimit(parent context.Context, limit time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	stopped := make(chan struct{})
	go func() {
		clock := newRunClock(limit)
		deadline := clock.now(time.Now()).Add(limit)
		t := time.NewTimer(min(clock.period, limit))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				close(stopped)
				return
			case now := <-t.C:
				left := deadline.Sub(clock.now(now))
				if left <= 0 {
					cancel(errTimeLimit)
					close(stopped)
					return
				}
				t.Reset(min(clock.period, left))
			}
		}
	}()
	return ctx, func() {
		cancel(context.Canceled)
		<-stopped
	}
}

// timedOut reports whether ctx ended by a time limit: withTimeLimit's or a deadline's.
func timedOut(ctx context.Context) bool {
	return ctx.Err() != nil && errors.Is(context.Cause(ctx), context.DeadlineExceeded)
}
