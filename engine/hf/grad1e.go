package hf

import "math"

// oneElectronGradient adds sum Dt dH/dX - sum W dS/dX: kinetic and
// attraction derivatives weighted by the density dt, overlap derivatives
// by the energy-weighted density W, at the basis function centres and at
// the attracting nuclei.
func (sys *system) oneElectronGradient(dt, W, g []float64) {
	ensureTables()
	pp := &primGrad{primPair: newPrimPair(sys.ws), sys: sys, dt: dt, W: W, g: g, catom: sys.chargeAtom(),
		rbuf: sys.ws.floats(2 * maxStride * maxStride * maxStride), wbuf: sys.ws.floats(7 * nherm(2*maxL+1))}
	for M, a := range sys.bs.shells {
		for N := 0; N <= M; N++ {
			b := sys.bs.shells[N]
			pp.setPair(a, b, M == N)
			for i, al := range a.exps {
				for j, be := range b.exps {
					pp.setPrimitives(i, j, al, be)
					pp.overlapKinetic()
					if pp.attractionWeights() {
						pp.attraction()
					}
				}
			}
		}
	}
}

// primGrad is the one-electron gradient of one primitive pair of a shell
// pair (a, b): the derivative weights and the target.
type primGrad struct {
	primPair
	sys        *system
	dt, W, g   []float64
	catom      []int
	rbuf, wbuf []float64
	f          [maxHermL + 2]float64
	fac        float64 // 2 off the diagonal (both orders of the pair)
	nh, nh1    int
	wa, wb, we []float64
}

func (pp *primGrad) setPair(a, b *shell, diagonal bool) {
	pp.primPair.setPair(a, b, 1)
	pp.fac = 2
	if diagonal {
		pp.fac = 1
	}
	pp.nh, pp.nh1 = nherm(pp.L), nherm(pp.L+1)
}

// overlapKinetic adds the overlap (weighted by -W) and kinetic (weighted
// by the density) derivatives.
func (pp *primGrad) overlapKinetic() {
	a, b, n, tabs, al := pp.a, pp.b, pp.sys.bs.nbf, pp.tabs, pp.al
	for ia, ca := range a.cart {
		cA := a.coef[a.cIdx[ia]][pp.i]
		for ib, cb := range b.cart {
			c := cA * b.coef[b.cIdx[ib]][pp.j]
			mu, nu := a.off+ia, b.off+ib
			dd := pp.fac * pp.dt[mu*n+nu]
			ww := pp.fac * pp.W[mu*n+nu]
			var sv, tv, dsv, dtv [3]float64
			for x := 0; x < 3; x++ {
				sv[x] = pp.s1(tabs[x], ca[x], cb[x])
				tv[x] = pp.t1(tabs[x], ca[x], cb[x])
				dsv[x] = 2*al*pp.s1(tabs[x], ca[x]+1, cb[x]) - float64(ca[x])*pp.s1(tabs[x], ca[x]-1, cb[x])
				dtv[x] = 2*al*pp.t1(tabs[x], ca[x]+1, cb[x]) - float64(ca[x])*pp.t1(tabs[x], ca[x]-1, cb[x])
			}
			for x := 0; x < 3; x++ {
				y, z := (x+1)%3, (x+2)%3
				dS := dsv[x] * sv[y] * sv[z]
				dT := dtv[x]*sv[y]*sv[z] + dsv[x]*(tv[y]*sv[z]+sv[y]*tv[z])
				v := c * (dd*dT - ww*dS)
				pp.g[3*a.atom+x] += v
				pp.g[3*b.atom+x] -= v
			}
		}
	}
}

