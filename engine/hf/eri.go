package hf

import "math"

// primScreen drops primitive pairs whose coefficient-weighted Gaussian
// product prefactor is below this value.
const primScreen = 1e-12

// shellPair holds the primitive-pair data of two shells in Hermite form.
// E[(ip*nab+ab)*nh+h] are Hermite expansion coefficients (times contraction
// coefficients) of the cartesian pair ab for primitive pair ip; Es is the
// same with the sign (-1)^(t+u+v) folded in, for use on the ket side.
// With derivatives, dE[((ip*6+k)*nab+ab)*nh1+h] are the coefficients of
// d/dA_x, d/dA_y, d/dA_z, d/dB_x, d/dB_y, d/dB_z (k = 0..5), and dEs the
// same with signs.
type shellPair struct {
	m, n      int // shell indices
	a, b      *shell
	na, nb    int
	nab       int
	L         int
	nh, nh1   int
	np        int
	p         []float64
	P         [][3]float64
	E, Es     []float64
	dE, dEs   []float64
	dNZ       [][]int32 // per (ip*6+k): indices of the nonzero entries of dE
	withDeriv bool
	// nzOff/nzH list, per cartesian pair ab, the Hermite indices h < nh
	// for which E can be nonzero (t <= ia_x+ib_x, ...): nzH[nzOff[ab]:nzOff[ab+1]].
	nzOff, nzH []int32
	// ndOff/ndH list, per ab, the indices h < nh1 for which any of the six
	// derivative coefficients dE can be nonzero (with derivatives only).
	ndOff, ndH []int32
}

