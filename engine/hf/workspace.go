package hf

import "sync"

// workspace holds the large scratch memory of one calculation: the stored
// integrals and Boys function values, the shell-pair coefficient arrays,
// the unique quartet list, the per-goroutine integral work buffers and the
// SCF matrices.
//
// It exists because of the garbage collector: a small single point
// allocates megabytes that live only for the calculation, and when many
// calculations run at once (a many-body expansion runs one per core) the
// collector, not the integrals, becomes the bottleneck. Workspaces are
// therefore recycled through wsPool. Every slice handed out is zeroed, so
// reuse cannot change results, and nothing returned to callers (Result,
// scfState) may point into a workspace: it is released when compute
// returns.
//
// A nil *workspace is valid and allocates fresh memory (used by the
// atomic guess and by tests).
type workspace struct {
	f64      arena[float64]
	i32      arena[int32]
	v3       arena[[3]float64]
	prims    []pairPrim // scratch of newShellPair
	cps      []cartPair // scratch of newShellPair
	pairs    []shellPair
	quartets []quartetRec
	eri      []*eriWork
	grad     []*gradWork
}

// maxPooledWorkspace bounds the float64 capacity (about 64 MB) of a
// workspace returned to the pool; larger ones are left to the collector.
const maxPooledWorkspace = 8 << 20

var wsPool = sync.Pool{New: func() any { return new(workspace) }}

func acquireWorkspace() *workspace { return wsPool.Get().(*workspace) }

// release returns ws to the pool; no slice from it may be used afterwards.
func (ws *workspace) release() {
	if ws == nil {
		return
	}
	ws.reset()
	if ws.f64.size() > maxPooledWorkspace {
		return
	}
	wsPool.Put(ws)
}

// reset makes all of ws's memory available again; no slice handed out
// before may be used afterwards.
func (ws *workspace) reset() {
	ws.f64.reset()
	ws.i32.reset()
	ws.v3.reset()
	clear(ws.pairs) // drop references to shells
	ws.pairs = ws.pairs[:0]
	ws.quartets = ws.quartets[:0]
}

// floats returns n zeroed values.
func (ws *workspace) floats(n int) []float64 {
	if ws == nil {
		return make([]float64, n)
	}
	return ws.f64.alloc(n)
}

// ints returns n zeroed int32 values.
func (ws *workspace) ints(n int) []int32 {
	if ws == nil {
		return make([]int32, n)
	}
	return ws.i32.alloc(n)
}

// vec3s returns n zeroed 3-vectors.
func (ws *workspace) vec3s(n int) [][3]float64 {
	if ws == nil {
		return make([][3]float64, n)
	}
	return ws.v3.alloc(n)
}

// primBuf and cartBuf return empty scratch lists with room for n entries,
// valid until the next call.
func (ws *workspace) primBuf(n int) []pairPrim {
	if ws == nil {
		return make([]pairPrim, 0, n)
	}
	if cap(ws.prims) < n {
		ws.prims = make([]pairPrim, 0, n)
	}
	return ws.prims[:0]
}

func (ws *workspace) cartBuf(n int) []cartPair {
	if ws == nil {
		return make([]cartPair, 0, n)
	}
	if cap(ws.cps) < n {
		ws.cps = make([]cartPair, 0, n)
	}
	return ws.cps[:0]
}

// newPairs returns n zeroed shell pairs.
func (ws *workspace) newPairs(n int) []shellPair {
	if ws == nil {
		return make([]shellPair, n)
	}
	if cap(ws.pairs) < n {
		ws.pairs = make([]shellPair, n)
	}
	ws.pairs = ws.pairs[:n]
	clear(ws.pairs)
	return ws.pairs
}

// quartetBuf returns an empty quartet list to append to.
func (ws *workspace) quartetBuf() []quartetRec {
	if ws == nil {
		return nil
	}
	return ws.quartets[:0]
}

// eriWorks returns n integral work buffers, one per goroutine. The
// buffers are scratch: quartet overwrites everything it reads.
func (ws *workspace) eriWorks(n int) []*eriWork {
	if ws == nil {
		return make([]*eriWork, n)
	}
	for len(ws.eri) < n {
		ws.eri = append(ws.eri, newERIWork())
	}
	return ws.eri[:n]
}

// gradWorks returns n gradient work buffers, one per goroutine.
func (ws *workspace) gradWorks(n int) []*gradWork {
	if ws == nil {
		return make([]*gradWork, n)
	}
	for len(ws.grad) < n {
		ws.grad = append(ws.grad, newGradWork())
	}
	return ws.grad[:n]
}

// arena hands out zeroed slices from one slab. Slices live until reset;
// after a reset the slab is sized for everything handed out since the
// previous one, so a repeated calculation allocates nothing.
type arena[T any] struct {
	slab []T
	used int // of slab
	need int // total handed out since reset
}

func (a *arena[T]) alloc(n int) []T {
	a.need += n
	if a.used+n > len(a.slab) {
		// the old slab stays alive through the slices already handed out
		a.slab = make([]T, max(n, 2*len(a.slab), 1024))
		a.used = 0
	}
	s := a.slab[a.used : a.used+n : a.used+n]
	a.used += n
	clear(s)
	return s
}

func (a *arena[T]) reset() {
	if a.need > len(a.slab) {
		a.slab = make([]T, a.need)
	}
	a.used, a.need = 0, 0
}

func (a *arena[T]) size() int { return len(a.slab) }
