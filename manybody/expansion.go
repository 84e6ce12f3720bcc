package manybody

import (
	"errors"
	"fmt"
	"math"

	"github.com/qcmb-go/qcmb/qcschema"
)

// Expansion runs the compute map of a Core: it releases tasks as the results they depend
// on arrive. The caller asks for the tasks that are ready (Ready), runs them however it
// likes, hands each result back (Add), and gets the tasks that became ready; when Done,
// Analyze assembles the expansion.
//
// A static plan (no energy screening) has every task ready at once. With energy
// screening (EnergyScreening) a cluster of k fragments is decided the moment the
// increments of its (k-1)-fragment subclusters are known, so tasks of every level are
// released while others run: there is no barrier between levels. The decisions, the tasks
// run and the result depend only on the results, never on the order they arrive in.
//
// An Expansion is not safe for concurrent use.
type Expansion struct {
	c    *Core
	plan *Plan         // every task that may run
	g    *clusterGraph // nil for a static plan
	a    *adaptivity

	comps     []Component
	have      []bool
	released  []bool
	ready     []int32 // released and not yet handed out
	nReleased int
	nHave     int
	bound     int
	labels    map[string]int32 // task index by label, made on first need

	// Decisions: per level, per candidate cluster.
	state     [][]uint8
	subKept   [][]uint8   // subclusters kept so far
	subDE     [][]uint8   // subclusters whose increment is known
	large     [][]bool    // a subcluster's increment reaches the threshold
	maxSub    [][]float64 // threshold levels: the largest |dE| of a subcluster so far
	pending   [][]int32   // deciding levels: own-basis energies the increment still lacks
	de        [][]float64 // deciding levels: the increment, once known
	stamp     [][]int32   // deciding levels: last visit, for each arrival
	epoch     int32
	undecided int
	dropped   []droppedStats // per level

	final      *Core   // the expansion as decided, once every cluster is
	finalIndex []int32 // index in plan of each task of final's plan
}

const (
	undecided uint8 = iota
	kept
	dropped
)

// droppedStats sum up the clusters one level dropped.
type droppedStats struct {
	n, below int
	largest  float64 // of the subclusters of those dropped below the threshold
}

// NewExpansion starts running the Core's compute map. For an adaptive Core (Adaptive) the
// monomers, the dimers and every cluster no threshold holds back are ready at once, and
// the rest as the decisions keep them; otherwise every task of Plan is ready at once.
func (c *Core) NewExpansion() *Expansion {
	x := &Expansion{c: c, plan: c.Plan()}
	n := len(x.plan.Tasks)
	x.comps = make([]Component, n)
	x.have = make([]bool, n)
	x.released = make([]bool, n)
	x.bound = n
	if c.adaptive == nil {
		for i := range x.plan.Tasks {
			x.release(int32(i))
		}
		return x
	}
	x.g, x.a = c.clusters(), c.adaptive
	x.startDecisions()
	return x
}

func (x *Expansion) startDecisions() {
	maxNB, g, a := x.c.maxNB, x.g, x.a
	x.state = make([][]uint8, maxNB+1)
	x.subKept = make([][]uint8, maxNB+1)
	x.subDE = make([][]uint8, maxNB+1)
	x.large = make([][]bool, maxNB+1)
	x.maxSub = make([][]float64, maxNB+1)
	x.pending = make([][]int32, maxNB+1)
	x.de = make([][]float64, maxNB+1)
	x.stamp = make([][]int32, maxNB+1)
	x.dropped = make([]droppedStats, maxNB+1)
	for k := 1; k <= maxNB; k++ {
		n := g.ncand[k]
		x.state[k] = make([]uint8, n)
		x.subKept[k] = make([]uint8, n)
		x.undecided += n
		if a.thresh[k] > 0 {
			x.subDE[k] = make([]uint8, n)
			x.large[k] = make([]bool, n)
			x.maxSub[k] = make([]float64, n)
		}
		if a.decide[k] {
			x.pending[k] = make([]int32, n)
			x.de[k] = make([]float64, n)
		}
		if k <= a.maxDecide {
			x.stamp[k] = make([]int32, n)
		}
	}
	for _, i := range g.free {
		x.release(i)
	}
	for p := range g.ncand[1] {
		x.keep(1, int32(p))
	}
}

