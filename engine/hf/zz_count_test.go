package hf

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestZZCount(t *testing.T) {
	b, _ := loadBasis("sto-3g")
	sys, _ := newSystem(waterTrimer(), b, nil, true, 1, false)
	qs := sys.uniqueQuartets()
	cnt := map[string][2]int{}
	onec := 0
	for _, q := range qs {
		bra, ket := sys.pairs[q.bra], sys.pairs[q.ket]
		if bra.nab > ket.nab {
			bra, ket = ket, bra
		}
		k := fmt.Sprintf("%d-%d L=%d", bra.nab, ket.nab, bra.L+ket.L)
		c := cnt[k]
		c[0]++
		c[1] += bra.np * ket.np
		cnt[k] = c
		if bra.a.atom == bra.b.atom || ket.a.atom == ket.b.atom {
			onec++
		}
	}
	t.Log(len(qs), onec, cnt, len(sys.bs.shells))
	for _, p := range sys.pairs {
		_ = p
	}
}

func TestZZIter(t *testing.T) {
	var sb strings.Builder
	r, _ := Gradient(bg, waterTrimer(), Options{Method: "hf", Basis: "sto-3g", Log: &sb})
	t.Log(r.Iterations)
	t.Log(sb.String())
}

func TestZZClassTime(t *testing.T) {
	b, _ := loadBasis("sto-3g")
	atoms := waterTrimer()
	set, _, _ := validate(atoms, Options{Method: "hf", Basis: "sto-3g"})
	sys, _ := newSystem(atoms, b, nil, true, 1, false)
	st, _, _ := sys.runSCF(bg, set, nil)
	n := sys.bs.nbf
	dt := make([]float64, n*n)
	for i := range dt {
		dt[i] = st.D[0][i] + st.D[1][i]
	}
	ns := len(sys.bs.shells)
	dmax := make([]float64, ns*ns)
	for i := range dmax {
		dmax[i] = 1
	}
	qs := sys.uniqueQuartets()
	w := newGradWork()
	ew := newERIWork()
	g := make([]float64, 3*len(atoms))
	tm := map[string]time.Duration{}
	te := map[string]time.Duration{}
	buf := make([]float64, 256*256)
	for _, q := range qs {
		bra, ket := sys.pairs[q.bra], sys.pairs[q.ket]
		if bra.nab > ket.nab {
			bra, ket = ket, bra
		}
		k := fmt.Sprintf("%d-%d L=%d", bra.nab, ket.nab, bra.L+ket.L)
		t0 := time.Now()
		for r := 0; r < 50; r++ {
			w.quartet(sys, q, dmax, dt, st.D, g)
		}
		tm[k] += time.Since(t0) / 50
		t0 = time.Now()
		for r := 0; r < 50; r++ {
			ew.quartet(sys.pairs[q.bra], sys.pairs[q.ket], buf)
		}
		te[k] += time.Since(t0) / 50
	}
	t.Log(tm)
	t.Log(te)
}
