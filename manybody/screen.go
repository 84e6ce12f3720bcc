package manybody

import (
	"fmt"
	"math"
	"math/big"
	"sort"

	"github.com/qcmb-go/qcmb/qcschema"
)

// The distance metrics of Screening.
const (
	// MetricMinAtom measures two fragments by the smallest distance between an atom of
	// one and an atom of the other.
	MetricMinAtom = "min_atom"
	// MetricCentroid measures two fragments by the distance between the unweighted means
	// of their atom positions.
	MetricCentroid = "centroid"
)

// Screening drops clusters from the expansion (a qcmb extension): by distance, a cluster
// of k >= 2 fragments is kept when every pair of its fragments is within Cutoffs[k]
// (inclusive), monomers always; by energy (Energy), as EnergyScreening says. The screened
// expansion sums the n-body increments of the kept clusters only.
type Screening struct {
	// Metric is MetricMinAtom or MetricCentroid; it may be empty, with no Cutoffs, when
	// Energy is set (screening by energy alone).
	Metric string
	// Cutoffs maps n-body levels 2..max_nbody to the largest pair distance, in bohr, of a
	// kept cluster of that level. A level not in the map, or +Inf, keeps every cluster of
	// that level. Cutoffs must not increase with the level (so every subcluster of a kept
	// cluster is kept).
	Cutoffs map[int]float64
	// Energy, when set, screens clusters of three or more fragments by the n-body
	// increments of their subclusters as well.
	Energy *EnergyScreening
}

// byDistance reports whether s screens by distance: a metric is given, or cutoffs.
func (s *Screening) byDistance() bool { return s.Metric != "" || len(s.Cutoffs) > 0 || s.Energy == nil }

func (s *Screening) clone() *Screening {
	if s == nil {
		return nil
	}
	out := &Screening{Metric: s.Metric, Cutoffs: make(map[int]float64, len(s.Cutoffs)), Energy: s.Energy.clone()}
	for k, v := range s.Cutoffs {
		out.Cutoffs[k] = v
	}
	return out
}

// cutoff is the cutoff of level k, +Inf when none is given.
func (s *Screening) cutoff(k int) float64 {
	if v, ok := s.Cutoffs[k]; ok {
		return v
	}
	return math.Inf(1)
}

func screenInvalid(field string, index int, format string, args ...any) *qcschema.ValidationError {
	return &qcschema.ValidationError{Field: field, Index: index, Msg: fmt.Sprintf(format, args...)}
}

// check validates s for an expansion through maxNB bodies; prefix is prepended to the
// field names of the errors ("specification.keywords." for a ManyBodyInput).
func (s *Screening) check(prefix string, maxNB int, bsse []qcschema.BsseType, ssio bool) error {
	field := prefix + "screening"
	switch s.Metric {
	case MetricMinAtom, MetricCentroid:
	default:
		if s.byDistance() {
			return screenInvalid(field+".metric", -1, "unknown metric %s (want %q or %q)", qcschema.Quote(s.Metric), MetricMinAtom, MetricCentroid)
		}
	}
	levels := make([]int, 0, len(s.Cutoffs))
	for k := range s.Cutoffs {
		levels = append(levels, k)
	}
	sort.Ints(levels) // the first bad level is reported, whatever the map order
	for _, k := range levels {
		switch v := s.Cutoffs[k]; {
		case k < 2 || k > maxNB:
			return screenInvalid(field+".cutoffs", k, "level %d is outside 2..max_nbody (%d)", k, maxNB)
		case math.IsNaN(v) || v < 0:
			return screenInvalid(field+".cutoffs", k, "cutoff %v must be a non-negative distance", v)
		}
	}
	for k := 3; k <= maxNB; k++ {
		if lo, hi := s.cutoff(k-1), s.cutoff(k); hi > lo {
			what := fmt.Sprintf("%g bohr", hi)
			if math.IsInf(hi, 1) {
				what = "none (keep everything)"
			}
			return screenInvalid(field+".cutoffs", k, "cutoff of level %d is %s, more than the %g bohr of level %d; cutoffs must not increase with the level", k, what, lo, k-1)
		}
	}
	if s.Energy != nil {
		if err := s.Energy.check(field+".energy", maxNB); err != nil {
			return err
		}
	}
	for _, b := range bsse {
		if b == qcschema.BsseCP {
			return screenInvalid(prefix+"bsse_type", -1, "cp (every subcluster in the full-cluster basis) cannot be screened; use vmfc, which corrects each kept cluster in its own basis")
		}
	}
	if ssio {
		return screenInvalid(field, -1, "cannot be combined with supersystem_ie_only")
	}
	return nil
}

// ScreeningSummary says what screening kept and dropped, per n-body level: by distance
// (Metric, Levels, SearchRadius; empty without distance screening) and by energy.
type ScreeningSummary struct {
	Metric string `json:"metric,omitempty"`
	// Levels holds levels 2..max_nbody in order.
	Levels []ScreenedLevel `json:"levels,omitempty"`
	// SearchRadius (bohr) is how far ClosestDropped was looked for: 1.25 times the
	// largest finite cutoff (0 when no cutoff is finite).
	SearchRadius float64 `json:"search_radius_bohr,omitempty"`
	// Energy says what energy screening decided; nil without it.
	Energy *EnergyScreeningSummary `json:"energy,omitempty"`
}

// Clone returns a deep copy of s.
func (s *ScreeningSummary) Clone() *ScreeningSummary {
	out := *s
	out.Levels = append([]ScreenedLevel(nil), s.Levels...)
	if s.Energy != nil {
		e := *s.Energy
		e.Levels = append([]EnergyScreenedLevel(nil), s.Energy.Levels...)
		out.Energy = &e
	}
	return &out
}

