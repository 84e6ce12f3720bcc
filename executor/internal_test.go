package executor

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
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
				if err == nil {
					t.Errorf("no error for %s: %s", c.payload, line)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			line, ok := bytes.CutPrefix(line, []byte("prefix:"))
			if !ok || bytes.ContainsAny(line, "\r\n") {
				t.Fatalf("bad line %q", line)
			}
			var got, want map[string]any
			if err := json.Unmarshal(line, &got); err != nil {
				t.Fatalf("%s -> %s: %v", c.payload, line, err)
			}
			_ = json.Unmarshal([]byte(c.payload), &want)
			if c.name == "extras not object" {
				if !reflect.DeepEqual(got, want) {
					t.Errorf("got %v want %v", got, want)
				}
				return
			}
			ex, _ := got["extras"].(map[string]any)
			if ex[ProgramKey] != "prog" {
				t.Errorf("%s -> %s: no program", c.payload, line)
			}
			delete(ex, ProgramKey)
			if wex, ok := want["extras"].(map[string]any); ok {
				delete(wex, ProgramKey)
				if !reflect.DeepEqual(ex, wex) {
					t.Errorf("extras %v, want %v", ex, wex)
				}
			}
			delete(got, "extras")
			delete(want, "extras")
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s -> %s: rest changed", c.payload, line)
			}
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
		if got := r.String(); got != w {
			t.Fatalf("after %q: %q, want %q", s, got, w)
		}
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
		if got := tailLines(c.in, c.n, 100); got != c.want {
			t.Errorf("tailLines(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	o := Options{Backoff: 10}
	for i, want := range []int64{10, 20, 40, 80} {
		if got := o.backoff(i + 1); int64(got) != want {
			t.Errorf("backoff(%d) = %d, want %d", i+1, got, want)
		}
	}
}
