package manybody

import (
	"fmt"
	"math"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/qcmb-go/qcmb/qcschema"
)

// Component is the result of one fragment calculation. Gradient is flat (natom-in-Basis x
// 3) and Hessian flat ((3 natom-in-Basis)^2), atoms in parent order; nil when not computed.
type Component struct {
	Energy   float64
	Gradient []float64
	Hessian  []float64
}

// Analysis is the assembled many-body expansion.
type Analysis struct {
	// ReturnEnergy is the energy of the first BSSE treatment: total if
	// return_total_data, interaction otherwise. ReturnGradient and ReturnHessian
	// (full size, flat) likewise, when the components carried them.
	ReturnEnergy   float64
	ReturnGradient []float64
	ReturnHessian  []float64

	// Body dicts: bsse type -> n-body -> cumulative value through n bodies (total data, or
	// interaction data when the 1-body entry is zero).
	EnergyBodyDict   map[qcschema.BsseType]map[int]float64
	GradientBodyDict map[qcschema.BsseType]map[int][]float64
	HessianBodyDict  map[qcschema.BsseType]map[int][]float64

	// Properties holds every ManyBodyResultProperties value QCManyBody produces.
	Properties qcschema.ManyBodyResultProperties

	// Table is the printed n-body energy table of each BSSE treatment.
	Table string
}

// Analyze assembles the component results, keyed by task label (Task.Label), into the
// many-body expansion. Every planned task must be present with a finite energy; if any
// component carries a gradient (Hessian), all must, with the size of the task's basis.
// Components of labels outside the plan are ignored. Sums run in plan order, so the
// result does not depend on how the map was filled.
//
// For an adaptive Core (energy screening), Analyze runs the expansion (NewExpansion) with
// the given components as results: the components of the tasks its decisions release must
// be present.
func (c *Core) Analyze(components map[string]Component) (*Analysis, error) {
	if c.adaptive != nil {
		return c.replay(components)
	}
	plan := c.Plan()
	comps := make([]Component, len(plan.Tasks))
	for i, t := range plan.Tasks {
		comp, ok := components[t.label]
		if !ok {
			return nil, fmt.Errorf("manybody: missing component for task %s", t.label)
		}
		comps[i] = comp
	}
	return c.analyze(comps)
}

// replay runs the expansion of an adaptive Core with components as its results.
func (c *Core) replay(components map[string]Component) (*Analysis, error) {
	x := c.NewExpansion()
	for queue := x.Ready(); len(queue) > 0; {
		t := queue[0]
		queue = queue[1:]
		comp, ok := components[t.label]
		if !ok {
			return nil, fmt.Errorf("manybody: missing component for task %s", t.label)
		}
		more, err := x.Add(t, comp)
		if err != nil {
			return nil, err
		}
		queue = append(queue, more...)
	}
	return x.Analyze()
}

// analyze assembles the components of the plan's tasks, in plan order.
func (c *Core) analyze(comps []Component) (*Analysis, error) {
	co := c.coefs()
	hasGrad, hasHess, err := c.checkComponents(comps)
	if err != nil {
		return nil, err
	}
	evals := sumEnergies(co, comps)
	a := &Analysis{
		ReturnEnergy:   evals[co.retKey],
		EnergyBodyDict: map[qcschema.BsseType]map[int]float64{},
	}
	for bi, bt := range co.bts {
		d := make(map[int]float64, len(co.bodyN))
		for j, n := range co.bodyN {
			d[n] = evals[co.key(bi, j)]
		}
		a.EnergyBodyDict[bt] = d
	}
	if hasGrad {
		gvals := c.scatter(co, comps, false)
		a.ReturnGradient = gvals[co.retKey]
		a.GradientBodyDict = arrayBodyDict(co, gvals)
	}
	if hasHess {
		hvals := c.scatter(co, comps, true)
		a.ReturnHessian = hvals[co.retKey]
		a.HessianBodyDict = arrayBodyDict(co, hvals)
	}
	a.Properties = c.properties(co, a, len(comps))
	a.Table = c.table(a.EnergyBodyDict)
	return a, nil
}

