package qcschema

import (
	"errors"
	"fmt"
)

// ErrInvalid is matched (with errors.Is) by every *ValidationError.
var ErrInvalid = errors.New("qcschema: invalid")

// ValidationError says which field of a document is wrong. Field is the QCSchema (JSON)
// name of the field, such as "symbols", "geometry", "fragments", "fragment_charges" or
// "molecular_multiplicity"; Index is the offending element of that field (an atom for
// "symbols", a flat coordinate for "geometry", a fragment for "fragments") or -1 when the
// field as a whole is wrong. Find it with errors.As.
type ValidationError struct {
	Field string
	Index int
	Msg   string
}

// Error quotes at most ExcerptLen bytes of the field's value.
func (e *ValidationError) Error() string {
	msg := Excerpt(e.Msg, 2*ExcerptLen)
	if e.Index >= 0 {
		return fmt.Sprintf("qcschema: invalid %s[%d]: %s", e.Field, e.Index, msg)
	}
	return fmt.Sprintf("qcschema: invalid %s: %s", e.Field, msg)
}

// Is makes errors.Is(err, ErrInvalid) true for validation errors.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

func invalid(field string, index int, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Index: index, Msg: fmt.Sprintf(format, args...)}
}

// ParseError is a syntax error in a molecule string (XYZ or psi4 format). Line is 1-based.
type ParseError struct {
	Format string // "xyz" or "psi4"
	Line   int
	Text   string // the offending line, trimmed
	Msg    string
}

// Error quotes at most ExcerptLen bytes of the offending line.
func (e *ParseError) Error() string {
	if e.Text != "" {
		return fmt.Sprintf("qcschema: %s line %d: %s: %q", e.Format, e.Line, Excerpt(e.Msg, 2*ExcerptLen), Excerpt(e.Text, ExcerptLen))
	}
	return fmt.Sprintf("qcschema: %s line %d: %s", e.Format, e.Line, Excerpt(e.Msg, 2*ExcerptLen))
}
