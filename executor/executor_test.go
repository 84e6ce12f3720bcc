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
	if err != nil {
		t.Fatal(err)
	}
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
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) == 0 {
		t.Errorf("no worker recorded its pid")
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if processExists(pid) {
			t.Errorf("worker pid %d still exists", pid)
		}
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
		if (o.Err == nil) == (o.Result == nil) {
			t.Errorf("task %s: want exactly one of Result and Err, got %v and %v", o.ID, o.Result, o.Err)
		}
		var we *executor.WorkerError
		neverRun := o.Attempts == 0 && errors.As(o.Err, &we) // workers could not start
		if (o.Attempts < 1 && !neverRun) || o.Start.Before(o.Queued) || o.End.Before(o.Start) {
			t.Errorf("task %s: bad bookkeeping: attempts %d queued %v start %v end %v", o.ID, o.Attempts, o.Queued, o.Start, o.End)
		}
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
	if l.busy.Add(1) != 1 {
		l.t.Errorf("handle called concurrently")
	}
	return func() { l.busy.Add(-1) }
}

// check records o, an outcome of one of tasks; ok is false when it matches none.
func (l *outcomeLog) check(o executor.Outcome, tasks []executor.Task) (ok bool) {
	if _, dup := l.got[o.Index]; dup {
		l.t.Errorf("task %d delivered twice", o.Index)
	}
	if o.Index < 0 || o.Index >= len(tasks) || o.ID != tasks[o.Index].ID {
		l.t.Errorf("outcome index %d id %q does not match a task", o.Index, o.ID)
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
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tasks) {
				t.Fatalf("got %d outcomes, want %d", len(got), len(tasks))
			}
			enc := make([][]byte, len(tasks))
			for i := range tasks {
				b, err := json.Marshal(got[i].Result)
				if err != nil {
					t.Fatal(err)
				}
				enc[i] = b
			}
			if want == nil {
				want = enc
				// The program must see the payload's extras without the program key.
				var r qcschema.AtomicResult
				_ = json.Unmarshal(enc[3], &r)
				if _, ok := r.Extras[executor.ProgramKey]; ok || r.Extras["z"] == nil {
					t.Errorf("extras seen by the program: %v", r.Extras)
				}
				return
			}
			for i := range tasks {
				if !bytes.Equal(enc[i], want[i]) {
					t.Errorf("task %d differs from serial:\n got %s\nwant %s", i, enc[i], want[i])
				}
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
			if !errors.As(err, &be) {
				t.Fatalf("error %v, want a *BatchError", err)
			}
			if len(got) != len(tasks) {
				t.Fatalf("got %d outcomes, want %d", len(got), len(tasks))
			}
			for _, c := range []struct {
				idx      int
				attempts int
				errType  string
			}{{0, 1, ""}, {1, 2, ""}, {2, 3, qcschema.ErrorRandom}, {3, 1, qcschema.ErrorInput}} {
				o := got[c.idx]
				if o.Attempts != c.attempts {
					t.Errorf("%s: %d attempts, want %d", o.ID, o.Attempts, c.attempts)
				}
				var fo *qcschema.FailedOperation
				switch {
				case c.errType == "" && o.Err != nil:
					t.Errorf("%s: unexpected error %v", o.ID, o.Err)
				case c.errType != "" && !errors.As(o.Err, &fo):
					t.Errorf("%s: error %v, want a FailedOperation", o.ID, o.Err)
				case c.errType != "" && fo.ComputeError.ErrorType != c.errType:
					t.Errorf("%s: error type %s, want %s", o.ID, fo.ComputeError.ErrorType, c.errType)
				}
			}
			if len(be.Failed) != 2 || be.Failed[0].Index != 2 || be.Failed[1].Index != 3 {
				t.Errorf("BatchError.Failed = %v, want tasks 2 and 3", be.Failed)
			}
			var fo *qcschema.FailedOperation
			if !errors.As(err, &fo) {
				t.Errorf("errors.As(BatchError, *FailedOperation) failed")
			}
			msg := err.Error()
			for _, s := range []string{"2 tasks failed", "random", "told to fail", "input"} {
				if !strings.Contains(msg, s) {
					t.Errorf("error message lacks %q:\n%s", s, msg)
				}
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
			if !errors.As(err, &be) || len(be.Failed) != 1 || got[0].Attempts != 1 {
				t.Fatalf("error %v attempts %d, want a BatchError after 1 attempt", err, got[0].Attempts)
			}
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
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("took %v", d)
			}
			var be *executor.BatchError
			if !errors.As(err, &be) || len(be.Failed) != 1 || be.Failed[0].ID != "slow" {
				t.Fatalf("error %v, want a BatchError for task slow", err)
			}
			var fo *qcschema.FailedOperation
			if !errors.As(got[1].Err, &fo) || fo.ComputeError.ErrorType != qcschema.ErrorTimeout {
				t.Errorf("slow: error %v, want a timeout FailedOperation", got[1].Err)
			}
			// With two workers and pipelining, one of b and c waited behind the slow task
			// in its worker's pipe: it is run elsewhere without counting an attempt.
			for _, i := range []int{0, 2, 3} {
				if got[i].Err != nil || got[i].Attempts != 1 {
					t.Errorf("%s: error %v after %d attempts", got[i].ID, got[i].Err, got[i].Attempts)
				}
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
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("Execute returned %v after cancellation", d)
			}
			if !errors.Is(err, context.Canceled) {
				t.Errorf("error %v, want context.Canceled", err)
			}
			if len(got) != 1 || got[0].Err != nil {
				t.Errorf("delivered %v, want only the quick task", got)
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
	if !strings.Contains(stderr.String(), "crashing on purpose") || !strings.Contains(stderr.String(), "ready") {
		t.Errorf("Subprocess.Stderr got %q", stderr.String())
	}
	var be *executor.BatchError
	if !errors.As(err, &be) || len(be.Failed) != 1 || be.Failed[0].ID != "crash-always" {
		t.Fatalf("error %v, want a BatchError for crash-always", err)
	}
	if o := got[1]; o.Err != nil || o.Attempts != 2 {
		t.Errorf("crash-once: error %v after %d attempts, want success after 2", o.Err, o.Attempts)
	}
	var we *executor.WorkerError
	if o := got[2]; !errors.As(o.Err, &we) || o.Attempts != 2 {
		t.Errorf("crash-always: error %v after %d attempts, want a WorkerError after 2", o.Err, o.Attempts)
	} else if !strings.Contains(we.Stderr, "crashing on purpose") || !strings.Contains(err.Error(), "crashing on purpose") {
		t.Errorf("worker stderr not reported: %q\n%v", we.Stderr, err)
	}
	for _, i := range []int{0, 3, 4, 5} {
		if got[i].Err != nil || got[i].Attempts != 1 {
			t.Errorf("%s: error %v after %d attempts", got[i].ID, got[i].Err, got[i].Attempts)
		}
	}
	checkExited(t, pidDir)
}

func TestWorkerLingers(t *testing.T) {
	s, pidDir := newSubprocess(t, 2, executor.Options{}, "linger")
	s.Grace = 200 * time.Millisecond
	start := time.Now()
	if _, err := run(t, context.Background(), s, []executor.Task{task(t, "a", nil), task(t, "b", nil)}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %v", d)
	}
	checkExited(t, pidDir)
}

func TestWorkerCrashRetries(t *testing.T) {
	s, _ := newSubprocess(t, 1, executor.Options{Retries: 3}, "engine")
	got, _ := run(t, context.Background(), s, []executor.Task{task(t, "crash", map[string]any{"crash": "always"})})
	if got[0].Attempts != 4 {
		t.Errorf("%d attempts, want 4", got[0].Attempts)
	}
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
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("took %v", d)
			}
			var be *executor.BatchError
			if !errors.As(err, &be) || len(be.Failed) != len(tasks) || len(got) != len(tasks) {
				t.Fatalf("error %v, want every task failed", err)
			}
			var we *executor.WorkerError
			if !errors.As(err, &we) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want a WorkerError mentioning %q", err, c.want)
			}
		})
	}
	if err := executor.NewSubprocess(1, nil, executor.Options{}).Execute(context.Background(), tasks, func(executor.Outcome) {}); err == nil {
		t.Errorf("empty command accepted")
	}
}

