package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIndentJSON(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"a":[1,2,3],"b":{"c":"x, y: [z]","d":[]},"e":[[1,2],[3,4]],"f":{}}`,
			"{\n  \"a\": [1, 2, 3],\n  \"b\": {\n    \"c\": \"x, y: [z]\",\n    \"d\": []\n  },\n  \"e\": [\n    [1, 2],\n    [3, 4]\n  ],\n  \"f\": {}\n}"},
		{`[{"q":"\"]"}, null, true]`, "[\n  {\n    \"q\": \"\\\"]\"\n  },\n  null,\n  true\n]"},
		{`-1.5e-07`, `-1.5e-07`},
	}
	for _, c := range cases {
		var buf bytes.Buffer
		w := bufio.NewWriter(&buf)
		indentJSON(w, []byte(c.in))
		require.NoError(t, w.Flush())
		require.Equal(t, c.want, buf.String())
		// The same document, whatever the layout.
		var a, b any
		require.NoError(t, json.Unmarshal([]byte(c.in), &a))
		require.NoError(t, json.Unmarshal(buf.Bytes(), &b))
		require.Equal(t, a, b)
	}
}
