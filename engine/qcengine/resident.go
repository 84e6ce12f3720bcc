package qcengine

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/engine/internal/external"
	"github.com/qcmb-go/qcmb/qcschema"
)

//go:embed driver.py
var driver string

var _ engine.Resident = (*Program)(nil)

// PerTask implements engine.Resident: a copy of p that runs every input in a Python
// process of its own.
func (p *Program) PerTask() engine.Program {
	q := external.Copy(p)
	q.NoResident = true
	return &q
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
	reply, err := p.Pool().Call(ctx, spec, func(dir string) ([]byte, error) {
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
