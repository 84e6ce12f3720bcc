package qcschema

import (
	"math"
	"sort"
)

// ChargeMult is a complete, consistent charge and multiplicity specification of a
// molecule and its fragments.
type ChargeMult struct {
	MolecularCharge        float64
	FragmentCharges        []float64
	MolecularMultiplicity  float64
	FragmentMultiplicities []float64
}

// ReconcileChargeMult completes and checks a charge and multiplicity specification with
// the semantics of QCElemental's molparse.validate_and_fill_chgmult, without its
// exponential search over candidates.
//
// fragmentElectrons holds, per fragment, the electrons of the neutral fragment (the sum of
// the atomic numbers of its real atoms; 0 marks a ghost fragment). A nil pointer, or a
// nil slice, means "not given". The rules, as in QCElemental:
//
//   - the molecular charge is the sum of the fragment charges; an unknown molecular charge
//     is the sum of the known fragment charges (unknown fragments neutral), and a known one
//     whose residual over the known fragment charges is not zero puts that residual wholly
//     on the first fragment without a given charge that can bear it;
//   - every multiplicity is a positive integer m with m-1 no more than the electrons and of
//     the opposite parity (m-1 and the electron count are both even or both odd), for the
//     molecule and for each fragment; ghost fragments are neutral singlets;
//   - unknown fragment multiplicities default to 1 or 2 by their electron parity;
//   - unless the molecular and all fragment multiplicities are given, the molecular one is
//     the high-spin sum 1 + sum(m_i - 1); a given molecular multiplicity larger than that
//     puts the missing unpaired electrons on the first fragments without a given
//     multiplicity that can hold them (largest first), exactly as QCElemental's candidate
//     order would.
//
// Charges must be integral. The time is linear in the number of fragments, except that a
// given molecular multiplicity with unknown fragment multiplicities costs O(n log n).
// Errors are *ValidationError naming the field to blame.
func ReconcileChargeMult(fragmentElectrons []int, molCharge *float64, fragCharges []*float64,
	molMult *float64, fragMults []*float64) (*ChargeMult, error) {
	nfr := len(fragmentElectrons)
	if nfr == 0 {
		return nil, invalid("fragments", -1, "no fragments")
	}
	if fragCharges != nil && len(fragCharges) != nfr {
		return nil, invalid("fragment_charges", -1, "have %d, want one per fragment (%d)", len(fragCharges), nfr)
	}
	if fragMults != nil && len(fragMults) != nfr {
		return nil, invalid("fragment_multiplicities", -1, "have %d, want one per fragment (%d)", len(fragMults), nfr)
	}
	asInt := func(x float64) (int, bool) {
		if math.IsNaN(x) || math.IsInf(x, 0) || x != math.Trunc(x) || math.Abs(x) > 1<<40 {
			return 0, false
		}
		return int(x), true
	}

	// Known values as integers.
	var (
		cKnown, mKnown bool
		cGiven, mGiven int
		fc             = make([]int, nfr)
		fcKnown        = make([]bool, nfr)
		fm             = make([]int, nfr)
		fmKnown        = make([]bool, nfr)
		zel            int
	)
	for _, z := range fragmentElectrons {
		zel += z
	}
	if molCharge != nil {
		c, ok := asInt(*molCharge)
		if !ok {
			return nil, invalid("molecular_charge", -1, "%v is not an integer", *molCharge)
		}
		cKnown, cGiven = true, c
	}
	if molMult != nil {
		m, ok := asInt(*molMult)
		if !ok || m < 1 {
			return nil, invalid("molecular_multiplicity", -1, "%v is not a positive integer", *molMult)
		}
		mKnown, mGiven = true, m
	}
	sKnown := 0
	for i := 0; i < nfr; i++ {
		if fragCharges != nil && fragCharges[i] != nil {
			c, ok := asInt(*fragCharges[i])
			if !ok {
				return nil, invalid("fragment_charges", i, "%v is not an integer", *fragCharges[i])
			}
			fc[i], fcKnown[i] = c, true
			sKnown += c
		}
		if fragMults != nil && fragMults[i] != nil {
			m, ok := asInt(*fragMults[i])
			if !ok || m < 1 {
				return nil, invalid("fragment_multiplicities", i, "%v is not a positive integer", *fragMults[i])
			}
			fm[i], fmKnown[i] = m, true
		}
	}

	// The molecular charge, and the residual charge that one unknown fragment must take.
	c, residual := sKnown, 0
	var unknownFC []int
	for i := 0; i < nfr; i++ {
		if !fcKnown[i] {
			unknownFC = append(unknownFC, i)
		}
	}
	if cKnown {
		c, residual = cGiven, cGiven-sKnown
		if residual != 0 && len(unknownFC) == 0 {
			return nil, invalid("fragment_charges", -1, "fragment charges sum to %d, molecular charge is %d", sKnown, cGiven)
		}
	}

	// Checks of the whole molecule, which depend on the charge only.
	nel := zel - c
	if nel < 0 {
		return nil, invalid("molecular_charge", -1, "charge %d exceeds the %d electrons of the neutral molecule", c, zel)
	}
	if mKnown {
		if mGiven-1 > nel {
			return nil, invalid("molecular_multiplicity", -1, "multiplicity %d needs %d unpaired electrons; the molecule has %d electrons", mGiven, mGiven-1, nel)
		}
		if (mGiven-1)%2 != nel%2 {
			return nil, invalid("molecular_multiplicity", -1, "multiplicity %d is inconsistent with %d electrons", mGiven, nel)
		}
	}

	// Baseline: unknown fragment charges all 0.
	for _, i := range unknownFC {
		fc[i] = 0
	}
	fragErr := func(i, charge int) *ValidationError {
		z := fragmentElectrons[i]
		n := z - charge
		if z == 0 && charge != 0 {
			return invalid("fragment_charges", i, "ghost fragment %d must be neutral, has charge %d", i, charge)
		}
		if n < 0 {
			return invalid("fragment_charges", i, "charge %d exceeds the fragment's %d electrons", charge, z)
		}
		if fmKnown[i] {
			if fm[i]-1 > n {
				return invalid("fragment_multiplicities", i, "multiplicity %d needs %d unpaired electrons; the fragment has %d electrons", fm[i], fm[i]-1, n)
			}
			if (fm[i]-1)%2 != n%2 {
				return invalid("fragment_multiplicities", i, "multiplicity %d is inconsistent with the fragment's %d electrons", fm[i], n)
			}
		}
		return nil
	}
	var firstBad *ValidationError
	bad := make([]bool, nfr)
	nbad := 0
	for i := 0; i < nfr; i++ {
		if e := fragErr(i, fc[i]); e != nil {
			bad[i] = true
			nbad++
			if firstBad == nil {
				firstBad = e
			}
		}
	}

	// Unknown fragment multiplicities with a known molecular one: the spin pool.
	var unknownFM []int
	known := 0 // sum over known fragment multiplicities of m-1
	for i := 0; i < nfr; i++ {
		if fmKnown[i] {
			known += fm[i] - 1
		} else {
			unknownFM = append(unknownFM, i)
		}
	}
	usePool := mKnown && len(unknownFM) > 0
	var pool *spinPool
	var itemOf, variantOf []int // fragment -> pool item (baseline, and with the residual charge)
	R := 0                      // unpaired electrons the unknown fragments must hold
	if usePool {
		R = mGiven - 1 - known
		if R < 0 {
			return nil, invalid("molecular_multiplicity", -1, "multiplicity %d is less than the high-spin sum %d of the given fragment multiplicities", mGiven, 1+known)
		}
		itemOf = make([]int, nfr)
		variantOf = make([]int, nfr)
		var ns []int
		for _, i := range unknownFM {
			itemOf[i] = len(ns)
			ns = append(ns, fragmentElectrons[i]-fc[i])
			variantOf[i] = -1
			if residual != 0 && !fcKnown[i] {
				variantOf[i] = len(ns)
				ns = append(ns, fragmentElectrons[i]-residual)
			}
		}
		pool = newSpinPool(R, len(unknownFM), ns)
		for _, i := range unknownFM {
			pool.activate(itemOf[i])
		}
	}

	// feasible reports whether the multiplicities can be completed with fragment `who`
	// (or none, -1) carrying the residual charge.
	feasible := func(who int) bool {
		others := nbad
		if who >= 0 && bad[who] {
			others--
		}
		if others > 0 {
			return false
		}
		if who >= 0 && fragErr(who, residual) != nil {
			return false
		}
		if !usePool {
			return true
		}
		if who < 0 || fmKnown[who] {
			return pool.feasible(R)
		}
		pool.deactivate(itemOf[who])
		pool.activate(variantOf[who])
		ok := pool.feasible(R)
		pool.deactivate(variantOf[who])
		pool.activate(itemOf[who])
		return ok
	}

	who := -1
	if residual == 0 {
		if firstBad != nil {
			return nil, firstBad
		}
		if usePool && !pool.feasible(R) {
			return nil, invalid("molecular_multiplicity", -1, "multiplicity %d cannot be reached by the fragments (high-spin rule)", mGiven)
		}
	} else {
		found := false
		for _, i := range unknownFC {
			if feasible(i) {
				who, found = i, true
				break
			}
		}
		if !found {
			return nil, invalid("fragment_charges", -1, "no fragment without a given charge can carry the residual charge %d (molecular charge %d, given fragment charges sum to %d)", residual, c, sKnown)
		}
		fc[who] = residual
		if usePool && !fmKnown[who] {
			pool.deactivate(itemOf[who])
			pool.activate(variantOf[who])
			itemOf[who] = variantOf[who]
		}
	}

	// Multiplicities.
	out := &ChargeMult{
		MolecularCharge:        float64(c),
		FragmentCharges:        make([]float64, nfr),
		FragmentMultiplicities: make([]float64, nfr),
	}
	for i := 0; i < nfr; i++ {
		out.FragmentCharges[i] = float64(fc[i])
	}
	switch {
	case usePool:
		T := R
		for _, i := range unknownFM {
			it := itemOf[i]
			pool.deactivate(it)
			e, ok := pool.choose(it, T)
			if !ok { // cannot happen: feasibility was checked
				return nil, invalid("molecular_multiplicity", -1, "internal error distributing multiplicity %d", mGiven)
			}
			fm[i] = e + 1
			T -= e
		}
	default:
		for _, i := range unknownFM {
			fm[i] = 1 + (fragmentElectrons[i]-fc[i])%2
		}
	}
	hs := 1
	for i := 0; i < nfr; i++ {
		out.FragmentMultiplicities[i] = float64(fm[i])
		hs += fm[i] - 1
	}
	if mKnown {
		out.MolecularMultiplicity = float64(mGiven)
	} else {
		out.MolecularMultiplicity = float64(hs)
	}
	return out, nil
}

