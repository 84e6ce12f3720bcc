package jsontext

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/qcmb-go/qcmb/internal/jsonnum"
)

// Scanner reads JSON values in one pass, straight into Go values: numbers into float64
// slices as they are met (bit for bit as strconv.ParseFloat reads them), with no tree of
// values built first. Component files are nearly all numbers, so this is where reading
// them spends its time. It accepts exactly JSON (RFC 8259); errors give the offset in the
// data. The zero Scanner reads nothing; NewScanner reads data from its start.
type Scanner struct {
	data []byte
	i    int
}

// NewScanner returns a Scanner at the start of data.
func NewScanner(data []byte) Scanner { return Scanner{data: data} }

// Offset is the index of the next byte to read.
func (s *Scanner) Offset() int { return s.i }

func (s *Scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("offset %d: "+format, append([]any{s.i}, args...)...)
}

// SkipSpace passes over white space.
func (s *Scanner) SkipSpace() { s.i = SkipSpace(s.data, s.i) }

// Peek is the next byte after space, 0 at the end.
func (s *Scanner) Peek() byte {
	s.SkipSpace()
	if s.i >= len(s.data) {
		return 0
	}
	return s.data[s.i]
}

// Expect consumes c, the next byte after space, or fails.
func (s *Scanner) Expect(c byte) error {
	if s.Peek() != c {
		if s.i >= len(s.data) {
			return s.errorf("unexpected end of input, want '%c'", c)
		}
		return s.errorf("want '%c', found '%c'", c, s.data[s.i])
	}
	s.i++
	return nil
}

// Literal consumes word (null, true, false) if it comes next.
func (s *Scanner) Literal(word string) bool {
	s.SkipSpace()
	if len(s.data)-s.i >= len(word) && string(s.data[s.i:s.i+len(word)]) == word {
		s.i += len(word)
		return true
	}
	return false
}

// rawString returns the bytes of the string that comes next, quotes excluded, and
// whether it holds escapes (then decode it with Str).
func (s *Scanner) rawString() (raw []byte, escaped bool, err error) {
	if s.Peek() != '"' {
		return nil, false, s.errorf("want a string")
	}
	start := s.i
	for j := start + 1; j < len(s.data); j++ {
		switch c := s.data[j]; {
		case c == '\\':
			escaped = true
			j++
		case c == '"':
			s.i = j + 1
			return s.data[start+1 : j], escaped, nil
		case c < 0x20:
			s.i = j
			return nil, false, s.errorf("control character in string")
		}
	}
	return nil, false, s.errorf("unterminated string")
}

// Str reads a string, which must be text: valid UTF-8 with no lone surrogate escape (see
// CheckString).
func (s *Scanner) Str() (string, error) {
	start := s.i
	raw, escaped, err := s.rawString()
	if err != nil {
		return "", err
	}
	if err := CheckString(raw); err != nil {
		return "", s.errorf("%v", err)
	}
	if !escaped {
		return string(raw), nil
	}
	var out string
	if err := json.Unmarshal(s.data[SkipSpace(s.data, start):s.i], &out); err != nil {
		return "", s.errorf("%v", err)
	}
	return out, nil
}

// Members calls fn with the name of every member of the object that comes next; fn reads
// the value. A name given twice is an error.
func (s *Scanner) Members(fn func(name string) error) error {
	// Objects here have a handful of members, checked against a short list; a longer
	// one (members passed over) moves to a map, so that no object costs quadratic time.
	var seenNames [8]string
	seen := seenNames[:0]
	var seenSet map[string]bool
	return s.Object(func(name string) error {
		dup := seenSet[name]
		for _, n := range seen {
			dup = dup || n == name
		}
		if dup {
			return s.errorf("member %q given twice", name)
		}
		if len(seen) < cap(seen) {
			seen = append(seen, name)
		} else {
			if seenSet == nil {
				seenSet = map[string]bool{}
			}
			seenSet[name] = true
		}
		return fn(name)
	})
}

// Object calls fn with the name of every member of the object that comes next, names
// given twice included; fn reads the value.
func (s *Scanner) Object(fn func(name string) error) error {
	if err := s.Expect('{'); err != nil {
		return err
	}
	if s.Peek() == '}' {
		s.i++
		return nil
	}
	for {
		name, err := s.Str()
		if err != nil {
			return err
		}
		if err := s.Expect(':'); err != nil {
			return err
		}
		if err := fn(name); err != nil {
			return err
		}
		switch s.Peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return s.errorf("want ',' or '}' after member %q", name)
		}
	}
}

