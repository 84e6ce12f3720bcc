package optimize

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/qcschema"
)

// lennardJones is the energy and gradient of a Lennard-Jones cluster with well depth eps
// (hartree) and zero-crossing sigma (bohr).
func lennardJones(eps, sigma float64) Func {
	return func(_ context.Context, m *qcschema.Molecule) (float64, []float64, error) {
		x := m.Geometry
		n := len(x) / 3
		g := make([]float64, len(x))
		var e float64
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				var d [3]float64
				var r2 float64
				for a := 0; a < 3; a++ {
					d[a] = x[3*i+a] - x[3*j+a]
					r2 += d[a] * d[a]
				}
				s6 := math.Pow(sigma*sigma/r2, 3)
				e += 4 * eps * (s6*s6 - s6)
				dEdr2 := 4 * eps * (-6*s6*s6 + 3*s6) / r2
				for a := 0; a < 3; a++ {
					g[3*i+a] += 2 * dEdr2 * d[a]
					g[3*j+a] -= 2 * dEdr2 * d[a]
				}
			}
		}
		return e, g, nil
	}
}

func cluster(symbol string, xyz [][3]float64, scale float64, jitter float64, seed uint64) *qcschema.Molecule {
	r := rand.New(rand.NewPCG(seed, 1))
	m := &qcschema.Molecule{}
	for _, p := range xyz {
		m.Symbols = append(m.Symbols, symbol)
		for a := 0; a < 3; a++ {
			m.Geometry = append(m.Geometry, scale*p[a]+jitter*(2*r.Float64()-1))
		}
	}
	return m
}

func icosahedron() [][3]float64 {
	phi := (1 + math.Sqrt(5)) / 2
	out := [][3]float64{{0, 0, 0}}
	for _, s1 := range []float64{-1, 1} {
		for _, s2 := range []float64{-1, 1} {
			out = append(out, [3]float64{0, s1, s2 * phi}, [3]float64{s1, s2 * phi, 0}, [3]float64{s2 * phi, 0, s1})
		}
	}
	// Edge length 2: scale to unit edge.
	for i := range out {
		for a := 0; a < 3; a++ {
			out[i][a] /= 2
		}
	}
	return out
}

func pairDistances(x []float64) []float64 {
	n := len(x) / 3
	var out []float64
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			var r2 float64
			for a := 0; a < 3; a++ {
				d := x[3*i+a] - x[3*j+a]
				r2 += d * d
			}
			out = append(out, math.Sqrt(r2))
		}
	}
	return out
}

func TestOptimizeLennardJones(t *testing.T) {
	const eps, sigma = 0.0004, 6.4 // argon-like, hartree and bohr
	rmin := math.Pow(2, 1.0/6) * sigma
	tests := []struct {
		name    string
		start   *qcschema.Molecule
		energy  float64 // in units of eps: the known global minima
		maxGrad int
	}{
		{"LJ2", cluster("Ar", [][3]float64{{0, 0, 0}, {0, 0, 1.3}}, sigma, 0, 1), -1, 12},
		{"LJ3 triangle", cluster("Ar", [][3]float64{{0, 0, 0}, {1, 0, 0}, {0.5, 0.8, 0}}, rmin, 0.3, 2), -3, 20},
		{"LJ4 tetrahedron", cluster("Ar", [][3]float64{{0, 0, 0}, {1, 0, 0}, {0.5, 0.87, 0}, {0.5, 0.29, 0.82}}, rmin, 0.5, 3), -6, 25},
		{"LJ13 icosahedron", cluster("Ar", icosahedron(), rmin, 0.4, 4), -44.326801, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			crit, err := ConvergenceSet("gau_tight")
			require.NoError(t, err)
			o := Optimizer{Convergence: crit}
			res, err := o.Optimize(context.Background(), lennardJones(eps, sigma), tt.start)
			require.NoError(t, err)
			assert.InDelta(t, tt.energy, res.Energy/eps, 1e-5, "energy in eps")
			assert.LessOrEqual(t, res.Evaluations(), tt.maxGrad, "gradients")
			t.Logf("%s: %d gradients, E = %.8f eps", tt.name, res.Evaluations(), res.Energy/eps)
			p := res.Trajectory[res.Final]
			assert.True(t, p.Accepted, "Trajectory[Final=%d] is accepted", res.Final)
			assert.Equal(t, res.Energy, p.Energy, "Trajectory[Final=%d] is the optimized point", res.Final)
			assert.Same(t, res.Molecule, p.Molecule, "Trajectory[Final=%d] is the optimized point", res.Final)
			// Translation and rotation were projected out: the centroid stays put.
			c0, c1 := centroid(tt.start.Geometry), centroid(res.Molecule.Geometry)
			for a := 0; a < 3; a++ {
				assert.InDelta(t, c0[a], c1[a], 1e-8, "centroid moved from %v to %v", c0, c1)
			}
			if len(tt.start.Symbols) <= 4 {
				for _, r := range pairDistances(res.Molecule.Geometry) {
					assert.InDelta(t, rmin, r, 1e-3, "pair distance in bohr")
				}
			}
		})
	}
}

