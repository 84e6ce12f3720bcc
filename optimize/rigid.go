package optimize

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// applyStep moves the atoms of x (flat, bohr) by the Cartesian step s, fragment by
// fragment: the part of a fragment's step that is a rigid translation and rotation is
// applied as a finite rotation (Rodrigues' formula) rather than a straight line, and the
// rest (the fragment's deformation) is added and turned with it.
//
// To first order this is the Cartesian step. Beyond it, a fragment turned by a large angle
// keeps its bond lengths, where a straight-line step would stretch them and raise the
// energy; that is what lets the optimizer take long steps along the soft intermolecular
// rotations of a cluster without being thrown back by stiff bonds.
//
// It also returns the rotation of every atom's frame (the identity for atoms moved in a
// straight line), with which the optimizer carries gradients and its Hessian from the
// old geometry to the new one.
func applyStep(x, s []float64, fragments [][]int) ([]float64, [][3][3]float64) {
	out := make([]float64, len(x))
	for i := range x {
		out[i] = x[i] + s[i]
	}
	rot := make([][3][3]float64, len(x)/3)
	for i := range rot {
		rot[i] = rotationMatrix([3]float64{})
	}
	if len(fragments) < 2 {
		return out, rot
	}
	for _, atoms := range fragments {
		if len(atoms) < 2 {
			continue
		}
		var c, t [3]float64
		for _, i := range atoms {
			for a := 0; a < 3; a++ {
				c[a] += x[3*i+a] / float64(len(atoms))
				t[a] += s[3*i+a] / float64(len(atoms))
			}
		}
		d := make([][3]float64, len(atoms))
		var inertia [3][3]float64
		var torque [3]float64
		for k, i := range atoms {
			d[k] = sub3([3]float64{x[3*i], x[3*i+1], x[3*i+2]}, c)
			rel := sub3([3]float64{s[3*i], s[3*i+1], s[3*i+2]}, t)
			torque = add3(torque, cross3(d[k], rel))
			dd := dot3(d[k], d[k])
			for a := 0; a < 3; a++ {
				inertia[a][a] += dd
				for b := 0; b < 3; b++ {
					inertia[a][b] -= d[k][a] * d[k][b]
				}
			}
		}
		omega := solvePseudo(inertia, torque)
		r := rotationMatrix(omega)
		for k, i := range atoms {
			rot[i] = r
			rel := sub3([3]float64{s[3*i], s[3*i+1], s[3*i+2]}, t)
			deform := sub3(rel, cross3(omega, d[k]))
			p := add3(add3(c, t), rotate(omega, add3(d[k], deform)))
			copy(out[3*i:3*i+3], p[:])
		}
	}
	return out, rot
}

// rotationMatrix is the matrix of rotate(omega, .).
func rotationMatrix(omega [3]float64) [3][3]float64 {
	var m [3][3]float64
	for b := 0; b < 3; b++ {
		var e [3]float64
		e[b] = 1
		col := rotate(omega, e)
		for a := 0; a < 3; a++ {
			m[a][b] = col[a]
		}
	}
	return m
}

// rotateBack applies the inverse of each atom's rotation to v (flat).
func rotateBack(v []float64, rot [][3][3]float64) []float64 {
	out := make([]float64, len(v))
	for i, r := range rot {
		for a := 0; a < 3; a++ {
			for b := 0; b < 3; b++ {
				out[3*i+a] += r[b][a] * v[3*i+b]
			}
		}
	}
	return out
}

// rotateHessian carries h to the rotated frames: h <- R h R^T with R block diagonal.
func rotateHessian(h *mat.SymDense, rot [][3][3]float64) {
	n := len(rot) * 3
	r := mat.NewDense(n, n, nil)
	for i, ri := range rot {
		for a := 0; a < 3; a++ {
			for b := 0; b < 3; b++ {
				r.Set(3*i+a, 3*i+b, ri[a][b])
			}
		}
	}
	var tmp, out mat.Dense
	tmp.Mul(r, h)
	out.Mul(&tmp, r.T())
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			h.SetSym(i, j, 0.5*(out.At(i, j)+out.At(j, i)))
		}
	}
}

// solvePseudo solves the symmetric 3x3 system a w = b, dropping directions of negligible
// curvature (the axis of a linear fragment, about which rotation moves nothing).
func solvePseudo(a [3][3]float64, b [3]float64) [3]float64 {
	sym := mat.NewSymDense(3, nil)
	for i := 0; i < 3; i++ {
		for j := i; j < 3; j++ {
			sym.SetSym(i, j, a[i][j])
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(sym, true) {
		return [3]float64{}
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	var w [3]float64
	for k := 0; k < 3; k++ {
		if vals[k] < 1e-8*math.Max(vals[2], 1e-300) || vals[k] <= 0 {
			continue
		}
		var proj float64
		for i := 0; i < 3; i++ {
			proj += vecs.At(i, k) * b[i]
		}
		for i := 0; i < 3; i++ {
			w[i] += vecs.At(i, k) * proj / vals[k]
		}
	}
	return w
}

// rotate turns v about the axis omega by the angle |omega| (Rodrigues' formula).
func rotate(omega, v [3]float64) [3]float64 {
	theta := norm3(omega)
	if theta < 1e-12 {
		return add3(v, cross3(omega, v))
	}
	k := scale3(1/theta, omega)
	cos, sin := math.Cos(theta), math.Sin(theta)
	return add3(add3(scale3(cos, v), scale3(sin, cross3(k, v))), scale3(dot3(k, v)*(1-cos), k))
}
