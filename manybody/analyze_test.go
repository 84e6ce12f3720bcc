package manybody

import (
	"fmt"
	"math"
	"math/rand"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/qcschema"
)

// pairModel is a pairwise-additive fake model: the energy of a task depends only on its
// real fragments, E = sum_i e_i + sum_{i<j} p_ij, and so does the gradient (ghost atoms
// get zero).
type pairModel struct {
	nfr   int
	e     []float64
	p     [][]float64
	gm    [][]float64   // per atom: monomer gradient (3)
	gp    [][][]float64 // per atom, per other fragment: pair gradient (3)
	frag  []int         // atom -> 0-indexed fragment
	atoms func([]int) []int
}

func newPairModel(c *Core, seed int64) *pairModel {
	rng := rand.New(rand.NewSource(seed))
	m := &pairModel{nfr: c.nfr, frag: make([]int, c.natom)}
	for f, atoms := range c.fragAtoms {
		for _, a := range atoms {
			m.frag[a] = f
		}
	}
	m.e = make([]float64, c.nfr)
	m.p = make([][]float64, c.nfr)
	for i := range m.e {
		m.e[i] = -10 + rng.Float64()
		m.p[i] = make([]float64, c.nfr)
	}
	for i := 0; i < c.nfr; i++ {
		for j := i + 1; j < c.nfr; j++ {
			m.p[i][j] = 0.01 * (rng.Float64() - 0.5)
			m.p[j][i] = m.p[i][j]
		}
	}
	m.gm = make([][]float64, c.natom)
	m.gp = make([][][]float64, c.natom)
	for a := range m.gm {
		m.gm[a] = []float64{rng.Float64() - 0.5, rng.Float64() - 0.5, rng.Float64() - 0.5}
		m.gp[a] = make([][]float64, c.nfr)
		for f := range m.gp[a] {
			m.gp[a][f] = []float64{rng.Float64() - 0.5, rng.Float64() - 0.5, rng.Float64() - 0.5}
		}
	}
	m.atoms = func(basis []int) []int { return c.basisAtoms(nil, basis) }
	return m
}

func (m *pairModel) component(real, basis []int) Component {
	isReal := make([]bool, m.nfr)
	for _, f := range real {
		isReal[f-1] = true
	}
	var e float64
	for i, f := range real {
		e += m.e[f-1]
		for _, g := range real[i+1:] {
			e += m.p[f-1][g-1]
		}
	}
	atoms := m.atoms(basis)
	grad := make([]float64, 3*len(atoms))
	for k, a := range atoms {
		fa := m.frag[a]
		if !isReal[fa] {
			continue
		}
		for x := 0; x < 3; x++ {
			v := m.gm[a][x]
			for _, g := range real {
				if g-1 != fa {
					v += m.gp[a][g-1][x]
				}
			}
			grad[3*k+x] = v
		}
	}
	return Component{Energy: e, Gradient: grad}
}

func (m *pairModel) components(c *Core) map[string]Component {
	out := map[string]Component{}
	for _, t := range c.Plan().Tasks {
		out[t.Label()] = m.component(t.Real, t.Basis)
	}
	return out
}

// unevenCluster has five fragments of 1, 3, 2, 1 and 2 atoms; scrambled assigns atoms to
// fragments out of order.
func unevenCluster(scrambled bool) *qcschema.Molecule {
	m := &qcschema.Molecule{}
	sizes := []int{1, 3, 2, 1, 2}
	n := 0
	for _, s := range sizes {
		n += s
	}
	rng := rand.New(rand.NewSource(3))
	for i := 0; i < n; i++ {
		m.Symbols = append(m.Symbols, "He")
		m.Geometry = append(m.Geometry, 4*float64(i), rng.Float64(), rng.Float64())
	}
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	if scrambled {
		perm = []int{5, 0, 7, 2, 8, 1, 4, 3, 6}
	}
	k := 0
	for _, s := range sizes {
		m.Fragments = append(m.Fragments, append([]int(nil), perm[k:k+s]...))
		k += s
	}
	return m
}

