package executor_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/qcschema"
)

// The test binary doubles as the worker of the Subprocess tests: with workerEnv set,
// TestMain serves the worker protocol on stdin/stdout instead of running tests.
const (
	workerEnv = "QCMB_EXECUTOR_TEST_WORKER" // "engine", "noop", "garbage", "linger" or "legacy"
	pidDirEnv = "QCMB_EXECUTOR_TEST_PIDDIR" // workers write their pid here
	fakeName  = "executor-test-fake"
)

func init() {
	engine.Register(fakeName, engine.ProgramFunc(fakeCompute))
	engine.Register(fakeName+"-noop", engine.ProgramFunc(func(ctx context.Context, in *qcschema.AtomicInput) (*qcschema.AtomicResult, error) {
		return &qcschema.AtomicResult{SchemaName: qcschema.SchemaOutput, SchemaVersion: 1, Driver: in.Driver, Success: true}, nil
	}))
}

func TestMain(m *testing.M) {
	if mode := os.Getenv(workerEnv); mode != "" {
		os.Exit(worker(mode))
	}
	goleak.VerifyTestMain(m)
}

func worker(mode string) int {
	if dir := os.Getenv(pidDirEnv); dir != "" {
		pid := strconv.Itoa(os.Getpid())
		if err := os.WriteFile(filepath.Join(dir, pid), []byte(pid), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "worker:", err)
			return 1
		}
	}
	var run executor.Runner // engine
	switch mode {
	case "noop":
		res := []byte(`{"schema_name":"qcschema_output","schema_version":1,"success":true,"return_result":-1.5}`)
		run = executor.RunnerFunc(func(ctx context.Context, program string, payload []byte) (*qcschema.AtomicResult, error) {
			r := new(qcschema.AtomicResult)
			return r, json.Unmarshal(res, r)
		})
	case "garbage":
		fmt.Println("hello from a chatty worker")
	case "legacy":
		return legacyWorker()
	}
	fmt.Fprintln(os.Stderr, "worker", os.Getpid(), "ready")
	if err := executor.Serve(context.Background(), os.Stdin, os.Stdout, run); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 1
	}
	if mode == "linger" {
		time.Sleep(time.Minute) // does not exit at the end of its input
	}
	return 0
}

// legacyWorker is a worker that knows nothing of the handshake: like any worker it answers
// an input naming a program it does not have with a FailedOperation line.
func legacyWorker() int {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		line := sc.Bytes()
		if bytes.Contains(line, []byte(executor.PingProgram)) {
			fmt.Println(`{"success":false,"error":{"error_type":"unavailable","error_message":"unknown program qcmb:ping"}}`)
			continue
		}
		if err := executor.Serve(context.Background(), bytes.NewReader(line), os.Stdout, nil); err != nil {
			fmt.Fprintln(os.Stderr, "worker:", err)
			return 1
		}
	}
	return 0
}

// fakeCompute is a deterministic program: its results are pseudo-random numbers seeded by a
// hash of the input it sees, so any difference in the input shows in the result. Keywords
// make it misbehave:
//
//	"sleep": seconds       sleep (honouring ctx)
//	"hang": seconds        sleep ignoring ctx
//	"spin": n              n million multiply-adds of processor work
//	"fail": "always"       input_error
//	"fail": "random"       random_error (retryable) every time
//	"fail": "once"         random_error unless the file "marker" exists, which it creates
//	"crash": "once"        exit the process unless "marker" exists (worker only)
//	"crash": "always"      exit the process (worker only)
//	"panic": true          panic
//	"leave": "NAME=VALUE"  leave a scratch directory in TMPDIR and a child marked NAME=VALUE
//	                       in a session of its own, deaf to SIGTERM
//
// spinSink keeps the "spin" loop from being optimised away.
var spinSink atomic.Uint64

func fakeCompute(ctx context.Context, in *qcschema.AtomicInput) (*qcschema.AtomicResult, error) {
	canon, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	kw := in.Keywords
	if s, ok := kw["sleep"].(float64); ok {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(s * float64(time.Second))):
		}
	}
	if n, ok := kw["spin"].(float64); ok { // n million multiply-adds of processor work
		x := 1.0
		for i := 0; i < int(n*1e6); i++ {
			x = x*1.0000001 + 1e-9
		}
		spinSink.Store(math.Float64bits(x))
	}
	if s, ok := kw["hang"].(float64); ok {
		time.Sleep(time.Duration(s * float64(time.Second)))
	}
	if mark, ok := kw["leave"].(string); ok { // what a program leaves when it is killed
		if dir, err := os.MkdirTemp("", "program-scratch-"); err == nil {
			_ = os.WriteFile(filepath.Join(dir, "file"), []byte("data"), 0o644)
		}
		child := exec.Command("setsid", "sh", "-c", `trap "" TERM; exec sleep 300`)
		child.Env = append(os.Environ(), mark)
		_ = child.Start()
	}
	marker, _ := kw["marker"].(string)
	firstTime := func() bool {
		f, err := os.OpenFile(marker, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			return false
		}
		f.Close()
		return true
	}
	switch kw["fail"] {
	case "always":
		return nil, qcschema.NewFailedOperation(in, qcschema.ErrorInput, "told to fail")
	case "random":
		return nil, qcschema.NewFailedOperation(in, qcschema.ErrorRandom, "told to fail at random")
	case "once":
		if firstTime() {
			return nil, qcschema.NewFailedOperation(in, qcschema.ErrorRandom, "failing the first time")
		}
	}
	switch kw["crash"] {
	case "once":
		if !firstTime() {
			break
		}
		fallthrough
	case "always":
		fmt.Fprintln(os.Stderr, "fake program: crashing on purpose")
		os.Exit(3)
	}
	if kw["panic"] == true {
		panic("fake program told to panic")
	}
	h := fnv.New64a()
	h.Write(canon)
	seed := h.Sum64()
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	energy := -76 - rng.Float64()
	res := &qcschema.AtomicResult{
		SchemaName: qcschema.SchemaOutput, SchemaVersion: 1, ID: in.ID,
		Molecule: in.Molecule, Driver: in.Driver, Model: in.Model,
		Keywords: in.Keywords, Protocols: in.Protocols, Extras: in.Extras,
		Provenance: qcschema.Provenance{Creator: fakeName, Version: "1", Routine: "fakeCompute"},
		Success:    true,
	}
	res.Properties.ReturnEnergy = &energy
	switch in.Driver {
	case qcschema.DriverGradient:
		g := make([]float64, 3*in.Molecule.NAtom())
		for i := range g {
			g[i] = rng.NormFloat64() * 1e-2
		}
		res.Properties.ReturnGradient = g
		res.ReturnResult.Array = g
	default:
		res.ReturnResult.Scalar = energy
	}
	return res, nil
}
