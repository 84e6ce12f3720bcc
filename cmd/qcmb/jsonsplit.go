package main

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/valyala/fastjson"
)

// Component files run to hundreds of megabytes (a water-64 MBE-4 gradient is 434 MB), so
// they are read in one pass, one element at a time: the top-level array or object is split
// into its elements without building anything, and each element is parsed on its own with
// a reused fastjson parser, so memory stays near the size of the data.

// skipSpace returns the index of the first non-space byte of data at or after i.
func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t') {
		i++
	}
	return i
}

// valueEnd returns the index just past the JSON value that starts at data[i]: a string, an
// array or object (brackets matched outside strings), or a scalar. It checks only the
// structure it needs to find the end; the element's parser checks the rest.
func valueEnd(data []byte, i int) (int, error) {
	if i >= len(data) {
		return 0, fmt.Errorf("offset %d: unexpected end of input", i)
	}
	switch data[i] {
	case '"':
		return stringEnd(data, i)
	case '[', '{':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				end, err := stringEnd(data, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '[', '{':
				depth++
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

// stringEnd returns the index just past the string that starts at data[i] == '"'.
func stringEnd(data []byte, i int) (int, error) {
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

// eachElement calls fn with the bytes of every element of the JSON array in data.
func eachElement(data []byte, fn func(k int, elem []byte) error) error {
	return eachMember(data, '[', ']', func(k int, _, value []byte) error { return fn(k, value) })
}

// eachMember calls fn with the raw key (a JSON string, quotes included; nil for arrays)
// and raw value of every member of the JSON object (open '{') or array (open '[') in data.
func eachMember(data []byte, open, close byte, fn func(k int, key, value []byte) error) error {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != open {
		return fmt.Errorf("want a JSON %s", map[byte]string{'[': "array", '{': "object"}[open])
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == close {
		return checkTrailing(data, i+1)
	}
	for k := 0; ; k++ {
		var key []byte
		if open == '{' {
			if i >= len(data) || data[i] != '"' {
				return fmt.Errorf("offset %d: want a member name", i)
			}
			end, err := stringEnd(data, i)
			if err != nil {
				return err
			}
			key = data[i:end]
			i = skipSpace(data, end)
			if i >= len(data) || data[i] != ':' {
				return fmt.Errorf("offset %d: want ':' after member name", i)
			}
			i = skipSpace(data, i+1)
		}
		end, err := valueEnd(data, i)
		if err != nil {
			return err
		}
		if err := fn(k, key, data[i:end]); err != nil {
			return err
		}
		i = skipSpace(data, end)
		if i >= len(data) {
			return fmt.Errorf("offset %d: unexpected end of input", i)
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case close:
			return checkTrailing(data, i+1)
		default:
			return fmt.Errorf("offset %d: want ',' or '%c'", i, close)
		}
	}
}

func checkTrailing(data []byte, i int) error {
	if i = skipSpace(data, i); i != len(data) {
		return fmt.Errorf("offset %d: data after the end of the document", i)
	}
	return nil
}

// unquote decodes a raw JSON string (quotes included).
func unquote(raw []byte) (string, error) {
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err
}

// flatten appends the numbers of v, a number or an array of numbers nested to any depth,
// in row-major order.
func flatten(dst []float64, v *fastjson.Value) ([]float64, error) {
	switch v.Type() {
	case fastjson.TypeNumber:
		x, err := v.Float64()
		if err != nil {
			return dst, err
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return dst, fmt.Errorf("number %v is not finite", x)
		}
		return append(dst, x), nil
	case fastjson.TypeArray:
		arr, _ := v.Array()
		for _, e := range arr {
			var err error
			if dst, err = flatten(dst, e); err != nil {
				return dst, err
			}
		}
		return dst, nil
	}
	return dst, fmt.Errorf("want a number array, found %s", v.Type())
}

// countNumbers is how many numbers flatten would append for v, so the slice is allocated
// once at its size.
func countNumbers(v *fastjson.Value) int {
	arr, err := v.Array()
	if err != nil {
		return 1
	}
	if len(arr) > 0 && arr[0].Type() != fastjson.TypeArray {
		return len(arr)
	}
	n := 0
	for _, e := range arr {
		n += countNumbers(e)
	}
	return n
}

// floatArray is the flattened number array of v's field key, nil when absent or null.
func floatArray(v *fastjson.Value, key string) ([]float64, error) {
	f := v.Get(key)
	if f == nil || f.Type() == fastjson.TypeNull {
		return nil, nil
	}
	out, err := flatten(make([]float64, 0, countNumbers(f)), f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	return out, nil
}

// floatField is v's numeric field key; ok is false when absent or null.
func floatField(v *fastjson.Value, key string) (x float64, ok bool, err error) {
	f := v.Get(key)
	if f == nil || f.Type() == fastjson.TypeNull {
		return 0, false, nil
	}
	x, err = f.Float64()
	if err != nil {
		return 0, false, fmt.Errorf("%s: %w", key, err)
	}
	return x, true, nil
}

// intArray is v's field key as a list of integers.
func intArray(v *fastjson.Value, key string) ([]int, error) {
	f := v.Get(key)
	if f == nil {
		return nil, fmt.Errorf("no %s", key)
	}
	arr, err := f.Array()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	out := make([]int, len(arr))
	for i, e := range arr {
		if out[i], err = e.Int(); err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", key, i, err)
		}
	}
	return out, nil
}
