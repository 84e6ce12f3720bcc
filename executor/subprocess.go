package executor

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/qcmb-go/qcmb/qcschema"
)

// Subprocess runs tasks on long-lived worker processes that speak the NDJSON worker
// protocol (see Serve and the package documentation). Each Execute starts up to Workers
// processes, feeds them tasks largest Cost first, and closes their input at the end, upon
// which they exit.
//
// A worker that exits or writes something other than a result line while it has tasks is
// killed and replaced: the task it was running fails with a *WorkerError (and is retried,
// see Options.Retries), the tasks queued behind it are sent elsewhere without counting an
// attempt. A task that exceeds Options.Timeout gets its worker killed and replaced in the
// same way. When ctx is cancelled, every worker's process group is killed and Execute
// returns once they have exited.
//
// A worker gets tasks only once it has answered its handshake (see WorkerEvent), so its
// start-up is neither task time nor part of Options.Timeout. Options.Timeout limits a
// task's running time: from when its worker starts on it (the previous answer, or the
// handshake's), and time during which this process was stopped (SIGSTOP, ^Z) does not
// count. Outcome.Start of a task is when it was sent to an idle worker, or when the worker
// answered the previous line.
//
// Without Start, each Execute starts its own workers and stops them at its end, and
// Execute may be called concurrently. After Start, the workers outlive each batch until
// Close, and Execute calls take turns on them (see Start). Set the exported fields before
// the first Execute or Start and do not change them afterwards.
type Subprocess struct {
	workers int
	command []string
	opt     Options

	// Env is the workers' environment; nil means this process's.
	Env []string
	// Dir is the workers' working directory; "" means this process's.
	Dir string
	// Pipeline is how many tasks a worker is given before its first answer arrives (at
	// least 1; 0 means 2): with 2, the next input is waiting in the worker's pipe while the
	// previous result travels back. Larger values save little and delay the tail of a
	// batch, since a task sent to a worker cannot be taken back by another.
	Pipeline int
	// Stderr, if set, also receives all workers' standard error (each worker keeps its
	// last 64 KiB for error reports regardless).
	Stderr io.Writer
	// Grace is how long a worker may take to exit once its input is closed at the end of
	// a batch before it is killed; 0 means 5 seconds.
	Grace time.Duration
	// StartTimeout is how long a worker may take to become ready (answer its handshake,
	// see Options.OnWorker) before it is stopped and its start fails; 0 means no limit.
	StartTimeout time.Duration

	hooks   launcher   // how workers are started and stopped; nil: plain processes
	openMu  sync.Mutex // guards open
	open    *crew      // workers kept between Start and Close, nil otherwise
	mu      sync.Mutex // held while a batch or Close uses the open crew
	eventMu sync.Mutex // serializes Options.OnWorker calls
	// KillGrace is how long a worker that is being stopped (a time-out, a crash,
	// cancellation) has between SIGTERM to its process group and SIGKILL: time to stop its
	// program, kill what that started and remove its scratch directory. 0 means 3 seconds.
	KillGrace time.Duration
}

// NewSubprocess returns a Subprocess executor that runs workers copies of command
// (workers <= 0 means runtime.GOMAXPROCS(0)). The command is any program that speaks the
// worker protocol, typically {"qcmb", "worker"} or {"srun", "-n1", "qcmb", "worker"}; there is
// no default. Options.Runner is not used: workers choose how to run their inputs.
func NewSubprocess(workers int, command []string, opt Options) *Subprocess {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return &Subprocess{workers: workers, command: slices.Clone(command), opt: opt}
}

// Workers returns the number of worker processes.
func (s *Subprocess) Workers() int { return s.workers }

// Execute implements Executor. An empty command is an error of its own.
func (s *Subprocess) Execute(ctx context.Context, tasks []Task, handle func(Outcome)) error {
	return s.Stream(ctx, closedQueue(tasks), handle)
}

