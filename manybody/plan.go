package manybody

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/qcmb-go/qcmb/qcschema"
)

// Task is one fragment calculation: model chemistry MC, the real fragments and the basis
// fragments (real plus ghosts), 1-indexed and sorted. Level is len(Real).
//
// Tasks returned by Plan share their Real and Basis slices with other tasks; treat them as
// read-only.
type Task struct {
	MC    string `json:"mc"`
	Real  []int  `json:"real"`
	Basis []int  `json:"basis"`
	Level int    `json:"level"`

	label string // cached Label(), set for planned and parsed tasks
	idx   int32  // 1 + the position in the plan it came from; 0 if none
}

// Label is QCManyBody's label of the task, a JSON array written as Python's json.dumps
// writes it: `["mc", [1], [1, 2]]`.
func (t Task) Label() string {
	if t.label != "" {
		return t.label
	}
	return makeLabel(t.MC, t.Real, t.Basis)
}

// String is the label.
func (t Task) String() string { return t.Label() }

func makeLabel(mc string, real, basis []int) string {
	b := make([]byte, 0, len(mc)+8+4*(len(real)+len(basis)))
	b = append(b, '[')
	b = appendPyString(b, mc)
	b = append(b, ", "...)
	b = appendIntList(b, real)
	b = append(b, ", "...)
	b = appendIntList(b, basis)
	b = append(b, ']')
	return string(b)
}

func appendIntList(b []byte, xs []int) []byte {
	b = append(b, '[')
	for i, x := range xs {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = strconv.AppendInt(b, int64(x), 10)
	}
	return append(b, ']')
}

// appendPyString writes s as a JSON string the way Python's json.dumps (ensure_ascii)
// does: non-ASCII as \uXXXX escapes, no HTML escaping.
func appendPyString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"':
			b = append(b, '\\', '"')
		case r == '\\':
			b = append(b, '\\', '\\')
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r == '\t':
			b = append(b, '\\', 't')
		case r == '\b':
			b = append(b, '\\', 'b')
		case r == '\f':
			b = append(b, '\\', 'f')
		case r < 0x20 || (r >= 0x7f && r < 0x10000):
			if r == utf8.RuneError {
				r = 0xfffd
			}
			b = append(b, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
		case r >= 0x10000:
			r -= 0x10000
			hi, lo := 0xd800+(r>>10), 0xdc00+(r&0x3ff)
			b = append(b, '\\', 'u', hex[hi>>12&0xf], hex[hi>>8&0xf], hex[hi>>4&0xf], hex[hi&0xf])
			b = append(b, '\\', 'u', hex[lo>>12&0xf], hex[lo>>8&0xf], hex[lo>>4&0xf], hex[lo&0xf])
		default:
			b = append(b, byte(r))
		}
	}
	return append(b, '"')
}

var prettyLabel = regexp.MustCompile(`^(?:§(\S*)_)?\(([^@]*)\)@\(([^@]*)\)$`)

// ParseLabel reads a task label: QCManyBody's JSON form `["mc", [1], [1, 2]]` (any JSON
// spacing) or its pretty form `§mc_(1)@(1, 2)`. Fragments must be positive and sorted
// ascending without repeats, and real must be a non-empty subset of basis.
func ParseLabel(s string) (Task, error) {
	var t Task
	if m := prettyLabel.FindStringSubmatch(strings.TrimSpace(s)); m != nil {
		t.MC = m[1]
		var err error
		if t.Real, err = parseIntCSV(m[2]); err != nil {
			return Task{}, fmt.Errorf("manybody: label %q: real: %w", qcschema.Excerpt(s, qcschema.ExcerptLen), err)
		}
		if t.Basis, err = parseIntCSV(m[3]); err != nil {
			return Task{}, fmt.Errorf("manybody: label %q: basis: %w", qcschema.Excerpt(s, qcschema.ExcerptLen), err)
		}
	} else {
		var parts []json.RawMessage
		if err := json.Unmarshal([]byte(s), &parts); err != nil {
			return Task{}, fmt.Errorf("manybody: label %q: %w", qcschema.Excerpt(s, qcschema.ExcerptLen), err)
		}
		if len(parts) != 3 {
			return Task{}, fmt.Errorf("manybody: label %q: want [mc, real, basis]", qcschema.Excerpt(s, qcschema.ExcerptLen))
		}
		err := qcschema.CheckText(parts[0]) // encoding/json would make U+FFFD of what is no text
		if err == nil {
			err = json.Unmarshal(parts[0], &t.MC)
		}
		if err != nil {
			return Task{}, fmt.Errorf("manybody: label %q: model chemistry: %w", qcschema.Excerpt(s, qcschema.ExcerptLen), err)
		}
		if err := json.Unmarshal(parts[1], &t.Real); err != nil {
			return Task{}, fmt.Errorf("manybody: label %q: real: %w", qcschema.Excerpt(s, qcschema.ExcerptLen), err)
		}
		if err := json.Unmarshal(parts[2], &t.Basis); err != nil {
			return Task{}, fmt.Errorf("manybody: label %q: basis: %w", qcschema.Excerpt(s, qcschema.ExcerptLen), err)
		}
	}
	if err := checkTaskSets(t.Real, t.Basis, 0); err != nil {
		return Task{}, fmt.Errorf("manybody: label %q: %w", qcschema.Excerpt(s, qcschema.ExcerptLen), err)
	}
	t.Level = len(t.Real)
	t.label = makeLabel(t.MC, t.Real, t.Basis)
	return t, nil
}

