package manybody

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/qcschema"
)

// fakeProgram computes deterministic synthetic results: the energy of U in basis B at
// model chemistry mc is the sum over the subclusters T of U of a made-up increment
// delta(mc, T), which falls with |T| and with distance, plus a small term per ghost
// fragment; so the nocp increment of a cluster is delta itself. Gradients are made-up
// numbers seeded by the task. The increments of model chemistries differ by some noise,
// so that an estimator and the target (or two levels) decide differently now and then.
type fakeProgram struct {
	c    *Core
	seed uint64
	cent [][3]float64
}

func newFakeProgram(c *Core, seed uint64) *fakeProgram {
	f := &fakeProgram{c: c, seed: seed}
	g := newFragGeom(MetricCentroid, c.mol.Geometry, c.fragAtoms)
	f.cent = g.cent
	return f
}

// unit is a number in [-1, 1) drawn from the hash of the seed and the words.
func (f *fakeProgram) unit(words ...string) float64 {
	h := fnv.New64a()
	fmt.Fprint(h, f.seed)
	for _, w := range words {
		h.Write([]byte{0})
		h.Write([]byte(w))
	}
	return 2*float64(h.Sum64()>>11)/(1<<53) - 1
}

// delta is the made-up n-body increment of cluster T at model chemistry mc.
func (f *fakeProgram) delta(mc string, T []int) float64 {
	key := fmt.Sprint(T)
	if len(T) == 1 {
		return -75 + 0.1*f.unit("mono", key)
	}
	// The furthest pair of T sets the decay: increments of compact clusters matter.
	var r float64
	for i, a := range T {
		for _, b := range T[i+1:] {
			r = math.Max(r, dist(f.cent[a-1], f.cent[b-1]))
		}
	}
	scale := 0.02 * math.Pow(0.1, float64(len(T)-2)) * math.Exp(-r/8)
	// Each model chemistry has increments of its own, close to the others'.
	return scale * f.unit("delta", key) * (1 + 0.4*f.unit("noise", mc, key))
}

func (f *fakeProgram) component(t Task) Component {
	var e float64
	k := len(t.Real)
	for mask := 1; mask < 1<<k; mask++ {
		var T []int
		for x := 0; x < k; x++ {
			if mask&(1<<x) != 0 {
				T = append(T, t.Real[x])
			}
		}
		e += f.delta(t.MC, T)
	}
	e += 1e-4 * float64(len(t.Basis)-len(t.Real)) * f.unit("ghost", t.Label())
	n3 := 3 * f.c.nAtomBasis(t.Basis)
	grad := make([]float64, n3)
	for i := range grad {
		grad[i] = f.unit("grad", t.Label(), fmt.Sprint(i))
	}
	return Component{Energy: e, Gradient: grad}
}

// components computes every task of the Core's plan (an upper bound when adaptive).
func (f *fakeProgram) components() map[string]Component {
	out := map[string]Component{}
	for _, t := range f.c.Plan().Tasks {
		out[t.Label()] = f.component(t)
	}
	return out
}

// bruteAdaptive applies the rule of energy screening by brute force: per level, the
// clusters kept (1-indexed), from the distance-screened candidates.
func bruteAdaptive(mol *qcschema.Molecule, kw Keywords, f *fakeProgram) [][][]int {
	maxNB := len(kw.Levels)
	dist := &Screening{Metric: kw.Screening.Metric, Cutoffs: kw.Screening.Cutoffs}
	kept := bruteKept(mol, dist, maxNB)
	e := kw.Screening.Energy
	increment := func(mc string, T []int) float64 {
		var sum float64
		for mask := 1; mask < 1<<len(T); mask++ {
			var U []int
			for x := range T {
				if mask&(1<<x) != 0 {
					U = append(U, T[x])
				}
			}
			sign := 1.0
			if (len(T)-len(U))%2 == 1 {
				sign = -1
			}
			sum += sign * f.component(Task{MC: mc, Real: U, Basis: U}).Energy
		}
		return sum
	}
	for k := 3; k <= maxNB; k++ {
		prev := map[string]bool{}
		for _, T := range kept[k-1] {
			prev[fmt.Sprint(T)] = true
		}
		mc := kw.Levels[k-1]
		if e.Estimator != "" {
			mc = e.Estimator
		}
		var out [][]int
		for _, S := range kept[k] {
			all, large := true, false
			for x := range S {
				T := append(append([]int(nil), S[:x]...), S[x+1:]...)
				if !prev[fmt.Sprint(T)] {
					all = false
					break
				}
				if t := e.Thresholds[k]; t > 0 && math.Abs(increment(mc, T)) >= t {
					large = true
				}
			}
			if all && (e.Thresholds[k] == 0 || large) {
				out = append(out, S)
			}
		}
		kept[k] = out
	}
	return kept
}

