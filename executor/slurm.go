package executor

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/qcmb-go/qcmb/qcschema"
)

// DefaultSlurmStartTimeout is how long a Slurm worker may take to start (queue wait
// included) when SlurmConfig.StartTimeout is 0.
const DefaultSlurmStartTimeout = 10 * time.Minute

// SlurmConfig says what each Slurm worker asks for and runs.
type SlurmConfig struct {
	// Command is the worker srun starts on a node, e.g. {"/path/to/qcmb", "worker"}; it
	// must speak the worker protocol, and the path must exist on the nodes.
	Command []string
	// CPUsPerWorker is the CPUs of each worker (srun --cpus-per-task); 0 means 1.
	CPUsPerWorker int
	// MemPerWorker is the memory of each worker in srun --mem syntax ("4G", "500M").
	// Empty means: inside an allocation, the worker's share of it (CPUsPerWorker times
	// SLURM_MEM_PER_CPU, or the share of SLURM_MEM_PER_NODE); outside, the cluster's default.
	MemPerWorker string
	// Partition, Account and Time (srun --partition, --account, --time) apply to the jobs
	// started outside an allocation; inside one, Partition and Account are the
	// allocation's and are an error, Time limits each step.
	Partition, Account, Time string
	// SrunArgs are further srun arguments, placed before the worker command.
	SrunArgs []string
	// StartTimeout is how long a worker may take to become ready, queue wait included,
	// before it is cancelled with an error that quotes Slurm's reason; 0 means
	// DefaultSlurmStartTimeout, < 0 no limit.
	StartTimeout time.Duration
	// Env is the environment of srun and the workers; nil means this process's.
	Env []string
	// Dir is the working directory of srun; "" means this process's.
	Dir string
	// Stderr, if set, also receives srun's and the workers' standard error.
	Stderr io.Writer
}

// Slurm runs tasks on workers that Slurm starts with srun, one task per worker at a time
// as Subprocess does (same protocol, retries, time limits and handshake).
//
// Inside an allocation (SLURM_JOB_ID set, e.g. in an sbatch script), each worker is a job
// step of it: srun --exact --nodes=1 --ntasks=1 --cpus-per-task=CPUsPerWorker --mem=...,
// so the steps share out the allocation's CPUs and memory and never wait for one another
// while it has room; Slurm places them on its nodes. Run from a step rather than the batch
// script (SLURM_STEP_ID set), the steps also get --overlap, since that step holds the CPUs.
//
// Outside an allocation, each worker is a job of its own (srun with --partition, --account
// and --time if given): workers start as soon as the scheduler finds room for each, a
// replacement is a new job that can land on another node, and each queue wait is reported
// apart (WorkerEvent). Every job and step gets a name of the form qcmb-PID-RANDOM-wSLOT-N by
// which the executor finds it in squeue.
//
// A worker that has not answered its handshake within StartTimeout is cancelled and its
// error quotes squeue (state and reason, e.g. "PENDING (reason: Resources)") and srun's
// last words. A worker step or job that ends while running a task (node failure, scancel)
// is replaced and its task retried, as for Subprocess.
//
// Workers are stopped by closing their input (they exit, and the step with them), or by
// SIGTERM to srun, which passes it on to the step or withdraws a pending job; scancel
// follows if that does not end it. At the end of Execute (without Start) or at Close, every
// job and step the executor created is cancelled with scancel, and Execute or Close returns
// once none is left in squeue.
type Slurm struct {
	sub   *Subprocess
	l     *slurmLauncher
	alloc string
}

