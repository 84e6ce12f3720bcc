package manybody

import (
	"math"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/qcschema"
)

// bruteScreened sums the n-body increments of the kept clusters directly: per bsse type
// and body-dict level, the energy and the full-size gradient.
func bruteScreened(c *Core, kept [][][]int, comps map[string]Component, bt qcschema.BsseType) (map[int]float64, map[int][]float64) {
	kw := c.kw
	maxNB, N := c.maxNB, c.nfr
	n3 := 3 * c.natom
	energy := map[int]float64{}
	grad := map[int][]float64{}
	add := func(n int, w float64, mc string, real, basis []int) {
		comp, ok := comps[makeLabel(mc, real, basis)]
		if !ok {
			panic("no component for " + makeLabel(mc, real, basis))
		}
		energy[n] += w * comp.Energy
		if comp.Gradient == nil {
			return
		}
		if grad[n] == nil {
			grad[n] = make([]float64, n3)
		}
		for i, a := range c.basisAtoms(nil, basis) {
			for d := 0; d < 3; d++ {
				grad[n][3*a+d] += w * comp.Gradient[3*i+d]
			}
		}
	}
	// increment adds w * dE(S) at model chemistry mc, each subset in its own basis
	// (nocp) or in S's basis (vmfc).
	increment := func(n int, w float64, mc string, S []int, vmfc bool) {
		k := len(S)
		for mask := 1; mask < 1<<k; mask++ {
			var T []int
			for x := 0; x < k; x++ {
				if mask&(1<<x) != 0 {
					T = append(T, S[x])
				}
			}
			sg := 1.0
			if (k-len(T))%2 == 1 {
				sg = -1
			}
			basis := T
			if vmfc {
				basis = S
			}
			add(n, w*sg, mc, T, basis)
		}
	}
	for k := 1; k <= maxNB; k++ {
		for _, S := range kept[k] {
			increment(k, 1, kw.Levels[k], S, bt == qcschema.BsseVMFC)
		}
	}
	if kw.Supersystem != "" {
		full := make([]int, N)
		for i := range full {
			full[i] = i + 1
		}
		add(N, 1, kw.Supersystem, full, full)
		for k := 1; k <= maxNB; k++ {
			for _, S := range kept[k] {
				increment(N, -1, kw.Supersystem, S, false)
			}
		}
	}
	// Cumulative.
	levels := []int{}
	for k := 1; k <= maxNB; k++ {
		levels = append(levels, k)
	}
	if kw.Supersystem != "" {
		levels = append(levels, N)
	}
	var acc float64
	var gacc []float64
	for _, n := range levels {
		acc += energy[n]
		energy[n] = acc
		if g := grad[n]; g != nil || gacc != nil {
			if gacc == nil {
				gacc = make([]float64, n3)
			}
			for i := range g {
				gacc[i] += g[i]
			}
			grad[n] = append([]float64(nil), gacc...)
		}
	}
	return energy, grad
}

