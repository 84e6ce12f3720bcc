package jsontext

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrInvalidString says that a JSON string holds no text: invalid UTF-8, or an escaped
// UTF-16 surrogate without its pair (a lone surrogate), which no UTF-8 text can hold and
// which encoding/json replaces by U+FFFD without a word.
var ErrInvalidString = errors.New("not text")

// CheckString checks the raw contents of a JSON string (between its quotes, escapes not
// decoded): valid UTF-8, and every \u escape of a UTF-16 surrogate paired. The error
// wraps ErrInvalidString and says where (byte offset within raw).
func CheckString(raw []byte) error {
	if !utf8.Valid(raw) {
		for i := 0; i < len(raw); {
			r, n := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && n <= 1 {
				return fmt.Errorf("%w: invalid UTF-8 at byte %d", ErrInvalidString, i)
			}
			i += n
		}
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		i++
		if i >= len(raw) || raw[i] != 'u' {
			continue
		}
		r, ok := hex4(raw, i+1)
		if !ok {
			continue // the decoder reports a bad escape
		}
		switch {
		case utf16.IsSurrogate(r) && r < 0xdc00: // a high surrogate: a low one must follow
			if lo, ok := hex4(raw, i+7); ok && i+6 < len(raw) && raw[i+5] == '\\' && raw[i+6] == 'u' && lo >= 0xdc00 && lo <= 0xdfff {
				i += 10
				continue
			}
			return fmt.Errorf("%w: lone surrogate \\u%04x at byte %d", ErrInvalidString, r, i-1)
		case utf16.IsSurrogate(r):
			return fmt.Errorf("%w: lone surrogate \\u%04x at byte %d", ErrInvalidString, r, i-1)
		}
		i += 4
	}
	return nil
}

// hex4 reads the four hexadecimal digits at raw[i:].
func hex4(raw []byte, i int) (rune, bool) {
	if i+4 > len(raw) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(raw[i:i+4]), 16, 16)
	return rune(v), err == nil
}

// CheckStrings checks every string of the JSON document data (member names too) with
// CheckString; the error says at which byte of data the string starts.
func CheckStrings(data []byte) error {
	for i := 0; i < len(data); i++ {
		if data[i] != '"' {
			continue
		}
		end, err := StringEnd(data, i)
		if err != nil {
			return nil // the decoder reports it
		}
		if err := CheckString(data[i+1 : end-1]); err != nil {
			return fmt.Errorf("the string at byte %d: %w", i, err)
		}
		i = end - 1
	}
	return nil
}
