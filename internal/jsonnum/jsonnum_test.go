package jsonnum

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPow10TableMatchesGo compares the computed powers of ten with the table of Go's own
// Eisel-Lemire implementation, when the Go source is at hand.
func TestPow10TableMatchesGo(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(runtime.GOROOT(), "src", "internal", "strconv", "pow10tab.go"))
	if err != nil {
		t.Skipf("Go's table is not here: %v", err)
	}
	if !strings.Contains(string(src), "pow10Tab = [...]uint128{") {
		// Go 1.27's strconv keeps its powers of ten in another form (for its own
		// algorithm); only the truncated 128-bit mantissas of Go 1.26 compare with ours.
		t.Skip("Go's table holds another representation in this release")
	}
	rows := regexp.MustCompile(`\{(0x[0-9a-f]+), (0x[0-9a-f]+)\}, // 1e(-?\d+) `).FindAllStringSubmatch(string(src), -1)
	require.Len(t, rows, pow10Max-pow10Min+1)
	tab := pow10Table()
	for _, r := range rows {
		hi, _ := strconv.ParseUint(r[1], 0, 64)
		lo, _ := strconv.ParseUint(r[2], 0, 64)
		e, _ := strconv.Atoi(r[3])
		require.Equal(t, uint128{hi, lo}, tab[e-pow10Min], "1e%d", e)
	}
}

// numberStrings are decimal strings chosen to exercise every path: exact products,
// Eisel-Lemire, its declined halfway cases, more than 19 digits, subnormals and the
// edges of the float64 range.
func numberStrings(rng *rand.Rand, n int) []string {
	out := []string{"0", "-0", "0.0", "-0.0e-5", "1", "-1", "0e5", "1E+2", "1e-2", "12.5E3",
		"9007199254740992", "9007199254740993", "9007199254740995", "18446744073709551615", "18446744073709551616",
		"1234567890123456789", "12345678901234567890", "1234567890123456789012345678901234567890",
		"0.0000000000000000000000001", "0.1", "0.3", "2.2250738585072011e-308", "2.2250738585072014e-308",
		"4.9e-324", "5e-324", "2.4703282292062327e-324", "2.4703282292062328e-324", "1e-400", "-1e-400",
		"1.7976931348623157e308", "1.7976931348623158e308", "179769313486231570000000000000000000000e270",
		"8.98846567431158e307", "1e22", "1e23", "123456789e-22", "9999999999999999999e-20",
		"0.1000000000000000055511151231257827021181583404541015625", // 0.1 exactly
		"1.00000000000000011102230246251565404236316680908203125",   // halfway 1 and the next
		"1.00000000000000011102230246251565404236316680908203124", "1.00000000000000011102230246251565404236316680908203126",
		"7.2057594037927933e16", "-76.02663273509021", "-0.43953940478534337", "1e00000000000000000000000001",
		"0.000000000000000000000000000000000000000000001e45"}
	for len(out) < n {
		switch rng.Intn(4) {
		case 0: // a float64 printed shortest
			x := math.Float64frombits(rng.Uint64())
			if !math.IsNaN(x) && !math.IsInf(x, 0) {
				out = append(out, strconv.FormatFloat(x, 'g', -1, 64), strconv.FormatFloat(x, 'e', 16, 64))
			}
		case 1: // a gradient element
			out = append(out, strconv.FormatFloat((rng.Float64()-0.5)*math.Pow(10, float64(rng.Intn(12)-8)), 'f', -1, 64))
		case 2: // random digits, 1 to 30 of them, a random exponent
			var b strings.Builder
			if rng.Intn(2) == 0 {
				b.WriteByte('-')
			}
			b.WriteByte(byte('1' + rng.Intn(9)))
			for k := rng.Intn(30); k > 0; k-- {
				b.WriteByte(byte('0' + rng.Intn(10)))
			}
			fmt.Fprintf(&b, "e%d", rng.Intn(700)-350)
			out = append(out, b.String())
		case 3: // halfway between two float64s, written out
			x := math.Float64frombits(rng.Uint64() &^ (1 << 63))
			if x > 0 && !math.IsInf(x, 0) && !math.IsNaN(x) {
				next := math.Nextafter(x, math.Inf(1))
				if !math.IsInf(next, 0) {
					mid := bigFloat{}.mid(x, next)
					out = append(out, mid)
				}
			}
		}
	}
	return out
}

// TestParseMatchesStrconv: every number reads back bit for bit as strconv.ParseFloat
// reads it, with the same range errors.
func TestParseMatchesStrconv(t *testing.T) {
	for _, s := range numberStrings(rand.New(rand.NewSource(11)), 400000) {
		want, werr := strconv.ParseFloat(s, 64)
		got, end, err := Parse([]byte(s+","), 0)
		require.Equal(t, len(s), end, "%s", s)
		if werr != nil || math.IsInf(want, 0) {
			require.ErrorIs(t, err, ErrRange, "%s", s)
			continue
		}
		require.NoError(t, err, "%s", s)
		require.Equal(t, math.Float64bits(want), math.Float64bits(got), "%s: got %v, strconv %v", s, got, want)
	}
}

