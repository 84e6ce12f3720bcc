package jsontext

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// SyntaxError is text that is no JSON, at the 1-based line and column (in characters) of
// the first character that makes it so, or just past the end when the text ends too soon.
type SyntaxError struct {
	// Name is the file the text came from, "" when it has none.
	Name         string
	Line, Column int
	// Msg says what is wrong, as encoding/json says it.
	Msg string
}

// Error reads "NAME:LINE:COLUMN: MSG", the form compilers and editors use, or "line L,
// column C: MSG" without a name.
func (e *SyntaxError) Error() string {
	if e.Name == "" {
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.Name, e.Line, e.Column, e.Msg)
}

// CheckSyntax returns nil if data is one JSON value (with white space around it), and
// otherwise a *SyntaxError naming name and the position of the first fault. It reads data
// as encoding/json does; callers run it when decoding failed, to say where, so the text of
// a good document is not passed over twice.
func CheckSyntax(name string, data []byte) error {
	var v json.RawMessage
	err := json.Unmarshal(data, &v)
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return nil
	}
	at := int(se.Offset) - 1
	if se.Error() == "unexpected end of JSON input" {
		at = len(data)
	}
	return syntaxErrorAt(name, data, at, se.Error())
}

// CheckSyntaxStream is CheckSyntax for a sequence of JSON values, such as JSON lines.
func CheckSyntaxStream(name string, data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var v json.RawMessage
		err := dec.Decode(&v)
		var se *json.SyntaxError
		switch {
		case err == io.EOF:
			return nil
		case errors.Is(err, io.ErrUnexpectedEOF):
			return syntaxErrorAt(name, data, len(data), "unexpected end of JSON input")
		case errors.As(err, &se):
			return syntaxErrorAt(name, data, int(se.Offset)-1, se.Error())
		case err != nil:
			return nil
		}
	}
}

func syntaxErrorAt(name string, data []byte, at int, msg string) *SyntaxError {
	line, col := Position(data, at)
	return &SyntaxError{Name: name, Line: line, Column: col, Msg: msg}
}

// Position is the 1-based line and column of the byte at offset in data, counting
// columns in characters (UTF-8 sequences; a byte that is none counts as one). Lines end
// at '\n'.
func Position(data []byte, offset int) (line, column int) {
	offset = min(max(offset, 0), len(data))
	before := data[:offset]
	line = bytes.Count(before, []byte{'\n'}) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[start:]) + 1
}