// spinPool holds the fragments whose multiplicity is unknown while the molecular one is
// given. Each must take an excess e = m-1 (unpaired electrons) from QCElemental's candidate
// list: [R-u+1, R] (the "missing multiplicity" range) or {0, 1} (the defaults), of the
// parity p of its electron count and no more than that count. In half units x = (e-p)/2 a
// fragment takes 0 ("small") or x in [alpha, beta] ("big"); all alphas are alpha0 or
// alpha0+1. The sums reachable by the pool are the union over k of [min_k, max_k], with
// min_k the k smallest alphas and max_k the k largest betas, because the starts of the
// k-subsets are consecutive integers.
type spinPool struct {
	loE    int // smallest excess of the range part
	alpha0 int
	items  []spinItem
	active []bool
	// Fenwick trees over big items sorted by beta, largest first.
	fsum []int
	fcnt []int
	p    int // sum of parities of active items
	c0   int // active big items with alpha == alpha0
	c1   int // active big items with alpha == alpha0+1
	tot  int // sum of betas of active big items
	nbad int // active items that cannot take any excess
}

type spinItem struct {
	ok    bool // the fragment can take any excess at all (n >= 0)
	p     int
	big   bool
	alpha int
	beta  int
	pos   int // 1-based position in the Fenwick order
}

