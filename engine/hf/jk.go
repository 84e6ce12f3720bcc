package hf

import (
	"math"
)

// jkChunks is the fixed number of partial J/K accumulators; partial
// results are added in chunk order so the Fock matrix does not depend on
// the number of threads.
const jkChunks = 4

// jkBuilder forms Coulomb and exchange matrices from the stored or direct integrals.
type jkBuilder struct {
	sys    *system
	st     *eriStore
	nspin  int
	chunks [][2]int
	J      [][]float64   // per chunk
	K      [][][]float64 // per chunk, per spin
	works  []*eriWork
	bufs   [][]float64
}

func newJKBuilder(sys *system, st *eriStore, nspin int) *jkBuilder {
	n := sys.bs.nbf
	b := &jkBuilder{sys: sys, st: st, nspin: nspin}
	b.chunks = splitByWork(len(st.quartets), jkChunks, func(i int) float64 {
		q := st.quartets[i]
		c := float64(sys.pairs[q.bra].nab * sys.pairs[q.ket].nab)
		if st.direct {
			c += sys.quartetCost(q)
		}
		return c
	})
	for range b.chunks {
		b.J = append(b.J, sys.ws.floats(n*n))
		ks := make([][]float64, nspin)
		for s := range ks {
			ks[s] = sys.ws.floats(n * n)
		}
		b.K = append(b.K, ks)
	}
	b.works = sys.ws.eriWorks(sys.threads)
	b.bufs = make([][]float64, sys.threads)
	return b
}

// build computes J[Dt] and K[D_s] for each spin density (full nbf x nbf).
func (b *jkBuilder) build(dt []float64, ds [][]float64, J []float64, K [][]float64) error {
	var dmax []float64
	if b.st.direct {
		dmax = b.sys.densityMax(append([][]float64{dt}, ds...)...)
	}
	err := parallelFor(b.sys.threads, len(b.chunks), func(wk, c int) { b.chunk(wk, c, dmax, dt, ds) })
	if err != nil {
		return err
	}
	b.reduce(J, K)
	return nil
}

// chunk accumulates the unsymmetrised J and K of chunk c's quartets.
func (b *jkBuilder) chunk(wk, c int, dmax, dt []float64, ds [][]float64) {
	sys, st := b.sys, b.st
	if st.direct && b.works[wk] == nil {
		b.works[wk] = newERIWork()
	}
	Jc, Kc := b.J[c], b.K[c]
	clear(Jc)
	for _, k := range Kc {
		clear(k)
	}
	for _, q := range st.quartets[b.chunks[c][0]:b.chunks[c][1]] {
		bra, ket := sys.pairs[q.bra], sys.pairs[q.ket]
		nabcd := bra.nab * ket.nab
		var v []float64
		if st.direct {
			if sys.negligible(q, dmax) {
				continue
			}
			b.bufs[wk] = grow(b.bufs[wk], nabcd)
			v = b.bufs[wk]
			b.works[wk].quartet(bra, ket, v)
		} else {
			v = st.values[q.off : q.off+nabcd]
		}
		digest(bra, ket, q.bra == q.ket, v, sys.bs.nbf, dt, ds, Jc, Kc)
	}
}

// negligible says whether quartet q's contribution to J and K is below
// schwarzTol for densities bounded by dmax (per shell pair).
func (sys *system) negligible(q quartetRec, dmax []float64) bool {
	ns := len(sys.bs.shells)
	bra, ket := sys.pairs[q.bra], sys.pairs[q.ket]
	s1, s2, s3, s4 := bra.m, bra.n, ket.m, ket.n
	dm := math.Max(math.Max(dmax[s1*ns+s2], dmax[s3*ns+s4]),
		math.Max(math.Max(dmax[s1*ns+s3], dmax[s2*ns+s4]), math.Max(dmax[s1*ns+s4], dmax[s2*ns+s3])))
	return dm*sys.schwarz[q.bra]*sys.schwarz[q.ket] < schwarzTol
}

// reduce adds the chunks' accumulators in chunk order (so that the result
// does not depend on the thread count) and symmetrises:
// J = (G+G^T)/4, K = (G+G^T)/8.
func (b *jkBuilder) reduce(J []float64, K [][]float64) {
	n := b.sys.bs.nbf
	clear(J)
	for _, k := range K {
		clear(k)
	}
	for c := range b.chunks {
		for i, v := range b.J[c] {
			J[i] += v
		}
		for s := range K {
			for i, v := range b.K[c][s] {
				K[s][i] += v
			}
		}
	}
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			v := 0.25 * (J[i*n+j] + J[j*n+i])
			J[i*n+j], J[j*n+i] = v, v
			for _, k := range K {
				v := 0.125 * (k[i*n+j] + k[j*n+i])
				k[i*n+j], k[j*n+i] = v, v
			}
		}
	}
}

