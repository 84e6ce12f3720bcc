package executor

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/qcmb-go/qcmb/internal/jsontext"
)

var errNotObject = errors.New("payload is not a JSON object")

// appendLine appends to dst the payload as one compact line (without the newline) whose
// extras[ProgramKey] is the program, given as a JSON string. It edits the bytes in place of
// decoding and re-encoding the document, so everything else in the payload reaches the
// worker as it was. Only the top level of the payload and of its extras are scanned;
// malformed JSON elsewhere is left for the worker to report.
func appendLine(dst, payload, program []byte) ([]byte, error) {
	if bytes.IndexByte(payload, '\n') >= 0 || bytes.IndexByte(payload, '\r') >= 0 {
		var c bytes.Buffer
		if err := json.Compact(&c, payload); err != nil {
			return dst, err
		}
		payload = c.Bytes()
	}
	start := jsontext.SkipSpace(payload, 0)
	if start >= len(payload) || payload[start] != '{' {
		return dst, errNotObject
	}
	span, ok := findKey(payload, start, "extras")
	if !ok {
		return dst, errNotObject
	}
	switch {
	case span.key < 0: // no extras: add it first
		dst = append(dst, payload[:start+1]...)
		dst = appendProgramObject(dst, program, true)
		if span.empty {
			dst = dst[:len(dst)-1]
		}
		return append(dst, payload[start+1:]...), nil
	case bytes.Equal(payload[span.val:span.end], []byte("null")):
		dst = append(dst, payload[:span.val]...)
		dst = appendProgramObject(dst, program, false)
		return append(dst, payload[span.end:]...), nil
	case payload[span.val] != '{':
		// Not an object: the worker cannot decode it either and will say so.
		return append(dst, payload...), nil
	}
	inner, ok := findKey(payload, span.val, ProgramKey)
	switch {
	case !ok:
		return append(dst, payload...), nil
	case inner.key >= 0: // replace the value already there
		dst = append(dst, payload[:inner.val]...)
		dst = append(dst, program...)
		return append(dst, payload[inner.end:]...), nil
	case inner.empty:
		dst = append(dst, payload[:span.val]...)
		dst = appendProgramObject(dst, program, false)
		return append(dst, payload[span.end:]...), nil
	default:
		dst = append(dst, payload[:span.val+1]...)
		dst = append(dst, '"')
		dst = append(dst, ProgramKey...)
		dst = append(dst, `":`...)
		dst = append(dst, program...)
		dst = append(dst, ',')
		return append(dst, payload[span.val+1:]...), nil
	}
}

// appendProgramObject appends {"qcmb:program":program}, as the value of "extras" if key,
// followed by a comma if key.
func appendProgramObject(dst, program []byte, key bool) []byte {
	if key {
		dst = append(dst, `"extras":`...)
	}
	dst = append(dst, `{"`...)
	dst = append(dst, ProgramKey...)
	dst = append(dst, `":`...)
	dst = append(dst, program...)
	dst = append(dst, '}')
	if key {
		dst = append(dst, ',')
	}
	return dst
}

// keySpan locates a member of a JSON object: key is the offset of the key's opening quote
// (-1 if the object has no such member), val and end bound its value. empty says the
// object has no members at all.
type keySpan struct {
	key, val, end int
	empty         bool
}

// findKey scans the object starting at b[start] == '{' for the last member named name.
// ok is false if the object is malformed at its top level.
func findKey(b []byte, start int, name string) (span keySpan, ok bool) {
	span = keySpan{key: -1, empty: true}
	i := jsontext.SkipSpace(b, start+1)
	if i < len(b) && b[i] == '}' {
		return span, true
	}
	span.empty = false
	for {
		if i >= len(b) || b[i] != '"' {
			return span, false
		}
		k := i
		var err error
		if i, err = jsontext.StringEnd(b, i); err != nil {
			return span, false
		}
		key := b[k:i]
		i = jsontext.SkipSpace(b, i)
		if i >= len(b) || b[i] != ':' {
			return span, false
		}
		v := jsontext.SkipSpace(b, i+1)
		e, err := jsontext.ValueEnd(b, v)
		if err != nil || e == v {
			return span, false
		}
		if keyIs(key, name) {
			span.key, span.val, span.end = k, v, e
		}
		i = jsontext.SkipSpace(b, e)
		if i >= len(b) {
			return span, false
		}
		switch b[i] {
		case ',':
			i = jsontext.SkipSpace(b, i+1)
		case '}':
			return span, true
		default:
			return span, false
		}
	}
}

// keyIs compares a raw JSON string (quotes included) with name, decoding escapes if it
// has any.
func keyIs(raw []byte, name string) bool {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1:len(raw)-1]) == name
	}
	sc := jsontext.NewScanner(raw)
	s, err := sc.Str()
	return err == nil && s == name
}
