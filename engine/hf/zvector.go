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
	cg, err := newZVectorCG(jk, chans)
	if err != nil {
		return nil, nil, err
	}
	var history []SCFIteration
	for it := 1; ; it++ {
		res := maxAbs(cg.r)
		history = append(history, SCFIteration{Iteration: it, OrbitalGradient: res})
		switch {
		case res < zvecTol:
			_, gz, err = applyHessian(jk, chans, cg.diag, cg.x)
			if err != nil {
				return nil, nil, err
			}
			return cg.x, gz, nil
		case math.IsNaN(res):
			return nil, nil, &SCFError{Reason: SCFNonFinite, History: history}
		case it > zvecMaxIter:
			return nil, nil, &SCFError{Reason: ZVectorNotConverged, Detail: fmt.Sprintf("largest residual %.3e", res), History: history}
		}
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		if err := cg.step(); err != nil {
			return nil, nil, err
		}
	}
}

// zVectorCG is the state of the preconditioned conjugate gradients: the
// solution x, residual r, preconditioned residual pre and direction p,
// one matrix (nv x no) per channel.
type zVectorCG struct {
	jk                 *fockLike
	chans              []*mp2Channel
	diag, x, r, pre, p []matrix
	rz                 float64 // r . pre
}

func newZVectorCG(jk *fockLike, chans []*mp2Channel) (*zVectorCG, error) {
	cg := &zVectorCG{jk: jk, chans: chans}
	for _, c := range chans {
		d := newMatrix(c.nv, c.no)
		for a := 0; a < c.nv; a++ {
			for i := 0; i < c.no; i++ {
				d.v[a*c.no+i] = c.eps[c.no+a] - c.eps[i]
			}
		}
		x := newMatrix(c.nv, c.no)
		for k, l := range c.L.v {
			x.v[k] = l / precond(d.v[k])
		}
		cg.diag, cg.x = append(cg.diag, d), append(cg.x, x)
		cg.r, cg.pre, cg.p = append(cg.r, newMatrix(c.nv, c.no)), append(cg.pre, newMatrix(c.nv, c.no)), append(cg.p, newMatrix(c.nv, c.no))
	}
	ax, _, err := applyHessian(jk, chans, cg.diag, cg.x)
	if err != nil {
		return nil, err
	}
	for s, c := range chans {
		for k := range cg.r[s].v {
			cg.r[s].v[k] = c.L.v[k] - ax[s].v[k]
			cg.pre[s].v[k] = cg.r[s].v[k] / precond(cg.diag[s].v[k])
			cg.p[s].v[k] = cg.pre[s].v[k]
		}
	}
	cg.rz = dots(cg.r, cg.pre)
	return cg, nil
}

// step does one conjugate-gradient iteration.
func (cg *zVectorCG) step() error {
	ap, _, err := applyHessian(cg.jk, cg.chans, cg.diag, cg.p)
	if err != nil {
		return err
	}
	alpha := cg.rz / dots(cg.p, ap)
	for s := range cg.chans {
		for k := range cg.x[s].v {
			cg.x[s].v[k] += alpha * cg.p[s].v[k]
			cg.r[s].v[k] -= alpha * ap[s].v[k]
			cg.pre[s].v[k] = cg.r[s].v[k] / precond(cg.diag[s].v[k])
		}
	}
	rz := dots(cg.r, cg.pre)
	beta := rz / cg.rz
	cg.rz = rz
	for s := range cg.chans {
		for k := range cg.p[s].v {
			cg.p[s].v[k] = cg.pre[s].v[k] + beta*cg.p[s].v[k]
		}
	}
	return nil
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
