package hf

import (
	"context"
)

// halfTransform returns Ht[(i*nv+a)*npair + pair(mu,nu)] = (mu nu|i a)
// for all mu >= nu, with occupied and virtual coefficients co (n x no) and
// cv (n x nv), in dst if it is large enough.
func (sys *system) halfTransform(ctx context.Context, dst, co, cv []float64, no, nv int) ([]float64, error) {
	n := sys.bs.nbf
	npair := n * (n + 1) / 2
	ov := no * nv
	ht := dst
	if len(ht) < ov*npair {
		ht = sys.ws.floats(ov * npair)
	}
	ht = ht[:ov*npair]
	if sys.super != nil {
		return ht, sys.halfTransformStored(ctx, ht, co, cv, no, nv)
	}
	smax := 0.0
	for _, q := range sys.schwarz {
		smax = max(smax, q)
	}
	works := sys.ws.eriWorks(sys.threads)
	scratch := make([]htScratch, sys.threads)
	// one chunk per bra shell pair; each writes its own columns of ht
	err := parallelFor(sys.threads, len(sys.pairs), func(wk, pi int) {
		if ctx.Err() != nil || sys.schwarz[pi]*smax < schwarzTol {
			return
		}
		if works[wk] == nil {
			works[wk] = newERIWork()
		}
		sc := &scratch[wk]
		sys.braIntegrals(works[wk], sc, pi)
		sys.transformBra(sc, pi, ht, co, cv, no, nv)
	})
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return ht, nil
}

// htScratch is one worker's scratch for halfTransform.
type htScratch struct{ blk, A, t1, t2 []float64 }

// braIntegrals sets sc.A[(ab)][c][d] = (ab|cd) for the functions ab of
// bra shell pair pi and all functions c, d.
func (sys *system) braIntegrals(w *eriWork, sc *htScratch, pi int) {
	n := sys.bs.nbf
	bra := sys.pairs[pi]
	sc.A = grow(sc.A, bra.nab*n*n)
	clear(sc.A)
	for ki, ket := range sys.pairs {
		if sys.schwarz[pi]*sys.schwarz[ki] < schwarzTol {
			continue
		}
		sc.blk = grow(sc.blk, bra.nab*ket.nab)
		w.quartet(bra, ket, sc.blk)
		oc, od := ket.a.off, ket.b.off
		for ab := 0; ab < bra.nab; ab++ {
			a := sc.A[ab*n*n:]
			for c := 0; c < ket.na; c++ {
				for d := 0; d < ket.nb; d++ {
					v := sc.blk[ab*ket.nab+c*ket.nb+d]
					a[(oc+c)*n+od+d] = v
					a[(od+d)*n+oc+c] = v
				}
			}
		}
	}
}

// transformBra sets ht[ia][mu nu] = (mu nu|ia) for the functions mu >= nu
// of bra shell pair pi from sc.A.
func (sys *system) transformBra(sc *htScratch, pi int, ht, co, cv []float64, no, nv int) {
	n := sys.bs.nbf
	npair := n * (n + 1) / 2
	bra := sys.pairs[pi]
	sc.t1, sc.t2 = grow(sc.t1, no*n), grow(sc.t2, no*nv)
	for fa := 0; fa < bra.na; fa++ {
		for fb := 0; fb < bra.nb; fb++ {
			mu, nu := bra.a.off+fa, bra.b.off+fb
			if mu < nu {
				continue
			}
			ab := fa*bra.nb + fb
			toOccVir(sc.t1, sc.t2, co, cv, sc.A[ab*n*n:(ab+1)*n*n], n, no, nv)
			p := pairIndex(mu, nu)
			for ia, v := range sc.t2 {
				ht[ia*npair+p] = v
			}
		}
	}
}

// secondHalf returns MO[(ia)*(no2*nv2) + jb] = (ia|jb) from the half
// transformed integrals, with j, b from co2, cv2, in dst if it is large
// enough.
func secondHalf(ctx context.Context, ws *workspace, dst, ht []float64, n, ov int, co2, cv2 []float64, no2, nv2 int) ([]float64, error) {
	npair := n * (n + 1) / 2
	ov2 := no2 * nv2
	mo := dst
	if len(mo) < ov*ov2 {
		mo = ws.floats(ov * ov2)
	}
	mo = mo[:ov*ov2]
	B := make([]float64, n*n)
	t1 := make([]float64, no2*n)
	for ia := 0; ia < ov; ia++ {
		if ia%64 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		row := ht[ia*npair : (ia+1)*npair]
		for mu := 0; mu < n; mu++ {
			for nu := 0; nu <= mu; nu++ {
				v := row[mu*(mu+1)/2+nu]
				B[mu*n+nu] = v
				B[nu*n+mu] = v
			}
		}
		toOccVir(t1, mo[ia*ov2:], co2, cv2, B, n, no2, nv2)
	}
	return mo, nil
}