// NewSlurm returns a Slurm executor with the given number of workers. workers <= 0 means,
// inside an allocation, as many as its CPUs allow (its CPUs per node divided by
// CPUsPerWorker, summed over nodes), and more than that is an error; outside one, workers
// must be given. Options.Runner is not used.
func NewSlurm(workers int, cfg SlurmConfig, opt Options) (*Slurm, error) {
	if len(cfg.Command) == 0 {
		return nil, errors.New("executor: slurm: empty worker command")
	}
	cpus := cfg.CPUsPerWorker
	if cpus < 0 {
		return nil, fmt.Errorf("executor: slurm: %d CPUs per worker", cpus)
	}
	cpus = max(cpus, 1)
	env := cfg.Env
	if env == nil {
		env = os.Environ()
	}
	getenv := func(key string) string {
		for _, kv := range slices.Backward(env) {
			if k, v, ok := strings.Cut(kv, "="); ok && k == key {
				return v
			}
		}
		return ""
	}
	srun, err := exec.LookPath("srun")
	if err != nil {
		return nil, fmt.Errorf("executor: slurm: srun not found (the Slurm executor needs Slurm's commands on PATH): %w", err)
	}
	alloc := getenv("SLURM_JOB_ID")
	mem := cfg.MemPerWorker
	args := []string{srun, "--nodes=1", "--ntasks=1", "--cpus-per-task=" + strconv.Itoa(cpus)}
	if alloc != "" {
		if cfg.Partition != "" || cfg.Account != "" {
			return nil, fmt.Errorf("executor: slurm: inside allocation %s the workers use its partition and account; do not give them", alloc)
		}
		nodeCPUs, err := parseCPUsPerNode(getenv("SLURM_JOB_CPUS_PER_NODE"))
		if err != nil {
			return nil, fmt.Errorf("executor: slurm: allocation %s: %w", alloc, err)
		}
		room := 0
		for _, n := range nodeCPUs {
			room += n / cpus
		}
		inStep := getenv("SLURM_STEP_ID") != ""
		switch {
		case workers <= 0 && room == 0:
			return nil, fmt.Errorf("executor: slurm: allocation %s has no node with %d CPUs for a worker (SLURM_JOB_CPUS_PER_NODE=%s)",
				alloc, cpus, getenv("SLURM_JOB_CPUS_PER_NODE"))
		case workers <= 0:
			workers = room
		case workers > room && !inStep:
			// Steps beyond its room would wait for each other until the start time-out.
			return nil, fmt.Errorf("executor: slurm: allocation %s has room for %d workers of %d CPUs (SLURM_JOB_CPUS_PER_NODE=%s), not %d",
				alloc, room, cpus, getenv("SLURM_JOB_CPUS_PER_NODE"), workers)
		}
		if mem == "" {
			mem = allocationShare(getenv("SLURM_MEM_PER_CPU"), getenv("SLURM_MEM_PER_NODE"), cpus, slices.Max(nodeCPUs))
		}
		args = append(args, "--jobid="+alloc, "--exact")
		if inStep {
			args = append(args, "--overlap")
		}
	} else if workers <= 0 {
		return nil, errors.New("executor: slurm: outside an allocation the number of workers must be given")
	}
	if mem != "" {
		args = append(args, "--mem="+mem)
		// An inherited SLURM_MEM_PER_* would contradict --mem.
		env = slices.DeleteFunc(slices.Clone(env), func(kv string) bool {
			return strings.HasPrefix(kv, "SLURM_MEM_PER_")
		})
	}
	for _, o := range []struct{ flag, val string }{{"--partition", cfg.Partition}, {"--account", cfg.Account}, {"--time", cfg.Time}} {
		if o.val != "" {
			args = append(args, o.flag+"="+o.val)
		}
	}
	args = append(args, cfg.SrunArgs...)
	sub := NewSubprocess(workers, append(args, cfg.Command...), opt)
	sub.Env, sub.Dir, sub.Stderr = env, cfg.Dir, cfg.Stderr
	sub.StartTimeout = cfg.StartTimeout
	switch {
	case cfg.StartTimeout == 0:
		sub.StartTimeout = DefaultSlurmStartTimeout
	case cfg.StartTimeout < 0:
		sub.StartTimeout = 0
	}
	var id [4]byte
	_, _ = rand.Read(id[:])
	l := &slurmLauncher{
		srun: args, worker: cfg.Command, alloc: alloc, env: env,
		prefix: fmt.Sprintf("qcmb-%d-%s", os.Getpid(), hex.EncodeToString(id[:])),
		ids:    map[string]string{},
	}
	sub.hooks = l
	return &Slurm{sub: sub, l: l, alloc: alloc}, nil
}

// Workers returns the number of workers.
func (s *Slurm) Workers() int { return s.sub.Workers() }

// Allocation returns the id of the allocation whose steps the workers are, "" when each
// worker is a job of its own.
func (s *Slurm) Allocation() string { return s.alloc }

