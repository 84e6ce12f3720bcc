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
	fb := formBuilder{st: symTable{N: c.nfr, stride: 3*(c.nfr+1) + 1}}
	fb.full = len(c.mcs) * fb.st.stride
	fb.nsym = fb.full + 1
	contrib, ret := c.levelForms(&fb)
	var bodyN []int
	for n := 1; n <= c.nfr; n++ {
		if _, ok := contrib[0][n]; ok {
			bodyN = append(bodyN, n)
		}
	}
	co := &coefficients{bts: append([]qcschema.BsseType(nil), c.bsse...), bodyN: bodyN}
	co.nkeys = len(c.bsse)*len(bodyN) + 1
	co.retKey = co.nkeys - 1
	// The body dicts are cumulative: through n bodies, the contributions of levels <= n.
	forms := make([][]float64, co.nkeys)
	for bi := range c.bsse {
		acc := fb.newForm()
		for j, n := range bodyN {
			fb.addTo(acc, contrib[bi][n], 1)
			forms[co.key(bi, j)] = append([]float64(nil), acc...)
		}
	}
	if !c.kw.ReturnTotalData {
		fb.addTo(ret, forms[co.key(0, 0)], -1) // bodyN[0] == 1
	}
	forms[co.retKey] = ret
	c.coef = c.patternCoefs(co, &fb, forms)
}

// formBuilder makes symbolic linear forms over the per-model-chemistry sums of symTable,
// plus one symbol (full) for the supersystem's whole cluster.
type formBuilder struct {
	st         symTable
	full, nsym int
}

func (fb *formBuilder) newForm() []float64 { return make([]float64, fb.nsym) }

// addTo adds w times src to dst.
func (fb *formBuilder) addTo(dst, src []float64, w float64) {
	for i, x := range src {
		if x != 0 {
			dst[i] += w * x
		}
	}
}

func sign(p int) float64 {
	if p%2 == 0 {
		return 1
	}
	return -1
}

// nocpBody is the NOCP n-body form of QCManyBody's assembly for level nb of model
// chemistry m.
func (fb *formBuilder) nocpBody(m, nb int) []float64 {
	N, st := fb.st.N, fb.st
	f := fb.newForm()
	if nb == N {
		f[st.nocp(m, N)] = 1
		return f
	}
	for k := 1; k <= nb; k++ {
		f[st.nocp(m, k)] += binomFloat(N-k-1, nb-k) * sign(nb-k)
	}
	return f
}

// cpBodies are the CP n-body forms of model chemistry m for levels 1..hi, with the
// counterpoise monomer correction.
func (fb *formBuilder) cpBodies(m, hi int) [][]float64 {
	N, st := fb.st.N, fb.st
	bsse := fb.newForm()
	bsse[st.cp(m, 1)] = 1
	bsse[st.mono(m)] = -1
	body := make([][]float64, hi+1)
	for nb := 1; nb <= hi; nb++ {
		f := fb.newForm()
		switch {
		case nb == 1:
			f[st.mono(m)] = 1
		case nb == N:
			f[st.cp(m, N)] = 1
			fb.addTo(f, bsse, -1)
		default:
			for k := 1; k <= nb; k++ {
				f[st.cp(m, k)] += binomFloat(N-k-1, nb-k) * sign(nb-k)
			}
			fb.addTo(f, bsse, -1)
		}
		body[nb] = f
	}
	return body
}

// bodies are the n-body forms of treatment bt for levels 1..hi of model chemistry m.
func (fb *formBuilder) bodies(bt qcschema.BsseType, mi int, m *mcLevel) [][]float64 {
	hi := m.hi()
	switch bt {
	case qcschema.BsseCP:
		return fb.cpBodies(mi, hi)
	case qcschema.BsseVMFC:
		body := make([][]float64, hi+1)
		for nb := 1; nb <= hi; nb++ {
			f := fb.newForm()
			if m.has(nb) {
				for k := 1; k <= nb; k++ {
					f[fb.st.vmfc(mi, k)] = 1
				}
			}
			body[nb] = f
		}
		return body
	}
	body := make([][]float64, hi+1)
	for nb := 1; nb <= hi; nb++ {
		body[nb] = fb.nocpBody(mi, nb)
	}
	return body
}