// sameSpinTerms calls fn(k, (ia|jb), (ib|ja), d) for every i in [i0, i1)
// and every j, a, b of the same-spin MO integrals
// mo[((i-i0)*nv+a)*ov + j*nv+b], in this order, with k the index of
// (ia|jb) in mo and d = e_i + e_j - e_a - e_b.
func sameSpinTerms(mo []float64, i0, i1, no, nv int, e []float64, fn func(k int, iajb, ibja, d float64)) {
	ov := no * nv
	for i := i0; i < i1; i++ {
		r := (i - i0) * nv
		for j := 0; j < no; j++ {
			for a := 0; a < nv; a++ {
				for b := 0; b < nv; b++ {
					k := (r+a)*ov + j*nv + b
					fn(k, mo[k], mo[(r+b)*ov+j*nv+a], e[i]+e[j]-e[no+a]-e[no+b])
				}
			}
		}
	}
}

// toOccVir sets out (no x nv) = co^T A cv for A (n x n), co (n x no)
// and cv (n x nv), with t (no x n) as scratch: the occupied-virtual block
// of an AO matrix.
func toOccVir(t, out, co, cv, A []float64, n, no, nv int) {
	gemm(1, tr(asMatrix(co, n, no)), asIs(asMatrix(A, n, n)), 0, asMatrix(t, no, n))
	gemm(1, asIs(asMatrix(t, no, n)), asIs(asMatrix(cv, n, nv)), 0, asMatrix(out, no, nv))
}

func splitCoef(C []float64, n, m, nocc int) (co, cv []float64) {
	nv := m - nocc
	co = make([]float64, n*nocc)
	cv = make([]float64, n*nv)
	for i := 0; i < n; i++ {
		copy(co[i*nocc:(i+1)*nocc], C[i*m:i*m+nocc])
		copy(cv[i*nv:(i+1)*nv], C[i*m+nocc:(i+1)*m])
	}
	return
}

// mp2 returns the (all-electron, conventional) MP2 correlation energy and
// its same-spin and opposite-spin parts. It works in batches of occupied
// orbitals whose half-transformed and MO integrals fit in the memory left
// by the stored integrals (at least one orbital at a time).
func (sys *system) mp2(ctx context.Context, st *scfState, store *eriStore, memory int64) (corr, ss, os float64, err error) {
	n := sys.bs.nbf
	npair := n * (n + 1) / 2
	free := memory - 8*int64(len(store.values))
	if int64(npair)*int64(npair)*8 <= free/4 {
		sys.super = sys.superMatrix(store)
		free -= 8 * int64(len(sys.super))
	}
	defer func() { sys.super = nil }()
	chans := orbitalChannels(st, n)
	for s, c := range chans {
		var other *mp2Channel // the beta orbitals, paired with alpha batches
		if s == 0 && len(chans) == 2 {
			other = chans[1]
		}
		dss, dos, err := sys.mp2Spin(ctx, c, other, len(chans) == 1, free/2)
		if err != nil {
			return 0, 0, 0, err
		}
		ss += dss
		os += dos
	}
	return ss + os, ss, os, nil
}

// mp2Spin returns the same-spin MP2 energy of channel c (for a closed
// shell both spins' same- and opposite-spin energies) and, with the beta
// channel other, the opposite-spin energy, transforming batches of c's
// occupied orbitals that fit in budget bytes.
func (sys *system) mp2Spin(ctx context.Context, c, other *mp2Channel, closed bool, budget int64) (ss, os float64, err error) {
	n := sys.bs.nbf
	npair := n * (n + 1) / 2
	o, v, e := c.no, c.nv, c.eps
	if o == 0 || v == 0 {
		return 0, 0, nil
	}
	ovb := 0
	if other != nil {
		ovb = other.ov()
	}
	nb := occBatch(o, v*(npair+o*v+ovb), budget)
	ht, mo, mob := make([]float64, nb*v*npair), make([]float64, nb*v*o*v), make([]float64, nb*v*ovb)
	for i0 := 0; i0 < o; i0 += nb {
		i1 := min(i0+nb, o)
		h, err := sys.halfTransform(ctx, ht, columns(c.co.v, n, o, i0, i1), c.cv.v, i1-i0, v)
		if err != nil {
			return 0, 0, err
		}
		x, err := secondHalf(ctx, sys.ws, mo, h, n, (i1-i0)*v, c.co.v, c.cv.v, o, v)
		if err != nil {
			return 0, 0, err
		}
		sameSpinTerms(x, i0, i1, o, v, e, func(_ int, iajb, ibja, d float64) {
			if closed {
				os += iajb * iajb / d
				ss += iajb * (iajb - ibja) / d
			} else {
				ss += 0.5 * iajb * (iajb - ibja) / d
			}
		})
		if ovb == 0 {
			continue
		}
		x, err = secondHalf(ctx, sys.ws, mob, h, n, (i1-i0)*v, other.co.v, other.cv.v, other.no, other.nv)
		if err != nil {
			return 0, 0, err
		}
		os += oppositeSpin(x, i0, i1, v, other.no, other.nv, e, other.eps, o)
	}
	return ss, os, nil
}

