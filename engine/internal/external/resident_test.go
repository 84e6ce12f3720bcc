package external

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/engine"
)

// testDriver is a program part for the driver: each task names what to do.
const testDriver = `
import time

def setup():
    return {"pid": os.getpid()}

def once(task):
    """True the first time a task with this marker runs."""
    if os.path.exists(task["marker"]):
        return False
    open(task["marker"], "w").close()
    return True

def handle(task):
    what = task["do"]
    if what == "crash" or what == "crash-once" and once(task):
        os.kill(os.getppid(), signal.SIGKILL)  # the resident process dies
        time.sleep(60)
    elif what == "lost" or what == "lost-once" and once(task):
        os._exit(3)  # the task's process dies
    elif what == "sleep":
        time.sleep(60)
    elif what == "raise":
        raise ValueError("no such thing")
    elif what == "spin":
        end = time.process_time() + 0.2
        while time.process_time() < end:
            pass
    return json.dumps({"pid": os.getppid(), "task_pid": os.getpid(), "cwd": os.getcwd(), "dir": task["dir"]})
`

func needPython(t *testing.T) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found on PATH: the resident process tests need it")
	}
	return py
}

func testSpec(t *testing.T) *Spec {
	return &Spec{Program: "test", Key: "k", Python: needPython(t), Driver: testDriver, Scratch: t.TempDir()}
}

type answer struct {
	Pid     int    `json:"pid"` // the resident process
	TaskPid int    `json:"task_pid"`
	Cwd     string `json:"cwd"`
	Dir     string `json:"dir"`
}

// call runs one task of kind what and decodes the answer.
func call(ctx context.Context, pool *Pool, spec *Spec, what string, extra map[string]any) (answer, error) {
	reply, err := pool.Call(ctx, spec, func(dir string) ([]byte, error) {
		task := map[string]any{"do": what, "dir": dir}
		for k, v := range extra {
			task[k] = v
		}
		return json.Marshal(task)
	})
	var a answer
	if err == nil {
		err = json.Unmarshal(reply, &a)
	}
	return a, err
}

// empty reports whether dir has nothing left in it.
func empty(t *testing.T, dir string) bool {
	t.Helper()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	return len(ents) == 0
}

// recorder is an engine.Trace that keeps what it hears.
type recorder struct {
	mu     sync.Mutex
	starts []engine.ProcessStart
	cpu    time.Duration
	ended  time.Duration
}

func (r *recorder) trace() *engine.Trace {
	return &engine.Trace{
		ProcessStarted: func(s engine.ProcessStart) { r.mu.Lock(); r.starts = append(r.starts, s); r.mu.Unlock() },
		ProcessCPU:     func(d time.Duration) { r.mu.Lock(); r.cpu += d; r.mu.Unlock() },
		ProcessEnded:   func(d time.Duration) { r.mu.Lock(); r.ended += d; r.mu.Unlock() },
	}
}

func TestResidentReuse(t *testing.T) {
	spec := testSpec(t)
	var pool Pool
	defer pool.Close()
	var rec recorder
	ctx := engine.WithTrace(context.Background(), rec.trace())
	first, err := call(ctx, &pool, spec, "spin", nil)
	require.NoError(t, err)
	second, err := call(ctx, &pool, spec, "echo", nil)
	require.NoError(t, err)
	assert.Equal(t, first.Pid, second.Pid, "the second task ran in another resident process")
	assert.NotEqual(t, first.TaskPid, second.TaskPid, "the tasks ran in one forked process")
	assert.Equal(t, first.Dir, first.Cwd, "a task runs in its scratch directory")
	assert.NotEqual(t, first.Dir, second.Dir, "tasks share a scratch directory")
	assert.NoDirExists(t, first.Dir)
	require.Len(t, rec.starts, 1)
	assert.Equal(t, first.Pid, rec.starts[0].Pid)
	assert.True(t, rec.starts[0].Ready.After(rec.starts[0].Requested))
	assert.GreaterOrEqual(t, rec.cpu, 150*time.Millisecond, "the spinning task's processor time")

	require.NoError(t, pool.Close())
	assert.False(t, alive(first.Pid), "Close left the process running")
	assert.True(t, empty(t, spec.Scratch), "Close left the scratch root")
}

// TestResidentCrashRetried: a resident process that dies during a task is replaced and the
// task run again; one that dies again fails the task with an ExitError. A task whose own
// process dies is run again in the same resident process.
func TestResidentCrashRetried(t *testing.T) {
	spec := testSpec(t)
	var pool Pool
	defer pool.Close()
	var rec recorder
	ctx := engine.WithTrace(context.Background(), rec.trace())
	before, err := call(ctx, &pool, spec, "echo", nil)
	require.NoError(t, err)
	after, err := call(ctx, &pool, spec, "crash-once", map[string]any{"marker": filepath.Join(t.TempDir(), "crashed")})
	require.NoError(t, err)
	assert.NotEqual(t, before.Pid, after.Pid)
	assert.False(t, alive(before.Pid))
	assert.Len(t, rec.starts, 2)
	assert.Positive(t, rec.ended, "the dead process's processor time was not reported")

	_, err = call(ctx, &pool, spec, "crash", nil)
	var ee *ExitError
	require.ErrorAs(t, err, &ee)
	assert.Contains(t, ee.Error(), "signal: killed")

	before, err = call(ctx, &pool, spec, "echo", nil)
	require.NoError(t, err)
	after, err = call(ctx, &pool, spec, "lost-once", map[string]any{"marker": filepath.Join(t.TempDir(), "lost")})
	require.NoError(t, err)
	assert.Equal(t, before.Pid, after.Pid, "the resident process was replaced for a lost task")
	_, err = call(ctx, &pool, spec, "lost", nil)
	var de *DriverError
	require.ErrorAs(t, err, &de)
	assert.True(t, de.Lost)
	assert.Contains(t, de.Error(), "ended without answering")
}

