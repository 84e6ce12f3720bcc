package computer_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/executor/store"
	"github.com/qcmb-go/qcmb/executor/store/sqlite"
	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/qcschema"
	"github.com/qcmb-go/qcmb/stats"
)

// flakyProgram is fakeCompute, except that the task named by keywords["fail_task"] fails
// until the file keywords["fail_until"] exists: a failure that a later run gets past with
// the very same input.
const flakyProgram = "manybody-test-flaky"

func init() {
	engine.Register(flakyProgram, engine.ProgramFunc(func(ctx context.Context, in *qcschema.AtomicInput) (*qcschema.AtomicResult, error) {
		path, _ := in.Keywords["fail_until"].(string)
		if task, _ := in.Keywords["fail_task"].(string); task == in.ID {
			if _, err := os.Stat(path); err != nil {
				return nil, qcschema.NewFailedOperation(in, qcschema.ErrorRandom, "not yet: "+path+" is missing")
			}
		}
		return fakeCompute(ctx, in)
	}))
}

// TestComputerResumesFromStore: a run with a failed task keeps every other result in the
// store; the rerun of the same input computes only the failed task and gives the result
// of an uninterrupted run, bit for bit; a third run computes nothing.
func TestComputerResumesFromStore(t *testing.T) {
	for name, ex := range executors(t) {
		t.Run(name, func(t *testing.T) {
			in := vectorInput(t, "../../testdata/manybody/h2o_trimer_single_gradient_1.json")
			in.Specification.Protocols.ComponentResults = "all"
			p, err := computer.Prepare(in)
			require.NoError(t, err)
			flag := filepath.Join(t.TempDir(), "go-ahead")
			bad := p.Tasks[len(p.Tasks)-1].ID
			for mc, s := range in.Specification.Specification {
				s.Program = flakyProgram
				s.Keywords = map[string]any{"fail_until": flag, "fail_task": bad}
				in.Specification.Specification[mc] = s
			}
			n := len(p.Tasks)

			s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "results.db"))
			require.NoError(t, err)
			defer s.Close()
			run := func() (*qcschema.ManyBodyResult, *stats.Report, error) {
				rec := stats.NewRecorder()
				res, err := (&computer.Computer{Executor: ex, Store: s, Stats: rec}).Compute(context.Background(), in)
				return res, rec.Report(0), err
			}

			_, rep, err := run()
			var re *computer.RunError
			require.ErrorAs(t, err, &re, "first run")
			require.Len(t, re.Failed, 1, "first run")
			require.Equal(t, bad, re.Failed[0].ID, "first run: the RunError names the failed task")
			require.Equal(t, [3]int{n, 0, 1}, [3]int{rep.Tasks, rep.Reused, rep.Failed}, "first run: tasks, reused, failed")

			require.NoError(t, os.WriteFile(flag, nil, 0o644))
			want, err := (&computer.Computer{Executor: ex}).Compute(context.Background(), in)
			require.NoError(t, err)
			for i, wantReused := range []int{n - 1, n} {
				res, rep, err := run()
				require.NoError(t, err, "rerun %d", i+1)
				require.Equal(t, [3]int{wantReused, n - wantReused, n - wantReused}, [3]int{rep.Reused, rep.Tasks, rep.Computed}, "rerun %d: reused, run, computed", i+1)
				require.Equal(t, resultJSON(t, want), resultJSON(t, res), "rerun %d: result against an uninterrupted run", i+1)
				require.Len(t, res.ReturnResult.Array, 27, "rerun %d: gradient", i+1)
			}

			runs, err := s.Runs(context.Background(), p.InputHash())
			require.NoError(t, err)
			want3 := []store.Run{
				{Status: store.RunFailed, Tasks: n, Computed: n - 1, Failed: 1},
				{Status: store.RunSucceeded, Tasks: n, Reused: n - 1, Computed: 1},
				{Status: store.RunSucceeded, Tasks: n, Reused: n},
			}
			require.Len(t, runs, 3, "runs recorded")
			for i, r := range runs {
				w := want3[i]
				counts := store.Run{Status: r.Status, Tasks: r.Tasks, Reused: r.Reused, Computed: r.Computed, Failed: r.Failed}
				assert.Equal(t, w, counts, "run %d: status and counts", i+1)
				assert.False(t, r.End.Before(r.Start), "run %d ends before it starts: %+v", i+1, r)
			}
		})
	}
}
