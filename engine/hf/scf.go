package hf

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// schwarzTol is the integral screening threshold (Psi4's ints_tolerance).
const schwarzTol = 1e-12

// directRebuild is how often (iterations) a direct SCF rebuilds J and K
// from the full density instead of the density change.
const directRebuild = 8

// system is a molecule with its basis and integral machinery.
type system struct {
	atoms   []Atom
	bs      *basisSet
	charges []charge // electron-attracting charges: real nuclei then external
	ext     []PointCharge
	pairs   []*shellPair // index m*(m+1)/2+n, m >= n
	schwarz []float64    // per pair
	enuc    float64      // nucleus-nucleus
	eext    float64      // external charge - nucleus
	deriv   bool
	threads int
	super   []float64 // two-electron supermatrix during MP2, if stored
	// boysF holds, with gradients and stored integrals, F_0..F_{L+1} for
	// every primitive quartet of every unique shell quartet (at
	// quartetRec.boff, primitive pairs in the order bra-major of the
	// quartet's own bra and ket), filled while the integrals are stored
	// and reused by the two-electron gradient; nil otherwise.
	boysF []float64
	// quartets caches uniqueQuartets.
	quartets []quartetRec
	// ws holds the large buffers; nil allocates (see workspace).
	ws *workspace
}

// maxBoysCache bounds the number of cached Boys function values.
const maxBoysCache = 4_000_000

func pairIndex(m, n int) int {
	if m < n {
		m, n = n, m
	}
	return m*(m+1)/2 + n
}

func newSystem(atoms []Atom, b *gbsBasis, ext []PointCharge, deriv bool, threads int, pure bool) (*system, error) {
	return newSystemIn(nil, atoms, b, ext, deriv, threads, pure)
}

// newSystemIn is newSystem with its buffers taken from ws (which may be nil).
func newSystemIn(ws *workspace, atoms []Atom, b *gbsBasis, ext []PointCharge, deriv bool, threads int, pure bool) (*system, error) {
	bs, err := buildBasis(b, atoms, pure)
	if err != nil {
		return nil, err
	}
	sys := &system{atoms: atoms, bs: bs, ext: ext, deriv: deriv, threads: threadsFor(threads), ws: ws}
	for _, a := range atoms {
		if !a.Ghost {
			sys.charges = append(sys.charges, charge{q: float64(a.Z), pos: a.Pos})
		}
	}
	for _, c := range ext {
		sys.charges = append(sys.charges, charge{q: c.Q, pos: c.Pos})
	}
	for i, a := range atoms {
		if a.Ghost {
			continue
		}
		for j := 0; j < i; j++ {
			if !atoms[j].Ghost {
				sys.enuc += float64(a.Z*atoms[j].Z) / dist(a.Pos, atoms[j].Pos)
			}
		}
		for _, c := range ext {
			if d := dist(a.Pos, c.Pos); d > 1e-10 {
				sys.eext += float64(a.Z) * c.Q / d
			}
		}
	}
	ns := len(bs.shells)
	sys.pairs = make([]*shellPair, ns*(ns+1)/2)
	pairs := ws.newPairs(len(sys.pairs))
	for m := 0; m < ns; m++ {
		for n := 0; n <= m; n++ {
			k := pairIndex(m, n)
			newShellPair(ws, &pairs[k], m, n, bs.shells[m], bs.shells[n], deriv)
			sys.pairs[k] = &pairs[k]
		}
	}
	// Schwarz factors
	sys.schwarz = make([]float64, len(sys.pairs))
	nw := sys.threads
	works := ws.eriWorks(nw)
	bufs := make([][]float64, nw)
	chunks := splitByWork(len(sys.pairs), 4*nw, func(i int) float64 {
		sp := sys.pairs[i]
		return float64(sp.np*sp.np*sp.nab*sp.nab + 1)
	})
	err = parallelFor(nw, len(chunks), func(wk, c int) {
		if works[wk] == nil {
			works[wk] = newERIWork()
		}
		w := works[wk]
		for i := chunks[c][0]; i < chunks[c][1]; i++ {
			sp := sys.pairs[i]
			sz := sp.nab * sp.nab
			bufs[wk] = grow(bufs[wk], sz)
			w.quartet(sp, sp, bufs[wk])
			mx := 0.0
			for ab := 0; ab < sp.nab; ab++ {
				if v := math.Abs(bufs[wk][ab*sp.nab+ab]); v > mx {
					mx = v
				}
			}
			sys.schwarz[i] = math.Sqrt(mx)
		}
	})
	if err != nil {
		return nil, err
	}
	return sys, nil
}

