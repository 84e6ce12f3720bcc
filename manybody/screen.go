package manybody

import (
	"fmt"
	"math"
	"math/big"
	"sort"

	"github.com/qcmb-go/qcmb/qcschema"
)

// The distance metrics of Screening.
const (
	// MetricMinAtom measures two fragments by the smallest distance between an atom of
	// one and an atom of the other.
	MetricMinAtom = "min_atom"
	// MetricCentroid measures two fragments by the distance between the unweighted means
	// of their atom positions.
	MetricCentroid = "centroid"
)

// Screening drops the clusters of distant fragments from the expansion (a qcmb
// extension). A cluster of k >= 2 fragments is kept when every pair of its fragments is
// within Cutoffs[k] (inclusive); monomers are always kept. The screened expansion sums the
// n-body increments of the kept clusters only.
type Screening struct {
	// Metric is MetricMinAtom or MetricCentroid.
	Metric string
	// Cutoffs maps n-body levels 2..max_nbody to the largest pair distance, in bohr, of a
	// kept cluster of that level. A level not in the map, or +Inf, keeps every cluster of
	// that level. Cutoffs must not increase with the level (so every subcluster of a kept
	// cluster is kept).
	Cutoffs map[int]float64
}

func (s *Screening) clone() *Screening {
	if s == nil {
		return nil
	}
	out := &Screening{Metric: s.Metric, Cutoffs: make(map[int]float64, len(s.Cutoffs))}
	for k, v := range s.Cutoffs {
		out.Cutoffs[k] = v
	}
	return out
}

// cutoff is the cutoff of level k, +Inf when none is given.
func (s *Screening) cutoff(k int) float64 {
	if v, ok := s.Cutoffs[k]; ok {
		return v
	}
	return math.Inf(1)
}

func screenInvalid(field string, index int, format string, args ...any) *qcschema.ValidationError {
	return &qcschema.ValidationError{Field: field, Index: index, Msg: fmt.Sprintf(format, args...)}
}

// check validates s for an expansion through maxNB bodies; prefix is prepended to the
// field names of the errors ("specification.keywords." for a ManyBodyInput).
func (s *Screening) check(prefix string, maxNB int, bsse []qcschema.BsseType, ssio bool) error {
	field := prefix + "screening"
	switch s.Metric {
	case MetricMinAtom, MetricCentroid:
	default:
		return screenInvalid(field+".metric", -1, "unknown metric %q (want %q or %q)", s.Metric, MetricMinAtom, MetricCentroid)
	}
	levels := make([]int, 0, len(s.Cutoffs))
	for k := range s.Cutoffs {
		levels = append(levels, k)
	}
	sort.Ints(levels) // the first bad level is reported, whatever the map order
	for _, k := range levels {
		switch v := s.Cutoffs[k]; {
		case k < 2 || k > maxNB:
			return screenInvalid(field+".cutoffs", k, "level %d is outside 2..max_nbody (%d)", k, maxNB)
		case math.IsNaN(v) || v < 0:
			return screenInvalid(field+".cutoffs", k, "cutoff %v must be a non-negative distance", v)
		}
	}
	for k := 3; k <= maxNB; k++ {
		if lo, hi := s.cutoff(k-1), s.cutoff(k); hi > lo {
			what := fmt.Sprintf("%g bohr", hi)
			if math.IsInf(hi, 1) {
				what = "none (keep everything)"
			}
			return screenInvalid(field+".cutoffs", k, "cutoff of level %d is %s, more than the %g bohr of level %d; cutoffs must not increase with the level", k, what, lo, k-1)
		}
	}
	for _, b := range bsse {
		if b == qcschema.BsseCP {
			return screenInvalid(prefix+"bsse_type", -1, "cp (every subcluster in the full-cluster basis) cannot be screened; use vmfc, which corrects each kept cluster in its own basis")
		}
	}
	if ssio {
		return screenInvalid(field, -1, "cannot be combined with supersystem_ie_only")
	}
	return nil
}

