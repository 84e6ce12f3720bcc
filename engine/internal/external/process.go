package external

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/internal/proctoken"
)

// stderrKeep is how much of a resident process's standard error is kept for messages.
const stderrKeep = 16 << 10

// process is one resident process: its driver reads task lines on standard input and
// answers each with one line on standard output.
type process struct {
	program, key string
	gen, tasks   int
	pid          int
	cmd          *exec.Cmd
	token        string // TokenEnv mark of the process and everything it starts
	root         string // scratch root, removed when the process ends
	stdin        *os.File
	stdout       *os.File
	lines        chan []byte   // output lines; closed at the end of output
	exited       chan struct{} // closed at the end of output
	quit         chan struct{} // closed by stop: the reader may give up
	stderr       *ring

	stopOnce sync.Once
	waitErr  error // how the process ended, once stopped
}

// protocolError says that the process ended, or wrote something that is no answer, during a
// task: the process is replaced and the task run again.
type protocolError struct {
	err   error
	ended bool // the process ended; else it wrote no answer
}

func (e *protocolError) Error() string { return e.err.Error() }

// startProcess starts a process of spec and waits until its driver is ready, reporting the
// start-up to ctx's engine.Trace.
func startProcess(ctx context.Context, spec *Spec, gen int) (*process, error) {
	requested := time.Now()
	fail := func(err error, stderr string) error {
		return &StartError{Program: spec.Program, Err: err, Stderr: stderr}
	}
	root, err := ScratchDir(spec.Scratch, spec.Program+"-resident")
	if err != nil {
		return nil, fail(err, "")
	}
	driver := filepath.Join(root, "qcmb_driver.py")
	source := driverCommon + "\n\n" + spec.Driver + "\n\n_serve(setup, handle, globals().get(\"prepare\"))\n"
	if err := os.WriteFile(driver, []byte(source), 0o600); err != nil {
		removeAll(root)
		return nil, fail(err, "")
	}
	proc := &process{program: spec.Program, key: spec.Key, gen: gen, root: root, token: proctoken.New(),
		lines: make(chan []byte), exited: make(chan struct{}), quit: make(chan struct{}), stderr: newRing(stderrKeep)}
	if err := proc.start(spec, driver); err != nil {
		removeAll(root)
		return nil, fail(err, "")
	}
	select {
	case line, ok := <-proc.lines:
		var ready struct {
			Ready json.RawMessage `json:"ready"`
		}
		if ok && json.Unmarshal(line, &ready) == nil && ready.Ready != nil {
			engine.ReportProcessStarted(ctx, engine.ProcessStart{Program: spec.Program, Pid: proc.pid, Requested: requested, Ready: time.Now()})
			return proc, nil
		}
		proc.stop(ctx)
		if !ok {
			return nil, fail(fmt.Errorf("exited before it was ready (%v)", proc.waitErr), proc.stderrTail())
		}
		return nil, fail(fmt.Errorf("answered %q instead of a ready line", tail(string(line), 200)), proc.stderrTail())
	case <-ctx.Done():
		proc.stop(ctx)
		return nil, ctx.Err()
	}
}