// bruteTasks is the task set of the kept clusters, as labels: nocp model chemistries
// compute the kept clusters through their highest level in their own basis, vmfc every
// subcluster of a kept cluster in its basis, an estimator the kept clusters through the
// highest level whose increments decide.
func bruteTasks(kw Keywords, kept [][]([]int)) map[string]bool {
	out := map[string]bool{}
	maxNB := len(kw.Levels)
	hi := map[string]int{}
	for n, mc := range kw.Levels {
		hi[mc] = max(hi[mc], n)
	}
	vmfc := false
	for _, b := range kw.BsseType {
		vmfc = vmfc || b == qcschema.BsseVMFC
	}
	for k := 1; k <= maxNB; k++ {
		for _, S := range kept[k] {
			for mc, h := range hi {
				if k <= h && !vmfc {
					out[makeLabel(mc, S, S)] = true
				}
			}
			if vmfc {
				for mask := 1; mask < 1<<k; mask++ {
					var T []int
					for x := range S {
						if mask&(1<<x) != 0 {
							T = append(T, S[x])
						}
					}
					out[makeLabel(kw.Levels[k], T, S)] = true
				}
			}
		}
	}
	if e := kw.Screening.Energy; e.Estimator != "" {
		top := 0
		for k, t := range e.Thresholds {
			if t > 0 {
				top = max(top, k-1)
			}
		}
		for k := 1; k <= top; k++ {
			for _, S := range kept[k] {
				out[makeLabel(e.Estimator, S, S)] = true
			}
		}
	}
	return out
}

// randomEnergyScreening draws thresholds for levels 3..maxNB around the increments of
// fakeProgram (some levels without one) and, now and then, the estimator "est".
func randomEnergyScreening(rng *rand.Rand, maxNB int) *EnergyScreening {
	e := &EnergyScreening{Thresholds: map[int]float64{}}
	for k := 3; k <= maxNB; k++ {
		if rng.Intn(4) > 0 {
			e.Thresholds[k] = 0.02 * math.Pow(0.1, float64(k-3)) * math.Exp(-0.5-1.5*rng.Float64()) * rng.Float64()
		}
	}
	if rng.Intn(2) == 0 {
		e.Estimator = "est"
	}
	return e
}

// orders in which a run may hand results back.
var arrivalOrders = []struct {
	name    string
	workers int // tasks in flight at once; 0: take the queue in a random order
}{{"one_worker", 1}, {"shuffled", 0}, {"three_workers", 3}, {"many_workers", 50}}

// run drives an expansion with results from f: with w workers, up to w tasks are in
// flight and a random one of them finishes next; with w = 0 the ready tasks are taken in
// a random order.
func runExpansion(t *testing.T, x *Expansion, f *fakeProgram, w int, rng *rand.Rand) {
	t.Helper()
	queue := x.Ready()
	var flight []Task
	for len(queue) > 0 || len(flight) > 0 {
		var task Task
		switch {
		case w == 0:
			k := rng.Intn(len(queue))
			task = queue[k]
			queue = append(queue[:k], queue[k+1:]...)
		default:
			for len(flight) < w && len(queue) > 0 {
				flight = append(flight, queue[0])
				queue = queue[1:]
			}
			k := rng.Intn(len(flight))
			task = flight[k]
			flight = append(flight[:k], flight[k+1:]...)
		}
		more, err := x.Add(task, f.component(task))
		require.NoError(t, err)
		queue = append(queue, more...)
	}
	require.True(t, x.Done())
	assert.Equal(t, x.Bound(), x.Released())
}

