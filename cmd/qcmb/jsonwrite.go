package main

import (
	"bufio"
	"encoding/json"
	"io"
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
	bw := bufio.NewWriterSize(w, 1<<16)
	ind := &indenter{w: bw}
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
	bw.WriteByte('\n')
	return bw.Flush()
}

// indenter is an io.Writer that re-indents the valid JSON written to it, in any pieces,
// with two spaces per level, writing arrays that hold no array or object on one line
// ("[1, 2, 3]"). Whitespace outside strings is dropped and rewritten.
type indenter struct {
	w     *bufio.Writer
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

func (ind *indenter) Write(p []byte) (int, error) {
	for i := 0; i < len(p); {
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
				ind.w.Write(p[i:j])
			}
			i = j
			continue
		}
		ind.put(p[i])
		i++
	}
	return len(p), nil
}

func (ind *indenter) newline() {
	ind.w.WriteByte('\n')
	for k := 0; k < ind.depth; k++ {
		ind.w.WriteString("  ")
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
	if ind.objOpen {
		ind.objOpen = false
		if c == '}' {
			ind.w.WriteString("{}")
			return
		}
		ind.w.WriteByte('{')
		ind.depth++
		ind.newline()
	}
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
			writeCommaSpaced(ind.w, ind.pending)
			ind.pending = ind.pending[:0]
			ind.w.WriteByte(']')
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
		ind.w.WriteByte(c)
	case ',':
		ind.w.WriteByte(',')
		ind.newline()
	case ':':
		ind.w.WriteString(": ")
	default:
		ind.w.WriteByte(c)
	}
}

// emit writes a string byte, into the pending array when one is open.
func (ind *indenter) emit(c byte) {
	if ind.open {
		ind.pending = append(ind.pending, c)
		return
	}
	ind.w.WriteByte(c)
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
	ind.w.WriteByte('[')
	ind.depth++
	ind.newline()
	for _, b := range rest {
		ind.put(b)
	}
}

// writeCommaSpaced writes a flat array's bytes with a space after each comma that is not
// inside a string.
func writeCommaSpaced(w *bufio.Writer, b []byte) {
	for len(b) > 0 {
		k := 0
		for k < len(b) && b[k] != ',' && b[k] != '"' {
			k++
		}
		if k == len(b) {
			w.Write(b)
			return
		}
		if b[k] == ',' {
			w.Write(b[:k+1])
			w.WriteByte(' ')
			b = b[k+1:]
			continue
		}
		end, err := stringEnd(b, k)
		if err != nil { // unterminated: cannot happen for a closed array
			end = len(b)
		}
		w.Write(b[:end])
		b = b[end:]
	}
}