// occBatch returns how many occupied orbitals (of no) to transform at
// once when each takes perOcc values and budget bytes are available.
func occBatch(no, perOcc int, budget int64) int {
	nb := int(budget / 8 / int64(max(perOcc, 1)))
	return max(1, min(nb, no))
}

// columns returns columns [c0, c1) of the r x c matrix a.
func columns(a []float64, r, c, c0, c1 int) []float64 {
	out := make([]float64, r*(c1-c0))
	for i := 0; i < r; i++ {
		copy(out[i*(c1-c0):(i+1)*(c1-c0)], a[i*c+c0:i*c+c1])
	}
	return out
}

// oppositeSpin returns sum (ia|JB)^2 / (e_i + e_J - e_a - e_B) over the
// alpha occupied orbitals i0..i1 of the batch x.
func oppositeSpin(x []float64, i0, i1, nva, nob, nvb int, ea, eb []float64, noa int) float64 {
	os := 0.0
	ovb := nob * nvb
	for i := i0; i < i1; i++ {
		for a := 0; a < nva; a++ {
			row := x[((i-i0)*nva+a)*ovb:]
			for j := 0; j < nob; j++ {
				for b := 0; b < nvb; b++ {
					v := row[j*nvb+b]
					os += v * v / (ea[i] + eb[j] - ea[noa+a] - eb[nob+b])
				}
			}
		}
	}
	return os
}

// maxSuper bounds the size (values) of the two-electron supermatrix built
// from stored integrals for the MP2 transformation.
const maxSuper = 40_000_000

// superMatrix unpacks the stored integrals into V[pq][rs] over basis
// function pairs p >= q, r >= s, or returns nil if they are not stored or
// would not fit.
func (sys *system) superMatrix(st *eriStore) []float64 {
	if st == nil || st.direct {
		return nil
	}
	n := sys.bs.nbf
	np := n * (n + 1) / 2
	if np*np > maxSuper {
		return nil
	}
	V := sys.ws.floats(np * np)
	pidx := func(a, b int) int {
		if a < b {
			a, b = b, a
		}
		return a*(a+1)/2 + b
	}
	for _, q := range st.quartets {
		bra, ket := sys.pairs[q.bra], sys.pairs[q.ket]
		v := st.values[q.off : q.off+bra.nab*ket.nab]
		i := 0
		for a := 0; a < bra.na; a++ {
			for b := 0; b < bra.nb; b++ {
				p1 := pidx(bra.a.off+a, bra.b.off+b)
				for c := 0; c < ket.na; c++ {
					for d := 0; d < ket.nb; d++ {
						p2 := pidx(ket.a.off+c, ket.b.off+d)
						V[p1*np+p2] = v[i]
						V[p2*np+p1] = v[i]
						i++
					}
				}
			}
		}
	}
	return V
}

// halfTransformStored is halfTransform from the supermatrix, into ht.
func (sys *system) halfTransformStored(ctx context.Context, ht, co, cv []float64, no, nv int) error {
	n := sys.bs.nbf
	np := n * (n + 1) / 2
	ov := no * nv
	V := sys.super
	nw := sys.threads
	type scratch struct{ A, t1, t2 []float64 }
	sc := make([]*scratch, nw)
	const rowsPerChunk = 16
	nch := (np + rowsPerChunk - 1) / rowsPerChunk
	err := parallelFor(nw, nch, func(wk, c int) {
		if ctx.Err() != nil {
			return
		}
		if sc[wk] == nil {
			sc[wk] = &scratch{A: make([]float64, n*n), t1: make([]float64, no*n), t2: make([]float64, ov)}
		}
		s := sc[wk]
		for p := c * rowsPerChunk; p < (c+1)*rowsPerChunk && p < np; p++ {
			row := V[p*np : (p+1)*np]
			for l := 0; l < n; l++ {
				for m := 0; m <= l; m++ {
					v := row[l*(l+1)/2+m]
					s.A[l*n+m] = v
					s.A[m*n+l] = v
				}
			}
			toOccVir(s.t1, s.t2, co, cv, s.A, n, no, nv)
			for ia, v := range s.t2 {
				ht[ia*np+p] = v
			}
		}
	})
	if err != nil {
		return err
	}
	return ctx.Err()
}