// Execute implements Executor.
func (s *Slurm) Execute(ctx context.Context, tasks []Task, handle func(Outcome)) error {
	return s.sub.Execute(ctx, tasks, handle)
}

// Stream implements Streamer, as Subprocess.Stream does: workers are submitted as tasks
// arrive and take tasks added while others run.
func (s *Slurm) Stream(ctx context.Context, q *Queue, handle func(Outcome)) error {
	return s.sub.Stream(ctx, q, handle)
}

// Start submits the workers and keeps them across Execute calls until Close (see
// Subprocess.Start); it does not wait for them to leave the queue.
func (s *Slurm) Start(ctx context.Context) error { return s.sub.Start(ctx) }

// Close stops the workers, cancels what remains of their jobs and steps and waits until
// squeue no longer shows them.
func (s *Slurm) Close() error { return s.sub.Close() }

// Jobs returns the Slurm ids of the workers' jobs (outside an allocation) or steps
// (JOBID.STEPID, inside one) known so far: of every worker that answered its handshake,
// and of those the executor found in squeue when stopping or cancelling them.
func (s *Slurm) Jobs() []string {
	s.l.mu.Lock()
	defer s.l.mu.Unlock()
	ids := make([]string, 0, len(s.l.ids))
	for _, id := range s.l.ids {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// slurmLauncher starts workers with srun and cleans up with squeue and scancel.
type slurmLauncher struct {
	srun   []string // srun and its options, without the job name and the worker command
	worker []string
	alloc  string
	env    []string
	prefix string // of every job and step name

	mu    sync.Mutex
	seq   int
	ids   map[string]string // job name -> Slurm id, of workers that answered
	stops sync.WaitGroup    // escalations of stop under way
}

// queueWait bounds the wait for cancelled jobs and steps to leave the queue, and
// stopEscalation the wait for srun to end after SIGTERM before scancel, then SIGKILL.
const (
	queueWait      = 60 * time.Second
	stopEscalation = 5 * time.Second
)

func (l *slurmLauncher) command(slot int) (*exec.Cmd, string) {
	l.mu.Lock()
	l.seq++
	name := fmt.Sprintf("%s-w%d-%d", l.prefix, slot, l.seq)
	l.mu.Unlock()
	args := append(slices.Clone(l.srun[1:]), "--job-name="+name)
	args = append(args, l.worker...)
	return exec.Command(l.srun[0], args...), name
}

// stop sends SIGTERM to srun, which passes it on to the step (or withdraws a pending job);
// if srun has not ended after stopEscalation, the job or step is cancelled with scancel,
// and after as long again srun is killed.
func (l *slurmLauncher) stop(p *proc) {
	if p.cmd.Process == nil {
		return
	}
	terminate(p.cmd)
	l.stops.Add(1)
	go func() {
		defer l.stops.Done()
		t := time.NewTimer(stopEscalation)
		defer t.Stop()
		select {
		case <-p.done:
			return
		case <-t.C:
		}
		if ids, err := l.find([]string{p.tag}); err == nil && len(ids) > 0 {
			_ = l.run("scancel", ids...)
		}
		t.Reset(stopEscalation)
		select {
		case <-p.done:
		case <-t.C:
			killGroup(p.cmd)
		}
	}()
}

func (l *slurmLauncher) ready(p *proc, res *qcschema.AtomicResult) {
	if res == nil {
		return
	}
	info, _ := res.Extras[WorkerInfoKey].(map[string]any)
	job, _ := info["slurm_job_id"].(string)
	if job == "" {
		return
	}
	if step, _ := info["slurm_step_id"].(string); step != "" && l.alloc != "" {
		job += "." + step
	}
	l.mu.Lock()
	l.ids[p.tag] = job
	l.mu.Unlock()
}

// waiting says what squeue says about the worker's job (outside an allocation) or about
// the allocation (inside one: a step waiting for room does not show in squeue, srun's
// messages in the worker's stderr say why).
func (l *slurmLauncher) waiting(p *proc) string {
	var out []byte
	var err error
	if l.alloc == "" {
		out, err = l.output("squeue", "-h", "-n", p.tag, "-o", "%i|%T|%r")
	} else {
		out, err = l.output("squeue", "-h", "-j", l.alloc, "-o", "%i|%T|%r")
	}
	if err != nil {
		return "squeue: " + err.Error()
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	f := strings.Split(line, "|")
	if len(f) != 3 {
		if l.alloc == "" {
			return fmt.Sprintf("Slurm job %s is not in squeue", p.tag)
		}
		return fmt.Sprintf("allocation %s is not in squeue", l.alloc)
	}
	what := "Slurm job " + f[0]
	if l.alloc != "" {
		what = "the step could not be placed; allocation " + f[0]
	}
	return fmt.Sprintf("%s is %s (reason: %s)", what, f[1], f[2])
}

// shutdown cancels the jobs and steps named tags that are still in the queue and waits
// until squeue no longer lists them.
func (l *slurmLauncher) shutdown(tags []string) error {
	l.stops.Wait()
	if len(tags) == 0 {
		return nil
	}
	deadline := time.Now().Add(queueWait)
	cancelled := false
	for {
		ids, err := l.find(tags)
		if err != nil {
			return fmt.Errorf("executor: slurm: listing the workers' jobs: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("executor: slurm: jobs or steps still in squeue %v after scancel: %s", queueWait, strings.Join(ids, " "))
		}
		if !cancelled {
			if err := l.run("scancel", ids...); err != nil {
				return fmt.Errorf("executor: slurm: %w", err)
			}
			cancelled = true
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// find returns the Slurm ids of the jobs (outside an allocation) or steps (inside one)
// named tags that squeue lists, and records them for Jobs.
func (l *slurmLauncher) find(tags []string) ([]string, error) {
	var ids []string
	collect := func(out []byte) {
		l.mu.Lock()
		defer l.mu.Unlock()
		for line := range strings.Lines(string(out)) {
			id, name, _ := strings.Cut(strings.TrimSpace(line), "|")
			if slices.Contains(tags, name) {
				ids = append(ids, id)
				if _, ok := l.ids[name]; !ok {
					l.ids[name] = id
				}
			}
		}
	}
	if l.alloc != "" {
		out, err := l.output("squeue", "-h", "-s", "-j", l.alloc, "-o", "%i|%j")
		if err != nil {
			return nil, err
		}
		collect(out)
		return ids, nil
	}
	for chunk := range slices.Chunk(tags, 100) {
		out, err := l.output("squeue", "-h", "-n", strings.Join(chunk, ","), "-o", "%i|%j")
		if err != nil {
			return nil, err
		}
		collect(out)
	}
	return ids, nil
}

// output runs a Slurm command (at most 30 s) and returns its standard output.
func (l *slurmLauncher) output(name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = l.env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

func (l *slurmLauncher) run(name string, args ...string) error {
	_, err := l.output(name, args...)
	return err
}

// parseCPUsPerNode expands SLURM_JOB_CPUS_PER_NODE, e.g. "4(x2),2" -> [4 4 2].
func parseCPUsPerNode(s string) ([]int, error) {
	var cpus []int
	for part := range strings.SplitSeq(s, ",") {
		n, rep := part, "1"
		if i := strings.IndexByte(part, '('); i >= 0 && strings.HasSuffix(part, ")") {
			n, rep = part[:i], strings.TrimPrefix(part[i+1:len(part)-1], "x")
		}
		c, err1 := strconv.Atoi(n)
		r, err2 := strconv.Atoi(rep)
		if err1 != nil || err2 != nil || c < 0 || r < 1 {
			return nil, fmt.Errorf("cannot read SLURM_JOB_CPUS_PER_NODE %q", s)
		}
		for range r {
			cpus = append(cpus, c)
		}
	}
	return cpus, nil
}

// allocationShare is a worker's share of the allocation's memory, in srun --mem syntax
// (megabytes), or "" if the allocation says nothing of memory.
func allocationShare(perCPU, perNode string, cpus, nodeCPUs int) string {
	if mb, err := strconv.Atoi(perCPU); err == nil && mb > 0 {
		return strconv.Itoa(mb*cpus) + "M"
	}
	if mb, err := strconv.Atoi(perNode); err == nil && mb > 0 && nodeCPUs > 0 {
		return strconv.Itoa(max(1, mb*cpus/nodeCPUs)) + "M"
	}
	return ""
}