func centroid(x []float64) [3]float64 {
	var c [3]float64
	n := float64(len(x) / 3)
	for i := 0; i < len(x); i += 3 {
		for a := 0; a < 3; a++ {
			c[a] += x[i+a] / n
		}
	}
	return c
}

func TestOptimizeNotConverged(t *testing.T) {
	start := cluster("Ar", icosahedron(), 7.2, 0.4, 4)
	o := Optimizer{MaxIter: 3}
	_, err := o.Optimize(context.Background(), lennardJones(0.0004, 6.4), start)
	var nc *NotConvergedError
	require.ErrorAs(t, err, &nc)
	require.Len(t, nc.Trajectory, 3, "trajectory")
	assert.NotNil(t, nc.Last.Molecule, "last point")
	assert.Less(t, nc.Last.Energy, nc.Trajectory[0].Energy, "last energy against the first")
}

func TestOptimizeEvaluationError(t *testing.T) {
	boom := errors.New("scf did not converge")
	calls := 0
	g := Func(func(ctx context.Context, m *qcschema.Molecule) (float64, []float64, error) {
		calls++
		if calls == 2 {
			return 0, nil, boom
		}
		return lennardJones(0.0004, 6.4)(ctx, m)
	})
	_, err := (&Optimizer{}).Optimize(context.Background(), g, cluster("Ar", [][3]float64{{0, 0, 0}, {0, 0, 1.5}}, 6.4, 0, 1))
	var ee *EvaluationError
	require.ErrorAs(t, err, &ee)
	require.ErrorIs(t, err, boom)
	require.Len(t, ee.Trajectory, 1, "points before the error")
}

