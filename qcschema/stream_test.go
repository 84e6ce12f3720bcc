package qcschema

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// TestWriteJSONEqualsMarshalJSON: the streaming encoding is MarshalJSON's, byte for byte,
// with strings that look like the marker and labels that need escaping.
func TestWriteJSONEqualsMarshalJSON(t *testing.T) {
	e1, e2 := -76.1, -152.2
	out := `"component_properties":{} in stdout`
	cases := map[string]ManyBodyResult{
		"empty": {},
		"components": {
			Stdout: &out,
			ComponentProperties: map[string]AtomicResultProperties{
				`["hf", [2], [1, 2]]`: {ReturnEnergy: &e2, ReturnGradient: []float64{0.1, -0.2, 3e-9, 0, 0, 1}},
				`["hf", [1], [1]]`:    {ReturnEnergy: &e1},
				`"quoted" <&>`:        {ReturnEnergy: &e1},
			},
			Extras: map[string]any{"note": `"component_properties":{}`},
		},
	}
	many := map[string]AtomicResultProperties{}
	for i := 0; i < 600; i++ { // several batches
		e := -76 - float64(i)/7
		many[fmt.Sprintf(`["hf", [%d], [%d]]`, i+1, i+1)] = AtomicResultProperties{ReturnEnergy: &e, ReturnGradient: []float64{e / 3, 1e-300, -e}}
	}
	cases["batches"] = ManyBodyResult{ComponentProperties: many}
	for name, r := range cases {
		t.Run(name, func(t *testing.T) {
			want, err := r.MarshalJSON()
			require.NoError(t, err)
			var got bytes.Buffer
			require.NoError(t, r.WriteJSON(&got))
			require.Equal(t, string(want), got.String(), "WriteJSON against MarshalJSON")
		})
	}
}

// failingWriter fails once more than n bytes were written to it.
type failingWriter struct{ n int }

var errWriterFull = errors.New("writer full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n -= len(p); w.n < 0 {
		return 0, errWriterFull
	}
	return len(p), nil
}

// TestWriteJSONStopsOnWriteError: a write error ends WriteJSON with that error, at any
// point, and leaves no encoding goroutine behind.
func TestWriteJSONStopsOnWriteError(t *testing.T) {
	defer goleak.VerifyNone(t)
	comps := map[string]AtomicResultProperties{}
	for i := 0; i < 2000; i++ {
		e := -76 - float64(i)/7
		comps[fmt.Sprintf(`["hf", [%d], [%d]]`, i+1, i+1)] = AtomicResultProperties{ReturnEnergy: &e, ReturnGradient: make([]float64, 30)}
	}
	r := ManyBodyResult{ComponentProperties: comps}
	for _, n := range []int{0, 100, 5000, 200000} {
		require.ErrorIs(t, r.WriteJSON(&failingWriter{n: n}), errWriterFull, "fails after %d bytes", n)
	}
}