// checkComponents checks the components of the plan's tasks: finite energies, and, if any
// component carries a gradient (Hessian), one of the task's size in every component.
func (c *Core) checkComponents(comps []Component) (hasGrad, hasHess bool, err error) {
	for i := range comps {
		hasGrad = hasGrad || comps[i].Gradient != nil
		hasHess = hasHess || comps[i].Hessian != nil
	}
	for i, t := range c.plan.Tasks {
		comp := &comps[i]
		if math.IsNaN(comp.Energy) || math.IsInf(comp.Energy, 0) {
			return false, false, fmt.Errorf("manybody: task %s: energy is %v", t.label, comp.Energy)
		}
		n3 := 3 * c.nAtomBasis(t.Basis)
		if hasGrad {
			if err := checkArray(t.label, "gradient", comp.Gradient, n3, fmt.Sprintf("%d atoms x 3", n3/3)); err != nil {
				return false, false, err
			}
		}
		if hasHess {
			if err := checkArray(t.label, "Hessian", comp.Hessian, n3*n3, fmt.Sprintf("%d x %d", n3, n3)); err != nil {
				return false, false, err
			}
		}
	}
	return hasGrad, hasHess, nil
}

// checkArray checks that the gradient or Hessian (name) x of a task is present, has want
// values (shape says how they are laid out), and is finite.
func checkArray(label, name string, x []float64, want int, shape string) error {
	if x == nil {
		return fmt.Errorf("manybody: task %s: no %s (other components have one)", label, name)
	}
	if len(x) != want {
		return fmt.Errorf("manybody: task %s: %s has %d values, want %d (%s)", label, name, len(x), want, shape)
	}
	if i, ok := firstNonFinite(x); ok {
		return fmt.Errorf("manybody: task %s: %s[%d] is %v", label, strings.ToLower(name), i, x[i])
	}
	return nil
}

// sumEnergies forms every weighted sum of the task energies: compensated sums in plan
// order.
func sumEnergies(co *coefficients, comps []Component) []float64 {
	esum := make([]float64, co.nkeys)
	ecomp := make([]float64, co.nkeys)
	for i := range comps {
		e := comps[i].Energy
		for _, kw := range co.patNZ[co.taskPat[i]] {
			x := kw.w * e
			s := esum[kw.key]
			t := s + x
			if math.Abs(s) >= math.Abs(x) {
				ecomp[kw.key] += (s - t) + x
			} else {
				ecomp[kw.key] += (x - t) + s
			}
			esum[kw.key] = t
		}
	}
	evals := make([]float64, co.nkeys)
	for k := range evals {
		evals[k] = esum[k] + ecomp[k]
	}
	return evals
}

func firstNonFinite(xs []float64) (int, bool) {
	for i, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return i, true
		}
	}
	return 0, false
}

func arrayBodyDict(co *coefficients, vals [][]float64) map[qcschema.BsseType]map[int][]float64 {
	out := make(map[qcschema.BsseType]map[int][]float64, len(co.bts))
	for bi, bt := range co.bts {
		d := make(map[int][]float64, len(co.bodyN))
		for j, n := range co.bodyN {
			d[n] = vals[co.key(bi, j)]
		}
		out[bt] = d
	}
	return out
}

// run is a stretch of consecutive atoms: local atom lo..lo+n-1 of a task is global atom
// g..g+n-1.
type run struct{ lo, g, n int }

