package manybody

import (
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/qcmb-go/qcmb/qcschema"
)

// KcalMolPerHartree is the factor the energy-screening keyword converts kcal/mol
// thresholds with (CODATA 2018, QCElemental's current value).
const KcalMolPerHartree = 627.5094740631

// EnergyScreening keeps a cluster of three or more fragments only when the n-body
// increment of one of its subclusters says it matters (a qcmb extension; see
// Core.NewExpansion for how a run follows the decisions).
//
// A cluster S of k >= 3 fragments is kept when it passes the distance cutoffs (if any),
// every (k-1)-fragment subcluster of S was kept, and at least one of them, T, has
// |dE(T)| >= Thresholds[k], where dE(T) = sum over U in T of (-1)^(|T|-|U|) E(U) is T's
// n-body increment, each E(U) the energy of U in its own basis at the deciding model
// chemistry: the Estimator, or else the model chemistry of level k-1. A level without a
// threshold (or with 0) keeps every cluster whose subclusters were all kept, so all
// thresholds 0 is the unscreened expansion. Monomers and dimers are screened by distance
// only.
type EnergyScreening struct {
	// Thresholds maps n-body levels 3..max_nbody to the smallest increment magnitude, in
	// hartree, of a subcluster that keeps a cluster of that level.
	Thresholds map[int]float64
	// Estimator names a model chemistry, none of the levels', whose increments make the
	// decisions: it computes the kept clusters up to the highest level whose increments
	// decide, each in its own basis, and the levels' model chemistries then compute only
	// the kept clusters. Its results are never part of the expansion. Empty: the
	// expansion's own increments decide.
	Estimator string
}

func (e *EnergyScreening) clone() *EnergyScreening {
	if e == nil {
		return nil
	}
	out := &EnergyScreening{Estimator: e.Estimator, Thresholds: make(map[int]float64, len(e.Thresholds))}
	for k, v := range e.Thresholds {
		out.Thresholds[k] = v
	}
	return out
}

// active reports whether some threshold screens: otherwise the expansion is not adaptive.
func (e *EnergyScreening) active() bool {
	if e == nil {
		return false
	}
	for _, v := range e.Thresholds {
		if v > 0 {
			return true
		}
	}
	return false
}

// check validates the thresholds of an expansion through maxNB bodies; field names the
// energy member ("specification.keywords.screening.energy" for a ManyBodyInput).
func (e *EnergyScreening) check(field string, maxNB int) error {
	for _, k := range slices.Sorted(maps.Keys(e.Thresholds)) {
		switch v := e.Thresholds[k]; {
		case k == 1 || k == 2:
			return screenInvalid(field+".thresholds", k, "level %d: monomers and dimers are screened by distance only (thresholds start at level 3)", k)
		case k < 1 || k > maxNB:
			return screenInvalid(field+".thresholds", k, "level %d is outside 3..max_nbody (%d)", k, maxNB)
		case math.IsNaN(v) || v < 0:
			return screenInvalid(field+".thresholds", k, "threshold %v must be a non-negative energy", v)
		}
	}
	return nil
}

// checkEstimator checks that the estimator is none of the model chemistries mcs of the
// levels and the supersystem.
func (e *EnergyScreening) checkEstimator(field string, mcs []string) error {
	if e.Estimator == "" {
		return nil
	}
	if slices.Contains(mcs, e.Estimator) {
		return screenInvalid(field+".estimator", -1, "%q is a model chemistry of the levels; leave the estimator out to decide with the expansion's own increments", qcschema.Excerpt(e.Estimator, qcschema.ExcerptLen))
	}
	return nil
}

// energyScreeningFromInput resolves the energy member of the screening keyword:
// thresholds keyed by level, in hartree. Estimator names are checked against the
// specifications by the caller.
func energyScreeningFromInput(src *qcschema.EnergyScreening, field string) (*EnergyScreening, error) {
	scale := 1.0
	switch strings.ToLower(strings.TrimSpace(src.Units)) {
	case "", "hartree":
	case "kcal/mol":
		scale = 1 / KcalMolPerHartree
	default:
		return nil, screenInvalid(field+".units", -1, "unknown units %s (want hartree or kcal/mol)", qcschema.Quote(src.Units))
	}
	out := &EnergyScreening{Estimator: src.Estimator, Thresholds: make(map[int]float64, len(src.Thresholds))}
	keys := make([]string, 0, len(src.Thresholds))
	for k := range src.Thresholds {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		n, err := strconv.Atoi(strings.TrimSpace(k))
		if err != nil {
			return nil, screenInvalid(field+".thresholds", -1, "key %s is not an n-body level", qcschema.Quote(k))
		}
		out.Thresholds[n] = src.Thresholds[k] * scale
	}
	return out, nil
}