// digest adds one unique shell quartet's integrals to the unsymmetrised
// Coulomb and exchange accumulators, with the permutational degeneracy
// factor (the scheme of libint's Hartree-Fock example).
func digest(bra, ket *shellPair, samePair bool, v []float64, n int, dt []float64, ds [][]float64, J []float64, K [][]float64) {
	deg := 1.0
	if bra.m != bra.n {
		deg *= 2
	}
	if ket.m != ket.n {
		deg *= 2
	}
	if !samePair {
		deg *= 2
	}
	o1, o2, o3, o4 := bra.a.off, bra.b.off, ket.a.off, ket.b.off
	n1, n2, n3, n4 := bra.na, bra.nb, ket.na, ket.nb
	if n1*n2*n3*n4 == 1 {
		// one integral (four s functions)
		val := v[0] * deg
		J[o1*n+o2] += dt[o3*n+o4] * val
		J[o3*n+o4] += dt[o1*n+o2] * val
		for sp, d := range ds {
			k := K[sp]
			k[o1*n+o3] += d[o2*n+o4] * val
			k[o2*n+o3] += d[o1*n+o4] * val
			k[o2*n+o4] += d[o1*n+o3] * val
			k[o1*n+o4] += d[o2*n+o3] * val
		}
		return
	}
	idx := 0
	for f1 := 0; f1 < n1; f1++ {
		b1 := o1 + f1
		for f2 := 0; f2 < n2; f2++ {
			b2 := o2 + f2
			d12 := dt[b1*n+b2] * deg
			j12 := 0.0
			for f3 := 0; f3 < n3; f3++ {
				b3 := o3 + f3
				vrow := v[idx : idx+n4]
				idx += n4
				dtRow := dt[b3*n+o4 : b3*n+o4+n4]
				jRow := J[b3*n+o4 : b3*n+o4+n4]
				s34 := 0.0
				for f4, val := range vrow {
					s34 += dtRow[f4] * val
					jRow[f4] += d12 * val
				}
				j12 += s34
				for sp, d := range ds {
					k := K[sp]
					d13 := d[b1*n+b3] * deg
					d23 := d[b2*n+b3] * deg
					dRow1 := d[b1*n+o4 : b1*n+o4+n4]
					dRow2 := d[b2*n+o4 : b2*n+o4+n4]
					kRow1 := k[b1*n+o4 : b1*n+o4+n4]
					kRow2 := k[b2*n+o4 : b2*n+o4+n4]
					k13, k23 := 0.0, 0.0
					for f4, val := range vrow {
						k13 += dRow2[f4] * val
						k23 += dRow1[f4] * val
						kRow2[f4] += d13 * val
						kRow1[f4] += d23 * val
					}
					k[b1*n+b3] += k13 * deg
					k[b2*n+b3] += k23 * deg
				}
			}
			J[b1*n+b2] += j12 * deg
		}
	}
}

// fockLike builds G[X] = J[X] - K[X] for one density per channel (spin;
// an RHF channel stands for both spins) from the SCF's integrals.
type fockLike struct {
	jkb   *jkBuilder
	n     int
	dt, J []float64
	K     [][]float64
	w     float64 // spin weight of a channel in the Coulomb density
}

func newFockLike(sys *system, store *eriStore, nch int) *fockLike {
	n := sys.bs.nbf
	f := &fockLike{jkb: newJKBuilder(sys, store, nch), n: n, dt: make([]float64, n*n), J: make([]float64, n*n), w: 1}
	if nch == 1 {
		f.w = 2
	}
	for range nch {
		f.K = append(f.K, make([]float64, n*n))
	}
	return f
}

// ao returns G^s = J[sum_s w X^s] - K[X^s] for symmetric AO densities X^s.
func (f *fockLike) ao(x [][]float64) ([][]float64, error) {
	for i := range f.dt {
		v := 0.0
		for _, xs := range x {
			v += xs[i]
		}
		f.dt[i] = f.w * v
	}
	if err := f.jkb.build(f.dt, x, f.J, f.K); err != nil {
		return nil, err
	}
	out := make([][]float64, len(x))
	for s := range x {
		out[s] = make([]float64, len(f.J))
		for i := range f.J {
			out[s][i] = f.J[i] - f.K[s][i]
		}
	}
	return out, nil
}

// mo returns C^T G[C M C^T] C for each channel's MO-basis matrix M (m x m,
// symmetric).
func (f *fockLike) mo(chans []*mp2Channel, pick func(*mp2Channel) matrix) ([]matrix, error) {
	x := make([][]float64, len(chans))
	for s, c := range chans {
		x[s] = toAO(c.C, pick(c)).v
	}
	g, err := f.ao(x)
	if err != nil {
		return nil, err
	}
	out := make([]matrix, len(chans))
	for s, c := range chans {
		out[s] = toMO(c.C, asMatrix(g[s], f.n, f.n))
	}
	return out, nil
}