// runs appends the atom runs of a task's basis.
func (c *Core) runs(dst []run, basis []int, atomBuf []int) ([]run, []int) {
	if c.contiguous {
		lo := 0
		for _, f := range basis {
			fa := c.fragAtoms[f-1]
			g := c.fragStart[f-1]
			if k := len(dst) - 1; k >= 0 && dst[k].g+dst[k].n == g {
				dst[k].n += len(fa)
			} else {
				dst = append(dst, run{lo, g, len(fa)})
			}
			lo += len(fa)
		}
		return dst, atomBuf
	}
	atomBuf = c.basisAtoms(atomBuf[:0], basis)
	for i, g := range atomBuf {
		if k := len(dst) - 1; k >= 0 && dst[k].g+dst[k].n == g {
			dst[k].n++
		} else {
			dst = append(dst, run{i, g, 1})
		}
	}
	return dst, atomBuf
}

// scatter forms every weighted sum of the task gradients (hess=false) or Hessians, each
// full size. Tasks are added in plan order for every key; keys are split among workers,
// which keeps the result independent of scheduling.
func (c *Core) scatter(co *coefficients, comps []Component, hess bool) [][]float64 {
	tasks := c.plan.Tasks
	n3 := 3 * c.natom
	size := n3
	if hess {
		size = n3 * n3
	}
	out := make([][]float64, co.nkeys)
	backing := make([]float64, co.nkeys*size)
	for k := range out {
		out[k] = backing[k*size : (k+1)*size : (k+1)*size]
	}
	// Work per key decides on parallelism and balances the workers (longest first).
	keyWork := make([]int, co.nkeys)
	total := 0
	for i, t := range tasks {
		nb := c.nAtomBasis(t.Basis)
		w := 3 * nb
		if hess {
			w *= 3 * nb
		}
		for _, kw := range co.patNZ[co.taskPat[i]] {
			keyWork[kw.key] += w
			total += w
		}
	}
	nw := min(runtime.GOMAXPROCS(0), co.nkeys)
	if total < 1<<20 || nw < 2 {
		c.scatterKeys(co, comps, hess, out, nil)
		return out
	}
	order := make([]int, co.nkeys)
	for k := range order {
		order[k] = k
	}
	sort.SliceStable(order, func(i, j int) bool { return keyWork[order[i]] > keyWork[order[j]] })
	load := make([]int, nw)
	owner := make([]int, co.nkeys)
	for _, k := range order {
		best := 0
		for w := 1; w < nw; w++ {
			if load[w] < load[best] {
				best = w
			}
		}
		owner[k] = best
		load[best] += keyWork[k]
	}
	var wg sync.WaitGroup
	for w := 0; w < nw; w++ {
		mine := make([]bool, co.nkeys)
		for k := range mine {
			mine[k] = owner[k] == w
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.scatterKeys(co, comps, hess, out, mine)
		}()
	}
	wg.Wait()
	return out
}

func (c *Core) scatterKeys(co *coefficients, comps []Component, hess bool, out [][]float64, mine []bool) {
	tasks := c.plan.Tasks
	N3 := 3 * c.natom
	var rs []run
	var atomBuf []int
	for i, t := range tasks {
		nz := co.patNZ[co.taskPat[i]]
		if len(nz) == 0 {
			continue
		}
		rs, atomBuf = c.runs(rs[:0], t.Basis, atomBuf)
		if !hess {
			src := comps[i].Gradient
			for _, kw := range nz {
				if mine != nil && !mine[kw.key] {
					continue
				}
				dst, w := out[kw.key], kw.w
				for _, r := range rs {
					axpy(dst[3*r.g:3*(r.g+r.n)], src[3*r.lo:3*(r.lo+r.n)], w)
				}
			}
			continue
		}
		src := comps[i].Hessian
		n3 := 3 * c.nAtomBasis(t.Basis)
		for _, kw := range nz {
			if mine != nil && !mine[kw.key] {
				continue
			}
			dst, w := out[kw.key], kw.w
			for _, ra := range rs {
				for row := 0; row < 3*ra.n; row++ {
					srow := src[(3*ra.lo+row)*n3:]
					drow := dst[(3*ra.g+row)*N3:]
					for _, rb := range rs {
						axpy(drow[3*rb.g:3*(rb.g+rb.n)], srow[3*rb.lo:3*(rb.lo+rb.n)], w)
					}
				}
			}
		}
	}
}

