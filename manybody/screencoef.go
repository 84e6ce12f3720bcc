package manybody

import (
	"encoding/binary"
	"math"

	"github.com/qcmb-go/qcmb/qcschema"
)

// buildScreenedCoefs computes the weights of a screened expansion. The screened total
// through n bodies is E(n) = sum over kept S with |S| <= n of dE(S), with
// dE(S) = sum over T in S of (-1)^(|S|-|T|) E(T), so a task's weight depends on which of
// its supersets were kept and is computed per task:
//
//   - nocp, level n of the task's model chemistry: E(T) in its own basis carries
//     (-1)^(n-|T|) times the number of kept n-clusters containing T;
//   - vmfc: E(T) in the basis of a kept S carries (-1)^(|S|-|T|) into level |S|;
//   - supersystem: the whole cluster minus the supersystem model chemistry's screened nocp
//     expansion through max_nbody, which corrects everything the expansion leaves out.
//
// Tasks with equal weights share a pattern, as in the unscreened expansion.
func (c *Core) buildScreenedCoefs() {
	plan := c.Plan()
	w := c.newScreenedWeights()
	co := w.co
	co.taskPat = make([]int32, len(plan.Tasks))
	mcIdx := make(map[string]int, len(c.mcs))
	for i := range c.mcs {
		mcIdx[c.mcs[i].name] = i
	}
	patIdx := map[string]int32{}
	var rowKey []byte
	for ti, t := range plan.Tasks {
		row := w.of(&c.mcs[mcIdx[t.MC]], t)
		rowKey = rowKey[:0]
		for _, x := range row {
			rowKey = binary.LittleEndian.AppendUint64(rowKey, math.Float64bits(x))
		}
		p, ok := patIdx[string(rowKey)]
		if !ok {
			p = int32(len(co.rows))
			co.rows = append(co.rows, append([]float64(nil), row...))
			patIdx[string(rowKey)] = p
		}
		co.taskPat[ti] = p
	}
	co.indexNonZero()
	c.coef = co
}

// screenedWeights computes the weights of the tasks of a screened expansion one task at
// a time, reusing its buffers.
type screenedWeights struct {
	c        *Core
	co       *coefficients
	sup      *supersetCounts
	jOf      map[int]int // body-dict n -> position in co.bodyN
	contrib  []float64   // per (bsse, position): the task's weight into that level alone
	weights  []float64   // the task's cumulative weights, one per key
	retExtra float64     // weight into the returned value beyond the body dicts
}

func (c *Core) newScreenedWeights() *screenedWeights {
	N, maxNB := c.nfr, c.maxNB
	bodyN := make([]int, 0, maxNB+1)
	for n := 1; n <= maxNB; n++ {
		bodyN = append(bodyN, n)
	}
	if c.ssIndex >= 0 && N > maxNB {
		bodyN = append(bodyN, N) // a supersystem level is folded in at N bodies
	}
	w := &screenedWeights{c: c, sup: c.scr.supersets(), jOf: make(map[int]int, len(bodyN))}
	for j, n := range bodyN {
		w.jOf[n] = j
	}
	nbt := len(c.bsse)
	co := &coefficients{bts: append([]qcschema.BsseType(nil), c.bsse...), bodyN: bodyN}
	co.nkeys = nbt*len(bodyN) + 1
	co.retKey = co.nkeys - 1
	w.co = co
	w.contrib = make([]float64, nbt*len(bodyN))
	w.weights = make([]float64, co.nkeys)
	return w
}

// of returns the weights of task t of model chemistry m (valid until the next call).
func (w *screenedWeights) of(m *mcLevel, t Task) []float64 {
	c, co := w.c, w.co
	clear(w.contrib)
	w.retExtra = 0
	s := len(t.Real)
	var cnt []int32 // cnt[n]: kept n-clusters containing t.Real
	if s == len(t.Basis) && s <= c.maxNB {
		cnt = w.sup.of(t.Real)
	}
	if m.ss {
		w.supersystem(t, cnt)
	} else {
		w.expansion(m, t, cnt)
	}
	nb := len(co.bodyN)
	for bi := range c.bsse {
		var acc float64
		for j := range co.bodyN {
			acc += w.contrib[bi*nb+j]
			w.weights[co.key(bi, j)] = acc
		}
	}
	w.weights[co.retKey] = w.weights[co.key(0, nb-1)] + w.retExtra
	if !c.kw.ReturnTotalData {
		w.weights[co.retKey] -= w.weights[co.key(0, 0)]
	}
	return w.weights
}

