package hf

import (
	"math"
)

// schwarzTol is the integral screening threshold (Psi4's ints_tolerance).
const schwarzTol = 1e-12

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
	sys.enuc, sys.eext = nuclearEnergies(atoms, ext)
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
	if err := sys.schwarzFactors(); err != nil {
		return nil, err
	}
	return sys, nil
}

// nuclearEnergies returns the repulsion of the real nuclei and their
// interaction with the external charges.
func nuclearEnergies(atoms []Atom, ext []PointCharge) (enuc, eext float64) {
	for i, a := range atoms {
		if a.Ghost {
			continue
		}
		for j := 0; j < i; j++ {
			if !atoms[j].Ghost {
				enuc += float64(a.Z*atoms[j].Z) / dist(a.Pos, atoms[j].Pos)
			}
		}
		for _, c := range ext {
			if d := dist(a.Pos, c.Pos); d > 1e-10 {
				eext += float64(a.Z) * c.Q / d
			}
		}
	}
	return enuc, eext
}

// schwarzFactors sets sys.schwarz[pair] = sqrt(max (ab|ab)) over the
// functions of each shell pair.
func (sys *system) schwarzFactors() error {
	sys.schwarz = make([]float64, len(sys.pairs))
	nw := sys.threads
	works := sys.ws.eriWorks(nw)
	bufs := make([][]float64, nw)
	chunks := splitByWork(len(sys.pairs), 4*nw, func(i int) float64 {
		sp := sys.pairs[i]
		return float64(sp.np*sp.np*sp.nab*sp.nab + 1)
	})
	return parallelFor(nw, len(chunks), func(wk, c int) {
		if works[wk] == nil {
			works[wk] = newERIWork()
		}
		for i := chunks[c][0]; i < chunks[c][1]; i++ {
			sp := sys.pairs[i]
			bufs[wk] = grow(bufs[wk], sp.nab*sp.nab)
			works[wk].quartet(sp, sp, bufs[wk])
			mx := 0.0
			for ab := 0; ab < sp.nab; ab++ {
				mx = math.Max(mx, math.Abs(bufs[wk][ab*sp.nab+ab]))
			}
			sys.schwarz[i] = math.Sqrt(mx)
		}
	})
}