// ScreeningSummary says what distance screening kept and dropped, per n-body level.
type ScreeningSummary struct {
	Metric string `json:"metric"`
	// Levels holds levels 2..max_nbody in order.
	Levels []ScreenedLevel `json:"levels"`
	// SearchRadius (bohr) is how far ClosestDropped was looked for: 1.25 times the
	// largest finite cutoff.
	SearchRadius float64 `json:"search_radius_bohr"`
}

// ScreenedLevel is the outcome of screening at one n-body level. Distances are in bohr.
type ScreenedLevel struct {
	Level int `json:"level"`
	// Cutoff is the level's cutoff; nil when every cluster is kept.
	Cutoff *float64 `json:"cutoff_bohr"`
	// Kept and Dropped count the clusters of this level; Kept + Dropped = C(N, level).
	// Dropped is exact up to 2^53 (and at most math.MaxFloat64).
	Kept    int     `json:"kept"`
	Dropped float64 `json:"dropped"`
	// LargestKept is the largest pair distance within a kept cluster (cutoff levels
	// only).
	LargestKept *float64 `json:"largest_kept_bohr,omitempty"`
	// ClosestDropped is the largest pair distance of the most compact dropped cluster:
	// no cluster closer than this was left out. Nil when none was dropped within
	// SearchRadius.
	ClosestDropped *float64 `json:"closest_dropped_bohr,omitempty"`
}

// screen is the outcome of screening a Core's fragments.
type screen struct {
	metric string
	cut    []float64 // cut[k] for k = 2..maxNB (bohr), +Inf when none
	// kept[k] holds the kept k-fragment clusters, k 0-indexed fragments each, flat, in
	// lexicographic order; kept[1] holds the monomers.
	kept    [][]int32
	nkept   []int
	dropped bool // some cluster was dropped
	summary ScreeningSummary
}

// geometry for distance tests.
type fragGeom struct {
	metric string
	cent   [][3]float64
	radius []float64    // bounding-sphere radius about the centroid
	atoms  [][]int      // per fragment, 0-indexed atoms
	xyz    [][3]float64 // atoms
}

func newFragGeom(metric string, geom []float64, frags [][]int) *fragGeom {
	g := &fragGeom{metric: metric, atoms: frags}
	g.xyz = make([][3]float64, len(geom)/3)
	for i := range g.xyz {
		g.xyz[i] = [3]float64{geom[3*i], geom[3*i+1], geom[3*i+2]}
	}
	g.cent = make([][3]float64, len(frags))
	g.radius = make([]float64, len(frags))
	for f, atoms := range frags {
		var c [3]float64
		for _, a := range atoms {
			for d := 0; d < 3; d++ {
				c[d] += g.xyz[a][d]
			}
		}
		for d := range c {
			c[d] /= float64(len(atoms))
		}
		g.cent[f] = c
		for _, a := range atoms {
			g.radius[f] = math.Max(g.radius[f], dist(c, g.xyz[a]))
		}
	}
	return g
}

func dist(a, b [3]float64) float64 {
	dx, dy, dz := a[0]-b[0], a[1]-b[1], a[2]-b[2]
	return math.Sqrt(dx*dx + dy*dy + dz*dz)
}

// pair is the distance between fragments i and j by the metric.
func (g *fragGeom) pair(i, j int) float64 {
	if g.metric == MetricCentroid {
		return dist(g.cent[i], g.cent[j])
	}
	best := math.Inf(1)
	for _, a := range g.atoms[i] {
		for _, b := range g.atoms[j] {
			best = math.Min(best, dist(g.xyz[a], g.xyz[b]))
		}
	}
	return best
}

// neighbours is a symmetric neighbour list: row i holds the fragments within the radius
// of fragment i, ascending, with their distances.
type neighbours struct {
	off  []int32
	nbr  []int32
	dist []float64
}

func (nl *neighbours) row(i int) ([]int32, []float64) {
	a, b := nl.off[i], nl.off[i+1]
	return nl.nbr[a:b], nl.dist[a:b]
}