// supersystem puts the weight of a task of the supersystem model chemistry: the whole
// cluster minus its screened nocp expansion through max_nbody, at N bodies.
func (w *screenedWeights) supersystem(t Task, cnt []int32) {
	c := w.c
	s := len(t.Real)
	if s != len(t.Basis) {
		return
	}
	var x float64
	if s == c.nfr {
		x = 1
	}
	for n := s; n <= c.maxNB && cnt != nil; n++ {
		x -= sign(n-s) * float64(cnt[n])
	}
	j := w.jOf[c.nfr]
	for bi := range c.bsse {
		w.contrib[bi*len(w.co.bodyN)+j] += x
	}
}

// expansion puts the weight of a task of an n-body model chemistry m: nocp counts the
// kept clusters of each of m's levels that contain the task's real fragments; vmfc puts
// the task into the level of its basis.
func (w *screenedWeights) expansion(m *mcLevel, t Task, cnt []int32) {
	s, b := len(t.Real), len(t.Basis)
	for bi, bt := range w.c.bsse {
		switch bt {
		case qcschema.BsseNoCP:
			if cnt == nil {
				continue
			}
			for _, n := range m.nbodies {
				if n >= s {
					w.put(bi, n, sign(n-s)*float64(cnt[n]))
				}
			}
		case qcschema.BsseVMFC:
			if m.has(b) {
				w.put(bi, b, sign(b-s))
			}
		}
	}
}

// put adds x to level n of treatment bi. As in QCManyBody, a supersystem level replaces
// the expansion's own N-body contribution in the body dicts when max_nbody is N, but the
// returned value keeps it.
func (w *screenedWeights) put(bi, n int, x float64) {
	c := w.c
	if c.ssIndex >= 0 && n == c.nfr {
		if bi == 0 {
			w.retExtra += x
		}
		return
	}
	w.contrib[bi*len(w.co.bodyN)+w.jOf[n]] += x
}

// supersetCounts holds, for every kept cluster T, how many kept n-clusters contain it,
// for n = 1..maxNB.
type supersetCounts struct {
	maxNB int
	idx   *clusterIndex
	count [][]int32 // per level: (maxNB+1) counts per kept cluster
}

// packCluster appends the 0-indexed fragments of a cluster as 4-byte words.
func packCluster(dst []byte, frags []int32) []byte {
	for _, f := range frags {
		dst = binary.LittleEndian.AppendUint32(dst, uint32(f))
	}
	return dst
}

func (sc *screen) supersets() *supersetCounts {
	maxNB := len(sc.kept) - 1
	w := maxNB + 1
	sp := &supersetCounts{maxNB: maxNB, idx: newClusterIndex(sc), count: make([][]int32, w)}
	for k := 1; k <= maxNB; k++ {
		sp.count[k] = make([]int32, sc.nkept[k]*w)
	}
	sub := make([]int32, 0, maxNB)
	for n := 1; n <= maxNB; n++ {
		flat := sc.kept[n]
		for i := 0; i < sc.nkept[n]; i++ {
			S := flat[i*n : (i+1)*n]
			for mask := 1; mask < 1<<n; mask++ {
				sub = sub[:0]
				for x := 0; x < n; x++ {
					if mask&(1<<x) != 0 {
						sub = append(sub, S[x])
					}
				}
				// Every subcluster of a kept cluster is kept (cutoffs do not increase).
				p, _ := sp.idx.position(sub)
				sp.count[len(sub)][int(p)*w+n]++
			}
		}
	}
	return sp
}

// of returns the counts of the cluster with the given 1-indexed fragments, indexed by
// n-body level, or nil when it was not kept (a supersystem's whole cluster).
func (sp *supersetCounts) of(real []int) []int32 {
	frags := make([]int32, len(real))
	for i, f := range real {
		frags[i] = int32(f - 1)
	}
	w := sp.maxNB + 1
	p, ok := sp.idx.position(frags)
	if !ok {
		return nil
	}
	return sp.count[len(real)][int(p)*w : (int(p)+1)*w]
}