// quartetRec is one stored, screened, unique shell quartet.
type quartetRec struct {
	bra, ket int32 // pair indices, bra >= ket
	off      int   // offset of its block in the value store
	boff     int   // offset of its Boys function values in system.boysF
}

// eriStore holds the unique screened shell quartets and (optionally) their integrals.
type eriStore struct {
	quartets []quartetRec
	values   []float64
	direct   bool
}

// uniqueQuartets returns the screened unique shell quartets (computed
// once per system).
func (sys *system) uniqueQuartets() []quartetRec {
	if sys.quartets != nil {
		return sys.quartets
	}
	np := len(sys.pairs)
	// pairs sorted by nothing in particular; loop bra >= ket
	out := sys.ws.quartetBuf()
	off, boff := 0, 0
	smax := 0.0
	for _, q := range sys.schwarz {
		smax = math.Max(smax, q)
	}
	for i := 0; i < np; i++ {
		qi := sys.schwarz[i]
		if qi*smax < schwarzTol {
			continue
		}
		for j := 0; j <= i; j++ {
			if qi*sys.schwarz[j] < schwarzTol {
				continue
			}
			out = append(out, quartetRec{bra: int32(i), ket: int32(j), off: off, boff: boff})
			bra, ket := sys.pairs[i], sys.pairs[j]
			off += bra.nab * ket.nab
			boff += bra.np * ket.np * (bra.L + ket.L + 2)
		}
	}
	if sys.ws != nil {
		sys.ws.quartets = out
	}
	sys.quartets = out
	return out
}

// buildERIStore computes and keeps the unique integrals if they fit in
// maxValues values, and otherwise returns a store for direct builds.
func (sys *system) buildERIStore(ctx context.Context, maxValues int) (*eriStore, error) {
	st := &eriStore{quartets: sys.uniqueQuartets()}
	total := 0
	if n := len(st.quartets); n > 0 {
		last := st.quartets[n-1]
		total = last.off + sys.pairs[last.bra].nab*sys.pairs[last.ket].nab
	}
	if total > maxValues {
		st.direct = true
		return st, nil
	}
	st.values = sys.ws.floats(total)
	// With gradients, keep F_0..F_{L+1} of every primitive quartet for the
	// two-electron gradient.
	sys.boysF = nil
	if sys.deriv && len(st.quartets) > 0 {
		last := st.quartets[len(st.quartets)-1]
		bra, ket := sys.pairs[last.bra], sys.pairs[last.ket]
		if n := last.boff + bra.np*ket.np*(bra.L+ket.L+2); n <= maxBoysCache {
			sys.boysF = sys.ws.floats(n)
		}
	}
	nw := sys.threads
	works := sys.ws.eriWorks(nw)
	chunks := splitByWork(len(st.quartets), 8*nw, func(i int) float64 { return sys.quartetCost(st.quartets[i]) })
	err := parallelFor(nw, len(chunks), func(wk, c int) {
		if works[wk] == nil {
			works[wk] = newERIWork()
		}
		w := works[wk]
		for k := chunks[c][0]; k < chunks[c][1]; k++ {
			if k%1024 == 0 && ctx.Err() != nil {
				return
			}
			q := st.quartets[k]
			bra, ket := sys.pairs[q.bra], sys.pairs[q.ket]
			var fc []float64
			if sys.boysF != nil {
				fc = sys.boysF[q.boff : q.boff+bra.np*ket.np*(bra.L+ket.L+2)]
			}
			w.quartetF(bra, ket, st.values[q.off:q.off+bra.nab*ket.nab], fc)
		}
	})
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return st, nil
}

