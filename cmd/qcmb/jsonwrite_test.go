package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/qcschema"
)

// TestIndenter: the streaming indenter gives the same layout whatever pieces the document
// arrives in, and the same document.
func TestIndenter(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"a":[1,2,3],"b":{"c":"x, y: [z] {}","d":[]},"e":[[1,2],[3,4]],"f":{},"g":["s\"]",{"h":1}]}`,
			"{\n  \"a\": [1, 2, 3],\n  \"b\": {\n    \"c\": \"x, y: [z] {}\",\n    \"d\": []\n  },\n  \"e\": [\n    [1, 2],\n    [3, 4]\n  ],\n  \"f\": {},\n  \"g\": [\n    \"s\\\"]\",\n    {\n      \"h\": 1\n    }\n  ]\n}"},
		{`[{"q":"\"]"}, null, true]`, "[\n  {\n    \"q\": \"\\\"]\"\n  },\n  null,\n  true\n]"},
		{` -1.5e-07 `, `-1.5e-07`},
		{`{"names":["a,b","c\\\",d",1,2]}`, "{\n  \"names\": [\"a,b\", \"c\\\\\\\",d\", 1, 2]\n}"},
	}
	for _, c := range cases {
		for _, chunk := range []int{1, 2, 3, 7, 1 << 20} {
			var buf bytes.Buffer
			ind := &indenter{w: &buf}
			for i := 0; i < len(c.in); i += chunk {
				_, err := ind.Write([]byte(c.in[i:min(i+chunk, len(c.in))]))
				require.NoError(t, err)
			}
			ind.flushPending()
			require.NoError(t, ind.flush())
			require.Equal(t, c.want, buf.String(), "chunk %d", chunk)
			var a, b any
			require.NoError(t, json.Unmarshal([]byte(c.in), &a))
			require.NoError(t, json.Unmarshal(buf.Bytes(), &b))
			require.Equal(t, a, b)
		}
	}
}

// TestWriteJSONFormatsMembersInParallel: a ManyBodyResult written by writeJSON, its
// component properties indented on every core, is byte for byte its MarshalJSON indented in
// one stream, over several batches, an empty one and labels that need escaping.
func TestWriteJSONFormatsMembersInParallel(t *testing.T) {
	for _, n := range []int{0, 1, 2, 700} {
		res := &qcschema.ManyBodyResult{ComponentProperties: map[string]qcschema.AtomicResultProperties{}}
		for i := 0; i < n; i++ {
			e := -76 - float64(i)/7
			label := fmt.Sprintf(`["hf", [%d], [%d]]`, i+1, i+1)
			if i == 1 {
				label = `"quoted" <&> \ label`
			}
			res.ComponentProperties[label] = qcschema.AtomicResultProperties{ReturnEnergy: &e, ReturnGradient: []float64{e / 3, 1e-300, -e}}
		}
		var got bytes.Buffer
		require.NoError(t, writeJSON(&got, res))
		compact, err := res.MarshalJSON()
		require.NoError(t, err)
		var want bytes.Buffer
		ind := &indenter{w: &want}
		_, err = ind.Write(compact)
		require.NoError(t, err)
		ind.flushPending()
		ind.out = append(ind.out, '\n')
		require.NoError(t, ind.flush())
		require.Equal(t, want.String(), got.String(), "%d components", n)
		var back qcschema.ManyBodyResult
		require.NoError(t, json.Unmarshal(got.Bytes(), &back))
		require.Len(t, back.ComponentProperties, n)
	}
}
