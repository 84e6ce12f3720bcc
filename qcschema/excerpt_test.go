package qcschema_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/qcmb-go/qcmb/qcschema"
)

func TestExcerpt(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"0123456789abc", 10, "0123456789... (13 bytes)"},
		{"aé", 2, "a... (3 bytes)"}, // never half a character
	} {
		if got := qcschema.Excerpt(tc.in, tc.max); got != tc.want {
			t.Errorf("Excerpt(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

func TestCheckDepth(t *testing.T) {
	for _, tc := range []struct {
		doc string
		ok  bool
	}{
		{`{"a": [1, {"b": [[2]]}]}`, true},
		{strings.Repeat("[", 5) + strings.Repeat("]", 5), true},
		{strings.Repeat("[", 6) + strings.Repeat("]", 6), false},
		{`["[[[[[[[[[[", "\"[[[[[[[["]`, true}, // brackets in strings do not count
	} {
		if err := qcschema.CheckDepth([]byte(tc.doc), 5); (err == nil) != tc.ok {
			t.Errorf("CheckDepth(%s): %v", tc.doc, err)
		}
	}
}

// TestErrorsQuoteExcerpts: bad input of megabytes is quoted by a short excerpt, and a
// deeply nested AtomicInput is refused before it can be echoed indented.
func TestErrorsQuoteExcerpts(t *testing.T) {
	huge := strings.Repeat("Q", 10<<20)
	m := qcschema.Molecule{Symbols: []string{huge}, Geometry: []float64{0, 0, 0}}
	err := m.Validate()
	var ve *qcschema.ValidationError
	if !errors.As(err, &ve) || len(err.Error()) > 1000 || !strings.Contains(err.Error(), "unknown element") {
		t.Errorf("Validate of a 10 MB symbol: %d-byte error %.100q", len(err.Error()), err.Error())
	}
	_, err = qcschema.ParsePsi4("0 1\nHe 0 0 " + huge + "\n")
	if err == nil || len(err.Error()) > 1000 {
		t.Errorf("ParsePsi4 of a 10 MB line: %d-byte error", len(err.Error()))
	}
	nested := `{"driver": "energy", "keywords": {"x": ` + strings.Repeat("[", 9000) + strings.Repeat("]", 9000) + `}}`
	var in qcschema.AtomicInput
	if err := json.Unmarshal([]byte(nested), &in); err == nil || !strings.Contains(err.Error(), "nested deeper than 100 levels") {
		t.Errorf("deeply nested AtomicInput: %v", err)
	}
}

// TestQuoteAndExcerptLines: values are quoted as %q quotes them, cut to ExcerptLen bytes
// first; a message of many lines has each line cut and the whole bounded.
func TestQuoteAndExcerptLines(t *testing.T) {
	if got := qcschema.Quote("mp2\n"); got != `"mp2\n"` {
		t.Errorf("Quote(short) = %s", got)
	}
	big := strings.Repeat("é", 1<<19) // 1 MiB of two-byte characters
	q := qcschema.Quote(big)
	if len(q) > qcschema.ExcerptLen+40 || !strings.HasSuffix(q, `... (1048576 bytes)"`) {
		t.Errorf("Quote(1 MiB) = %d bytes, ending %q", len(q), q[len(q)-30:])
	}
	if got := qcschema.ExcerptValue([]any{big}); len(got) > qcschema.ExcerptLen+30 {
		t.Errorf("ExcerptValue of 1 MiB: %d bytes", len(got))
	}
	msg := "first line\n" + strings.Repeat("x", 5000) + "\nlast line"
	got := qcschema.ExcerptLines(msg, 100, 1000)
	lines := strings.Split(got, "\n")
	if len(lines) != 3 || lines[0] != "first line" || lines[2] != "last line" || len(lines[1]) > 130 {
		t.Errorf("ExcerptLines: %q", got)
	}
	if got := qcschema.ExcerptLines(strings.Repeat("y\n", 10000), 100, 1000); len(got) > 1030 {
		t.Errorf("ExcerptLines of 20000 bytes: %d bytes", len(got))
	}
	if got := qcschema.ExcerptLines("short", 100, 1000); got != "short" {
		t.Errorf("ExcerptLines(short) = %q", got)
	}
}
