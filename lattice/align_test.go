package lattice

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// moved returns s rotated about axis by angle (and reflected through the xy plane if
// mirror), translated by shift, with its atoms in the order perm.
func moved(s shape, axis [3]float64, angle float64, mirror bool, shift [3]float64, perm []int) shape {
	k := scale(axis, 1/norm(axis))
	c, sn := math.Cos(angle), math.Sin(angle)
	out := shape{types: make([]string, len(s.pos)), pos: make([][3]float64, len(s.pos))}
	for i, j := range perm {
		p := s.pos[j]
		if mirror {
			p[2] = -p[2]
		}
		// Rodrigues' rotation.
		r := add(add(scale(p, c), scale(cross(k, p), sn)), scale(k, dot(k, p)*(1-c)))
		out.pos[i] = add(r, shift)
		out.types[i] = s.types[j]
	}
	return out
}

func TestAlign(t *testing.T) {
	// A chiral, asymmetric shape: CHFClBr.
	chiral := shape{
		types: []string{"C", "H", "F", "Cl", "Br"},
		pos:   [][3]float64{{0, 0, 0}, {1.2, 1.1, 0.9}, {-1.3, 1.0, -0.8}, {1.1, -1.4, -1.0}, {-1.2, -1.3, 1.7}},
	}
	// Linear CO2 (bohr) and a lone atom.
	linear := shape{types: []string{"O", "C", "O"}, pos: [][3]float64{{-2.2, 0, 0}, {0, 0, 0}, {2.2, 0, 0}}}
	atom := shape{types: []string{"Ar"}, pos: [][3]float64{{1, 2, 3}}}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name          string
		s             shape
		mirror, allow bool
		congruent     bool
	}{
		{"chiral rotated", chiral, false, false, true},
		{"chiral mirror, proper only", chiral, true, false, false},
		{"chiral mirror, mirror allowed", chiral, true, true, true},
		{"linear", linear, false, false, true},
		{"atom", atom, false, false, true},
	} {
		perm := rng.Perm(len(tc.s.pos))
		axis := [3]float64{rng.Float64() - 0.5, rng.Float64() - 0.5, rng.Float64() - 0.5}
		b := moved(tc.s, axis, 2*math.Pi*rng.Float64(), tc.mirror, [3]float64{3, -7, 11}, perm)
		sp, ok := align(tc.s, b, tc.allow, 1e-6)
		require.Equal(t, tc.congruent, ok, tc.name)
		if ok {
			assert.Less(t, sp.maxDev, 1e-12, tc.name)
			assert.Equal(t, tc.mirror, sp.mirror, tc.name)
			for i, j := range sp.mapping {
				assert.Equal(t, tc.s.types[i], b.types[j], tc.name)
			}
		}
	}
	// A copy off by 1e-6 bohr in one atom is not congruent to 1e-8, but is to 1e-5.
	b := moved(chiral, [3]float64{1, 2, 3}, 1, false, [3]float64{}, []int{0, 1, 2, 3, 4})
	b.pos[3][0] += 1e-6
	sp, ok := align(chiral, b, false, 1e-8)
	assert.False(t, ok && sp.maxDev <= 1e-8)
	sp, ok = align(chiral, b, false, 1e-5)
	require.True(t, ok)
	assert.True(t, sp.maxDev > 1e-7 && sp.maxDev < 1e-6, "the Kabsch rotation spreads the displacement: %g", sp.maxDev)
	// Different atoms never match.
	other := shape{types: []string{"C", "H", "F", "Cl", "I"}, pos: chiral.pos}
	_, ok = align(chiral, other, true, 1e-6)
	assert.False(t, ok)
}