func newShellPair(m, n int, a, b *shell, deriv bool) *shellPair {
	sp := &shellPair{m: m, n: n, a: a, b: b, na: a.ncart(), nb: b.ncart(), withDeriv: deriv}
	sp.nab = sp.na * sp.nb
	sp.L = a.lmax + b.lmax
	sp.nh = nherm(sp.L)
	sp.nh1 = nherm(sp.L + 1)
	d := 0
	if deriv {
		d = 1
	}
	imax, jmax := a.lmax+d, b.lmax+d
	td := imax + jmax + 1
	jd := jmax + 1
	esz := (imax + 1) * jd * td
	ex := make([]float64, esz)
	ey := make([]float64, esz)
	ez := make([]float64, esz)
	var ab [3]float64
	r2 := 0.0
	for k := 0; k < 3; k++ {
		ab[k] = a.pos[k] - b.pos[k]
		r2 += ab[k] * ab[k]
	}
	// largest |coefficient| per primitive
	cmaxA := maxAbsCoef(a)
	cmaxB := maxAbsCoef(b)
	idx := func(i, j, t int) int { return (i*jd+j)*td + t }
	for i, al := range a.exps {
		for j, be := range b.exps {
			p := al + be
			mu := al * be / p
			kab := math.Exp(-mu * r2)
			if kab*cmaxA[i]*cmaxB[j] < primScreen {
				continue
			}
			var P [3]float64
			for k := 0; k < 3; k++ {
				P[k] = (al*a.pos[k] + be*b.pos[k]) / p
			}
			etab(ex, imax, jmax, p, P[0]-a.pos[0], P[0]-b.pos[0], math.Exp(-mu*ab[0]*ab[0]))
			etab(ey, imax, jmax, p, P[1]-a.pos[1], P[1]-b.pos[1], math.Exp(-mu*ab[1]*ab[1]))
			etab(ez, imax, jmax, p, P[2]-a.pos[2], P[2]-b.pos[2], math.Exp(-mu*ab[2]*ab[2]))
			sp.p = append(sp.p, p)
			sp.P = append(sp.P, P)
			base := len(sp.E)
			sp.E = append(sp.E, make([]float64, sp.nab*sp.nh)...)
			e := sp.E[base:]
			for ia, ca := range a.cart {
				cA := a.coef[a.cIdx[ia]][i]
				for ib, cb := range b.cart {
					c := cA * b.coef[b.cIdx[ib]][j]
					row := e[(ia*sp.nb+ib)*sp.nh:]
					for h := 0; h < sp.nh; h++ {
						tuv := hermIdx[h]
						if tuv[0] > ca[0]+cb[0] || tuv[1] > ca[1]+cb[1] || tuv[2] > ca[2]+cb[2] {
							continue
						}
						row[h] = c * ex[idx(ca[0], cb[0], tuv[0])] * ey[idx(ca[1], cb[1], tuv[1])] * ez[idx(ca[2], cb[2], tuv[2])]
					}
				}
			}
			if !deriv {
				continue
			}
			dbase := len(sp.dE)
			sp.dE = append(sp.dE, make([]float64, 6*sp.nab*sp.nh1)...)
			de := sp.dE[dbase:]
			tabs := [3][]float64{ex, ey, ez}
			for ia, ca := range a.cart {
				cA := a.coef[a.cIdx[ia]][i]
				for ib, cb := range b.cart {
					c := cA * b.coef[b.cIdx[ib]][j]
					for k := 0; k < 6; k++ {
						dir := k % 3
						onA := k < 3
						row := de[(k*sp.nab+ia*sp.nb+ib)*sp.nh1:]
						for h := 0; h < sp.nh1; h++ {
							tuv := hermIdx[h]
							v := c
							for x := 0; x < 3; x++ {
								ii, jj, tt := ca[x], cb[x], tuv[x]
								if x != dir {
									if tt > ii+jj {
										v = 0
										break
									}
									v *= tabs[x][idx(ii, jj, tt)]
									continue
								}
								var dv float64
								if onA {
									if tt <= ii+1+jj {
										dv = 2 * al * tabs[x][idx(ii+1, jj, tt)]
									}
									if ii > 0 && tt <= ii-1+jj {
										dv -= float64(ii) * tabs[x][idx(ii-1, jj, tt)]
									}
								} else {
									if tt <= ii+jj+1 {
										dv = 2 * be * tabs[x][idx(ii, jj+1, tt)]
									}
									if jj > 0 && tt <= ii+jj-1 {
										dv -= float64(jj) * tabs[x][idx(ii, jj-1, tt)]
									}
								}
								v *= dv
							}
							row[h] = v
						}
					}
				}
			}
		}
	}
	sp.np = len(sp.p)
	sp.nzOff = make([]int32, 1, sp.nab+1)
	if deriv {
		sp.ndOff = make([]int32, 1, sp.nab+1)
	}
	for _, ca := range a.cart {
		for _, cb := range b.cart {
			var sum [3]int
			for x := 0; x < 3; x++ {
				sum[x] = ca[x] + cb[x]
			}
			for h := 0; h < sp.nh; h++ {
				tuv := hermIdx[h]
				if tuv[0] <= sum[0] && tuv[1] <= sum[1] && tuv[2] <= sum[2] {
					sp.nzH = append(sp.nzH, int32(h))
				}
			}
			sp.nzOff = append(sp.nzOff, int32(len(sp.nzH)))
			if !deriv {
				continue
			}
			for h := 0; h < sp.nh1; h++ {
				tuv := hermIdx[h]
				for x := 0; x < 3; x++ {
					ok := true
					for y := 0; y < 3; y++ {
						lim := sum[y]
						if y == x {
							lim++
						}
						if tuv[y] > lim {
							ok = false
						}
					}
					if ok {
						sp.ndH = append(sp.ndH, int32(h))
						break
					}
				}
			}
			sp.ndOff = append(sp.ndOff, int32(len(sp.ndH)))
		}
	}
	sp.Es = make([]float64, len(sp.E))
	for ip := 0; ip < sp.np; ip++ {
		for ab := 0; ab < sp.nab; ab++ {
			o := (ip*sp.nab + ab) * sp.nh
			for h := 0; h < sp.nh; h++ {
				sp.Es[o+h] = sp.E[o+h] * hermSign[h]
			}
		}
	}
	if deriv {
		blk := sp.nab * sp.nh1
		sp.dNZ = make([][]int32, sp.np*6)
		for r := range sp.dNZ {
			var nz []int32
			for i, v := range sp.dE[r*blk : (r+1)*blk] {
				if v != 0 {
					nz = append(nz, int32(i))
				}
			}
			sp.dNZ[r] = nz
		}
		sp.dEs = make([]float64, len(sp.dE))
		for r := 0; r < len(sp.dE)/sp.nh1; r++ {
			for h := 0; h < sp.nh1; h++ {
				sp.dEs[r*sp.nh1+h] = sp.dE[r*sp.nh1+h] * hermSign[h]
			}
		}
	}
	return sp
}

