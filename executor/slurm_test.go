package executor_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/executor"
)

// needSlurm skips the test unless Slurm's commands are here and a node is idle (CI starts
// a one-node cluster with .ci/start-slurm.sh).
func needSlurm(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("sinfo"); err != nil {
		t.Skip("sinfo not found: the Slurm tests need a running Slurm (see .ci/start-slurm.sh)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "sinfo", "-h", "-N", "-o", "%T").Output()
	if err != nil {
		t.Skipf("sinfo failed (%v): the Slurm tests need a running Slurm (see .ci/start-slurm.sh)", err)
	}
	for state := range strings.FieldsSeq(string(out)) {
		if state == "idle" || state == "mixed" || state == "allocated" {
			return
		}
	}
	t.Skipf("no Slurm node is up (sinfo: %q): the Slurm tests need one (see .ci/start-slurm.sh)", strings.TrimSpace(string(out)))
}

// outsideEnv is this process's environment without the variables of a Slurm allocation,
// so that the executor starts jobs of its own even when the tests run inside one.
func outsideEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SLURM_") || strings.HasPrefix(kv, "SLURM_CONF=") {
			env = append(env, kv)
		}
	}
	return env
}

// inAllocation reports whether the test runs inside a Slurm allocation. If it does not, it
// runs the test again, in a job of ntasks CPUs submitted with sbatch --wait, fails the
// test if that run fails, and returns false: the caller then returns.
func inAllocation(t *testing.T, ntasks int) bool {
	t.Helper()
	if os.Getenv("SLURM_JOB_ID") != "" {
		return true
	}
	out := filepath.Join(t.TempDir(), "job.out")
	run := "^" + strings.ReplaceAll(t.Name(), "/", "$/^") + "$"
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sbatch", "--wait", "--quiet", fmt.Sprintf("--ntasks=%d", ntasks), "--mem=1G", "--time=5",
		"--job-name=qcmb-test", "-o", out, "--wrap", fmt.Sprintf("exec %q -test.run %q -test.count=1 -test.v", os.Args[0], run))
	cmd.Env = outsideEnv()
	msg, err := cmd.CombinedOutput()
	log, _ := os.ReadFile(out)
	t.Logf("inside an sbatch allocation:\n%s", log)
	require.NoError(t, err, "test inside sbatch failed: %s", msg)
	require.Contains(t, string(log), "--- PASS", "test inside sbatch failed: %s", msg)
	return false
}

// newSlurm returns a Slurm executor whose workers are this test binary.
func newSlurm(t testing.TB, workers int, cfg executor.SlurmConfig, opt executor.Options, mode string) *executor.Slurm {
	t.Helper()
	if cfg.Env == nil {
		cfg.Env = os.Environ()
	}
	cfg.Env = append(cfg.Env, workerEnv+"="+mode, "GORACE=atexit_sleep_ms=0")
	cfg.Command = []string{os.Args[0], "-test.run=^$"}
	if cfg.MemPerWorker == "" {
		cfg.MemPerWorker = "200M"
	}
	if cfg.StartTimeout == 0 {
		cfg.StartTimeout = 2 * time.Minute // other tests may hold the node's CPUs meanwhile
	}
	s, err := executor.NewSlurm(workers, cfg, opt)
	require.NoError(t, err)
	return s
}

// checkQueueEmpty fails if squeue still lists a job or step of the executor's workers.
func checkQueueEmpty(t *testing.T) {
	t.Helper()
	out, err := exec.Command("squeue", "-h", "-s", "-o", "%i %j").Output()
	require.NoError(t, err)
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		assert.False(t, len(f) == 2 && strings.HasPrefix(f[1], fmt.Sprintf("qcmb-%d-", os.Getpid())), "left in squeue: %s", strings.TrimSpace(line))
	}
}