// quartetCost estimates the work of one shell quartet.
func (sys *system) quartetCost(q quartetRec) float64 {
	bra, ket := sys.pairs[q.bra], sys.pairs[q.ket]
	return float64(bra.np*ket.np) * float64(bra.nh*ket.nh*ket.nab+20)
}

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
	sys, st := b.sys, b.st
	n := sys.bs.nbf
	// density screening (direct mode): max |D| over all densities per shell pair
	ns := len(sys.bs.shells)
	var dmax []float64
	if st.direct {
		dmax = make([]float64, ns*ns)
		for M, a := range sys.bs.shells {
			for N, c := range sys.bs.shells {
				mx := 0.0
				for i := 0; i < a.ncart(); i++ {
					for j := 0; j < c.ncart(); j++ {
						o := (a.off+i)*n + c.off + j
						mx = math.Max(mx, math.Abs(dt[o]))
						for _, d := range ds {
							mx = math.Max(mx, math.Abs(d[o]))
						}
					}
				}
				dmax[M*ns+N] = mx
			}
		}
	}
	err := parallelFor(sys.threads, len(b.chunks), func(wk, c int) {
		if st.direct && b.works[wk] == nil {
			b.works[wk] = newERIWork()
		}
		Jc, Kc := b.J[c], b.K[c]
		for i := range Jc {
			Jc[i] = 0
		}
		for _, k := range Kc {
			for i := range k {
				k[i] = 0
			}
		}
		for _, q := range st.quartets[b.chunks[c][0]:b.chunks[c][1]] {
			bra, ket := sys.pairs[q.bra], sys.pairs[q.ket]
			nabcd := bra.nab * ket.nab
			var v []float64
			if st.direct {
				s1, s2, s3, s4 := bra.m, bra.n, ket.m, ket.n
				dm := math.Max(math.Max(dmax[s1*ns+s2], dmax[s3*ns+s4]),
					math.Max(math.Max(dmax[s1*ns+s3], dmax[s2*ns+s4]), math.Max(dmax[s1*ns+s4], dmax[s2*ns+s3])))
				if dm*sys.schwarz[q.bra]*sys.schwarz[q.ket] < schwarzTol {
					continue
				}
				b.bufs[wk] = grow(b.bufs[wk], nabcd)
				v = b.bufs[wk]
				b.works[wk].quartet(bra, ket, v)
			} else {
				v = st.values[q.off : q.off+nabcd]
			}
			digest(bra, ket, q.bra == q.ket, v, n, dt, ds, Jc, Kc)
		}
	})
	if err != nil {
		return err
	}
	for i := range J {
		J[i] = 0
	}
	for _, k := range K {
		for i := range k {
			k[i] = 0
		}
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
	// symmetrise: J = (G+G^T)/4, K = (G+G^T)/8
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
	return nil
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

// scfState is a converged (or last) SCF solution.
type scfState struct {
	uhf        bool
	nmo        int
	na, nb     int
	C          [2][]float64 // nbf x nmo, row-major, per spin (beta = alpha for RHF)
	eps        [2][]float64
	D          [2][]float64 // per-spin densities
	H          []float64
	energy     float64 // total SCF energy
	iterations int
}

// Overlap eigenvalues below linDepTol are dropped by the canonical
// orthogonalisation; below singularTol (relative to the largest) the basis
// is singular, as with two identical functions on one centre, and the
// calculation is refused.
const (
	linDepTol   = 1e-7
	singularTol = 1e-10
)

// orthogonalizer returns X (nbf x nmo) with X^T S X = 1, canonical
// orthogonalisation dropping overlap eigenvalues below linDepTol.
func orthogonalizer(S []float64, n int) ([]float64, int, error) {
	var es mat.EigenSym
	if !es.Factorize(mat.NewSymDense(n, append([]float64(nil), S...)), true) {
		return nil, 0, &SCFError{Reason: SCFEigenFailure, Detail: "overlap matrix"}
	}
	vals := es.Values(nil)
	if vals[0] < singularTol*vals[n-1] {
		return nil, 0, &SCFError{Reason: SCFSingularOverlap,
			Detail: fmt.Sprintf("smallest overlap eigenvalue %.3e", vals[0])}
	}
	var U mat.Dense
	es.VectorsTo(&U)
	keep := 0
	for _, v := range vals {
		if v > linDepTol {
			keep++
		}
	}
	X := make([]float64, n*keep)
	col := 0
	for k, v := range vals {
		if v <= linDepTol {
			continue
		}
		f := 1 / math.Sqrt(v)
		for i := 0; i < n; i++ {
			X[i*keep+col] = U.At(i, k) * f
		}
		col++
	}
	return X, keep, nil
}

// orthogonalizer returns X (nbf x nmo) with X^T S X = 1 spanning the
// working functions: all cartesian functions, or for pure basis sets the
// spherical harmonic combinations.
func (sys *system) orthogonalizer(S []float64) ([]float64, int, error) {
	n := sys.bs.nbf
	if !sys.bs.pure || sys.bs.nsph == n {
		return orthogonalizer(S, n)
	}
	m := sys.bs.nsph
	T := asMatrix(sys.bs.sphericalT(), n, m)
	st := toMO(T, asMatrix(S, n, n))
	// normalise the spherical functions
	for j := 0; j < m; j++ {
		f := 1 / math.Sqrt(st.at(j, j))
		for i := 0; i < n; i++ {
			T.v[i*m+j] *= f
		}
	}
	st = toMO(T, asMatrix(S, n, n))
	st.symmetrize()
	Xs, k, err := orthogonalizer(st.v, m)
	if err != nil {
		return nil, 0, err
	}
	return mul(asIs(T), asIs(asMatrix(Xs, m, k))).v, k, nil
}

// fockDiag is reusable scratch for diagonalising Fock matrices of one
// size. It calls LAPACK's dsyev as mat.EigenSym does (upper triangle,
// optimal work size), without its per-call copies.
type fockDiag struct {
	ws              *workspace // source of the buffers (may be nil)
	fx, fp, a, work []float64
}

// solve sets C (n x m) and eps (m) to the solution of F C = S C e through X.
func (d *fockDiag) solve(F, X []float64, n, m int, C, eps []float64) error {
	if len(d.fp) != m*m || len(d.fx) != n*m {
		d.fx, d.fp, d.a = d.ws.floats(n*m), d.ws.floats(m*m), d.ws.floats(m*m)
		d.work = nil
	}
	// F' = X^T F X
	x := asMatrix(X, n, m)
	gemm(1, asIs(asMatrix(F, n, n)), asIs(x), 0, asMatrix(d.fx, n, m))
	gemm(1, tr(x), asIs(asMatrix(d.fx, n, m)), 0, asMatrix(d.fp, m, m))
	fp, a := d.fp, d.a
	clear(a) // the lower triangle is not read; zero as mat.EigenSym leaves it
	for i := 0; i < m; i++ {
		for j := 0; j <= i; j++ {
			a[j*m+i] = 0.5 * (fp[i*m+j] + fp[j*m+i]) // upper triangle
		}
	}
	sym := blas64.Symmetric{N: m, Stride: m, Uplo: blas.Upper, Data: a}
	if d.work == nil {
		q := []float64{0}
		lapack64.Syev(lapack.EVCompute, sym, eps[:m], q, -1)
		d.work = d.ws.floats(int(q[0]))
	}
	if !finiteVec(a) || !lapack64.Syev(lapack.EVCompute, sym, eps[:m], d.work, len(d.work)) {
		return &SCFError{Reason: SCFEigenFailure, Detail: "Fock matrix"}
	}
	// a now holds the eigenvectors in its columns
	gemm(1, asIs(x), asIs(asMatrix(a, m, m)), 0, asMatrix(C, n, m))
	return nil
}

// density returns C_occ C_occ^T.
func density(C []float64, n, m, nocc int, D []float64) {
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			s := 0.0
			for k := 0; k < nocc; k++ {
				s += C[i*m+k] * C[j*m+k]
			}
			D[i*n+j], D[j*n+i] = s, s
		}
	}
}

