package qcschema

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fillProperties sets the fields of p by reflection, each with probability set, a slice
// with a random length (zero included unless set is 1), so that a field added to
// AtomicResultProperties and not to AppendJSON makes the comparison below fail.
func fillProperties(rng *rand.Rand, set float64) AtomicResultProperties {
	var p AtomicResultProperties
	v := reflect.ValueOf(&p).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if rng.Float64() > set {
			continue
		}
		switch f.Type() {
		case reflect.TypeFor[*int]():
			x := rng.Intn(2000) - 1000
			f.Set(reflect.ValueOf(&x))
		case reflect.TypeFor[*float64]():
			x := (rng.Float64() - 0.5) * math.Pow(10, float64(rng.Intn(40)-20))
			f.Set(reflect.ValueOf(&x))
		case reflect.TypeFor[[]float64]():
			n := rng.Intn(4) * 3
			if set >= 1 {
				n = 3 + n
			}
			xs := make([]float64, n)
			for k := range xs {
				xs[k] = (rng.Float64() - 0.5) * math.Pow(10, float64(rng.Intn(40)-20))
			}
			f.Set(reflect.ValueOf(xs))
		}
	}
	return p
}

func TestAtomicResultPropertiesAppendJSONMatchesEncodingJSON(t *testing.T) {
	type plain AtomicResultProperties
	rng := rand.New(rand.NewSource(3))
	for k := 0; k < 2000; k++ {
		p := fillProperties(rng, []float64{0, 0.3, 1}[k%3])
		want, err := json.Marshal(plain(p))
		require.NoError(t, err)
		got, err := p.AppendJSON([]byte("prefix"))
		require.NoError(t, err)
		require.Equal(t, "prefix"+string(want), string(got))
	}
	t.Run("every field", func(t *testing.T) {
		p := fillProperties(rng, 1)
		v := reflect.ValueOf(p)
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.Kind() != reflect.Map {
				require.False(t, f.IsNil() || f.Kind() == reflect.Slice && f.Len() == 0, "%s unset", v.Type().Field(i).Name)
			}
		}
		want, err := json.Marshal(plain(p))
		require.NoError(t, err)
		got, err := p.MarshalJSON()
		require.NoError(t, err)
		require.Equal(t, string(want), string(got))
	})
	t.Run("other properties after the fields, sorted", func(t *testing.T) {
		e := -1.5
		p := AtomicResultProperties{ReturnEnergy: &e, Other: map[string]json.RawMessage{
			"scf_xc_energy": json.RawMessage(`-0.25`), "ccsd_total_energy": json.RawMessage(`-76.3`), "return_energy": json.RawMessage(`0`),
		}}
		got, err := p.MarshalJSON()
		require.NoError(t, err)
		assert.Equal(t, `{"return_energy":-1.5,"ccsd_total_energy":-76.3,"scf_xc_energy":-0.25}`, string(got))
	})
	t.Run("not finite", func(t *testing.T) {
		nan := math.NaN()
		for _, p := range []AtomicResultProperties{{ReturnEnergy: &nan}, {ReturnGradient: []float64{0, math.Inf(-1), 0}}} {
			_, err := p.MarshalJSON()
			var unsupported *json.UnsupportedValueError
			assert.True(t, errors.As(err, &unsupported), "%v", err)
		}
	})
}

func BenchmarkAtomicResultPropertiesMarshalJSON(b *testing.B) {
	e := -228.123456789
	grad := make([]float64, 27)
	for i := range grad {
		grad[i] = math.Sin(float64(i)) * 1e-2
	}
	p := AtomicResultProperties{ReturnEnergy: &e, ReturnGradient: grad}
	var buf []byte
	for b.Loop() {
		var err error
		if buf, err = p.AppendJSON(buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(buf)))
}

// AppendJSON writes properties as MarshalJSON does, into a buffer of the caller's, so
// that thousands of them are encoded without an allocation each.
func ExampleAtomicResultProperties_AppendJSON() {
	e := -76.0266327350902
	p := AtomicResultProperties{ReturnEnergy: &e, ReturnGradient: []float64{0, 0, -0.0125, 0, 0, 0.0125}}
	buf, err := p.AppendJSON(make([]byte, 0, 256))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(buf))
	// Output:
	// {"return_energy":-76.0266327350902,"return_gradient":[0,0,-0.0125,0,0,0.0125]}
}
