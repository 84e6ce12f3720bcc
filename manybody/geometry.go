package manybody

import (
	"fmt"
	"math"
	"sort"
)

// TooClose is the distance in bohr below which two atoms of a molecule coincide, as
// QCElemental's Molecule validation (tooclose=0.1) rejects them: no calculation of such a
// cluster is meaningful, and counterpoise tasks would place two basis sets on one point.
const TooClose = 0.1

// coincidentAtoms returns the first pair of atoms (i < j) of the flat geometry that lie
// closer than TooClose, or ok false. Sweeping atoms sorted by x compares only neighbours
// within TooClose in x, so large clusters are checked in O(n log n).
func coincidentAtoms(geom []float64) (i, j int, d float64, ok bool) {
	n := len(geom) / 3
	order := make([]int, n)
	for k := range order {
		order[k] = k
	}
	sort.Slice(order, func(a, b int) bool { return geom[3*order[a]] < geom[3*order[b]] })
	for a := 0; a < n; a++ {
		p := order[a]
		for b := a + 1; b < n; b++ {
			q := order[b]
			dx := geom[3*q] - geom[3*p]
			if dx >= TooClose {
				break
			}
			dy := geom[3*q+1] - geom[3*p+1]
			dz := geom[3*q+2] - geom[3*p+2]
			if r2 := dx*dx + dy*dy + dz*dz; r2 < TooClose*TooClose {
				i, j = min(p, q), max(p, q)
				return i, j, math.Sqrt(r2), true
			}
		}
	}
	return 0, 0, 0, false
}

// checkCoincident reports atoms of geom that coincide, naming them.
func checkCoincident(symbols []string, geom []float64) error {
	if i, j, d, ok := coincidentAtoms(geom); ok {
		return fmt.Errorf("molecule.geometry: atoms %d (%s) and %d (%s) are %.3g bohr apart (closer than %g bohr): they coincide", i, symbols[i], j, symbols[j], d, TooClose)
	}
	return nil
}
