package waterbox

import (
	"math"
	"testing"

	"github.com/qcmb-go/qcmb/qcschema"
)

// Droplets hold rigid waters at liquid-like distances: OH bonds of 0.9572 Å, no two
// oxygens closer than the lattice spacing minus twice the jitter.
func TestDroplet(t *testing.T) {
	for _, n := range []int{1, 32, 300} {
		m := Droplet(n, 1)
		if len(m.Fragments) != n || len(m.Symbols) != 3*n {
			t.Fatalf("n=%d: %d fragments, %d atoms", n, len(m.Fragments), len(m.Symbols))
		}
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
				if r := d(o, at(h)); math.Abs(r-rOH) > 1e-9 {
					t.Fatalf("water %d: OH %v Å", w, r)
				}
			}
			for v := 0; v < w; v++ {
				closest = math.Min(closest, d(o, at(3*v)))
			}
		}
		if n > 1 && closest < Spacing-2*math.Sqrt(3)*jitter {
			t.Errorf("n=%d: oxygens %v Å apart", n, closest)
		}
		again := Droplet(n, 1)
		for i := range m.Geometry {
			if m.Geometry[i] != again.Geometry[i] {
				t.Fatalf("n=%d: not reproducible", n)
			}
		}
	}
}
