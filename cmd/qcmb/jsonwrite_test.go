package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
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
			w := bufio.NewWriter(&buf)
			ind := &indenter{w: w}
			for i := 0; i < len(c.in); i += chunk {
				_, err := ind.Write([]byte(c.in[i:min(i+chunk, len(c.in))]))
				require.NoError(t, err)
			}
			ind.flushPending()
			require.NoError(t, w.Flush())
			require.Equal(t, c.want, buf.String(), "chunk %d", chunk)
			var a, b any
			require.NoError(t, json.Unmarshal([]byte(c.in), &a))
			require.NoError(t, json.Unmarshal(buf.Bytes(), &b))
			require.Equal(t, a, b)
		}
	}
}