func TestParseSyntax(t *testing.T) {
	cases := []struct {
		in  string
		end int // -1: not a number
	}{
		{"", -1}, {"-", -1}, {"+1", -1}, {".5", -1}, {"1.", -1}, {"1.e5", -1}, {"1e", -1}, {"1e+", -1},
		{"NaN", -1}, {"Infinity", -1}, {"-Infinity", -1}, {"0x10", 1}, {"01", 1}, {"-01", 2},
		{"1_000", 1}, {"12 ", 2}, {"3]", 1}, {"1.5e3,", 5}, {"\"1\"", -1},
	}
	for _, c := range cases {
		_, end, err := Parse([]byte(c.in), 0)
		assert.Equal(t, c.end, end, "%q", c.in)
		assert.NoError(t, err, "%q", c.in)
	}
	_, end, err := Parse([]byte("[1e999]"), 1)
	assert.Equal(t, 6, end)
	assert.ErrorIs(t, err, ErrRange)
}

// TestAppendMatchesEncodingJSON checks Append against encoding/json over the magnitudes
// where its format changes (1e-6 and 1e21), subnormals, signed zeros and random bits.
func TestAppendMatchesEncodingJSON(t *testing.T) {
	xs := []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1e-6, 9.99999e-7, 1e-7, 1e20, 1e21, 9.999999999999999e20,
		1.5e-300, 5e-324, math.MaxFloat64, -math.SmallestNonzeroFloat64, -76.02663273509021, 123456789012345680}
	rng := rand.New(rand.NewSource(7))
	for len(xs) < 20000 {
		if x := math.Float64frombits(rng.Uint64()); !math.IsNaN(x) && !math.IsInf(x, 0) {
			xs = append(xs, x)
		}
		xs = append(xs, (rng.Float64()-0.5)*math.Pow(10, float64(rng.Intn(60)-30)))
	}
	for _, x := range xs {
		want, err := json.Marshal(x)
		require.NoError(t, err)
		got, err := Append([]byte("x"), x)
		require.NoError(t, err)
		require.Equal(t, "x"+string(want), string(got), "%v", x)
		back, end, err := Parse(got, 1)
		require.NoError(t, err)
		require.Equal(t, len(got), end)
		require.Equal(t, math.Float64bits(x), math.Float64bits(back), "round trip of %v", x)
	}
	for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		_, err := Append(nil, x)
		var unsupported *json.UnsupportedValueError
		assert.True(t, errors.As(err, &unsupported), "%v: %v", x, err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range numberStrings(rand.New(rand.NewSource(1)), 200) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		x, end, err := Parse([]byte(s), 0)
		if end < 0 {
			return
		}
		text := s[:end]
		if err == nil {
			var v any
			require.NoError(t, json.Unmarshal([]byte(text), &v), "%q: read %q, which is not JSON", s, text)
		}
		want, werr := strconv.ParseFloat(text, 64)
		if werr != nil || math.IsInf(want, 0) {
			require.ErrorIs(t, err, ErrRange, "%q", text)
			return
		}
		require.NoError(t, err, "%q", text)
		require.Equal(t, math.Float64bits(want), math.Float64bits(x), "%q: got %v, strconv %v", text, x, want)
	})
}

var sink float64

func BenchmarkParse(b *testing.B) {
	var data []byte
	rng := rand.New(rand.NewSource(5))
	for range 1000 {
		data = strconv.AppendFloat(data, rng.Float64()-0.5, 'f', -1, 64)
		data = append(data, ',')
	}
	b.SetBytes(int64(len(data)))
	b.Run("jsonnum", func(b *testing.B) {
		for b.Loop() {
			for i := 0; i < len(data); i++ {
				x, end, _ := Parse(data, i)
				sink += x
				i = end
			}
		}
	})
	b.Run("strconv", func(b *testing.B) {
		for b.Loop() {
			start := 0
			for i, c := range data {
				if c == ',' {
					x, _ := strconv.ParseFloat(string(data[start:i]), 64)
					sink += x
					start = i + 1
				}
			}
		}
	})
}

// bigFloat writes midpoints between float64s as exact decimals.
type bigFloat struct{}

// mid is the exact decimal halfway between x and next.
func (bigFloat) mid(x, next float64) string {
	a := new(big.Float).SetPrec(200).SetFloat64(x)
	a.Add(a, new(big.Float).SetPrec(200).SetFloat64(next))
	a.Quo(a, big.NewFloat(2))
	s := a.Text('e', 800)
	mant, exp, _ := strings.Cut(s, "e")
	return strings.TrimRight(strings.TrimRight(mant, "0"), ".") + "e" + exp
}
