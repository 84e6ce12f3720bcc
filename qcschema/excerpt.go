package qcschema

import (
	"fmt"
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
