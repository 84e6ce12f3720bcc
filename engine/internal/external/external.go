// Package external runs the external programs that engines drive, each in a private
// scratch directory and in a process group of its own, so that cancelling the context
// ends the program and every process it started: once per task (Run), or in resident
// processes kept between tasks (Pool, Residence: a Python driver, driver.py, that imports
// the program once and runs each task in a child it forks).
package external

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/qcmb-go/qcmb/internal/proctoken"
)

// waitDelay bounds how long Run waits for output pipes after the program and what it left
// running were killed: a process that escaped both may hold them open.
const waitDelay = 5 * time.Second

// TokenEnv is the environment variable that marks every process of one Run: processes
// inherit it, so descendants that left the program's process group, or were orphaned, are
// still found (on Linux) when the run ends.
const TokenEnv = "QCMB_RUN_TOKEN"

// Run runs name with args in dir (a scratch directory of its own, removed afterwards, if
// empty: "psi4 --version" writes timer.dat where it runs, which must not be the user's
// directory) and env (the current environment if nil), in its own process group, and kills the whole group when ctx is done:
// quantum chemistry programs are often scripts that start threads and child processes. When
// the program ends, for any reason, every process it started that is still running is
// killed too, including those in process groups of their own (on Linux, by the TokenEnv
// mark). It returns the captured standard output and error and the error of cmd.Wait.
func Run(ctx context.Context, name string, args []string, dir string, env []string) (stdout, stderr []byte, err error) {
	if env == nil {
		env = os.Environ()
	}
	if dir == "" {
		scratch, err := ScratchDir("", filepath.Base(name))
		if err != nil {
			return nil, nil, err
		}
		defer removeAll(scratch)
		dir = scratch
	}
	token := proctoken.New()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(env[:len(env):len(env)], TokenEnv+"="+token)
	isolate(cmd)
	cmd.Cancel = func() error {
		killTree(cmd, token)
		return nil
	}
	// Own pipes rather than exec's copiers: Wait then returns when the program exits, even
	// if something it left behind holds the pipes, and that something is killed next.
	var out, errb capture
	if cmd.Stdout, err = out.start(); err != nil {
		return nil, nil, err
	}
	defer out.close()
	if cmd.Stderr, err = errb.start(); err != nil {
		return nil, nil, err
	}
	defer errb.close()
	if err = cmd.Start(); err != nil {
		return nil, nil, err
	}
	out.w.Close()
	errb.w.Close()
	err = cmd.Wait()
	// The program is gone; whatever it left running goes with it.
	killTree(cmd, token)
	deadline := time.NewTimer(waitDelay)
	defer deadline.Stop()
	return out.wait(deadline.C), errb.wait(deadline.C), err
}

// capture collects what a program writes to one pipe.
type capture struct {
	r, w *os.File
	buf  bytes.Buffer
	done chan struct{}
}

func (c *capture) start() (*os.File, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	c.r, c.w, c.done = r, w, make(chan struct{})
	go func() {
		defer close(c.done)
		_, _ = c.buf.ReadFrom(r)
	}()
	return w, nil
}

// wait returns the output once the pipe is closed by every writer, or what there is when
// deadline fires.
func (c *capture) wait(deadline <-chan time.Time) []byte {
	select {
	case <-c.done:
	case <-deadline:
		c.r.Close()
		<-c.done
	}
	return c.buf.Bytes()
}

func (c *capture) close() {
	c.w.Close()
	c.r.Close()
	if c.done != nil {
		<-c.done
	}
}

// ScratchDir makes a private directory for one calculation of program under parent
// (os.TempDir() if empty). The caller removes it with os.RemoveAll when done.
func ScratchDir(parent, program string) (string, error) {
	if parent == "" {
		parent = os.TempDir()
	}
	return os.MkdirTemp(parent, "qcmb-"+program+"-")
}