// Stream implements Streamer: tasks added while others run go to the workers as they
// become free, largest Cost first; idle workers wait for more until the queue is closed.
// Without Start, the workers are started as tasks arrive and stopped at the end.
func (s *Subprocess) Stream(ctx context.Context, q *Queue, handle func(Outcome)) (err error) {
	if len(s.command) == 0 {
		return errors.New("executor: subprocess: empty worker command")
	}
	workers := s.workers
	if tasks, closed, _ := q.Since(0); closed {
		if len(tasks) == 0 {
			return nil
		}
		workers = min(workers, len(tasks))
	}
	c, ctx, release, err := s.acquire(ctx, workers)
	if err != nil {
		return err
	}
	defer func() { // also after a panic in handle, so that the open crew is released
		if rerr := release(); rerr != nil {
			err = errors.Join(err, rerr)
		}
	}()
	r := &subRun{
		crew:     c,
		s:        s,
		ctx:      ctx,
		in:       newIntake(q, true),
		handle:   handle,
		programs: map[string][]byte{},
		clock:    newRunClock(s.opt.Timeout),
	}
	return r.run()
}

// proc is one worker process.
type proc struct {
	slot    int
	pid     int
	cmd     *exec.Cmd
	stdout  *os.File      // read end of the worker's stdout
	in      chan []byte   // lines for the writer goroutine
	abandon chan struct{} // closed when the coordinator stops listening to this proc
	done    chan struct{} // closed when the reader has seen EOF and Wait returned
	wdone   chan struct{} // closed when the writer goroutine has finished
	stderr  *ring
	life    *workerLife // scratch and token of a worker on this machine, nil for others

	requested time.Time // when the process was started
	tag       string    // what the launcher calls this worker (a Slurm job name)
	host      string    // where the worker runs, as its handshake answer said

	// Owned by the coordinator.
	ready     bool      // the handshake was answered
	inflight  []int     // tasks sent and not answered, in order (pingIndex: the handshake)
	headStart time.Time // when inflight[0] started
	headRun   time.Time // the same on the run clock; zero until the worker reads its input
	sentRun   time.Time // on the run clock, when inflight[0] was sent
	reading   bool      // the worker has been seen reading its input
	stdinW    *os.File  // the write end of the worker's stdin
	written   atomic.Int64
	answered  int
	dead      bool
}

// event is a line or the end of a worker, from its reader goroutine.
type event struct {
	p      *proc
	res    *qcschema.AtomicResult
	fail   *qcschema.FailedOperation
	perr   error // protocol error, or with exit the Wait error
	cpu    time.Duration
	starts []programStart // resident program start-ups (StartsKey)
	exit   bool
	at     time.Time
}

type delayed struct {
	idx int
	at  time.Time
}

// subRun is the state of one Subprocess.Execute; all but the goroutines' channels are
// owned by the coordinator (the goroutine that called Execute).
type subRun struct {
	*crew
	s      *Subprocess
	ctx    context.Context
	in     *intake // the stream's tasks; its heap holds those not sent yet
	tasks  []Task  // in.tasks
	handle func(Outcome)

	attempts  []int
	remaining int   // tasks not yet delivered
	front     []int // tasks to send before the heap's (requeued, retries)
	delayed   []delayed
	doa       int   // workers in a row that ended without answering anything
	lastErr   error // why the last worker failed to start or died
	broken    bool  // workers keep failing: start no more, and give up once none is left
	failed    []Outcome
	programs  map[string][]byte // program name -> JSON string
	stopping  sync.WaitGroup    // goroutines of stop
	clock     *runClock         // measures time limits
	vnow      time.Time         // the run clock's time at the coordinator's latest wake
}

func (r *subRun) run() error {
	defer r.cleanup()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		r.pull()
		if r.remaining == 0 && r.in.closed {
			break
		}
		now := time.Now()
		r.vnow = r.clock.now(now)
		r.promote(now)
		r.fill(now)
		if r.remaining == 0 && r.in.closed {
			break
		}
		var tc <-chan time.Time
		if wake := r.nextWake(); !wake.IsZero() {
			timer.Reset(wake.Sub(now))
			tc = timer.C
		}
		select {
		case ev := <-r.events:
			r.onEvent(ev)
		case <-r.in.wait: // tasks added, or the queue closed
		case <-tc:
			now := time.Now()
			r.vnow = r.clock.now(now)
			r.onTimer(now)
		case <-r.ctx.Done():
			for _, p := range r.slots {
				if p != nil && (!r.keep || busy(p)) {
					r.retire(p, true)
				}
			}
			r.waitAll()
			return cancelled(r.ctx, r.remaining, len(r.tasks))
		}
	}
	if !r.keep {
		r.closeAll()
	}
	slices.SortFunc(r.failed, func(a, b Outcome) int { return cmp.Compare(a.Index, b.Index) })
	return batchResult(r.failed)
}

