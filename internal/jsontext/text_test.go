package jsontext

import (
	"encoding/json"
	"math/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNextStructural: the fast scan finds the same structural byte as a byte-by-byte one,
// on sparse and dense data, at and across the edges of its look-ahead and window.
func TestNextStructural(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	naive := func(data []byte, j int) int {
		for ; j < len(data); j++ {
			if structural[data[j]] {
				return j
			}
		}
		return len(data)
	}
	alphabet := []byte(`0123456789.,-e "[]{}:`)
	for trial := 0; trial < 3000; trial++ {
		n := rng.Intn(200000)
		data := make([]byte, n)
		density := []float64{0, 1e-5, 1e-3, 0.1, 0.5}[trial%5]
		for i := range data {
			if rng.Float64() < density {
				data[i] = alphabet[11+rng.Intn(len(alphabet)-11)]
			} else {
				data[i] = alphabet[rng.Intn(11)]
			}
		}
		for k := 0; k < 20; k++ {
			j := 0
			if n > 0 {
				j = rng.Intn(n + 1)
			}
			require.Equal(t, naive(data, j), nextStructural(data, j), "trial %d (n %d, density %g) from %d", trial, n, density, j)
		}
	}
}

// TestValueEnd: the end of each kind of value, with brackets inside strings and escapes.
func TestValueEnd(t *testing.T) {
	cases := []struct {
		in  string
		end int // -1: an error
	}{
		{`[1, 2, [3, 4]], 5`, 14},
		{`{"a": "]}", "b\"]": [{}]} x`, 25},
		{`"a\"b" rest`, 6},
		{`-1.5e3, 2`, 6},
		{`[1, 2`, -1},
		{`"abc`, -1},
	}
	for _, c := range cases {
		end, err := ValueEnd([]byte(c.in), 0)
		if c.end < 0 {
			assert.Error(t, err, "%q", c.in)
			continue
		}
		assert.NoError(t, err, "%q", c.in)
		assert.Equal(t, c.end, end, "%q", c.in)
	}
}

// TestNumberEnd: exactly the JSON numbers are read whole.
func TestNumberEnd(t *testing.T) {
	for _, c := range []struct {
		text string
		ok   bool
	}{
		{"0", true}, {"-0", true}, {"12", true}, {"1.5", true}, {"-1.5e10", true}, {"1E+3", true}, {"0.0e-0", true},
		{"", false}, {"-", false}, {"01", false}, {"1.", false}, {".5", false}, {"+1", false}, {"1e", false},
		{"1e+", false}, {"1-2", false}, {"--1", false}, {"1.2.3", false},
	} {
		require.Equal(t, c.ok, NumberEnd([]byte(c.text), 0) == len(c.text), c.text)
		require.Equal(t, json.Valid([]byte(c.text)), NumberEnd([]byte(c.text), 0) == len(c.text), "agrees with encoding/json: %q", c.text)
	}
}

// TestValueEndDepth: ValueEnd passes over values nested MaxDepth levels deep and refuses
// deeper ones with a *DepthError saying where, without recursion.
func TestValueEndDepth(t *testing.T) {
	ok := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	end, err := ValueEnd([]byte(ok), 0)
	require.NoError(t, err, "ValueEnd of %d levels", MaxDepth)
	require.Equal(t, len(ok), end, "ValueEnd of %d levels", MaxDepth)
	deep := `{"a": ` + strings.Repeat("[", 1_000_000) + strings.Repeat("]", 1_000_000) + `}`
	_, err = ValueEnd([]byte(deep), 0)
	var de *DepthError
	require.ErrorAs(t, err, &de, "ValueEnd of a million levels")
	require.Equal(t, 6+MaxDepth-1, de.Offset, "ValueEnd of a million levels: offset")
	assert.EqualError(t, err, "JSON nested deeper than 100 levels (at byte 105)")
}

// TestCheckString: text is valid UTF-8 with every surrogate escape paired.
func TestCheckString(t *testing.T) {
	for _, tc := range []struct {
		raw string
		ok  bool
	}{
		{`plain`, true},
		{`é and \u00e9`, true},
		{`pair \ud83d\ude00`, true},
		{`escaped backslash \\ud800`, true},
		{`lone high \ud800`, false},
		{`lone high then text \ud800x`, false},
		{`high then high \ud800\ud800`, false},
		{`lone low \udc00`, false},
		{"invalid \xff byte", false},
		{"cut \xc3", false},
	} {
		err := CheckString([]byte(tc.raw))
		if tc.ok {
			assert.NoError(t, err, "CheckString(%q)", tc.raw)
		} else {
			assert.ErrorIs(t, err, ErrInvalidString, "CheckString(%q)", tc.raw)
		}
	}
	assert.EqualError(t, CheckStrings([]byte(`{"a": ["ok", "\ud800"]}`)), `the string at byte 13: not text: lone surrogate \ud800 at byte 0`, "CheckStrings")
}