// Ready returns the tasks released and not yet handed out by Ready or Add.
func (x *Expansion) Ready() []Task {
	out := make([]Task, len(x.ready))
	for k, i := range x.ready {
		out[k] = x.plan.Tasks[i]
	}
	x.ready = x.ready[:0]
	return out
}

// Add records the result of task t, a task handed out by Ready or Add, and returns the
// tasks that became ready. The component needs a finite energy, and the gradient and
// Hessian that Analyze will sum (see Core.Analyze).
func (x *Expansion) Add(t Task, comp Component) ([]Task, error) {
	i, err := x.index(t)
	if err != nil {
		return nil, err
	}
	switch {
	case !x.released[i]:
		return nil, fmt.Errorf("manybody: task %s was not released: no decision needs it yet", t.Label())
	case x.have[i]:
		return nil, fmt.Errorf("manybody: task %s: result given twice", t.Label())
	case math.IsNaN(comp.Energy) || math.IsInf(comp.Energy, 0):
		return nil, fmt.Errorf("manybody: task %s: energy is %v", t.Label(), comp.Energy)
	}
	x.comps[i], x.have[i] = comp, true
	x.nHave++
	if x.g != nil && x.g.feeds[i] >= 0 {
		x.arrived(i)
	}
	return x.Ready(), nil
}

// index finds task t in the plan: by the position it came with, else by its label.
func (x *Expansion) index(t Task) (int32, error) {
	label := t.Label()
	if i := t.idx - 1; i >= 0 && int(i) < len(x.plan.Tasks) && x.plan.Tasks[i].label == label {
		return i, nil
	}
	if x.labels == nil {
		x.labels = make(map[string]int32, len(x.plan.Tasks))
		for i, pt := range x.plan.Tasks {
			x.labels[pt.label] = int32(i)
		}
	}
	i, ok := x.labels[label]
	if !ok {
		return 0, fmt.Errorf("manybody: task %s is not in the plan", label)
	}
	return i, nil
}

// Decided reports whether every decision is made: Bound is then the number of tasks the
// expansion runs.
func (x *Expansion) Decided() bool { return x.undecided == 0 }

// Done reports whether every decision is made and every task released has its result.
func (x *Expansion) Done() bool { return x.undecided == 0 && x.nHave == x.nReleased }

// Bound is the most tasks the expansion may run: those released so far and those the
// decisions still to come may release. It shrinks as clusters are dropped and is exact
// once Decided.
func (x *Expansion) Bound() int { return x.bound }

// Released is the number of tasks released so far.
func (x *Expansion) Released() int { return x.nReleased }

// Completed is the number of tasks whose results were added.
func (x *Expansion) Completed() int { return x.nHave }

// ErrUndecided is returned by Expansion.Plan and Analyze before every decision is made
// (some result the decisions wait for is missing).
var ErrUndecided = errors.New("manybody: the expansion is not decided yet: results it depends on are missing")

// Plan returns the tasks the expansion runs, once Decided: for a static plan the Core's
// Plan, for an adaptive one the tasks of the kept clusters (the estimator's left out), in
// plan order, with Screening saying per level what energy screening kept and dropped.
func (x *Expansion) Plan() (*Plan, error) {
	f, err := x.finalCore()
	if err != nil {
		return nil, err
	}
	return f.Plan(), nil
}

// Analyze assembles the expansion once Done, as Core.Analyze does for a static plan; for
// an adaptive one the sum runs over the kept clusters only.
func (x *Expansion) Analyze() (*Analysis, error) {
	f, err := x.finalCore()
	if err != nil {
		return nil, err
	}
	if x.nHave != x.nReleased {
		return nil, fmt.Errorf("manybody: %d of %d tasks have no result", x.nReleased-x.nHave, x.nReleased)
	}
	if x.g == nil {
		return f.analyze(x.comps)
	}
	comps := make([]Component, len(x.finalIndex))
	for k, i := range x.finalIndex {
		comps[k] = x.comps[i]
	}
	return f.analyze(comps)
}

// Result returns the component of task t, ok false if it has none.
func (x *Expansion) Result(t Task) (Component, bool) {
	i, err := x.index(t)
	if err != nil || !x.have[i] {
		return Component{}, false
	}
	return x.comps[i], true
}

