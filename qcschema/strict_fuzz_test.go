package qcschema

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzStrictScanner feeds arbitrary bytes to the member scanner and the version probe:
// they never panic, a valid JSON document never looks malformed to the scanner, and a
// document the scanner accepts decodes as json.Unmarshal decodes it.
func FuzzStrictScanner(f *testing.F) {
	f.Add([]byte(mbDoc("", "", "", "", "")))
	f.Add([]byte(mbDoc("", "", `,"bsse_typo":1`, "", "")))
	f.Add([]byte(`{"a":[{"b":1,"b":2}],"c":"\u0041\"","d":-1.5e3,"e":[true,false,null]}`))
	f.Add([]byte(`{"specification":{"specification":{"model":{}}}}`))
	f.Add([]byte(`[1,`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := scanner{data: data}
		err := s.value(manyBodyInputShape)
		if json.Valid(data) {
			require.NotErrorIs(t, err, errSyntax, "valid JSON seen as malformed: %q", data)
		}
		_, _, _ = topSchema(data)
		var lenient map[string]any
		if checkMembers(data, anyShape) == nil && json.Valid(data) && data[0] == '{' {
			require.NoError(t, json.Unmarshal(data, &lenient), "accepted but not decodable: %q", data)
		}
		var in ManyBodyInput
		_ = json.Unmarshal(data, &in)
		_, _, _ = DecodeManyBodyInput(data)
	})
}
