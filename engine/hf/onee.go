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
	ensureBoys()
	n := bs.nbf
	S = ws.floats(n * n)
	T = ws.floats(n * n)
	V = ws.floats(n * n)
	const ed = (maxL + 3) * (maxL + 3) * (2*maxL + 4)
	ex := ws.floats(ed)
	ey := ws.floats(ed)
	ez := ws.floats(ed)
	rbuf := ws.floats(2 * maxStride * maxStride * maxStride)
	var f [maxHermL + 2]float64
	for M, a := range bs.shells {
		for N := 0; N <= M; N++ {
			b := bs.shells[N]
			imax, jmax := a.lmax, b.lmax+2
			td := imax + jmax + 1
			jd := jmax + 1
			idx := func(i, j, t int) int { return (i*jd+j)*td + t }
			L := a.lmax + b.lmax
			s := L + 1
			off := hermOff[s]
			nh := nherm(L)
			r2 := 0.0
			var ab [3]float64
			for k := 0; k < 3; k++ {
				ab[k] = a.pos[k] - b.pos[k]
				r2 += ab[k] * ab[k]
			}
			for i, al := range a.exps {
				for j, be := range b.exps {
					p, P := primPairE(ex, ey, ez, imax, jmax, al, be, a.pos, b.pos, ab)
					sq := math.Sqrt(math.Pi / p)
					s1 := func(e []float64, i, j int) float64 {
						if j < 0 {
							return 0
						}
						return e[idx(i, j, 0)] * sq
					}
					t1 := func(e []float64, i, j int) float64 {
						return -0.5 * (float64(j*(j-1))*s1(e, i, j-2) - 2*be*float64(2*j+1)*s1(e, i, j) + 4*be*be*s1(e, i, j+2))
					}
					for ia, ca := range a.cart {
						cA := a.coef[a.cIdx[ia]][i]
						for ib, cb := range b.cart {
							c := cA * b.coef[b.cIdx[ib]][j]
							sx, sy, sz := s1(ex, ca[0], cb[0]), s1(ey, ca[1], cb[1]), s1(ez, ca[2], cb[2])
							tx, ty, tz := t1(ex, ca[0], cb[0]), t1(ey, ca[1], cb[1]), t1(ez, ca[2], cb[2])
							mu_ := a.off + ia
							nu := b.off + ib
							S[mu_*n+nu] += c * sx * sy * sz
							T[mu_*n+nu] += c * (tx*sy*sz + sx*ty*sz + sx*sy*tz)
						}
					}
					for _, ch := range charges {
						if ch.q == 0 {
							continue
						}
						x, y, z := P[0]-ch.pos[0], P[1]-ch.pos[1], P[2]-ch.pos[2]
						boys(L, p*(x*x+y*y+z*z), f[:])
						r := hermiteR(L, p, x, y, z, f[:], rbuf)
						pref := -ch.q * 2 * math.Pi / p
						for ia, ca := range a.cart {
							cA := a.coef[a.cIdx[ia]][i]
							for ib, cb := range b.cart {
								c := cA * b.coef[b.cIdx[ib]][j] * pref
								sum := 0.0
								for h := 0; h < nh; h++ {
									tuv := hermIdx[h]
									if tuv[0] > ca[0]+cb[0] || tuv[1] > ca[1]+cb[1] || tuv[2] > ca[2]+cb[2] {
										continue
									}
									sum += ex[idx(ca[0], cb[0], tuv[0])] * ey[idx(ca[1], cb[1], tuv[1])] * ez[idx(ca[2], cb[2], tuv[2])] * r[off[h]]
								}
								V[(a.off+ia)*n+b.off+ib] += c * sum
							}
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
