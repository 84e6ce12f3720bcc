package qcschema_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
		assert.Equal(t, tc.want, qcschema.Excerpt(tc.in, tc.max), "Excerpt(%q, %d)", tc.in, tc.max)
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
		if err := qcschema.CheckDepth([]byte(tc.doc), 5); tc.ok {
			assert.NoError(t, err, "CheckDepth(%s)", tc.doc)
		} else {
			assert.Error(t, err, "CheckDepth(%s)", tc.doc)
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
	require.ErrorAs(t, err, &ve, "Validate of a 10 MB symbol")
	assert.LessOrEqual(t, len(err.Error()), 1000, "Validate of a 10 MB symbol: error's length")
	assert.ErrorContains(t, err, "unknown element", "Validate of a 10 MB symbol")
	_, err = qcschema.ParsePsi4("0 1\nHe 0 0 " + huge + "\n")
	require.Error(t, err, "ParsePsi4 of a 10 MB line")
	assert.LessOrEqual(t, len(err.Error()), 1000, "ParsePsi4 of a 10 MB line: error's length")
	nested := `{"driver": "energy", "keywords": {"x": ` + strings.Repeat("[", 9000) + strings.Repeat("]", 9000) + `}}`
	var in qcschema.AtomicInput
	assert.ErrorContains(t, json.Unmarshal([]byte(nested), &in), "nested deeper than 100 levels", "deeply nested AtomicInput")
}

// TestQuoteAndExcerptLines: values are quoted as %q quotes them, cut to ExcerptLen bytes
// first; a message of many lines has each line cut and the whole bounded.
func TestQuoteAndExcerptLines(t *testing.T) {
	assert.Equal(t, `"mp2\n"`, qcschema.Quote("mp2\n"), "Quote(short)")
	big := strings.Repeat("é", 1<<19) // 1 MiB of two-byte characters
	q := qcschema.Quote(big)
	assert.LessOrEqual(t, len(q), qcschema.ExcerptLen+40, "Quote(1 MiB): length")
	assert.True(t, strings.HasSuffix(q, `... (1048576 bytes)"`), "Quote(1 MiB) ends %q", q[len(q)-30:])
	assert.LessOrEqual(t, len(qcschema.ExcerptValue([]any{big})), qcschema.ExcerptLen+30, "ExcerptValue of 1 MiB: length")
	msg := "first line\n" + strings.Repeat("x", 5000) + "\nlast line"
	got := qcschema.ExcerptLines(msg, 100, 1000)
	lines := strings.Split(got, "\n")
	if assert.Len(t, lines, 3, "ExcerptLines: %q", got) {
		assert.Equal(t, "first line", lines[0], "ExcerptLines")
		assert.Equal(t, "last line", lines[2], "ExcerptLines")
		assert.LessOrEqual(t, len(lines[1]), 130, "ExcerptLines: the long line's length")
	}
	assert.LessOrEqual(t, len(qcschema.ExcerptLines(strings.Repeat("y\n", 10000), 100, 1000)), 1030, "ExcerptLines of 20000 bytes: length")
	assert.Equal(t, "short", qcschema.ExcerptLines("short", 100, 1000), "ExcerptLines(short)")
}
