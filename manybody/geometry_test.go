package manybody

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCoincidentAtomsMatchesBruteForce compares the sorted sweep with the all-pairs check
// on random geometries, some with planted near-coincident pairs.
func TestCoincidentAtomsMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for trial := 0; trial < 300; trial++ {
		n := 2 + rng.IntN(60)
		geom := make([]float64, 3*n)
		for k := range geom {
			geom[k] = 8 * rng.Float64()
		}
		if trial%3 == 0 {
			a, b := rng.IntN(n), rng.IntN(n)
			if a != b {
				for k := 0; k < 3; k++ {
					geom[3*b+k] = geom[3*a+k] + 0.04*(rng.Float64()-0.5)
				}
			}
		}
		want := false
		for i := 0; i < n && !want; i++ {
			for j := i + 1; j < n; j++ {
				dx, dy, dz := geom[3*i]-geom[3*j], geom[3*i+1]-geom[3*j+1], geom[3*i+2]-geom[3*j+2]
				if math.Sqrt(dx*dx+dy*dy+dz*dz) < TooClose {
					want = true
					break
				}
			}
		}
		i, j, d, got := coincidentAtoms(geom)
		require.Equal(t, want, got, "trial %d: coincidentAtoms, want brute force's", trial)
		if got {
			dx, dy, dz := geom[3*i]-geom[3*j], geom[3*i+1]-geom[3*j+1], geom[3*i+2]-geom[3*j+2]
			require.Less(t, i, j, "trial %d: pair (%d, %d) at %v", trial, i, j, d)
			require.Less(t, d, TooClose, "trial %d: pair (%d, %d) at %v", trial, i, j, d)
			require.InDelta(t, math.Sqrt(dx*dx+dy*dy+dz*dz), d, 1e-15, "trial %d: pair (%d, %d) distance", trial, i, j)
		}
	}
}
