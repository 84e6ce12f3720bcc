package hf

import "math"

// twoPDM is a symmetrised two-particle density in the AO basis:
//
//	Gamma_abcd = 1/2 B(D, Q) + 1/2 B(Q, D) + gamma_(ab)(cd)
//	B(X, Y)_abcd = 1/2 [Xt_ab Yt_cd - 1/2 sum_s (Xs_ac Ys_bd + Xs_ad Ys_bc)]
//
// D the reference spin densities, Q = D + 2 P with P the spin densities of
// a correlation correction (Q = D when qs is nil, the Hartree-Fock
// density) and gamma a non-separable part over function pairs (nil for
// Hartree-Fock).
type twoPDM struct {
	dt []float64    // total reference density
	ds [2][]float64 // reference spin densities
	qt []float64    // total Q, or nil
	qs [2][]float64 // spin Q, or nil
	// gamma[p*npair+q], p and q packed pairs a >= b, or nil; gmax holds
	// max |gamma| over each shell pair's rows, for screening.
	gamma []float64
	gmax  []float64
}

// densityMax returns max |D| over the functions of each shell pair (M, N),
// over all given densities, for screening.
func (sys *system) densityMax(ds ...[]float64) []float64 {
	n := sys.bs.nbf
	ns := len(sys.bs.shells)
	dmax := make([]float64, ns*ns)
	for M, a := range sys.bs.shells {
		for N, b := range sys.bs.shells {
			mx := 0.0
			for i := 0; i < a.ncart(); i++ {
				for j := 0; j < b.ncart(); j++ {
					for _, d := range ds {
						mx = math.Max(mx, math.Abs(d[(a.off+i)*n+b.off+j]))
					}
				}
			}
			dmax[M*ns+N] = mx
		}
	}
	return dmax
}

// twoElectronGradient adds sum_abcd Gamma_abcd d(ab|cd)/dX.
func (sys *system) twoElectronGradient(p *twoPDM, g []float64) error {
	natom := len(sys.atoms)
	quartets := sys.uniqueQuartets()
	dmax := sys.densityMax(p.dt, p.ds[0], p.ds[1])
	if p.qt != nil {
		dmax = sys.densityMax(p.dt, p.ds[0], p.ds[1], p.qt, p.qs[0], p.qs[1])
	}
	nw := sys.threads
	chunks := splitByWork(len(quartets), gradChunks, func(i int) float64 { return 2 * sys.quartetCost(quartets[i]) })
	partial := make([][]float64, len(chunks))
	gall := sys.ws.floats(len(chunks) * 3 * natom) // one partial gradient per chunk
	works := sys.ws.gradWorks(nw)
	err := parallelFor(nw, len(chunks), func(wk, c int) {
		if works[wk] == nil {
			works[wk] = newGradWork()
		}
		gc := gall[c*3*natom : (c+1)*3*natom]
		for _, q := range quartets[chunks[c][0]:chunks[c][1]] {
			works[wk].quartet(sys, q, dmax, p, gc)
		}
		partial[c] = gc
	})
	if err != nil {
		return err
	}
	for _, gc := range partial {
		for i, v := range gc {
			g[i] += v
		}
	}
	return nil
}

// gradWork is per-goroutine scratch for two-electron gradient integrals.
type gradWork struct {
	G, gk, xq, mp, tq, rm []float64
	f                     []float64
	rbuf                  []float64
}

func newGradWork() *gradWork {
	ensureTables()
	return &gradWork{
		f:    make([]float64, maxHermL+2),
		rbuf: make([]float64, 2*maxStride*maxStride*maxStride),
		rm:   make([]float64, nherm(2*maxL+1)*nherm(2*maxL+2)),
	}
}