// ScreenedLevel is the outcome of screening at one n-body level. Distances are in bohr.
type ScreenedLevel struct {
	Level int `json:"level"`
	// Cutoff is the level's cutoff; nil when every cluster is kept.
	Cutoff *float64 `json:"cutoff_bohr"`
	// Kept and Dropped count the clusters of this level; Kept + Dropped = C(N, level).
	// Dropped is exact up to 2^53 (and at most math.MaxFloat64).
	Kept    int     `json:"kept"`
	Dropped float64 `json:"dropped"`
	// LargestKept is the largest pair distance within a kept cluster (cutoff levels
	// only).
	LargestKept *float64 `json:"largest_kept_bohr,omitempty"`
	// ClosestDropped is the largest pair distance of the most compact dropped cluster:
	// no cluster closer than this was left out. Nil when none was dropped within
	// SearchRadius.
	ClosestDropped *float64 `json:"closest_dropped_bohr,omitempty"`
}

// screen is the outcome of screening a Core's fragments.
type screen struct {
	metric string
	cut    []float64 // cut[k] for k = 2..maxNB (bohr), +Inf when none
	// kept[k] holds the kept k-fragment clusters, k 0-indexed fragments each, flat, in
	// lexicographic order; kept[1] holds the monomers.
	kept    [][]int32
	nkept   []int
	dropped bool // some cluster was dropped
	// distance says that the clusters were screened by distance; otherwise they are every
	// cluster, the candidates of energy screening alone.
	distance bool
	summary  ScreeningSummary
}

// newScreen finds the kept clusters of every level 2..maxNB. limit bounds the number of
// kept clusters of any level.
func newScreen(s *Screening, geom []float64, frags [][]int, maxNB, limit int) (*screen, error) {
	n := len(frags)
	sc := &screen{metric: s.Metric, cut: make([]float64, maxNB+1), kept: make([][]int32, maxNB+1), nkept: make([]int, maxNB+1)}
	sc.summary.Metric = s.Metric
	sc.kept[1] = make([]int32, n)
	for f := range sc.kept[1] {
		sc.kept[1][f] = int32(f)
	}
	sc.nkept[1] = n
	rmax := math.Inf(-1)
	for k := 2; k <= maxNB; k++ {
		sc.cut[k] = s.cutoff(k)
		if !math.IsInf(sc.cut[k], 1) {
			rmax = math.Max(rmax, sc.cut[k])
		}
	}
	g := newFragGeom(s.Metric, geom, frags)
	var nl *neighbours
	if !math.IsInf(rmax, -1) {
		sc.summary.SearchRadius = min(1.25*rmax, math.MaxFloat64) // finite for JSON
		nl = newNeighbours(g, sc.summary.SearchRadius)
	}
	buf := make([]int32, 0, maxNB)
	for k := 2; k <= maxNB; k++ {
		lv := ScreenedLevel{Level: k}
		total := binomFloat(n, k)
		r := sc.cut[k]
		if math.IsInf(r, 1) {
			if total > float64(limit) {
				return nil, screenInvalid("screening.cutoffs", k, "level %d has no cutoff and would keep all %.4g clusters, more than %d; give it a cutoff", k, total, limit)
			}
			flat := make([]int32, 0, k*int(total))
			forCombos(0, n-1, k, make([]int, k), func(x []int) {
				for _, f := range x {
					flat = append(flat, int32(f))
				}
			})
			sc.kept[k], sc.nkept[k] = flat, int(total)
			lv.Kept = int(total)
			sc.summary.Levels = append(sc.summary.Levels, lv)
			continue
		}
		cut := r
		lv.Cutoff = &cut
		var flat []int32
		count := 0
		largest := math.Inf(-1)
		var tooMany bool
		for i := 0; i < n && !tooMany; i++ {
			nl.cliques(i, k, r, buf, func(c []int32, ext float64) bool {
				if count >= limit {
					tooMany = true
					return false
				}
				flat = append(flat, c...)
				count++
				largest = math.Max(largest, ext)
				return true
			})
		}
		if tooMany {
			return nil, screenInvalid("screening.cutoffs", k, "level %d keeps more than %d clusters; lower its cutoff", k, limit)
		}
		sc.kept[k], sc.nkept[k] = flat, count
		lv.Kept = count
		lv.Dropped = droppedCount(n, k, count)
		if count > 0 {
			lv.LargestKept = &largest
		}
		if lv.Dropped > 0 {
			sc.dropped = true
			if d, ok := nl.closestDropped(k, r); ok {
				lv.ClosestDropped = &d
			}
		}
		sc.summary.Levels = append(sc.summary.Levels, lv)
	}
	return sc, nil
}

// droppedCount is C(n, k) - kept, exactly as long as it fits a float64's mantissa.
func droppedCount(n, k, kept int) float64 {
	d := new(big.Int).Binomial(int64(n), int64(k))
	d.Sub(d, big.NewInt(int64(kept)))
	f, _ := new(big.Float).SetInt(d).Float64()
	return min(f, math.MaxFloat64) // finite for JSON
}

// count is the number of kept s-fragment clusters.
func (sc *screen) count(s int) int {
	if s < len(sc.nkept) {
		return sc.nkept[s]
	}
	return 0
}

// clusters calls fn with every kept s-fragment cluster, 1-indexed, in lexicographic order;
// the slice is buf, reused between calls.
func (sc *screen) clusters(s int, buf []int, fn func([]int)) {
	if s >= len(sc.kept) {
		return
	}
	flat := sc.kept[s]
	x := buf[:s]
	for i := 0; i+s <= len(flat); i += s {
		for j := range x {
			x[j] = int(flat[i+j]) + 1
		}
		fn(x)
	}
}
