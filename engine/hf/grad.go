package hf

import "math"

// scfGradient returns the analytic RHF/UHF nuclear gradient (flat natom*3):
//
//	dE/dX = sum Dt dH/dX - sum W dS/dX + sum Gamma d(ab|cd)/dX + dVnn/dX
//
// with W the energy-weighted density and Gamma the two-particle density.
func (sys *system) scfGradient(st *scfState) ([]float64, error) {
	g := make([]float64, 3*len(sys.atoms))
	dt, W := sys.referenceDensities(st)
	sys.nuclearGradient(g)
	sys.oneElectronGradient(dt, W, g)
	if err := sys.twoElectronGradient(&twoPDM{dt: dt, ds: st.D}, g); err != nil {
		return nil, err
	}
	return g, nil
}

// referenceDensities returns the total density and the energy-weighted
// density sum_s sum_k e_k C_ak C_bk of the SCF solution.
func (sys *system) referenceDensities(st *scfState) (dt, W []float64) {
	n := sys.bs.nbf
	m := st.nmo
	dt = sys.ws.floats(n * n)
	W = sys.ws.floats(n * n)
	nocc := [2]int{st.na, st.nb}
	for s := 0; s < 2; s++ {
		C, e := st.C[s], st.eps[s]
		for i := range dt {
			dt[i] += st.D[s][i]
		}
		for a := 0; a < n; a++ {
			for b := 0; b < n; b++ {
				v := 0.0
				for k := 0; k < nocc[s]; k++ {
					v += e[k] * C[a*m+k] * C[b*m+k]
				}
				W[a*n+b] += v
			}
		}
	}
	return dt, W
}

// nuclearGradient adds the derivative of the nucleus-nucleus and
// nucleus-external-charge repulsion.
func (sys *system) nuclearGradient(g []float64) {
	for i, a := range sys.atoms {
		if a.Ghost {
			continue
		}
		addPair := func(q float64, pos [3]float64) {
			var d [3]float64
			r2 := 0.0
			for k := 0; k < 3; k++ {
				d[k] = a.Pos[k] - pos[k]
				r2 += d[k] * d[k]
			}
			if r2 < 1e-20 {
				return
			}
			r3 := r2 * math.Sqrt(r2)
			for k := 0; k < 3; k++ {
				g[3*i+k] -= float64(a.Z) * q * d[k] / r3
			}
		}
		for j, b := range sys.atoms {
			if j != i && !b.Ghost {
				addPair(float64(b.Z), b.Pos)
			}
		}
		for _, c := range sys.ext {
			addPair(c.Q, c.Pos)
		}
	}
}

// chargeAtom maps an index into sys.charges to its atom, or -1 for an
// external point charge (whose position is fixed).
func (sys *system) chargeAtom() []int {
	var out []int
	for i, a := range sys.atoms {
		if !a.Ghost {
			out = append(out, i)
		}
	}
	for range sys.ext {
		out = append(out, -1)
	}
	return out
}
