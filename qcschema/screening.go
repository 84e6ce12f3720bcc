package qcschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
)

// Screening is qcmb's distance screening of a many-body expansion, the "screening" keyword
// of ManyBodyKeywords (a qcmb extension; QCManyBody rejects it). A cluster of k >= 2
// fragments is kept when every pair of its fragments lies within the cutoff of level k
// (inclusive); monomers are always kept.
//
// Infinity: JSON has none. A level left out of Cutoffs keeps every cluster of that level,
// and so does a JSON null (decoded as +Inf, and +Inf is written back as null); a very large
// number works too.
type Screening struct {
	// Metric is "min_atom" (the smallest distance between an atom of one fragment and an
	// atom of the other) or "centroid" (the distance between the unweighted means of
	// their atom positions).
	Metric string `json:"metric"`
	// Cutoffs maps an n-body level ("2", "3", ...) to the largest pair distance a kept
	// cluster of that level may have. They must not increase with the level.
	Cutoffs map[string]float64 `json:"cutoffs"`
	// Units of the cutoffs: "angstrom" (default) or "bohr".
	Units string `json:"units,omitempty"`
}

// screeningJSON is Screening with cutoffs that may be null.
type screeningJSON struct {
	Metric  string              `json:"metric"`
	Cutoffs map[string]*float64 `json:"cutoffs"`
	Units   string              `json:"units,omitempty"`
}

// UnmarshalJSON reads a Screening; a null cutoff becomes +Inf, unknown fields are errors.
func (s *Screening) UnmarshalJSON(data []byte) error {
	var raw screeningJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return fmt.Errorf("screening: %w", err)
	}
	out := Screening{Metric: raw.Metric, Units: raw.Units}
	if raw.Cutoffs != nil {
		out.Cutoffs = make(map[string]float64, len(raw.Cutoffs))
		for k, v := range raw.Cutoffs {
			if v == nil {
				out.Cutoffs[k] = math.Inf(1)
			} else {
				out.Cutoffs[k] = *v
			}
		}
	}
	*s = out
	return nil
}

// MarshalJSON writes a Screening; an infinite cutoff is written as null.
func (s Screening) MarshalJSON() ([]byte, error) {
	raw := screeningJSON{Metric: s.Metric, Units: s.Units}
	if s.Cutoffs != nil {
		raw.Cutoffs = make(map[string]*float64, len(s.Cutoffs))
		keys := make([]string, 0, len(s.Cutoffs))
		for k := range s.Cutoffs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := s.Cutoffs[k]
			switch {
			case math.IsInf(v, 1):
				raw.Cutoffs[k] = nil
			case math.IsNaN(v) || math.IsInf(v, -1):
				return nil, fmt.Errorf("screening: cutoff %q is %v", k, v)
			default:
				raw.Cutoffs[k] = &v
			}
		}
	}
	return json.Marshal(raw)
}
