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
	ip        []float64 // 1/p
	P         [][3]float64
	E, Es     []float64
	dE, dEs   []float64
	dNZOff    []int32 // CSR over ip*6+k of the nonzero entries of dE (see dNZ)
	dNZIdx    []int32
	withDeriv bool
	// nzOff/nzH list, per cartesian pair ab, the Hermite indices h < nh
	// for which E can be nonzero (t <= ia_x+ib_x, ...): nzH[nzOff[ab]:nzOff[ab+1]].
	nzOff, nzH []int32
	// ndOff/ndH list, per ab, the indices h < nh1 for which any of the six
	// derivative coefficients dE can be nonzero (with derivatives only).
	ndOff, ndH []int32
}

// newShellPair fills sp (zero on entry) for shells m and n; its arrays
// come from ws.
func newShellPair(ws *workspace, sp *shellPair, m, n int, a, b *shell, deriv bool) {
	ensureTables()
	*sp = shellPair{m: m, n: n, a: a, b: b, na: a.ncart(), nb: b.ncart(), withDeriv: deriv}
	sp.nab = sp.na * sp.nb
	sp.L = a.lmax + b.lmax
	sp.nh = nherm(sp.L)
	sp.nh1 = nherm(sp.L + 1)
	d := 0
	if deriv {
		d = 1
	}
	et := newETables(ws, a.lmax+d, b.lmax+d)
	prims := sp.screenPrimitives(ws)
	np, nab, nh, nh1 := len(prims), sp.nab, sp.nh, sp.nh1
	sp.np = np
	sp.p, sp.ip, sp.P = ws.floats(np), ws.floats(np), ws.vec3s(np)
	sp.E, sp.Es = ws.floats(np*nab*nh), ws.floats(np*nab*nh)
	if deriv {
		sp.dE, sp.dEs = ws.floats(np*6*nab*nh1), ws.floats(np*6*nab*nh1)
	}
	cps := ws.cartBuf(nab)
	for ia, ca := range a.cart {
		for ib, cb := range b.cart {
			cps = append(cps, cartPair{ia, ib, ca, cb})
		}
	}
	for ip, pr := range prims {
		sp.setPrimitive(et, ip, pr)
		sp.hermiteE(et, ip, pr, cps)
		if deriv {
			sp.hermiteDE(et, ip, pr, cps)
		}
	}
	sp.indexNonzero(ws, cps)
	if deriv {
		sp.indexDerivatives(ws)
	}
}

// eTables are the one-dimensional Hermite expansion tables of one
// primitive pair, E[x][(i*jd+j)*td+t] for powers i <= imax, j <= jmax.
type eTables struct {
	tabs               [3][]float64
	imax, jmax, td, jd int
}

func newETables(ws *workspace, imax, jmax int) *eTables {
	et := &eTables{imax: imax, jmax: jmax, td: imax + jmax + 1, jd: jmax + 1}
	esz := (imax + 1) * et.jd * et.td
	ex := ws.floats(3 * esz)
	et.tabs = [3][]float64{ex[:esz], ex[esz : 2*esz], ex[2*esz:]}
	return et
}

func (et *eTables) idx(i, j, t int) int { return (i*et.jd+j)*et.td + t }

// screenPrimitives returns the primitive pairs whose coefficient-weighted
// Gaussian product prefactor reaches primScreen.
func (sp *shellPair) screenPrimitives(ws *workspace) []pairPrim {
	a, b := sp.a, sp.b
	r2 := 0.0
	for k := 0; k < 3; k++ {
		r2 += (a.pos[k] - b.pos[k]) * (a.pos[k] - b.pos[k])
	}
	cmaxA, cmaxB := maxAbsCoef(a), maxAbsCoef(b)
	prims := ws.primBuf(len(a.exps) * len(b.exps))
	for i, al := range a.exps {
		for j, be := range b.exps {
			mu := al * be / (al + be)
			if math.Exp(-mu*r2)*cmaxA[i]*cmaxB[j] < primScreen {
				continue
			}
			prims = append(prims, pairPrim{i, j})
		}
	}
	return prims
}

