package manybody

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/qcschema"
)

// randomCluster places n fragments of 1 to 4 atoms at random in a cube sized for about
// one fragment per 150 bohr^3, atoms within 1.5 bohr of their fragment's centre.
func randomCluster(rng *rand.Rand, n int) *qcschema.Molecule {
	side := math.Cbrt(150 * float64(n))
	m := &qcschema.Molecule{}
	elems := []string{"O", "H", "H", "C"}
	for f := 0; f < n; f++ {
		c := [3]float64{side * rng.Float64(), side * rng.Float64(), side * rng.Float64()}
		na := 1 + rng.Intn(4)
		var atoms []int
		nH := 0
		for a := 0; a < na; a++ {
			atoms = append(atoms, len(m.Symbols))
			e := elems[a]
			if e == "H" {
				nH++
			}
			m.Symbols = append(m.Symbols, e)
			for d := 0; d < 3; d++ {
				m.Geometry = append(m.Geometry, c[d]+3*(rng.Float64()-0.5))
			}
		}
		m.Fragments = append(m.Fragments, atoms)
		// An even electron count: add an H when needed.
		electrons := map[string]int{"O": 8, "H": 1, "C": 6}
		ne := 0
		for _, a := range atoms {
			ne += electrons[m.Symbols[a]]
		}
		if ne%2 == 1 {
			m.Fragments[f] = append(m.Fragments[f], len(m.Symbols))
			m.Symbols = append(m.Symbols, "H")
			m.Geometry = append(m.Geometry, c[0]+0.5, c[1]-0.5, c[2]+0.25)
		}
	}
	return m
}

// bruteKept lists, per level 1..maxNB, every cluster (1-indexed) whose fragment pairs are
// all within the level's cutoff, by testing all combinations.
func bruteKept(mol *qcschema.Molecule, s *Screening, maxNB int) [][][]int {
	g := newFragGeom(s.Metric, mol.Geometry, mol.Fragments)
	n := len(mol.Fragments)
	out := make([][][]int, maxNB+1)
	for k := 1; k <= maxNB; k++ {
		forCombos(1, n, k, make([]int, k), func(x []int) {
			for a := 0; a < k; a++ {
				for b := a + 1; b < k; b++ {
					if !(g.pair(x[a]-1, x[b]-1) <= s.cutoff(k)) {
						return
					}
				}
			}
			out[k] = append(out[k], append([]int(nil), x...))
		})
	}
	return out
}

// randomScreening draws cutoffs (bohr) that do not increase with the level; level 2 is
// sometimes left without a cutoff.
func randomScreening(rng *rand.Rand, metric string, maxNB int) *Screening {
	s := &Screening{Metric: metric, Cutoffs: map[int]float64{}}
	r := 6 + 8*rng.Float64()
	for k := 2; k <= maxNB; k++ {
		if !(k == 2 && maxNB > 2 && rng.Intn(4) == 0) {
			s.Cutoffs[k] = r
		}
		r *= 0.6 + 0.4*rng.Float64()
	}
	return s
}

func TestScreenNeighbourListEqualsBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(14))
	for trial := 0; trial < 24; trial++ {
		n := 5 + rng.Intn(36)
		if trial >= 21 {
			n = 40
		}
		maxNB := 2 + trial%3
		metric := []string{MetricMinAtom, MetricCentroid}[trial%2]
		mol := randomCluster(rng, n)
		scr := randomScreening(rng, metric, maxNB)
		t.Run(fmt.Sprintf("n%d_mbe%d_%s", n, maxNB, metric), func(t *testing.T) {
			c, err := NewCore(mol, Keywords{BsseType: []qcschema.BsseType{qcschema.BsseNoCP}, Levels: levelsOf(maxNB, "a"), Screening: scr})
			require.NoError(t, err)
			want := bruteKept(mol, scr, maxNB)
			t.Logf("kept per level: %v", c.scr.nkept[1:])
			for k := 1; k <= maxNB; k++ {
				var got [][]int
				c.scr.clusters(k, make([]int, k), func(x []int) { got = append(got, append([]int(nil), x...)) })
				require.Equal(t, want[k], got, "level %d: clusters the neighbour list keeps, want brute force's", k)
				if k >= 2 {
					l := c.scr.summary.Levels[k-2]
					assert.Equal(t, len(want[k]), l.Kept, "level %d summary %+v: kept", k, l)
					assert.Equal(t, binomFloat(n, k), float64(l.Kept)+l.Dropped, "level %d summary %+v: kept + dropped", k, l)
					checkExtents(t, mol, scr, c.scr.summary.SearchRadius, l)
				}
			}
			// The plan of nocp is exactly the kept clusters.
			ntask := 0
			for k := 1; k <= maxNB; k++ {
				ntask += len(want[k])
			}
			assert.Equal(t, ntask, len(c.Plan().Tasks), "tasks, want one per kept cluster")
		})
	}
}