func TestScreenedAnalyzeEqualsIncrementSum(t *testing.T) {
	bt := func(s ...qcschema.BsseType) []qcschema.BsseType { return s }
	cases := []struct {
		name string
		kw   Keywords
	}{
		{"nocp3", Keywords{BsseType: bt(qcschema.BsseNoCP), Levels: levelsOf(3, "a"), ReturnTotalData: true}},
		{"nocp3_interaction", Keywords{BsseType: bt(qcschema.BsseNoCP), Levels: levelsOf(3, "a")}},
		{"vmfc3", Keywords{BsseType: bt(qcschema.BsseVMFC), Levels: levelsOf(3, "a"), ReturnTotalData: true}},
		{"vmfc4_nocp", Keywords{BsseType: bt(qcschema.BsseVMFC, qcschema.BsseNoCP), Levels: levelsOf(4, "a")}},
		{"nocp_multilevel", Keywords{BsseType: bt(qcschema.BsseNoCP), Levels: map[int]string{1: "a", 2: "b", 3: "c"}, ReturnTotalData: true}},
		{"vmfc_multilevel", Keywords{BsseType: bt(qcschema.BsseVMFC, qcschema.BsseNoCP), Levels: map[int]string{1: "a", 2: "a", 3: "b"}, ReturnTotalData: true}},
		{"nocp_supersystem", Keywords{BsseType: bt(qcschema.BsseNoCP), Levels: map[int]string{1: "a", 2: "b"}, Supersystem: "s", ReturnTotalData: true}},
		{"vmfc_supersystem", Keywords{BsseType: bt(qcschema.BsseVMFC), Levels: levelsOf(2, "a"), Supersystem: "s"}},
	}
	rng := rand.New(rand.NewSource(7))
	for i, tc := range cases {
		for _, metric := range []string{MetricMinAtom, MetricCentroid} {
			maxNB := len(tc.kw.Levels)
			kw := tc.kw
			t.Run(tc.name+"_"+metric, func(t *testing.T) {
				// A cluster on which screening drops some but not all clusters.
				var c *Core
				var mol *qcschema.Molecule
				for c == nil || !c.screened || c.scr.count(maxNB) == 0 {
					mol = randomCluster(rng, 8+rng.Intn(8))
					kw.Screening = randomScreening(rng, metric, maxNB)
					var err error
					c, err = NewCore(mol, kw)
					require.NoError(t, err)
				}
				checkPlanSizes(t, c)
				comps := randomComponents(c, true, false, int64(i))
				a, err := c.Analyze(comps)
				require.NoError(t, err)
				kept := bruteKept(mol, kw.Screening, maxNB)
				for _, b := range c.EffectiveBsseType() {
					require.NotEqual(t, qcschema.BsseCP, b, "effective bsse %v includes cp", c.EffectiveBsseType())
					e, g := bruteScreened(c, kept, comps, b)
					assert.Len(t, a.EnergyBodyDict[b], len(e), "%s: body levels", b)
					for n, want := range e {
						assert.InDelta(t, want, a.EnergyBodyDict[b][n], 1e-9, "%s energy through %d", b, n)
						inDeltaSlice(t, g[n], a.GradientBodyDict[b][n], 1e-9, "%s gradient through %d", b, n)
					}
				}
				b0 := c.EffectiveBsseType()[0]
				e, _ := bruteScreened(c, kept, comps, b0)
				last := c.maxNB
				if kw.Supersystem != "" {
					last = c.nfr
				}
				want := e[last]
				if !kw.ReturnTotalData {
					want -= e[1]
				}
				assert.InDelta(t, want, a.ReturnEnergy, 1e-9, "return energy")
			})
		}
	}
}

// Without anything dropped, a screened Core is the unscreened one; and the per-task
// weights of the screened path, forced on, give the unscreened numbers.
func TestScreenInfiniteCutoffsAreUnscreened(t *testing.T) {
	for _, path := range vectorFiles(t) {
		v := loadVector(t, path)
		base := v.core(t)
		kw := base.Keywords()
		if kw.SupersystemIEOnly {
			continue
		}
		skip := false
		for _, b := range kw.BsseType {
			skip = skip || b == qcschema.BsseCP
		}
		if skip {
			continue
		}
		t.Run(v.Name, func(t *testing.T) {
			comps := v.components(t)
			want, err := base.Analyze(comps)
			require.NoError(t, err)
			all := func(v float64) map[int]float64 {
				out := map[int]float64{}
				for k := 2; k <= base.MaxNbody(); k++ {
					out[k] = v
				}
				return out
			}
			for _, cut := range []map[int]float64{{}, all(1e300), all(math.Inf(1))} {
				for _, force := range []bool{false, true} {
					kw.Screening = &Screening{Metric: MetricCentroid, Cutoffs: cut}
					c, err := NewCore(base.mol, kw)
					require.NoError(t, err)
					require.False(t, c.screened, "cutoffs %v dropped clusters", cut)
					c.screened = force
					checkPlanSizes(t, c)
					require.Equal(t, base.Plan().Labels(), c.Plan().Labels(), "force %v: plan differs from the unscreened plan", force)
					got, err := c.Analyze(comps)
					require.NoError(t, err)
					if !force {
						assert.Equal(t, want.Properties, got.Properties, "properties differ from the unscreened ones")
					}
					for b, d := range want.EnergyBodyDict {
						if b == qcschema.BsseCP {
							continue
						}
						for n, e := range d {
							assert.InDelta(t, e, got.EnergyBodyDict[b][n], 1e-12*math.Max(1, math.Abs(e)), "force %v: %s energy through %d", force, b, n)
						}
					}
					for b, d := range want.GradientBodyDict {
						if b == qcschema.BsseCP {
							continue
						}
						for n, g := range d {
							inDeltaSlice(t, g, got.GradientBodyDict[b][n], 1e-12, "force %v: %s gradient through %d", force, b, n)
						}
					}
					if base.EffectiveBsseType()[0] != qcschema.BsseCP {
						assert.InDelta(t, want.ReturnEnergy, got.ReturnEnergy, 1e-12*math.Max(1, math.Abs(want.ReturnEnergy)), "force %v: return energy", force)
					}
				}
			}
		})
	}
}

