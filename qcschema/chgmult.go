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
	r, err := readChargeMult(fragmentElectrons, molCharge, fragCharges, molMult, fragMults)
	if err != nil {
		return nil, err
	}
	if err := r.settleCharge(); err != nil {
		return nil, err
	}
	if err := r.checkMolecule(); err != nil {
		return nil, err
	}
	r.checkFragments()
	if err := r.openSpinPool(); err != nil {
		return nil, err
	}
	if err := r.placeResidual(); err != nil {
		return nil, err
	}
	if err := r.completeMultiplicities(); err != nil {
		return nil, err
	}
	return r.result(), nil
}

// chargeMultReconciler is one reconciliation as ReconcileChargeMult works through it: the
// given values as integers, then what each step settles. The steps run in QCElemental's
// order of checks, so that the first error reported is the one it would report.
type chargeMultReconciler struct {
	electrons []int // per fragment, of the neutral fragment; 0 marks a ghost
	neutral   int   // electrons of the neutral molecule

	chargeKnown, multKnown bool
	charge, mult           int // molecular; the charge settled by settleCharge when not given
	fc, fm                 []int
	fcKnown, fmKnown       []bool
	knownCharge            int // sum of the given fragment charges

	// Set by settleCharge: the charge over the given fragment charges, which one fragment
	// without a given charge must carry whole, and those fragments.
	residual  int
	unknownFC []int

	// Set by checkFragments, with every unknown fragment charge 0: the fragments whose
	// charge or multiplicity is impossible, their count and the first one's error.
	bad      []bool
	nbad     int
	firstBad *ValidationError

	// Set by openSpinPool: the fragments without a given multiplicity and, when the
	// molecular one is given, the pool that shares its unpaired electrons among them.
	unknownFM         []int
	pool              *spinPool // nil when the molecular multiplicity is not given or none is unknown
	itemOf, variantOf []int     // fragment -> pool item (baseline, and with the residual charge)
	unpaired          int       // unpaired electrons the unknown fragments must hold
}

