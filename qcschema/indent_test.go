package qcschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestIndentWriter: the layout is the same whatever pieces the document arrives in, and
// the same document.
func TestIndentWriter(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"a":[1,2,3],"b":{"c":"x, y: [z] {}","d":[]},"e":[[1,2],[3,4]],"f":{},"g":["s\"]",{"h":1}]}`,
			"{\n  \"a\": [1, 2, 3],\n  \"b\": {\n    \"c\": \"x, y: [z] {}\",\n    \"d\": []\n  },\n  \"e\": [\n    [1, 2],\n    [3, 4]\n  ],\n  \"f\": {},\n  \"g\": [\n    \"s\\\"]\",\n    {\n      \"h\": 1\n    }\n  ]\n}"},
		{`[{"q":"\"]"}, null, true]`, "[\n  {\n    \"q\": \"\\\"]\"\n  },\n  null,\n  true\n]"},
		{` -1.5e-07 `, `-1.5e-07`},
		{`{"names":["a,b","c\\\",d",1,2]}`, "{\n  \"names\": [\"a,b\", \"c\\\\\\\",d\", 1, 2]\n}"},
		{"{ \"a\" : [ 1 ,\n 2 ] }", "{\n  \"a\": [1, 2]\n}"},
	}
	for _, c := range cases {
		for _, chunk := range []int{1, 2, 3, 7, 1 << 20} {
			var buf bytes.Buffer
			iw := NewIndentWriter(&buf)
			for i := 0; i < len(c.in); i += chunk {
				_, err := iw.Write([]byte(c.in[i:min(i+chunk, len(c.in))]))
				require.NoError(t, err)
			}
			require.NoError(t, iw.Flush())
			require.Equal(t, c.want, buf.String(), "chunk %d", chunk)
			var a, b any
			require.NoError(t, json.Unmarshal([]byte(c.in), &a))
			require.NoError(t, json.Unmarshal(buf.Bytes(), &b))
			require.Equal(t, a, b)
		}
	}
}

// TestWriteJSONIndentsInOnePass: a ManyBodyResult written into an IndentWriter, its
// component properties encoded straight into the layout on every core, is byte for byte
// its MarshalJSON laid out by the IndentWriter, over several batches, empty properties,
// every field, other properties holding nested JSON, and labels that need escaping.
func TestWriteJSONIndentsInOnePass(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	for _, n := range []int{0, 1, 2, 700} {
		comps := map[string]AtomicResultProperties{}
		for i := 0; i < n; i++ {
			label := fmt.Sprintf(`["hf", [%d], [%d]]`, i+1, i+1)
			if i == 1 {
				label = `"quoted" <&> \ label`
			}
			var p AtomicResultProperties
			switch i % 4 {
			case 0:
				e := -76 - float64(i)/7
				p = AtomicResultProperties{ReturnEnergy: &e, ReturnGradient: []float64{e / 3, 1e-300, -e}}
			case 1:
				p = fillProperties(rng, 1)
			case 2:
				p = fillProperties(rng, 0.3)
				p.Other = map[string]json.RawMessage{"ccsd_total_energy": json.RawMessage(`-76.3`),
					"scf_quadrupole_moment": json.RawMessage(`[[1, 0, 0], [0, 1, 0], [0, 0, 1]]`),
					"note":                  json.RawMessage(`{"a": [1, "b"], "c": {}}`)}
			case 3: // nothing set: {}
			}
			comps[label] = p
		}
		res := ManyBodyResult{ComponentProperties: comps}
		var got bytes.Buffer
		iw := NewIndentWriter(&got)
		require.NoError(t, res.WriteJSON(iw))
		require.NoError(t, iw.Flush())
		compact, err := res.MarshalJSON()
		require.NoError(t, err)
		var want bytes.Buffer
		iw = NewIndentWriter(&want)
		_, err = iw.Write(compact)
		require.NoError(t, err)
		require.NoError(t, iw.Flush())
		require.Equal(t, want.String(), got.String(), "%d components", n)
		var back ManyBodyResult
		require.NoError(t, json.Unmarshal(got.Bytes(), &back))
		require.Len(t, back.ComponentProperties, n)
	}
}
