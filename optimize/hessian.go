package optimize

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// Lindh's model Hessian (Chem. Phys. Lett. 241, 423 (1995)), in bohr and hartree.
const (
	lindhKStretch = 0.45
	lindhKBend    = 0.15
	lindhKTorsion = 0.005
	// Torsions about a nearly linear bend (within about 10 degrees) are left out: their
	// Wilson B vectors diverge there and the model says nothing useful about them.
	minTorsionSin = 0.17
)

var (
	lindhAlpha = [3][3]float64{
		{1.0000, 0.3949, 0.3949},
		{0.3949, 0.2800, 0.2800},
		{0.3949, 0.2800, 0.2800},
	}
	lindhRRef = [3][3]float64{
		{1.35, 2.10, 2.53},
		{2.10, 2.87, 3.40},
		{2.53, 3.40, 3.40},
	}
)

// lindhRow is the row of the periodic table as Lindh's model groups it: 0 for H and He,
// 1 for Li-Ne, 2 for everything heavier.
func lindhRow(z int) int {
	switch {
	case z <= 2:
		return 0
	case z <= 10:
		return 1
	default:
		return 2
	}
}

// lindhHessian builds the model Hessian at x (flat, bohr) for atoms of atomic numbers z:
// k * rho_ij [* rho_jk [* rho_kl]] b b^T summed over every pair, bend and torsion of
// atoms, with b the Wilson B vector of the coordinate and
// rho_ij = exp(alpha_ij (r_ref,ij^2 - r_ij^2)).
func lindhHessian(x []float64, z []int) *mat.SymDense {
	m := &lindhModel{x: x, n: len(z), rho: lindhRho(x, z), h: mat.NewSymDense(3*len(z), nil)}
	m.addStretches()
	m.addBends()
	m.addTorsions()
	return m.h
}

// lindhNegligible is the force constant below which a coordinate is left out.
const lindhNegligible = 1e-10

// lindhModel is a Lindh model Hessian h being summed at the geometry x of n atoms, with
// rho the pair factors (lindhRho).
type lindhModel struct {
	x   []float64
	n   int
	rho []float64
	h   *mat.SymDense
}

// lindhRho is rho_ij = exp(alpha_ij (r_ref,ij^2 - r_ij^2)) for every ordered pair of
// distinct atoms, at index i*n+j (0 on the diagonal).
func lindhRho(x []float64, z []int) []float64 {
	n := len(z)
	rho := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i == j {
				continue
			}
			a, b := lindhRow(z[i]), lindhRow(z[j])
			r := norm3(sub3(atomPos(x, i), atomPos(x, j)))
			rho[i*n+j] = math.Exp(lindhAlpha[a][b] * (lindhRRef[a][b]*lindhRRef[a][b] - r*r))
		}
	}
	return rho
}

// atomPos is the position of atom i in the flat coordinates x.
func atomPos(x []float64, i int) [3]float64 { return [3]float64{x[3*i], x[3*i+1], x[3*i+2]} }

func (m *lindhModel) pos(i int) [3]float64 { return atomPos(m.x, i) }

// pair is rho_ij.
func (m *lindhModel) pair(i, j int) float64 { return m.rho[i*m.n+j] }

// add adds k b b^T for the coordinate whose Wilson B vector has the rows b on atoms.
func (m *lindhModel) add(k float64, atoms []int, b [][3]float64) {
	for p, ai := range atoms {
		for q, aj := range atoms {
			for u := 0; u < 3; u++ {
				for v := 0; v < 3; v++ {
					r, c := 3*ai+u, 3*aj+v
					if r > c {
						continue
					}
					m.h.SetSym(r, c, m.h.At(r, c)+k*b[p][u]*b[q][v])
				}
			}
		}
	}
}

// addStretches adds every pair of atoms.
func (m *lindhModel) addStretches() {
	for i := 0; i < m.n; i++ {
		for j := i + 1; j < m.n; j++ {
			k := lindhKStretch * m.pair(i, j)
			if k < lindhNegligible {
				continue
			}
			u := unit3(sub3(m.pos(i), m.pos(j)))
			m.add(k, []int{i, j}, [][3]float64{u, scale3(-1, u)})
		}
	}
}