// Hessians carry the same weights: the screened vmfc Hessian through max_nbody is the
// sum of the kept clusters' increments.
func TestScreenedHessianEqualsIncrementSum(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	kw := Keywords{BsseType: []qcschema.BsseType{qcschema.BsseVMFC}, Levels: levelsOf(3, "a"), ReturnTotalData: true}
	var c *Core
	var mol *qcschema.Molecule
	for c == nil || !c.screened || c.scr.count(3) == 0 {
		mol = randomCluster(rng, 7)
		kw.Screening = randomScreening(rng, MetricCentroid, 3)
		var err error
		c, err = NewCore(mol, kw)
		require.NoError(t, err)
	}
	comps := randomComponents(c, true, true, 5)
	a, err := c.Analyze(comps)
	require.NoError(t, err)
	n3 := 3 * c.natom
	for _, b := range c.EffectiveBsseType() {
		want := make([]float64, n3*n3)
		for k, clusters := range bruteKept(mol, kw.Screening, 3) {
			for _, S := range clusters {
				for mask := 1; mask < 1<<k; mask++ {
					var T []int
					for x := 0; x < k; x++ {
						if mask&(1<<x) != 0 {
							T = append(T, S[x])
						}
					}
					w := 1.0
					if (k-len(T))%2 == 1 {
						w = -1
					}
					basis := T
					if b == qcschema.BsseVMFC {
						basis = S
					}
					h := comps[makeLabel("a", T, basis)].Hessian
					atoms := c.basisAtoms(nil, basis)
					m3 := 3 * len(atoms)
					for i, ai := range atoms {
						for j, aj := range atoms {
							for x := 0; x < 3; x++ {
								for y := 0; y < 3; y++ {
									want[(3*ai+x)*n3+3*aj+y] += w * h[(3*i+x)*m3+3*j+y]
								}
							}
						}
					}
				}
			}
		}
		inDeltaSlice(t, want, a.HessianBodyDict[b][3], 1e-9, "%s Hessian through 3 bodies", b)
	}
}

// FuzzScreenedAnalyze draws clusters, cutoffs and keywords: NewCore may refuse them, but a
// screened Core must never panic and must assemble the sum of the kept increments.
func FuzzScreenedAnalyze(f *testing.F) {
	f.Add(int64(1), uint8(9), uint8(3), false, false, false, true)
	f.Add(int64(2), uint8(12), uint8(4), true, true, false, false)
	f.Add(int64(3), uint8(7), uint8(2), true, false, true, true)
	f.Add(int64(4), uint8(10), uint8(3), false, true, true, false)
	f.Fuzz(func(t *testing.T, seed int64, nfr, maxNB uint8, centroid, vmfc, ss, rtd bool) {
		rng := rand.New(rand.NewSource(seed))
		n := 2 + int(nfr%14)
		mb := 1 + int(maxNB%4)
		if mb > n {
			mb = n
		}
		metric := MetricMinAtom
		if centroid {
			metric = MetricCentroid
		}
		bt := []qcschema.BsseType{qcschema.BsseNoCP}
		if vmfc {
			bt = []qcschema.BsseType{qcschema.BsseVMFC, qcschema.BsseNoCP}
		}
		kw := Keywords{BsseType: bt, Levels: levelsOf(mb, "a"), ReturnTotalData: rtd, Screening: randomScreening(rng, metric, mb)}
		if ss {
			kw.Supersystem = "s"
		}
		mol := randomCluster(rng, n)
		c, err := NewCore(mol, kw)
		if err != nil {
			return
		}
		comps := randomComponents(c, true, false, seed)
		a, err := c.Analyze(comps)
		require.NoError(t, err)
		kept := bruteKept(mol, kw.Screening, mb)
		for _, b := range c.EffectiveBsseType() {
			if c.screened {
				require.NotEqual(t, qcschema.BsseCP, b, "cp in %v", c.EffectiveBsseType())
			}
			if b == qcschema.BsseCP {
				continue
			}
			e, _ := bruteScreened(c, kept, comps, b)
			for lvl, want := range e {
				if ss && lvl == n && mb == n {
					continue // QCManyBody's supersystem at max_nbody == N replaces the N-body sum
				}
				require.InDelta(t, want, a.EnergyBodyDict[b][lvl], 1e-9, "%s energy through %d", b, lvl)
			}
		}
	})
}
