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
//
// It reads the number in one pass, in the grammar's order: the sign, the integer part,
// the fraction and the exponent, gathering the significant digits as it goes; then it
// converts them, exactly and fast when it can, by strconv when it cannot.
func Parse(data []byte, i int) (x float64, end int, err error) {
	start := i
	neg := i < len(data) && data[i] == '-'
	if neg {
		i++
	}
	// The integer part: a lone 0, or a digit 1-9 and more digits.
	var d decimal
	switch {
	case i >= len(data) || data[i] < '0' || data[i] > '9':
		return 0, -1, nil
	case data[i] == '0':
		i++
	default:
		d, i = d.integer(data, i)
	}
	// The fraction: a point and at least one digit.
	if i < len(data) && data[i] == '.' {
		if d, i = d.fraction(data, i+1); i < 0 {
			return 0, -1, nil
		}
	}
	// The exponent: 'e' or 'E', an optional sign and at least one digit.
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		expNeg := i < len(data) && data[i] == '-'
		if expNeg || i < len(data) && data[i] == '+' {
			i++
		}
		var e int
		if e, i = exponent(data, i); i < 0 {
			return 0, -1, nil
		}
		if expNeg {
			e = -e
		}
		d.exp10 += e
	}
	// The value: man * 10^exp10 rounded once, or the whole text to strconv.
	if !d.inexact {
		if x, ok := convert(d.man, d.exp10, neg); ok {
			return x, i, nil
		}
	}
	x, err = parseExact(data[start:i])
	return x, i, err
}

// decimal is the significant digits of a number as Parse reads them: the first 19 fit a
// uint64 exactly and make man; later ones only scale the value (integer part) or are
// dropped (fraction), and any nonzero one dropped makes the mantissa inexact, which
// leaves the conversion to strconv. The value read so far is man * 10^exp10.
//
// Its readers, integer, fraction and exponent, are small enough for the compiler to
// inline into Parse (go build -gcflags=-m says so); a call per number costs Parse about
// 5 %. They test digits as c >= '0' && c <= '9': the one unsigned comparison c-'0' < 10
// made Parse about 9 % slower.
type decimal struct {
	man     uint64
	nd      int // significant digits in man
	exp10   int
	inexact bool
}

// maxDigits is the most decimal digits that always fit a uint64.
const maxDigits = 19

// integer reads the digits of an integer part that starts with a digit 1-9 at data[i]
// and returns the digits with them and the index past them.
func (d decimal) integer(data []byte, i int) (decimal, int) {
	for ; i < len(data) && data[i] >= '0' && data[i] <= '9'; i++ {
		if d.nd < maxDigits {
			d.man = d.man*10 + uint64(data[i]-'0')
			d.nd++ // the first digit is not 0: every one counts
		} else {
			d.inexact = d.inexact || data[i] != '0'
			d.exp10++
		}
	}
	return d, i
}

// fraction reads the digits after a decimal point, from data[i], and returns the digits
// with them and the index past them; -1 when there are none.
func (d decimal) fraction(data []byte, i int) (decimal, int) {
	first := i
	for ; i < len(data) && data[i] >= '0' && data[i] <= '9'; i++ {
		if d.nd < maxDigits {
			d.man = d.man*10 + uint64(data[i]-'0')
			if d.man != 0 { // leading zeros of a fraction are not significant
				d.nd++
			}
			d.exp10--
		} else {
			d.inexact = d.inexact || data[i] != '0'
		}
	}
	if i == first {
		return d, -1
	}
	return d, i
}

// exponent reads the digits of an exponent, from data[i], and returns their value,
// saturated far past any float64's, and the index past them; -1 when there are none.
// (Its sign is read by Parse: with it, this would be too long to inline.)
func exponent(data []byte, i int) (e, end int) {
	first := i
	for ; i < len(data) && data[i] >= '0' && data[i] <= '9'; i++ {
		if e < 1<<20 { // saturate rather than overflow
			e = e*10 + int(data[i]-'0')
		}
	}
	if i == first {
		return 0, -1
	}
	return e, i
}

// parseExact converts the bytes of a valid JSON number that Eisel-Lemire declines, by
// strconv; the only error left is range.
func parseExact(text []byte) (float64, error) {
	// The string shares the bytes and does not outlive the call.
	x, err := strconv.ParseFloat(unsafe.String(&text[0], len(text)), 64)
	if err != nil || math.IsInf(x, 0) {
		return x, ErrRange
	}
	return x, nil
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