// addBends adds every angle i-j-k.
func (m *lindhModel) addBends() {
	for j := 0; j < m.n; j++ {
		for i := 0; i < m.n; i++ {
			for k := i + 1; k < m.n; k++ {
				if i == j || k == j {
					continue
				}
				f := lindhKBend * m.pair(i, j) * m.pair(j, k)
				if f < lindhNegligible {
					continue
				}
				if b, ok := bendB(m.pos(i), m.pos(j), m.pos(k)); ok {
					m.add(f, []int{i, j, k}, b[:])
				}
			}
		}
	}
}

// addTorsions adds every dihedral i-j-k-l about a central pair j-k that is not negligible.
func (m *lindhModel) addTorsions() {
	for j := 0; j < m.n; j++ {
		for k := j + 1; k < m.n; k++ {
			if lindhKTorsion*m.pair(j, k) >= lindhNegligible {
				m.addTorsionsAbout(j, k)
			}
		}
	}
}

// addTorsionsAbout adds the dihedrals i-j-k-l about the bond j-k.
func (m *lindhModel) addTorsionsAbout(j, k int) {
	for i := 0; i < m.n; i++ {
		for l := 0; l < m.n; l++ {
			if i == j || i == k || l == j || l == k || l == i {
				continue
			}
			f := lindhKTorsion * m.pair(i, j) * m.pair(j, k) * m.pair(k, l)
			if f < lindhNegligible {
				continue
			}
			if b, ok := torsionB(m.pos(i), m.pos(j), m.pos(k), m.pos(l)); ok {
				m.add(f, []int{i, j, k, l}, b[:])
			}
		}
	}
}

// bendB is the Wilson B vector of the angle i-j-k (radians per bohr).
func bendB(ri, rj, rk [3]float64) ([3][3]float64, bool) {
	u, v := sub3(ri, rj), sub3(rk, rj)
	lu, lv := norm3(u), norm3(v)
	eu, ev := scale3(1/lu, u), scale3(1/lv, v)
	cos := dot3(eu, ev)
	sin := math.Sqrt(math.Max(0, 1-cos*cos))
	if sin < 1e-6 {
		return [3][3]float64{}, false
	}
	bi := scale3(1/(lu*sin), sub3(scale3(cos, eu), ev))
	bk := scale3(1/(lv*sin), sub3(scale3(cos, ev), eu))
	bj := scale3(-1, add3(bi, bk))
	return [3][3]float64{bi, bj, bk}, true
}

// torsionB is the Wilson B vector of the dihedral i-j-k-l (radians per bohr).
func torsionB(ri, rj, rk, rl [3]float64) ([4][3]float64, bool) {
	f, g, hh := sub3(ri, rj), sub3(rj, rk), sub3(rl, rk)
	lf, lg, lh := norm3(f), norm3(g), norm3(hh)
	a, b := cross3(f, g), cross3(hh, g)
	a2, b2 := dot3(a, a), dot3(b, b)
	// |a| = |f||g| sin(angle i-j-k): skip nearly linear bends.
	if math.Sqrt(a2) < minTorsionSin*lf*lg || math.Sqrt(b2) < minTorsionSin*lh*lg {
		return [4][3]float64{}, false
	}
	fg, hg := dot3(f, g), dot3(hh, g)
	bi := scale3(-lg/a2, a)
	bl := scale3(lg/b2, b)
	bj := add3(scale3(lg/a2+fg/(a2*lg), a), scale3(-hg/(b2*lg), b))
	bk := add3(scale3(-lg/b2+hg/(b2*lg), b), scale3(-fg/(a2*lg), a))
	return [4][3]float64{bi, bj, bk, bl}, true
}

func sub3(a, b [3]float64) [3]float64 { return [3]float64{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }
func add3(a, b [3]float64) [3]float64 { return [3]float64{a[0] + b[0], a[1] + b[1], a[2] + b[2]} }
func scale3(s float64, a [3]float64) [3]float64 {
	return [3]float64{s * a[0], s * a[1], s * a[2]}
}
func dot3(a, b [3]float64) float64  { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }
func norm3(a [3]float64) float64    { return math.Sqrt(dot3(a, a)) }
func unit3(a [3]float64) [3]float64 { return scale3(1/norm3(a), a) }
func cross3(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}