type diis struct {
	max   int
	ws    *workspace    // source of the stored vectors
	focks [][][]float64 // per entry, per spin
	errs  [][]float64
}

func (d *diis) push(f [][]float64, e []float64) {
	var cp [][]float64
	var ce []float64
	if len(d.focks) == d.max {
		// recycle the oldest entry's storage
		cp, ce = d.focks[0], d.errs[0]
		copy(d.focks, d.focks[1:])
		copy(d.errs, d.errs[1:])
		d.focks, d.errs = d.focks[:d.max-1], d.errs[:d.max-1]
	} else {
		cp = make([][]float64, len(f))
		for i := range f {
			cp[i] = d.ws.floats(len(f[i]))
		}
		ce = d.ws.floats(len(e))
	}
	for i := range f {
		copy(cp[i], f[i])
	}
	copy(ce, e)
	d.focks = append(d.focks, cp)
	d.errs = append(d.errs, ce)
}

// extrapolate overwrites f with the DIIS combination; false if it failed.
func (d *diis) extrapolate(f [][]float64) bool {
	for len(d.errs) >= 2 {
		k := len(d.errs)
		B := mat.NewDense(k+1, k+1, nil)
		scale := 0.0
		for i := 0; i < k; i++ {
			for j := 0; j <= i; j++ {
				s := 0.0
				for x, v := range d.errs[i] {
					s += v * d.errs[j][x]
				}
				B.Set(i, j, s)
				B.Set(j, i, s)
			}
			scale = math.Max(scale, B.At(i, i))
		}
		if scale == 0 {
			return false
		}
		for i := 0; i < k; i++ {
			for j := 0; j < k; j++ {
				B.Set(i, j, B.At(i, j)/scale)
			}
			B.Set(i, k, -1)
			B.Set(k, i, -1)
		}
		rhs := mat.NewVecDense(k+1, nil)
		rhs.SetVec(k, -1)
		var c mat.VecDense
		if err := c.SolveVec(B, rhs); err != nil || !finiteVec(c.RawVector().Data) {
			d.focks = d.focks[1:]
			d.errs = d.errs[1:]
			continue
		}
		for s := range f {
			for i := range f[s] {
				v := 0.0
				for j := 0; j < k; j++ {
					v += c.AtVec(j) * d.focks[j][s][i]
				}
				f[s][i] = v
			}
		}
		return true
	}
	return false
}

