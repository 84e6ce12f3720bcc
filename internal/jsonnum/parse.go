package jsonnum

import (
	"errors"
	"math"
	"math/bits"
	"strconv"
	"unsafe"
)

// ErrRange is a number whose magnitude is beyond float64.
var ErrRange = errors.New("number out of range")

// Parse reads the JSON number (RFC 8259 grammar, no leading '+', no leading zeros, no
// "NaN") that starts at data[i] and returns its value and the index just past it. end is
// -1 when no number starts there; err is ErrRange when its magnitude is past float64
// (it rounds to an infinity).
func Parse(data []byte, i int) (x float64, end int, err error) {
	start := i
	neg := false
	if i < len(data) && data[i] == '-' {
		neg = true
		i++
	}
	// The first 19 significant digits fit a uint64 exactly; later ones only scale the
	// value (integer part) or are dropped (fraction), and any nonzero one dropped makes
	// the mantissa inexact, which leaves the conversion to strconv.
	var man uint64
	nd, exp10 := 0, 0
	inexact := false
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && data[i] >= '1' && data[i] <= '9':
		for ; i < len(data) && data[i] >= '0' && data[i] <= '9'; i++ {
			if nd < 19 {
				man = man*10 + uint64(data[i]-'0')
				nd++ // the first digit is not 0: every one counts
			} else {
				inexact = inexact || data[i] != '0'
				exp10++
			}
		}
	default:
		return 0, -1, nil
	}
	if i < len(data) && data[i] == '.' {
		i++
		first := i
		for ; i < len(data) && data[i] >= '0' && data[i] <= '9'; i++ {
			if nd < 19 {
				man = man*10 + uint64(data[i]-'0')
				if man != 0 { // leading zeros of a fraction are not significant
					nd++
				}
				exp10--
			} else {
				inexact = inexact || data[i] != '0'
			}
		}
		if i == first {
			return 0, -1, nil
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		expNeg := false
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			expNeg = data[i] == '-'
			i++
		}
		first, e := i, 0
		for ; i < len(data) && data[i] >= '0' && data[i] <= '9'; i++ {
			if e < 1<<20 { // far past any float64; saturate rather than overflow
				e = e*10 + int(data[i]-'0')
			}
		}
		if i == first {
			return 0, -1, nil
		}
		if expNeg {
			e = -e
		}
		exp10 += e
	}
	if !inexact {
		if x, ok := convert(man, exp10, neg); ok {
			return x, i, nil
		}
	}
	text := data[start:i]
	// The bytes are a valid number: the only error left is range. The string shares
	// them and does not outlive the call.
	x, err = strconv.ParseFloat(unsafe.String(&text[0], len(text)), 64)
	if err != nil || math.IsInf(x, 0) {
		return x, i, ErrRange
	}
	return x, i, nil
}

// exactPow10 holds the powers of ten that a float64 represents exactly.
var exactPow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// convert is man * 10^exp10 rounded to the nearest float64, when it can tell.
func convert(man uint64, exp10 int, neg bool) (float64, bool) {
	// Both factors exact in float64: one correctly rounded operation.
	if man < 1<<53 && exp10 >= -22 && exp10 <= 22 {
		x := float64(man)
		if exp10 < 0 {
			x /= exactPow10[-exp10]
		} else {
			x *= exactPow10[exp10]
		}
		if neg {
			x = -x
		}
		return x, true
	}
	return eiselLemire(man, exp10, neg)
}

// eiselLemire converts man * 10^exp10 to the nearest float64, or reports that it cannot
// decide (a halfway case, or a product too close to call with 128 bits) and the caller
// must use an exact method. Sections follow Nigel Tao's description of the algorithm,
// https://nigeltao.github.io/blog/2020/eisel-lemire.html.
func eiselLemire(man uint64, exp10 int, neg bool) (float64, bool) {
	const float64Bias = 1023
	if man == 0 {
		if neg {
			return math.Copysign(0, -1), true
		}
		return 0, true
	}
	if exp10 < pow10Min || exp10 > pow10Max {
		return 0, false
	}
	pow := pow10Table()[exp10-pow10Min]
	// Normalization: the mantissa's top bit set.
	clz := bits.LeadingZeros64(man)
	man <<= uint(clz)
	// floor(log2(10) * exp10) + 64 + bias, less the shift.
	retExp2 := uint64(217706*exp10>>16+64+float64Bias) - uint64(clz)
	// Multiplication by the high half of the power.
	xHi, xLo := bits.Mul64(man, pow.hi)
	// Wider approximation, with the low half, when the high product is too close to call.
	if xHi&0x1FF == 0x1FF && xLo+man < man {
		yHi, yLo := bits.Mul64(man, pow.lo)
		mergedHi, mergedLo := xHi, xLo+yHi
		if mergedLo < xLo {
			mergedHi++
		}
		if mergedHi&0x1FF == 0x1FF && mergedLo+1 == 0 && yLo+man < man {
			return 0, false
		}
		xHi, xLo = mergedHi, mergedLo
	}
	// Shifting to 54 bits.
	msb := xHi >> 63
	retMantissa := xHi >> (msb + 9)
	retExp2 -= 1 ^ msb
	// Half-way ambiguity.
	if xLo == 0 && xHi&0x1FF == 0 && retMantissa&3 == 1 {
		return 0, false
	}
	// From 54 to 53 bits, rounding half to even.
	retMantissa += retMantissa & 1
	retMantissa >>= 1
	if retMantissa>>53 > 0 {
		retMantissa >>= 1
		retExp2++
	}
	// Subnormal (exponent 0 or below) and infinite (0x7FF or above) results are left to
	// the exact method.
	if retExp2-1 >= 0x7FF-1 {
		return 0, false
	}
	retBits := retExp2<<52 | retMantissa&(1<<52-1)
	if neg {
		retBits |= 1 << 63
	}
	return math.Float64frombits(retBits), true
}
