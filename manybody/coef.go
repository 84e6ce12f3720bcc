package manybody

import (
	"math/big"

	"github.com/qcmb-go/qcmb/qcschema"
)

// coefficients hold, for every plan task, the weight its property carries into every
// (bsse type, n-body) entry of the body dicts and into the returned value. All of
// QCManyBody's assembly (per-level sums, binomial n-body formulas, counterpoise monomer
// correction, VMFC alternating sums, multilevel differences, supersystem correction) is
// linear in the task results, so each output is one weighted sum over tasks.
//
// The weights depend only on the task's model chemistry, number of real fragments and
// number of basis fragments (a "pattern"), so they are stored once per pattern.
type coefficients struct {
	bts     []qcschema.BsseType
	bodyN   []int // n-body keys of every body dict, ascending
	nkeys   int   // len(bts)*len(bodyN) + 1
	retKey  int   // index of the returned value
	rows    [][]float64
	taskPat []int32
	// per pattern, the keys with a non-zero weight
	patNZ [][]keyWeight
}

type keyWeight struct {
	key int
	w   float64
}

func (co *coefficients) key(bi, j int) int { return bi*len(co.bodyN) + j }

// symbolic linear forms over per-model-chemistry sums.
type symTable struct {
	N, stride int
}

func (s symTable) cp(m, k int) int   { return m*s.stride + k }
func (s symTable) nocp(m, k int) int { return m*s.stride + (s.N + 1) + k }
func (s symTable) vmfc(m, k int) int { return m*s.stride + 2*(s.N+1) + k }
func (s symTable) mono(m int) int    { return m*s.stride + 3*(s.N+1) }

func binomFloat(n, k int) float64 {
	if k < 0 || n < 0 || k > n {
		return 0
	}
	f, _ := new(big.Float).SetInt(new(big.Int).Binomial(int64(n), int64(k))).Float64()
	return f
}

func (c *Core) coefs() *coefficients {
	c.coefOnce.Do(c.buildCoefs)
	return c.coef
}