// levelModelChemistries lists the model chemistries of the levels and the supersystem.
func levelModelChemistries(levels map[int]string, supersystem string) []string {
	out := make([]string, 0, len(levels)+1)
	for _, mc := range levels {
		out = append(out, mc)
	}
	if supersystem != "" {
		out = append(out, supersystem)
	}
	return out
}

// EnergyScreeningSummary says what energy screening decided, per n-body level. In a Plan,
// made before any result, it gives each level's threshold and upper bound; in the outcome
// of an expansion (Expansion.Plan), the clusters kept and dropped as well.
type EnergyScreeningSummary struct {
	// Units of the energies below: always "hartree".
	Units string `json:"units"`
	// Estimator is the model chemistry whose increments decided, "" for the expansion's
	// own.
	Estimator string `json:"estimator,omitempty"`
	// Levels holds levels 1..max_nbody in order.
	Levels []EnergyScreenedLevel `json:"levels"`
}

// EnergyScreenedLevel is the outcome of energy screening at one n-body level.
type EnergyScreenedLevel struct {
	Level int `json:"level"`
	// Threshold (hartree) of the level; nil when it has none (every level below 3): a
	// cluster is then kept when its subclusters all were.
	Threshold *float64 `json:"threshold_hartree"`
	// Candidates counts the clusters of the level that pass distance screening (every
	// cluster without it): the most that may be kept.
	Candidates int `json:"candidates"`
	// Kept and Dropped count the candidates kept and dropped; nil before the decisions.
	Kept    *int `json:"kept,omitempty"`
	Dropped *int `json:"dropped,omitempty"`
	// DroppedBelowThreshold counts the dropped clusters whose subclusters were all kept,
	// every increment below the threshold; the others had a dropped subcluster.
	DroppedBelowThreshold *int `json:"dropped_below_threshold,omitempty"`
	// LargestDroppedIncrement is the largest |dE| (hartree) among the subclusters of the
	// clusters dropped below the threshold: how close the closest call came. Nil when
	// none was.
	LargestDroppedIncrement *float64 `json:"largest_dropped_increment_hartree,omitempty"`
}

// screeningSummary is the screening part of the plan: distance screening's outcome and
// energy screening's thresholds and upper bounds; nil without screening.
func (c *Core) screeningSummary() *ScreeningSummary {
	s := c.kw.Screening
	if s == nil {
		return nil
	}
	out := &ScreeningSummary{}
	if c.scr != nil && c.scr.distance {
		*out = c.scr.summary
		out.Levels = append([]ScreenedLevel(nil), out.Levels...)
	}
	if s.Energy == nil {
		return out
	}
	e := &EnergyScreeningSummary{Units: "hartree", Estimator: c.Estimator()}
	for k := 1; k <= c.maxNB; k++ {
		lv := EnergyScreenedLevel{Level: k, Candidates: binomInt(c.nfr, k)}
		if c.scr != nil {
			lv.Candidates = c.scr.count(k)
		}
		if t := s.Energy.Thresholds[k]; t > 0 {
			lv.Threshold = &t
		}
		e.Levels = append(e.Levels, lv)
	}
	out.Energy = e
	return out
}

// Estimator is the model chemistry whose increments make energy screening's decisions, ""
// when there is none or the expansion is not adaptive (no threshold above 0).
func (c *Core) Estimator() string {
	if c.adaptive == nil {
		return ""
	}
	return c.adaptive.estimator
}

// Adaptive reports whether energy screening decides which tasks run as results arrive:
// Plan is then an upper bound, and NewExpansion runs the expansion.
func (c *Core) Adaptive() bool { return c.adaptive != nil }
