package waterbox

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/qcschema"
)

// Droplets hold rigid waters at liquid-like distances: OH bonds of 0.9572 Å, no two
// oxygens closer than the lattice spacing minus twice the jitter.
func TestDroplet(t *testing.T) {
	for _, n := range []int{1, 32, 300} {
		m := Droplet(n, 1)
		require.Len(t, m.Fragments, n, "n=%d: fragments", n)
		require.Len(t, m.Symbols, 3*n, "n=%d: atoms", n)
		at := func(i int) [3]float64 {
			g := m.Geometry[3*i : 3*i+3]
			return [3]float64{g[0] * qcschema.AngstromPerBohr, g[1] * qcschema.AngstromPerBohr, g[2] * qcschema.AngstromPerBohr}
		}
		d := func(a, b [3]float64) float64 {
			return math.Sqrt((a[0]-b[0])*(a[0]-b[0]) + (a[1]-b[1])*(a[1]-b[1]) + (a[2]-b[2])*(a[2]-b[2]))
		}
		closest := math.Inf(1)
		for w := 0; w < n; w++ {
			o := at(3 * w)
			for _, h := range []int{3*w + 1, 3*w + 2} {
				require.InDelta(t, rOH, d(o, at(h)), 1e-9, "n=%d: water %d: OH in Å", n, w)
			}
			for v := 0; v < w; v++ {
				closest = math.Min(closest, d(o, at(3*v)))
			}
		}
		if n > 1 {
			assert.GreaterOrEqual(t, closest, Spacing-2*math.Sqrt(3)*jitter, "n=%d: closest oxygens in Å", n)
		}
		again := Droplet(n, 1)
		require.Equal(t, m.Geometry, again.Geometry, "n=%d: not reproducible", n)
	}
}