// levelForms returns, per treatment and n-body level, the form of that level's
// contribution (from the model chemistry of the level, a supersystem correcting the
// highest), and the form of the returned value (total data).
func (c *Core) levelForms(fb *formBuilder) (contrib []map[int][]float64, ret []float64) {
	contrib = make([]map[int][]float64, len(c.bsse))
	for i := range contrib {
		contrib[i] = map[int][]float64{}
	}
	ret = fb.newForm()
	for mi := range c.mcs {
		m := &c.mcs[mi]
		if m.ss {
			continue
		}
		for bi, bt := range c.bsse {
			body := fb.bodies(bt, mi, m)
			for _, n := range m.nbodies {
				f := fb.newForm()
				fb.addTo(f, body[n], 1)
				if n > 1 {
					fb.addTo(f, body[n-1], -1)
				}
				contrib[bi][n] = f
				if bi == 0 {
					fb.addTo(ret, f, 1)
				}
			}
		}
	}
	if c.ssIndex >= 0 {
		diff := fb.newForm()
		diff[fb.full] = 1
		fb.addTo(diff, fb.nocpBody(c.ssIndex, c.maxNB), -1)
		for bi := range c.bsse {
			contrib[bi][c.nfr] = diff
		}
		fb.addTo(ret, diff, 1)
	}
	return contrib, ret
}

// symbolWeight is a sum of symTable a task's result enters, with its weight.
type symbolWeight struct {
	sym int
	w   float64
}

// membership lists the sums a task of model chemistry mi with s real and b basis
// fragments enters, as QCManyBody's compute lists hold it.
func (c *Core) membership(fb *formBuilder, mi, s, b int) []symbolWeight {
	st := fb.st
	m := &c.mcs[mi]
	if m.ss {
		return c.supersystemMembership(fb, mi, s, b)
	}
	var out []symbolWeight
	if c.inCPList(m, s, b) {
		out = append(out, symbolWeight{st.cp(mi, s), 1})
	}
	if c.inNoCPList(m, s, b) {
		out = append(out, symbolWeight{st.nocp(mi, s), 1})
	}
	if s == b && s == 1 && m.lo() == 1 && ((c.hasBT[btNoCP] && !c.kw.SupersystemIEOnly) || c.kw.ReturnTotalData) {
		out = append(out, symbolWeight{st.mono(mi), 1})
	}
	if c.hasBT[btVMFC] && m.has(b) {
		out = append(out, symbolWeight{st.vmfc(mi, b), sign(b - s)})
	}
	return out
}

// supersystemMembership is membership for the supersystem model chemistry mi: its nocp
// expansion through max_nbody, its monomers and the whole cluster.
func (c *Core) supersystemMembership(fb *formBuilder, mi, s, b int) []symbolWeight {
	if s != b {
		return nil
	}
	var out []symbolWeight
	if s <= c.maxNB {
		out = append(out, symbolWeight{fb.st.nocp(mi, s), 1})
	}
	if s == 1 {
		out = append(out, symbolWeight{fb.st.mono(mi), 1})
	}
	if s == c.nfr {
		out = append(out, symbolWeight{fb.full, 1})
	}
	return out
}

// patternCoefs fills the weights of co from the forms of its keys: each task pattern
// (model chemistry, #real, #basis) carries, into each key, the sum over the symbols it
// enters of its weight times the key's coefficient of that symbol.
func (c *Core) patternCoefs(co *coefficients, fb *formBuilder, forms [][]float64) *coefficients {
	plan := c.Plan()
	mcIdx := make(map[string]int, len(c.mcs))
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
			for _, mb := range c.membership(fb, k[0], k[1], k[2]) {
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
	co.indexNonZero()
	return co
}

// indexNonZero lists, per pattern, the keys with a non-zero weight.
func (co *coefficients) indexNonZero() {
	co.patNZ = make([][]keyWeight, len(co.rows))
	for p, row := range co.rows {
		for key, w := range row {
			if w != 0 {
				co.patNZ[p] = append(co.patNZ[p], keyWeight{key, w})
			}
		}
	}
}