// newNeighbours finds every fragment pair within radius with a cell list over the
// fragment centroids; for min_atom the cells are widened by twice the largest
// bounding-sphere radius and each candidate is then measured exactly.
func newNeighbours(g *fragGeom, radius float64) *neighbours {
	n := len(g.cent)
	h := radius
	if g.metric == MetricMinAtom {
		rmax := 0.0
		for _, r := range g.radius {
			rmax = math.Max(rmax, r)
		}
		h += 2 * rmax
	}
	h = h*(1+1e-12) + 1e-12
	var lo, hi [3]float64
	for d := 0; d < 3; d++ {
		lo[d], hi[d] = math.Inf(1), math.Inf(-1)
	}
	for _, c := range g.cent {
		for d := 0; d < 3; d++ {
			lo[d], hi[d] = math.Min(lo[d], c[d]), math.Max(hi[d], c[d])
		}
	}
	// Cells no smaller than h, and not many more cells than fragments.
	cs := h
	var dim [3]int
	for {
		cells := 1.0
		for d := 0; d < 3; d++ {
			cells *= math.Floor((hi[d]-lo[d])/cs) + 1
		}
		if cells <= float64(4*n+64) {
			break
		}
		cs *= 1.5
	}
	for d := 0; d < 3; d++ {
		dim[d] = int((hi[d]-lo[d])/cs) + 1
	}
	cellOf := func(c [3]float64) [3]int {
		var x [3]int
		for d := 0; d < 3; d++ {
			x[d] = min(int((c[d]-lo[d])/cs), dim[d]-1)
		}
		return x
	}
	index := func(x [3]int) int { return (x[0]*dim[1]+x[1])*dim[2] + x[2] }
	ncell := dim[0] * dim[1] * dim[2]
	start := make([]int32, ncell+1)
	where := make([]int, n)
	for f, c := range g.cent {
		where[f] = index(cellOf(c))
		start[where[f]+1]++
	}
	for i := 0; i < ncell; i++ {
		start[i+1] += start[i]
	}
	items := make([]int32, n)
	fill := append([]int32(nil), start[:ncell]...)
	for f := range g.cent {
		items[fill[where[f]]] = int32(f)
		fill[where[f]]++
	}
	type edge struct {
		i, j int32
		d    float64
	}
	var edges []edge
	deg := make([]int32, n)
	for i := 0; i < n; i++ {
		x := cellOf(g.cent[i])
		for dx := -1; dx <= 1; dx++ {
			for dy := -1; dy <= 1; dy++ {
				for dz := -1; dz <= 1; dz++ {
					y := [3]int{x[0] + dx, x[1] + dy, x[2] + dz}
					if y[0] < 0 || y[1] < 0 || y[2] < 0 || y[0] >= dim[0] || y[1] >= dim[1] || y[2] >= dim[2] {
						continue
					}
					ci := index(y)
					for _, j := range items[start[ci]:start[ci+1]] {
						if int(j) <= i {
							continue
						}
						if g.metric == MetricMinAtom && dist(g.cent[i], g.cent[j]) > h {
							continue
						}
						if d := g.pair(i, int(j)); d <= radius {
							edges = append(edges, edge{int32(i), j, d})
							deg[i]++
							deg[j]++
						}
					}
				}
			}
		}
	}
	nl := &neighbours{off: make([]int32, n+1), nbr: make([]int32, 2*len(edges)), dist: make([]float64, 2*len(edges))}
	for i := 0; i < n; i++ {
		nl.off[i+1] = nl.off[i] + deg[i]
	}
	pos := append([]int32(nil), nl.off[:n]...)
	for _, e := range edges {
		nl.nbr[pos[e.i]], nl.dist[pos[e.i]] = e.j, e.d
		pos[e.i]++
		nl.nbr[pos[e.j]], nl.dist[pos[e.j]] = e.i, e.d
		pos[e.j]++
	}
	for i := 0; i < n; i++ {
		a, b := nl.off[i], nl.off[i+1]
		sort.Sort(byNbr{nl.nbr[a:b], nl.dist[a:b]})
	}
	return nl
}

type byNbr struct {
	j []int32
	d []float64
}

