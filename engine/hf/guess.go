package hf

import (
	"context"
	"math"
	"sort"
	"sync"
)

// Superposition of atomic densities (SAD) guess. Each element's density
// comes from a spin-restricted atomic SCF with fractional occupation of
// the partly filled shell (electrons spread evenly over near-degenerate
// orbitals), damped, in the element's own (cartesian) basis. Densities are
// cached per basis set and element.

var sadCache sync.Map // key sadKey -> []float64 (total density, ncart x ncart)

type sadKey struct {
	basis string
	z     int
}

// sadDensity returns the total (alpha+beta) SAD density of the molecule in
// its cartesian basis, or nil if an atomic calculation failed.
func (sys *system) sadDensity(b *gbsBasis) []float64 {
	n := sys.bs.nbf
	D := make([]float64, n*n)
	// first basis function of each atom
	first := make([]int, len(sys.atoms))
	for i := range first {
		first[i] = -1
	}
	for _, s := range sys.bs.shells {
		if first[s.atom] < 0 {
			first[s.atom] = s.off
		}
	}
	for i, a := range sys.atoms {
		if a.Ghost || first[i] < 0 {
			continue
		}
		da := atomicDensity(b, a.Z)
		if da == nil {
			return nil
		}
		na := int(math.Round(math.Sqrt(float64(len(da)))))
		o := first[i]
		for p := 0; p < na; p++ {
			for q := 0; q < na; q++ {
				D[(o+p)*n+o+q] = da[p*na+q]
			}
		}
	}
	return D
}

func atomicDensity(b *gbsBasis, z int) []float64 {
	key := sadKey{b.name, z}
	if v, ok := sadCache.Load(key); ok {
		return v.([]float64)
	}
	d := computeAtomicDensity(b, z)
	if d != nil {
		sadCache.Store(key, d)
	}
	return d
}

func computeAtomicDensity(b *gbsBasis, z int) []float64 {
	atoms := []Atom{{Z: z}}
	sys, err := newSystem(atoms, b, nil, false, 1, false)
	if err != nil {
		return nil
	}
	n := sys.bs.nbf
	S, T, V := oneElectron(nil, sys.bs, sys.charges)
	H := make([]float64, n*n)
	for i := range H {
		H[i] = T[i] + V[i]
	}
	X, m, err := orthogonalizer(S, n)
	if err != nil {
		return nil
	}
	st, err := sys.buildERIStore(context.Background(), math.MaxInt)
	if err != nil {
		return nil
	}
	var diag fockDiag
	diagFock := func(F []float64) ([]float64, []float64, error) {
		C, eps := make([]float64, n*m), make([]float64, m)
		return C, eps, diag.solve(F, X, n, m, C, eps)
	}
	jkb := newJKBuilder(sys, st, 1)
	densityFrom := func(C, eps []float64) []float64 { return occupiedDensity(C, fractionalOccupations(eps, z), n, m) }
	C, eps, err := diagFock(H)
	if err != nil {
		return nil
	}
	D := densityFrom(C, eps) // total density
	J := make([]float64, n*n)
	K := [][]float64{make([]float64, n*n)}
	half := make([]float64, n*n)
	F := make([]float64, n*n)
	eOld := 0.0
	for iter := 0; iter < 60; iter++ {
		for i := range D {
			half[i] = 0.5 * D[i]
		}
		if jkb.build(D, [][]float64{half}, J, K) != nil {
			return nil
		}
		e := 0.0
		for i := range F {
			F[i] = H[i] + J[i] - K[0][i]
			e += 0.5 * D[i] * (H[i] + F[i])
		}
		if C, eps, err = diagFock(F); err != nil {
			return nil
		}
		Dn := densityFrom(C, eps)
		diff := 0.0
		for i := range D {
			diff = math.Max(diff, math.Abs(Dn[i]-D[i]))
			D[i] = 0.5*D[i] + 0.5*Dn[i]
		}
		if math.IsNaN(e) {
			return nil
		}
		if diff < 1e-5 && math.Abs(e-eOld) < 1e-7 {
			break
		}
		eOld = e
	}
	return D
}

// fractionalOccupations fills nel electrons into orbitals by energy
// (aufbau), spreading the last ones evenly over near-degenerate orbitals
// (spherical atoms).
func fractionalOccupations(eps []float64, nel int) []float64 {
	left := float64(nel)
	o := make([]float64, len(eps))
	idx := make([]int, len(eps))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return eps[idx[a]] < eps[idx[b]] })
	for i := 0; left > 1e-12 && i < len(idx); {
		// group of near-degenerate orbitals starting at i
		j := i + 1
		for j < len(idx) && eps[idx[j]]-eps[idx[i]] < 1e-3 {
			j++
		}
		put := math.Min(2*float64(j-i), left)
		for k := i; k < j; k++ {
			o[idx[k]] = put / float64(j-i)
		}
		left -= put
		i = j
	}
	return o
}

// occupiedDensity returns sum_k o_k C_pk C_qk (C n x m).
func occupiedDensity(C, o []float64, n, m int) []float64 {
	D := make([]float64, n*n)
	for p := 0; p < n; p++ {
		for q := 0; q < n; q++ {
			s := 0.0
			for k := 0; k < m; k++ {
				s += o[k] * C[p*m+k] * C[q*m+k]
			}
			D[p*n+q] = s
		}
	}
	return D
}
