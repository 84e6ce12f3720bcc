package executor

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendLine(t *testing.T) {
	prog := []byte(`"prog"`)
	for _, c := range []struct {
		name, payload string
		wantErr       bool
	}{
		{"no extras", `{"a":1,"b":[1,{"extras":2}]}`, false},
		{"empty object", `{}`, false},
		{"empty object spaced", " { } ", false},
		{"null extras", `{"extras":null,"x":"}"}`, false},
		{"empty extras", `{"extras":{},"x":1}`, false},
		{"extras with members", `{"x":"a\"b\\","extras":{"k":[1,2,{"q":"}"}]},"y":true}`, false},
		{"extras has key", `{"extras":{"a":1,"qcmb:program":"other","b":2}}`, false},
		{"extras has key only", `{"extras":{"qcmb:program":null}}`, false},
		{"escaped key", `{"\u0065xtras":{"a":1}}`, false},
		{"pretty", "{\n  \"extras\": {\n    \"a\": 1\n  },\n  \"g\": [\n    1.5e-300\n  ]\n}", false},
		{"extras not object", `{"extras":[1]}`, false},
		{"array", `[1,2]`, true},
		{"garbage", `{"a" 1}`, true},
		{"pretty garbage", "{\n\"a\"", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			line, err := appendLine([]byte("prefix:"), []byte(c.payload), prog)
			if c.wantErr {
				assert.Error(t, err, "no error for %s: %s", c.payload, line)
				return
			}
			require.NoError(t, err)
			line, ok := bytes.CutPrefix(line, []byte("prefix:"))
			require.True(t, ok, "bad line %q", line)
			require.False(t, bytes.ContainsAny(line, "\r\n"), "bad line %q", line)
			var got, want map[string]any
			require.NoError(t, json.Unmarshal(line, &got), "%s -> %s", c.payload, line)
			_ = json.Unmarshal([]byte(c.payload), &want)
			if c.name == "extras not object" {
				assert.Equal(t, want, got)
				return
			}
			ex, _ := got["extras"].(map[string]any)
			assert.Equal(t, "prog", ex[ProgramKey], "%s -> %s: program", c.payload, line)
			delete(ex, ProgramKey)
			if wex, ok := want["extras"].(map[string]any); ok {
				delete(wex, ProgramKey)
				assert.Equal(t, wex, ex, "extras")
			}
			delete(got, "extras")
			delete(want, "extras")
			assert.Equal(t, want, got, "%s -> %s: rest changed", c.payload, line)
		})
	}
}

func TestRing(t *testing.T) {
	r := newRing(8)
	var all strings.Builder
	for _, s := range []string{"ab", "cdef", "ghij", "k", "0123456789xyz", "", "Q"} {
		r.Write([]byte(s))
		all.WriteString(s)
		w := all.String()
		if len(w) > 8 {
			w = w[len(w)-8:]
		}
		require.Equal(t, w, r.String(), "after %q", s)
	}
}

func TestTailLines(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"a\nb\nc\n", 2, "b\nc"},
		{"a\nb\nc", 5, "a\nb\nc"},
		{"", 3, ""},
		{"one", 1, "one"},
	} {
		assert.Equal(t, c.want, tailLines(c.in, c.n, 100), "tailLines(%q, %d)", c.in, c.n)
	}
}

func TestBackoff(t *testing.T) {
	o := Options{Backoff: 10}
	for i, want := range []int64{10, 20, 40, 80} {
		assert.Equal(t, want, int64(o.backoff(i+1)), "backoff(%d)", i+1)
	}
}