// axpy adds w*s to d (len(s) == len(d)).
func axpy(d, s []float64, w float64) {
	s = s[:len(d)]
	i := 0
	for ; i+4 <= len(d); i += 4 {
		d0, d1, d2, d3 := d[i]+w*s[i], d[i+1]+w*s[i+1], d[i+2]+w*s[i+2], d[i+3]+w*s[i+3]
		d[i], d[i+1], d[i+2], d[i+3] = d0, d1, d2, d3
	}
	for ; i < len(d); i++ {
		d[i] += w * s[i]
	}
}

// properties builds the ManyBodyResultProperties like QCManyBody's collect_vars and
// ManyBodyComputer.get_results.
func (c *Core) properties(co *coefficients, a *Analysis, nmbe int) qcschema.ManyBodyResultProperties {
	p := qcschema.ManyBodyResultProperties{
		SchemaName:    qcschema.SchemaManyBodyResultProperties,
		SchemaVersion: 1,
		Energies:      map[string]float64{},
		Arrays:        map[string][]float64{},
	}
	nmc, nfr, natom := len(c.mcs), c.nfr, c.natom
	p.CalcinfoNMC, p.CalcinfoNFR, p.CalcinfoNAtom, p.CalcinfoNMBE = &nmc, &nfr, &natom, &nmbe
	if e, ok := c.NuclearRepulsionEnergy(); ok {
		p.NuclearRepulsionEnergy = &e
	}
	for _, bt := range co.bts {
		body := map[int][]float64{}
		for n, e := range a.EnergyBodyDict[bt] {
			body[n] = []float64{e}
		}
		c.collectVars(string(bt), "energy", body, co.bodyN, func(name string, v []float64) { p.Energies[name] = v[0] })
	}
	for _, pr := range []struct {
		name string
		d    map[qcschema.BsseType]map[int][]float64
	}{{"gradient", a.GradientBodyDict}, {"hessian", a.HessianBodyDict}} {
		if pr.d == nil {
			continue
		}
		for _, bt := range co.bts {
			c.collectVars(string(bt), pr.name, pr.d[bt], co.bodyN, func(name string, v []float64) { p.Arrays[name] = v })
		}
	}
	c.alignReturned(co, a, &p)
	return p
}

// alignReturned makes the returned energy, gradient and Hessian the very floats of the
// properties they report (the first treatment's total or interaction value), as QCManyBody
// returns the property itself; the directly summed values can differ from them in the last
// bits. Where no such property is written (interaction data with embedding charges), and
// with a supersystem level, whose returned value QCManyBody takes from the supersystem
// rather than from a property, the directly summed values stay.
func (c *Core) alignReturned(co *coefficients, a *Analysis, p *qcschema.ManyBodyResultProperties) {
	if c.ssIndex < 0 {
		name := string(co.bts[0]) + "_corrected_interaction_"
		if c.kw.ReturnTotalData {
			name = string(co.bts[0]) + "_corrected_total_"
		}
		if v, ok := p.Energies[name+"energy"]; ok {
			a.ReturnEnergy = v
		}
		if v, ok := p.Arrays[name+"gradient"]; ok && a.ReturnGradient != nil {
			a.ReturnGradient = v
		}
		if v, ok := p.Arrays[name+"hessian"]; ok && a.ReturnHessian != nil {
			a.ReturnHessian = v
		}
	}
	re := a.ReturnEnergy
	p.ReturnEnergy = &re
	if a.ReturnGradient != nil {
		p.ReturnGradient = append([]float64(nil), a.ReturnGradient...)
	}
	if a.ReturnHessian != nil {
		p.ReturnHessian = append([]float64(nil), a.ReturnHessian...)
	}
}

