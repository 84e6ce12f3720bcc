package jsonnum

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
)

// Append appends x as encoding/json writes a float64: the shortest decimal that reads back
// as x, in exponent form below 1e-6 and from 1e21 ("1e-07" written "1e-7"). NaN and the
// infinities, which JSON cannot hold, are an *json.UnsupportedValueError, as from
// encoding/json.
func Append(b []byte, x float64) ([]byte, error) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return b, &json.UnsupportedValueError{Value: reflect.ValueOf(x), Str: strconv.FormatFloat(x, 'g', -1, 64)}
	}
	format := byte('f')
	if abs := math.Abs(x); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, x, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}