// Since returns the data from index start to the next byte to read.
func (s *Scanner) Since(start int) []byte { return s.data[start:s.i] }

// Number reads a number, which must be finite as a float64.
func (s *Scanner) Number() (float64, error) {
	s.SkipSpace()
	x, end, err := jsonnum.Parse(s.data, s.i)
	switch {
	case end < 0 && s.i >= len(s.data):
		return 0, s.errorf("unexpected end of input, want a number")
	case end < 0:
		return 0, s.errorf("want a number, found '%c'", s.data[s.i])
	case err != nil:
		return 0, s.errorf("number %s is out of range", s.data[s.i:end])
	}
	s.i = end
	return x, nil
}

// RawNumber reads a number and returns its text, as it stands in the data.
func (s *Scanner) RawNumber() ([]byte, error) {
	s.SkipSpace()
	end := NumberEnd(s.data, s.i)
	if end < 0 {
		return nil, s.errorf("want a number")
	}
	raw := s.data[s.i:end]
	s.i = end
	return raw, nil
}

// floats appends the numbers of the value that comes next, a number or an array of
// numbers nested to any depth, in row-major order.
func (s *Scanner) floats(dst []float64, depth int) ([]float64, error) {
	if s.Peek() != '[' {
		x, err := s.Number()
		return append(dst, x), err
	}
	if depth >= 8 {
		return dst, s.errorf("arrays nested too deep")
	}
	s.i++
	if s.Peek() == ']' {
		s.i++
		return dst, nil
	}
	for {
		var err error
		if s.data[s.i] == '[' {
			dst, err = s.floats(dst, depth+1)
		} else {
			var x float64
			x, err = s.Number()
			dst = append(dst, x)
		}
		if err != nil {
			return dst, err
		}
		switch s.Peek() {
		case ',':
			s.i++
			if s.Peek() == 0 {
				return dst, s.errorf("unexpected end of input")
			}
		case ']':
			s.i++
			return dst, nil
		default:
			return dst, s.errorf("want ',' or ']' in a number array")
		}
	}
}

// FloatArray reads a number array, nested or flat, as one flat slice of its length; null
// is nil.
func (s *Scanner) FloatArray() ([]float64, error) {
	if s.Literal("null") {
		return nil, nil
	}
	if s.Peek() != '[' {
		return nil, s.errorf("want a number array")
	}
	// The numbers go to a reused buffer and are copied out at their count: cheaper than
	// counting them first, and no slice grows.
	buf := scratchFloats.Get().(*[]float64)
	defer scratchFloats.Put(buf)
	var err error
	if *buf, err = s.floats((*buf)[:0], 0); err != nil {
		return nil, err
	}
	return append(make([]float64, 0, len(*buf)), *buf...), nil
}

// scratchFloats holds buffers for FloatArray.
var scratchFloats = sync.Pool{New: func() any { return new([]float64) }}

// Ints reads an array of integers.
func (s *Scanner) Ints() ([]int, error) {
	xs, err := s.FloatArray()
	if err != nil {
		return nil, err
	}
	if xs == nil {
		return nil, s.errorf("want an integer array, found null")
	}
	out := make([]int, len(xs))
	for i, x := range xs {
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return nil, s.errorf("%v is not an integer", x)
		}
		out[i] = int(x)
	}
	return out, nil
}

// ErrNull is OptionalNumber's answer to null.
var ErrNull = errors.New("null")

// OptionalNumber reads a number, or null as ErrNull.
func (s *Scanner) OptionalNumber() (float64, error) {
	if s.Literal("null") {
		return 0, ErrNull
	}
	return s.Number()
}

// End checks that nothing but space follows.
func (s *Scanner) End() error {
	if s.SkipSpace(); s.i != len(s.data) {
		return s.errorf("data after the value")
	}
	return nil
}

// SkipValue passes over the value that comes next, which must be valid JSON.
func (s *Scanner) SkipValue() error {
	s.SkipSpace()
	end, err := ValueEnd(s.data, s.i)
	if err != nil {
		return s.errorf("%v", err)
	}
	if !json.Valid(s.data[s.i:end]) {
		return s.errorf("invalid JSON value")
	}
	s.i = end
	return nil
}