func TestAdaptiveEqualsBruteForce(t *testing.T) {
	nocp := []qcschema.BsseType{qcschema.BsseNoCP}
	cases := []struct {
		name   string
		bsse   []qcschema.BsseType
		levels map[int]string
	}{
		{"nocp3", nocp, levelsOf(3, "a")},
		{"nocp4", nocp, levelsOf(4, "a")},
		{"nocp5", nocp, levelsOf(5, "a")},
		{"nocp_multilevel", nocp, map[int]string{1: "a", 2: "b", 3: "b", 4: "c"}},
		{"vmfc4", []qcschema.BsseType{qcschema.BsseVMFC}, levelsOf(4, "a")},
		{"nocp_vmfc4", []qcschema.BsseType{qcschema.BsseNoCP, qcschema.BsseVMFC}, levelsOf(4, "a")},
	}
	rng := rand.New(rand.NewSource(18))
	for _, tc := range cases {
		for rep := range 4 {
			t.Run(fmt.Sprintf("%s/%d", tc.name, rep), func(t *testing.T) {
				maxNB := len(tc.levels)
				mol := randomCluster(rng, maxNB+2+rng.Intn(6))
				kw := Keywords{BsseType: tc.bsse, Levels: tc.levels, ReturnTotalData: rng.Intn(2) == 0}
				kw.Screening = &Screening{Energy: randomEnergyScreening(rng, maxNB)}
				if rep%2 == 1 {
					kw.Screening = randomScreening(rng, MetricCentroid, maxNB)
					kw.Screening.Cutoffs[2] = math.Inf(1)
					for k := 3; k <= maxNB; k++ {
						kw.Screening.Cutoffs[k] *= 1.5 // keep some clusters for energy to decide
					}
					kw.Screening.Energy = randomEnergyScreening(rng, maxNB)
				}
				c, err := NewCore(mol, kw)
				require.NoError(t, err)
				if !c.Adaptive() {
					t.Skip("no threshold drawn")
				}
				f := newFakeProgram(c, uint64(rep))
				kept := bruteAdaptive(mol, kw, f)
				wantTasks := bruteTasks(kw, kept)
				comps := f.components()
				var first *Analysis
				for _, order := range arrivalOrders {
					x := c.NewExpansion()
					runExpansion(t, x, f, order.workers, rng)
					p, err := x.Plan()
					require.NoError(t, err)
					got := map[string]bool{}
					for _, task := range p.Tasks {
						got[task.Label()] = true
					}
					if est := kw.Screening.Energy.Estimator; est != "" {
						for _, task := range c.Plan().Tasks {
							if task.MC == est && x.have[mustIndex(t, x, task)] {
								got[task.Label()] = true
							}
						}
					}
					assert.Equal(t, sortedKeys(wantTasks), sortedKeys(got), "%s: task set", order.name)
					a, err := x.Analyze()
					require.NoError(t, err)
					if first == nil {
						first = a
						for _, b := range c.EffectiveBsseType() {
							e, g := bruteScreened(c, kept, comps, b)
							for n, want := range e {
								assert.InDelta(t, want, a.EnergyBodyDict[b][n], 1e-9, "%s energy through %d", b, n)
								inDeltaSlice(t, g[n], a.GradientBodyDict[b][n], 1e-9, "%s gradient through %d", b, n)
							}
						}
						continue
					}
					sameAnalysis(t, first, a) // the order results arrive in changes nothing
				}
				checkSummary(t, c, f, kept)
			})
		}
	}
}