func (c *Core) buildCoefs() {
	if c.screened {
		c.buildScreenedCoefs()
		return
	}
	plan := c.Plan()
	N := c.nfr
	nmc := len(c.mcs)
	st := symTable{N: N, stride: 3*(N+1) + 1}
	full := nmc * st.stride
	nsym := full + 1
	newForm := func() []float64 { return make([]float64, nsym) }
	addTo := func(dst, src []float64, w float64) {
		for i, x := range src {
			if x != 0 {
				dst[i] += w * x
			}
		}
	}
	sign := func(p int) float64 {
		if p%2 == 0 {
			return 1
		}
		return -1
	}
	// nocpBody returns the NOCP n-body form of QCManyBody's assembly for level nb.
	nocpBody := func(m, nb int) []float64 {
		f := newForm()
		if nb == N {
			f[st.nocp(m, N)] = 1
			return f
		}
		for k := 1; k <= nb; k++ {
			f[st.nocp(m, k)] += binomFloat(N-k-1, nb-k) * sign(nb-k)
		}
		return f
	}
	retBT := c.bsse[0]
	nbt := len(c.bsse)
	contrib := make([]map[int][]float64, nbt)
	for i := range contrib {
		contrib[i] = map[int][]float64{}
	}
	ret := newForm()
	for mi := range c.mcs {
		m := &c.mcs[mi]
		if m.ss {
			continue
		}
		hi := m.hi()
		for bi, bt := range c.bsse {
			body := make([][]float64, hi+1)
			switch bt {
			case qcschema.BsseNoCP:
				for nb := 1; nb <= hi; nb++ {
					body[nb] = nocpBody(mi, nb)
				}
			case qcschema.BsseCP:
				bsse := newForm()
				bsse[st.cp(mi, 1)] = 1
				bsse[st.mono(mi)] = -1
				for nb := 1; nb <= hi; nb++ {
					f := newForm()
					switch {
					case nb == 1:
						f[st.mono(mi)] = 1
					case nb == N:
						f[st.cp(mi, N)] = 1
						addTo(f, bsse, -1)
					default:
						for k := 1; k <= nb; k++ {
							f[st.cp(mi, k)] += binomFloat(N-k-1, nb-k) * sign(nb-k)
						}
						addTo(f, bsse, -1)
					}
					body[nb] = f
				}
			case qcschema.BsseVMFC:
				for nb := 1; nb <= hi; nb++ {
					f := newForm()
					if m.has(nb) {
						for k := 1; k <= nb; k++ {
							f[st.vmfc(mi, k)] = 1
						}
					}
					body[nb] = f
				}
			}
			for _, n := range m.nbodies {
				f := newForm()
				addTo(f, body[n], 1)
				if n > 1 {
					addTo(f, body[n-1], -1)
				}
				contrib[bi][n] = f
				if bt == retBT {
					addTo(ret, f, 1)
				}
			}
		}
	}
	if c.ssIndex >= 0 {
		diff := newForm()
		diff[full] = 1
		addTo(diff, nocpBody(c.ssIndex, c.maxNB), -1)
		for bi := range c.bsse {
			contrib[bi][N] = diff
		}
		addTo(ret, diff, 1)
	}
	var bodyN []int
	for n := 1; n <= N; n++ {
		if _, ok := contrib[0][n]; ok {
			bodyN = append(bodyN, n)
		}
	}
	co := &coefficients{bts: append([]qcschema.BsseType(nil), c.bsse...), bodyN: bodyN}
	co.nkeys = nbt*len(bodyN) + 1
	co.retKey = co.nkeys - 1
	forms := make([][]float64, co.nkeys)
	for bi := range c.bsse {
		acc := newForm()
		for j, n := range bodyN {
			addTo(acc, contrib[bi][n], 1)
			forms[co.key(bi, j)] = append([]float64(nil), acc...)
		}
	}
	if !c.kw.ReturnTotalData {
		addTo(ret, forms[co.key(0, 0)], -1) // bodyN[0] == 1
	}
	forms[co.retKey] = ret

	// Patterns (model chemistry, #real, #basis) -> weights.
	type member struct {
		sym int
		w   float64
	}
	ssio := c.kw.SupersystemIEOnly
	rtd := c.kw.ReturnTotalData
	membership := func(mi, s, b int) []member {
		m := &c.mcs[mi]
		var out []member
		own := s == b
		if m.ss {
			if own && s <= c.maxNB {
				out = append(out, member{st.nocp(mi, s), 1})
			}
			if own && s == 1 {
				out = append(out, member{st.mono(mi), 1})
			}
			if own && s == N {
				out = append(out, member{full, 1})
			}
			return out
		}
		lo, hi := m.lo(), m.hi()
		if c.hasBT[btCP] && b == N {
			if (ssio && (s == 1 || s == N)) || (!ssio && hi > 1 && s <= hi) {
				out = append(out, member{st.cp(mi, s), 1})
			}
		}
		if own {
			inNoCP := c.hasBT[btNoCP] && ((ssio && (s == 1 || s == N)) || (!ssio && s <= hi))
			if inNoCP || (rtd && lo == 1 && s == 1) {
				out = append(out, member{st.nocp(mi, s), 1})
			}
			if s == 1 && lo == 1 && ((c.hasBT[btNoCP] && !ssio) || rtd) {
				out = append(out, member{st.mono(mi), 1})
			}
		}
		if c.hasBT[btVMFC] && m.has(b) {
			out = append(out, member{st.vmfc(mi, b), sign(b - s)})
		}
		return out
	}
	mcIdx := make(map[string]int, nmc)
	for i := range c.mcs {
		mcIdx[c.mcs[i].name] = i
	}
	patIdx := map[[3]int]int32{}
	co.taskPat = make([]int32, len(plan.Tasks))
	for ti, t := range plan.Tasks {
		k := [3]int{mcIdx[t.MC], len(t.Real), len(t.Basis)}
		p, ok := patIdx[k]
		if !ok {
			row := make([]float64, co.nkeys)
			for _, mb := range membership(k[0], k[1], k[2]) {
				for key := range row {
					row[key] += mb.w * forms[key][mb.sym]
				}
			}
			p = int32(len(co.rows))
			co.rows = append(co.rows, row)
			patIdx[k] = p
		}
		co.taskPat[ti] = p
	}
	co.patNZ = make([][]keyWeight, len(co.rows))
	for p, row := range co.rows {
		for key, w := range row {
			if w != 0 {
				co.patNZ[p] = append(co.patNZ[p], keyWeight{key, w})
			}
		}
	}
	c.coef = co
}
