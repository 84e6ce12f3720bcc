package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/qcmb-go/qcmb/internal/jsonnum"
	"github.com/qcmb-go/qcmb/internal/jsontext"
)

// scanner reads the JSON values of a component entry in one pass, straight into Go
// values: numbers into float64 slices as they are met, with no tree of values built first.
// Component files are nearly all numbers, so this is where qcmb analyze spends its time.
// It accepts exactly JSON (RFC 8259); errors give the offset in the element.
type scanner struct {
	data []byte
	i    int
}

func (s *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("offset %d: "+format, append([]any{s.i}, args...)...)
}

func (s *scanner) skipSpace() { s.i = jsontext.SkipSpace(s.data, s.i) }

// peek is the next byte after space, 0 at the end.
func (s *scanner) peek() byte {
	s.skipSpace()
	if s.i >= len(s.data) {
		return 0
	}
	return s.data[s.i]
}

func (s *scanner) expect(c byte) error {
	if s.peek() != c {
		if s.i >= len(s.data) {
			return s.errorf("unexpected end of input, want '%c'", c)
		}
		return s.errorf("want '%c', found '%c'", c, s.data[s.i])
	}
	s.i++
	return nil
}

// literal consumes word (null, true, false) if it comes next.
func (s *scanner) literal(word string) bool {
	s.skipSpace()
	if len(s.data)-s.i >= len(word) && string(s.data[s.i:s.i+len(word)]) == word {
		s.i += len(word)
		return true
	}
	return false
}

// rawString returns the bytes of the string that comes next, quotes excluded, and
// whether it holds escapes (then decode it with str).
func (s *scanner) rawString() (raw []byte, escaped bool, err error) {
	if s.peek() != '"' {
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

// str reads a string.
func (s *scanner) str() (string, error) {
	start := s.i
	raw, escaped, err := s.rawString()
	if err != nil || !escaped {
		return string(raw), err
	}
	var out string
	if err := json.Unmarshal(s.data[jsontext.SkipSpace(s.data, start):s.i], &out); err != nil {
		return "", s.errorf("%v", err)
	}
	return out, nil
}

// members calls fn with the name of every member of the object that comes next; fn reads
// the value. A name given twice is an error.
func (s *scanner) members(fn func(name string) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.i++
		return nil
	}
	// Objects here have a handful of members, checked against a short list; a longer
	// one (members passed over) moves to a map, so that no object costs quadratic time.
	var seenNames [8]string
	seen := seenNames[:0]
	var seenSet map[string]bool
	for {
		name, err := s.str()
		if err != nil {
			return err
		}
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
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := fn(name); err != nil {
			return err
		}
		switch s.peek() {
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

// number reads a number, which must be finite as a float64.
func (s *scanner) number() (float64, error) {
	s.skipSpace()
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

// floats appends the numbers of the value that comes next, a number or an array of
// numbers nested to any depth, in row-major order.
func (s *scanner) floats(dst []float64, depth int) ([]float64, error) {
	if s.peek() != '[' {
		x, err := s.number()
		return append(dst, x), err
	}
	if depth >= 8 {
		return dst, s.errorf("arrays nested too deep")
	}
	s.i++
	if s.peek() == ']' {
		s.i++
		return dst, nil
	}
	for {
		var err error
		if s.data[s.i] == '[' {
			dst, err = s.floats(dst, depth+1)
		} else {
			var x float64
			x, err = s.number()
			dst = append(dst, x)
		}
		if err != nil {
			return dst, err
		}
		switch s.peek() {
		case ',':
			s.i++
			if s.peek() == 0 {
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

// floatArray reads a number array, nested or flat, as one flat slice of its length; null
// is nil.
func (s *scanner) floatArray() ([]float64, error) {
	if s.literal("null") {
		return nil, nil
	}
	if s.peek() != '[' {
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

// scratchFloats holds buffers for floatArray.
var scratchFloats = sync.Pool{New: func() any { return new([]float64) }}

// ints reads an array of integers.
func (s *scanner) ints() ([]int, error) {
	xs, err := s.floatArray()
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

// errNoValue marks a member that is null.
var errNoValue = errors.New("null")

// optionalNumber reads a number, or null as errNoValue.
func (s *scanner) optionalNumber() (float64, error) {
	if s.literal("null") {
		return 0, errNoValue
	}
	return s.number()
}

// end checks that nothing but space follows.
func (s *scanner) end() error {
	if s.skipSpace(); s.i != len(s.data) {
		return s.errorf("data after the value")
	}
	return nil
}

// skipValue passes over the value that comes next, which must be valid JSON.
func (s *scanner) skipValue() error {
	s.skipSpace()
	end, err := jsontext.ValueEnd(s.data, s.i)
	if err != nil {
		return s.errorf("%v", err)
	}
	if !json.Valid(s.data[s.i:end]) {
		return s.errorf("invalid JSON value")
	}
	s.i = end
	return nil
}