func finiteVec(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// runSCF performs the RHF or UHF iterations. guess, if non-nil, provides
// starting spin densities (e.g. from a neighbouring geometry).
func (sys *system) runSCF(ctx context.Context, set *settings, guess *[2][]float64) (*scfState, *eriStore, error) {
	n := sys.bs.nbf
	S, T, V := oneElectron(sys.ws, sys.bs, sys.charges)
	H := make([]float64, n*n)
	for i := range H {
		H[i] = T[i] + V[i]
	}
	X, m, err := sys.orthogonalizer(S)
	if err != nil {
		return nil, nil, err
	}
	set.logf("  basis functions: %d, orthonormal MOs: %d\n", n, m)
	st, err := sys.buildERIStore(ctx, set.maxStoredValues())
	if err != nil {
		return nil, nil, err
	}
	if st.direct {
		set.logf("  integrals: direct, %d unique shell quartets after Schwarz screening\n", len(st.quartets))
	} else {
		set.logf("  integrals: stored, %d unique shell quartets, %d values\n", len(st.quartets), len(st.values))
	}
	nspin := 1
	if set.uhf {
		nspin = 2
	}
	nocc := [2]int{set.nalpha, set.nbeta}
	if set.nalpha > m || set.nbeta > m {
		return nil, nil, invalid("%d occupied orbitals exceed the %d molecular orbitals", set.nalpha, m)
	}
	D := make([][]float64, nspin)
	F := make([][]float64, nspin)
	K := make([][]float64, nspin)
	var C [2][]float64
	var eps [2][]float64
	ws := sys.ws
	for s := 0; s < nspin; s++ {
		D[s] = ws.floats(n * n)
		F[s] = ws.floats(n * n)
		K[s] = ws.floats(n * n)
		C[s] = ws.floats(n * m)
		eps[s] = ws.floats(m)
	}
	J := ws.floats(n * n)
	dt := ws.floats(n * n)
	// per-iteration scratch
	fd, fds, g, gx := ws.floats(n*n), ws.floats(n*n), ws.floats(n*n), ws.floats(n*m)
	errv := ws.floats(nspin * m * m)
	diag := fockDiag{ws: ws}
	if guess != nil {
		for s := 0; s < nspin; s++ {
			copy(D[s], guess[s])
		}
	} else {
		var sad []float64
		if set.guess == "sad" {
			sad = sys.sadDensity(set.basis)
		}
		if sad != nil {
			set.logf("  guess: superposition of atomic densities\n")
			for s := 0; s < nspin; s++ {
				for i, v := range sad {
					D[s][i] = 0.5 * v
				}
			}
		} else {
			set.logf("  guess: core Hamiltonian\n")
			for s := 0; s < nspin; s++ {
				if err := diag.solve(H, X, n, m, C[s], eps[s]); err != nil {
					return nil, nil, err
				}
				density(C[s], n, m, nocc[s], D[s])
			}
		}
	}
	jkb := newJKBuilder(sys, st, nspin)
	var ddt, dtPrev, dJ []float64
	var dD, Dprev, dK [][]float64
	if st.direct {
		ddt, dtPrev, dJ = ws.floats(n*n), ws.floats(n*n), ws.floats(n*n)
		for s := 0; s < nspin; s++ {
			dD = append(dD, ws.floats(n*n))
			Dprev = append(Dprev, ws.floats(n*n))
			dK = append(dK, ws.floats(n*n))
		}
	}
	dd := &diis{max: 8, ws: ws}
	var eOld float64
	var dE, drms float64
	var history []SCFIteration
	set.logf("  %4s %22s %12s %12s\n", "iter", "energy", "dE", "rms grad")
	for iter := 1; iter <= set.maxiter; iter++ {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		for i := range dt {
			if nspin == 1 {
				dt[i] = 2 * D[0][i]
			} else {
				dt[i] = D[0][i] + D[1][i]
			}
		}
		if st.direct && iter > 1 && (iter-1)%directRebuild != 0 {
			// incremental Fock build from the density change
			for i := range dt {
				ddt[i] = dt[i] - dtPrev[i]
			}
			for s := 0; s < nspin; s++ {
				for i := range dD[s] {
					dD[s][i] = D[s][i] - Dprev[s][i]
				}
			}
			if err := jkb.build(ddt, dD, dJ, dK); err != nil {
				return nil, nil, err
			}
			for i := range J {
				J[i] += dJ[i]
			}
			for s := 0; s < nspin; s++ {
				for i := range K[s] {
					K[s][i] += dK[s][i]
				}
			}
		} else {
			if err := jkb.build(dt, D, J, K); err != nil {
				return nil, nil, err
			}
		}
		if st.direct {
			copy(dtPrev, dt)
			for s := 0; s < nspin; s++ {
				copy(Dprev[s], D[s])
			}
		}
		e := 0.0
		for s := 0; s < nspin; s++ {
			for i := range F[s] {
				F[s][i] = H[i] + J[i] - K[s][i]
			}
		}
		if nspin == 1 {
			for i := range H {
				e += D[0][i] * (H[i] + F[0][i])
			}
		} else {
			for i := range H {
				e += 0.5 * (dt[i]*H[i] + D[0][i]*F[0][i] + D[1][i]*F[1][i])
			}
		}
		e += sys.enuc + sys.eext
		// orbital gradient X^T (F D S - S D F) X for each spin, concatenated
		for s := 0; s < nspin; s++ {
			gemm(1, asIs(asMatrix(F[s], n, n)), asIs(asMatrix(D[s], n, n)), 0, asMatrix(fd, n, n))
			gemm(1, asIs(asMatrix(fd, n, n)), asIs(asMatrix(S, n, n)), 0, asMatrix(fds, n, n))
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					g[i*n+j] = fds[i*n+j] - fds[j*n+i]
				}
			}
			gemm(1, asIs(asMatrix(g, n, n)), asIs(asMatrix(X, n, m)), 0, asMatrix(gx, n, m))
			gemm(1, tr(asMatrix(X, n, m)), asIs(asMatrix(gx, n, m)), 0, asMatrix(errv[s*m*m:], m, m))
		}
		ss := 0.0
		for _, v := range errv {
			ss += v * v
		}
		drms = math.Sqrt(ss / float64(len(errv)))
		dE = e - eOld
		if iter == 1 {
			dE = e
		}
		eOld = e
		set.logf("  %4d %22.12f %12.4e %12.4e\n", iter, e, dE, drms)
		history = append(history, SCFIteration{Iteration: iter, Energy: e, DeltaE: dE, OrbitalGradient: drms})
		if math.IsNaN(e) || math.IsInf(e, 0) || math.IsNaN(drms) {
			return nil, nil, &SCFError{Reason: SCFNonFinite, History: history}
		}
		if iter > 1 && math.Abs(dE) < set.econv && drms < set.dconv {
			// state is returned to the caller: fresh memory, not ws.
			state := &scfState{uhf: set.uhf, nmo: m, na: set.nalpha, nb: set.nbeta, H: H, energy: e, iterations: iter}
			// final diagonalisation of the converged Fock matrices so that
			// orbitals and energies are canonical (needed by MP2 and W).
			for s := 0; s < nspin; s++ {
				c, ev := make([]float64, n*m), make([]float64, m)
				if err := diag.solve(F[s], X, n, m, c, ev); err != nil {
					err.(*SCFError).History = history
					return nil, nil, err
				}
				d := make([]float64, n*n)
				density(c, n, m, nocc[s], d)
				state.C[s], state.eps[s], state.D[s] = c, ev, d
				if nspin == 1 {
					state.C[1], state.eps[1], state.D[1] = c, ev, d
				}
			}
			return state, st, nil
		}
		dd.push(F, errv)
		if iter > 1 {
			dd.extrapolate(F)
		}
		for s := 0; s < nspin; s++ {
			if err := diag.solve(F[s], X, n, m, C[s], eps[s]); err != nil {
				err.(*SCFError).History = history
				return nil, nil, err
			}
			density(C[s], n, m, nocc[s], D[s])
		}
	}
	return nil, nil, &SCFError{Reason: SCFNotConverged, History: history}
}
