package hf

import (
	"fmt"
	"testing"
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
