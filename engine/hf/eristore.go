package hf

import (
	"context"
	"math"
)

// quartetRec is one stored, screened, unique shell quartet.
type quartetRec struct {
	bra, ket int32 // pair indices, bra >= ket
	off      int   // offset of its block in the value store
	boff     int   // offset of its Boys function values in system.boysF
}

// eriStore holds the unique screened shell quartets and (optionally) their integrals.
type eriStore struct {
	quartets []quartetRec
	values   []float64
	direct   bool
}

// uniqueQuartets returns the screened unique shell quartets (computed
// once per system).
func (sys *system) uniqueQuartets() []quartetRec {
	if sys.quartets != nil {
		return sys.quartets
	}
	np := len(sys.pairs)
	// pairs sorted by nothing in particular; loop bra >= ket
	out := sys.ws.quartetBuf()
	off, boff := 0, 0
	smax := 0.0
	for _, q := range sys.schwarz {
		smax = math.Max(smax, q)
	}
	for i := 0; i < np; i++ {
		qi := sys.schwarz[i]
		if qi*smax < schwarzTol {
			continue
		}
		for j := 0; j <= i; j++ {
			if qi*sys.schwarz[j] < schwarzTol {
				continue
			}
			out = append(out, quartetRec{bra: int32(i), ket: int32(j), off: off, boff: boff})
			bra, ket := sys.pairs[i], sys.pairs[j]
			off += bra.nab * ket.nab
			boff += bra.np * ket.np * (bra.L + ket.L + 2)
		}
	}
	if sys.ws != nil {
		sys.ws.quartets = out
	}
	sys.quartets = out
	return out
}

// buildERIStore computes and keeps the unique integrals if they fit in
// maxValues values, and otherwise returns a store for direct builds.
func (sys *system) buildERIStore(ctx context.Context, maxValues int) (*eriStore, error) {
	st := &eriStore{quartets: sys.uniqueQuartets()}
	total := 0
	if n := len(st.quartets); n > 0 {
		last := st.quartets[n-1]
		total = last.off + sys.pairs[last.bra].nab*sys.pairs[last.ket].nab
	}
	if total > maxValues {
		st.direct = true
		return st, nil
	}
	st.values = sys.ws.floats(total)
	// With gradients, keep F_0..F_{L+1} of every primitive quartet for the
	// two-electron gradient.
	sys.boysF = nil
	if sys.deriv && len(st.quartets) > 0 {
		last := st.quartets[len(st.quartets)-1]
		bra, ket := sys.pairs[last.bra], sys.pairs[last.ket]
		if n := last.boff + bra.np*ket.np*(bra.L+ket.L+2); n <= maxBoysCache {
			sys.boysF = sys.ws.floats(n)
		}
	}
	nw := sys.threads
	works := sys.ws.eriWorks(nw)
	chunks := splitByWork(len(st.quartets), 8*nw, func(i int) float64 { return sys.quartetCost(st.quartets[i]) })
	err := parallelFor(nw, len(chunks), func(wk, c int) {
		if works[wk] == nil {
			works[wk] = newERIWork()
		}
		w := works[wk]
		for k := chunks[c][0]; k < chunks[c][1]; k++ {
			if k%1024 == 0 && ctx.Err() != nil {
				return
			}
			q := st.quartets[k]
			bra, ket := sys.pairs[q.bra], sys.pairs[q.ket]
			var fc []float64
			if sys.boysF != nil {
				fc = sys.boysF[q.boff : q.boff+bra.np*ket.np*(bra.L+ket.L+2)]
			}
			w.quartetF(bra, ket, st.values[q.off:q.off+bra.nab*ket.nab], fc)
		}
	})
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return st, nil
}

// quartetCost estimates the work of one shell quartet.
func (sys *system) quartetCost(q quartetRec) float64 {
	bra, ket := sys.pairs[q.bra], sys.pairs[q.ket]
	return float64(bra.np*ket.np) * float64(bra.nh*ket.nh*ket.nab+20)
}
