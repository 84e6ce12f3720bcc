package hf

import (
	"gonum.org/v1/gonum/mat"
	"math"
)

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
