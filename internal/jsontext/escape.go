package jsontext

import (
	"encoding/json"
	"unicode/utf8"
)

// Escaping says which characters AppendString escapes.
type Escaping uint8

const (
	// EscapeMinimal escapes only what JSON requires: '"' and '\' with a backslash, control
	// characters as \u00XX. It is the canonical form of a string (task keys hash it).
	EscapeMinimal Escaping = iota
	// EscapeHTML writes a string as encoding/json does: control characters \n, \r, \t,
	// \b and \f short, '<', '>' and '&' as \u003c, \u003e and \u0026, U+2028 and U+2029
	// escaped, invalid UTF-8 as \ufffd.
	EscapeHTML
)

// plainHTML marks the bytes that EscapeHTML writes as they are, but for '"'.
var plainHTML = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// AppendString appends s to dst as a JSON string, quotes included, escaped as e says.
func AppendString(dst []byte, s string, e Escaping) []byte {
	if e == EscapeHTML {
		for i := 0; i < len(s); i++ {
			if !plainHTML[s[i]] {
				// Rare in what qcmb writes (labels, names): encoding/json's own rules.
				q, _ := json.Marshal(s) // a string always encodes
				return append(dst, q...)
			}
		}
	}
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}
