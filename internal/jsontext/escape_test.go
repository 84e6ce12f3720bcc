package jsontext

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestAppendString: EscapeHTML writes what encoding/json writes, byte for byte;
// EscapeMinimal escapes only quotes, backslashes and control characters; both read back
// as the string.
func TestAppendString(t *testing.T) {
	cases := []struct{ in, minimal string }{
		{"plain", `"plain"`},
		{`["mp2", [1], [1, 2]]`, `"[\"mp2\", [1], [1, 2]]"`},
		{"tab\tnew\nline\r\b\f\x01\x1f", `"tab\u0009new\u000aline\u000d\u0008\u000c\u0001\u001f"`},
		{`back\slash /`, `"back\\slash /"`},
		{"<&> é \u2028 \u2029", "\"<&> é \u2028 \u2029\""},
		{"bad \xff utf8", "\"bad \xff utf8\""},
		{"", `""`},
	}
	for _, c := range cases {
		want, err := json.Marshal(c.in)
		assert.NoError(t, err)
		assert.Equal(t, string(want), string(AppendString([]byte("x"), c.in, EscapeHTML))[1:], "EscapeHTML %q", c.in)
		got := AppendString(nil, c.in, EscapeMinimal)
		assert.Equal(t, c.minimal, string(got), "EscapeMinimal %q", c.in)
		var back string
		if assert.NoError(t, json.Unmarshal(got, &back)) && c.in != "bad \xff utf8" {
			assert.Equal(t, c.in, back)
		}
	}
}
