package executor_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/qcschema"
)

// input builds a task payload for the fake program.
func input(id string, driver qcschema.Driver, natom int, seed uint64, keywords map[string]any, extras map[string]any) qcschema.AtomicInput {
	rng := rand.New(rand.NewPCG(seed, 1))
	mol := qcschema.Molecule{SchemaName: qcschema.SchemaMolecule, SchemaVersion: 2, FixCom: true, FixOrientation: true,
		MolecularMultiplicity: 1}
	for i := range natom {
		mol.Symbols = append(mol.Symbols, []string{"O", "H", "H"}[i%3])
		mol.Geometry = append(mol.Geometry, rng.NormFloat64()*3, rng.NormFloat64()*3, rng.NormFloat64()*3)
	}
	if keywords == nil {
		keywords = map[string]any{}
	}
	return qcschema.AtomicInput{SchemaName: qcschema.SchemaInput, SchemaVersion: 1, ID: id, Molecule: mol,
		Driver: driver, Model: qcschema.Model{Method: "hf", Basis: "sto-3g"}, Keywords: keywords,
		Protocols: map[string]any{}, Extras: extras}
}

func task(t testing.TB, id string, keywords map[string]any) executor.Task {
	t.Helper()
	return mustTask(t, input(id, qcschema.DriverEnergy, 3, uint64(len(id)), keywords, nil), false)
}

func mustTask(t testing.TB, in qcschema.AtomicInput, pretty bool) executor.Task {
	t.Helper()
	var b []byte
	var err error
	if pretty {
		b, err = json.MarshalIndent(in, "", "  ")
	} else {
		b, err = json.Marshal(in)
	}
	require.NoError(t, err)
	return executor.Task{ID: in.ID, Program: fakeName, Payload: b, Cost: float64(len(in.Molecule.Symbols))}
}

// newSubprocess returns a Subprocess executor whose workers are this test binary, and the
// directory where the workers record their pids.
func newSubprocess(t testing.TB, workers int, opt executor.Options, mode string) (*executor.Subprocess, string) {
	t.Helper()
	dir := t.TempDir()
	s := executor.NewSubprocess(workers, []string{os.Args[0], "-test.run=^$"}, opt)
	// A race-enabled worker would otherwise sleep a second at exit.
	gorace := strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=0")
	s.Env = append(os.Environ(), workerEnv+"="+mode, pidDirEnv+"="+dir, "GORACE="+gorace)
	return s, dir
}

// checkExited fails unless every worker that recorded its pid in dir has exited.
func checkExited(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.NotEmpty(t, ents, "no worker recorded its pid")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		assert.False(t, processExists(pid), "worker pid %d still exists", pid)
	}
}

type executorCase struct {
	name string
	new  func(t testing.TB, opt executor.Options) executor.Executor
}

func executors() []executorCase {
	return []executorCase{
		{"serial", func(t testing.TB, opt executor.Options) executor.Executor { return executor.NewSerial(opt) }},
		{"pool", func(t testing.TB, opt executor.Options) executor.Executor { return executor.NewPool(3, opt) }},
		{"subprocess", func(t testing.TB, opt executor.Options) executor.Executor {
			s, _ := newSubprocess(t, 2, opt, "engine")
			return s
		}},
		{"subprocess-lockstep", func(t testing.TB, opt executor.Options) executor.Executor {
			s, _ := newSubprocess(t, 3, opt, "engine")
			s.Pipeline = 1
			return s
		}},
	}
}

// run executes tasks and returns the outcomes by index, checking that handle is called
// once per task and never concurrently.
func run(t *testing.T, ctx context.Context, ex executor.Executor, tasks []executor.Task) (map[int]executor.Outcome, error) {
	t.Helper()
	log := newOutcomeLog(t)
	err := ex.Execute(ctx, tasks, func(o executor.Outcome) {
		defer log.enter()()
		log.check(o, tasks)
		assert.NotEqual(t, o.Err == nil, o.Result == nil, "task %s: want exactly one of Result and Err, got %v and %v", o.ID, o.Result, o.Err)
		var we *executor.WorkerError
		neverRun := o.Attempts == 0 && errors.As(o.Err, &we) // workers could not start
		if !neverRun {
			assert.GreaterOrEqual(t, o.Attempts, 1, "task %s: attempts", o.ID)
		}
		assert.False(t, o.Start.Before(o.Queued), "task %s: started %v before queued %v", o.ID, o.Start, o.Queued)
		assert.False(t, o.End.Before(o.Start), "task %s: ended %v before started %v", o.ID, o.End, o.Start)
	})
	return log.got, err
}

