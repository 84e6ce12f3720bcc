package jsonnum

import (
	"math/big"
	"sync"
)

// The powers of ten that Eisel-Lemire multiplies by, 10^e for e in [pow10Min, pow10Max],
// each as the 128-bit truncation of its binary significand (top bit set). They are
// computed exactly with math/big on first use rather than written out as a table.
const (
	pow10Min = -348
	pow10Max = 347
)

// uint128 is a 128-bit significand.
type uint128 struct{ hi, lo uint64 }

var pow10Table = sync.OnceValue(func() []uint128 {
	tab := make([]uint128, pow10Max-pow10Min+1)
	one, ten := big.NewInt(1), big.NewInt(10)
	mask64 := new(big.Int).SetUint64(1<<64 - 1)
	var m, hi, lo big.Int
	set := func(e int, m *big.Int) {
		tab[e-pow10Min] = uint128{hi: hi.Rsh(m, 64).Uint64(), lo: lo.And(m, mask64).Uint64()}
	}
	p := big.NewInt(1) // 10^e
	for e := 0; e <= pow10Max; e++ {
		if l := p.BitLen(); l <= 128 {
			m.Lsh(p, uint(128-l))
		} else {
			m.Rsh(p, uint(l-128))
		}
		set(e, &m)
		p.Mul(p, ten)
	}
	p.SetInt64(10) // 10^-e
	for e := -1; e >= pow10Min; e-- {
		// floor(2^(127+l) / 10^-e) for 10^-e of l bits lies in (2^127, 2^128).
		m.Lsh(one, uint(127+p.BitLen()))
		m.Quo(&m, p)
		set(e, &m)
		p.Mul(p, ten)
	}
	return tab
})
