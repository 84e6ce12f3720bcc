package main

import (
	"bytes"
	"encoding/json"
	"io"
	"slices"
	"sync"
)

// streamer is implemented by documents that write their own compact JSON in pieces
// (qcschema.ManyBodyResult streams its component properties one by one), so a result with
// thousands of Hessians never exists whole in memory.
type streamer interface {
	WriteJSON(w io.Writer) error
}

// writeJSON writes v as indented JSON with a final newline. Arrays of numbers stay on one
// line, so a gradient reads as rows of numbers rather than one number per line. A
// QCSchema document is encoded once, by its own MarshalJSON or WriteJSON, and indented as
// it streams through, instead of encoding/json's encode, compact and re-indent.
func writeJSON(w io.Writer, v any) error {
	ind := &indenter{w: w}
	var err error
	switch d := v.(type) {
	case streamer:
		err = d.WriteJSON(ind)
	case json.Marshaler:
		var data []byte
		if data, err = d.MarshalJSON(); err == nil {
			_, err = ind.Write(data)
		}
	default:
		var data []byte
		if data, err = json.Marshal(v); err == nil {
			_, err = ind.Write(data)
		}
	}
	if err != nil {
		return err
	}
	ind.flushPending()
	ind.out = append(ind.out, '\n')
	return ind.flush()
}

// indenter is an io.Writer that re-indents the valid JSON written to it, in any pieces,
// with two spaces per level, writing arrays that hold no array or object on one line
// ("[1, 2, 3]"). Whitespace outside strings is dropped and rewritten. It is a
// qcschema.MemberFormatter, so a ManyBodyResult's component properties are indented on
// every core.
type indenter struct {
	// w receives out whenever it grows past flushSize; nil for an indenter that only
	// appends to out.
	w   io.Writer
	out []byte
	err error

	depth int
	// inString and escaped track a string being copied.
	inString, escaped bool
	// pending holds an array from its '[' until it is known to be flat (its closing ']'
	// comes before any '[' or '{') or not; open is true while it does.
	pending []byte
	open    bool
	// objOpen is true between a '{' and the next byte, which decides between "{}" and
	// an indented object.
	objOpen bool
}

// Bytes that end a run the indenter can copy as it is: inside a string, its closing quote
// and the escape character; inside an array that may still be flat, anything that
// decides it or ends it; elsewhere, anything structural.
var (
	stopString  = stopSet(`"\\`)
	stopPending = stopSet("\"[]{} \t\n\r")
	stopOutside = stopSet("\"[]{},: \t\n\r")
)

func stopSet(chars string) (t [256]bool) {
	for i := 0; i < len(chars); i++ {
		t[chars[i]] = true
	}
	return t
}

// flushSize is how much formatted output the indenter holds before writing it on.
const flushSize = 1 << 16

// flush writes out what is held; the first error is kept and returned from then on.
func (ind *indenter) flush() error {
	if ind.w == nil {
		return ind.err
	}
	if ind.err == nil && len(ind.out) > 0 {
		_, ind.err = ind.w.Write(ind.out)
	}
	ind.out = ind.out[:0]
	return ind.err
}