// pull takes the tasks added to the stream since the last pull.
func (r *subRun) pull() {
	n := r.in.pull()
	r.tasks = r.in.tasks
	r.attempts = append(r.attempts, make([]int, n)...)
	r.remaining += n
}

// hasReady reports whether a task is waiting to be sent.
func (r *subRun) hasReady() bool { return r.waiting() > 0 }

func (r *subRun) nextReady() int {
	if len(r.front) > 0 {
		i := r.front[0]
		r.front = r.front[1:]
		return i
	}
	return r.in.heap.pop()
}

// promote moves retries whose back-off has passed to the front of the queue.
func (r *subRun) promote(now time.Time) {
	if len(r.delayed) == 0 {
		return
	}
	keep := r.delayed[:0]
	for _, d := range r.delayed {
		if !d.at.After(now) {
			r.front = append(r.front, d.idx)
		} else {
			keep = append(keep, d)
		}
	}
	r.delayed = keep
}

// fill sends ready tasks to workers, starting workers in empty slots as needed: first one
// task to each idle worker, then more up to the pipeline depth. A worker is started only
// for a task that no idle or starting worker can take: never more workers than tasks.
func (r *subRun) fill(now time.Time) {
	spare := 0 // workers that take a task as soon as they have one: idle, or starting
	for _, p := range r.slots {
		if p != nil && (!p.ready || len(p.inflight) == 0) {
			spare++
		}
	}
	for d := 1; d <= r.depth; d++ {
		for slot, p := range r.slots {
			if !r.hasReady() {
				return
			}
			if p == nil {
				if d > 1 || r.broken || spare >= r.waiting() {
					continue
				}
				if p = r.spawn(slot); p == nil {
					continue
				}
				spare++
			}
			if p.ready && len(p.inflight) < d {
				if len(p.inflight) == 0 {
					spare--
				}
				r.send(p, r.nextReady(), now)
			}
		}
	}
	if r.broken && r.live() == 0 {
		r.giveUp()
	}
}

// waiting is the number of tasks ready to be sent.
func (r *subRun) waiting() int { return len(r.front) + r.in.heap.len() }

// giveUp fails every task not sent to a worker yet, because workers keep failing and none
// is left.
func (r *subRun) giveUp() {
	for _, d := range r.delayed {
		r.front = append(r.front, d.idx)
	}
	r.delayed = nil
	for r.hasReady() {
		i := r.nextReady()
		err := r.lastErr
		var we *WorkerError
		if !errors.As(err, &we) {
			err = &WorkerError{Worker: -1, Err: err}
		}
		now := time.Now()
		r.deliver(Outcome{Index: i, ID: r.tasks[i].ID, Attempts: r.attempts[i], Queued: r.in.queued[i], Start: now, End: now,
			Err: fmt.Errorf("not run: workers keep failing: %w", err)})
	}
}

func (r *subRun) nextWake() time.Time {
	var wake time.Time
	earlier := func(t time.Time) {
		if wake.IsZero() || t.Before(wake) {
			wake = t
		}
	}
	if t := r.s.opt.Timeout; t > 0 {
		for _, p := range r.slots {
			if p != nil && p.ready && len(p.inflight) > 0 {
				// Read the clock every period while tasks run, so that a pause shows as
				// a gap; poll a worker not yet seen reading its input as often.
				earlier(r.clock.last.Add(r.clock.period))
				if !p.headRun.IsZero() {
					earlier(r.clock.real(p.headRun.Add(t)))
				}
			}
		}
	}
	if t := r.s.StartTimeout; t > 0 {
		for _, p := range r.slots {
			if p != nil && !p.ready {
				earlier(p.requested.Add(t))
			}
		}
	}
	for _, d := range r.delayed {
		earlier(d.at)
	}
	return wake
}

// send gives task i to worker p.
func (r *subRun) send(p *proc, i int, now time.Time) {
	t := &r.tasks[i]
	prog, ok := r.programs[t.Program]
	if !ok {
		name := t.Program
		if name == "" {
			name = DefaultProgram
		}
		prog, _ = json.Marshal(name)
		r.programs[t.Program] = prog
	}
	var buf []byte
	select {
	case buf = <-r.bufs:
	default:
	}
	line, err := appendLine(buf[:0], t.Payload, prog)
	if err != nil {
		r.attempts[i]++
		r.deliver(Outcome{Index: i, ID: t.ID, Attempts: r.attempts[i], Worker: p.slot, Queued: r.in.queued[i], Start: now, End: now,
			Err: failure(t.Payload, qcschema.ErrorInput, "payload: "+err.Error())})
		return
	}
	r.attempts[i]++
	head := len(p.inflight) == 0
	if head {
		p.headStart = now
		p.headRun, p.sentRun = time.Time{}, r.vnow
		if p.reading {
			p.headRun = r.vnow
		}
	}
	p.inflight = append(p.inflight, i)
	p.in <- append(line, '\n')
	if head {
		r.started(i, p.slot) // once the worker has its input: OnStart may take its time
	}
}

