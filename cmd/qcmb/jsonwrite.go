package main

import (
	"bufio"
	"encoding/json"
	"io"
)

// writeJSON writes v as indented JSON with a final newline. Arrays of numbers stay on one
// line, so a gradient reads as rows of numbers rather than one number per line. A value
// with its own MarshalJSON (every QCSchema document) is encoded once and indented in one
// pass, instead of encoding/json's encode, compact and re-indent.
func writeJSON(w io.Writer, v any) error {
	var data []byte
	var err error
	if m, ok := v.(json.Marshaler); ok {
		data, err = m.MarshalJSON()
	} else {
		data, err = json.Marshal(v)
	}
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	indentJSON(bw, data)
	bw.WriteByte('\n')
	return bw.Flush()
}

// indentJSON writes the valid JSON document data to w with two-space indentation, keeping
// arrays that hold no object or array on one line ("[1, 2, 3]"). Whitespace outside
// strings is dropped and rewritten.
func indentJSON(w *bufio.Writer, data []byte) {
	depth := 0
	newline := func() {
		w.WriteByte('\n')
		for k := 0; k < depth; k++ {
			w.WriteString("  ")
		}
	}
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch c {
		case ' ', '\t', '\n', '\r':
		case '"':
			end, _ := stringEnd(data, i)
			w.Write(data[i:end])
			i = end - 1
		case '{', '[':
			j := skipSpace(data, i+1)
			if j < len(data) && (data[j] == '}' || data[j] == ']') {
				w.WriteByte(c)
				w.WriteByte(data[j])
				i = j
				continue
			}
			if c == '[' && flatArray(data, j) {
				end, _ := valueEnd(data, i)
				writeInline(w, data[i:end])
				i = end - 1
				continue
			}
			w.WriteByte(c)
			depth++
			newline()
		case '}', ']':
			depth--
			newline()
			w.WriteByte(c)
		case ',':
			w.WriteByte(',')
			newline()
		case ':':
			w.WriteString(": ")
		default:
			w.WriteByte(c)
		}
	}
}

// flatArray reports whether the array whose first element starts at data[i] holds only
// scalars.
func flatArray(data []byte, i int) bool {
	for ; i < len(data); i++ {
		switch data[i] {
		case '[', '{':
			return false
		case ']':
			return true
		case '"':
			end, _ := stringEnd(data, i)
			i = end - 1
		}
	}
	return true
}

// writeInline writes a flat array with one space after each comma.
func writeInline(w *bufio.Writer, arr []byte) {
	for i := 0; i < len(arr); i++ {
		switch c := arr[i]; c {
		case ' ', '\t', '\n', '\r':
		case '"':
			end, _ := stringEnd(arr, i)
			w.Write(arr[i:end])
			i = end - 1
		case ',':
			w.WriteString(", ")
		default:
			w.WriteByte(c)
		}
	}
}