func (ind *indenter) Write(p []byte) (int, error) {
	if ind.err != nil {
		return 0, ind.err
	}
	ind.format(p)
	if len(ind.out) >= flushSize {
		if err := ind.flush(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// AppendMember formats member at depth with an indenter of its own (it runs concurrently
// with the others), which starts where an object's '{' or ',' leaves this one.
func (ind *indenter) AppendMember(dst, member []byte, depth int, first bool) []byte {
	pending := pendingBuffers.Get().(*[]byte)
	defer pendingBuffers.Put(pending)
	// Indenting adds a newline and indent per member and a space per comma: a quarter
	// more than the compact member is room enough for a component's numbers.
	tmp := indenter{out: slices.Grow(dst, len(member)+len(member)/4+64), depth: depth, pending: (*pending)[:0]}
	if first {
		tmp.newline()
	} else {
		tmp.put(',')
	}
	tmp.format(member)
	*pending = tmp.pending
	return tmp.out
}

// pendingBuffers holds the pending-array buffers of AppendMember's indenters.
var pendingBuffers = sync.Pool{New: func() any { return new([]byte) }}

// WriteFormatted writes bytes from AppendMember; a pending '{' opens the object first.
func (ind *indenter) WriteFormatted(p []byte) (int, error) {
	if ind.objOpen {
		ind.objOpen = false
		ind.out = append(ind.out, '{')
		ind.depth++
	}
	if ind.err != nil {
		return 0, ind.err
	}
	if len(ind.out)+len(p) >= flushSize {
		if err := ind.flush(); err != nil {
			return 0, err
		}
		if len(p) >= flushSize {
			_, ind.err = ind.w.Write(p)
			return len(p), ind.err
		}
	}
	ind.out = append(ind.out, p...)
	return len(p), nil
}

// format appends the formatted form of p to out.
func (ind *indenter) format(p []byte) {
	for i := 0; i < len(p); {
		if p[i] == '[' && !ind.inString && !ind.open {
			// A flat array without strings or space, whole in p (a gradient, say), goes
			// out at once, without the pending buffer.
			j := i + 1
			for j < len(p) && !stopPending[p[j]] {
				j++
			}
			if j < len(p) && p[j] == ']' {
				ind.openObject()
				ind.out = append(ind.out, '[')
				ind.out = appendCommaSpacedNumbers(ind.out, p[i+1:j])
				ind.out = append(ind.out, ']')
				i = j + 1
				continue
			}
		}
		stop := &stopOutside
		switch {
		case ind.inString && !ind.escaped:
			stop = &stopString
		case ind.inString:
			stop = nil
		case ind.open:
			stop = &stopPending
		}
		j := i
		if stop != nil {
			for j < len(p) && !stop[p[j]] {
				j++
			}
		}
		if j > i { // a run copied as it is: number or string bytes
			if ind.open {
				ind.pending = append(ind.pending, p[i:j]...)
			} else {
				if ind.objOpen {
					ind.put(p[i])
					i++
					continue
				}
				ind.out = append(ind.out, p[i:j]...)
			}
			i = j
			continue
		}
		ind.put(p[i])
		i++
	}
}

func (ind *indenter) newline() {
	ind.out = append(ind.out, '\n')
	for k := 0; k < ind.depth; k++ {
		ind.out = append(ind.out, "  "...)
	}
}

func (ind *indenter) put(c byte) {
	if ind.inString {
		ind.emit(c)
		switch {
		case ind.escaped:
			ind.escaped = false
		case c == '\\':
			ind.escaped = true
		case c == '"':
			ind.inString = false
		}
		return
	}
	switch c {
	case ' ', '\t', '\n', '\r':
		return
	}
	if ind.objOpen && c == '}' {
		ind.objOpen = false
		ind.out = append(ind.out, "{}"...)
		return
	}
	ind.openObject()
	switch c {
	case '"':
		ind.inString = true
		ind.emit(c)
		return
	}
	if ind.open {
		switch c {
		case ']': // flat (or empty) array: one line
			ind.open = false
			ind.out = appendCommaSpaced(ind.out, ind.pending)
			ind.pending = ind.pending[:0]
			ind.out = append(ind.out, ']')
			return
		case '[', '{': // an array of arrays or objects: indented
			ind.flushPending()
		default:
			ind.pending = append(ind.pending, c)
			return
		}
	}
	switch c {
	case '[':
		ind.open = true
		ind.pending = append(ind.pending[:0], '[')
	case '{':
		ind.objOpen = true
	case '}', ']':
		ind.depth--
		ind.newline()
		ind.out = append(ind.out, c)
	case ',':
		ind.out = append(ind.out, ',')
		ind.newline()
	case ':':
		ind.out = append(ind.out, ": "...)
	default:
		ind.out = append(ind.out, c)
	}
}

// openObject writes a pending '{' as the start of an indented object, once it is known
// not to be empty.
func (ind *indenter) openObject() {
	if ind.objOpen {
		ind.objOpen = false
		ind.out = append(ind.out, '{')
		ind.depth++
		ind.newline()
	}
}

// appendCommaSpacedNumbers is appendCommaSpaced for bytes that hold no string.
func appendCommaSpacedNumbers(out, b []byte) []byte {
	for {
		k := bytes.IndexByte(b, ',')
		if k < 0 {
			return append(out, b...)
		}
		out = append(out, b[:k]...)
		out = append(out, ',', ' ')
		b = b[k+1:]
	}
}

// emit writes a string byte, into the pending array when one is open.
func (ind *indenter) emit(c byte) {
	if ind.open {
		ind.pending = append(ind.pending, c)
		return
	}
	ind.out = append(ind.out, c)
}

// flushPending writes an open array's '[' as the start of an indented block, followed by
// what it held so far; an empty object "{}" stays on one line.
func (ind *indenter) flushPending() {
	if !ind.open {
		return
	}
	ind.open = false
	rest := ind.pending[1:]
	ind.pending = ind.pending[:0]
	ind.out = append(ind.out, '[')
	ind.depth++
	ind.newline()
	for _, b := range rest {
		ind.put(b)
	}
}

// appendCommaSpaced appends a flat array's bytes with a space after each comma that is
// not inside a string.
func appendCommaSpaced(out, b []byte) []byte {
	for len(b) > 0 {
		k := 0
		for k < len(b) && b[k] != ',' && b[k] != '"' {
			k++
		}
		if k == len(b) {
			return append(out, b...)
		}
		if b[k] == ',' {
			out = append(out, b[:k+1]...)
			out = append(out, ' ')
			b = b[k+1:]
			continue
		}
		end, err := stringEnd(b, k)
		if err != nil { // unterminated: cannot happen for a closed array
			end = len(b)
		}
		out = append(out, b[:end]...)
		b = b[end:]
	}
	return out
}