// setPrimitive stores primitive pair ip's exponent and centre and fills
// the Hermite tables for it.
func (sp *shellPair) setPrimitive(et *eTables, ip int, pr pairPrim) {
	a, b := sp.a, sp.b
	al, be := a.exps[pr.i], b.exps[pr.j]
	p := al + be
	mu := al * be / p
	var P [3]float64
	for k := 0; k < 3; k++ {
		P[k] = (al*a.pos[k] + be*b.pos[k]) / p
	}
	for x := 0; x < 3; x++ {
		abx := a.pos[x] - b.pos[x]
		etab(et.tabs[x], et.imax, et.jmax, p, P[x]-a.pos[x], P[x]-b.pos[x], math.Exp(-mu*abx*abx))
	}
	sp.p[ip] = p
	sp.ip[ip] = 1 / p
	sp.P[ip] = P
}

// hermiteE fills E and Es of primitive pair ip.
func (sp *shellPair) hermiteE(et *eTables, ip int, pr pairPrim, cps []cartPair) {
	a, b, nab, nh := sp.a, sp.b, sp.nab, sp.nh
	tabs := et.tabs
	e := sp.E[ip*nab*nh : (ip+1)*nab*nh]
	es := sp.Es[ip*nab*nh : (ip+1)*nab*nh]
	for abi, cp := range cps {
		ca, cb := cp.ca, cp.cb
		c := a.coef[a.cIdx[cp.ia]][pr.i] * b.coef[b.cIdx[cp.ib]][pr.j]
		row := e[abi*nh : (abi+1)*nh]
		srow := es[abi*nh : (abi+1)*nh]
		o0, o1, o2 := et.idx(ca[0], cb[0], 0), et.idx(ca[1], cb[1], 0), et.idx(ca[2], cb[2], 0)
		for h := range row {
			tuv := hermIdx[h]
			if tuv[0] > ca[0]+cb[0] || tuv[1] > ca[1]+cb[1] || tuv[2] > ca[2]+cb[2] {
				continue
			}
			v := c * tabs[0][o0+tuv[0]] * tabs[1][o1+tuv[1]] * tabs[2][o2+tuv[2]]
			row[h] = v
			srow[h] = v * hermSign[h]
		}
	}
}

// hermiteDE fills dE and dEs of primitive pair ip: the Hermite
// coefficients of the six centre derivatives.
func (sp *shellPair) hermiteDE(et *eTables, ip int, pr pairPrim, cps []cartPair) {
	a, b, nab, nh1 := sp.a, sp.b, sp.nab, sp.nh1
	al, be := a.exps[pr.i], b.exps[pr.j]
	de := sp.dE[ip*6*nab*nh1 : (ip+1)*6*nab*nh1]
	des := sp.dEs[ip*6*nab*nh1 : (ip+1)*6*nab*nh1]
	for abi, cp := range cps {
		ca, cb := cp.ca, cp.cb
		c := a.coef[a.cIdx[cp.ia]][pr.i] * b.coef[b.cIdx[cp.ib]][pr.j]
		var oE, oAp, oAm, oBp, oBm [3]int
		var fa, fb [3]float64
		for x := 0; x < 3; x++ {
			ii, jj := ca[x], cb[x]
			oE[x] = et.idx(ii, jj, 0)
			oAp[x] = et.idx(ii+1, jj, 0)
			oBp[x] = et.idx(ii, jj+1, 0)
			oAm[x], oBm[x] = -1, -1
			if ii > 0 {
				oAm[x] = et.idx(ii-1, jj, 0)
			}
			if jj > 0 {
				oBm[x] = et.idx(ii, jj-1, 0)
			}
			fa[x], fb[x] = float64(ii), float64(jj)
		}
		for h := 0; h < nh1; h++ {
			tuv := hermIdx[h]
			var ev, dav, dbv [3]float64
			for x := 0; x < 3; x++ {
				tt := tuv[x]
				t := et.tabs[x]
				ev[x] = t[oE[x]+tt]
				dav[x] = 2 * al * t[oAp[x]+tt]
				if oAm[x] >= 0 {
					dav[x] -= fa[x] * t[oAm[x]+tt]
				}
				dbv[x] = 2 * be * t[oBp[x]+tt]
				if oBm[x] >= 0 {
					dbv[x] -= fb[x] * t[oBm[x]+tt]
				}
			}
			sg := hermSign[h]
			for k := 0; k < 6; k++ {
				dir := k % 3
				dv := dav[dir]
				if k >= 3 {
					dv = dbv[dir]
				}
				v := c
				for x := 0; x < 3; x++ {
					if x == dir {
						v *= dv
					} else {
						v *= ev[x]
					}
				}
				o := (k*nab+abi)*nh1 + h
				de[o] = v
				des[o] = v * sg
			}
		}
	}
}

