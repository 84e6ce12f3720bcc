package qcschema

import (
	"bytes"
	"io"

	"github.com/qcmb-go/qcmb/internal/jsontext"
)

// An IndentWriter is an io.Writer that writes the valid JSON written to it, in any pieces,
// indented by two spaces per level, with arrays that hold no array or object on one line
// ("[1, 2, 3]"), so that a gradient reads as rows of numbers rather than a number per
// line. Whitespace outside strings is dropped and rewritten. ManyBodyResult.WriteJSON
// writes the component properties into it already in this layout, formatted on every
// core, so the bulk of a result is encoded in one pass. Call Flush at the end.
type IndentWriter struct {
	// w receives out whenever it grows past flushSize; nil for one that only appends
	// to out.
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
	stopString  = indentStopSet(`"\\`)
	stopPending = indentStopSet("\"[]{} \t\n\r")
	stopOutside = indentStopSet("\"[]{},: \t\n\r")
)

func indentStopSet(chars string) (t [256]bool) {
	for i := 0; i < len(chars); i++ {
		t[chars[i]] = true
	}
	return t
}

// flushSize is how much formatted output an IndentWriter holds before writing it on.
const flushSize = 1 << 16

// flush writes out what is held; the first error is kept and returned from then on.
func (ind *IndentWriter) flush() error {
	if ind.w == nil {
		return ind.err
	}
	if ind.err == nil && len(ind.out) > 0 {
		_, ind.err = ind.w.Write(ind.out)
	}
	ind.out = ind.out[:0]
	return ind.err
}

// NewIndentWriter returns an IndentWriter that writes to w.
func NewIndentWriter(w io.Writer) *IndentWriter { return &IndentWriter{w: w} }

// Flush writes what the IndentWriter holds: call it once the whole document is written.
// It returns the first error of any write.
func (ind *IndentWriter) Flush() error {
	ind.flushPending()
	return ind.flush()
}

// Write formats p, the next piece of the document.
func (ind *IndentWriter) Write(p []byte) (int, error) {
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

// writeFormatted writes p, bytes already in the writer's layout that continue the
// document where it stands: a pending '{' opens its object first.
func (ind *IndentWriter) writeFormatted(p []byte) error {
	if ind.objOpen {
		ind.objOpen = false
		ind.out = append(ind.out, '{')
		ind.depth++
	}
	if ind.err != nil {
		return ind.err
	}
	if len(ind.out)+len(p) >= flushSize {
		if err := ind.flush(); err != nil {
			return err
		}
		if len(p) >= flushSize {
			_, ind.err = ind.w.Write(p)
			return ind.err
		}
	}
	ind.out = append(ind.out, p...)
	return nil
}

// format appends the formatted form of p to out.
func (ind *IndentWriter) format(p []byte) {
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

func (ind *IndentWriter) newline() {
	ind.out = append(ind.out, '\n')
	for k := 0; k < ind.depth; k++ {
		ind.out = append(ind.out, "  "...)
	}
}

func (ind *IndentWriter) put(c byte) {
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
func (ind *IndentWriter) openObject() {
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
func (ind *IndentWriter) emit(c byte) {
	if ind.open {
		ind.pending = append(ind.pending, c)
		return
	}
	ind.out = append(ind.out, c)
}

// flushPending writes an open array's '[' as the start of an indented block, followed by
// what it held so far; an empty object "{}" stays on one line.
func (ind *IndentWriter) flushPending() {
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
		end, err := jsontext.StringEnd(b, k)
		if err != nil { // unterminated: cannot happen for a closed array
			end = len(b)
		}
		out = append(out, b[:end]...)
		b = b[end:]
	}
	return out
}