// TestSlurmKeepsWorkers: outside an allocation, two Slurm workers (jobs of their own) serve
// three batches, started once, with results bitwise identical to the serial executor's,
// and nothing is left in squeue after Close.
func TestSlurmKeepsWorkers(t *testing.T) {
	needSlurm(t)
	log := &workerLog{t: t}
	s := newSlurm(t, 2, executor.SlurmConfig{Env: outsideEnv()}, executor.Options{OnWorker: log.add}, "engine")
	require.Empty(t, s.Allocation(), "allocation outside one")
	require.NoError(t, s.Start(context.Background()))
	defer s.Close()
	serial := executor.NewSerial(executor.Options{})
	for batch := range 3 {
		var tasks []executor.Task
		for i := range 4 {
			// Long enough that both workers take part.
			tasks = append(tasks, task(t, fmt.Sprintf("b%d-", batch)+strings.Repeat("x", i+1), map[string]any{"sleep": 0.4}))
		}
		got, err := run(t, context.Background(), s, tasks)
		require.NoError(t, err, "batch %d", batch)
		want, err := run(t, context.Background(), serial, tasks)
		require.NoError(t, err)
		for i := range tasks {
			assert.Equal(t, *want[i].Result.Properties.ReturnEnergy, *got[i].Result.Properties.ReturnEnergy, "batch %d task %d: energy through Slurm against serial", batch, i)
		}
	}
	assert.Len(t, s.Jobs(), 2, "jobs")
	require.NoError(t, s.Close())
	evs := log.list()
	require.Len(t, evs, 2, "worker starts for 3 batches: %+v", evs)
	for _, ev := range evs {
		assert.NoError(t, ev.Err, "worker event %+v", ev)
		assert.NotEmpty(t, ev.Host, "worker event %+v", ev)
		assert.True(t, ev.Ready.After(ev.Requested), "worker event %+v: ready after requested", ev)
	}
	checkQueueEmpty(t)
}

// TestSlurmStepCancelled: a worker's job step cancelled with scancel JOBID.STEP while it
// runs a task is replaced, and the task is retried and succeeds; inside an allocation and
// outside one.
func TestSlurmStepCancelled(t *testing.T) {
	needSlurm(t)
	for _, where := range []string{"outside", "inside"} {
		t.Run(where, func(t *testing.T) {
			cfg := executor.SlurmConfig{}
			if where == "outside" {
				cfg.Env = outsideEnv()
			} else if !inAllocation(t, 2) {
				return
			}
			log := &workerLog{t: t}
			s := newSlurm(t, 1, cfg, executor.Options{OnWorker: log.add}, "engine")
			require.Equal(t, where == "inside", s.Allocation() != "", "allocation %q %s", s.Allocation(), where)
			done := make(chan error, 1)
			var got map[int]executor.Outcome
			go func() {
				var err error
				got, err = run(t, context.Background(), s, []executor.Task{task(t, "slow", map[string]any{"sleep": 3.0})})
				done <- err
			}()
			deadline := time.Now().Add(2 * time.Minute)
			for len(log.list()) == 0 && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			time.Sleep(time.Second) // the task is running
			jobs := s.Jobs()
			require.Len(t, jobs, 1, "jobs")
			step := jobs[0]
			if !strings.Contains(step, ".") {
				step += ".0" // the step of a worker's own job
			}
			out, err := exec.Command("scancel", step).CombinedOutput()
			require.NoError(t, err, "scancel %s: %s", step, out)
			select {
			case err := <-done:
				require.NoError(t, err)
			case <-time.After(3 * time.Minute):
				require.FailNow(t, "no outcome 3 minutes after scancel")
			}
			o := got[0]
			require.NoError(t, o.Err, "outcome %+v: want success at the second attempt", o)
			assert.Equal(t, 2, o.Attempts, "outcome %+v: want success at the second attempt", o)
			assert.Less(t, *o.Result.Properties.ReturnEnergy, -76.0, "energy")
			if evs := log.list(); assert.Len(t, evs, 2, "worker events: want the first worker and its replacement") {
				assert.NoError(t, evs[1].Err, "the replacement's event")
			}
			if jobs := s.Jobs(); assert.Len(t, jobs, 2, "jobs") {
				assert.NotEqual(t, jobs[0], jobs[1], "jobs")
			}
			checkQueueEmpty(t)
		})
	}
}

