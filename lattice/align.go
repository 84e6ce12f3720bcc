package lattice

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// shape is a set of atoms to superpose: a type per atom (atoms of different types never
// map onto each other) and positions in bohr.
type shape struct {
	types []string
	pos   [][3]float64
}

// superposition is the best superposition of one shape onto another that align found.
type superposition struct {
	// mapping[i] is the atom of the target that atom i of the moved shape lands on.
	mapping []int
	// rmsd and maxDev are the root-mean-square and largest distances, in bohr, between
	// the atoms of the moved shape after the optimal (Kabsch) rotation and their targets.
	rmsd, maxDev float64
	// mirror is set when the superposition is a reflection.
	mirror bool
}

// align looks for an atom mapping and a rotation (and, if mirror is set, a reflection)
// with translation that takes b onto a, with every atom within tol bohr of its target
// while the mapping is searched for. It works on shapes that are copies of each other up
// to small errors, as crystal n-mers related by symmetry are: two atoms of a fix a frame,
// every pair of atoms of b with the same types and distances is tried as their images, and
// the first frame that maps every atom is refined by the Kabsch rotation for that mapping.
// ok is false when no frame maps every atom.
func align(a, b shape, mirror bool, tol float64) (superposition, bool) {
	n := len(a.pos)
	if n != len(b.pos) || n == 0 {
		return superposition{}, false
	}
	if !sameTypes(a.types, b.types) {
		return superposition{}, false
	}
	ca, cb := centered(a.pos), centered(b.pos)
	// The anchors of a: the atom farthest from the centroid, then the atom that spans
	// the largest area with it (none when every atom is on a line through the centroid).
	p1 := 0
	for i := range ca {
		if norm(ca[i]) > norm(ca[p1]) {
			p1 = i
		}
	}
	p2, area := -1, 0.0
	for i := range ca {
		if s := norm(cross(ca[p1], ca[i])); s > area {
			p2, area = i, s
		}
	}
	if area <= 1e-6*math.Max(1, norm(ca[p1])*norm(ca[p1])) {
		p2 = -1
	}
	if norm(ca[p1]) <= tol {
		// Every atom is at the centroid: one atom, or coincident atoms.
		return finish(ca, cb, identityMapping(a, b, ca, cb, tol), false)
	}
	fa, faOK := frame(ca[p1], p2vec(ca, p2))
	if !faOK {
		return superposition{}, false
	}
	mirrors := []bool{false}
	if mirror && p2 >= 0 {
		mirrors = append(mirrors, true)
	}
	for _, m := range mirrors {
		for q1 := range cb {
			if b.types[q1] != a.types[p1] || math.Abs(norm(cb[q1])-norm(ca[p1])) > tol {
				continue
			}
			for q2 := range cb {
				var w2 [3]float64
				if p2 >= 0 {
					if q2 == q1 || b.types[q2] != a.types[p2] || math.Abs(norm(cb[q2])-norm(ca[p2])) > tol ||
						math.Abs(dist(cb[q1], cb[q2])-dist(ca[p1], ca[p2])) > tol {
						continue
					}
					w2 = cb[q2]
				} else if q2 > 0 {
					break // a line: one anchor
				}
				fb, ok := frame(cb[q1], w2)
				if !ok {
					continue
				}
				if m {
					fb[2] = scale(fb[2], -1)
				}
				if mp := mapAtoms(a, b, ca, cb, fa, fb, tol); mp != nil {
					return finish(ca, cb, mp, m)
				}
			}
		}
	}
	return superposition{}, false
}

func p2vec(c [][3]float64, p2 int) [3]float64 {
	if p2 < 0 {
		return [3]float64{}
	}
	return c[p2]
}

// frame builds an orthonormal frame (rows) from v1 and, when w is not parallel to it, w;
// a line (w zero or parallel) gets any frame whose first axis is along v1.
func frame(v1, w [3]float64) ([3][3]float64, bool) {
	l := norm(v1)
	if l == 0 {
		return [3][3]float64{}, false
	}
	e1 := scale(v1, 1/l)
	u := sub(w, scale(e1, dot(w, e1)))
	if norm(u) <= 1e-9*math.Max(1, norm(w)) {
		// A line: any vector not along e1 gives the second axis.
		u = [3]float64{1, 0, 0}
		if math.Abs(e1[0]) > 0.9 {
			u = [3]float64{0, 1, 0}
		}
		u = sub(u, scale(e1, dot(u, e1)))
	}
	e2 := scale(u, 1/norm(u))
	return [3][3]float64{e1, e2, cross(e1, e2)}, true
}