// quartet adds the gradient contribution of one unique shell quartet.
//
// The quartet is oriented so that the bra pair has fewer cartesian
// components. With G the (degeneracy-weighted) two-particle density block,
//
//	bra derivatives: M_p[ab][t'] = sum_q pref sum_hk R[t'+hk] (G Es_q)[ab][hk],
//	                 dE/dA = sum_p dE_p^A . M_p
//	ket derivatives: X_q[ab][k'] = sum_p pref sum_hb E_p[ab][hb] R[hb+k'],
//	                 dE/dC = sum_q dEs_q^C . (G^T X_q)
//
// so the per-primitive-quartet work scales with the smaller pair.
func (w *gradWork) quartet(sys *system, q quartetRec, dmax []float64, p *twoPDM, g []float64) {
	if sys.gradNegligible(q, dmax, p) {
		return
	}
	j, ok := orientQuartet(sys, q)
	if !ok {
		return
	}
	w.G = grow(w.G, j.bra.nab*j.ket.nab)
	if p.qt == nil {
		p.fillHF(w.G, j.bra, j.ket, sys.bs.nbf, j.deg)
	} else {
		p.fillCorrelated(w.G, j.bra, j.ket, sys.bs.nbf, j.deg)
	}
	gA, gB := w.primitives(j)
	var gC, gD [3]float64
	if j.doKet {
		gC, gD = w.ketDerivatives(j)
	}
	j.scatter(g, gA, gB, gC, gD)
}

// gradNegligible says whether quartet q's gradient contribution is below
// gradScreen for the densities bounded by dmax and p.gmax.
func (sys *system) gradNegligible(q quartetRec, dmax []float64, p *twoPDM) bool {
	ns := len(sys.bs.shells)
	bra, ket := sys.pairs[q.bra], sys.pairs[q.ket]
	s1, s2, s3, s4 := bra.m, bra.n, ket.m, ket.n
	dm := math.Max(dmax[s1*ns+s2]*dmax[s3*ns+s4],
		math.Max(dmax[s1*ns+s3]*dmax[s2*ns+s4], dmax[s1*ns+s4]*dmax[s2*ns+s3]))
	if p.gmax != nil {
		dm += math.Min(p.gmax[q.bra], p.gmax[q.ket])
	}
	return dm*sys.schwarz[q.bra]*sys.schwarz[q.ket] < gradScreen
}

// gradQuartet is a shell quartet oriented for its gradient: the bra pair
// has fewer cartesian components.
type gradQuartet struct {
	bra, ket      *shellPair
	deg           float64   // permutational degeneracy
	fc            []float64 // cached Boys function values, or nil
	swapped       bool      // bra and ket exchanged relative to fc
	doBra, doKet  bool      // which pairs' derivatives are computed
	atA, atB, atC int
	atD           int
}

// orientQuartet orients quartet q; false for a one-centre quartet, whose
// gradient is zero.
func orientQuartet(sys *system, q quartetRec) (gradQuartet, bool) {
	bra, ket := sys.pairs[q.bra], sys.pairs[q.ket]
	j := gradQuartet{deg: 1, doBra: true, doKet: true}
	if bra.m != bra.n {
		j.deg *= 2
	}
	if ket.m != ket.n {
		j.deg *= 2
	}
	if q.bra != q.ket {
		j.deg *= 2
	}
	if sys.boysF != nil {
		j.fc = sys.boysF[q.boff : q.boff+bra.np*ket.np*(bra.L+ket.L+2)]
	}
	if bra.nab > ket.nab {
		bra, ket = ket, bra
		j.swapped = true
	}
	j.bra, j.ket = bra, ket
	// A shell quartet depends only on relative positions, so its four
	// centre derivatives add up to zero. When one pair sits on a single
	// atom, only the other pair's derivatives are computed; a one-centre
	// quartet contributes nothing.
	j.atA, j.atB, j.atC, j.atD = bra.a.atom, bra.b.atom, ket.a.atom, ket.b.atom
	braOne, ketOne := j.atA == j.atB, j.atC == j.atD
	if braOne && ketOne && j.atA == j.atC {
		return j, false
	}
	if ketOne {
		j.doKet = false
	} else if braOne {
		j.doBra = false
	}
	return j, true
}