// TestSlurmWorkerCannotStart: a worker that Slurm cannot place (more CPUs than the node
// has outside an allocation, more memory than the allocation has inside one) gives an
// error that says so in Slurm's words, within the start time-out; nothing is left in
// squeue. Inside an allocation, more workers or CPUs than it holds are refused at once.
func TestSlurmWorkerCannotStart(t *testing.T) {
	needSlurm(t)
	for _, where := range []string{"outside", "inside"} {
		t.Run(where, func(t *testing.T) {
			cfg := executor.SlurmConfig{CPUsPerWorker: 512, StartTimeout: 5 * time.Second}
			if where == "outside" {
				cfg.Env = outsideEnv()
			} else if !inAllocation(t, 1) {
				return
			} else {
				for _, c := range []struct {
					workers, cpus int
					want          string
				}{
					{1, 512, "has room for 0 workers of 512 CPUs"},
					{0, 512, "has no node with 512 CPUs for a worker"},
					{5, 1, "has room for 1 workers of 1 CPUs"},
				} {
					_, err := executor.NewSlurm(c.workers, executor.SlurmConfig{Command: []string{"qcmb", "worker"}, CPUsPerWorker: c.cpus}, executor.Options{})
					assert.ErrorContains(t, err, c.want, "%d workers of %d CPUs", c.workers, c.cpus)
				}
				// A step no node can take, whatever the cluster enforces (memory is not
				// enforced under SelectTypeParameters=CR_CORE, where a step asking for
				// 100000G of it started): srun refuses it at once.
				cfg = executor.SlurmConfig{SrunArgs: []string{"--nodelist=qcmb-no-such-node"}, StartTimeout: 5 * time.Second}
			}
			s := newSlurm(t, 1, cfg, executor.Options{}, "engine")
			start := time.Now()
			err := s.Execute(context.Background(), []executor.Task{task(t, "a", nil), task(t, "bb", nil)}, func(executor.Outcome) {})
			t.Logf("after %v: %v", time.Since(start), err)
			var we *executor.WorkerError
			require.ErrorAs(t, err, &we)
			msg := err.Error()
			// Outside, Slurm queues the job (reason PartitionConfig) until the time-out;
			// inside, srun refuses the step at once.
			assert.True(t, strings.Contains(msg, "reason: ") || strings.Contains(msg, "srun: error"), "error does not quote Slurm:\n%s", msg)
			assert.LessOrEqual(t, strings.Count(msg, "worker stderr"), 1, "the same reason given more than once:\n%s", msg)
			assert.LessOrEqual(t, time.Since(start), time.Minute, "time taken")
			checkQueueEmpty(t)
		})
	}
}

// BenchmarkSlurm measures, on the local Slurm, the start-up of the workers (submission to
// the answer to the handshake, reported as startup-s/worker; run inside an sbatch job to
// measure steps) and the cost per task of a batch of no-op tasks on started workers
// (ns/task).
func BenchmarkSlurm(b *testing.B) {
	needSlurm(b)
	const workers = 2
	for b.Loop() {
		log := &workerLog{}
		s := newSlurm(b, workers, executor.SlurmConfig{MemPerWorker: "100M"}, executor.Options{OnWorker: log.add}, "noop")
		start := time.Now()
		require.NoError(b, s.Start(context.Background()))
		tasks := benchBatch(b, fakeName+"-noop")[:2000]
		// Handshakes are noticed while a batch runs: small batches until both answered.
		for len(log.list()) < workers {
			require.NoError(b, s.Execute(context.Background(), tasks[:workers], func(executor.Outcome) {}))
		}
		var startup, ready time.Duration
		for _, ev := range log.list() {
			startup += ev.Ready.Sub(ev.Requested)
			ready = max(ready, ev.Ready.Sub(start))
		}
		t0 := time.Now()
		require.NoError(b, s.Execute(context.Background(), tasks, func(executor.Outcome) {}))
		perTask := time.Since(t0) / time.Duration(len(tasks))
		require.NoError(b, s.Close())
		b.ReportMetric(startup.Seconds()/workers, "startup-s/worker")
		b.ReportMetric(ready.Seconds(), "all-ready-s")
		b.ReportMetric(float64(perTask.Nanoseconds()), "ns/task")
	}
}
