package computer

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/qcschema"
)

// ProgramError says, before any task runs, that the program a model chemistry names
// cannot run that model chemistry's tasks: it is unknown, not available on this machine, or
// cannot compute the driver, method, basis or keywords asked.
type ProgramError struct {
	// MC is the model chemistry; Program the program its specification names.
	MC, Program string
	Err         error
}

func (e *ProgramError) Error() string {
	return fmt.Sprintf("model chemistry %s (program %s): %v", qcschema.Quote(e.MC), qcschema.Quote(e.Program), e.Err)
}

func (e *ProgramError) Unwrap() error { return e.Err }

// Check asks, before any work, the program of every model chemistry of p whether it is
// registered (or run by a bridge such as QCEngine), available here, and able to compute the
// driver, method, basis and keywords asked for the atoms of the whole molecule (see
// engine.Checker). It returns nil or the *ProgramError of every model chemistry that cannot
// run, joined, so that one bad basis is one error before the run, not one failure per task
// after it.
func Check(ctx context.Context, p *Prepared) error {
	specs := p.Input.Specification.Specification
	mcs := make([]string, 0, len(specs))
	used := map[string]bool{}
	for _, t := range p.Plan.Tasks {
		if !used[t.MC] {
			used[t.MC] = true
			mcs = append(mcs, t.MC)
		}
	}
	sort.Strings(mcs)
	var errs []error
	for _, mc := range mcs {
		spec := specs[mc]
		if err := checkSpec(ctx, p, spec); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			errs = append(errs, &ProgramError{MC: mc, Program: programName(spec.Program), Err: err})
		}
	}
	return errors.Join(errs...)
}

func checkSpec(ctx context.Context, p *Prepared, spec qcschema.AtomicSpecification) error {
	prog, _, err := engine.Availability(ctx, programName(spec.Program))
	if err != nil {
		return err
	}
	// The whole molecule, all atoms real, stands for every task of the model chemistry:
	// each task's atoms are a subset of it.
	in := &qcschema.AtomicInput{
		SchemaName: qcschema.SchemaInput, SchemaVersion: 1,
		Molecule: p.Input.Molecule, Driver: driverOf(p.Input), Model: spec.Model,
		Keywords: spec.Keywords, Protocols: spec.Protocols, Extras: spec.Extras,
	}
	return engine.Check(ctx, prog, in)
}

// programName is the registry name a specification's program field stands for.
func programName(p string) string {
	if p == "" {
		return executor.DefaultProgram
	}
	return p
}