// outcomeLog records the outcomes handed to a handle function, checking that it is never
// called concurrently and that each outcome names a task once.
type outcomeLog struct {
	t    *testing.T
	busy atomic.Int32
	got  map[int]executor.Outcome
}

func newOutcomeLog(t *testing.T) *outcomeLog {
	return &outcomeLog{t: t, got: map[int]executor.Outcome{}}
}

// enter marks a call of handle; the function it returns marks its end.
func (l *outcomeLog) enter() func() {
	assert.EqualValues(l.t, 1, l.busy.Add(1), "handle called concurrently")
	return func() { l.busy.Add(-1) }
}

// check records o, an outcome of one of tasks; ok is false when it matches none.
func (l *outcomeLog) check(o executor.Outcome, tasks []executor.Task) (ok bool) {
	assert.NotContains(l.t, l.got, o.Index, "task %d delivered twice", o.Index)
	if o.Index < 0 || o.Index >= len(tasks) || o.ID != tasks[o.Index].ID {
		assert.Fail(l.t, "an outcome of no task", "index %d id %q", o.Index, o.ID)
		return false
	}
	l.got[o.Index] = o
	return true
}

func TestSameResultsBitwise(t *testing.T) {
	var tasks []executor.Task
	for i := range 24 {
		driver := qcschema.DriverEnergy
		if i%2 == 1 {
			driver = qcschema.DriverGradient
		}
		kw := map[string]any{"scf_type": "df", "e_convergence": 1e-10, "tiny": 1e-300, "big": 1.7976931348623157e308,
			"text": "<a & b>\u2028", "list": []any{0.1, 0.2, 0.30000000000000004}}
		var extras map[string]any
		switch i % 4 {
		case 1:
			extras = map[string]any{}
		case 2:
			extras = map[string]any{"note": "keep me", "n": 3}
		case 3:
			extras = map[string]any{executor.ProgramKey: "not-this-one", "z": []any{1.5}}
		}
		in := input(fmt.Sprintf("task-%02d", i), driver, 1+i%7, uint64(i), kw, extras)
		tk := mustTask(t, in, i%5 == 0) // some payloads pretty-printed over many lines
		tk.Cost = float64(i % 5)
		tasks = append(tasks, tk)
	}
	// Lines longer than the pipes' read buffers (1 MiB) in both directions.
	tasks = append(tasks, mustTask(t, input("huge", qcschema.DriverGradient, 20000, 99, nil, nil), false))
	var want [][]byte
	for _, ec := range executors() {
		t.Run(ec.name, func(t *testing.T) {
			got, err := run(t, context.Background(), ec.new(t, executor.Options{}), tasks)
			require.NoError(t, err)
			require.Len(t, got, len(tasks), "outcomes")
			enc := make([][]byte, len(tasks))
			for i := range tasks {
				b, err := json.Marshal(got[i].Result)
				require.NoError(t, err)
				enc[i] = b
			}
			if want == nil {
				want = enc
				// The program must see the payload's extras without the program key.
				var r qcschema.AtomicResult
				_ = json.Unmarshal(enc[3], &r)
				assert.NotContains(t, r.Extras, executor.ProgramKey, "extras seen by the program")
				assert.NotNil(t, r.Extras["z"], "extras seen by the program: %v", r.Extras)
				return
			}
			for i := range tasks {
				assert.Equal(t, string(want[i]), string(enc[i]), "task %d against serial", i)
			}
		})
	}
}