// indexNonzero lists, per cartesian pair, the Hermite indices where E
// (and, with derivatives, any of the dE) can be nonzero.
func (sp *shellPair) indexNonzero(ws *workspace, cps []cartPair) {
	nab, nh, nh1 := sp.nab, sp.nh, sp.nh1
	sp.nzOff = ws.ints(nab + 1)[:1]
	sp.nzH = ws.ints(nab * nh)[:0]
	if sp.withDeriv {
		sp.ndOff = ws.ints(nab + 1)[:1]
		sp.ndH = ws.ints(nab * nh1)[:0]
	}
	for _, cp := range cps {
		var sum [3]int
		for x := 0; x < 3; x++ {
			sum[x] = cp.ca[x] + cp.cb[x]
		}
		for h := 0; h < nh; h++ {
			if withinHermite(hermIdx[h], sum, -1) {
				sp.nzH = append(sp.nzH, int32(h))
			}
		}
		sp.nzOff = append(sp.nzOff, int32(len(sp.nzH)))
		if !sp.withDeriv {
			continue
		}
		for h := 0; h < nh1; h++ {
			for x := 0; x < 3; x++ {
				if withinHermite(hermIdx[h], sum, x) {
					sp.ndH = append(sp.ndH, int32(h))
					break
				}
			}
		}
		sp.ndOff = append(sp.ndOff, int32(len(sp.ndH)))
	}
}

// withinHermite says whether tuv <= sum componentwise, with one more in
// direction up (none if up < 0).
func withinHermite(tuv [3]int, sum [3]int, up int) bool {
	for y := 0; y < 3; y++ {
		lim := sum[y]
		if y == up {
			lim++
		}
		if tuv[y] > lim {
			return false
		}
	}
	return true
}

// indexDerivatives lists the nonzero entries of each derivative block of dE.
func (sp *shellPair) indexDerivatives(ws *workspace) {
	blk := sp.nab * sp.nh1
	cnt := 0
	for _, v := range sp.dE {
		if v != 0 {
			cnt++
		}
	}
	sp.dNZOff = ws.ints(sp.np*6 + 1)[:1]
	sp.dNZIdx = ws.ints(cnt)[:0]
	for r := 0; r < sp.np*6; r++ {
		for i, v := range sp.dE[r*blk : (r+1)*blk] {
			if v != 0 {
				sp.dNZIdx = append(sp.dNZIdx, int32(i))
			}
		}
		sp.dNZOff = append(sp.dNZOff, int32(len(sp.dNZIdx)))
	}
}

// dNZ returns the indices of the nonzero entries of derivative block
// ip*6+k of dE.
func (sp *shellPair) dNZ(r int) []int32 {
	return sp.dNZIdx[sp.dNZOff[r]:sp.dNZOff[r+1]]
}

// pairPrim is a surviving primitive pair (scratch of newShellPair).
type pairPrim struct{ i, j int }

// cartPair is a pair of cartesian components (scratch of newShellPair).
type cartPair struct {
	ia, ib int
	ca, cb [3]int
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
	ensureTables()
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
	w.quartetF(bra, ket, out, nil)
}

// quartetF is quartet that also stores F_0..F_{L+1} of each primitive
// quartet (bra primitive pair major) in fc, unless fc is nil.
func (w *eriWork) quartetF(bra, ket *shellPair, out, fc []float64) {
	if ket.nab > bra.nab {
		// the work per primitive quartet scales with the ket size: compute
		// (cd|ab) and transpose
		nab, ncd := bra.nab, ket.nab
		w.tr = grow(w.tr, nab*ncd)
		w.quartetOriented(ket, bra, w.tr, fc, true)
		for cd := 0; cd < ncd; cd++ {
			row := w.tr[cd*nab : (cd+1)*nab]
			for ab, v := range row {
				out[ab*ncd+cd] = v
			}
		}
		return
	}
	w.quartetOriented(bra, ket, out, fc, false)
}

