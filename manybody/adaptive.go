package manybody

import (
	"slices"

	"github.com/qcmb-go/qcmb/qcschema"
)

// adaptivity says how energy screening decides.
type adaptivity struct {
	thresh    []float64 // per level 0..maxNB, hartree; 0: none
	decide    []bool    // per level: the increments of its kept clusters decide the level above
	maxDecide int       // the highest deciding level
	decider   []int     // per deciding level: the index in planned of the deciding model chemistry
	estimator string
}

// setAdaptive sets up energy screening with some threshold above 0: the deciding levels,
// and the model chemistry whose increments decide each, the estimator's tasks planned last.
func (c *Core) setAdaptive(e *EnergyScreening) error {
	a := &adaptivity{thresh: make([]float64, c.maxNB+1), decide: make([]bool, c.maxNB+1),
		decider: make([]int, c.maxNB+1), estimator: e.Estimator}
	for k, v := range e.Thresholds {
		if v > 0 {
			a.thresh[k] = v
			a.decide[k-1] = true
			a.maxDecide = max(a.maxDecide, k-1)
		}
	}
	if e.Estimator != "" {
		est := mcLevel{name: e.Estimator, est: true}
		for s := 1; s <= a.maxDecide; s++ {
			est.nbodies = append(est.nbodies, s)
		}
		c.planned = append(slices.Clone(c.mcs), est)
		for j := range a.decider {
			a.decider[j] = len(c.planned) - 1
		}
		c.adaptive = a
		return nil
	}
	for j := 1; j <= a.maxDecide; j++ {
		if !a.decide[j] {
			continue
		}
		mi := c.mcIndex(c.kw.Levels[j])
		g := c.genSpecFor(&c.mcs[mi])
		for s := 1; s <= j; s++ {
			if !g.own[s] {
				return screenInvalid("screening.energy.estimator", -1,
					"model chemistry %s of level %d computes no %d-fragment cluster in its own basis (vmfc over several model chemistries), so it has no increments to decide level %d with; name an estimator",
					qcschema.Quote(c.mcs[mi].name), j, s, j+1)
			}
		}
		a.decider[j] = mi
	}
	c.adaptive = a
	return nil
}

// clusterGraph indexes the candidate clusters of an adaptive Core (those distance
// screening keeps, or all) by level and position in c.scr.kept, how they contain one
// another, and the plan's tasks by the cluster whose keeping releases them.
type clusterGraph struct {
	ncand []int // candidates per level 1..maxNB
	// sub[k] holds, for each candidate of level k >= 2, the positions of its k
	// subclusters of level k-1: the x-th leaves out its x-th fragment.
	sub [][]int32
	// supOff[k], sup[k]: the candidates of level k+1 that contain each candidate of level k.
	supOff, sup [][]int32
	// ownedOff[k], owned[k]: the tasks each candidate of level k releases.
	ownedOff, owned [][]int32
	free            []int32 // tasks released at once (a supersystem's whole cluster)
	// own[mi][s][p] is the own-basis task of candidate p of level s at deciding model
	// chemistry mi (planned index; nil for the others), -1 if none.
	own [][][]int32
	// feeds[i] is the deciding model chemistry task i is an own-basis task of, -1 if none.
	feeds []int32
	// ownerLevel[i], ownerPos[i] name the cluster that releases task i (level 0: none).
	ownerLevel []int8
	ownerPos   []int32
}

func (c *Core) clusters() *clusterGraph {
	c.graphOnce.Do(c.buildGraph)
	return c.graph
}

func (c *Core) buildGraph() {
	plan := c.Plan()
	maxNB, a := c.maxNB, c.adaptive
	g := &clusterGraph{ncand: make([]int, maxNB+1), sub: make([][]int32, maxNB+1),
		supOff: make([][]int32, maxNB+1), sup: make([][]int32, maxNB+1),
		ownedOff: make([][]int32, maxNB+1), owned: make([][]int32, maxNB+1)}
	idx := newClusterIndex(c.scr)
	for k := 1; k <= maxNB; k++ {
		g.ncand[k] = c.scr.count(k)
	}
	drop := make([]int32, 0, maxNB)
	for k := 2; k <= maxNB; k++ {
		flat := c.scr.kept[k]
		g.sub[k] = make([]int32, len(flat))
		for p := 0; p < g.ncand[k]; p++ {
			S := flat[p*k : (p+1)*k]
			for x := 0; x < k; x++ {
				drop = append(append(drop[:0], S[:x]...), S[x+1:]...)
				g.sub[k][p*k+x], _ = idx.position(drop)
			}
		}
		g.supOff[k-1], g.sup[k-1] = invert(g.sub[k], k, g.ncand[k-1])
	}
	g.taskOwners(c, plan, idx)
	mcIdx := make(map[string]int, len(c.planned))
	for i := range c.planned {
		mcIdx[c.planned[i].name] = i
	}
	g.own = make([][][]int32, len(c.planned))
	g.feeds = make([]int32, len(plan.Tasks))
	for j := 1; j <= a.maxDecide; j++ {
		if mi := a.decider[j]; a.decide[j] && g.own[mi] == nil {
			g.own[mi] = make([][]int32, a.maxDecide+1)
			for s := 1; s <= a.maxDecide; s++ {
				g.own[mi][s] = slices.Repeat([]int32{-1}, g.ncand[s])
			}
		}
	}
	for i, t := range plan.Tasks {
		g.feeds[i] = -1
		mi := mcIdx[t.MC]
		if s := len(t.Real); g.own[mi] != nil && s == len(t.Basis) && s <= a.maxDecide {
			g.own[mi][s][g.ownerPos[i]] = int32(i)
			g.feeds[i] = int32(mi)
		}
	}
	c.graph = g
}