func (s byNbr) Len() int           { return len(s.j) }
func (s byNbr) Less(a, b int) bool { return s.j[a] < s.j[b] }
func (s byNbr) Swap(a, b int) {
	s.j[a], s.j[b] = s.j[b], s.j[a]
	s.d[a], s.d[b] = s.d[b], s.d[a]
}

// cand is a candidate fragment of a growing clique and the largest distance from it to
// the clique's members.
type cand struct {
	j int32
	d float64
}

// cliques calls emit with every k-clique (ascending fragments) of the graph of pairs within
// r whose smallest member is i, in lexicographic order, and the clique's largest pair
// distance. emit returns false to stop; cliques then returns false.
func (nl *neighbours) cliques(i, k int, r float64, buf []int32, emit func([]int32, float64) bool) bool {
	js, ds := nl.row(i)
	var first []cand
	for x, j := range js {
		if int(j) > i && ds[x] <= r {
			first = append(first, cand{j, ds[x]})
		}
	}
	buf = append(buf[:0], int32(i))
	return nl.extend(buf, k, r, 0, first, emit)
}

// extend grows the clique c by the candidates (each adjacent to every member, ascending).
func (nl *neighbours) extend(c []int32, k int, r, ext float64, cands []cand, emit func([]int32, float64) bool) bool {
	if len(c) == k {
		return emit(c, ext)
	}
	need := k - len(c)
	for x := 0; x+need <= len(cands); x++ {
		cj := cands[x]
		e := math.Max(ext, cj.d)
		next := append(c, cj.j)
		if len(next) == k {
			if !emit(next, e) {
				return false
			}
			continue
		}
		js, ds := nl.row(int(cj.j))
		var more []cand
		// Intersect the remaining candidates with the neighbours of cj within r.
		y := sort.Search(len(js), func(y int) bool { return js[y] > cj.j })
		for _, cl := range cands[x+1:] {
			for y < len(js) && js[y] < cl.j {
				y++
			}
			if y < len(js) && js[y] == cl.j && ds[y] <= r {
				more = append(more, cand{cl.j, math.Max(cl.d, ds[y])})
			}
		}
		if len(more) >= k-len(next) && !nl.extend(next, k, r, e, more, emit) {
			return false
		}
	}
	return true
}

// newScreen finds the kept clusters of every level 2..maxNB. limit bounds the number of
// kept clusters of any level.
func newScreen(s *Screening, geom []float64, frags [][]int, maxNB, limit int) (*screen, error) {
	n := len(frags)
	sc := &screen{metric: s.Metric, cut: make([]float64, maxNB+1), kept: make([][]int32, maxNB+1), nkept: make([]int, maxNB+1)}
	sc.summary.Metric = s.Metric
	sc.kept[1] = make([]int32, n)
	for f := range sc.kept[1] {
		sc.kept[1][f] = int32(f)
	}
	sc.nkept[1] = n
	rmax := math.Inf(-1)
	for k := 2; k <= maxNB; k++ {
		sc.cut[k] = s.cutoff(k)
		if !math.IsInf(sc.cut[k], 1) {
			rmax = math.Max(rmax, sc.cut[k])
		}
	}
	g := newFragGeom(s.Metric, geom, frags)
	var nl *neighbours
	if !math.IsInf(rmax, -1) {
		sc.summary.SearchRadius = min(1.25*rmax, math.MaxFloat64) // finite for JSON
		nl = newNeighbours(g, sc.summary.SearchRadius)
	}
	buf := make([]int32, 0, maxNB)
	for k := 2; k <= maxNB; k++ {
		lv := ScreenedLevel{Level: k}
		total := binomFloat(n, k)
		r := sc.cut[k]
		if math.IsInf(r, 1) {
			if total > float64(limit) {
				return nil, screenInvalid("screening.cutoffs", k, "level %d has no cutoff and would keep all %.4g clusters, more than %d; give it a cutoff", k, total, limit)
			}
			flat := make([]int32, 0, k*int(total))
			forCombos(0, n-1, k, make([]int, k), func(x []int) {
				for _, f := range x {
					flat = append(flat, int32(f))
				}
			})
			sc.kept[k], sc.nkept[k] = flat, int(total)
			lv.Kept = int(total)
			sc.summary.Levels = append(sc.summary.Levels, lv)
			continue
		}
		cut := r
		lv.Cutoff = &cut
		var flat []int32
		count := 0
		largest := math.Inf(-1)
		var tooMany bool
		for i := 0; i < n && !tooMany; i++ {
			nl.cliques(i, k, r, buf, func(c []int32, ext float64) bool {
				if count >= limit {
					tooMany = true
					return false
				}
				flat = append(flat, c...)
				count++
				largest = math.Max(largest, ext)
				return true
			})
		}
		if tooMany {
			return nil, screenInvalid("screening.cutoffs", k, "level %d keeps more than %d clusters; lower its cutoff", k, limit)
		}
		sc.kept[k], sc.nkept[k] = flat, count
		lv.Kept = count
		lv.Dropped = droppedCount(n, k, count)
		if count > 0 {
			lv.LargestKept = &largest
		}
		if lv.Dropped > 0 {
			sc.dropped = true
			if d, ok := nl.closestDropped(k, r); ok {
				lv.ClosestDropped = &d
			}
		}
		sc.summary.Levels = append(sc.summary.Levels, lv)
	}
	return sc, nil
}

