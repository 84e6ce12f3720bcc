package qcengine

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/engine/internal/external"
	"github.com/qcmb-go/qcmb/qcschema"
)

//go:embed driver.py
var driver string

var _ engine.Resident = (*Program)(nil)

// poolMu guards Program.pool of every Program: a zero-value Program makes its pool on
// first use, and copies (PerTask, Resolve) read it.
var poolMu sync.Mutex

// residentPool returns p's pool of resident processes, making it on first use.
func (p *Program) residentPool() *external.Pool {
	poolMu.Lock()
	defer poolMu.Unlock()
	if p.pool == nil {
		p.pool = new(external.Pool)
	}
	return p.pool
}

// PerTask implements engine.Resident: a copy of p that runs every input in a Python
// process of its own.
func (p *Program) PerTask() engine.Program {
	poolMu.Lock()
	q := *p
	poolMu.Unlock()
	q.NoResident = true
	return &q
}

// Close implements engine.Resident: it ends p's resident QCEngine processes (those of the
// programs it resolved included).
func (p *Program) Close() error {
	poolMu.Lock()
	pool := p.pool
	poolMu.Unlock()
	if pool == nil {
		return nil
	}
	return pool.Close()
}

// residentTask is the task line the driver reads.
type residentTask struct {
	Input   json.RawMessage `json:"input"`
	Dir     string          `json:"dir"`
	Program string          `json:"program"`
}

// computeResident runs in (prepared into t) in a resident QCEngine process. An
// *external.StartError says that none could be started: the caller runs the task in a
// process of its own.
func (p *Program) computeResident(ctx context.Context, in *qcschema.AtomicInput, t *task) (*qcschema.AtomicResult, error) {
	n := strconv.Itoa(t.threads)
	spec := &external.Spec{
		Program:  "qcengine",
		Key:      t.python + "\x00" + n,
		Python:   t.python,
		Driver:   driver,
		Env:      append(os.Environ(), "OMP_NUM_THREADS="+n),
		Scratch:  p.Scratch,
		MaxTasks: p.MaxTasks,
		MaxRSS:   p.MaxRSS,
	}
	reply, err := p.residentPool().Call(ctx, spec, func(dir string) ([]byte, error) {
		return json.Marshal(residentTask{Input: t.doc, Dir: dir, Program: t.program})
	})
	var se *external.StartError
	switch {
	case ctx.Err() != nil:
		return nil, fmt.Errorf("qcengine: %w", ctx.Err())
	case err == nil:
		return decodeResult(in, reply)
	case errors.As(err, &se):
		return nil, err
	}
	return nil, qcschema.NewFailedOperation(in, qcschema.ErrorUnknown, "qcengine: "+err.Error())
}
