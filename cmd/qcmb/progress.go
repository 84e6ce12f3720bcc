package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/stats"
)

// progressTick is how often the bar is redrawn while tasks run.
const progressTick = 250 * time.Millisecond

// progress draws a progress bar of a run on a terminal: tasks done, running and waiting,
// and how much of the estimated work is done, with an ETA, redrawn as tasks run rather than
// only when they finish. All methods accept a nil *progress (no terminal), which draws
// nothing.
type progress struct {
	mu    sync.Mutex               // one drawing at a time; guards bar and begun
	out   io.Writer                // the terminal
	bar   *progressbar.ProgressBar // nil until begin
	est   *workEstimate
	begun time.Time

	stop chan struct{}
	wg   sync.WaitGroup
}

// newProgress returns a progress bar on a terminal standard error, nil otherwise; the run
// tells it its tasks as it releases them (released).
func newProgress(f runFlags, stderr io.Writer) *progress {
	fh, ok := stderr.(*os.File)
	if !f.progress || !ok || !term.IsTerminal(int(fh.Fd())) {
		return nil
	}
	return &progress{out: stderr, est: newWorkEstimate(nil), stop: make(chan struct{})}
}

// released is the Computer's Released callback: tasks added to the run, first the index
// of the first, and the most tasks the run may have, exact once every decision is made.
func (p *progress) released(first int, tasks []executor.Task, bound int, exact bool) {
	if p == nil {
		return
	}
	p.est.add(first, tasks, bound, exact)
}

// begin starts redrawing the bar.
func (p *progress) begin(workers int) {
	if p == nil {
		return
	}
	p.est.setWorkers(workers)
	p.mu.Lock()
	p.bar = progressbar.NewOptions(1000,
		progressbar.OptionSetWriter(p.out),
		progressbar.OptionSetWidth(30),
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionShowDescriptionAtLineEnd(),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionClearOnFinish(),
	)
	p.begun = time.Now()
	p.mu.Unlock()
	p.draw()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(progressTick)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.draw()
			}
		}
	}()
}

// started is the executor's OnStart.
func (p *progress) started(i int) {
	if p == nil {
		return
	}
	p.est.start(i, time.Now())
	p.draw()
}

// finished is the Computer's Progress callback.
func (p *progress) finished(done, total int, o executor.Outcome) {
	if p == nil {
		return
	}
	p.est.finish(o.Index, o.End.Sub(o.Start), time.Now())
	p.draw()
}

func (p *progress) draw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar == nil {
		return
	}
	now := time.Now()
	s := p.est.snapshot(now)
	_ = p.bar.Set(int(1000 * s.fraction))
	elapsed := stats.FormatDuration(now.Sub(p.begun).Round(time.Second)) + " elapsed, "
	p.bar.Describe(strings.Replace(s.String(), "ETA", elapsed+"ETA", 1))
}

// close stops redrawing and clears the bar; begin must have been called.
func (p *progress) close() {
	if p == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.bar.Finish()
}

// workEstimate tracks which tasks run and estimates the work left from the tasks'
// estimated costs (executor.Task.Cost): the seconds per unit of cost are learned from the
// tasks that finished, or, before any has, bounded from below by the tasks running. The
// tasks of an adaptive expansion arrive as its decisions release them: until the last
// decision, the number of tasks is an upper bound and the work left a lower one.
type workEstimate struct {
	mu      sync.Mutex
	cost    []float64
	total   float64
	bound   int  // the most tasks the run may have
	exact   bool // bound is the number of tasks
	workers int
	running map[int]time.Time
	done    map[int]bool
	// doneCost and doneTime sum the cost and the durations of the finished tasks.
	doneCost float64
	doneTime time.Duration
}

func newWorkEstimate(tasks []executor.Task) *workEstimate {
	e := &workEstimate{workers: 1, exact: true, running: map[int]time.Time{}, done: map[int]bool{}}
	e.add(0, tasks, len(tasks), true)
	return e
}

// add takes tasks released at index first, and the run's bound.
func (e *workEstimate) add(first int, tasks []executor.Task, bound int, exact bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for len(e.cost) < first+len(tasks) {
		e.cost = append(e.cost, 0)
	}
	for i, t := range tasks {
		c := max(t.Cost, 0)
		if c == 0 {
			c = 1
		}
		e.total += c - e.cost[first+i]
		e.cost[first+i] = c
	}
	e.bound, e.exact = max(bound, len(e.cost)), exact
}

func (e *workEstimate) setWorkers(n int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.workers = max(n, 1)
}

func (e *workEstimate) start(i int, now time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if i >= 0 && i < len(e.cost) && !e.done[i] {
		e.running[i] = now
	}
}

func (e *workEstimate) finish(i int, d time.Duration, now time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if i < 0 || i >= len(e.cost) || e.done[i] {
		return
	}
	delete(e.running, i)
	e.done[i] = true
	e.doneCost += e.cost[i]
	e.doneTime += max(d, 0)
}

// progressState is what the bar shows.
type progressState struct {
	done, running, total int
	bound                bool          // total is an upper bound: decisions are still to come
	fraction             float64       // of the estimated work done, 0..1 (0 until a task finishes)
	eta                  time.Duration // estimated time left; < 0 when unknown
	atLeast              bool          // the ETA is a lower bound (no task has finished yet)
}

func (s progressState) String() string {
	total := fmt.Sprint(s.total)
	if s.bound {
		total = "≤" + total // an upper bound until the last decision
	}
	msg := fmt.Sprintf("%d/%s tasks done, %d running", s.done, total, s.running)
	switch {
	case s.eta < 0:
		return msg + ", ETA unknown"
	case s.atLeast:
		return msg + ", ETA ≥ " + stats.FormatDuration(s.eta.Round(time.Second))
	default:
		return msg + ", ETA " + stats.FormatDuration(s.eta.Round(time.Second))
	}
}

// snapshot estimates the state at now. Until a task finishes, the seconds per unit cost r
// are bounded from below by the running tasks (the one furthest past its cost would be
// done now), which gives a lower bound on the time left but says nothing of the fraction
// done, reported as 0. With r, the work left is the
// cost of the tasks not started times r plus, for each running task, its cost times r less
// the time it has run (at least 0); it is shared by the workers, so the ETA is the work
// left over the workers, but no less than the longest remainder of a running task.
func (e *workEstimate) snapshot(now time.Time) progressState {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := progressState{done: len(e.done), running: len(e.running), total: max(e.bound, len(e.cost)), bound: !e.exact, eta: -1}
	var rate float64 // seconds per unit cost
	if e.doneCost > 0 {
		rate = e.doneTime.Seconds() / e.doneCost
	} else {
		s.atLeast = true
		for i, t := range e.running {
			rate = max(rate, now.Sub(t).Seconds()/e.cost[i])
		}
	}
	if rate <= 0 || e.total <= 0 {
		if e.total > 0 {
			s.fraction = e.doneCost / e.total
		}
		return s
	}
	var left, longest float64
	for i, c := range e.cost {
		if e.done[i] {
			continue
		}
		rem := c * rate
		if t, ok := e.running[i]; ok {
			rem = max(rem-now.Sub(t).Seconds(), 0)
			longest = max(longest, rem)
		}
		left += rem
	}
	// Tasks not released yet are work not counted: while decisions are to come, the ETA
	// is a lower bound and the fraction an upper one.
	s.atLeast = s.atLeast || s.bound
	if e.doneCost > 0 {
		s.fraction = min(max(1-left/(e.total*rate), 0), 1)
	}
	s.eta = time.Duration(max(left/float64(max(e.workers, 1)), longest) * float64(time.Second))
	return s
}
