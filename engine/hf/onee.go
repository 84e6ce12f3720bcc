package hf

import "math"

// charge is a point charge acting on the electrons: a real nucleus or an
// external charge.
type charge struct {
	q   float64
	pos [3]float64
}

// oneElectron returns the overlap, kinetic and potential (electron-charge
// attraction) matrices, full nbf x nbf row-major, taken from ws (which
// may be nil).
func oneElectron(ws *workspace, bs *basisSet, charges []charge) (S, T, V []float64) {
	ensureTables()
	n := bs.nbf
	S, T, V = ws.floats(n*n), ws.floats(n*n), ws.floats(n*n)
	pp := newPrimPair(ws)
	rbuf := ws.floats(2 * maxStride * maxStride * maxStride)
	var f [maxHermL + 2]float64
	for M, a := range bs.shells {
		for N := 0; N <= M; N++ {
			b := bs.shells[N]
			pp.setPair(a, b, 0)
			for i, al := range a.exps {
				for j, be := range b.exps {
					pp.setPrimitives(i, j, al, be)
					pp.addOverlapKinetic(S, T, n)
					for _, ch := range charges {
						if ch.q != 0 {
							pp.addAttraction(V, n, ch, f[:], rbuf)
						}
					}
				}
			}
			// symmetrise the block
			for ia := 0; ia < a.ncart(); ia++ {
				for ib := 0; ib < b.ncart(); ib++ {
					mu, nu := a.off+ia, b.off+ib
					S[nu*n+mu] = S[mu*n+nu]
					T[nu*n+mu] = T[mu*n+nu]
					V[nu*n+mu] = V[mu*n+nu]
				}
			}
		}
	}
	return S, T, V
}

// primPair holds the one-dimensional Hermite expansion tables of one
// primitive pair of the shells a and b, for one-electron integrals and
// (with powers of a one higher) their derivatives.
type primPair struct {
	tabs               [3][]float64
	a, b               *shell
	imax, jmax, td, jd int
	L                  int // a.lmax + b.lmax
	i, j               int // primitive indices
	al, be, p          float64
	P                  [3]float64
	sq                 float64 // sqrt(pi/p)
}

func newPrimPair(ws *workspace) primPair {
	const ed = (maxL + 4) * (maxL + 4) * (2*maxL + 8)
	var pp primPair
	for k := range pp.tabs {
		pp.tabs[k] = ws.floats(ed)
	}
	return pp
}

// setPair selects the shells; da is the derivative order on a.
func (pp *primPair) setPair(a, b *shell, da int) {
	pp.a, pp.b = a, b
	pp.imax, pp.jmax = a.lmax+da, b.lmax+2
	pp.td, pp.jd = pp.imax+pp.jmax+1, pp.jmax+1
	pp.L = a.lmax + b.lmax
}

// setPrimitives fills the tables for primitives i (exponent al) of a and
// j (be) of b.
func (pp *primPair) setPrimitives(i, j int, al, be float64) {
	a, b := pp.a, pp.b
	var ab [3]float64
	for k := 0; k < 3; k++ {
		ab[k] = a.pos[k] - b.pos[k]
	}
	pp.i, pp.j, pp.al, pp.be = i, j, al, be
	pp.p, pp.P = primPairE(pp.tabs[0], pp.tabs[1], pp.tabs[2], pp.imax, pp.jmax, al, be, a.pos, b.pos, ab)
	pp.sq = math.Sqrt(math.Pi / pp.p)
}

func (pp *primPair) idx(i, j, t int) int { return (i*pp.jd+j)*pp.td + t }

// s1 is the one-dimensional overlap of powers i and j.
func (pp *primPair) s1(e []float64, i, j int) float64 {
	if i < 0 || j < 0 {
		return 0
	}
	return e[pp.idx(i, j, 0)] * pp.sq
}

// t1 is the one-dimensional kinetic energy of powers i and j.
func (pp *primPair) t1(e []float64, i, j int) float64 {
	if i < 0 {
		return 0
	}
	be := pp.be
	return -0.5 * (float64(j*(j-1))*pp.s1(e, i, j-2) - 2*be*float64(2*j+1)*pp.s1(e, i, j) + 4*be*be*pp.s1(e, i, j+2))
}

// addOverlapKinetic adds the primitive pair's overlap and kinetic integrals.
func (pp *primPair) addOverlapKinetic(S, T []float64, n int) {
	a, b := pp.a, pp.b
	ex, ey, ez := pp.tabs[0], pp.tabs[1], pp.tabs[2]
	for ia, ca := range a.cart {
		cA := a.coef[a.cIdx[ia]][pp.i]
		for ib, cb := range b.cart {
			c := cA * b.coef[b.cIdx[ib]][pp.j]
			sx, sy, sz := pp.s1(ex, ca[0], cb[0]), pp.s1(ey, ca[1], cb[1]), pp.s1(ez, ca[2], cb[2])
			tx, ty, tz := pp.t1(ex, ca[0], cb[0]), pp.t1(ey, ca[1], cb[1]), pp.t1(ez, ca[2], cb[2])
			mu, nu := a.off+ia, b.off+ib
			S[mu*n+nu] += c * sx * sy * sz
			T[mu*n+nu] += c * (tx*sy*sz + sx*ty*sz + sx*sy*tz)
		}
	}
}

// addAttraction adds the primitive pair's attraction to charge ch.
func (pp *primPair) addAttraction(V []float64, n int, ch charge, f, rbuf []float64) {
	a, b, L, p, P := pp.a, pp.b, pp.L, pp.p, pp.P
	ex, ey, ez := pp.tabs[0], pp.tabs[1], pp.tabs[2]
	off := hermOff[L+1]
	x, y, z := P[0]-ch.pos[0], P[1]-ch.pos[1], P[2]-ch.pos[2]
	boys(L, p*(x*x+y*y+z*z), f)
	r := hermiteR(L, p, x, y, z, f, rbuf)
	pref := -ch.q * 2 * math.Pi / p
	for ia, ca := range a.cart {
		cA := a.coef[a.cIdx[ia]][pp.i]
		for ib, cb := range b.cart {
			c := cA * b.coef[b.cIdx[ib]][pp.j] * pref
			sum := 0.0
			for h := 0; h < nherm(L); h++ {
				tuv := hermIdx[h]
				if tuv[0] > ca[0]+cb[0] || tuv[1] > ca[1]+cb[1] || tuv[2] > ca[2]+cb[2] {
					continue
				}
				sum += ex[pp.idx(ca[0], cb[0], tuv[0])] * ey[pp.idx(ca[1], cb[1], tuv[1])] * ez[pp.idx(ca[2], cb[2], tuv[2])] * r[off[h]]
			}
			V[(a.off+ia)*n+b.off+ib] += c * sum
		}
	}
}