func (x *Expansion) release(i int32) {
	if x.released[i] {
		return
	}
	x.released[i] = true
	x.nReleased++
	x.ready = append(x.ready, i)
}

// keep keeps candidate p of level k: its tasks are released, the clusters containing it
// may now be decided, and, at a deciding level, its increment is awaited.
func (x *Expansion) keep(k int, p int32) {
	x.state[k][p] = kept
	x.undecided--
	g := x.g
	for _, i := range g.owned[k][g.ownedOff[k][p]:g.ownedOff[k][p+1]] {
		x.release(i)
	}
	if x.a.decide[k] {
		x.pending[k][p] = x.missing(k, p)
		if x.pending[k][p] == 0 {
			x.increment(k, p)
		}
	}
	if k < x.c.maxNB {
		for _, s := range g.sup[k][g.supOff[k][p]:g.supOff[k][p+1]] {
			x.subKept[k+1][s]++
			x.check(k+1, s)
		}
	}
}

// drop drops candidate p of level k, and with it every undecided cluster containing it;
// below says that its subclusters were all kept, each increment below the threshold.
func (x *Expansion) drop(k int, p int32, below bool) {
	x.state[k][p] = dropped
	x.undecided--
	g := x.g
	x.bound -= int(g.ownedOff[k][p+1] - g.ownedOff[k][p])
	st := &x.dropped[k]
	st.n++
	if below {
		st.below++
		st.largest = max(st.largest, x.maxSub[k][p])
	}
	if k < x.c.maxNB {
		for _, s := range g.sup[k][g.supOff[k][p]:g.supOff[k][p+1]] {
			if x.state[k+1][s] == undecided {
				x.drop(k+1, s, false)
			}
		}
	}
}

// check decides candidate p of level k if it can be: kept when its subclusters are all
// kept and one has an increment at the threshold (or the level has none); dropped when
// they are all kept and every increment is below it. Clusters with a dropped subcluster
// are dropped by drop.
func (x *Expansion) check(k int, p int32) {
	if x.state[k][p] != undecided || int(x.subKept[k][p]) < k {
		return
	}
	switch {
	case x.a.thresh[k] == 0 || x.large[k][p]:
		x.keep(k, p)
	case int(x.subDE[k][p]) == k:
		x.drop(k, p, true)
	}
}

// increment computes the increment of kept candidate p of deciding level k, whose inputs
// have all arrived, and tells the clusters containing it.
func (x *Expansion) increment(k int, p int32) {
	de := x.alternatingSum(k, p)
	x.de[k][p] = de
	t, v := x.a.thresh[k+1], math.Abs(de)
	g := x.g
	for _, s := range g.sup[k][g.supOff[k][p]:g.supOff[k][p+1]] {
		x.subDE[k+1][s]++
		x.maxSub[k+1][s] = max(x.maxSub[k+1][s], v)
		if v >= t {
			x.large[k+1][s] = true
		}
		x.check(k+1, s)
	}
}

// subsets calls fn with the level and position of every non-empty subcluster of
// candidate p of level k: mask says which of its fragments the subcluster keeps.
func (x *Expansion) subsets(k int, p int32, fn func(mask, level int, pos int32)) {
	for mask := 1; mask < 1<<k; mask++ {
		// Leaving out fragments from the last, the positions of the earlier ones in the
		// shrinking cluster stay as they were.
		lvl, pos := k, p
		for f := k - 1; f >= 0; f-- {
			if mask&(1<<f) == 0 {
				pos = x.g.sub[lvl][int(pos)*lvl+f]
				lvl--
			}
		}
		fn(mask, lvl, pos)
	}
}

// missing counts the own-basis energies the increment of candidate p of level k lacks.
func (x *Expansion) missing(k int, p int32) int32 {
	own := x.g.own[x.a.decider[k]]
	var n int32
	x.subsets(k, p, func(_, lvl int, pos int32) {
		if !x.have[own[lvl][pos]] {
			n++
		}
	})
	return n
}

// alternatingSum is dE = sum over U in S of (-1)^(|S|-|U|) E(U), compensated, subsets in
// a fixed order.
func (x *Expansion) alternatingSum(k int, p int32) float64 {
	own := x.g.own[x.a.decider[k]]
	var sum, comp float64
	x.subsets(k, p, func(_, lvl int, pos int32) {
		e := x.comps[own[lvl][pos]].Energy
		if (k-lvl)%2 == 1 {
			e = -e
		}
		t := sum + e
		if math.Abs(sum) >= math.Abs(e) {
			comp += (sum - t) + e
		} else {
			comp += (e - t) + sum
		}
		sum = t
	})
	return sum + comp
}