// primitives runs over the primitive quartets: it returns the bra centre
// derivatives (if j.doBra) and leaves X_q in w.xq for the ket side (if
// j.doKet).
func (w *gradWork) primitives(j gradQuartet) (gA, gB [3]float64) {
	bra, ket := j.bra, j.ket
	nab, ncd := bra.nab, ket.nab
	G := w.G
	L := bra.L + ket.L + 1
	off := hermOff[L+1]
	nhb, nhk := bra.nh, ket.nh
	nhb1, nhk1 := bra.nh1, ket.nh1
	var gk, xq, mp []float64
	if j.doBra {
		// Gk_q[ab][hk] = sum_cd G[ab][cd] Es_q[cd][hk]
		w.gk = grow(w.gk, ket.np*nab*nhk)
		gk = w.gk
		for iq := 0; iq < ket.np; iq++ {
			gemm(1, asIs(asMatrix(G, nab, ncd)), asIs(asMatrix(ket.Es[iq*ncd*nhk:], ncd, nhk)), 0, asMatrix(gk[iq*nab*nhk:], nab, nhk))
		}
		w.mp = grow(w.mp, nab*nhb1)
		mp = w.mp
	}
	if j.doKet {
		w.xq = grow(w.xq, ket.np*nab*nhk1)
		xq = w.xq
		clear(xq)
	}
	rm, f, rbuf := w.rm, w.f, w.rbuf
	for ip := 0; ip < bra.np; ip++ {
		p := bra.p[ip]
		P := bra.P[ip]
		ep := bra.E[ip*nab*nhb : (ip+1)*nab*nhb]
		if j.doBra {
			clear(mp)
		}
		for iq := 0; iq < ket.np; iq++ {
			qq := ket.p[iq]
			Q := ket.P[iq]
			pq := p + qq
			ipq := 1 / pq
			alpha := p * qq * ipq
			x, y, z := P[0]-Q[0], P[1]-Q[1], P[2]-Q[2]
			if j.fc != nil {
				k := ip*ket.np + iq
				if j.swapped {
					k = iq*bra.np + ip
				}
				f = j.fc[k*(L+1) : (k+1)*(L+1)]
			} else {
				boys(L, alpha*(x*x+y*y+z*z), f)
			}
			pref := twoPi52 * bra.ip[ip] * ket.ip[iq] * math.Sqrt(pq) * ipq
			if L == 1 {
				ssssDerivatives(j, gk, mp, xq, ep, iq, nab, alpha, pref, x, y, z, f)
				continue
			}
			r := hermiteR(L, alpha, x, y, z, f, rbuf)
			if j.doBra {
				gradBraSide(r, off, gk[iq*nab*nhk:(iq+1)*nab*nhk], mp, rm, nab, nhk, nhb1, bra.ndOff, bra.ndH, pref)
			}
			if j.doKet {
				gradKetSide(r, off, ep, xq[iq*nab*nhk1:(iq+1)*nab*nhk1], rm, nab, nhb, nhk1, bra.nzOff, bra.nzH, pref)
			}
		}
		if j.doBra {
			braDerivatives(bra, ip, mp, &gA, &gB)
		}
	}
	return gA, gB
}

// ssssDerivatives is the (ss|ss) case of the primitive loop:
// R_000 = F0, R_100 = -2 alpha x F1, ... (nhk = nhb = 1, nhb1 = nhk1 = 4;
// nab > 1 for merged contractions).
func ssssDerivatives(j gradQuartet, gk, mp, xq, ep []float64, iq, nab int, alpha, pref, x, y, z float64, f []float64) {
	m2 := -2 * alpha * f[1] * pref
	r0, rx, ry, rz := pref*f[0], m2*x, m2*y, m2*z
	if j.doBra {
		for ab, gq := range gk[iq*nab : (iq+1)*nab] {
			m := mp[4*ab : 4*ab+4]
			m[0] += gq * r0
			m[1] += gq * rx
			m[2] += gq * ry
			m[3] += gq * rz
		}
	}
	if j.doKet {
		xqq := xq[iq*nab*4 : (iq+1)*nab*4]
		for ab, e0 := range ep[:nab] {
			xr := xqq[4*ab : 4*ab+4]
			xr[0] += e0 * r0
			xr[1] += e0 * rx
			xr[2] += e0 * ry
			xr[3] += e0 * rz
		}
	}
}