func TestPairwiseAdditiveModel(t *testing.T) {
	all := []qcschema.BsseType{"nocp", "cp", "vmfc"}
	for _, scrambled := range []bool{false, true} {
		for _, maxNB := range []int{2, 3, 5} {
			for _, bt := range [][]qcschema.BsseType{{"nocp"}, {"cp"}, {"vmfc"}, all} {
				name := fmt.Sprintf("scrambled=%v/max=%d/%v", scrambled, maxNB, bt)
				t.Run(name, func(t *testing.T) {
					mol := unevenCluster(scrambled)
					levels := map[int]string{}
					for n := 1; n <= maxNB; n++ {
						levels[n] = "fake"
					}
					c := mustCore(t, mol, Keywords{BsseType: bt, Levels: levels, ReturnTotalData: true})
					require.NotEqual(t, scrambled, c.contiguous, "contiguous")
					model := newPairModel(c, 5)
					a, err := c.Analyze(model.components(c))
					require.NoError(t, err)
					full := []int{1, 2, 3, 4, 5}
					super := model.component(full, full)
					// atoms of the full basis are in parent order: the super gradient is full size.
					for _, b := range c.EffectiveBsseType() {
						ebd := a.EnergyBodyDict[b]
						gbd := a.GradientBodyDict[b]
						for n := 2; n <= maxNB; n++ {
							if b == qcschema.BsseNoCP && n >= 3 {
								assert.InDelta(t, 0, ebd[n]-ebd[n-1], 1e-10, "%s %d-body energy contribution", b, n)
								key := fmt.Sprintf("nocp_corrected_%d_body_contribution_to_energy", n)
								assert.InDelta(t, 0, a.Properties.Energies[key], 1e-10, "%s", key)
								for i := range gbd[n] {
									if !assert.InDelta(t, 0, gbd[n][i]-gbd[n-1][i], 1e-10, "%s %d-body gradient contribution [%d]", b, n, i) {
										break
									}
								}
							}
						}
						// Pairwise additivity: through 2 bodies (and beyond) equals the supersystem.
						assert.InDelta(t, super.Energy, ebd[maxNB], 1e-10, "%s through %d-body energy", b, maxNB)
						inDeltaSlice(t, super.Gradient, gbd[maxNB], 1e-10, "%s through %d-body gradient", b, maxNB)
					}
					assert.InDelta(t, super.Energy, a.ReturnEnergy, 1e-10, "return energy")
				})
			}
		}
	}
}

func sameBits(t *testing.T, what string, a, b []float64) {
	t.Helper()
	require.Equal(t, len(a), len(b), "%s: length", what)
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			require.Failf(t, "not the same bits", "%s[%d]: %v != %v", what, i, a[i], b[i])
		}
	}
}

func sameAnalysis(t *testing.T, a, b *Analysis) {
	t.Helper()
	sameBits(t, "return energy", []float64{a.ReturnEnergy}, []float64{b.ReturnEnergy})
	sameBits(t, "return gradient", a.ReturnGradient, b.ReturnGradient)
	sameBits(t, "return hessian", a.ReturnHessian, b.ReturnHessian)
	for bt, d := range a.EnergyBodyDict {
		for n, e := range d {
			sameBits(t, fmt.Sprintf("energy body %s %d", bt, n), []float64{e}, []float64{b.EnergyBodyDict[bt][n]})
		}
	}
	for k, v := range a.Properties.Energies {
		sameBits(t, k, []float64{v}, []float64{b.Properties.Energies[k]})
	}
	for k, v := range a.Properties.Arrays {
		sameBits(t, k, v, b.Properties.Arrays[k])
	}
	require.Equal(t, a.Table, b.Table, "tables differ")
}

func TestAnalyzeOrderIndependent(t *testing.T) {
	c := mustCore(t, waterCluster(5), Keywords{
		BsseType: []qcschema.BsseType{"vmfc", "cp", "nocp"}, Levels: map[int]string{1: "a", 2: "a", 3: "b"}, ReturnTotalData: true,
	})
	comps := randomComponents(c, true, true, 9)
	ref, err := c.Analyze(comps)
	require.NoError(t, err)
	labels := c.Plan().Labels()
	rng := rand.New(rand.NewSource(1))
	var wg sync.WaitGroup
	results := make([]*Analysis, 6)
	for r := range results {
		perm := rng.Perm(len(labels))
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := make(map[string]Component, len(labels))
			for _, i := range perm {
				m[labels[i]] = comps[labels[i]]
			}
			a, err := c.Analyze(m)
			if !assert.NoError(t, err) {
				return
			}
			results[r] = a
		}()
	}
	wg.Wait()
	for _, a := range results {
		if a != nil {
			sameAnalysis(t, ref, a)
		}
	}
}