// checkExtents compares a level's largest kept and closest dropped pair distances with
// those of every cluster.
func checkExtents(t *testing.T, mol *qcschema.Molecule, s *Screening, radius float64, l ScreenedLevel) {
	t.Helper()
	g := newFragGeom(s.Metric, mol.Geometry, mol.Fragments)
	k := l.Level
	largest, closest := math.Inf(-1), math.Inf(1)
	forCombos(0, len(mol.Fragments)-1, k, make([]int, k), func(x []int) {
		ext := 0.0
		for a := 0; a < k; a++ {
			for b := a + 1; b < k; b++ {
				ext = math.Max(ext, g.pair(x[a], x[b]))
			}
		}
		if ext <= s.cutoff(k) {
			largest = math.Max(largest, ext)
		} else {
			closest = math.Min(closest, ext)
		}
	})
	if l.Cutoff == nil {
		return
	}
	if math.IsInf(largest, -1) {
		assert.Nil(t, l.LargestKept, "level %d: largest kept, with none kept", k)
	} else if assert.NotNil(t, l.LargestKept, "level %d: largest kept", k) {
		assert.Equal(t, largest, *l.LargestKept, "level %d: largest kept", k)
	}
	if closest <= radius {
		if assert.NotNil(t, l.ClosestDropped, "level %d: closest dropped", k) {
			assert.Equal(t, closest, *l.ClosestDropped, "level %d: closest dropped", k)
		}
	} else {
		assert.Nil(t, l.ClosestDropped, "level %d: closest dropped beyond the search radius %v", k, radius)
	}
}

func levelsOf(maxNB int, mc string) map[int]string {
	out := map[int]string{}
	for k := 1; k <= maxNB; k++ {
		out[k] = mc
	}
	return out
}

func TestScreeningKeywordErrors(t *testing.T) {
	mol := waterCluster(6)
	nocp := []qcschema.BsseType{qcschema.BsseNoCP}
	cases := []struct {
		name  string
		kw    Keywords
		field string
	}{
		{"metric", Keywords{BsseType: nocp, Levels: levelsOf(3, "a"), Screening: &Screening{Metric: "max_atom"}}, "screening.metric"},
		{"negative", Keywords{BsseType: nocp, Levels: levelsOf(3, "a"), Screening: &Screening{Metric: MetricCentroid, Cutoffs: map[int]float64{2: -1}}}, "screening.cutoffs"},
		{"nan", Keywords{BsseType: nocp, Levels: levelsOf(3, "a"), Screening: &Screening{Metric: MetricCentroid, Cutoffs: map[int]float64{3: math.NaN()}}}, "screening.cutoffs"},
		{"increasing", Keywords{BsseType: nocp, Levels: levelsOf(3, "a"), Screening: &Screening{Metric: MetricCentroid, Cutoffs: map[int]float64{2: 5, 3: 6}}}, "screening.cutoffs"},
		{"missing_higher", Keywords{BsseType: nocp, Levels: levelsOf(3, "a"), Screening: &Screening{Metric: MetricCentroid, Cutoffs: map[int]float64{2: 5}}}, "screening.cutoffs"},
		{"above_max_nbody", Keywords{BsseType: nocp, Levels: levelsOf(2, "a"), Screening: &Screening{Metric: MetricCentroid, Cutoffs: map[int]float64{2: 9, 3: 5}}}, "screening.cutoffs"},
		{"level1", Keywords{BsseType: nocp, Levels: levelsOf(2, "a"), Screening: &Screening{Metric: MetricCentroid, Cutoffs: map[int]float64{1: 9}}}, "screening.cutoffs"},
		{"cp", Keywords{BsseType: []qcschema.BsseType{qcschema.BsseVMFC, qcschema.BsseCP}, Levels: levelsOf(2, "a"), Screening: &Screening{Metric: MetricCentroid}}, "bsse_type"},
		{"ssio", Keywords{BsseType: nocp, Levels: levelsOf(6, "a"), SupersystemIEOnly: true, Screening: &Screening{Metric: MetricCentroid}}, "screening"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewCore(mol, tc.kw)
			var ve *qcschema.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field, "%v", err)
		})
	}
}

