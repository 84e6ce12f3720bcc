package qcschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
)

// Screening is qcmb's screening of a many-body expansion, the "screening" keyword of
// ManyBodyKeywords (a qcmb extension; QCManyBody rejects it). By distance, a cluster of k >=
// 2 fragments is kept when every pair of its fragments lies within the cutoff of level k
// (inclusive); monomers are always kept. By energy (Energy), a cluster of k >= 3 fragments
// is kept when the n-body increments of its subclusters say it matters. Both may be given:
// a cluster is then kept when it passes both.
//
// Infinity: JSON has none. A level left out of Cutoffs keeps every cluster of that level,
// and so does a JSON null (decoded as +Inf, and +Inf is written back as null); a very large
// number works too.
type Screening struct {
	// Metric is "min_atom" (the smallest distance between an atom of one fragment and an
	// atom of the other) or "centroid" (the distance between the unweighted means of
	// their atom positions). It may be left out, with Cutoffs, when only Energy is given.
	Metric string `json:"metric"`
	// Cutoffs maps an n-body level ("2", "3", ...) to the largest pair distance a kept
	// cluster of that level may have. They must not increase with the level.
	Cutoffs map[string]float64 `json:"cutoffs"`
	// Units of the cutoffs: "angstrom" (default) or "bohr".
	Units string `json:"units,omitempty"`
	// Energy screens clusters by the n-body increments of their subclusters; nil: by
	// distance only.
	Energy *EnergyScreening `json:"energy,omitempty"`
}

// EnergyScreening is the "energy" member of the screening keyword: an adaptive many-body
// expansion. A cluster S of k >= 3 fragments is computed when it passes the distance
// cutoffs (if any), every (k-1)-fragment subcluster of S was kept, and at least one of them,
// T, has |dE(T)| >= Thresholds["k"], where dE(T) = sum over U in T of (-1)^(|T|-|U|) E(U) is
// T's n-body increment, each E(U) in U's own basis. Levels without a threshold (or with 0)
// keep every cluster whose subclusters were all kept.
type EnergyScreening struct {
	// Thresholds maps n-body levels "3", "4", ... up to max_nbody to the smallest
	// increment magnitude that keeps a cluster of that level, in Units.
	Thresholds map[string]float64 `json:"thresholds"`
	// Units of the thresholds: "hartree" (default) or "kcal/mol" (1 hartree =
	// 627.5094740631 kcal/mol).
	Units string `json:"units,omitempty"`
	// Estimator names another entry of specification.specification whose increments make
	// the decisions; the target model chemistries then compute only the kept clusters.
	// Empty: the target's own increments decide.
	Estimator string `json:"estimator,omitempty"`
}

// screeningJSON is Screening with cutoffs that may be null.
type screeningJSON struct {
	Metric  string              `json:"metric"`
	Cutoffs map[string]*float64 `json:"cutoffs"`
	Units   string              `json:"units,omitempty"`
	Energy  *EnergyScreening    `json:"energy,omitempty"`
}

// energyOnlyJSON is a Screening by energy alone, written without metric and cutoffs.
type energyOnlyJSON struct {
	Units  string           `json:"units,omitempty"`
	Energy *EnergyScreening `json:"energy,omitempty"`
}

// UnmarshalJSON reads a Screening; a null cutoff becomes +Inf, unknown fields are errors.
func (s *Screening) UnmarshalJSON(data []byte) error {
	var raw screeningJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return fmt.Errorf("screening: %w", err)
	}
	out := Screening{Metric: raw.Metric, Units: raw.Units, Energy: raw.Energy}
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

// MarshalJSON writes a Screening; an infinite cutoff is written as null, and a screening by
// energy alone has no metric and cutoffs.
func (s Screening) MarshalJSON() ([]byte, error) {
	if s.Metric == "" && s.Cutoffs == nil && s.Energy != nil {
		return json.Marshal(energyOnlyJSON{Units: s.Units, Energy: s.Energy})
	}
	raw := screeningJSON{Metric: s.Metric, Units: s.Units, Energy: s.Energy}
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
				return nil, fmt.Errorf("screening: cutoff %s is %v", Quote(k), v)
			default:
				raw.Cutoffs[k] = &v
			}
		}
	}
	return json.Marshal(raw)
}