func mustIndex(t *testing.T, x *Expansion, task Task) int32 {
	i, err := x.index(task)
	require.NoError(t, err)
	return i
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// checkSummary checks the energy-screening summary of a run against the kept clusters.
func checkSummary(t *testing.T, c *Core, f *fakeProgram, kept [][][]int) {
	t.Helper()
	x := c.NewExpansion()
	runExpansion(t, x, f, 1, rand.New(rand.NewSource(1)))
	p, err := x.Plan()
	require.NoError(t, err)
	e := p.Screening.Energy
	require.NotNil(t, e)
	require.Len(t, e.Levels, c.MaxNbody())
	for _, l := range e.Levels {
		require.NotNil(t, l.Kept)
		assert.Equal(t, l.Candidates, *l.Kept+*l.Dropped, "level %d", l.Level)
		assert.Equal(t, len(kept[l.Level]), *l.Kept, "level %d", l.Level)
		if l.LargestDroppedIncrement != nil {
			assert.Less(t, *l.LargestDroppedIncrement, *l.Threshold, "level %d", l.Level)
		}
	}
}

// With every threshold 0 an expansion is the unscreened one (or the distance-screened
// one): the same tasks and bitwise the same numbers, estimator or not.
func TestAdaptiveZeroThresholdsAreUnscreened(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, bsse := range [][]qcschema.BsseType{{qcschema.BsseNoCP}, {qcschema.BsseVMFC}} {
		for _, distance := range []bool{false, true} {
			mol := randomCluster(rng, 9)
			kw := Keywords{BsseType: bsse, Levels: levelsOf(4, "a"), ReturnTotalData: true}
			if distance {
				kw.Screening = randomScreening(rng, MetricMinAtom, 4)
			}
			plain := mustCore(t, mol, kw)
			kw.Screening = &Screening{Energy: &EnergyScreening{Thresholds: map[int]float64{3: 0, 4: 0}, Estimator: "est"}}
			if distance {
				kw.Screening.Metric, kw.Screening.Cutoffs = plain.kw.Screening.Metric, plain.kw.Screening.Cutoffs
			}
			zero := mustCore(t, mol, kw)
			require.False(t, zero.Adaptive())
			assert.Equal(t, plain.Plan().Labels(), zero.Plan().Labels())
			comps := newFakeProgram(plain, 1).components()
			a, err := plain.Analyze(comps)
			require.NoError(t, err)
			x := zero.NewExpansion()
			drive(t, x, comps, rng)
			b, err := x.Analyze()
			require.NoError(t, err)
			sameBits(t, "energy", []float64{a.ReturnEnergy}, []float64{b.ReturnEnergy})
			sameBits(t, "gradient", a.ReturnGradient, b.ReturnGradient)
			for k, v := range a.Properties.Energies {
				sameBits(t, k, []float64{v}, []float64{b.Properties.Energies[k]})
			}
		}
	}
}

func TestEnergyScreeningErrors(t *testing.T) {
	mol := waterCluster(6)
	nocp := []qcschema.BsseType{qcschema.BsseNoCP}
	energy := func(th map[int]float64, est string) *Screening {
		return &Screening{Energy: &EnergyScreening{Thresholds: th, Estimator: est}}
	}
	cases := []struct {
		name  string
		kw    Keywords
		field string
	}{
		{"negative", Keywords{BsseType: nocp, Levels: levelsOf(4, "a"), Screening: energy(map[int]float64{3: -1e-4}, "")}, "screening.energy.thresholds"},
		{"nan", Keywords{BsseType: nocp, Levels: levelsOf(4, "a"), Screening: energy(map[int]float64{4: math.NaN()}, "")}, "screening.energy.thresholds"},
		{"level2", Keywords{BsseType: nocp, Levels: levelsOf(4, "a"), Screening: energy(map[int]float64{2: 1e-4}, "")}, "screening.energy.thresholds"},
		{"level1", Keywords{BsseType: nocp, Levels: levelsOf(4, "a"), Screening: energy(map[int]float64{1: 1e-4}, "")}, "screening.energy.thresholds"},
		{"above_max_nbody", Keywords{BsseType: nocp, Levels: levelsOf(3, "a"), Screening: energy(map[int]float64{4: 1e-4}, "")}, "screening.energy.thresholds"},
		{"estimator_is_level", Keywords{BsseType: nocp, Levels: levelsOf(3, "a"), Screening: energy(map[int]float64{3: 1e-4}, "a")}, "screening.energy.estimator"},
		{"cp", Keywords{BsseType: []qcschema.BsseType{qcschema.BsseCP}, Levels: levelsOf(3, "a"), Screening: energy(map[int]float64{3: 1e-4}, "")}, "bsse_type"},
		{"vmfc_multilevel", Keywords{BsseType: []qcschema.BsseType{qcschema.BsseVMFC}, Levels: map[int]string{1: "a", 2: "a", 3: "b", 4: "b"},
			Screening: energy(map[int]float64{4: 1e-4}, "")}, "screening.energy.estimator"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewCore(mol, tc.kw)
			var ve *qcschema.ValidationError
			require.True(t, errors.As(err, &ve), "error %v, want a *qcschema.ValidationError", err)
			assert.Equal(t, tc.field, ve.Field, "%v", err)
		})
	}
}