func (r *subRun) onEvent(ev event) {
	p := ev.p
	if p.dead {
		return
	}
	if ev.exit || ev.perr != nil {
		r.crash(p, ev)
		return
	}
	if len(p.inflight) == 0 {
		r.crash(p, event{p: p, perr: errors.New("protocol error: an output line with no input pending"), at: ev.at})
		return
	}
	if p.inflight[0] == pingIndex {
		r.onReady(p, ev)
		return
	}
	i := p.inflight[0]
	p.inflight = p.inflight[:copy(p.inflight, p.inflight[1:])]
	start := p.headStart
	p.headStart = ev.at
	if len(p.inflight) > 0 {
		r.started(p.inflight[0], p.slot)
	}
	p.headRun, p.reading = r.vnow, true
	p.answered++
	r.doa, r.broken = 0, false
	evs, begin := startEvents(p.slot, p.host, start, ev.starts)
	for _, we := range evs {
		r.s.report(we)
	}
	if begin.After(ev.at) {
		begin = ev.at
	}
	out := Outcome{Index: i, ID: r.tasks[i].ID, Result: ev.res, Attempts: r.attempts[i], Worker: p.slot,
		Queued: r.in.queued[i], Start: begin, End: ev.at, CPU: ev.cpu}
	if ev.fail != nil {
		ev.fail.InputData = inputData(r.tasks[i].Payload)
		out.Err = ev.fail
	}
	r.finish(out)
}

// started reports the start of task i's first attempt, on worker slot.
func (r *subRun) started(i, slot int) {
	if r.attempts[i] == 1 {
		r.s.opt.started(i, slot)
	}
}

// crash handles a worker that ended or broke the protocol.
func (r *subRun) crash(p *proc, ev event) {
	r.retire(p, true)
	cause := ev.perr
	if ev.exit {
		if cause == nil {
			cause = errors.New("exited with status 0")
		} else {
			cause = fmt.Errorf("exited: %w", cause)
		}
		if n := len(p.inflight); n > 0 && p.ready {
			cause = fmt.Errorf("%w with %d task(s) unanswered", cause, n)
		}
	}
	werr := &WorkerError{Worker: p.slot, Pid: p.pid, Err: cause, Stderr: p.stderr.String()}
	r.lastErr = werr
	if p.answered == 0 {
		r.doa++
		if r.doa >= len(r.slots)+3 {
			r.broken = true
		}
	}
	if !p.ready {
		r.s.report(WorkerEvent{Worker: p.slot, Requested: p.requested, Err: werr})
		return
	}
	if len(p.inflight) > 0 {
		head := p.inflight[0]
		r.requeue(p.inflight[1:])
		r.finish(Outcome{Index: head, ID: r.tasks[head].ID, Attempts: r.attempts[head], Worker: p.slot,
			Queued: r.in.queued[head], Start: p.headStart, End: ev.at, Err: werr})
	}
}

func (r *subRun) onTimer(now time.Time) {
	r.startTimeouts(now)
	if t := r.s.opt.Timeout; t > 0 {
		for _, p := range r.slots {
			if p == nil || !p.ready || len(p.inflight) == 0 {
				continue
			}
			if p.headRun.IsZero() {
				// A task starts when its worker has started up and reads its input; a
				// worker that never gets there is stopped all the same.
				if startedReading(p) {
					p.headRun, p.reading = r.vnow, true
				} else if r.vnow.Before(p.sentRun.Add(t + startupAllowance)) {
					continue
				}
			}
			if !p.headRun.IsZero() && r.vnow.Before(p.headRun.Add(t)) {
				continue
			}
			r.retire(p, true)
			head := p.inflight[0]
			r.requeue(p.inflight[1:])
			fo := timeoutFailure(r.tasks[head].Payload, t, fmt.Sprintf("worker %d (pid %d) killed", p.slot, p.pid))
			if tail := tailLines(p.stderr.String(), 20, 2048); tail != "" {
				fo.Extras = map[string]any{"worker_stderr": tail}
			}
			r.finish(Outcome{Index: head, ID: r.tasks[head].ID, Attempts: r.attempts[head], Worker: p.slot,
				Queued: r.in.queued[head], Start: p.headStart, End: now, Err: fo})
		}
	}
}