func newSpinPool(R, u int, ns []int) *spinPool {
	loE := R - u + 1
	if loE < 0 {
		loE = 0
	}
	sp := &spinPool{loE: loE, alpha0: loE / 2, items: make([]spinItem, len(ns)), active: make([]bool, len(ns))}
	var bigs []int
	for i, n := range ns {
		it := spinItem{ok: n >= 0}
		if it.ok {
			it.p = n % 2
			lo := loE
			if lo%2 != it.p {
				lo++
			}
			hi := min(R, n)
			if hi >= 0 && hi%2 != it.p {
				hi--
			}
			if hi >= lo {
				it.big = true
				it.alpha = (lo - it.p) / 2
				it.beta = (hi - it.p) / 2
				bigs = append(bigs, i)
			}
		}
		sp.items[i] = it
	}
	sort.SliceStable(bigs, func(a, b int) bool { return sp.items[bigs[a]].beta > sp.items[bigs[b]].beta })
	for k, i := range bigs {
		sp.items[i].pos = k + 1
	}
	sp.fsum = make([]int, len(bigs)+1)
	sp.fcnt = make([]int, len(bigs)+1)
	return sp
}

func (sp *spinPool) update(pos, ds, dc int) {
	for ; pos < len(sp.fsum); pos += pos & -pos {
		sp.fsum[pos] += ds
		sp.fcnt[pos] += dc
	}
}