func TestConvergenceSets(t *testing.T) {
	// Measures just inside every threshold of gau; each case then breaks one.
	ok := Measures{DeltaE: 1e-7, MaxForce: 4e-4, RMSForce: 2e-4, MaxDisp: 1e-3, RMSDisp: 1e-3}
	tests := []struct {
		set  string
		m    Measures
		want bool
	}{
		{"gau", ok, true},
		{"", ok, true}, // gau is the default
		{"GAU", Measures{DeltaE: 1, MaxForce: 4e-4, RMSForce: 2e-4, MaxDisp: 1e-3, RMSDisp: 1e-3}, true}, // energy not used
		{"gau", Measures{MaxForce: 5e-4, RMSForce: 2e-4, MaxDisp: 1e-3, RMSDisp: 1e-3}, false},
		{"gau", Measures{MaxForce: 4e-4, RMSForce: 2e-4, MaxDisp: 2e-3, RMSDisp: 1e-3}, false},
		{"gau", Measures{MaxForce: 4e-4, RMSForce: 2e-4, MaxDisp: 1e-3, RMSDisp: 1.3e-3}, false},
		// flat potential: 100 x rms force below the rms force threshold, large steps
		{"gau", Measures{MaxForce: 5e-6, RMSForce: 2.9e-6, MaxDisp: 0.5, RMSDisp: 0.3}, true},
		{"gau", Measures{MaxForce: 5e-6, RMSForce: 3.1e-6, MaxDisp: 0.5, RMSDisp: 0.3}, false},
		{"gau_loose", Measures{MaxForce: 2.4e-3, RMSForce: 1.6e-3, MaxDisp: 9e-3, RMSDisp: 6e-3}, true},
		{"gau_loose", Measures{MaxForce: 2.6e-3, RMSForce: 1.6e-3, MaxDisp: 9e-3, RMSDisp: 6e-3}, false},
		{"gau_tight", Measures{MaxForce: 1.4e-5, RMSForce: 0.9e-5, MaxDisp: 5.9e-5, RMSDisp: 3.9e-5}, true},
		{"gau_tight", Measures{MaxForce: 1.4e-5, RMSForce: 0.9e-5, MaxDisp: 6.1e-5, RMSDisp: 3.9e-5}, false},
		{"gau_verytight", Measures{MaxForce: 1.9e-6, RMSForce: 0.9e-6, MaxDisp: 5.9e-6, RMSDisp: 3.9e-6}, true},
		{"nwchem_loose", Measures{DeltaE: 1, MaxForce: 4.4e-3, RMSForce: 2.9e-3, MaxDisp: 5.3e-3, RMSDisp: 3.5e-3}, true},
		{"nwchem_loose", Measures{MaxForce: 4.4e-3, RMSForce: 2.9e-3, MaxDisp: 5.3e-3, RMSDisp: 3.7e-3}, false},
		// nwchem_loose has no flat-potential escape
		{"nwchem_loose", Measures{MaxForce: 1e-6, RMSForce: 1e-6, MaxDisp: 1, RMSDisp: 1}, false},
		{"interfrag_tight", Measures{DeltaE: 1, MaxForce: 1.4e-5, RMSForce: 0.9e-5, MaxDisp: 5.9e-4, RMSDisp: 3.9e-4}, true},
		{"interfrag_tight", Measures{MaxForce: 1.6e-5, RMSForce: 0.9e-5, MaxDisp: 5.9e-4, RMSDisp: 3.9e-4}, false},
		{"interfrag_tight", Measures{MaxForce: 1e-7, RMSForce: 0.9e-7, MaxDisp: 0.1, RMSDisp: 0.1}, true},
		// qchem: max force and one of energy change or max displacement
		{"qchem", Measures{DeltaE: 0.9e-6, MaxForce: 2.9e-4, RMSForce: 1, MaxDisp: 1}, true},
		{"qchem", Measures{DeltaE: 1, MaxForce: 2.9e-4, RMSForce: 1, MaxDisp: 1.1e-3}, true},
		{"qchem", Measures{DeltaE: 1, MaxForce: 2.9e-4, RMSForce: 1, MaxDisp: 1.3e-3}, false},
		{"qchem", Measures{DeltaE: 0, MaxForce: 3.1e-4, MaxDisp: 0}, false},
		{"molpro", Measures{DeltaE: 1, MaxForce: 2.9e-4, MaxDisp: 3.1e-4}, false},
		{"turbomole", Measures{DeltaE: 0.9e-6, MaxForce: 0.9e-3, RMSForce: 4.9e-4, MaxDisp: 0.9e-3, RMSDisp: 4.9e-4}, true},
		{"turbomole", Measures{DeltaE: 1.1e-6, MaxForce: 0.9e-3, RMSForce: 4.9e-4, MaxDisp: 0.9e-3, RMSDisp: 4.9e-4}, false},
		{"cfour", Measures{DeltaE: 1, MaxForce: 1, RMSForce: 0.9e-4, MaxDisp: 1, RMSDisp: 1}, true},
		{"cfour", Measures{RMSForce: 1.1e-4}, false},
		// The first point has no energy change.
		{"turbomole", Measures{DeltaE: math.Inf(1)}, false},
	}
	for _, tt := range tests {
		c, err := ConvergenceSet(tt.set)
		require.NoError(t, err)
		assert.Equal(t, tt.want, c.Met(tt.m), "%s.Met(%+v)", c.Name, tt.m)
	}
	_, err := ConvergenceSet("gau_sloppy")
	assert.Error(t, err, "unknown set accepted")
}
