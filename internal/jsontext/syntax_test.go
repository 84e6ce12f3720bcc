package jsontext

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckSyntax(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       string // "" when the text is JSON
	}{
		{"valid", "{\"a\": [1, 2]}\n", ""},
		{"comma after key:value on line 2", "{\"a\": 1,\n  , }", "in.json:2:3: invalid character ',' looking for beginning of object key string"},
		{"missing comma", "{\"s\": [\"He\"] \"g\": 0}", "in.json:1:14: invalid character '\"' after object key:value pair"},
		{"columns count characters", "{\"é\": \"ü\",\n\"ä\" 1}", "in.json:2:5: invalid character '1' after object key"},
		{"unexpected end", "{\"a\": [1,\n 2", "in.json:2:3: unexpected end of JSON input"},
		{"two values", "{}\n{}", "in.json:2:1: invalid character '{' after top-level value"},
		{"empty", "", "in.json:1:1: unexpected end of JSON input"},
		{"tab counts as one", "{\n\t\"a\": tru}", "in.json:2:10: invalid character '}' in literal true (expecting 'e')"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckSyntax("in.json", []byte(tc.text))
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tc.want)
			var se *SyntaxError
			require.ErrorAs(t, err, &se)
		})
	}
}

func TestCheckSyntaxStream(t *testing.T) {
	lines := "{\"a\": 1}\n{\"b\": 2}\n"
	require.NoError(t, CheckSyntaxStream("c.jsonl", []byte(lines)))
	require.EqualError(t, CheckSyntaxStream("c.jsonl", []byte(lines+"{\"c\": , }\n")),
		"c.jsonl:3:7: invalid character ',' looking for beginning of value")
	require.EqualError(t, CheckSyntaxStream("", []byte(lines+"{\"c\": [1")),
		"line 3, column 9: unexpected end of JSON input")
}

func TestPosition(t *testing.T) {
	data := []byte("ab\ncé\nx")
	for _, tc := range []struct{ offset, line, column int }{
		{0, 1, 1}, {2, 1, 3}, {3, 2, 1}, {4, 2, 2}, {6, 2, 3}, {7, 3, 1}, {8, 3, 2}, {100, 3, 2}, {-1, 1, 1},
	} {
		line, col := Position(data, tc.offset)
		assert.Equal(t, [2]int{tc.line, tc.column}, [2]int{line, col}, "offset %d", tc.offset)
	}
}
