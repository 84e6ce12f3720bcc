package waterbox

import (
	"math"
	"math/rand"
	"sort"

	"github.com/qcmb-go/qcmb/qcschema"
)

const (
	// Spacing is the lattice constant in ångström: one water per 3.1^3 Å^3 is the
	// density of liquid water (0.0334 molecules per Å^3).
	Spacing = 3.1
	// jitter is the largest displacement of an oxygen from its lattice site, ångström.
	jitter = 0.3
	rOH    = 0.9572 // Å
	angHOH = 104.52 * math.Pi / 180
	// orientations is how many random orientations are tried per water.
	orientations = 32
)

// charge holds TIP3P point charges of O, H, H.
var charge = [3]float64{-0.834, 0.417, 0.417}

func dist(a, b [3]float64) float64 {
	return math.Sqrt((a[0]-b[0])*(a[0]-b[0]) + (a[1]-b[1])*(a[1]-b[1]) + (a[2]-b[2])*(a[2]-b[2]))
}

// Droplet returns n waters (O, H, H; geometry in bohr), the n lattice sites closest to
// the centre of a cube, ordered by distance from the centre.
func Droplet(n int, seed int64) *qcschema.Molecule {
	rng := rand.New(rand.NewSource(seed))
	side := int(math.Ceil(math.Cbrt(float64(n)))) + 2
	type site struct {
		p   [3]float64
		ijk [3]int
		r   float64
	}
	sites := make([]site, 0, side*side*side)
	mid := float64(side-1) / 2
	for i := 0; i < side; i++ {
		for j := 0; j < side; j++ {
			for k := 0; k < side; k++ {
				p := [3]float64{float64(i) - mid, float64(j) - mid, float64(k) - mid}
				sites = append(sites, site{p, [3]int{i, j, k}, p[0]*p[0] + p[1]*p[1] + p[2]*p[2]})
			}
		}
	}
	sort.SliceStable(sites, func(a, b int) bool { return sites[a].r < sites[b].r })
	m := &qcschema.Molecule{MolecularMultiplicity: 1}
	// The water in its own frame: O at the origin, the HOH plane xy.
	h1 := [3]float64{rOH, 0, 0}
	h2 := [3]float64{rOH * math.Cos(angHOH), rOH * math.Sin(angHOH), 0}
	placed := map[[3]int]int{}
	atoms := make([][3][3]float64, 0, n)
	for w := 0; w < n; w++ {
		var o [3]float64
		for d := 0; d < 3; d++ {
			o[d] = sites[w].p[d]*Spacing + jitter*(2*rng.Float64()-1)
		}
		// Of several random orientations, the one with the lowest point-charge energy
		// against the waters already placed on neighbouring sites: hydrogen bonds
		// rather than clashes.
		var near [][3][3]float64
		ijk := sites[w].ijk
		for di := -1; di <= 1; di++ {
			for dj := -1; dj <= 1; dj++ {
				for dk := -1; dk <= 1; dk++ {
					if v, ok := placed[[3]int{ijk[0] + di, ijk[1] + dj, ijk[2] + dk}]; ok {
						near = append(near, atoms[v])
					}
				}
			}
		}
		var best [3][3]float64
		bestE := math.Inf(1)
		for trial := 0; trial < orientations; trial++ {
			rot := randomRotation(rng)
			var xyz [3][3]float64
			for a, x := range [][3]float64{{}, h1, h2} {
				for d := 0; d < 3; d++ {
					xyz[a][d] = o[d] + rot[d][0]*x[0] + rot[d][1]*x[1] + rot[d][2]*x[2]
				}
			}
			e := 0.0
			for _, other := range near {
				for a := range xyz {
					for b := range other {
						e += charge[a] * charge[b] / dist(xyz[a], other[b])
					}
				}
			}
			if e < bestE {
				best, bestE = xyz, e
			}
		}
		placed[ijk] = w
		atoms = append(atoms, best)
		base := len(m.Symbols)
		m.Symbols = append(m.Symbols, "O", "H", "H")
		for _, x := range best {
			for d := 0; d < 3; d++ {
				m.Geometry = append(m.Geometry, x[d]/qcschema.AngstromPerBohr)
			}
		}
		m.Fragments = append(m.Fragments, []int{base, base + 1, base + 2})
		m.FragmentCharges = append(m.FragmentCharges, 0)
		m.FragmentMultiplicities = append(m.FragmentMultiplicities, 1)
	}
	return m
}

// randomRotation is a uniformly distributed rotation matrix (from a random unit
// quaternion).
func randomRotation(rng *rand.Rand) [3][3]float64 {
	var q [4]float64
	var norm float64
	for norm < 1e-8 {
		norm = 0
		for i := range q {
			q[i] = rng.NormFloat64()
			norm += q[i] * q[i]
		}
	}
	norm = math.Sqrt(norm)
	w, x, y, z := q[0]/norm, q[1]/norm, q[2]/norm, q[3]/norm
	return [3][3]float64{
		{1 - 2*(y*y+z*z), 2 * (x*y - w*z), 2 * (x*z + w*y)},
		{2 * (x*y + w*z), 1 - 2*(x*x+z*z), 2 * (y*z - w*x)},
		{2 * (x*z - w*y), 2 * (y*z + w*x), 1 - 2*(x*x+y*y)},
	}
}
