package hf

import (
	"context"
	"math"
)

// The analytic MP2 gradient (all electrons, conventional integrals) on
// an RHF or UHF reference, in the Lagrangian form of Pople, Krishnan,
// Schlegel and Binkley (1979) and Handy and Schaefer (1984):
//
//	dE/dX = sum P h^X - sum W S^X + sum Gamma (ab|cd)^X + Vnn^X
//
// with P the relaxed one-particle density (reference plus the MP2
// occupied-occupied and virtual-virtual blocks plus the orbital response
// -z/2 in the virtual-occupied block, z from the Z-vector equations), W
// the energy-weighted density and Gamma the separable reference and
// reference-correlation parts plus the non-separable amplitude part,
// back-transformed to AO function pairs. In spin orbitals, with
// t_ij^ab = <ij||ab>/D the amplitudes and Y_rp the coefficient of the
// orbital rotation U_rp in dE/dX:
//
//	Y_pq = 2 P_pq e_p + 2 G[P]_pq (q occupied) + Q_pq,
//	Q_ri = 2 sum_jab t_ij^ab (ra|jb),  Q_ra = 2 sum_ijb t_ij^ab (ir|jb),
//	L_ai = Y_ai - Y_ia,   A z = L,   A the Hartree-Fock orbital Hessian,
//	W_ij = (Y_ij + Y_ji)/4 - G[z]_ij/2, W_ab = (Y_ab + Y_ba)/4,
//	W_ia = W_ai = (Y_ia - z_ai e_i)/2,
//
// G[X] = J[X] - K[X] the Fock-like matrix of a density. Per spin, an RHF
// reference is one channel standing for both spins.

// mp2Channel holds one spin's orbitals and intermediates.
type mp2Channel struct {
	no, nv, m int
	C         matrix // n x m
	co, cv    matrix // n x no, n x nv
	eps       []float64
	ht        matrix // ov x npair: (mu nu|ia), mu >= nu
	// MP2 densities in the MO basis (m x m), the Q intermediates
	// (m x no and m x nv) and the Lagrangian (nv x no).
	P, Qo, Qv, L matrix
}

func (c *mp2Channel) ov() int { return c.no * c.nv }

// mp2Gradient returns the MP2 energy parts and the analytic nuclear gradient.
func (sys *system) mp2Gradient(ctx context.Context, st *scfState, store *eriStore, memory int64) (corr, ss, os float64, grad []float64, err error) {
	if err := sys.checkMP2GradientMemory(st, memory); err != nil {
		return 0, 0, 0, nil, err
	}
	sys.super = sys.superMatrix(store)
	defer func() { sys.super = nil }()
	chans, err := sys.mp2Channels(ctx, st)
	if err != nil {
		return 0, 0, 0, nil, err
	}
	var gam [][]matrix
	if st.uhf {
		gam, ss, os, err = sys.umpAmplitudes(ctx, chans)
	} else {
		gam, ss, os, err = sys.rmpAmplitudes(ctx, chans[0])
	}
	if err != nil {
		return 0, 0, 0, nil, err
	}
	npair := sys.bs.nbf * (sys.bs.nbf + 1) / 2
	for s, c := range chans {
		z := newMatrix(c.ov(), npair)
		for s2, c2 := range chans {
			gemm(1, asIs(gam[s][s2]), asIs(c2.ht), 1, z)
		}
		sys.mp2Q(c, z)
	}
	gamma, err := sys.mp2Gamma(chans, gam)
	if err != nil {
		return 0, 0, 0, nil, err
	}
	gam = nil
	for _, c := range chans {
		c.ht = matrix{}
	}
	jk := newFockLike(sys, store, len(chans))
	gp, err := jk.mo(chans, func(c *mp2Channel) matrix { return c.P })
	if err != nil {
		return 0, 0, 0, nil, err
	}
	for s, c := range chans {
		c.setLagrangian(gp[s])
	}
	z, gz, err := solveZVector(ctx, jk, chans)
	if err != nil {
		return 0, 0, 0, nil, err
	}
	grad, err = sys.mp2Assemble(st, chans, gp, z, gz, gamma)
	if err != nil {
		return 0, 0, 0, nil, err
	}
	return ss + os, ss, os, grad, nil
}

