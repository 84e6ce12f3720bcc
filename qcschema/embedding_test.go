package qcschema

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

func TestEmbeddingCharges(t *testing.T) {
	tests := []struct {
		name    string
		extras  map[string]any
		want    []PointCharge
		wantErr bool
	}{
		{"absent", nil, nil, false},
		{"null", map[string]any{"embedding_charges": nil}, nil, false},
		{"empty", map[string]any{"embedding_charges": []any{}}, nil, false},
		{"nested", map[string]any{"embedding_charges": []any{[]any{-0.8, []any{1.0, 2.0, 3.0}}}}, []PointCharge{{-0.8, [3]float64{1, 2, 3}}}, false},
		{"flat", map[string]any{"embedding_charges": [][]float64{{0.4, 1, 2, 3}}}, []PointCharge{{0.4, [3]float64{1, 2, 3}}}, false},
		{"typed", map[string]any{"embedding_charges": []PointCharge{{0.4, [3]float64{1, 2, 3}}}}, []PointCharge{{0.4, [3]float64{1, 2, 3}}}, false},
		{"short position", map[string]any{"embedding_charges": [][]any{{0.4, []float64{1, 2}}}}, nil, true},
		{"three entries", map[string]any{"embedding_charges": [][]float64{{0.4, 1, 2}}}, nil, true},
		{"not a list", map[string]any{"embedding_charges": "x"}, nil, true},
		{"charge not a number", map[string]any{"embedding_charges": []any{[]any{"q", []float64{1, 2, 3}}}}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EmbeddingCharges(tt.extras)
			if tt.wantErr {
				require.Error(t, err)
			} else {
				require.NoError(t, err)
			}
			require.Empty(t, cmp.Diff(tt.want, got), "charges (-want +got)")
		})
	}
}

func TestPointChargeJSON(t *testing.T) {
	in := []PointCharge{{-0.8, [3]float64{0.1, -2.5, 3}}, {0.4, [3]float64{}}}
	data, err := json.Marshal(in)
	require.NoError(t, err)
	require.Equal(t, `[[-0.8,[0.1,-2.5,3]],[0.4,[0,0,0]]]`, string(data), "encoded")
	var back []PointCharge
	require.NoError(t, json.Unmarshal(data, &back))
	require.Empty(t, cmp.Diff(in, back), "round trip (-want +got)")
}