// droppedCount is C(n, k) - kept, exactly as long as it fits a float64's mantissa.
func droppedCount(n, k, kept int) float64 {
	d := new(big.Int).Binomial(int64(n), int64(k))
	d.Sub(d, big.NewInt(int64(kept)))
	f, _ := new(big.Float).SetInt(d).Float64()
	return min(f, math.MaxFloat64) // finite for JSON
}

// closestDropped finds the most compact dropped k-cluster within the neighbour radius: the
// smallest distance d > r such that some pair at distance d is part of a k-clique of the
// graph of pairs within d. That pair's distance is the cluster's largest pair distance.
func (nl *neighbours) closestDropped(k int, r float64) (float64, bool) {
	type pr struct {
		i, j int32
		d    float64
	}
	var prs []pr
	n := len(nl.off) - 1
	for i := 0; i < n; i++ {
		js, ds := nl.row(i)
		for x, j := range js {
			if int(j) > i && ds[x] > r {
				prs = append(prs, pr{int32(i), j, ds[x]})
			}
		}
	}
	sort.Slice(prs, func(a, b int) bool {
		if prs[a].d != prs[b].d {
			return prs[a].d < prs[b].d
		}
		if prs[a].i != prs[b].i {
			return prs[a].i < prs[b].i
		}
		return prs[a].j < prs[b].j
	})
	for _, p := range prs {
		if k == 2 {
			return p.d, true
		}
		// Common neighbours of i and j within p.d of both.
		ji, di := nl.row(int(p.i))
		jj, dj := nl.row(int(p.j))
		var common []cand
		y := 0
		for x, l := range ji {
			for y < len(jj) && jj[y] < l {
				y++
			}
			if y < len(jj) && jj[y] == l && di[x] <= p.d && dj[y] <= p.d {
				common = append(common, cand{l, math.Max(di[x], dj[y])})
			}
		}
		if len(common) < k-2 {
			continue
		}
		found := false
		nl.extend([]int32{p.i, p.j}, k, p.d, p.d, common, func([]int32, float64) bool {
			found = true
			return false
		})
		if found {
			return p.d, true
		}
	}
	return 0, false
}

// count is the number of kept s-fragment clusters.
func (sc *screen) count(s int) int {
	if s < len(sc.nkept) {
		return sc.nkept[s]
	}
	return 0
}

// clusters calls fn with every kept s-fragment cluster, 1-indexed, in lexicographic order;
// the slice is buf, reused between calls.
func (sc *screen) clusters(s int, buf []int, fn func([]int)) {
	if s >= len(sc.kept) {
		return
	}
	flat := sc.kept[s]
	x := buf[:s]
	for i := 0; i+s <= len(flat); i += s {
		for j := range x {
			x[j] = int(flat[i+j]) + 1
		}
		fn(x)
	}
}