func TestEnergyScreeningFromInput(t *testing.T) {
	v := loadAdaptive(t, "../testdata/adaptive/w8_nocp4_energy.json")
	cases := []struct {
		name      string
		json      string
		want      map[int]float64 // hartree
		estimator string
		field     string // error field, "" for none
	}{
		{"hartree_default", `{"energy": {"thresholds": {"3": 3e-4, "4": 1e-4}}}`, map[int]float64{3: 3e-4, 4: 1e-4}, "", ""},
		{"kcal", `{"energy": {"thresholds": {"4": 0.2}, "units": "kcal/mol"}}`, map[int]float64{4: 0.2 / 627.5094740631}, "", ""},
		{"with_distance", `{"metric": "min_atom", "cutoffs": {"2": 9, "3": 9, "4": 9}, "energy": {"thresholds": {"3": 1e-3}, "units": "Hartree"}}`, map[int]float64{3: 1e-3}, "", ""},
		{"estimator", `{"energy": {"thresholds": {"3": 1e-3}, "estimator": "cheap"}}`, map[int]float64{3: 1e-3}, "cheap", ""},
		{"units", `{"energy": {"thresholds": {"3": 1e-3}, "units": "eV"}}`, nil, "", "specification.keywords.screening.energy.units"},
		{"key", `{"energy": {"thresholds": {"three": 1e-3}}}`, nil, "", "specification.keywords.screening.energy.thresholds"},
		{"negative", `{"energy": {"thresholds": {"3": -1e-3}}}`, nil, "", "specification.keywords.screening.energy.thresholds"},
		{"level2", `{"energy": {"thresholds": {"2": 1e-3}}}`, nil, "", "specification.keywords.screening.energy.thresholds"},
		{"above_max_nbody", `{"energy": {"thresholds": {"5": 1e-3}}}`, nil, "", "specification.keywords.screening.energy.thresholds"},
		{"unknown_estimator", `{"energy": {"thresholds": {"3": 1e-3}, "estimator": "xtb"}}`, nil, "", "specification.keywords.screening.energy.estimator"},
		{"estimator_is_target", `{"energy": {"thresholds": {"3": 1e-3}, "estimator": "hf"}}`, nil, "", "specification.keywords.screening.energy.estimator"},
		{"cutoffs_without_metric", `{"cutoffs": {"2": 9}, "energy": {"thresholds": {"3": 1e-3}}}`, nil, "", "specification.keywords.screening.metric"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := v.Input
			in.Specification.Specification = map[string]qcschema.AtomicSpecification{
				"hf": in.Specification.Specification["hf"], "cheap": in.Specification.Specification["hf"]}
			in.Specification.Keywords.Screening = new(qcschema.Screening)
			require.NoError(t, json.Unmarshal([]byte(tc.json), in.Specification.Keywords.Screening))
			kw, err := KeywordsFromInput(&in)
			if tc.field != "" {
				var ve *qcschema.ValidationError
				require.True(t, errors.As(err, &ve), "error %v, want a *qcschema.ValidationError", err)
				assert.Equal(t, tc.field, ve.Field, "%v", err)
				return
			}
			require.NoError(t, err)
			e := kw.Screening.Energy
			require.NotNil(t, e)
			assert.Equal(t, tc.estimator, e.Estimator)
			require.Len(t, e.Thresholds, len(tc.want))
			for k, want := range tc.want {
				assert.InDelta(t, want, e.Thresholds[k], 1e-18, "level %d", k)
			}
			_, err = NewCore(&in.Molecule, kw)
			require.NoError(t, err)
		})
	}
}
