package qcschema

import (
	"fmt"

	"github.com/qcmb-go/qcmb/internal/jsontext"
)

// MaxDepth is how deeply objects and arrays may nest in a QCSchema document that
// CheckDepth accepts, and that every reader of qcmb accepts (jsontext.MaxDepth): real
// documents nest fewer than 15 levels, and a deeper one, echoed back indented (a
// FailedOperation's input_data), grows quadratically (an 18 KB input of 9,000 nested
// arrays printed as 162 MB).
const MaxDepth = jsontext.MaxDepth

// CheckDepth reports an error if the JSON text data nests objects and arrays deeper than
// max levels. It does not otherwise validate data.
func CheckDepth(data []byte, max int) error {
	depth := 0
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '"':
			end, err := jsontext.StringEnd(data, i)
			if err != nil {
				return nil // an unterminated string: the decoder says so
			}
			i = end - 1
		case '{', '[':
			if depth++; depth > max {
				return fmt.Errorf("qcschema: JSON nested deeper than %d levels (at byte %d)", max, i)
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}
