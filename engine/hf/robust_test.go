package hf

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
				require.ErrorAs(t, err, &se)
				require.Equal(t, c.reason, se.Reason, "reason")
				require.Len(t, se.History, c.history, "iterations")
				for i, it := range se.History {
					assert.Equal(t, i+1, it.Iteration, "iteration %d: %+v", i, it)
					assert.False(t, math.IsNaN(it.Energy), "iteration %d: %+v", i, it)
					assert.LessOrEqual(t, it.Energy, -70.0, "iteration %d: %+v", i, it)
					assert.Positive(t, it.OrbitalGradient, "iteration %d: %+v", i, it)
					if i > 0 {
						assert.InDelta(t, it.Energy-se.History[i-1].Energy, it.DeltaE, 1e-12, "iteration %d: dE is not the energy change", i)
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
	require.ErrorAs(t, err, &fo)
	assert.Equal(t, qcschema.ErrorInput, fo.ComputeError.ErrorType, fo.ComputeError.ErrorMessage)
	assert.Contains(t, fo.ComputeError.ErrorMessage, "singular overlap")
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
		require.ErrorAs(t, err, &pe, "threads %d", threads)
		require.NotEmpty(t, pe.Stack, "threads %d: stack", threads)
		require.Contains(t, pe.Error(), "nil map", "threads %d", threads)
		assert.False(t, done[5], "threads %d: the panicking chunk completed", threads)
	}
	assert.NoError(t, parallelFor(2, 10, func(_, _ int) {}), "no panic")
}
