package computer_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/qcschema"
)

const misspeltProgram = "manybody-test-misspelt"

// misspeltCalls counts the tasks misspeltProgram was given.
var misspeltCalls atomic.Int64

// misspeltCompute fails every task as Psi4 fails with a basis set it does not have: an
// input error naming the task's own scratch directory. keywords {"ok": label} makes that
// task succeed, {"vary": true} gives every task a message of its own.
func misspeltCompute(ctx context.Context, in *qcschema.AtomicInput) (*qcschema.AtomicResult, error) {
	n := misspeltCalls.Add(1)
	if ok, _ := in.Keywords["ok"].(string); ok == in.ID {
		return fakeCompute(ctx, in)
	}
	msg := fmt.Sprintf("BasisSetNotFound: no basis for key BASIS among:\n  File Path: /tmp/scratch-%d/task-%d, /usr/share/psi4/basis", n, 7*n)
	if vary, _ := in.Keywords["vary"].(bool); vary {
		msg = fmt.Sprintf("SCF failed at iteration %d", n)
	}
	return nil, qcschema.NewFailedOperation(in, qcschema.ErrorInput, msg)
}

func init() {
	engine.Register(misspeltProgram, engine.ProgramFunc(misspeltCompute))
}

// TestRepeatedInputErrorStopsTheRun: when the first tasks of a model chemistry fail with
// the same input error (paths aside) the run stops after three of them and says it once;
// a task of it that succeeded, or failures that differ, let the run go on.
func TestRepeatedInputErrorStopsTheRun(t *testing.T) {
	in := water4Input(t)
	in.Specification.Keywords.BsseType = qcschema.BsseList{qcschema.BsseNoCP}
	run := func(keywords map[string]any) (int64, error) {
		in.Specification.Specification = map[string]qcschema.AtomicSpecification{
			"(auto)": {Program: misspeltProgram, Model: qcschema.Model{Method: "hf", Basis: "6-31q"}, Keywords: keywords},
		}
		misspeltCalls.Store(0)
		comp := &computer.Computer{Executor: executor.NewSerial(executor.Options{})}
		_, err := comp.Compute(context.Background(), in)
		return misspeltCalls.Load(), err
	}

	calls, err := run(nil)
	var repeated *computer.RepeatedInputError
	require.ErrorAs(t, err, &repeated)
	assert.Equal(t, int64(3), calls, "stopped after three of the 15 tasks")
	assert.Equal(t, "(auto)", repeated.MC)
	assert.Equal(t, 3, repeated.Tasks)
	var re *computer.RunError
	require.ErrorAs(t, err, &re)
	assert.Len(t, re.Failed, 3)
	assert.Equal(t, 1, strings.Count(err.Error(), "BasisSetNotFound"), "said once: %v", err)
	assert.Contains(t, err.Error(), `model chemistry "(auto)": its first 3 tasks failed with the same input error, so the run stopped: input_error: BasisSetNotFound`)

	// A task that succeeded first: the failures are the tasks' own, the run goes on.
	calls, err = run(map[string]any{"ok": `["(auto)", [1], [1]]`})
	require.ErrorAs(t, err, &re)
	assert.NotErrorAs(t, err, &repeated)
	assert.Equal(t, int64(15), calls)
	assert.Equal(t, 14, len(re.Failed))

	// Different errors: the run goes on.
	calls, err = run(map[string]any{"vary": true})
	require.ErrorAs(t, err, &re)
	assert.NotErrorAs(t, err, &repeated)
	assert.Equal(t, int64(15), calls)
}
