package optimize

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// internalBasis returns an orthonormal basis (3N x m columns) of the Cartesian
// displacements that are neither rigid translations nor rigid rotations of the
// geometry x (flat, bohr): m = 3N-6, or 3N-5 for a linear geometry.
//
// Translations along x, y and z and infinitesimal rotations about the centroid span the
// external space; Gram-Schmidt drops the rotations a linear geometry lacks, and the
// eigenvectors of unit eigenvalue of the projector I - V V^T span the rest.
func internalBasis(x []float64) *mat.Dense {
	n := len(x) / 3
	dim := 3 * n
	var c [3]float64
	for i := 0; i < n; i++ {
		for a := 0; a < 3; a++ {
			c[a] += x[3*i+a] / float64(n)
		}
	}
	var external [][]float64
	addOrthonormal := func(v []float64) {
		for _, u := range external {
			d := dot(u, v)
			for k := range v {
				v[k] -= d * u[k]
			}
		}
		norm := math.Sqrt(dot(v, v))
		if norm < 1e-6 {
			return // a rotation about the axis of a linear geometry
		}
		for k := range v {
			v[k] /= norm
		}
		external = append(external, v)
	}
	for a := 0; a < 3; a++ {
		v := make([]float64, dim)
		for i := 0; i < n; i++ {
			v[3*i+a] = 1
		}
		addOrthonormal(v)
	}
	for a := 0; a < 3; a++ {
		v := make([]float64, dim)
		for i := 0; i < n; i++ {
			r := [3]float64{x[3*i] - c[0], x[3*i+1] - c[1], x[3*i+2] - c[2]}
			// e_a x r
			b, d := (a+1)%3, (a+2)%3
			v[3*i+d] += r[b]
			v[3*i+b] -= r[d]
		}
		addOrthonormal(v)
	}
	proj := mat.NewSymDense(dim, nil)
	for i := 0; i < dim; i++ {
		proj.SetSym(i, i, 1)
	}
	for _, u := range external {
		proj.SymRankOne(proj, -1, mat.NewVecDense(dim, u))
	}
	var eig mat.EigenSym
	if !eig.Factorize(proj, true) {
		return nil
	}
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	vals := eig.Values(nil)
	m := dim - len(external)
	if m <= 0 {
		return nil
	}
	// Eigenvalues come in ascending order: the last m are the ones.
	_ = vals
	basis := mat.NewDense(dim, m, nil)
	basis.Copy(vecs.Slice(0, dim, dim-m, dim))
	return basis
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}
