package hf

import (
	"context"
	"fmt"
	"math"
)

// toAO returns C M C^T.
func toAO(C, M matrix) matrix { return mul(asIs(mul(asIs(C), asIs(M))), tr(C)) }

// toMO returns C^T A C.
func toMO(C, A matrix) matrix { return mul(asIs(mul(tr(C), asIs(A))), asIs(C)) }

// voMatrix returns the symmetric m x m matrix with z (nv x no) in its
// virtual-occupied block and z^T in the occupied-virtual block.
func (c *mp2Channel) voMatrix(z matrix) matrix {
	M := newMatrix(c.m, c.m)
	for a := 0; a < c.nv; a++ {
		for i := 0; i < c.no; i++ {
			v := z.v[a*c.no+i]
			M.v[(c.no+a)*c.m+i] = v
			M.v[i*c.m+c.no+a] = v
		}
	}
	return M
}

// Z-vector convergence: largest residual element and iterations.
const (
	zvecTol     = 1e-10
	zvecMaxIter = 100
)

// solveZVector solves the coupled-perturbed Hartree-Fock equations
// A z = L (A the orbital Hessian (e_a - e_i) delta + G[.]_ai of the
// virtual-occupied rotations, all channels coupled) by conjugate
// gradients preconditioned with the orbital energy differences. It returns
// z per channel (nv x no) and G[z] in the MO basis.
func solveZVector(ctx context.Context, jk *fockLike, chans []*mp2Channel) (z, gz []matrix, err error) {
	diag := make([]matrix, len(chans))
	x, r, p, pre := make([]matrix, len(chans)), make([]matrix, len(chans)), make([]matrix, len(chans)), make([]matrix, len(chans))
	for s, c := range chans {
		diag[s] = newMatrix(c.nv, c.no)
		for a := 0; a < c.nv; a++ {
			for i := 0; i < c.no; i++ {
				diag[s].v[a*c.no+i] = c.eps[c.no+a] - c.eps[i]
			}
		}
		x[s], r[s], p[s], pre[s] = newMatrix(c.nv, c.no), newMatrix(c.nv, c.no), newMatrix(c.nv, c.no), newMatrix(c.nv, c.no)
		for k, l := range c.L.v {
			x[s].v[k] = l / precond(diag[s].v[k])
		}
	}
	ax, _, err := applyHessian(jk, chans, diag, x)
	if err != nil {
		return nil, nil, err
	}
	for s, c := range chans {
		for k := range r[s].v {
			r[s].v[k] = c.L.v[k] - ax[s].v[k]
			pre[s].v[k] = r[s].v[k] / precond(diag[s].v[k])
			p[s].v[k] = pre[s].v[k]
		}
	}
	rz := dots(r, pre)
	var history []SCFIteration
	for it := 1; ; it++ {
		res := maxAbs(r)
		history = append(history, SCFIteration{Iteration: it, OrbitalGradient: res})
		if res < zvecTol {
			break
		}
		if math.IsNaN(res) || it > zvecMaxIter {
			reason := ZVectorNotConverged
			if math.IsNaN(res) {
				reason = SCFNonFinite
			}
			return nil, nil, &SCFError{Reason: reason, Detail: fmt.Sprintf("largest residual %.3e", res), History: history}
		}
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		ap, _, err := applyHessian(jk, chans, diag, p)
		if err != nil {
			return nil, nil, err
		}
		alpha := rz / dots(p, ap)
		for s := range chans {
			for k := range x[s].v {
				x[s].v[k] += alpha * p[s].v[k]
				r[s].v[k] -= alpha * ap[s].v[k]
				pre[s].v[k] = r[s].v[k] / precond(diag[s].v[k])
			}
		}
		rzNew := dots(r, pre)
		beta := rzNew / rz
		rz = rzNew
		for s := range chans {
			for k := range p[s].v {
				p[s].v[k] = pre[s].v[k] + beta*p[s].v[k]
			}
		}
	}
	_, gz, err = applyHessian(jk, chans, diag, x)
	if err != nil {
		return nil, nil, err
	}
	return x, gz, nil
}

// applyHessian returns A v per channel and the MO-basis G[v] it used.
func applyHessian(jk *fockLike, chans []*mp2Channel, diag, v []matrix) ([]matrix, []matrix, error) {
	k := 0
	g, err := jk.mo(chans, func(c *mp2Channel) matrix { k++; return c.voMatrix(v[k-1]) })
	if err != nil {
		return nil, nil, err
	}
	out := make([]matrix, len(chans))
	for s, c := range chans {
		out[s] = newMatrix(c.nv, c.no)
		for a := 0; a < c.nv; a++ {
			for i := 0; i < c.no; i++ {
				out[s].v[a*c.no+i] = diag[s].v[a*c.no+i]*v[s].v[a*c.no+i] + g[s].at(c.no+a, i)
			}
		}
	}
	return out, g, nil
}

// precond keeps the preconditioner away from zero for (unusual)
// non-aufbau references.
func precond(d float64) float64 { return math.Max(d, 1e-2) }

func dots(a, b []matrix) float64 {
	s := 0.0
	for c := range a {
		for k, v := range a[c].v {
			s += v * b[c].v[k]
		}
	}
	return s
}

func maxAbs(a []matrix) float64 {
	m := 0.0
	for _, x := range a {
		for _, v := range x.v {
			if math.IsNaN(v) {
				return v
			}
			m = math.Max(m, math.Abs(v))
		}
	}
	return m
}