func TestPanicAndUnknownProgram(t *testing.T) {
	for _, ec := range executors() {
		t.Run(ec.name, func(t *testing.T) {
			tasks := []executor.Task{task(t, "panic", map[string]any{"panic": true}), task(t, "unknown", nil), task(t, "ok", nil)}
			tasks[1].Program = "no-such-program"
			got, err := run(t, context.Background(), ec.new(t, executor.Options{Retries: 1}), tasks)
			var be *executor.BatchError
			if !errors.As(err, &be) || len(be.Failed) != 2 {
				t.Fatalf("error %v, want 2 failures", err)
			}
			for i, want := range []string{qcschema.ErrorUnknown, qcschema.ErrorUnavailable} {
				var fo *qcschema.FailedOperation
				if !errors.As(got[i].Err, &fo) || fo.ComputeError.ErrorType != want || got[i].Attempts != 1 {
					t.Errorf("%s: error %v after %d attempts, want %s", got[i].ID, got[i].Err, got[i].Attempts, want)
				}
			}
			if got[2].Err != nil {
				t.Error(got[2].Err)
			}
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
		if err := c.ex.Execute(context.Background(), tasks, func(o executor.Outcome) { order = append(order, o.ID) }); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(order, " "); got != c.want {
			t.Errorf("order %s, want %s", got, c.want)
		}
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
	if err := executor.Serve(context.Background(), strings.NewReader(strings.Join(lines, "\n")), &out, nil); err != nil {
		t.Fatal(err)
	}
	want := []string{"", qcschema.ErrorInput, qcschema.ErrorInput, qcschema.ErrorInput, qcschema.ErrorInput,
		qcschema.ErrorUnknown, qcschema.ErrorUnavailable, "", ""}
	sc := bufio.NewScanner(&out)
	n := 0
	for sc.Scan() {
		if n >= len(want) {
			t.Fatalf("extra output line %s", sc.Text())
		}
		var r struct {
			Success   bool `json:"success"`
			Error     *qcschema.ComputeError
			InputData json.RawMessage `json:"input_data"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %d is not JSON: %v", n, err)
		}
		switch {
		case want[n] == "" && !r.Success:
			t.Errorf("line %d: want success, got %s", n, sc.Text())
		case want[n] != "" && (r.Success || r.Error == nil || r.Error.ErrorType != want[n] || len(r.InputData) == 0):
			t.Errorf("line %d: want a %s FailedOperation with input_data, got %s", n, want[n], sc.Text())
		}
		n++
	}
	if n != len(want) {
		t.Errorf("%d output lines, want %d", n, len(want))
	}

	// A cancelled context ends Serve.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := executor.Serve(ctx, strings.NewReader(string(good.Payload)), &out, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Serve with cancelled context: %v", err)
	}
}

func TestBatchErrorMessage(t *testing.T) {
	err := &executor.BatchError{Failed: []executor.Outcome{
		{Index: 3, ID: `["mp2", [1], [1, 2]]`, Attempts: 2, Err: qcschema.NewFailedOperation(nil, qcschema.ErrorRandom, "flaky")},
		{Index: 7, ID: "x", Attempts: 1, Err: &executor.WorkerError{Worker: 1, Pid: 99, Err: errors.New("exit status 2"), Stderr: "a\nb\nlast words\n"}},
	}}
	msg := err.Error()
	for _, s := range []string{"2 tasks failed", `["mp2", [1], [1, 2]] (task 3, 2 attempts): random_error: flaky`,
		"x (task 7, 1 attempt): worker 1 (pid 99) failed: exit status 2", "last words"} {
		if !strings.Contains(msg, s) {
			t.Errorf("message lacks %q:\n%s", s, msg)
		}
	}
	if errs := err.Unwrap(); len(errs) != 2 {
		t.Errorf("Unwrap: %v", errs)
	}
	for i := range 23 {
		err.Failed = append(err.Failed, executor.Outcome{Index: i, ID: "many", Attempts: 1, Err: fmt.Errorf("no %d", i)})
	}
	if msg := err.Error(); !strings.Contains(msg, "25 tasks failed") || !strings.Contains(msg, "... and 5 more") {
		t.Errorf("long message:\n%s", msg)
	}
	// The same reason for every task (workers that cannot start) is given once.
	same := &executor.BatchError{}
	for i := range 30 {
		same.Failed = append(same.Failed, executor.Outcome{Index: i, ID: "t", Err: errors.New("not run: no worker")})
	}
	if msg := same.Error(); strings.Count(msg, "no worker") != 1 || !strings.Contains(msg, "(29 more with an error given above)") {
		t.Errorf("repeated reasons:\n%s", msg)
	}
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
				if started[o.Index] != 1 {
					t.Errorf("task %d finished after %d start notifications, want 1", o.Index, started[o.Index])
				}
				if w, ok := startedOn[o.Index]; !ok || w != o.Worker {
					t.Errorf("task %d ran on worker %d, started on %d (told: %v)", o.Index, o.Worker, w, ok)
				}
				got[o.Index] = o
			})
			if err != nil || len(got) != len(tasks) {
				t.Fatalf("%d outcomes of %d tasks, error %v", len(got), len(tasks), err)
			}
			for _, o := range got {
				if o.CPU <= 0 {
					t.Errorf("task %s: processor time %v, want > 0", o.ID, o.CPU)
				}
				if _, ok := o.Result.Extras[executor.CPUKey]; ok {
					t.Errorf("task %s: result extras keep %s", o.ID, executor.CPUKey)
				}
			}
		})
	}
}
