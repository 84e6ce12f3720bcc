package qcschema

import (
	"encoding/json"
	"fmt"
	"math"
)

// EmbeddingChargesKey is the Molecule.Extras key under which a fragment calculation carries
// the point charges of the fragments left out of it, as QCManyBody writes them.
const EmbeddingChargesKey = "embedding_charges"

// PointCharge is one embedding point charge; Pos is in bohr. Its JSON form is
// [q, [x, y, z]]; [q, x, y, z] is accepted on input.
type PointCharge struct {
	Q   float64
	Pos [3]float64
}

// MarshalJSON writes [q, [x, y, z]].
func (c PointCharge) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{c.Q, c.Pos[:]})
}

// UnmarshalJSON reads [q, [x, y, z]] or [q, x, y, z] and refuses non-finite numbers.
func (c *PointCharge) UnmarshalJSON(data []byte) error {
	var parts []json.RawMessage
	if err := json.Unmarshal(data, &parts); err != nil {
		return fmt.Errorf("want [q, [x, y, z]]: %w", err)
	}
	var out PointCharge
	switch len(parts) {
	case 2:
		var pos []float64
		if err := json.Unmarshal(parts[0], &out.Q); err != nil {
			return fmt.Errorf("charge: %w", err)
		}
		if err := json.Unmarshal(parts[1], &pos); err != nil || len(pos) != 3 {
			return fmt.Errorf("want [q, [x, y, z]], got %s", Excerpt(data, ExcerptLen))
		}
		copy(out.Pos[:], pos)
	case 4:
		var flat []float64
		if err := json.Unmarshal(data, &flat); err != nil {
			return fmt.Errorf("want [q, x, y, z]: %w", err)
		}
		out.Q = flat[0]
		copy(out.Pos[:], flat[1:])
	default:
		return fmt.Errorf("want [q, [x, y, z]], got %d entries", len(parts))
	}
	for _, x := range []float64{out.Q, out.Pos[0], out.Pos[1], out.Pos[2]} {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("not finite: %s", Excerpt(data, ExcerptLen))
		}
	}
	*c = out
	return nil
}

// EmbeddingCharges reads extras["embedding_charges"], a list of [q, [x, y, z]] in bohr,
// whether it holds []PointCharge (built in Go) or decoded JSON. A missing or empty list
// gives nil.
func EmbeddingCharges(extras map[string]any) ([]PointCharge, error) {
	v, ok := extras[EmbeddingChargesKey]
	if !ok || v == nil {
		return nil, nil
	}
	if pcs, ok := v.([]PointCharge); ok {
		if len(pcs) == 0 {
			return nil, nil
		}
		return pcs, nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EmbeddingChargesKey, err)
	}
	var rows []json.RawMessage
	if err := json.Unmarshal(data, &rows); err != nil {
		return nil, fmt.Errorf("%s: want a list of [q, [x, y, z]]: %w", EmbeddingChargesKey, err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	out := make([]PointCharge, len(rows))
	for i, row := range rows {
		if err := json.Unmarshal(row, &out[i]); err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", EmbeddingChargesKey, i, err)
		}
	}
	return out, nil
}