func TestAnalyzeErrors(t *testing.T) {
	c := mustCore(t, waterCluster(3), Keywords{BsseType: []qcschema.BsseType{"cp"}, Levels: map[int]string{1: "a", 2: "a"}, ReturnTotalData: true})
	lbl := `["a", [2], [1, 2, 3]]`
	cases := []struct {
		name    string
		edit    func(m map[string]Component)
		errPart string
	}{
		{"missing", func(m map[string]Component) { delete(m, lbl) }, "missing component for task " + lbl},
		{"nan energy", func(m map[string]Component) { x := m[lbl]; x.Energy = math.NaN(); m[lbl] = x }, lbl + ": energy is NaN"},
		{"inf energy", func(m map[string]Component) { x := m[lbl]; x.Energy = math.Inf(-1); m[lbl] = x }, lbl},
		{"short gradient", func(m map[string]Component) { x := m[lbl]; x.Gradient = x.Gradient[:9]; m[lbl] = x }, lbl + ": gradient has 9 values, want 27"},
		{"no gradient", func(m map[string]Component) { x := m[lbl]; x.Gradient = nil; m[lbl] = x }, lbl + ": no gradient"},
		{"nan gradient", func(m map[string]Component) {
			x := m[lbl]
			g := append([]float64(nil), x.Gradient...)
			g[4] = math.NaN()
			x.Gradient = g
			m[lbl] = x
		}, lbl + ": gradient[4]"},
		{"no hessian", func(m map[string]Component) { x := m[lbl]; x.Hessian = make([]float64, 27*27); m[lbl] = x }, ": no Hessian"},
		{"hessian size", func(m map[string]Component) {
			for k, x := range m {
				x.Hessian = make([]float64, len(x.Gradient)*len(x.Gradient))
				m[k] = x
			}
			x := m[lbl]
			x.Hessian = make([]float64, 27)
			m[lbl] = x
		}, lbl + ": Hessian has 27 values"},
		{"inf hessian", func(m map[string]Component) {
			for k, x := range m {
				x.Hessian = make([]float64, len(x.Gradient)*len(x.Gradient))
				m[k] = x
			}
			x := m[lbl]
			x.Hessian[7] = math.Inf(1)
			m[lbl] = x
		}, lbl + ": hessian[7]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := randomComponents(c, true, false, 2)
			tc.edit(m)
			_, err := c.Analyze(m)
			require.ErrorContains(t, err, tc.errPart)
		})
	}
	// Extra components are ignored.
	m := randomComponents(c, false, false, 2)
	m[`["zzz", [1], [1]]`] = Component{Energy: math.NaN()}
	_, err := c.Analyze(m)
	require.NoError(t, err)
}

func TestAnalyzeNoTasks(t *testing.T) {
	// CP-only interaction energy through 1 body needs no calculation at all.
	c := mustCore(t, waterCluster(3), Keywords{BsseType: []qcschema.BsseType{"cp"}, Levels: map[int]string{1: "a"}})
	require.Empty(t, c.Plan().Tasks)
	a, err := c.Analyze(nil)
	require.NoError(t, err)
	require.Zero(t, a.ReturnEnergy, "return energy")
	require.Zero(t, a.EnergyBodyDict["cp"][1], "cp 1-body energy")
	require.Contains(t, a.Properties.Energies, "cp_corrected_interaction_energy")
}

func TestAnalyzeCalcinfo(t *testing.T) {
	mol := waterCluster(3)
	mol.AtomicNumbers = []int{8, 1, 1, 8, 1, 1, 8, 1, 1}
	c := mustCore(t, mol, Keywords{BsseType: []qcschema.BsseType{"nocp"}, Levels: map[int]string{1: "a", 2: "b"}, Supersystem: "c", ReturnTotalData: true})
	a, err := c.Analyze(randomComponents(c, false, false, 3))
	require.NoError(t, err)
	p := a.Properties
	assert.Equal(t, 3, *p.CalcinfoNMC, "calcinfo_nmc")
	assert.Equal(t, 3, *p.CalcinfoNFR, "calcinfo_nfr")
	assert.Equal(t, 9, *p.CalcinfoNAtom, "calcinfo_natom")
	assert.Equal(t, len(c.Plan().Tasks), *p.CalcinfoNMBE, "calcinfo_nmbe")
	if assert.NotNil(t, p.NuclearRepulsionEnergy, "nuclear repulsion") {
		assert.Positive(t, *p.NuclearRepulsionEnergy, "nuclear repulsion")
	}
	if assert.NotNil(t, p.ReturnEnergy, "return energy") {
		assert.Equal(t, a.ReturnEnergy, *p.ReturnEnergy, "return energy")
	}
	for _, want := range []string{"SS/FULL/RTN", "§A", `§C: "c"`, "Non-Counterpoise Corrected (NoCP)"} {
		assert.Contains(t, a.Table, want, "table")
	}
}