// requeue puts tasks that were sent to a dead worker but not started back at the front,
// without counting the attempt.
func (r *subRun) requeue(idx []int) {
	for _, i := range idx {
		r.attempts[i]--
	}
	r.front = append(slices.Clone(idx), r.front...)
}

// finish delivers an outcome, or schedules a retry.
func (r *subRun) finish(out Outcome) {
	if out.Err != nil && r.s.opt.retry(out.Err, out.Attempts) && r.ctx.Err() == nil {
		r.delayed = append(r.delayed, delayed{idx: out.Index, at: time.Now().Add(r.s.opt.backoff(out.Attempts))})
		return
	}
	r.deliver(out)
}

func (r *subRun) deliver(out Outcome) {
	r.remaining--
	if out.Err != nil {
		r.failed = append(r.failed, out)
	}
	r.handle(out)
}

// spawn starts a worker in slot; nil if it could not start.
func (r *subRun) spawn(slot int) *proc {
	p, err := r.start(slot)
	if err != nil {
		r.lastErr = &WorkerError{Worker: slot, Err: fmt.Errorf("starting %q: %w", r.s.command, err)}
		r.s.report(WorkerEvent{Worker: slot, Requested: time.Now(), Err: r.lastErr})
		r.doa++
		if r.doa >= len(r.slots)+3 || r.live() == 0 {
			r.broken = true
		}
		return nil
	}
	r.slots[slot] = p
	r.all = append(r.all, p)
	r.ping(p)
	return p
}

func (r *subRun) live() int {
	n := 0
	for _, p := range r.slots {
		if p != nil {
			n++
		}
	}
	return n
}

func (r *subRun) start(slot int) (*proc, error) {
	s := r.s
	cmd, tag := s.launch().command(slot)
	cmd.Env = s.Env
	cmd.Dir = s.Dir
	var life *workerLife
	if s.hooks == nil { // a process on this machine: its scratch and escapees are ours to clean
		var err error
		if life, err = newWorkerLife(); err != nil {
			return nil, err
		}
		cmd.Env = life.env(cmd.Env)
	}
	cmd.WaitDelay = time.Second
	isolate(cmd)
	// Our own stdin pipe, to see how much of it the worker has read.
	inR, stdin, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdin = inR
	pr, pw, err := os.Pipe()
	if err != nil {
		inR.Close()
		stdin.Close()
		return nil, err
	}
	cmd.Stdout = pw
	errRing := newRing(stderrKeep)
	cmd.Stderr = errRing
	if r.stderr != nil {
		cmd.Stderr = io.MultiWriter(errRing, r.stderr)
	}
	if err := cmd.Start(); err != nil {
		inR.Close()
		stdin.Close()
		pr.Close()
		pw.Close()
		life.end()
		return nil, err
	}
	inR.Close()
	pw.Close()
	p := &proc{
		slot:    slot,
		pid:     cmd.Process.Pid,
		cmd:     cmd,
		stdout:  pr,
		in:      make(chan []byte, r.depth),
		abandon: make(chan struct{}),
		done:    make(chan struct{}),
		wdone:   make(chan struct{}),
		stderr:  errRing,
		stdinW:  stdin,
		life:    life,
	}
	p.requested, p.tag = time.Now(), tag
	go r.read(p)
	go r.write(p, stdin)
	return p, nil
}

// read decodes p's output lines into events, then waits for p to exit.
func (r *subRun) read(p *proc) {
	defer close(p.done)
	br := bufio.NewReaderSize(p.stdout, readBufSize)
	var long []byte
	for {
		line, err := readLine(br, &long, DefaultMaxLine)
		if line = bytes.TrimSpace(line); len(line) > 0 {
			ev := event{p: p}
			ev.res, ev.fail, ev.cpu, ev.starts, ev.perr = decodeLine(line)
			ev.at = time.Now()
			if !r.emit(ev) || ev.perr != nil {
				break
			}
		}
		if err != nil {
			if errors.Is(err, ErrLineTooLong) {
				r.emit(event{p: p, perr: fmt.Errorf("protocol error: output %w", err), at: time.Now()})
			}
			break
		}
	}
	p.stdout.Close()
	err := p.cmd.Wait()
	// However the worker ended (killed outright, say), what it left is removed before it
	// counts as gone: the processes its programs moved out of its group, its scratch.
	p.life.end()
	r.emit(event{p: p, exit: true, perr: err, at: time.Now()})
}

