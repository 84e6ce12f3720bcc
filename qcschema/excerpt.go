package qcschema

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ExcerptLen is how much of a bad input an error message quotes.
const ExcerptLen = 200

// Excerpt returns s if it is at most max bytes long, else its first max bytes (cut at a
// UTF-8 boundary) followed by "..." and the full length: errors quote bad input, never all
// of it.
func Excerpt[T ~string | ~[]byte](s T, max int) string {
	if len(s) <= max {
		return string(s)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s... (%d bytes)", s[:cut], len(s))
}

// Quote returns s as a double-quoted Go string literal, as %q writes it, of at most
// ExcerptLen bytes of s (see Excerpt): how a message quotes a value from an input, whatever
// its size.
func Quote[T ~string | ~[]byte](s T) string { return strconv.Quote(Excerpt(s, ExcerptLen)) }

// ExcerptValue is the excerpt of a value as %v writes it (see Excerpt): how a message
// shows a value from an input that may be of any type and size.
func ExcerptValue(v any) string { return Excerpt(fmt.Sprint(v), ExcerptLen) }

// ExcerptLines bounds a message of several lines: each line is cut to lineMax bytes and
// the whole to max bytes (see Excerpt), so that no value a message quotes, however large,
// makes it large.
func ExcerptLines(s string, lineMax, max int) string {
	if len(s) <= lineMax {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Excerpt(l, lineMax)
	}
	return Excerpt(strings.Join(lines, "\n"), max)
}