// readChargeMult reads the given values as integers, refusing any that is not one (or a
// multiplicity below 1), and sets up the reconciliation.
func readChargeMult(electrons []int, molCharge *float64, fragCharges []*float64,
	molMult *float64, fragMults []*float64) (*chargeMultReconciler, error) {
	nfr := len(electrons)
	if nfr == 0 {
		return nil, invalid("fragments", -1, "no fragments")
	}
	if fragCharges != nil && len(fragCharges) != nfr {
		return nil, invalid("fragment_charges", -1, "have %d, want one per fragment (%d)", len(fragCharges), nfr)
	}
	if fragMults != nil && len(fragMults) != nfr {
		return nil, invalid("fragment_multiplicities", -1, "have %d, want one per fragment (%d)", len(fragMults), nfr)
	}
	r := &chargeMultReconciler{
		electrons: electrons,
		fc:        make([]int, nfr),
		fcKnown:   make([]bool, nfr),
		fm:        make([]int, nfr),
		fmKnown:   make([]bool, nfr),
	}
	for _, z := range electrons {
		r.neutral += z
	}
	if molCharge != nil {
		c, ok := chargeMultInt(*molCharge)
		if !ok {
			return nil, invalid("molecular_charge", -1, "%v is not an integer", *molCharge)
		}
		r.chargeKnown, r.charge = true, c
	}
	if molMult != nil {
		m, ok := chargeMultInt(*molMult)
		if !ok || m < 1 {
			return nil, invalid("molecular_multiplicity", -1, "%v is not a positive integer", *molMult)
		}
		r.multKnown, r.mult = true, m
	}
	for i := range nfr {
		if err := r.readFragment(i, fragCharges, fragMults); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// readFragment reads fragment i's given charge and multiplicity, if any. Charge before
// multiplicity, fragment by fragment: the order in which the first error is reported.
func (r *chargeMultReconciler) readFragment(i int, fragCharges, fragMults []*float64) error {
	if fragCharges != nil && fragCharges[i] != nil {
		c, ok := chargeMultInt(*fragCharges[i])
		if !ok {
			return invalid("fragment_charges", i, "%v is not an integer", *fragCharges[i])
		}
		r.fc[i], r.fcKnown[i] = c, true
		r.knownCharge += c
	}
	if fragMults != nil && fragMults[i] != nil {
		m, ok := chargeMultInt(*fragMults[i])
		if !ok || m < 1 {
			return invalid("fragment_multiplicities", i, "%v is not a positive integer", *fragMults[i])
		}
		r.fm[i], r.fmKnown[i] = m, true
	}
	return nil
}

// chargeMultInt returns x as an int when it is an integer of a size a charge or
// multiplicity could have.
func chargeMultInt(x float64) (int, bool) {
	if math.IsNaN(x) || math.IsInf(x, 0) || x != math.Trunc(x) || math.Abs(x) > 1<<40 {
		return 0, false
	}
	return int(x), true
}

// settleCharge settles the molecular charge (the sum of the given fragment charges when it
// is not given) and the residual a given one leaves over the given fragment charges.
func (r *chargeMultReconciler) settleCharge() error {
	for i, known := range r.fcKnown {
		if !known {
			r.unknownFC = append(r.unknownFC, i)
		}
	}
	if !r.chargeKnown {
		r.charge = r.knownCharge
		return nil
	}
	r.residual = r.charge - r.knownCharge
	if r.residual != 0 && len(r.unknownFC) == 0 {
		return invalid("fragment_charges", -1, "fragment charges sum to %d, molecular charge is %d", r.knownCharge, r.charge)
	}
	return nil
}

// checkMolecule checks what depends on the molecular charge only: enough electrons, and
// a given multiplicity they can have.
func (r *chargeMultReconciler) checkMolecule() error {
	nel := r.neutral - r.charge
	if nel < 0 {
		return invalid("molecular_charge", -1, "charge %d exceeds the %d electrons of the neutral molecule", r.charge, r.neutral)
	}
	if !r.multKnown {
		return nil
	}
	if r.mult-1 > nel {
		return invalid("molecular_multiplicity", -1, "multiplicity %d needs %d unpaired electrons; the molecule has %d electrons", r.mult, r.mult-1, nel)
	}
	if (r.mult-1)%2 != nel%2 {
		return invalid("molecular_multiplicity", -1, "multiplicity %d is inconsistent with %d electrons", r.mult, nel)
	}
	return nil
}

// checkFragments finds the fragments that are impossible with every unknown fragment
// charge 0. They are not errors yet: the residual charge may be what makes one possible,
// so placeResidual decides.
func (r *chargeMultReconciler) checkFragments() {
	for _, i := range r.unknownFC {
		r.fc[i] = 0
	}
	r.bad = make([]bool, len(r.electrons))
	for i := range r.electrons {
		if e := r.fragmentError(i, r.fc[i]); e != nil {
			r.bad[i] = true
			r.nbad++
			if r.firstBad == nil {
				r.firstBad = e
			}
		}
	}
}

// fragmentError checks fragment i with the given charge: ghosts neutral, enough electrons,
// and a given multiplicity they can have. nil when it is possible.
func (r *chargeMultReconciler) fragmentError(i, charge int) *ValidationError {
	z := r.electrons[i]
	n := z - charge
	if z == 0 && charge != 0 {
		return invalid("fragment_charges", i, "ghost fragment %d must be neutral, has charge %d", i, charge)
	}
	if n < 0 {
		return invalid("fragment_charges", i, "charge %d exceeds the fragment's %d electrons", charge, z)
	}
	if r.fmKnown[i] {
		if r.fm[i]-1 > n {
			return invalid("fragment_multiplicities", i, "multiplicity %d needs %d unpaired electrons; the fragment has %d electrons", r.fm[i], r.fm[i]-1, n)
		}
		if (r.fm[i]-1)%2 != n%2 {
			return invalid("fragment_multiplicities", i, "multiplicity %d is inconsistent with the fragment's %d electrons", r.fm[i], n)
		}
	}
	return nil
}

// openSpinPool collects the fragments without a given multiplicity and, when the
// molecular one is given, the unpaired electrons they must hold between them, in a pool
// that answers whether they can, with or without the residual charge on any one of them.
// Each fragment that may carry the residual has two pool items, only one active at once.
func (r *chargeMultReconciler) openSpinPool() error {
	known := 0 // sum over given fragment multiplicities of m-1
	for i, given := range r.fmKnown {
		if given {
			known += r.fm[i] - 1
		} else {
			r.unknownFM = append(r.unknownFM, i)
		}
	}
	if !r.multKnown || len(r.unknownFM) == 0 {
		return nil
	}
	r.unpaired = r.mult - 1 - known
	if r.unpaired < 0 {
		return invalid("molecular_multiplicity", -1, "multiplicity %d is less than the high-spin sum %d of the given fragment multiplicities", r.mult, 1+known)
	}
	r.itemOf = make([]int, len(r.electrons))
	r.variantOf = make([]int, len(r.electrons))
	var ns []int
	for _, i := range r.unknownFM {
		r.itemOf[i] = len(ns)
		ns = append(ns, r.electrons[i]-r.fc[i])
		r.variantOf[i] = -1
		if r.residual != 0 && !r.fcKnown[i] {
			r.variantOf[i] = len(ns)
			ns = append(ns, r.electrons[i]-r.residual)
		}
	}
	r.pool = newSpinPool(r.unpaired, len(r.unknownFM), ns)
	for _, i := range r.unknownFM {
		r.pool.activate(r.itemOf[i])
	}
	return nil
}

// placeResidual puts the residual charge on the first fragment without a given charge
// with which the whole specification can be completed (QCElemental's candidate order),
// or reports why none can; with no residual it reports the first impossible fragment or
// a molecular multiplicity the fragments cannot reach.
func (r *chargeMultReconciler) placeResidual() error {
	if r.residual == 0 {
		if r.firstBad != nil {
			return r.firstBad
		}
		if r.pool != nil && !r.pool.feasible(r.unpaired) {
			return invalid("molecular_multiplicity", -1, "multiplicity %d cannot be reached by the fragments (high-spin rule)", r.mult)
		}
		return nil
	}
	who := -1
	for _, i := range r.unknownFC {
		if r.canCarryResidual(i) {
			who = i
			break
		}
	}
	if who < 0 {
		return invalid("fragment_charges", -1, "no fragment without a given charge can carry the residual charge %d (molecular charge %d, given fragment charges sum to %d)", r.residual, r.charge, r.knownCharge)
	}
	r.fc[who] = r.residual
	if r.pool != nil && !r.fmKnown[who] {
		r.pool.deactivate(r.itemOf[who])
		r.pool.activate(r.variantOf[who])
		r.itemOf[who] = r.variantOf[who]
	}
	return nil
}

// canCarryResidual reports whether the multiplicities can be completed with fragment who
// carrying the residual charge: no other fragment impossible, who possible with it, and
// the pool, with who's item swapped for its variant, able to hold the unpaired electrons.
func (r *chargeMultReconciler) canCarryResidual(who int) bool {
	others := r.nbad
	if r.bad[who] {
		others--
	}
	if others > 0 || r.fragmentError(who, r.residual) != nil {
		return false
	}
	if r.pool == nil {
		return true
	}
	if r.fmKnown[who] {
		return r.pool.feasible(r.unpaired)
	}
	r.pool.deactivate(r.itemOf[who])
	r.pool.activate(r.variantOf[who])
	ok := r.pool.feasible(r.unpaired)
	r.pool.deactivate(r.variantOf[who])
	r.pool.activate(r.itemOf[who])
	return ok
}

// completeMultiplicities gives each fragment without a given multiplicity one: from the
// pool, the largest excess that leaves the rest reachable, fragment by fragment (as
// QCElemental's candidate order would), or else 1 or 2 by its electron parity.
func (r *chargeMultReconciler) completeMultiplicities() error {
	if r.pool == nil {
		for _, i := range r.unknownFM {
			r.fm[i] = 1 + (r.electrons[i]-r.fc[i])%2
		}
		return nil
	}
	t := r.unpaired
	for _, i := range r.unknownFM {
		it := r.itemOf[i]
		r.pool.deactivate(it)
		e, ok := r.pool.choose(it, t)
		if !ok { // cannot happen: feasibility was checked
			return invalid("molecular_multiplicity", -1, "internal error distributing multiplicity %d", r.mult)
		}
		r.fm[i] = e + 1
		t -= e
	}
	return nil
}

// result is the completed specification; the molecular multiplicity, when not given, is
// the high-spin sum 1 + sum(m_i - 1).
func (r *chargeMultReconciler) result() *ChargeMult {
	nfr := len(r.electrons)
	out := &ChargeMult{
		MolecularCharge:        float64(r.charge),
		FragmentCharges:        make([]float64, nfr),
		MolecularMultiplicity:  float64(r.mult),
		FragmentMultiplicities: make([]float64, nfr),
	}
	hs := 1
	for i := range nfr {
		out.FragmentCharges[i] = float64(r.fc[i])
		out.FragmentMultiplicities[i] = float64(r.fm[i])
		hs += r.fm[i] - 1
	}
	if !r.multKnown {
		out.MolecularMultiplicity = float64(hs)
	}
	return out
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