func maxAbsCoef(s *shell) []float64 {
	out := make([]float64, len(s.exps))
	for _, c := range s.coef {
		for i, v := range c {
			if math.Abs(v) > out[i] {
				out[i] = math.Abs(v)
			}
		}
	}
	return out
}

// eriWork is per-goroutine scratch space for two-electron integrals.
type eriWork struct {
	f    [maxHermL + 2]float64
	rbuf []float64
	y    []float64
	rr   []float64
	rm   []float64
	tr   []float64
}

func newERIWork() *eriWork {
	ensureBoys()
	return &eriWork{
		rbuf: make([]float64, 2*maxStride*maxStride*maxStride),
		rr:   make([]float64, nherm(maxHermL)),
		rm:   make([]float64, nherm(2*maxL+1)*nherm(2*maxL+1)),
	}
}

const twoPi52 = 34.98683665524972 // 2*pi^(5/2)

// quartet computes the contracted block (ab|cd) for all cartesian
// components, out[(ab)*ncd+cd], ab = a*nb+b, cd = c*nd+d.
func (w *eriWork) quartet(bra, ket *shellPair, out []float64) {
	if ket.nab > bra.nab {
		// the work per primitive quartet scales with the ket size: compute
		// (cd|ab) and transpose
		nab, ncd := bra.nab, ket.nab
		w.tr = grow(w.tr, nab*ncd)
		w.quartetOriented(ket, bra, w.tr)
		for cd := 0; cd < ncd; cd++ {
			row := w.tr[cd*nab : (cd+1)*nab]
			for ab, v := range row {
				out[ab*ncd+cd] = v
			}
		}
		return
	}
	w.quartetOriented(bra, ket, out)
}

func (w *eriWork) quartetOriented(bra, ket *shellPair, out []float64) {
	nab, ncd := bra.nab, ket.nab
	nhb, nhk := bra.nh, ket.nh
	L := bra.L + ket.L
	s := L + 1
	out = out[:nab*ncd]
	for i := range out {
		out[i] = 0
	}
	if cap(w.y) < nhb*ncd {
		w.y = make([]float64, nhb*ncd)
	}
	y := w.y[:nhb*ncd]
	off := hermOff[s]
	f := w.f[:]
	for ip := 0; ip < bra.np; ip++ {
		for i := range y {
			y[i] = 0
		}
		p := bra.p[ip]
		P := bra.P[ip]
		for iq := 0; iq < ket.np; iq++ {
			q := ket.p[iq]
			Q := ket.P[iq]
			pq := p + q
			alpha := p * q / pq
			x, yy, z := P[0]-Q[0], P[1]-Q[1], P[2]-Q[2]
			boys(L, alpha*(x*x+yy*yy+z*z), f)
			pref := twoPi52 / (p * q * math.Sqrt(pq))
			eq := ket.Es[iq*ncd*nhk : (iq+1)*ncd*nhk]
			if L == 0 {
				v := pref * f[0]
				for cd := 0; cd < ncd; cd++ {
					y[cd] += v * eq[cd]
				}
				continue
			}
			r := hermiteR(L, alpha, x, yy, z, f, w.rbuf)
			rm := w.rm[:nhb*nhk]
			for hb := 0; hb < nhb; hb++ {
				base := off[hb]
				row := rm[hb*nhk : (hb+1)*nhk]
				for hk := range row {
					row[hk] = pref * r[base+off[hk]]
				}
			}
			// y[hb][cd] += sum_hk rm[hb][hk] eq[cd][hk]
			gemmNT(nhb, ncd, nhk, rm, eq, y, ncd)
		}
		ep := bra.E[ip*nab*nhb : (ip+1)*nab*nhb]
		for ab := 0; ab < nab; ab++ {
			orow := out[ab*ncd : (ab+1)*ncd]
			erow := ep[ab*nhb : (ab+1)*nhb]
			for hb, e := range erow {
				if e == 0 {
					continue
				}
				yrow := y[hb*ncd : (hb+1)*ncd]
				for cd, yv := range yrow {
					orow[cd] += e * yv
				}
			}
		}
	}
}