// collectVars is QCManyBody's collect_vars: from one body dict, the total, interaction and
// contribution properties. Every value passed to put is a fresh slice.
func (c *Core) collectVars(bt, prop string, body map[int][]float64, keys []int, put func(string, []float64)) {
	pre := bt + "_corrected_"
	sub := func(a, b []float64) []float64 {
		out := make([]float64, len(a))
		for i := range a {
			out[i] = a[i] - b[i]
		}
		return out
	}
	cp := func(a []float64) []float64 { return append([]float64(nil), a...) }
	res := map[string][]float64{}
	one := body[1]
	tot := false
	for _, x := range one {
		if x != 0 {
			tot = true
			break
		}
	}
	maxNB := c.maxNB
	itag := func(nb int) string { return pre + "interaction_" + prop + "_through_" + strconv.Itoa(nb) + "_body" }
	ttag := func(nb int) string { return pre + "total_" + prop + "_through_" + strconv.Itoa(nb) + "_body" }
	ctag := func(nb int) string { return pre + strconv.Itoa(nb) + "_body_contribution_to_" + prop }
	if tot {
		res[pre+"total_"+prop] = cp(body[maxNB])
	}
	res[pre+"interaction_"+prop] = sub(body[maxNB], one)
	res[itag(1)] = make([]float64, len(one))
	last := keys[len(keys)-1]
	switch {
	case c.kw.SupersystemIEOnly:
		res[itag(last)] = sub(body[last], one)
		if last == 2 {
			res[ctag(2)] = sub(body[2], body[1])
		}
		if tot {
			res[ttag(1)] = cp(body[1])
			res[ttag(last)] = cp(body[last])
		}
	case c.ssIndex >= 0:
		res[pre+"interaction_"+prop] = sub(body[last], one)
		for nb := 2; nb <= maxNB; nb++ {
			res[itag(nb)] = sub(body[nb], one)
			res[ctag(nb)] = sub(body[nb], body[nb-1])
		}
		res[itag(last)] = sub(body[last], one)
		res[ctag(last)] = sub(body[last], body[maxNB])
		if tot {
			res[pre+"total_"+prop] = cp(body[last])
			for _, nb := range keys {
				res[ttag(nb)] = cp(body[nb])
			}
		}
	default:
		for nb := 2; nb <= last; nb++ {
			res[itag(nb)] = sub(body[nb], one)
			res[ctag(nb)] = sub(body[nb], body[nb-1])
		}
		if tot {
			for _, nb := range keys {
				res[ttag(nb)] = cp(body[nb])
			}
		}
	}
	embedded := c.embedding != nil
	for k, v := range res {
		if embedded && strings.Contains(k, "interaction") {
			continue
		}
		put(k, v)
	}
}

// NuclearRepulsionEnergy is the nuclear repulsion energy of the real atoms of the whole
// molecule, from atomic_numbers or else the element symbols. ok is false when an atomic
// number is unknown or two real atoms coincide.
func (c *Core) NuclearRepulsionEnergy() (e float64, ok bool) {
	m := c.mol
	z := m.AtomicNumbers
	if len(z) != c.natom {
		z = make([]int, c.natom)
		for i, s := range m.Symbols {
			if z[i], ok = qcschema.ElementZ(s); !ok {
				return 0, false
			}
		}
	}
	for i := 0; i < c.natom; i++ {
		if !m.IsReal(i) {
			continue
		}
		for j := 0; j < i; j++ {
			if !m.IsReal(j) {
				continue
			}
			dx := m.Geometry[3*i] - m.Geometry[3*j]
			dy := m.Geometry[3*i+1] - m.Geometry[3*j+1]
			dz := m.Geometry[3*i+2] - m.Geometry[3*j+2]
			r := math.Sqrt(dx*dx + dy*dy + dz*dz)
			if r == 0 {
				return 0, false
			}
			e += float64(z[i]*z[j]) / r
		}
	}
	return e, true
}
