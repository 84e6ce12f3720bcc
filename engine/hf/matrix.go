package hf

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// matrix is a dense row-major matrix that carries its dimensions; its
// products go through gonum's BLAS.
type matrix struct {
	r, c int
	v    []float64
}

func newMatrix(r, c int) matrix { return matrix{r, c, make([]float64, r*c)} }

// asMatrix views v (at least r*c values) as an r x c matrix.
func asMatrix(v []float64, r, c int) matrix { return matrix{r, c, v[:r*c]} }

func (m matrix) at(i, j int) float64 { return m.v[i*m.c+j] }

func (m matrix) general() blas64.General {
	return blas64.General{Rows: m.r, Cols: m.c, Stride: max(m.c, 1), Data: m.v}
}

// t returns the transpose as a new matrix.
func (m matrix) t() matrix {
	out := newMatrix(m.c, m.r)
	for i := 0; i < m.r; i++ {
		for j := 0; j < m.c; j++ {
			out.v[j*m.r+i] = m.v[i*m.c+j]
		}
	}
	return out
}

// symmetrize replaces the square m by (m + m^T)/2.
func (m matrix) symmetrize() {
	for i := 0; i < m.r; i++ {
		for j := 0; j < i; j++ {
			v := 0.5 * (m.v[i*m.c+j] + m.v[j*m.c+i])
			m.v[i*m.c+j], m.v[j*m.c+i] = v, v
		}
	}
}

// op selects a matrix or its transpose as a product operand.
type op struct {
	m     matrix
	trans bool
}

func asIs(m matrix) op { return op{m, false} }
func tr(m matrix) op   { return op{m, true} }

func (o op) dims() (int, int) {
	if o.trans {
		return o.m.c, o.m.r
	}
	return o.m.r, o.m.c
}

// gemm sets c = alpha a b + beta c.
func gemm(alpha float64, a, b op, beta float64, c matrix) {
	ar, ac := a.dims()
	br, bc := b.dims()
	if ar != c.r || bc != c.c || ac != br {
		panic("hf: matrix product dimensions do not match") // a bug, not input
	}
	if c.r == 0 || c.c == 0 {
		return
	}
	if ac == 0 {
		for i := range c.v {
			c.v[i] *= beta
		}
		return
	}
	ta, tb := blas.NoTrans, blas.NoTrans
	if a.trans {
		ta = blas.Trans
	}
	if b.trans {
		tb = blas.Trans
	}
	blas64.Gemm(ta, tb, alpha, a.m.general(), b.m.general(), beta, c.general())
}

// mul returns a b.
func mul(a, b op) matrix {
	r, _ := a.dims()
	_, c := b.dims()
	out := newMatrix(r, c)
	gemm(1, a, b, 0, out)
	return out
}