// start starts the driver with its pipes and their reader goroutines.
func (proc *process) start(spec *Spec, driver string) error {
	env := spec.Env
	if env == nil {
		env = os.Environ()
	}
	cmd := exec.Command(spec.Python, driver, proc.root)
	cmd.Dir = proc.root
	cmd.Env = append(env[:len(env):len(env)], TokenEnv+"="+proc.token)
	isolate(cmd)
	inR, inW, err := os.Pipe()
	if err != nil {
		return err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		closeAll(inR, inW)
		return err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		closeAll(inR, inW, outR, outW)
		return err
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, errW
	if err := cmd.Start(); err != nil {
		closeAll(inR, inW, outR, outW, errR, errW)
		return err
	}
	closeAll(inR, outW, errW)
	proc.cmd, proc.pid, proc.stdin, proc.stdout = cmd, cmd.Process.Pid, inW, outR
	go proc.readLines(outR)
	go func() {
		_, _ = io.Copy(proc.stderr, errR)
		errR.Close()
	}()
	return nil
}

func closeAll(files ...*os.File) {
	for _, f := range files {
		f.Close()
	}
}

// readLines hands the process's output lines to the task waiting for them.
func (proc *process) readLines(r io.Reader) {
	defer close(proc.exited)
	defer close(proc.lines)
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		line, err := br.ReadBytes('\n')
		if line = bytes.TrimSpace(line); len(line) > 0 {
			select {
			case proc.lines <- line:
			case <-proc.quit:
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// call runs one task: a scratch directory, the task line, and the answer.
func (proc *process) call(ctx context.Context, request func(dir string) ([]byte, error)) ([]byte, error) {
	dir, err := os.MkdirTemp(proc.root, "task-")
	if err != nil {
		return nil, err
	}
	defer removeAll(dir)
	line, err := request(dir)
	if err != nil {
		return nil, err
	}
	line = append(line[:len(line):len(line)], '\n')
	// The write may wait for the driver to read: not in this goroutine, which must be free
	// to give up when ctx ends (then the process is killed and the write fails).
	go func() { _, _ = proc.stdin.Write(line) }()
	select {
	case answer, ok := <-proc.lines:
		if !ok {
			return nil, &protocolError{err: errors.New("the process ended"), ended: true}
		}
		return proc.reply(ctx, answer)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// reply decodes the driver's answer line, reporting the task's processor time.
func (proc *process) reply(ctx context.Context, answer []byte) ([]byte, error) {
	var a struct {
		Reply json.RawMessage `json:"reply"`
		Error *string         `json:"error"`
		Lost  bool            `json:"lost"`
		CPU   float64         `json:"cpu_seconds"`
	}
	if err := json.Unmarshal(answer, &a); err != nil || (a.Reply == nil && a.Error == nil) {
		return nil, &protocolError{err: fmt.Errorf("unreadable answer %q", tail(string(answer), 200))}
	}
	if a.CPU > 0 && a.CPU < 1e9 {
		engine.ReportProcessCPU(ctx, time.Duration(a.CPU*float64(time.Second)))
	}
	if a.Error != nil {
		return nil, &DriverError{Program: proc.program, Traceback: *a.Error, Lost: a.Lost}
	}
	return a.Reply, nil
}

// closeInput closes the process's input: an idle driver then removes its root and exits.
func (proc *process) closeInput() { proc.stdin.Close() }

// stop kills the process, its process group and every process marked with its token, waits
// for it, reports its processor time to ctx's engine.Trace (getrusage now counts it) and
// removes its scratch root. It may be called more than once.
func (proc *process) stop(ctx context.Context) {
	proc.stopOnce.Do(func() {
		close(proc.quit)
		killTree(proc.cmd, proc.token)
		proc.stdin.Close()
		proc.waitErr = proc.cmd.Wait()
		if st := proc.cmd.ProcessState; st != nil {
			engine.ReportProcessEnded(ctx, st.UserTime()+st.SystemTime())
		}
		killTree(proc.cmd, proc.token) // what it started after the first kill
		waitGroupGone(proc.cmd)
		proc.stdout.Close()
		removeAll(proc.root)
	})
}

func (proc *process) stderrTail() string {
	return tail(string(bytes.TrimSpace(proc.stderr.Bytes())), 4000)
}

// ring keeps the last bytes written to it.
type ring struct {
	mu   sync.Mutex
	max  int
	data []byte
}

func newRing(max int) *ring { return &ring{max: max} }

func (r *ring) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.data = append(r.data, p...)
	if len(r.data) > r.max {
		r.data = append(r.data[:0], r.data[len(r.data)-r.max:]...)
	}
	return len(p), nil
}

func (r *ring) Bytes() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]byte(nil), r.data...)
}
