package psi4

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/engine/internal/external"
	"github.com/qcmb-go/qcmb/qcschema"
)

//go:embed driver.py
var driver string

var _ engine.Resident = (*Program)(nil)

// PerTask implements engine.Resident: a copy of p that runs every input in a Psi4 process
// of its own.
func (p *Program) PerTask() engine.Program {
	q := external.Copy(p)
	q.NoResident = true
	return &q
}

// residentTask is the task line the driver reads.
type residentTask struct {
	Input    json.RawMessage        `json:"input"`
	Dir      string                 `json:"dir"`
	NThreads int                    `json:"nthreads"`
	Charges  []qcschema.PointCharge `json:"charges,omitempty"`
	QCSchema bool                   `json:"qcschema"` // Psi4 >= 1.4: schema_wrapper.run_qcschema
}

// computeResident runs in (checked into t) in a resident Psi4 process. An
// *external.StartError says that none could be started: the caller runs the task in a
// process of its own.
func (p *Program) computeResident(ctx context.Context, in *qcschema.AtomicInput, t *task) (*qcschema.AtomicResult, error) {
	spec, err := p.residentSpec(ctx, t)
	if err != nil {
		return nil, err
	}
	var docErr error
	reply, err := p.Pool().Call(ctx, spec, func(dir string) ([]byte, error) {
		doc, err := buildDocument(in, t.ver, t.charges, p.Memory, dir)
		if err != nil {
			docErr = err
			return nil, err
		}
		return json.Marshal(residentTask{Input: doc, Dir: dir, NThreads: t.nthreads, QCSchema: t.ver.atLeast(1, 4),
			Charges: t.charges13()})
	})
	var se *external.StartError
	switch {
	case ctx.Err() != nil:
		return nil, fmt.Errorf("psi4: %w", ctx.Err())
	case err == nil:
		return result(in, t.ver, ran{doc: reply})
	case errors.As(err, &se):
		return nil, err
	case docErr != nil:
		return nil, qcschema.NewFailedOperation(in, qcschema.ErrorInput, "psi4: "+docErr.Error())
	}
	return nil, qcschema.NewFailedOperation(in, qcschema.ErrorUnknown, "psi4: "+err.Error())
}

// charges13 are the embedding charges the driver installs as Psi4 1.3's EXTERN potential;
// later versions take them in the document's keywords.
func (t *task) charges13() []qcschema.PointCharge {
	if t.ver.atLeast(1, 4) {
		return nil
	}
	return t.charges
}

// residentSpec says how to start resident processes for t: the Python that the psi4
// command runs with the Python path it gives, and t's thread count in the environment (so
// processes are interchangeable only for tasks of the same thread count, and numerical
// libraries start as under `psi4 -n N`).
func (p *Program) residentSpec(ctx context.Context, t *task) (*external.Spec, error) {
	py, err := interpreterOf(ctx, t.path)
	if err != nil {
		return nil, &external.StartError{Program: "psi4", Err: err}
	}
	n := strconv.Itoa(t.nthreads)
	env := append(py.environ(), "OMP_NUM_THREADS="+n, "MKL_NUM_THREADS="+n)
	return &external.Spec{
		Program:  "psi4",
		Key:      t.path + "\x00" + n,
		Python:   py.python,
		Driver:   driver,
		Env:      env,
		Scratch:  p.Scratch,
		MaxTasks: p.MaxTasks,
		MaxRSS:   p.MaxRSS,
	}, nil
}

// interpreter is the Python that runs a psi4 command and the Python path it needs.
type interpreter struct {
	python, path string
}

// environ is this process's environment with the Python path that imports psi4 first.
func (py interpreter) environ() []string {
	env := os.Environ()
	if py.path != "" {
		path := py.path
		if old := os.Getenv("PYTHONPATH"); old != "" {
			path += string(os.PathListSeparator) + old
		}
		env = append(env, "PYTHONPATH="+path)
	}
	return env
}

// interpreters caches interpreterOf per psi4 command path. Failures are not cached.
var interpreters struct {
	sync.Mutex
	m map[string]interpreter
}

// interpreterOf finds the Python interpreter that the psi4 command at path (a Python
// script) runs with, from its #! line, and the Python path that makes `import psi4` work
// there, from `psi4 --psiapi-path`.
func interpreterOf(ctx context.Context, path string) (interpreter, error) {
	interpreters.Lock()
	py, ok := interpreters.m[path]
	interpreters.Unlock()
	if ok {
		return py, nil
	}
	python, err := shebang(path)
	if err != nil {
		return interpreter{}, err
	}
	if !strings.HasPrefix(filepath.Base(python), "python") {
		return interpreter{}, fmt.Errorf("%s runs with %s, not Python", path, python)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	stdout, stderr, err := external.Run(ctx, path, []string{"--psiapi-path"}, "", nil)
	if err != nil {
		return interpreter{}, fmt.Errorf("%s --psiapi-path: %v: %s", path, err, tail(string(stderr), 500))
	}
	py = interpreter{python: python, path: pythonPath(string(stdout))}
	interpreters.Lock()
	if interpreters.m == nil {
		interpreters.m = map[string]interpreter{}
	}
	interpreters.m[path] = py
	interpreters.Unlock()
	return py, nil
}

// shebang returns the interpreter that the #! line of the script at path names: its
// first word, or for "/usr/bin/env [options] NAME" NAME looked up in PATH.
func shebang(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	rest, ok := strings.CutPrefix(line, "#!")
	if !ok {
		return "", fmt.Errorf("%s is not a script (no #! line): the interpreter it runs is unknown", path)
	}
	words := strings.Fields(rest)
	if len(words) == 0 {
		return "", fmt.Errorf("%s: empty #! line", path)
	}
	if filepath.Base(words[0]) != "env" {
		return words[0], nil
	}
	for _, w := range words[1:] {
		if strings.HasPrefix(w, "-") || strings.Contains(w, "=") {
			continue // env's options and variable settings
		}
		return exec.LookPath(w)
	}
	return "", fmt.Errorf("%s: #! line %q names no interpreter", path, strings.TrimSpace(line))
}

// pythonPath reads the PYTHONPATH that `psi4 --psiapi-path` prints
// ("export PYTHONPATH=DIR:$PYTHONPATH"), without the reference to the old value.
func pythonPath(out string) string {
	for _, line := range strings.Split(out, "\n") {
		_, v, ok := strings.Cut(line, "PYTHONPATH=")
		if !ok {
			continue
		}
		v = strings.Trim(strings.TrimSpace(v), `"'`)
		var keep []string
		for _, dir := range filepath.SplitList(v) {
			if dir != "" && !strings.Contains(dir, "$") {
				keep = append(keep, dir)
			}
		}
		return strings.Join(keep, string(os.PathListSeparator))
	}
	return ""
}
