package computer_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

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
			if err != nil {
				t.Fatal(err)
			}
			flag := filepath.Join(t.TempDir(), "go-ahead")
			bad := p.Tasks[len(p.Tasks)-1].ID
			for mc, s := range in.Specification.Specification {
				s.Program = flakyProgram
				s.Keywords = map[string]any{"fail_until": flag, "fail_task": bad}
				in.Specification.Specification[mc] = s
			}
			n := len(p.Tasks)

			s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "results.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			run := func() (*qcschema.ManyBodyResult, *stats.Report, error) {
				rec := stats.NewRecorder()
				res, err := (&computer.Computer{Executor: ex, Store: s, Stats: rec}).Compute(context.Background(), in)
				return res, rec.Report(0), err
			}

			_, rep, err := run()
			var re *computer.RunError
			if !errors.As(err, &re) || len(re.Failed) != 1 || re.Failed[0].ID != bad {
				t.Fatalf("first run: error %v, want a RunError naming %s", err, bad)
			}
			if rep.Tasks != n || rep.Reused != 0 || rep.Failed != 1 {
				t.Fatalf("first run: %d tasks, %d reused, %d failed", rep.Tasks, rep.Reused, rep.Failed)
			}

			if err := os.WriteFile(flag, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			want, err := (&computer.Computer{Executor: ex}).Compute(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			for i, wantReused := range []int{n - 1, n} {
				res, rep, err := run()
				if err != nil {
					t.Fatalf("rerun %d: %v", i+1, err)
				}
				if rep.Reused != wantReused || rep.Tasks != n-wantReused || rep.Computed != n-wantReused {
					t.Fatalf("rerun %d: %d reused, %d run, %d computed; want %d reused", i+1, rep.Reused, rep.Tasks, rep.Computed, wantReused)
				}
				if resultJSON(t, res) != resultJSON(t, want) {
					t.Fatalf("rerun %d: result differs from an uninterrupted run", i+1)
				}
				if len(res.ReturnResult.Array) != 27 {
					t.Fatalf("rerun %d: gradient of %d numbers, want 27", i+1, len(res.ReturnResult.Array))
				}
			}

			runs, err := s.Runs(context.Background(), p.InputHash())
			if err != nil {
				t.Fatal(err)
			}
			want3 := []store.Run{
				{Status: store.RunFailed, Tasks: n, Computed: n - 1, Failed: 1},
				{Status: store.RunSucceeded, Tasks: n, Reused: n - 1, Computed: 1},
				{Status: store.RunSucceeded, Tasks: n, Reused: n},
			}
			if len(runs) != 3 {
				t.Fatalf("%d runs recorded, want 3", len(runs))
			}
			for i, r := range runs {
				w := want3[i]
				if r.Status != w.Status || r.Tasks != w.Tasks || r.Reused != w.Reused || r.Computed != w.Computed || r.Failed != w.Failed || r.End.Before(r.Start) {
					t.Errorf("run %d: %+v, want %+v", i+1, r, w)
				}
			}
		})
	}
}
