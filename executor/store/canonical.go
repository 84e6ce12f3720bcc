package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/internal/jsontext"
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
	sc jsontext.Scanner
	id string // the top level "id", when it is a string
}

// canonicalPayload returns the canonical form of payload and its id.
func canonicalPayload(payload []byte) ([]byte, string, error) {
	c := canonicalizer{sc: jsontext.NewScanner(payload)}
	if c.sc.Peek() != '{' {
		return nil, "", errors.New("store: task payload is not a JSON object")
	}
	out, err := c.object(make([]byte, 0, len(payload)), 0)
	switch {
	case err != nil:
		err = errSyntax // the scanner's own words say no more
	case c.sc.End() != nil:
		err = errors.New("data after the JSON object")
	}
	if err != nil {
		return nil, "", fmt.Errorf("store: task payload at byte %d: %w", c.sc.Offset(), err)
	}
	return out, c.id, nil
}

// value appends the canonical form of the value that comes next. depth is 0 for the
// payload itself, -1 for its extras and 1 for everything else.
func (c *canonicalizer) value(dst []byte, depth int) ([]byte, error) {
	switch ch := c.sc.Peek(); {
	case ch == '{':
		return c.object(dst, depth)
	case ch == '[':
		return c.array(dst)
	case ch == '"':
		s, err := c.sc.Str()
		if err != nil {
			return dst, errSyntax
		}
		return jsontext.AppendString(dst, s, jsontext.EscapeMinimal), nil
	case ch == 't' || ch == 'f' || ch == 'n':
		for _, lit := range []string{"true", "false", "null"} {
			if c.sc.Literal(lit) {
				return append(dst, lit...), nil
			}
		}
		return dst, errSyntax
	default:
		return c.number(dst)
	}
}

// array appends the canonical form of the array that comes next.
func (c *canonicalizer) array(dst []byte) ([]byte, error) {
	_ = c.sc.Expect('[')
	dst = append(dst, '[')
	if c.sc.Peek() == ']' {
		_ = c.sc.Expect(']')
		return append(dst, ']'), nil
	}
	for {
		var err error
		if dst, err = c.value(dst, 1); err != nil {
			return dst, err
		}
		switch c.sc.Peek() {
		case ',':
			_ = c.sc.Expect(',')
			dst = append(dst, ',')
		case ']':
			_ = c.sc.Expect(']')
			return append(dst, ']'), nil
		default:
			return dst, errSyntax
		}
	}
}

// object appends the canonical form of the object that comes next.
func (c *canonicalizer) object(dst []byte, depth int) ([]byte, error) {
	type member struct {
		name       string
		start, end int // of the value in vals
	}
	var members []member
	var vals []byte
	err := c.sc.Object(func(name string) error {
		start := len(vals)
		childDepth := 1
		if depth == 0 && name == "extras" {
			childDepth = -1
		}
		valStart := c.sc.Offset()
		var err error
		if vals, err = c.value(vals, childDepth); err != nil {
			return err
		}
		keep := true
		switch {
		case depth == 0 && name == "id":
			keep = false
			c.id = ""
			_ = json.Unmarshal(c.sc.Since(valStart), &c.id)
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
		return nil
	})
	if err != nil {
		return dst, err
	}
	slices.SortFunc(members, func(a, b member) int { return strings.Compare(a.name, b.name) })
	dst = append(dst, '{')
	for k, m := range members {
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = jsontext.AppendString(dst, m.name, jsontext.EscapeMinimal)
		dst = append(dst, ':')
		dst = append(dst, vals[m.start:m.end]...)
	}
	return append(dst, '}'), nil
}

// number appends the canonical form of the number that comes next.
func (c *canonicalizer) number(dst []byte) ([]byte, error) {
	raw, err := c.sc.RawNumber()
	if err != nil {
		return dst, errSyntax
	}
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