// braDerivatives adds dE_p^A . M_p and dE_p^B . M_p of bra primitive ip.
func braDerivatives(bra *shellPair, ip int, mp []float64, gA, gB *[3]float64) {
	nab, nhb1 := bra.nab, bra.nh1
	de := bra.dE[ip*6*nab*nhb1 : (ip+1)*6*nab*nhb1]
	for k := 0; k < 6; k++ {
		dk := de[k*nab*nhb1 : (k+1)*nab*nhb1]
		sum := 0.0
		for _, i := range bra.dNZ(ip*6 + k) {
			sum += dk[i] * mp[i]
		}
		if k < 3 {
			gA[k] += sum
		} else {
			gB[k-3] += sum
		}
	}
}

// ketDerivatives returns the ket centre derivatives from w.xq (C only when
// the bra side was computed: D then follows from invariance).
func (w *gradWork) ketDerivatives(j gradQuartet) (gC, gD [3]float64) {
	bra, ket := j.bra, j.ket
	nab, ncd, nhk1 := bra.nab, ket.nab, ket.nh1
	nk := 3
	if !j.doBra {
		nk = 6
	}
	w.tq = grow(w.tq, ncd*nhk1)
	tq := w.tq
	for iq := 0; iq < ket.np; iq++ {
		// tq[cd][hk1] = sum_ab G[ab][cd] X_q[ab][hk1]
		gemm(1, tr(asMatrix(w.G, nab, ncd)), asIs(asMatrix(w.xq[iq*nab*nhk1:], nab, nhk1)), 0, asMatrix(tq, ncd, nhk1))
		de := ket.dEs[iq*6*ncd*nhk1 : (iq+1)*6*ncd*nhk1]
		for k := 0; k < nk; k++ {
			dk := de[k*ncd*nhk1 : (k+1)*ncd*nhk1]
			sum := 0.0
			for _, i := range ket.dNZ(iq*6 + k) {
				sum += dk[i] * tq[i]
			}
			if k < 3 {
				gC[k] += sum
			} else {
				gD[k-3] += sum
			}
		}
	}
	return gC, gD
}

// scatter adds the centre derivatives to the atoms' gradient rows, the
// missing centre's by translational invariance.
func (j gradQuartet) scatter(g []float64, gA, gB, gC, gD [3]float64) {
	for k := 0; k < 3; k++ {
		switch {
		case !j.doKet:
			g[3*j.atA+k] += gA[k]
			g[3*j.atB+k] += gB[k]
			g[3*j.atC+k] -= gA[k] + gB[k]
		case !j.doBra:
			g[3*j.atA+k] -= gC[k] + gD[k]
			g[3*j.atC+k] += gC[k]
			g[3*j.atD+k] += gD[k]
		default:
			g[3*j.atA+k] += gA[k]
			g[3*j.atB+k] += gB[k]
			g[3*j.atC+k] += gC[k]
			g[3*j.atD+k] -= gA[k] + gB[k] + gC[k]
		}
	}
}

// fill sets G[(f1 f2)][(f3 f4)] = deg elem(b1, b2, b3, b4) over the
// functions b1..b4 of the quartet (bra|ket).
func fill(G []float64, bra, ket *shellPair, deg float64, elem func(b1, b2, b3, b4 int) float64) {
	k := 0
	for b1 := bra.a.off; b1 < bra.a.off+bra.na; b1++ {
		for b2 := bra.b.off; b2 < bra.b.off+bra.nb; b2++ {
			for b3 := ket.a.off; b3 < ket.a.off+ket.na; b3++ {
				for b4 := ket.b.off; b4 < ket.b.off+ket.nb; b4++ {
					G[k] = deg * elem(b1, b2, b3, b4)
					k++
				}
			}
		}
	}
}