func TestRetries(t *testing.T) {
	for _, ec := range executors() {
		t.Run(ec.name, func(t *testing.T) {
			dir := t.TempDir()
			tasks := []executor.Task{
				task(t, "ok", nil),
				task(t, "once", map[string]any{"fail": "once", "marker": filepath.Join(dir, "once")}),
				task(t, "random", map[string]any{"fail": "random"}),
				task(t, "input", map[string]any{"fail": "always"}),
			}
			got, err := run(t, context.Background(), ec.new(t, executor.Options{Retries: 2, Backoff: time.Millisecond}), tasks)
			var be *executor.BatchError
			require.ErrorAs(t, err, &be)
			require.Len(t, got, len(tasks), "outcomes")
			for _, c := range []struct {
				idx      int
				attempts int
				errType  string
			}{{0, 1, ""}, {1, 2, ""}, {2, 3, qcschema.ErrorRandom}, {3, 1, qcschema.ErrorInput}} {
				o := got[c.idx]
				assert.Equal(t, c.attempts, o.Attempts, "%s: attempts", o.ID)
				var fo *qcschema.FailedOperation
				if c.errType == "" {
					assert.NoError(t, o.Err, o.ID)
				} else if assert.ErrorAs(t, o.Err, &fo, o.ID) {
					assert.Equal(t, c.errType, fo.ComputeError.ErrorType, "%s: error type", o.ID)
				}
			}
			if assert.Len(t, be.Failed, 2, "BatchError.Failed") {
				assert.Equal(t, 2, be.Failed[0].Index, "BatchError.Failed")
				assert.Equal(t, 3, be.Failed[1].Index, "BatchError.Failed")
			}
			var fo *qcschema.FailedOperation
			assert.ErrorAs(t, err, &fo)
			for _, s := range []string{"2 tasks failed", "random", "told to fail", "input"} {
				assert.ErrorContains(t, err, s)
			}
		})
	}
}

func TestNoRetriesByDefault(t *testing.T) {
	for _, ec := range executors() {
		t.Run(ec.name, func(t *testing.T) {
			dir := t.TempDir()
			tasks := []executor.Task{task(t, "once", map[string]any{"fail": "once", "marker": filepath.Join(dir, "once")})}
			got, err := run(t, context.Background(), ec.new(t, executor.Options{}), tasks)
			var be *executor.BatchError
			require.ErrorAs(t, err, &be)
			require.Len(t, be.Failed, 1, "failed tasks")
			require.Equal(t, 1, got[0].Attempts, "attempts")
		})
	}
}

func TestTimeout(t *testing.T) {
	for _, ec := range executors() {
		t.Run(ec.name, func(t *testing.T) {
			slow := "sleep"
			if strings.HasPrefix(ec.name, "subprocess") {
				slow = "hang" // ignores ctx: the worker must be killed
			}
			tasks := []executor.Task{
				task(t, "a", nil),
				task(t, "slow", map[string]any{slow: 60.0}),
				task(t, "b", nil),
				task(t, "c", nil),
			}
			start := time.Now()
			got, err := run(t, context.Background(), ec.new(t, executor.Options{Timeout: 300 * time.Millisecond}), tasks)
			assert.LessOrEqual(t, time.Since(start), 20*time.Second, "time taken")
			var be *executor.BatchError
			require.ErrorAs(t, err, &be)
			require.Len(t, be.Failed, 1, "failed tasks")
			require.Equal(t, "slow", be.Failed[0].ID, "failed task")
			var fo *qcschema.FailedOperation
			if assert.ErrorAs(t, got[1].Err, &fo, "slow") {
				assert.Equal(t, qcschema.ErrorTimeout, fo.ComputeError.ErrorType, "slow")
			}
			// With two workers and pipelining, one of b and c waited behind the slow task
			// in its worker's pipe: it is run elsewhere without counting an attempt.
			for _, i := range []int{0, 2, 3} {
				assert.NoError(t, got[i].Err, got[i].ID)
				assert.Equal(t, 1, got[i].Attempts, "%s: attempts", got[i].ID)
			}
		})
	}
}

