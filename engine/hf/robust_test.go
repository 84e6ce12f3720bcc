package hf

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/qcmb-go/qcmb/qcschema"
)

// TestNumericalFailures checks that numerical failures come back as
// *SCFError values carrying the iteration history, from every driver.
func TestNumericalFailures(t *testing.T) {
	ghostOnO := append(water(), Atom{Z: 8, Pos: water()[0].Pos, Ghost: true})
	cases := []struct {
		name    string
		atoms   []Atom
		opt     Options
		reason  SCFFailure
		history int
	}{
		{"ghost on a nucleus", ghostOnO, Options{Method: "hf", Basis: "sto-3g"}, SCFSingularOverlap, 0},
		{"ghost on a nucleus mp2", ghostOnO, Options{Method: "mp2", Basis: "6-31g"}, SCFSingularOverlap, 0},
		{"maxiter 2", water(), Options{Method: "hf", Basis: "6-31g", MaxIter: 2}, SCFNotConverged, 2},
		{"maxiter 2 mp2 uhf", water(), Options{Method: "mp2", Basis: "sto-3g", Reference: "uhf", MaxIter: 2}, SCFNotConverged, 2},
	}
	drivers := map[string]func(context.Context, []Atom, Options) (*Result, error){"energy": Energy, "gradient": Gradient}
	for _, c := range cases {
		for dn, f := range drivers {
			t.Run(c.name+"/"+dn, func(t *testing.T) {
				_, err := f(context.Background(), c.atoms, c.opt)
				var se *SCFError
				if !errors.As(err, &se) {
					t.Fatalf("want *SCFError, got %T %v", err, err)
				}
				if se.Reason != c.reason || len(se.History) != c.history {
					t.Fatalf("reason %q with %d iterations, want %q with %d", se.Reason, len(se.History), c.reason, c.history)
				}
				for i, it := range se.History {
					if it.Iteration != i+1 || math.IsNaN(it.Energy) || it.Energy > -70 || it.OrbitalGradient <= 0 {
						t.Errorf("iteration %d: %+v", i, it)
					}
					if i > 0 && math.Abs(it.DeltaE-(it.Energy-se.History[i-1].Energy)) > 1e-12 {
						t.Errorf("iteration %d: dE %g is not the energy change", i, it.DeltaE)
					}
				}
			})
		}
	}
}

func TestSingularBasisInput(t *testing.T) {
	in := &qcschema.AtomicInput{
		Molecule: qcschema.Molecule{Symbols: []string{"O", "H", "H", "O"},
			Geometry: []float64{0, 0, -0.13, 0, -1.49, 1.03, 0, 1.49, 1.03, 0, 0, -0.13},
			Real:     []bool{true, true, true, false}},
		Driver: qcschema.DriverGradient,
		Model:  qcschema.Model{Method: "mp2", Basis: "6-31g"},
	}
	_, err := Compute(context.Background(), in)
	var fo *qcschema.FailedOperation
	if !errors.As(err, &fo) {
		t.Fatalf("want FailedOperation, got %T %v", err, err)
	}
	if fo.ComputeError.ErrorType != qcschema.ErrorInput || !strings.Contains(fo.ComputeError.ErrorMessage, "singular overlap") {
		t.Errorf("got %s: %s", fo.ComputeError.ErrorType, fo.ComputeError.ErrorMessage)
	}
}

func TestWorkerPanicIsAnError(t *testing.T) {
	for _, threads := range []int{1, 3} {
		done := make([]bool, 40)
		err := parallelFor(threads, len(done), func(_, c int) {
			if c == 5 {
				var m map[string]int
				m["x"]++ // a nil-map write: a runtime panic
			}
			done[c] = true
		})
		var pe *WorkerPanicError
		if !errors.As(err, &pe) || len(pe.Stack) == 0 || !strings.Contains(pe.Error(), "nil map") {
			t.Fatalf("threads %d: got %T %v", threads, err, err)
		}
		if done[5] {
			t.Errorf("threads %d: the panicking chunk completed", threads)
		}
	}
	if err := parallelFor(2, 10, func(_, _ int) {}); err != nil {
		t.Errorf("no panic: %v", err)
	}
}