// mapAtoms rotates every atom of a from frame fa into frame fb and matches it (matchAtoms).
func mapAtoms(a, b shape, ca, cb [][3]float64, fa, fb [3][3]float64, tol float64) []int {
	return matchAtoms(a, b, cb, tol, func(i int) [3]float64 {
		// Coordinates in frame a, then the same coordinates in frame b.
		p := ca[i]
		c := [3]float64{dot(fa[0], p), dot(fa[1], p), dot(fa[2], p)}
		return add(add(scale(fb[0], c[0]), scale(fb[1], c[1])), scale(fb[2], c[2]))
	})
}

// identityMapping matches atoms of a to atoms of b where they are, for shapes whose atoms
// all sit at their centroid.
func identityMapping(a, b shape, ca, cb [][3]float64, tol float64) []int {
	return matchAtoms(a, b, cb, 2*tol, func(i int) [3]float64 { return ca[i] })
}

// matchAtoms finds for every atom i of a, placed at place(i), the first unused atom of b of
// the same type within tol of it; nil when some atom has none.
func matchAtoms(a, b shape, cb [][3]float64, tol float64, place func(i int) [3]float64) []int {
	mapping := make([]int, len(a.pos))
	used := make([]bool, len(cb))
	for i := range a.pos {
		q := place(i)
		found := -1
		for j := range cb {
			if !used[j] && b.types[j] == a.types[i] && dist(q, cb[j]) <= tol {
				found = j
				break
			}
		}
		if found < 0 {
			return nil
		}
		used[found] = true
		mapping[i] = found
	}
	return mapping
}

// finish refines a mapping with the Kabsch rotation (proper, or improper when mirror)
// and measures the deviations.
func finish(ca, cb [][3]float64, mapping []int, mirror bool) (superposition, bool) {
	if mapping == nil {
		return superposition{}, false
	}
	// H = sum over atoms of a_i b_i^T; the rotation is V diag(1, 1, d) U^T.
	var h [9]float64
	for i, p := range ca {
		q := cb[mapping[i]]
		for r := range 3 {
			for c := range 3 {
				h[3*r+c] += p[r] * q[c]
			}
		}
	}
	var svd mat.SVD
	if !svd.Factorize(mat.NewDense(3, 3, h[:]), mat.SVDFull) {
		return superposition{}, false
	}
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	var vut mat.Dense
	vut.Mul(&v, u.T())
	d := 1.0
	if (mat.Det(&vut) < 0) != mirror {
		d = -1
	}
	var rot mat.Dense
	rot.Mul(&v, mat.NewDiagDense(3, []float64{1, 1, d}))
	rot.Mul(&rot, u.T())
	var sum2, maxDev float64
	for i, p := range ca {
		var r [3]float64
		for k := range 3 {
			r[k] = rot.At(k, 0)*p[0] + rot.At(k, 1)*p[1] + rot.At(k, 2)*p[2]
		}
		dv := dist(r, cb[mapping[i]])
		sum2 += dv * dv
		maxDev = math.Max(maxDev, dv)
	}
	return superposition{mapping: mapping, rmsd: math.Sqrt(sum2 / float64(len(ca))), maxDev: maxDev, mirror: mirror}, true
}

func sameTypes(a, b []string) bool {
	x := append([]string(nil), a...)
	y := append([]string(nil), b...)
	sort.Strings(x)
	sort.Strings(y)
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

func centered(p [][3]float64) [][3]float64 {
	var c [3]float64
	for _, q := range p {
		c = add(c, q)
	}
	c = scale(c, 1/float64(len(p)))
	out := make([][3]float64, len(p))
	for i, q := range p {
		out[i] = sub(q, c)
	}
	return out
}

func add(a, b [3]float64) [3]float64 { return [3]float64{a[0] + b[0], a[1] + b[1], a[2] + b[2]} }
func sub(a, b [3]float64) [3]float64 { return [3]float64{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }
func scale(a [3]float64, s float64) [3]float64 {
	return [3]float64{a[0] * s, a[1] * s, a[2] * s}
}
func dot(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }
func cross(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}
func norm(a [3]float64) float64    { return math.Sqrt(dot(a, a)) }
func dist(a, b [3]float64) float64 { return norm(sub(a, b)) }