// quartetOriented computes (bra|ket); fc (if not nil) receives the Boys
// function values of the quartet with the pairs exchanged when swapped.
func (w *eriWork) quartetOriented(bra, ket *shellPair, out, fc []float64, swapped bool) {
	nab, ncd := bra.nab, ket.nab
	nhb, nhk := bra.nh, ket.nh
	L := bra.L + ket.L
	s := L + 1
	out = out[:nab*ncd]
	clear(out)
	// y[cd][hb] = sum_q pref sum_hk Es_q[cd][hk] R[hb+hk], over the
	// nonzero Es only
	w.y = grow(w.y, ncd*nhb)
	y := w.y
	off := hermOff[s]
	offb := off[:nhb]
	f := w.f[:]
	gather := len(ket.nzH) <= nhk
	for ip := 0; ip < bra.np; ip++ {
		clear(y)
		p := bra.p[ip]
		P := bra.P[ip]
		for iq := 0; iq < ket.np; iq++ {
			q := ket.p[iq]
			Q := ket.P[iq]
			pq := p + q
			ipq := 1 / pq
			alpha := p * q * ipq
			x, yy, z := P[0]-Q[0], P[1]-Q[1], P[2]-Q[2]
			if fc != nil {
				boys(L+1, alpha*(x*x+yy*yy+z*z), f)
				k := ip*ket.np + iq
				if swapped {
					k = iq*bra.np + ip
				}
				copy(fc[k*(L+2):(k+1)*(L+2)], f[:L+2])
			} else {
				boys(L, alpha*(x*x+yy*yy+z*z), f)
			}
			// 2 pi^(5/2) / (p q sqrt(p+q)) with one division
			pref := twoPi52 * bra.ip[ip] * ket.ip[iq] * math.Sqrt(pq) * ipq
			eq := ket.Es[iq*ncd*nhk : (iq+1)*ncd*nhk]
			if L == 0 {
				v := pref * f[0]
				eq = eq[:ncd]
				for cd, e := range eq {
					y[cd] += v * e
				}
				continue
			}
			r := hermiteR(L, alpha, x, yy, z, f, w.rbuf)
			if gather {
				for cd := 0; cd < ncd; cd++ {
					erow := eq[cd*nhk : (cd+1)*nhk]
					yrow := y[cd*nhb : (cd+1)*nhb]
					yrow = yrow[:len(offb)]
					for _, h := range ket.nzH[ket.nzOff[cd]:ket.nzOff[cd+1]] {
						e := pref * erow[h]
						if e == 0 {
							continue
						}
						rr := r[off[h]:]
						for k, o := range offb {
							yrow[k] += e * rr[o]
						}
					}
				}
				continue
			}
			rm := w.rm[:nhk*nhb]
			for hk := 0; hk < nhk; hk++ {
				rr := r[off[hk]:]
				row := rm[hk*nhb : (hk+1)*nhb]
				for k, o := range offb {
					row[k] = rr[o]
				}
			}
			for cd := 0; cd < ncd; cd++ {
				erow := eq[cd*nhk : (cd+1)*nhk]
				yrow := y[cd*nhb : (cd+1)*nhb]
				for _, h := range ket.nzH[ket.nzOff[cd]:ket.nzOff[cd+1]] {
					e := pref * erow[h]
					if e == 0 {
						continue
					}
					rr := rm[int(h)*nhb : int(h)*nhb+nhb]
					rr = rr[:len(yrow)]
					for k, v := range rr {
						yrow[k] += e * v
					}
				}
			}
		}
		// out[ab][cd] += sum_hb E_p[ab][hb] y[cd][hb]
		ep := bra.E[ip*nab*nhb : (ip+1)*nab*nhb]
		for ab := 0; ab < nab; ab++ {
			orow := out[ab*ncd : (ab+1)*ncd]
			erow := ep[ab*nhb : (ab+1)*nhb]
			nz := bra.nzH[bra.nzOff[ab]:bra.nzOff[ab+1]]
			for cd := range orow {
				yrow := y[cd*nhb : (cd+1)*nhb]
				sum := 0.0
				for _, h := range nz {
					sum += erow[h] * yrow[h]
				}
				orow[cd] += sum
			}
		}
	}
}
