package jsontext

import (
	"bytes"
	"fmt"
)

// SkipSpace returns the index of the first non-space byte of data at or after i.
func SkipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t') {
		i++
	}
	return i
}

// MaxDepth is how deeply arrays and objects may nest in a document qcmb reads: real
// documents nest fewer than 15 levels, and a deeper one, echoed back indented (a
// FailedOperation's input_data), grows quadratically (an 18 KB input of 9,000 nested
// arrays printed as 162 MB).
const MaxDepth = 100

// DepthError says that a value nests arrays and objects deeper than MaxDepth.
type DepthError struct {
	Max    int
	Offset int // where the level beyond Max opens
}

func (e *DepthError) Error() string {
	return fmt.Sprintf("JSON nested deeper than %d levels (at byte %d)", e.Max, e.Offset)
}

// ValueEnd returns the index just past the JSON value that starts at data[i]: a string, an
// array or object (brackets matched outside strings), or a scalar. It checks only the
// structure it needs to find the end, and that it nests no deeper than MaxDepth (a
// *DepthError); the element's parser checks the rest.
func ValueEnd(data []byte, i int) (int, error) {
	if i >= len(data) {
		return 0, fmt.Errorf("offset %d: unexpected end of input", i)
	}
	switch data[i] {
	case '"':
		return StringEnd(data, i)
	case '[', '{':
		depth := 0
		for j := i; j < len(data); j++ {
			j = nextStructural(data, j)
			if j == len(data) {
				break
			}
			switch data[j] {
			case '"':
				end, err := StringEnd(data, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '[', '{':
				if depth++; depth > MaxDepth {
					return 0, &DepthError{Max: MaxDepth, Offset: j}
				}
			case ']', '}':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, fmt.Errorf("offset %d: unterminated %c", i, data[i])
	}
	j := i
	for j < len(data) && data[j] != ',' && data[j] != ']' && data[j] != '}' && data[j] != ' ' && data[j] != '\n' && data[j] != '\r' && data[j] != '\t' {
		j++
	}
	return j, nil
}

// structural marks the bytes that ValueEnd stops at inside an array or object.
var structural = func() (t [256]bool) {
	for _, c := range []byte(`"[]{}`) {
		t[c] = true
	}
	return t
}()

// nextStructural returns the index of the first structural byte (`"[]{}`) at or after
// data[j], or len(data). Component files are mostly long runs of numbers between
// brackets: after a short byte-by-byte look, a run is crossed with bytes.IndexByte, which
// reads many bytes per instruction, up to the next ']' and then checked for the other
// structural bytes, in windows that grow fourfold from 256 bytes to 64 KiB, so that the
// bytes read stay within a few times the distance to the byte found.
func nextStructural(data []byte, j int) int {
	const look, maxWindow = 64, 64 << 10
	for end := min(j+look, len(data)); j < end; j++ {
		if structural[data[j]] {
			return j
		}
	}
	for window := 256; j < len(data); window = min(4*window, maxWindow) {
		seg := data[j:min(j+window, len(data))]
		if k := bytes.IndexByte(seg, ']'); k >= 0 {
			seg = seg[:k+1]
		}
		for _, c := range [...]byte{'[', '{', '}', '"'} {
			if k := bytes.IndexByte(seg[:len(seg)-1], c); k >= 0 {
				seg = seg[:k+1]
			}
		}
		if structural[seg[len(seg)-1]] {
			return j + len(seg) - 1
		}
		j += len(seg)
	}
	return len(data)
}

// StringEnd returns the index just past the string that starts at data[i] == '"'.
func StringEnd(data []byte, i int) (int, error) {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return 0, fmt.Errorf("offset %d: unterminated string", i)
}

// EachMember calls fn with the raw key (a JSON string, quotes included; nil for arrays)
// and raw value of every member of the JSON object (open '{') or array (open '[') in data.
func EachMember(data []byte, open, close byte, fn func(k int, key, value []byte) error) error {
	i := SkipSpace(data, 0)
	if i >= len(data) || data[i] != open {
		return fmt.Errorf("want a JSON %s", map[byte]string{'[': "array", '{': "object"}[open])
	}
	i = SkipSpace(data, i+1)
	if i < len(data) && data[i] == close {
		return checkTrailing(data, i+1)
	}
	for k := 0; ; k++ {
		var key []byte
		if open == '{' {
			if i >= len(data) || data[i] != '"' {
				return fmt.Errorf("offset %d: want a member name", i)
			}
			end, err := StringEnd(data, i)
			if err != nil {
				return err
			}
			key = data[i:end]
			i = SkipSpace(data, end)
			if i >= len(data) || data[i] != ':' {
				return fmt.Errorf("offset %d: want ':' after member name", i)
			}
			i = SkipSpace(data, i+1)
		}
		end, err := ValueEnd(data, i)
		if err != nil {
			return err
		}
		if err := fn(k, key, data[i:end]); err != nil {
			return err
		}
		i = SkipSpace(data, end)
		if i >= len(data) {
			return fmt.Errorf("offset %d: unexpected end of input", i)
		}
		switch data[i] {
		case ',':
			i = SkipSpace(data, i+1)
		case close:
			return checkTrailing(data, i+1)
		default:
			return fmt.Errorf("offset %d: want ',' or '%c'", i, close)
		}
	}
}

func checkTrailing(data []byte, i int) error {
	if i = SkipSpace(data, i); i != len(data) {
		return fmt.Errorf("offset %d: data after the end of the document", i)
	}
	return nil
}

// NumberEnd returns the index just past the JSON number that starts at data[i]
// (-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?), or -1 if none does.
func NumberEnd(data []byte, i int) int {
	digits := func() int {
		n := 0
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case digits() == 0:
		return -1
	}
	if i < len(data) && data[i] == '.' {
		i++
		if digits() == 0 {
			return -1
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if digits() == 0 {
			return -1
		}
	}
	return i
}