func TestCancel(t *testing.T) {
	for _, ec := range executors() {
		t.Run(ec.name, func(t *testing.T) {
			var tasks []executor.Task
			for i := range 20 {
				tasks = append(tasks, task(t, fmt.Sprint("sleepy-", i), map[string]any{"sleep": 30.0}))
			}
			tasks[0] = task(t, "quick", nil)
			tasks[0].Cost = 100 // first everywhere
			var ex executor.Executor
			var pidDir string
			if strings.HasPrefix(ec.name, "subprocess") {
				s, dir := newSubprocess(t, 2, executor.Options{}, "engine")
				ex, pidDir = s, dir
			} else {
				ex = ec.new(t, executor.Options{})
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			// Cancel once the quick task is in, however long workers take to start on a
			// loaded machine, while the sleepy ones run.
			inner := ex
			ex = executor.ExecutorFunc(func(ctx context.Context, tasks []executor.Task, handle func(executor.Outcome)) error {
				return inner.Execute(ctx, tasks, func(o executor.Outcome) {
					handle(o)
					time.AfterFunc(300*time.Millisecond, cancel)
				})
			})
			start := time.Now()
			got, err := run(t, ctx, ex, tasks)
			assert.LessOrEqual(t, time.Since(start), 10*time.Second, "Execute's return after cancellation")
			assert.ErrorIs(t, err, context.Canceled)
			if assert.Len(t, got, 1, "delivered: want only the quick task") {
				assert.NoError(t, got[0].Err, "the quick task")
			}
			goleak.VerifyNone(t)
			if pidDir != "" {
				checkExited(t, pidDir)
			}
		})
	}
}

func TestWorkerCrash(t *testing.T) {
	dir := t.TempDir()
	tasks := []executor.Task{
		task(t, "a", nil),
		task(t, "crash-once", map[string]any{"crash": "once", "marker": filepath.Join(dir, "crash")}),
		task(t, "crash-always", map[string]any{"crash": "always"}),
		task(t, "b", nil),
		task(t, "c", nil),
		task(t, "d", nil),
	}
	s, pidDir := newSubprocess(t, 2, executor.Options{}, "engine")
	var stderr bytes.Buffer
	s.Stderr = &stderr
	got, err := run(t, context.Background(), s, tasks)
	assert.Contains(t, stderr.String(), "crashing on purpose", "Subprocess.Stderr")
	assert.Contains(t, stderr.String(), "ready", "Subprocess.Stderr")
	var be *executor.BatchError
	require.ErrorAs(t, err, &be)
	require.Len(t, be.Failed, 1, "failed tasks")
	require.Equal(t, "crash-always", be.Failed[0].ID, "failed task")
	assert.NoError(t, got[1].Err, "crash-once")
	assert.Equal(t, 2, got[1].Attempts, "crash-once: attempts")
	var we *executor.WorkerError
	assert.Equal(t, 2, got[2].Attempts, "crash-always: attempts")
	if assert.ErrorAs(t, got[2].Err, &we, "crash-always") {
		assert.Contains(t, we.Stderr, "crashing on purpose", "worker stderr not reported")
		assert.ErrorContains(t, err, "crashing on purpose", "worker stderr not reported")
	}
	for _, i := range []int{0, 3, 4, 5} {
		assert.NoError(t, got[i].Err, got[i].ID)
		assert.Equal(t, 1, got[i].Attempts, "%s: attempts", got[i].ID)
	}
	checkExited(t, pidDir)
}

func TestWorkerLingers(t *testing.T) {
	s, pidDir := newSubprocess(t, 2, executor.Options{}, "linger")
	s.Grace = 200 * time.Millisecond
	start := time.Now()
	_, err := run(t, context.Background(), s, []executor.Task{task(t, "a", nil), task(t, "b", nil)})
	require.NoError(t, err)
	assert.LessOrEqual(t, time.Since(start), 20*time.Second, "time taken")
	checkExited(t, pidDir)
}

func TestWorkerCrashRetries(t *testing.T) {
	s, _ := newSubprocess(t, 1, executor.Options{Retries: 3}, "engine")
	got, _ := run(t, context.Background(), s, []executor.Task{task(t, "crash", map[string]any{"crash": "always"})})
	assert.Equal(t, 4, got[0].Attempts, "attempts")
}

func TestSubprocessBadWorkers(t *testing.T) {
	tasks := []executor.Task{task(t, "a", nil), task(t, "b", nil), task(t, "c", nil)}
	chatty, _ := newSubprocess(t, 2, executor.Options{}, "garbage")
	for _, c := range []struct {
		name string
		ex   *executor.Subprocess
		want string
	}{
		{"missing command", executor.NewSubprocess(2, []string{filepath.Join(t.TempDir(), "no-such-worker")}, executor.Options{}), "no-such-worker"},
		{"exits at once", executor.NewSubprocess(2, []string{"false"}, executor.Options{}), "exit status 1"},
		{"protocol error", chatty, "protocol error"},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			got, err := run(t, context.Background(), c.ex, tasks)
			assert.LessOrEqual(t, time.Since(start), 20*time.Second, "time taken")
			var be *executor.BatchError
			require.ErrorAs(t, err, &be)
			require.Len(t, be.Failed, len(tasks), "every task failed")
			require.Len(t, got, len(tasks), "outcomes")
			var we *executor.WorkerError
			assert.ErrorAs(t, err, &we)
			assert.ErrorContains(t, err, c.want)
		})
	}
	assert.Error(t, executor.NewSubprocess(1, nil, executor.Options{}).Execute(context.Background(), tasks, func(executor.Outcome) {}), "empty command accepted")
}