// taskOwners finds the cluster that releases each task: its basis, save a supersystem's
// whole cluster beyond max_nbody, or computed whatever is kept, which is released at once.
func (g *clusterGraph) taskOwners(c *Core, plan *Plan, idx *clusterIndex) {
	maxNB := c.maxNB
	g.ownerLevel = make([]int8, len(plan.Tasks))
	g.ownerPos = make([]int32, len(plan.Tasks))
	frags := make([]int32, 0, c.nfr)
	count := make([][]int32, maxNB+1)
	for k := 1; k <= maxNB; k++ {
		count[k] = make([]int32, g.ncand[k]+1)
	}
	ss := ""
	if c.ssIndex >= 0 {
		ss = c.mcs[c.ssIndex].name
	}
	for i, t := range plan.Tasks {
		b := len(t.Basis)
		if b > maxNB || (t.MC == ss && b == c.nfr) {
			g.free = append(g.free, int32(i))
			continue
		}
		frags = frags[:0]
		for _, f := range t.Basis {
			frags = append(frags, int32(f-1))
		}
		p, _ := idx.position(frags)
		g.ownerLevel[i], g.ownerPos[i] = int8(b), p
		count[b][p+1]++
	}
	for k := 1; k <= maxNB; k++ {
		for p := 0; p < g.ncand[k]; p++ {
			count[k][p+1] += count[k][p]
		}
		g.ownedOff[k] = count[k]
		g.owned[k] = make([]int32, count[k][g.ncand[k]])
	}
	fill := make([][]int32, maxNB+1)
	for k := 1; k <= maxNB; k++ {
		fill[k] = slices.Clone(g.ownedOff[k][:g.ncand[k]])
	}
	for i, k := range g.ownerLevel {
		if k == 0 {
			continue
		}
		p := g.ownerPos[i]
		g.owned[k][fill[k][p]] = int32(i)
		fill[k][p]++
	}
}

// invert turns the k subclusters of each cluster (sub, flat) into the clusters containing
// each of the n subclusters, in CSR form.
func invert(sub []int32, k, n int) (off, out []int32) {
	off = make([]int32, n+1)
	for _, q := range sub {
		off[q+1]++
	}
	for q := 0; q < n; q++ {
		off[q+1] += off[q]
	}
	out = make([]int32, len(sub))
	fill := slices.Clone(off[:n])
	for i, q := range sub {
		out[fill[q]] = int32(i / k)
		fill[q]++
	}
	return off, out
}

// clusterIndex finds a cluster's position in its level's list of candidates.
type clusterIndex struct {
	index []map[string]int32 // per level >= 2: packed cluster -> position
	key   []byte
}

func newClusterIndex(sc *screen) *clusterIndex {
	ci := &clusterIndex{index: make([]map[string]int32, len(sc.kept))}
	for k := 2; k < len(sc.kept); k++ {
		m := make(map[string]int32, sc.nkept[k])
		for i := 0; i < sc.nkept[k]; i++ {
			m[string(packCluster(nil, sc.kept[k][i*k:(i+1)*k]))] = int32(i)
		}
		ci.index[k] = m
	}
	return ci
}

// position is the index of a cluster (0-indexed fragments, ascending) among the candidates
// of its level; ok is false when it is none of them.
func (ci *clusterIndex) position(frags []int32) (int32, bool) {
	if len(frags) == 1 {
		return frags[0], true
	}
	if len(frags) >= len(ci.index) {
		return 0, false
	}
	ci.key = packCluster(ci.key[:0], frags)
	p, ok := ci.index[len(frags)][string(ci.key)]
	return p, ok
}