// fillHF sets G to deg times the Hartree-Fock two-particle density of the
// quartet (bra|ket).
func (p *twoPDM) fillHF(G []float64, bra, ket *shellPair, n int, deg float64) {
	dt, ds := p.dt, p.ds
	fill(G, bra, ket, deg, func(b1, b2, b3, b4 int) float64 {
		x := 0.0
		for s := 0; s < 2; s++ {
			d := ds[s]
			x += d[b1*n+b3]*d[b2*n+b4] + d[b1*n+b4]*d[b2*n+b3]
		}
		return 0.5 * (dt[b1*n+b2]*dt[b3*n+b4] - 0.5*x)
	})
}

// fillCorrelated sets G to deg times the full two-particle density of
// the quartet (bra|ket): the separable part of D and Q and gamma.
func (p *twoPDM) fillCorrelated(G []float64, bra, ket *shellPair, n int, deg float64) {
	dt, ds, qt, qs := p.dt, p.ds, p.qt, p.qs
	npair := n * (n + 1) / 2
	fill(G, bra, ket, deg, func(b1, b2, b3, b4 int) float64 {
		x := 0.0
		for s := 0; s < 2; s++ {
			d, q := ds[s], qs[s]
			x += d[b1*n+b3]*q[b2*n+b4] + q[b1*n+b3]*d[b2*n+b4] +
				d[b1*n+b4]*q[b2*n+b3] + q[b1*n+b4]*d[b2*n+b3]
		}
		j := dt[b1*n+b2]*qt[b3*n+b4] + qt[b1*n+b2]*dt[b3*n+b4]
		return 0.25*j - 0.125*x + p.gamma[pairIndex(b1, b2)*npair+pairIndex(b3, b4)]
	})
}

func grow(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}

// gradChunks is the fixed number of partial gradients summed in order, so
// that the gradient does not depend on the thread count.
const gradChunks = 32

// gradScreen skips shell quartets whose density-weighted Schwarz bound is
// below it in the two-electron gradient.
const gradScreen = 1e-12

// gradBraSide adds mp[ab][hb1] += pref sum_hk gkq[ab][hk] R[hb1+hk] for
// the (ab, hb1) listed in ndOff/ndH (where some derivative coefficient can
// be nonzero). rm is scratch.
func gradBraSide(r []float64, off []int32, gkq, mp, rm []float64, nab, nhk, nhb1 int, ndOff, ndH []int32, pref float64) {
	offk := off[:nhk]
	if len(ndH) <= nhb1 {
		// few entries: gather R directly
		for ab := 0; ab < nab; ab++ {
			gr := gkq[ab*nhk : (ab+1)*nhk]
			gr = gr[:len(offk)]
			mrow := mp[ab*nhb1 : (ab+1)*nhb1]
			for _, h := range ndH[ndOff[ab]:ndOff[ab+1]] {
				rr := r[off[h]:]
				sum := 0.0
				for k, o := range offk {
					sum += gr[k] * rr[o]
				}
				mrow[h] += pref * sum
			}
		}
		return
	}
	rm1 := rm[:nhb1*nhk]
	for hb := 0; hb < nhb1; hb++ {
		rr := r[off[hb]:]
		row := rm1[hb*nhk : (hb+1)*nhk]
		for hk, o := range offk {
			row[hk] = rr[o]
		}
	}
	switch nhk {
	case 4:
		for ab := 0; ab < nab; ab++ {
			g := (*[4]float64)(gkq[ab*4:])
			mrow := mp[ab*nhb1 : (ab+1)*nhb1]
			for _, h := range ndH[ndOff[ab]:ndOff[ab+1]] {
				rr := (*[4]float64)(rm1[int(h)*4:])
				mrow[h] += pref * ((g[0]*rr[0] + g[2]*rr[2]) + (g[1]*rr[1] + g[3]*rr[3]))
			}
		}
		return
	case 10:
		for ab := 0; ab < nab; ab++ {
			g := (*[10]float64)(gkq[ab*10:])
			mrow := mp[ab*nhb1 : (ab+1)*nhb1]
			for _, h := range ndH[ndOff[ab]:ndOff[ab+1]] {
				rr := (*[10]float64)(rm1[int(h)*10:])
				s0 := g[0]*rr[0] + g[4]*rr[4] + g[8]*rr[8]
				s1 := g[1]*rr[1] + g[5]*rr[5] + g[9]*rr[9]
				s2 := g[2]*rr[2] + g[6]*rr[6]
				s3 := g[3]*rr[3] + g[7]*rr[7]
				mrow[h] += pref * ((s0 + s2) + (s1 + s3))
			}
		}
		return
	}
	for ab := 0; ab < nab; ab++ {
		gr := gkq[ab*nhk : (ab+1)*nhk]
		mrow := mp[ab*nhb1 : (ab+1)*nhb1]
		for _, h := range ndH[ndOff[ab]:ndOff[ab+1]] {
			rr := rm1[int(h)*nhk : int(h)*nhk+nhk]
			rr = rr[:len(gr)]
			// four partial sums: no long dependency chain
			var s0, s1, s2, s3 float64
			k := 0
			for ; k+3 < len(gr); k += 4 {
				s0 += gr[k] * rr[k]
				s1 += gr[k+1] * rr[k+1]
				s2 += gr[k+2] * rr[k+2]
				s3 += gr[k+3] * rr[k+3]
			}
			for ; k < len(gr); k++ {
				s0 += gr[k] * rr[k]
			}
			mrow[h] += pref * ((s0 + s2) + (s1 + s3))
		}
	}
}

