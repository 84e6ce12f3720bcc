package manybody

import (
	"math"
	"sort"
)

// The neighbour graph of distance screening: fragment pairs within a radius found with a
// cell list, and its cliques, which are the clusters whose every pair is within a cutoff.

// fragGeom holds what the distance metrics need: fragment centroids and bounding spheres
// (about the centroid), and atom positions.
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
	h := radius
	if g.metric == MetricMinAtom {
		rmax := 0.0
		for _, r := range g.radius {
			rmax = math.Max(rmax, r)
		}
		h += 2 * rmax
	}
	h = h*(1+1e-12) + 1e-12
	cl := newCellList(g.cent, h)
	var edges []edge
	deg := make([]int32, len(g.cent))
	for i := range g.cent {
		cl.near(i, func(j int32) {
			if g.metric == MetricMinAtom && dist(g.cent[i], g.cent[j]) > h {
				return
			}
			if d := g.pair(i, int(j)); d <= radius {
				edges = append(edges, edge{int32(i), j, d})
				deg[i]++
				deg[j]++
			}
		})
	}
	return neighboursOf(edges, deg)
}

// edge is a pair of fragments i < j and their distance.
type edge struct {
	i, j int32
	d    float64
}

// neighboursOf builds the symmetric neighbour list of the edges; deg counts the edges of
// each fragment.
func neighboursOf(edges []edge, deg []int32) *neighbours {
	n := len(deg)
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

// cellList bins points into cubic cells no smaller than a given width, so that the points
// within that width of a point are in its cell or the 26 around it.
type cellList struct {
	lo    [3]float64
	size  float64 // cell edge
	dim   [3]int
	pts   [][3]float64
	start []int32 // items[start[c]:start[c+1]] are the points of cell c
	items []int32
}

func newCellList(pts [][3]float64, h float64) *cellList {
	n := len(pts)
	cl := &cellList{pts: pts}
	var hi [3]float64
	for d := 0; d < 3; d++ {
		cl.lo[d], hi[d] = math.Inf(1), math.Inf(-1)
	}
	for _, c := range pts {
		for d := 0; d < 3; d++ {
			cl.lo[d], hi[d] = math.Min(cl.lo[d], c[d]), math.Max(hi[d], c[d])
		}
	}
	// Cells no smaller than h, and not many more cells than points.
	cs := h
	for {
		cells := 1.0
		for d := 0; d < 3; d++ {
			cells *= math.Floor((hi[d]-cl.lo[d])/cs) + 1
		}
		if cells <= float64(4*n+64) {
			break
		}
		cs *= 1.5
	}
	cl.size = cs
	for d := 0; d < 3; d++ {
		cl.dim[d] = int((hi[d]-cl.lo[d])/cs) + 1
	}
	ncell := cl.dim[0] * cl.dim[1] * cl.dim[2]
	cl.start = make([]int32, ncell+1)
	where := make([]int, n)
	for f, c := range pts {
		where[f] = cl.index(cl.cellOf(c))
		cl.start[where[f]+1]++
	}
	for i := 0; i < ncell; i++ {
		cl.start[i+1] += cl.start[i]
	}
	cl.items = make([]int32, n)
	fill := append([]int32(nil), cl.start[:ncell]...)
	for f := range pts {
		cl.items[fill[where[f]]] = int32(f)
		fill[where[f]]++
	}
	return cl
}

func (cl *cellList) cellOf(c [3]float64) [3]int {
	var x [3]int
	for d := 0; d < 3; d++ {
		x[d] = min(int((c[d]-cl.lo[d])/cl.size), cl.dim[d]-1)
	}
	return x
}

func (cl *cellList) index(x [3]int) int { return (x[0]*cl.dim[1]+x[1])*cl.dim[2] + x[2] }

// near calls fn with every point j > i in the cell of point i and the cells around it.
func (cl *cellList) near(i int, fn func(j int32)) {
	x := cl.cellOf(cl.pts[i])
	for dx := -1; dx <= 1; dx++ {
		for dy := -1; dy <= 1; dy++ {
			for dz := -1; dz <= 1; dz++ {
				y := [3]int{x[0] + dx, x[1] + dy, x[2] + dz}
				if y[0] < 0 || y[1] < 0 || y[2] < 0 || y[0] >= cl.dim[0] || y[1] >= cl.dim[1] || y[2] >= cl.dim[2] {
					continue
				}
				ci := cl.index(y)
				for _, j := range cl.items[cl.start[ci]:cl.start[ci+1]] {
					if int(j) > i {
						fn(j)
					}
				}
			}
		}
	}
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