func parseIntCSV(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// checkTaskSets checks real and basis fragment lists; nfr > 0 bounds them.
// Validate checks that t could be a task of a plan: its fragments positive, sorted
// ascending without repeats, real a non-empty subset of basis.
func (t Task) Validate() error {
	if err := checkTaskSets(t.Real, t.Basis, 0); err != nil {
		return fmt.Errorf("real %v, basis %v: %w", t.Real, t.Basis, err)
	}
	return nil
}

func checkTaskSets(real, basis []int, nfr int) error {
	if len(real) == 0 {
		return fmt.Errorf("no real fragments")
	}
	for _, xs := range [][]int{real, basis} {
		for i, x := range xs {
			if x < 1 || (nfr > 0 && x > nfr) {
				if nfr > 0 {
					return fmt.Errorf("fragment %d out of range [1, %d]", x, nfr)
				}
				return fmt.Errorf("fragment %d < 1", x)
			}
			if i > 0 && xs[i-1] >= x {
				return fmt.Errorf("fragments %v not sorted ascending without repeats", xs)
			}
		}
	}
	j := 0
	for _, x := range real {
		for j < len(basis) && basis[j] < x {
			j++
		}
		if j == len(basis) || basis[j] != x {
			return fmt.Errorf("real fragment %d not in basis %v", x, basis)
		}
	}
	return nil
}

// Plan is the set of unique fragment calculations a Core needs.
type Plan struct {
	// Tasks are unique and ordered by level, then model chemistry (in the order of
	// ModelChemistries), then a fixed enumeration order.
	Tasks []Task `json:"tasks"`
	// Counts holds, per model chemistry, the number of tasks of each n-body level. Every
	// model chemistry has an entry, possibly empty.
	Counts map[string]map[int]int `json:"task_counts"`
	// EffectiveBsseType is the list of BSSE treatments after the VMFC rule.
	EffectiveBsseType []qcschema.BsseType `json:"effective_bsse_type"`
	// ModelChemistries in order of the lowest n-body level covered, supersystem last.
	ModelChemistries []string `json:"model_chemistries"`
	NFragments       int      `json:"nfragments"`
	MaxNbody         int      `json:"max_nbody"`
	// Screening says what screening kept and dropped; nil without screening.
	Screening *ScreeningSummary `json:"screening,omitempty"`
	// Estimator is the model chemistry whose increments make energy screening's
	// decisions, "" if none: its tasks are in Tasks and Counts, never in the expansion.
	Estimator string `json:"estimator,omitempty"`
	// Adaptive says that energy screening decides which tasks run as results arrive
	// (Core.NewExpansion): Tasks and Counts are then an upper bound, every task that may
	// run.
	Adaptive bool `json:"adaptive,omitempty"`
}

// Labels returns the label of every task, in plan order.
func (p *Plan) Labels() []string {
	out := make([]string, len(p.Tasks))
	for i, t := range p.Tasks {
		out[i] = t.Label()
	}
	return out
}

// Plan returns the compute plan. It is computed once; the same *Plan is returned on every
// call and must not be modified.
func (c *Core) Plan() *Plan {
	c.planOnce.Do(c.buildPlan)
	return c.plan
}

// genSpec says which tasks one model chemistry needs.
type genSpec struct {
	own   []bool // own[s]: all s-fragment subsets in their own basis
	full  []bool // full[s] (s < N): all s-fragment subsets in the full-cluster basis
	ghost []bool // ghost[nb] (nb < N): all proper subsets of nb-fragment subsets in that basis (vmfc)
}

func (c *Core) genSpecFor(m *mcLevel) genSpec {
	N := c.nfr
	g := genSpec{own: make([]bool, N+1), full: make([]bool, N+1), ghost: make([]bool, N+1)}
	if m.est {
		for _, s := range m.nbodies {
			g.own[s] = true
		}
		return g
	}
	if m.ss {
		for s := 1; s <= c.maxNB; s++ {
			g.own[s] = true
		}
		g.own[N] = true
		return g
	}
	lo, hi := m.lo(), m.hi()
	ssio := c.kw.SupersystemIEOnly
	if c.hasBT[btNoCP] {
		if ssio {
			g.own[1], g.own[N] = true, true
		} else {
			for s := 1; s <= hi; s++ {
				g.own[s] = true
			}
		}
	}
	if c.kw.ReturnTotalData && lo == 1 {
		g.own[1] = true
	}
	if c.hasBT[btCP] {
		if ssio {
			g.full[1] = true
			g.own[N] = true
		} else if hi > 1 {
			for s := 1; s <= hi && s < N; s++ {
				g.full[s] = true
			}
			if hi == N {
				g.own[N] = true
			}
		}
	}
	if c.hasBT[btVMFC] {
		for _, nb := range m.nbodies {
			g.own[nb] = true
			if nb == N {
				for s := 1; s < N; s++ {
					g.full[s] = true
				}
			} else {
				g.ghost[nb] = true
			}
		}
	}
	return g
}

// forCombos calls fn with every k-subset of {first..last} in lexicographic order; the
// slice is reused between calls.
func forCombos(first, last, k int, buf []int, fn func([]int)) {
	n := last - first + 1
	if k < 1 || k > n {
		return
	}
	idx := buf[:k]
	for i := range idx {
		idx[i] = first + i
	}
	for {
		fn(idx)
		i := k - 1
		for i >= 0 && idx[i] == last-(k-1-i) {
			i--
		}
		if i < 0 {
			return
		}
		idx[i]++
		for j := i + 1; j < k; j++ {
			idx[j] = idx[j-1] + 1
		}
	}
}

func binomInt(n, k int) int {
	if k < 0 || k > n {
		return 0
	}
	if k > n-k {
		k = n - k
	}
	r := 1
	for i := 1; i <= k; i++ {
		r = r * (n - k + i) / i
	}
	return r
}

// planSizes returns what each model chemistry generates, how many tasks each bucket gets
// (sizes[level][mc]), how many fragment numbers the tasks of each model chemistry own, and
// whether full-basis tasks are made (not when screening drops the whole cluster).
func (c *Core) planSizes() (specs []genSpec, sizes [][]int, arenaSize []int, fullKept bool) {
	N := c.nfr
	nmc := len(c.planned)
	specs = make([]genSpec, nmc)
	sizes = make([][]int, N+1)
	for s := range sizes {
		sizes[s] = make([]int, nmc)
	}
	arenaSize = make([]int, nmc)
	fullKept = !c.screened || c.scr.count(N) > 0
	for mi := range c.planned {
		m := &c.planned[mi]
		g := c.genSpecFor(m)
		specs[mi] = g
		for s := 1; s <= N; s++ {
			if !g.own[s] && !g.full[s] && !g.ghost[s] {
				continue
			}
			count := binomInt(N, s) // clusters of s fragments: all, or those screening keeps
			if c.screened && !(m.ss && s == N) {
				count = c.scr.count(s)
			}
			if g.own[s] {
				sizes[s][mi] += count
				arenaSize[mi] += s * count
			}
			if g.full[s] && s < N && fullKept {
				sizes[s][mi] += binomInt(N, s)
				arenaSize[mi] += s * binomInt(N, s)
			}
			if g.ghost[s] && s < N {
				for sub := 1; sub < s; sub++ {
					sizes[sub][mi] += binomInt(s, sub) * count
				}
			}
		}
	}
	return specs, sizes, arenaSize, fullKept
}

func (c *Core) buildPlan() {
	N := c.nfr
	// First, for every model chemistry, what it generates and how many tasks each bucket
	// (level, model chemistry) gets, so that the tasks are written in place, in plan
	// order, into one slice: a water-64 trimer expansion has 43,744 of them.
	specs, sizes, arenaSize, fullKept := c.planSizes()
	tasks, buckets := newBuckets(sizes)
	counts := make(map[string]map[int]int, len(c.planned))
	g := planGen{c: c, full: make([]int, N), buf: make([]int, N), sub: make([]int, N)}
	for i := range g.full {
		g.full[i] = i + 1
	}
	for mi := range c.planned {
		g.mc(mi, specs[mi], buckets, arenaSize[mi], fullKept)
		counts[c.planned[mi].name] = g.cnt
	}
	tasks = gatherBuckets(tasks, buckets, sizes)
	for i := range tasks {
		tasks[i].label = makeLabel(tasks[i].MC, tasks[i].Real, tasks[i].Basis)
		tasks[i].idx = int32(i + 1)
	}
	c.plan = &Plan{
		Tasks:             tasks,
		Counts:            counts,
		EffectiveBsseType: append([]qcschema.BsseType(nil), c.bsse...),
		ModelChemistries:  c.ModelChemistries(),
		NFragments:        N,
		MaxNbody:          c.maxNB,
		Screening:         c.screeningSummary(),
		Estimator:         c.Estimator(),
		Adaptive:          c.adaptive != nil,
	}
}

// newBuckets returns the task slice of a plan and its buckets [level][mc]: empty slices
// of it, in plan order, each with room for exactly sizes[level][mc] tasks.
func newBuckets(sizes [][]int) (tasks []Task, buckets [][][]Task) {
	ntask := 0
	for s := range sizes {
		for _, n := range sizes[s] {
			ntask += n
		}
	}
	tasks = make([]Task, ntask)
	buckets = make([][][]Task, len(sizes))
	off := 0
	for s := range sizes {
		buckets[s] = make([][]Task, len(sizes[s]))
		for mi, n := range sizes[s] {
			buckets[s][mi] = tasks[off : off : off+n]
			off += n
		}
	}
	return tasks, buckets
}

// gatherBuckets returns the plan's tasks: tasks itself when every bucket was filled in
// place as sized; should a count ever disagree with what was generated, the buckets are
// gathered instead.
func gatherBuckets(tasks []Task, buckets [][][]Task, sizes [][]int) []Task {
	inPlace := true
	off := 0
	for s := range buckets {
		for mi, b := range buckets[s] {
			if len(b) != sizes[s][mi] || len(b) > 0 && &b[0] != &tasks[off] {
				inPlace = false
			}
			off += sizes[s][mi]
		}
	}
	if inPlace {
		return tasks
	}
	tasks = tasks[:0:0]
	for s := range buckets {
		for _, b := range buckets[s] {
			tasks = append(tasks, b...)
		}
	}
	return tasks
}

// planGen generates the tasks of one model chemistry at a time into the plan's buckets.
type planGen struct {
	c        *Core
	full     []int // the whole cluster, 1..N
	buf, sub []int // combination buffers
	m        *mcLevel
	mi       int
	buckets  [][][]Task
	cnt      map[int]int // tasks per level of the model chemistry
	arena    []int       // fragment numbers of the tasks, allocated in blocks
}

// alloc copies xs into the arena.
func (g *planGen) alloc(xs []int) []int {
	if cap(g.arena)-len(g.arena) < len(xs) {
		g.arena = make([]int, 0, max(len(xs), 1024))
	}
	start := len(g.arena)
	g.arena = append(g.arena, xs...)
	return g.arena[start:len(g.arena):len(g.arena)]
}

func (g *planGen) add(s int, t Task) {
	g.buckets[s][g.mi] = append(g.buckets[s][g.mi], t)
	g.cnt[s]++
}

// clusters calls fn with every s-fragment cluster the expansion keeps: every one, or with
// screening the kept ones.
func (g *planGen) clusters(s int, fn func([]int)) {
	if !g.c.screened {
		forCombos(1, g.c.nfr, s, g.buf, fn)
		return
	}
	g.c.scr.clusters(s, g.buf, fn)
}

// mc generates the tasks of model chemistry mi: own-basis, full-basis and vmfc ghost
// tasks as spec says.
func (g *planGen) mc(mi int, spec genSpec, buckets [][][]Task, arenaSize int, fullKept bool) {
	c, N := g.c, g.c.nfr
	g.m, g.mi, g.buckets, g.cnt = &c.planned[mi], mi, buckets, map[int]int{}
	g.arena = make([]int, 0, arenaSize)
	for s := 1; s <= N; s++ {
		if !spec.own[s] {
			continue
		}
		// The whole cluster of a supersystem is computed whatever screening keeps.
		own := g.clusters
		if g.m.ss && s == N {
			own = func(s int, fn func([]int)) { forCombos(1, N, s, g.buf, fn) }
		}
		own(s, func(x []int) {
			r := g.alloc(x)
			g.add(s, Task{MC: g.m.name, Real: r, Basis: r, Level: s})
		})
	}
	for s := 1; s < N; s++ {
		// With screening, only vmfc at N bodies asks for full-basis tasks: the
		// subclusters of the whole cluster in its basis, when it is kept.
		if !spec.full[s] || !fullKept {
			continue
		}
		forCombos(1, N, s, g.buf, func(x []int) {
			g.add(s, Task{MC: g.m.name, Real: g.alloc(x), Basis: g.full, Level: s})
		})
	}
	for nb := 2; nb < N; nb++ {
		if spec.ghost[nb] {
			g.clusters(nb, g.ghosts)
		}
	}
}

// ghosts generates the vmfc tasks of cluster cb: its proper non-empty subsets in its
// basis, by size then lexicographic.
func (g *planGen) ghosts(cb []int) {
	nb := len(cb)
	basis := append([]int(nil), cb...)
	for s := 1; s < nb; s++ {
		forCombos(0, nb-1, s, g.sub, func(pos []int) {
			r := make([]int, s)
			for i, p := range pos {
				r[i] = basis[p]
			}
			g.add(s, Task{MC: g.m.name, Real: r, Basis: basis, Level: s})
		})
	}
}

// Summary formats the plan like QCManyBody's format_calc_plan: per model chemistry, the
// number of tasks of each n-body level, and how many of them each BSSE treatment's
// compute list holds (a task may serve several).
func (c *Core) Summary() string {
	per := c.summaryTallies()
	var sb strings.Builder
	for i, m := range c.mcs {
		tl := per[i]
		header := "    Model chemistry \"" + m.name + "\" (" + mcLetter(i) + "):"
		total := 0
		for _, n := range tl.all {
			total += n
		}
		fmt.Fprintf(&sb, "%-38s %6d\n", header, total)
		for nb := 1; nb <= c.nfr; nb++ {
			if tl.all[nb] == 0 {
				continue
			}
			fmt.Fprintf(&sb, "        Number of %d-body computations: %6d (nocp: %d, cp: %d, vmfc_compute: %d)\n",
				nb, tl.all[nb], tl.nocp[nb], tl.cp[nb], tl.vmfc[nb])
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

// summaryTally counts the tasks of one model chemistry per n-body level: all of them, and
// those in each BSSE treatment's compute list.
type summaryTally struct{ all, nocp, cp, vmfc map[int]int }

func (c *Core) summaryTallies() []summaryTally {
	per := make([]summaryTally, len(c.mcs))
	for i := range per {
		per[i] = summaryTally{map[int]int{}, map[int]int{}, map[int]int{}, map[int]int{}}
	}
	mcIdx := map[string]int{}
	for i := range c.mcs {
		mcIdx[c.mcs[i].name] = i
	}
	for _, t := range c.Plan().Tasks {
		mi, ok := mcIdx[t.MC]
		if !ok {
			continue // an estimator's task
		}
		m := &c.mcs[mi]
		s, b := len(t.Real), len(t.Basis)
		tl := &per[mi]
		tl.all[s]++
		if m.ss {
			if s == b {
				tl.nocp[s]++
			}
			continue
		}
		if c.inNoCPList(m, s, b) {
			tl.nocp[s]++
		}
		if c.inCPList(m, s, b) {
			tl.cp[s]++
		}
		if c.hasBT[btVMFC] && m.has(b) {
			tl.vmfc[s]++
		}
	}
	return per
}

// inNoCPList reports whether a task of n-body model chemistry m with s real and b basis
// fragments is in the nocp compute list (monomers for total data included).
func (c *Core) inNoCPList(m *mcLevel, s, b int) bool {
	if s != b {
		return false
	}
	ssio, N := c.kw.SupersystemIEOnly, c.nfr
	if c.hasBT[btNoCP] && ((ssio && (s == 1 || s == N)) || (!ssio && s <= m.hi())) {
		return true
	}
	return c.kw.ReturnTotalData && m.lo() == 1 && s == 1
}

// inCPList reports whether such a task is in the cp compute list.
func (c *Core) inCPList(m *mcLevel, s, b int) bool {
	ssio, N := c.kw.SupersystemIEOnly, c.nfr
	return c.hasBT[btCP] && b == N && ((ssio && (s == 1 || s == N)) || (!ssio && m.hi() > 1 && s <= m.hi()))
}