// gradKetSide adds xqq[ab][hk1] += pref sum_hb ep[ab][hb] R[hb+hk1] over
// the structurally nonzero ep (nzOff/nzH). rm is scratch.
func gradKetSide(r []float64, off []int32, ep, xqq, rm []float64, nab, nhb, nhk1 int, nzOff, nzH []int32, pref float64) {
	offk1 := off[:nhk1]
	if len(nzH) <= nhb {
		// few entries: gather R directly
		for ab := 0; ab < nab; ab++ {
			erow := ep[ab*nhb : (ab+1)*nhb]
			xrow := xqq[ab*nhk1 : (ab+1)*nhk1]
			xrow = xrow[:len(offk1)]
			for _, h := range nzH[nzOff[ab]:nzOff[ab+1]] {
				e := pref * erow[h]
				if e == 0 {
					continue
				}
				rr := r[off[h]:]
				for k, o := range offk1 {
					xrow[k] += e * rr[o]
				}
			}
		}
		return
	}
	rm2 := rm[:nhb*nhk1]
	for hb := 0; hb < nhb; hb++ {
		rr := r[off[hb]:]
		row := rm2[hb*nhk1 : (hb+1)*nhk1]
		for hk, o := range offk1 {
			row[hk] = rr[o]
		}
	}
	if nhk1 == 10 {
		for ab := 0; ab < nab; ab++ {
			erow := ep[ab*nhb : (ab+1)*nhb]
			xrow := (*[10]float64)(xqq[ab*10:])
			for _, h := range nzH[nzOff[ab]:nzOff[ab+1]] {
				e := pref * erow[h]
				rr := (*[10]float64)(rm2[int(h)*10:])
				for k := range xrow {
					xrow[k] += e * rr[k]
				}
			}
		}
		return
	}
	if nhk1 == 20 {
		for ab := 0; ab < nab; ab++ {
			erow := ep[ab*nhb : (ab+1)*nhb]
			xrow := (*[20]float64)(xqq[ab*20:])
			for _, h := range nzH[nzOff[ab]:nzOff[ab+1]] {
				e := pref * erow[h]
				rr := (*[20]float64)(rm2[int(h)*20:])
				for k := range xrow {
					xrow[k] += e * rr[k]
				}
			}
		}
		return
	}
	for ab := 0; ab < nab; ab++ {
		erow := ep[ab*nhb : (ab+1)*nhb]
		xrow := xqq[ab*nhk1 : (ab+1)*nhk1]
		for _, h := range nzH[nzOff[ab]:nzOff[ab+1]] {
			e := pref * erow[h]
			if e == 0 {
				continue
			}
			rr := rm2[int(h)*nhk1 : int(h)*nhk1+nhk1]
			rr = rr[:len(xrow)]
			for k, v := range rr {
				xrow[k] += e * v
			}
		}
	}
}