func TestResidentTimeout(t *testing.T) {
	spec := testSpec(t)
	var pool Pool
	defer pool.Close()
	first, err := call(context.Background(), &pool, spec, "echo", nil)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = call(ctx, &pool, spec, "sleep", nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.False(t, alive(first.Pid), "the timed-out process still runs")
	assert.True(t, empty(t, spec.Scratch), "the timed-out process's scratch root is left")
}

func TestResidentReplaced(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tune   func(*Spec)
		always bool // every task in a new process
	}{
		{"after max tasks", func(s *Spec) { s.MaxTasks = 2 }, false},
		{"over the memory budget", func(s *Spec) { s.MaxRSS = 1 }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := testSpec(t)
			tc.tune(spec)
			if tc.always {
				if _, ok := residentMemory(os.Getpid()); !ok {
					t.Skip("resident memory cannot be read here")
				}
			}
			var pool Pool
			defer pool.Close()
			var pids []int
			for range 3 {
				a, err := call(context.Background(), &pool, spec, "echo", nil)
				require.NoError(t, err)
				pids = append(pids, a.Pid)
			}
			if tc.always {
				assert.NotEqual(t, pids[0], pids[1])
			} else {
				assert.Equal(t, pids[0], pids[1])
			}
			assert.NotEqual(t, pids[1], pids[2])
			assert.False(t, alive(pids[1]))
		})
	}
}

// TestResidentKeys: a task with another key ends the idle process of the first, so one
// caller at a time has one process.
func TestResidentKeys(t *testing.T) {
	spec := testSpec(t)
	other := *spec
	other.Key = "other"
	var pool Pool
	defer pool.Close()
	a, err := call(context.Background(), &pool, spec, "echo", nil)
	require.NoError(t, err)
	b, err := call(context.Background(), &pool, &other, "echo", nil)
	require.NoError(t, err)
	assert.NotEqual(t, a.Pid, b.Pid)
	assert.False(t, alive(a.Pid))
}

func TestResidentDriverError(t *testing.T) {
	spec := testSpec(t)
	var pool Pool
	defer pool.Close()
	first, err := call(context.Background(), &pool, spec, "echo", nil)
	require.NoError(t, err)
	_, err = call(context.Background(), &pool, spec, "raise", nil)
	var de *DriverError
	require.ErrorAs(t, err, &de)
	assert.Contains(t, de.Traceback, "ValueError: no such thing")
	next, err := call(context.Background(), &pool, spec, "echo", nil)
	require.NoError(t, err)
	assert.Equal(t, first.Pid, next.Pid, "an exception in a task ended the process")
}

func TestResidentStartError(t *testing.T) {
	spec := testSpec(t)
	spec.Driver = "def setup():\n    import no_such_module_here\n\ndef handle(task):\n    return '{}'\n"
	var pool Pool
	defer pool.Close()
	_, err := call(context.Background(), &pool, spec, "echo", nil)
	var se *StartError
	require.ErrorAs(t, err, &se)
	assert.Contains(t, se.Error(), "no_such_module_here")
	assert.True(t, empty(t, spec.Scratch))
	_, again := call(context.Background(), &pool, spec, "echo", nil)
	assert.Same(t, err, again, "a failed start is tried again for every task")
}

// helperEnv makes the test binary the parent process of TestResidentParentKilled.
const helperEnv = "QCMB_RESIDENT_TEST_PARENT"

// TestResidentParentKilled: when the process that started a resident process is killed
// with SIGKILL, the resident process ends, busy or idle, and its scratch root goes.
func TestResidentParentKilled(t *testing.T) {
	if os.Getenv(helperEnv) != "" {
		residentParent()
		return
	}
	py := needPython(t)
	if _, ok := residentMemory(os.Getpid()); !ok {
		t.Skip("needs Linux: the death signal and /proc")
	}
	for _, what := range []string{"echo", "sleep"} {
		t.Run(what, func(t *testing.T) {
			scratch := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^TestResidentParentKilled$")
			cmd.Env = append(os.Environ(), helperEnv+"="+what, "PYTHON="+py, "SCRATCH="+scratch)
			out, err := cmd.StdoutPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())
			var a answer
			require.NoError(t, json.NewDecoder(out).Decode(&a), "the helper did not report its resident process")
			require.True(t, alive(a.Pid))
			time.Sleep(200 * time.Millisecond) // the task is under way
			require.NoError(t, cmd.Process.Kill())
			_ = cmd.Wait()
			deadline := time.Now().Add(10 * time.Second)
			for (alive(a.Pid) || !empty(t, scratch)) && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			assert.False(t, alive(a.Pid), "the resident process outlived its parent")
			assert.True(t, empty(t, scratch), "the scratch root outlived the parent")
		})
	}
}

// residentParent starts a resident process, prints its pid, starts a task of the kind
// $QCMB_RESIDENT_TEST_PARENT ("sleep": one that runs until killed) and waits to be killed.
func residentParent() {
	spec := &Spec{Program: "test", Key: "k", Python: os.Getenv("PYTHON"), Driver: testDriver, Scratch: os.Getenv("SCRATCH")}
	var pool Pool
	a, err := call(context.Background(), &pool, spec, "echo", nil)
	if err != nil {
		os.Exit(2)
	}
	_ = json.NewEncoder(os.Stdout).Encode(a)
	if os.Getenv(helperEnv) == "sleep" {
		_, _ = call(context.Background(), &pool, spec, "sleep", nil)
	}
	time.Sleep(time.Minute)
	os.Exit(3)
}
