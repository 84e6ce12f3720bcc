package hf

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

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