func TestScreeningFromInput(t *testing.T) {
	in := loadInput(t, "qcmanybody_water_trimer_vmfc_embedding_energy.json")
	cases := []struct {
		name   string
		bsse   string
		json   string
		want   map[int]float64 // bohr
		field  string          // error field, "" for none
		metric string
	}{
		{"angstrom_default", "vmfc", `{"metric": "centroid", "cutoffs": {"2": 5.0}}`, map[int]float64{2: 5.0 / qcschema.AngstromPerBohr}, "", MetricCentroid},
		{"bohr", "vmfc", `{"metric": "min_atom", "cutoffs": {"2": 5.0}, "units": "bohr"}`, map[int]float64{2: 5.0}, "", MetricMinAtom},
		{"null_is_infinite", "vmfc", `{"metric": "min_atom", "cutoffs": {"2": null}}`, map[int]float64{2: math.Inf(1)}, "", MetricMinAtom},
		{"no_cutoffs", "vmfc", `{"metric": "centroid"}`, map[int]float64{}, "", MetricCentroid},
		{"units", "vmfc", `{"metric": "centroid", "cutoffs": {"2": 5.0}, "units": "nm"}`, nil, "specification.keywords.screening.units", ""},
		{"metric", "vmfc", `{"metric": "closest", "cutoffs": {"2": 5.0}}`, nil, "specification.keywords.screening.metric", ""},
		{"key", "vmfc", `{"metric": "centroid", "cutoffs": {"two": 5.0}}`, nil, "specification.keywords.screening.cutoffs", ""},
		{"above_max_nbody", "vmfc", `{"metric": "centroid", "cutoffs": {"3": 5.0}}`, nil, "specification.keywords.screening.cutoffs", ""},
		{"negative", "vmfc", `{"metric": "centroid", "cutoffs": {"2": -5.0}}`, nil, "specification.keywords.screening.cutoffs", ""},
		{"cp", "cp", `{"metric": "centroid", "cutoffs": {"2": 5.0}}`, nil, "specification.keywords.bsse_type", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mbi := *in
			var scr qcschema.Screening
			require.NoError(t, json.Unmarshal([]byte(tc.json), &scr))
			mbi.Specification.Keywords.Screening = &scr
			mbi.Specification.Keywords.BsseType = qcschema.BsseList{qcschema.BsseType(tc.bsse)}
			kw, err := KeywordsFromInput(&mbi)
			if tc.field != "" {
				var ve *qcschema.ValidationError
				require.ErrorAs(t, err, &ve)
				require.Equal(t, tc.field, ve.Field, "%v", err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.metric, kw.Screening.Metric, "metric")
			assert.Equal(t, tc.want, kw.Screening.Cutoffs, "cutoffs")
		})
	}
}

// Huge finite cutoffs and astronomically many dropped clusters still give a summary that
// encodes as JSON.
func TestScreeningSummaryIsFinite(t *testing.T) {
	mol := waterCluster(60)
	c, err := NewCore(mol, Keywords{BsseType: []qcschema.BsseType{qcschema.BsseNoCP}, Levels: levelsOf(2, "a"),
		Screening: &Screening{Metric: MetricCentroid, Cutoffs: map[int]float64{2: 1e308}}})
	require.NoError(t, err)
	_, err = json.Marshal(c.Plan())
	require.NoError(t, err)
	assert.Equal(t, math.MaxFloat64, droppedCount(1100, 550, 7), "dropped count")
}