// arrived counts the own-basis energy of task i into the increments waiting for it: its
// cluster's and those of the kept clusters containing it at the deciding levels of its
// model chemistry. Those are found first, so that a cluster kept meanwhile, which counted
// the energy as present, is not counted again.
func (x *Expansion) arrived(i int32) {
	g, a := x.g, x.a
	mi := int(g.feeds[i])
	x.epoch++
	type node struct {
		k int
		p int32
	}
	start := node{int(g.ownerLevel[i]), g.ownerPos[i]}
	stack := []node{start}
	x.stamp[start.k][start.p] = x.epoch
	var waiting []node
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if a.decide[n.k] && a.decider[n.k] == mi {
			waiting = append(waiting, n)
		}
		if n.k+1 > a.maxDecide {
			continue
		}
		for _, s := range g.sup[n.k][g.supOff[n.k][n.p]:g.supOff[n.k][n.p+1]] {
			if x.state[n.k+1][s] == kept && x.stamp[n.k+1][s] != x.epoch {
				x.stamp[n.k+1][s] = x.epoch
				stack = append(stack, node{n.k + 1, s})
			}
		}
	}
	for _, n := range waiting {
		x.pending[n.k][n.p]--
		if x.pending[n.k][n.p] == 0 {
			x.increment(n.k, n.p)
		}
	}
}

// finalCore is the Core of the expansion as decided: for an adaptive Core, one whose plan
// is the tasks of the kept clusters and whose weights sum the kept clusters' increments.
func (x *Expansion) finalCore() (*Core, error) {
	switch {
	case x.final != nil:
		return x.final, nil
	case x.undecided > 0:
		return nil, ErrUndecided
	case x.g == nil:
		x.final = x.c
		return x.c, nil
	}
	c := x.c
	sc := *c.scr
	sc.kept = make([][]int32, len(c.scr.kept))
	sc.nkept = make([]int, len(c.scr.nkept))
	for k := 1; k <= c.maxNB; k++ {
		flat := c.scr.kept[k]
		for p, st := range x.state[k] {
			if st == kept {
				sc.kept[k] = append(sc.kept[k], flat[p*k:(p+1)*k]...)
				sc.nkept[k]++
			}
		}
	}
	sc.dropped = true
	f := &Core{coreData: c.coreData}
	f.planned, f.adaptive, f.scr, f.screened = f.mcs, nil, &sc, true
	plan := &Plan{
		Counts:            make(map[string]map[int]int, len(c.mcs)),
		EffectiveBsseType: append([]qcschema.BsseType(nil), c.bsse...),
		ModelChemistries:  c.ModelChemistries(),
		NFragments:        c.nfr,
		MaxNbody:          c.maxNB,
		Screening:         x.summary(),
	}
	for _, m := range c.mcs {
		plan.Counts[m.name] = map[int]int{}
	}
	for i, t := range x.plan.Tasks {
		if !x.released[i] || t.MC == x.a.estimator {
			continue
		}
		t.idx = int32(len(plan.Tasks) + 1)
		plan.Tasks = append(plan.Tasks, t)
		plan.Counts[t.MC][t.Level]++
		x.finalIndex = append(x.finalIndex, int32(i))
	}
	f.planOnce.Do(func() { f.plan = plan })
	x.final = f
	return f, nil
}

// summary is the screening summary with the outcome of every level's decisions.
func (x *Expansion) summary() *ScreeningSummary {
	out := x.c.screeningSummary()
	e := out.Energy
	for k := range e.Levels {
		lv := &e.Levels[k]
		n := 0
		for _, st := range x.state[lv.Level] {
			if st == kept {
				n++
			}
		}
		d := lv.Candidates - n
		lv.Kept, lv.Dropped = &n, &d
		if lv.Threshold == nil {
			continue
		}
		st := x.dropped[lv.Level]
		below := st.below
		lv.DroppedBelowThreshold = &below
		if below > 0 {
			largest := st.largest
			lv.LargestDroppedIncrement = &largest
		}
	}
	return out
}