func (r *subRun) emit(ev event) bool {
	select {
	case r.events <- ev:
		return true
	case <-ev.p.abandon:
		return false
	}
}

// write sends p's lines to its stdin, flushing whenever no further line is waiting, and
// closes stdin when the coordinator closes p.in.
func (r *subRun) write(p *proc, stdin io.WriteCloser) {
	defer close(p.wdone)
	bw := bufio.NewWriterSize(countingWriter{stdin, &p.written}, writeBufSize)
	ok := true
	for line := range p.in {
		if ok {
			if _, err := bw.Write(line); err != nil {
				ok = false
			} else if len(p.in) == 0 && bw.Flush() != nil {
				ok = false
			}
		}
		if cap(line) <= 1<<20 {
			select {
			case r.bufs <- line[:0]:
			default:
			}
		}
	}
	if ok {
		_ = bw.Flush()
	}
	_ = stdin.Close()
}

// retire stops using p: no more lines go to it and its events are ignored. With kill, its
// process group is stopped (see stop); without, its input is closed and it is expected to
// exit.
func (r *subRun) retire(p *proc, kill bool) {
	p.dead = true
	r.slots[p.slot] = nil
	close(p.abandon)
	close(p.in)
	if kill {
		r.stop(p)
	}
}

// stop asks p's process group to terminate, and kills it if it has not exited after
// KillGrace: a worker killed at once would leave its program's processes and scratch behind.
func (r *subRun) stop(p *proc) {
	select {
	case <-p.done: // already exited and reaped
		return
	default:
	}
	if r.s.hooks != nil {
		// A launcher with its own way to end workers (Slurm: SIGTERM to srun, then
		// scancel, then SIGKILL), which must not be cut short by killing srun.
		r.s.launch().stop(p)
		return
	}
	termGroup(p.cmd)
	grace := r.s.KillGrace
	if grace <= 0 {
		grace = 3 * time.Second
	}
	r.stopping.Add(1)
	go func() {
		defer r.stopping.Done()
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-p.done:
		case <-t.C:
			killGroup(p.cmd)
			_ = p.stdout.Close()
		}
	}()
}

// closeAll ends the batch gracefully: close every worker's input, give them Grace to
// exit, then kill the rest.
func (r *subRun) closeAll() {
	for _, p := range r.slots {
		if p != nil {
			r.retire(p, false)
		}
	}
	grace := r.s.Grace
	if grace <= 0 {
		grace = 5 * time.Second
	}
	t := time.NewTimer(grace)
	defer t.Stop()
	for _, p := range r.all {
		select {
		case <-p.done:
		case <-t.C:
			for _, q := range r.all {
				select {
				case <-q.done:
				default:
					r.s.launch().stop(q)
					_ = q.stdout.Close()
				}
			}
		}
	}
	r.waitAll()
}

// waitAll waits for the goroutines of every retired worker, so that no process or
// goroutine outlives Execute (or Close, for the workers kept between batches), and forgets
// them.
func (r *subRun) waitAll() {
	live := r.all[:0]
	for _, p := range r.all {
		if !p.dead {
			live = append(live, p)
			continue
		}
		<-p.done
		<-p.wdone
	}
	r.stopping.Wait()
	clear(r.all[len(live):])
	r.all = live
}

// cleanup kills whatever is still running if run ends abnormally (a panic in handle); of
// kept workers, only those with unfinished tasks.
func (r *subRun) cleanup() {
	for _, p := range r.slots {
		if p != nil && (!r.keep || busy(p)) {
			r.retire(p, true)
		}
	}
	r.waitAll()
}

// startupAllowance is how long, beyond Options.Timeout, a worker may take to start
// reading its input before its first task is timed out anyway.
const startupAllowance = time.Minute

// startedReading reports whether worker p has read from its input, or whether that cannot
// be told here.
func startedReading(p *proc) bool {
	n, ok := pendingInput(p.stdinW)
	return !ok || int64(n) < p.written.Load()
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n.Add(int64(n))
	return n, err
}

// lockedWriter serializes writes from several workers' stderr copiers.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