func (sp *spinPool) set(i int, on bool) {
	if sp.active[i] == on {
		return
	}
	sp.active[i] = on
	sign := 1
	if !on {
		sign = -1
	}
	it := sp.items[i]
	sp.p += sign * it.p
	if !it.ok {
		sp.nbad += sign
	}
	if it.big {
		sp.update(it.pos, sign*it.beta, sign)
		sp.tot += sign * it.beta
		if it.alpha == sp.alpha0 {
			sp.c0 += sign
		} else {
			sp.c1 += sign
		}
	}
}

func (sp *spinPool) activate(i int)   { sp.set(i, true) }
func (sp *spinPool) deactivate(i int) { sp.set(i, false) }

// smallestGeq returns the smallest reachable half-unit sum y >= x of the active items.
func (sp *spinPool) smallestGeq(x int) (int, bool) {
	if x <= 0 {
		return 0, true
	}
	if sp.tot < x {
		return 0, false
	}
	// Largest position with prefix sum < x, by binary lifting.
	pos, acc, cnt := 0, 0, 0
	step := 1
	for step*2 < len(sp.fsum) {
		step *= 2
	}
	for ; step > 0; step /= 2 {
		if next := pos + step; next < len(sp.fsum) && acc+sp.fsum[next] < x {
			pos = next
			acc += sp.fsum[next]
			cnt += sp.fcnt[next]
		}
	}
	k := cnt + 1 // the next active big item reaches x
	minK := k*sp.alpha0 + max(0, k-sp.c0)
	return max(x, minK), true
}

// feasible reports whether the active items can hold exactly R unpaired electrons.
func (sp *spinPool) feasible(R int) bool {
	if sp.nbad > 0 {
		return false
	}
	d := R - sp.p
	if d < 0 || d%2 != 0 {
		return false
	}
	y, ok := sp.smallestGeq(d / 2)
	return ok && y == d/2
}

// choose picks the excess of inactive item it, given that it and the active items must
// hold t unpaired electrons: the largest one that leaves a reachable remainder.
func (sp *spinPool) choose(it, t int) (int, bool) {
	item := sp.items[it]
	if !item.ok {
		return 0, false
	}
	d := t - item.p - sp.p
	if d < 0 || d%2 != 0 {
		return 0, false
	}
	d /= 2
	if item.big {
		if y, ok := sp.smallestGeq(d - item.beta); ok && d-y >= item.alpha {
			return item.p + 2*(d-y), true
		}
	}
	if y, ok := sp.smallestGeq(d); ok && y == d {
		return item.p, true
	}
	return 0, false
}