// checkMP2GradientMemory refuses an MP2 gradient whose arrays (the
// half-transformed integrals and two arrays like them, the amplitudes,
// the partly back-transformed density and the non-separable density over
// function pairs) exceed the memory budget.
func (sys *system) checkMP2GradientMemory(st *scfState, memory int64) error {
	n := int64(sys.bs.nbf)
	npair := n * (n + 1) / 2
	values := npair*npair + 1<<22
	for _, no := range []int{st.na, st.nb}[:1+boolInt(st.uhf)] {
		ov := int64(no) * int64(st.nmo-no)
		values += 3*ov*npair + int64(no)*n*npair + 3*ov*ov
	}
	if need := 8 * values; need > memory {
		return invalid("an MP2 gradient of %d basis functions needs about %d MB, more than the memory budget of %d MB (option Memory, keyword memory)",
			n, need>>20, memory>>20)
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// setLagrangian sets L_ai = Y_ai - Y_ia = 2 G[P]_ai + Qo_ai - Qv_ia.
func (c *mp2Channel) setLagrangian(gp matrix) {
	c.L = newMatrix(c.nv, c.no)
	for a := 0; a < c.nv; a++ {
		for i := 0; i < c.no; i++ {
			c.L.v[a*c.no+i] = 2*gp.at(c.no+a, i) + c.Qo.at(c.no+a, i) - c.Qv.at(i, a)
		}
	}
}

// mp2Channels splits the orbitals per spin and half-transforms the integrals.
func (sys *system) mp2Channels(ctx context.Context, st *scfState) ([]*mp2Channel, error) {
	n := sys.bs.nbf
	chans := orbitalChannels(st, n)
	for _, c := range chans {
		ht, err := sys.halfTransform(ctx, nil, c.co.v, c.cv.v, c.no, c.nv)
		if err != nil {
			return nil, err
		}
		c.ht = asMatrix(ht, c.ov(), n*(n+1)/2)
	}
	return chans, nil
}

// orbitalChannels splits the SCF orbitals into occupied and virtual ones
// per spin (one channel for RHF).
func orbitalChannels(st *scfState, n int) []*mp2Channel {
	m := st.nmo
	chans := make([]*mp2Channel, 1, 2)
	if st.uhf {
		chans = chans[:2]
	}
	for s := range chans {
		no := st.na
		if s == 1 {
			no = st.nb
		}
		co, cv := splitCoef(st.C[s], n, m, no)
		chans[s] = &mp2Channel{no: no, nv: m - no, m: m, C: asMatrix(st.C[s], n, m),
			co: asMatrix(co, n, no), cv: asMatrix(cv, n, m-no), eps: st.eps[s]}
	}
	return chans
}

// rmpAmplitudes returns, for a closed shell, the combined amplitudes
// T~_ia,jb = 2 t_ia,jb - t_ib,ja (t = (ia|jb)/D) as the only block of
// Gamma~, the energy parts and, in c.P, the unrelaxed MP2 density of one
// spin.
func (sys *system) rmpAmplitudes(ctx context.Context, c *mp2Channel) ([][]matrix, float64, float64, error) {
	no, nv, ov := c.no, c.nv, c.ov()
	mo, err := secondHalf(ctx, sys.ws, nil, c.ht.v, sys.bs.nbf, ov, c.co.v, c.cv.v, no, nv)
	if err != nil {
		return nil, 0, 0, err
	}
	t, tt := newMatrix(ov, ov), newMatrix(ov, ov)
	var ss, os float64
	sameSpinTerms(mo, 0, no, no, nv, c.eps, func(k int, iajb, ibja, d float64) {
		os += iajb * iajb / d
		ss += iajb * (iajb - ibja) / d
		t.v[k] = iajb / d
		tt.v[k] = (2*iajb - ibja) / d
	})
	c.P = newMatrix(c.m, c.m)
	c.addOccOcc(-1, t, tt)
	c.addVirVir(1, t, tt)
	c.P.symmetrize()
	return [][]matrix{{tt}}, ss, os, nil
}

// umpAmplitudes returns the blocks Gamma~[s][s'] of the open-shell
// amplitudes (same spin antisymmetrised, opposite spin (ia|JB)/D), the
// energy parts and, in each c.P, the unrelaxed MP2 spin densities.
func (sys *system) umpAmplitudes(ctx context.Context, chans []*mp2Channel) ([][]matrix, float64, float64, error) {
	n := sys.bs.nbf
	gam := [][]matrix{make([]matrix, 2), make([]matrix, 2)}
	var ss, os float64
	for s, c := range chans {
		c.P = newMatrix(c.m, c.m)
		no, nv, ov := c.no, c.nv, c.ov()
		mo, err := secondHalf(ctx, sys.ws, nil, c.ht.v, n, ov, c.co.v, c.cv.v, no, nv)
		if err != nil {
			return nil, 0, 0, err
		}
		t := newMatrix(ov, ov)
		sameSpinTerms(mo, 0, no, no, nv, c.eps, func(k int, iajb, ibja, d float64) {
			ss += 0.5 * iajb * (iajb - ibja) / d
			t.v[k] = (iajb - ibja) / d
		})
		c.addOccOcc(-0.5, t, t)
		c.addVirVir(0.5, t, t)
		gam[s][s] = t
	}
	ca, cb := chans[0], chans[1]
	mo, err := secondHalf(ctx, sys.ws, nil, ca.ht.v, n, ca.ov(), cb.co.v, cb.cv.v, cb.no, cb.nv)
	if err != nil {
		return nil, 0, 0, err
	}
	t := newMatrix(ca.ov(), cb.ov())
	for i := 0; i < ca.no; i++ {
		for a := 0; a < ca.nv; a++ {
			for j := 0; j < cb.no; j++ {
				for b := 0; b < cb.nv; b++ {
					k := (i*ca.nv+a)*cb.ov() + j*cb.nv + b
					d := ca.eps[i] + cb.eps[j] - ca.eps[ca.no+a] - cb.eps[cb.no+b]
					os += mo[k] * mo[k] / d
					t.v[k] = mo[k] / d
				}
			}
		}
	}
	ca.addOccOcc(-1, t, t)
	ca.addVirVir(1, t, t)
	cb.addOccOccCol(-1, t, ca.ov())
	cb.addVirVirCol(1, t, ca.ov())
	gam[0][1], gam[1][0] = t, t.t()
	for _, c := range chans {
		c.P.symmetrize()
	}
	return gam, ss, os, nil
}

// addOccOcc adds f sum_{a,col} A[ia][col] B[ja][col] to P_ij, A and B
// with this channel's (i a) rows.
func (c *mp2Channel) addOccOcc(f float64, A, B matrix) {
	if c.no == 0 || c.nv == 0 || A.c == 0 {
		return
	}
	w := c.nv * A.c
	p := newMatrix(c.no, c.no)
	gemm(f, asIs(asMatrix(A.v, c.no, w)), tr(asMatrix(B.v, c.no, w)), 0, p)
	c.addBlock(p, 0)
}

// addVirVir adds f sum_{i,col} A[ia][col] B[ib][col] to P_ab.
func (c *mp2Channel) addVirVir(f float64, A, B matrix) {
	if c.no == 0 || c.nv == 0 || A.c == 0 {
		return
	}
	p := newMatrix(c.nv, c.nv)
	for i := 0; i < c.no; i++ {
		ai := asMatrix(A.v[i*c.nv*A.c:], c.nv, A.c)
		bi := asMatrix(B.v[i*c.nv*B.c:], c.nv, B.c)
		gemm(f, asIs(ai), tr(bi), 1, p)
	}
	c.addBlock(p, c.no)
}

// addOccOccCol adds f sum_{row,B} T[row][JB] T[row][KB] to P_JK, this
// channel's (J B) being T's columns.
func (c *mp2Channel) addOccOccCol(f float64, T matrix, rows int) {
	if c.no == 0 || c.nv == 0 || rows == 0 {
		return
	}
	p := newMatrix(c.no, c.no)
	for r := 0; r < rows; r++ {
		m := asMatrix(T.v[r*T.c:], c.no, c.nv)
		gemm(f, asIs(m), tr(m), 1, p)
	}
	c.addBlock(p, 0)
}

// addVirVirCol adds f sum_{row,J} T[row][JB] T[row][JC] to P_BC.
func (c *mp2Channel) addVirVirCol(f float64, T matrix, rows int) {
	if c.no == 0 || c.nv == 0 || rows == 0 {
		return
	}
	p := newMatrix(c.nv, c.nv)
	m := asMatrix(T.v, rows*c.no, c.nv)
	gemm(f, tr(m), asIs(m), 0, p)
	c.addBlock(p, c.no)
}

// addBlock adds the square p to c.P at rows and columns off.
func (c *mp2Channel) addBlock(p matrix, off int) {
	for i := 0; i < p.r; i++ {
		for j := 0; j < p.c; j++ {
			c.P.v[(off+i)*c.m+off+j] += p.v[i*p.c+j]
		}
	}
}

// mp2Q sets c.Qo (m x no) and c.Qv (m x nv) from
// z[ia][mu nu] = sum_jb Gamma~_ia,jb (mu nu|jb):
// Qo_ri = 2 sum_a (ra|..), Qv_ra = 2 sum_i (ir|..).
func (sys *system) mp2Q(c *mp2Channel, z matrix) {
	n := sys.bs.nbf
	qo, qv := newMatrix(c.no, n), newMatrix(c.nv, n) // AO second index
	co, cv := c.co, c.cv
	for i := 0; i < c.no; i++ {
		for a := 0; a < c.nv; a++ {
			row := z.v[(i*c.nv+a)*z.c:]
			qoi, qva := qo.v[i*n:(i+1)*n], qv.v[a*n:(a+1)*n]
			p := 0
			for mu := 0; mu < n; mu++ {
				for nu := 0; nu <= mu; nu++ {
					v := row[p]
					p++
					qoi[mu] += v * cv.v[nu*c.nv+a]
					qva[nu] += v * co.v[mu*c.no+i]
					if mu != nu {
						qoi[nu] += v * cv.v[mu*c.nv+a]
						qva[mu] += v * co.v[nu*c.no+i]
					}
				}
			}
		}
	}
	c.Qo, c.Qv = newMatrix(c.m, c.no), newMatrix(c.m, c.nv)
	gemm(2, tr(c.C), tr(qo), 0, c.Qo)
	gemm(2, tr(c.C), tr(qv), 0, c.Qv)
}

// mp2Gamma returns the non-separable two-particle density over packed
// function pairs,
//
//	gamma(mu nu, ls) = w sum_ia x_ia(mu nu) H_ia(ls),
//	x_ia(mu nu) = (C_mu,i C_nu,a + C_nu,i C_mu,a)/2,
//	H_ia(ls) = sum_jb Gamma~_ia,jb x_jb(ls),
//
// symmetrised, with its screening bounds per shell pair. The products go
// one orbital index at a time (occupied, then virtual), which costs
// O(ov n^2 o + n^2 npair o) instead of O(ov^2 npair + ov npair^2).
func (sys *system) mp2Gamma(chans []*mp2Channel, gam [][]matrix) (*twoPDM, error) {
	n := sys.bs.nbf
	npair := n * (n + 1) / 2
	w := 1.0
	if len(chans) == 1 {
		w = 2 // both spins
	}
	g := newMatrix(npair, npair)
	for s, c := range chans {
		h := sys.mp2H(chans, gam[s], c.ov())
		y := newMatrix(c.no, n*npair) // y_i(nu, ls) = sum_a C_nu,a H_ia(ls)
		for i := 0; i < c.no; i++ {
			gemm(1, asIs(c.cv), asIs(asMatrix(h.v[i*c.nv*npair:], c.nv, npair)), 0, asMatrix(y.v[i*n*npair:], n, npair))
		}
		addPairProduct(g, c.co, y, n, w)
	}
	g.symmetrize()
	gmax := make([]float64, len(sys.pairs))
	for k, sp := range sys.pairs {
		mx := 0.0
		for fa := 0; fa < sp.na; fa++ {
			for fb := 0; fb < sp.nb; fb++ {
				for _, v := range g.v[pairIndex(sp.a.off+fa, sp.b.off+fb)*npair:][:npair] {
					mx = math.Max(mx, math.Abs(v))
				}
			}
		}
		gmax[k] = mx
	}
	return &twoPDM{gamma: g.v, gmax: gmax}, nil
}

// mp2H returns H_ia(ls) (ov x npair, packed symmetric) for the rows ia of
// one channel, gamRow[s'] its blocks of Gamma~:
// H_ia(l s) = sym sum_s' sum_j C_lj U_ia(j, s), U_ia(j, s) = sum_b Gamma~_ia,jb C_sb.
func (sys *system) mp2H(chans []*mp2Channel, gamRow []matrix, ov int) matrix {
	n := sys.bs.nbf
	npair := n * (n + 1) / 2
	h := newMatrix(ov, npair)
	u := make([]matrix, len(chans))
	for s2, c2 := range chans {
		u[s2] = newMatrix(ov*c2.no, n)
		gemm(1, asIs(asMatrix(gamRow[s2].v, ov*c2.no, c2.nv)), tr(c2.cv), 0, u[s2])
	}
	m := newMatrix(n, n)
	for ia := 0; ia < ov; ia++ {
		clear(m.v)
		for s2, c2 := range chans {
			gemm(1, asIs(c2.co), asIs(asMatrix(u[s2].v[ia*c2.no*n:], c2.no, n)), 1, m)
		}
		row := h.v[ia*npair:]
		for l := 0; l < n; l++ {
			for k := 0; k <= l; k++ {
				row[pairIndex(l, k)] = 0.5 * (m.v[l*n+k] + m.v[k*n+l])
			}
		}
	}
	return h
}

// addPairProduct adds w (R[mu][nu] + R[nu][mu])/2 to g[(mu nu)][ls] with
// R[mu][(nu, ls)] = sum_i co[mu][i] y[i][(nu, ls)], in batches of rows mu.
func addPairProduct(g, co, y matrix, n int, w float64) {
	npair := n * (n + 1) / 2
	no := co.c
	nb := max(1, min(n, (1<<22)/max(1, n*npair)))
	r := newMatrix(nb, n*npair)
	for mu0 := 0; mu0 < n; mu0 += nb {
		mu1 := min(mu0+nb, n)
		rb := asMatrix(r.v, mu1-mu0, n*npair)
		gemm(1, asIs(asMatrix(co.v[mu0*no:], mu1-mu0, no)), asIs(y), 0, rb)
		for mu := mu0; mu < mu1; mu++ {
			for nu := 0; nu < n; nu++ {
				f := 0.5 * w
				if mu == nu {
					f = w
				}
				src := rb.v[((mu-mu0)*n+nu)*npair:][:npair]
				dst := g.v[pairIndex(mu, nu)*npair:][:npair]
				for k, v := range src {
					dst[k] += f * v
				}
			}
		}
	}
}

// mp2Assemble forms the relaxed and energy-weighted densities from the
// amplitude intermediates, the Fock-like matrices G[P] (gp) and G[z] (gz)
// and the Z-vector, and contracts them with the derivative integrals.
func (sys *system) mp2Assemble(st *scfState, chans []*mp2Channel, gp, z, gz []matrix, gamma *twoPDM) ([]float64, error) {
	n := sys.bs.nbf
	dt, W := sys.referenceDensities(st)
	w := 1.0
	if len(chans) == 1 {
		w = 2
	}
	var qs [2][]float64
	qt := make([]float64, n*n)
	for s, c := range chans {
		prel, wmo := c.relaxedDensities(gp[s], gz[s], z[s])
		pao, wao := toAO(c.C, prel), toAO(c.C, wmo)
		q := make([]float64, n*n)
		for i := range q {
			dt[i] += w * pao.v[i]
			W[i] += w * wao.v[i]
			q[i] = st.D[s][i] + 2*pao.v[i]
			qt[i] += w * q[i]
		}
		qs[s] = q
	}
	if len(chans) == 1 {
		qs[1] = qs[0]
	}
	gamma.dt, gamma.ds, gamma.qt, gamma.qs = make([]float64, n*n), st.D, qt, qs
	for i := range gamma.dt {
		gamma.dt[i] = st.D[0][i] + st.D[1][i]
	}
	g := make([]float64, 3*len(sys.atoms))
	sys.nuclearGradient(g)
	sys.oneElectronGradient(dt, W, g)
	if err := sys.twoElectronGradient(gamma, g); err != nil {
		return nil, err
	}
	return g, nil
}

// relaxedDensities returns this channel's relaxed MP2 density correction
// and its energy-weighted density, in the MO basis.
func (c *mp2Channel) relaxedDensities(gp, gz, z matrix) (P, W matrix) {
	no, m, e := c.no, c.m, c.eps
	P = newMatrix(m, m)
	copy(P.v, c.P.v)
	W = newMatrix(m, m)
	for p := 0; p < m; p++ {
		for q := 0; q < m; q++ {
			pv := c.P.v[p*m+q]
			switch {
			case p < no && q < no:
				W.v[p*m+q] = 0.25*(2*pv*(e[p]+e[q])+4*gp.at(p, q)+c.Qo.at(p, q)+c.Qo.at(q, p)) - 0.5*gz.at(p, q)
			case p >= no && q >= no:
				W.v[p*m+q] = 0.25 * (2*pv*(e[p]+e[q]) + c.Qv.at(p, q-no) + c.Qv.at(q, p-no))
			default:
				i, a := min(p, q), max(p, q)-no
				zai := z.v[a*no+i]
				P.v[p*m+q] = -0.5 * zai
				W.v[p*m+q] = 0.5 * (c.Qv.at(i, a) - zai*e[i])
			}
		}
	}
	return P, W
}
