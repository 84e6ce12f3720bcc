package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/qcmb-go/qcmb/executor"
)

// The canonical form of a task payload, written in one pass over its bytes (decoding into
// generic values and encoding again costs several times more, and keys are computed for
// every task of every run):
//
//   - object members sorted by name (bytewise, after unescaping), the last of duplicates kept;
//   - no insignificant white space;
//   - numbers that are integers below 2^53 (or any int64 literal) as integers, all others
//     as the shortest 'g' form of their float64 value;
//   - strings with escapes only where JSON requires them;
//   - at the top level, "id" left out, and extras[executor.ProgramKey] (and extras when that
//     leaves it empty or null).

var errSyntax = errors.New("malformed JSON")

type canonicalizer struct {
	b  []byte
	i  int
	id string // the top level "id", when it is a string
}

// canonicalPayload returns the canonical form of payload and its id.
func canonicalPayload(payload []byte) ([]byte, string, error) {
	c := canonicalizer{b: payload}
	c.ws()
	if c.i >= len(c.b) || c.b[c.i] != '{' {
		return nil, "", errors.New("store: task payload is not a JSON object")
	}
	out, err := c.object(make([]byte, 0, len(payload)), 0)
	if err == nil {
		if c.ws(); c.i != len(c.b) {
			err = errors.New("data after the JSON object")
		}
	}
	if err != nil {
		return nil, "", fmt.Errorf("store: task payload at byte %d: %w", c.i, err)
	}
	return out, c.id, nil
}

func (c *canonicalizer) ws() {
	for c.i < len(c.b) {
		switch c.b[c.i] {
		case ' ', '\t', '\n', '\r':
			c.i++
		default:
			return
		}
	}
}

// value appends the canonical form of the value at c.i. depth is 0 for the payload
// itself, -1 for its extras and 1 for everything else.
func (c *canonicalizer) value(dst []byte, depth int) ([]byte, error) {
	c.ws()
	if c.i >= len(c.b) {
		return dst, errSyntax
	}
	switch ch := c.b[c.i]; {
	case ch == '{':
		return c.object(dst, depth)
	case ch == '[':
		c.i++
		dst = append(dst, '[')
		c.ws()
		if c.i < len(c.b) && c.b[c.i] == ']' {
			c.i++
			return append(dst, ']'), nil
		}
		for {
			var err error
			if dst, err = c.value(dst, 1); err != nil {
				return dst, err
			}
			c.ws()
			if c.i >= len(c.b) {
				return dst, errSyntax
			}
			c.i++
			switch c.b[c.i-1] {
			case ',':
				dst = append(dst, ',')
			case ']':
				return append(dst, ']'), nil
			default:
				return dst, errSyntax
			}
		}
	case ch == '"':
		s, err := c.str()
		if err != nil {
			return dst, err
		}
		return appendString(dst, s), nil
	case ch == 't' || ch == 'f' || ch == 'n':
		for _, lit := range []string{"true", "false", "null"} {
			if bytes.HasPrefix(c.b[c.i:], []byte(lit)) {
				c.i += len(lit)
				return append(dst, lit...), nil
			}
		}
		return dst, errSyntax
	default:
		return c.number(dst)
	}
}

// object appends the canonical form of the object at c.i.
func (c *canonicalizer) object(dst []byte, depth int) ([]byte, error) {
	type member struct {
		name       string
		start, end int // of the value in vals
	}
	c.i++ // '{'
	var members []member
	var vals []byte
	c.ws()
	if c.i < len(c.b) && c.b[c.i] == '}' {
		c.i++
		return append(dst, "{}"...), nil
	}
	for {
		c.ws()
		if c.i >= len(c.b) || c.b[c.i] != '"' {
			return dst, errSyntax
		}
		name, err := c.str()
		if err != nil {
			return dst, err
		}
		c.ws()
		if c.i >= len(c.b) || c.b[c.i] != ':' {
			return dst, errSyntax
		}
		c.i++
		start := len(vals)
		childDepth := 1
		if depth == 0 && name == "extras" {
			childDepth = -1
		}
		valStart := c.i
		if vals, err = c.value(vals, childDepth); err != nil {
			return dst, err
		}
		keep := true
		switch {
		case depth == 0 && name == "id":
			keep = false
			c.id = ""
			_ = json.Unmarshal(c.b[valStart:c.i], &c.id)
		case depth == 0 && name == "extras":
			v := string(vals[start:])
			keep = v != "{}" && v != "null"
		case depth == -1 && name == executor.ProgramKey:
			keep = false
		}
		members = slices.DeleteFunc(members, func(m member) bool { return m.name == name })
		if keep {
			members = append(members, member{name, start, len(vals)})
		}
		c.ws()
		if c.i >= len(c.b) {
			return dst, errSyntax
		}
		c.i++
		if c.b[c.i-1] == '}' {
			break
		}
		if c.b[c.i-1] != ',' {
			return dst, errSyntax
		}
	}
	slices.SortFunc(members, func(a, b member) int { return cmpStrings(a.name, b.name) })
	dst = append(dst, '{')
	for k, m := range members {
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, m.name)
		dst = append(dst, ':')
		dst = append(dst, vals[m.start:m.end]...)
	}
	return append(dst, '}'), nil
}

func cmpStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// str reads the string at c.i.
func (c *canonicalizer) str() (string, error) {
	start := c.i
	c.i++
	escaped := false
	for c.i < len(c.b) {
		switch ch := c.b[c.i]; {
		case ch == '"':
			c.i++
			raw := c.b[start:c.i]
			if !escaped {
				if !utf8.Valid(raw) {
					return "", errSyntax
				}
				return string(raw[1 : len(raw)-1]), nil
			}
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return "", errSyntax
			}
			return s, nil
		case ch == '\\':
			escaped = true
			c.i += 2
		case ch < 0x20:
			return "", errSyntax
		default:
			c.i++
		}
	}
	return "", errSyntax
}

// appendString appends s as a JSON string, escaping only what JSON requires.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case ch == '"' || ch == '\\':
			dst = append(dst, '\\', ch)
		case ch < 0x20:
			dst = fmt.Appendf(dst, `\u%04x`, ch)
		default:
			dst = append(dst, ch)
		}
	}
	return append(dst, '"')
}

// number appends the canonical form of the number at c.i.
func (c *canonicalizer) number(dst []byte) ([]byte, error) {
	start := c.i
	for c.i < len(c.b) {
		ch := c.b[c.i]
		if ch >= '0' && ch <= '9' || ch == '-' || ch == '+' || ch == '.' || ch == 'e' || ch == 'E' {
			c.i++
			continue
		}
		break
	}
	if !validNumber(c.b[start:c.i]) {
		return dst, errSyntax
	}
	raw := c.b[start:c.i]
	text := string(raw)
	if bytes.IndexAny(raw, ".eE") < 0 {
		if i, err := strconv.ParseInt(text, 10, 64); err == nil {
			return strconv.AppendInt(dst, i, 10), nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !math.IsInf(f, 0) {
		return dst, errSyntax
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return strconv.AppendInt(dst, int64(f), 10), nil
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64), nil
}

// validNumber reports whether b is a JSON number:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func validNumber(b []byte) bool {
	i := 0
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(b)
}