func TestPanicAndUnknownProgram(t *testing.T) {
	for _, ec := range executors() {
		t.Run(ec.name, func(t *testing.T) {
			tasks := []executor.Task{task(t, "panic", map[string]any{"panic": true}), task(t, "unknown", nil), task(t, "ok", nil)}
			tasks[1].Program = "no-such-program"
			got, err := run(t, context.Background(), ec.new(t, executor.Options{Retries: 1}), tasks)
			var be *executor.BatchError
			require.ErrorAs(t, err, &be)
			require.Len(t, be.Failed, 2, "failures")
			for i, want := range []string{qcschema.ErrorUnknown, qcschema.ErrorUnavailable} {
				var fo *qcschema.FailedOperation
				if assert.ErrorAs(t, got[i].Err, &fo, got[i].ID) {
					assert.Equal(t, want, fo.ComputeError.ErrorType, got[i].ID)
				}
				assert.Equal(t, 1, got[i].Attempts, "%s: attempts", got[i].ID)
			}
			assert.NoError(t, got[2].Err)
		})
	}
}

func TestPoolCostOrder(t *testing.T) {
	var tasks []executor.Task
	for i, c := range []float64{1, 5, 3, 5, 0, 9} {
		tasks = append(tasks, executor.Task{ID: fmt.Sprint(i), Cost: c, Payload: []byte("{}")})
	}
	var order []string
	noop := executor.RunnerFunc(func(ctx context.Context, program string, payload []byte) (*qcschema.AtomicResult, error) {
		return &qcschema.AtomicResult{Success: true}, nil
	})
	for _, c := range []struct {
		ex   executor.Executor
		want string
	}{
		{executor.NewPool(1, executor.Options{Runner: noop}), "5 1 3 2 0 4"},
		{executor.NewSerial(executor.Options{Runner: noop}), "0 1 2 3 4 5"},
	} {
		order = order[:0]
		require.NoError(t, c.ex.Execute(context.Background(), tasks, func(o executor.Outcome) { order = append(order, o.ID) }))
		assert.Equal(t, c.want, strings.Join(order, " "), "order")
	}
}

