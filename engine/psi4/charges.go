package psi4

import (
	"encoding/json"
	"fmt"
	"math"
)

// charge is one embedding point charge, position in bohr.
type charge struct {
	Q   float64
	Pos [3]float64
}

// MarshalJSON writes [q, [x, y, z]], the form Psi4's external_potentials takes.
func (c charge) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{c.Q, c.Pos[:]})
}

// embeddingCharges reads molecule extras["embedding_charges"]: a list of [q, [x, y, z]]
// (or [q, x, y, z]) in bohr. A missing or empty list gives nil.
func embeddingCharges(extras map[string]any) ([]charge, error) {
	v, ok := extras["embedding_charges"]
	if !ok || v == nil {
		return nil, nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("embedding_charges: %v", err)
	}
	var rows []json.RawMessage
	if err := json.Unmarshal(data, &rows); err != nil {
		return nil, fmt.Errorf("embedding_charges: want a list of [q, [x, y, z]]: %v", err)
	}
	out := make([]charge, 0, len(rows))
	for i, row := range rows {
		var c charge
		var nested struct {
			q   float64
			pos []float64
		}
		var parts []json.RawMessage
		if err := json.Unmarshal(row, &parts); err != nil {
			return nil, fmt.Errorf("embedding_charges[%d]: %v", i, err)
		}
		switch len(parts) {
		case 2:
			if err := json.Unmarshal(parts[0], &nested.q); err != nil {
				return nil, fmt.Errorf("embedding_charges[%d]: charge: %v", i, err)
			}
			if err := json.Unmarshal(parts[1], &nested.pos); err != nil || len(nested.pos) != 3 {
				return nil, fmt.Errorf("embedding_charges[%d]: want [q, [x, y, z]]", i)
			}
		case 4:
			var flat []float64
			if err := json.Unmarshal(row, &flat); err != nil {
				return nil, fmt.Errorf("embedding_charges[%d]: %v", i, err)
			}
			nested.q, nested.pos = flat[0], flat[1:]
		default:
			return nil, fmt.Errorf("embedding_charges[%d]: want [q, [x, y, z]], got %d entries", i, len(parts))
		}
		c.Q = nested.q
		copy(c.Pos[:], nested.pos)
		for _, x := range append([]float64{c.Q}, c.Pos[:]...) {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("embedding_charges[%d]: not finite", i)
			}
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}