// attractionWeights sets the density-weighted Hermite coefficients of the
// derivative distributions (wa, wb) and of the distribution itself (we),
// shared by all charges; false if the density vanishes on the pair.
func (pp *primGrad) attractionWeights() bool {
	a, b, n, tabs := pp.a, pp.b, pp.sys.bs.nbf, pp.tabs
	nh, nh1 := pp.nh, pp.nh1
	clear(pp.wbuf)
	pp.wa, pp.wb, pp.we = pp.wbuf[:3*nh1], pp.wbuf[3*nh1:6*nh1], pp.wbuf[6*nh1:6*nh1+nh]
	wa, wb, we := pp.wa, pp.wb, pp.we
	nonzero := false
	for ia, ca := range a.cart {
		cA := a.coef[a.cIdx[ia]][pp.i]
		for ib, cb := range b.cart {
			c := cA * b.coef[b.cIdx[ib]][pp.j] * pp.fac * pp.dt[(a.off+ia)*n+b.off+ib]
			if c == 0 {
				continue
			}
			nonzero = true
			for h := 0; h < nh1; h++ {
				tuv := hermIdx[h]
				var e, dA, dB [3]float64
				for d := 0; d < 3; d++ {
					ii, jj, tt := ca[d], cb[d], tuv[d]
					if tt <= ii+jj {
						e[d] = tabs[d][pp.idx(ii, jj, tt)]
					}
					if tt <= ii+jj+1 {
						dA[d] = 2 * pp.al * tabs[d][pp.idx(ii+1, jj, tt)]
						dB[d] = 2 * pp.be * tabs[d][pp.idx(ii, jj+1, tt)]
					}
					if ii > 0 && tt <= ii+jj-1 {
						dA[d] -= float64(ii) * tabs[d][pp.idx(ii-1, jj, tt)]
					}
					if jj > 0 && tt <= ii+jj-1 {
						dB[d] -= float64(jj) * tabs[d][pp.idx(ii, jj-1, tt)]
					}
				}
				wa[h] += c * dA[0] * e[1] * e[2]
				wa[nh1+h] += c * e[0] * dA[1] * e[2]
				wa[2*nh1+h] += c * e[0] * e[1] * dA[2]
				wb[h] += c * dB[0] * e[1] * e[2]
				wb[nh1+h] += c * e[0] * dB[1] * e[2]
				wb[2*nh1+h] += c * e[0] * e[1] * dB[2]
				if h < nh {
					we[h] += c * e[0] * e[1] * e[2]
				}
			}
		}
	}
	return nonzero
}

// attraction adds the derivatives of the attraction to every charge: at
// the two centres and, for nuclei, at the charge itself.
func (pp *primGrad) attraction() {
	L, p, P, nh1 := pp.L, pp.p, pp.P, pp.nh1
	s := L + 2
	off := hermOff[s]
	ia0, ib0 := pp.a.atom, pp.b.atom
	for ci, ch := range pp.sys.charges {
		if ch.q == 0 {
			continue
		}
		x, y, z := P[0]-ch.pos[0], P[1]-ch.pos[1], P[2]-ch.pos[2]
		boys(L+1, p*(x*x+y*y+z*z), pp.f[:])
		r := hermiteR(L+1, p, x, y, z, pp.f[:], pp.rbuf)
		pref := -ch.q * 2 * math.Pi / p
		cat := pp.catom[ci]
		var gA, gB, gC [3]float64
		for h := 0; h < nh1; h++ {
			rv := r[off[h]]
			for d := 0; d < 3; d++ {
				gA[d] += pp.wa[d*nh1+h] * rv
				gB[d] += pp.wb[d*nh1+h] * rv
			}
		}
		if cat >= 0 {
			for h, v := range pp.we {
				o := int(off[h])
				gC[0] -= v * r[o+s*s]
				gC[1] -= v * r[o+s]
				gC[2] -= v * r[o+1]
			}
		}
		for d := 0; d < 3; d++ {
			pp.g[3*ia0+d] += pref * gA[d]
			pp.g[3*ib0+d] += pref * gB[d]
			if cat >= 0 {
				pp.g[3*cat+d] += pref * gC[d]
			}
		}
	}
}