func TestServe(t *testing.T) {
	good := mustTask(t, input("good", qcschema.DriverEnergy, 2, 1, nil, map[string]any{executor.ProgramKey: fakeName}), false)
	unknown := mustTask(t, input("unknown", qcschema.DriverEnergy, 2, 1, nil, nil), false) // DefaultProgram
	fail := mustTask(t, input("fail", qcschema.DriverEnergy, 2, 1, map[string]any{"fail": "always"},
		map[string]any{executor.ProgramKey: fakeName}), false)
	panicky := mustTask(t, input("panic", qcschema.DriverEnergy, 2, 1, map[string]any{"panic": true},
		map[string]any{executor.ProgramKey: fakeName}), false)
	lines := []string{
		string(good.Payload),
		"{not json",
		"",
		`{"extras": {"qcmb:program": 42}}`,
		`[1, 2]`,
		string(fail.Payload),
		string(panicky.Payload),
		string(unknown.Payload),
		"   " + string(good.Payload) + "  \r",
		`{"schema_name": "qcschema_atomic_input", "specification": {"program": "` + fakeName +
			`", "driver": "energy", "model": {"method": "hf"}}, "molecule": {"symbols": ["He"], "geometry": [0, 0, 0]}}`,
	}
	var out bytes.Buffer
	require.NoError(t, executor.Serve(context.Background(), strings.NewReader(strings.Join(lines, "\n")), &out, nil))
	want := []string{"", qcschema.ErrorInput, qcschema.ErrorInput, qcschema.ErrorInput, qcschema.ErrorInput,
		qcschema.ErrorUnknown, qcschema.ErrorUnavailable, "", ""}
	sc := bufio.NewScanner(&out)
	n := 0
	for sc.Scan() {
		require.Less(t, n, len(want), "extra output line %s", sc.Text())
		var r struct {
			Success   bool `json:"success"`
			Error     *qcschema.ComputeError
			InputData json.RawMessage `json:"input_data"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r), "line %d is not JSON", n)
		if want[n] == "" {
			assert.True(t, r.Success, "line %d: want success, got %s", n, sc.Text())
		} else {
			assert.False(t, r.Success, "line %d: want a %s FailedOperation, got %s", n, want[n], sc.Text())
			if assert.NotNil(t, r.Error, "line %d: want a %s FailedOperation, got %s", n, want[n], sc.Text()) {
				assert.Equal(t, want[n], r.Error.ErrorType, "line %d", n)
			}
			assert.NotEmpty(t, r.InputData, "line %d: want input_data, got %s", n, sc.Text())
		}
		n++
	}
	assert.Equal(t, len(want), n, "output lines")

	// A cancelled context ends Serve.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, executor.Serve(ctx, strings.NewReader(string(good.Payload)), &out, nil), context.Canceled, "Serve with cancelled context")
}

func TestBatchErrorMessage(t *testing.T) {
	err := &executor.BatchError{Failed: []executor.Outcome{
		{Index: 3, ID: `["mp2", [1], [1, 2]]`, Attempts: 2, Err: qcschema.NewFailedOperation(nil, qcschema.ErrorRandom, "flaky")},
		{Index: 7, ID: "x", Attempts: 1, Err: &executor.WorkerError{Worker: 1, Pid: 99, Err: errors.New("exit status 2"), Stderr: "a\nb\nlast words\n"}},
	}}
	msg := err.Error()
	for _, s := range []string{"2 tasks failed", `["mp2", [1], [1, 2]] (task 3, 2 attempts): random_error: flaky`,
		"x (task 7, 1 attempt): worker 1 (pid 99) failed: exit status 2", "last words"} {
		assert.Contains(t, msg, s)
	}
	assert.Len(t, err.Unwrap(), 2, "Unwrap")
	for i := range 23 {
		err.Failed = append(err.Failed, executor.Outcome{Index: i, ID: "many", Attempts: 1, Err: fmt.Errorf("no %d", i)})
	}
	assert.Contains(t, err.Error(), "25 tasks failed", "long message")
	assert.Contains(t, err.Error(), "... and 5 more", "long message")
	// The same reason for every task (workers that cannot start) is given once.
	same := &executor.BatchError{}
	for i := range 30 {
		same.Failed = append(same.Failed, executor.Outcome{Index: i, ID: "t", Err: errors.New("not run: no worker")})
	}
	assert.Equal(t, 1, strings.Count(same.Error(), "no worker"), "repeated reasons:\n%s", same.Error())
	assert.Contains(t, same.Error(), "(29 more with an error given above)", "repeated reasons")
}

// Every executor reports each task's start, with the worker that runs it, before its
// outcome and measures the processor time of tasks that compute, without leaving the
// measurement in the results.
func TestOnStartAndCPU(t *testing.T) {
	for _, ec := range executors() {
		t.Run(ec.name, func(t *testing.T) {
			var mu sync.Mutex
			started := map[int]int{}
			startedOn := map[int]int{}
			opt := executor.Options{OnStart: func(i int) {
				mu.Lock()
				started[i]++
				mu.Unlock()
			}, OnStartWorker: func(i, worker int) {
				mu.Lock()
				startedOn[i] = worker
				mu.Unlock()
			}}
			ex := ec.new(t, opt)
			var tasks []executor.Task
			for i := range 5 {
				tasks = append(tasks, task(t, fmt.Sprintf("spin%d", i), map[string]any{"spin": 20.0}))
			}
			got := map[int]executor.Outcome{}
			err := ex.Execute(context.Background(), tasks, func(o executor.Outcome) {
				mu.Lock()
				defer mu.Unlock()
				assert.Equal(t, 1, started[o.Index], "task %d: start notifications before it finished", o.Index)
				w, ok := startedOn[o.Index]
				assert.True(t, ok, "task %d: no worker told at its start", o.Index)
				assert.Equal(t, o.Worker, w, "task %d: the worker it started on against the one it ran on", o.Index)
				got[o.Index] = o
			})
			require.NoError(t, err)
			require.Len(t, got, len(tasks), "outcomes")
			for _, o := range got {
				assert.Positive(t, o.CPU, "task %s: processor time", o.ID)
				assert.NotContains(t, o.Result.Extras, executor.CPUKey, "task %s: result extras", o.ID)
			}
		})
	}
}
