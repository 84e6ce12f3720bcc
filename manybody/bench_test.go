package manybody

import (
	"math"
	"math/rand"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/qcschema"
)

// waterCluster builds n water molecules on a square grid (spacing 5.5 bohr), three atoms
// per fragment.
func waterCluster(n int) *qcschema.Molecule {
	side := int(math.Ceil(math.Sqrt(float64(n))))
	m := &qcschema.Molecule{MolecularMultiplicity: 1}
	for i := 0; i < n; i++ {
		x, y := 5.5*float64(i%side), 5.5*float64(i/side)
		z := 0.3 * float64(i%3)
		base := len(m.Symbols)
		m.Symbols = append(m.Symbols, "O", "H", "H")
		m.Geometry = append(m.Geometry,
			x, y, z,
			x+1.43, y+1.11, z,
			x-1.43, y+1.11, z)
		m.Fragments = append(m.Fragments, []int{base, base + 1, base + 2})
		m.FragmentCharges = append(m.FragmentCharges, 0)
		m.FragmentMultiplicities = append(m.FragmentMultiplicities, 1)
	}
	return m
}

func mustCore(tb testing.TB, mol *qcschema.Molecule, kw Keywords) *Core {
	tb.Helper()
	c, err := NewCore(mol, kw)
	require.NoError(tb, err)
	return c
}

// randomComponents fills a component for every planned task with seeded random data.
func randomComponents(c *Core, grad, hess bool, seed int64) map[string]Component {
	rng := rand.New(rand.NewSource(seed))
	plan := c.Plan()
	out := make(map[string]Component, len(plan.Tasks))
	for _, t := range plan.Tasks {
		n3 := 3 * c.nAtomBasis(t.Basis)
		comp := Component{Energy: -76*float64(len(t.Real)) + rng.Float64()}
		if grad {
			comp.Gradient = make([]float64, n3)
			for i := range comp.Gradient {
				comp.Gradient[i] = rng.Float64() - 0.5
			}
		}
		if hess {
			comp.Hessian = make([]float64, n3*n3)
			for i := range comp.Hessian {
				comp.Hessian[i] = rng.Float64() - 0.5
			}
		}
		out[t.Label()] = comp
	}
	return out
}

var water16kw = Keywords{
	BsseType:        []qcschema.BsseType{qcschema.BsseCP, qcschema.BsseNoCP, qcschema.BsseVMFC},
	Levels:          map[int]string{1: "mp2", 2: "mp2", 3: "mp2"},
	ReturnTotalData: true,
}

func BenchmarkPlanWater16MBE3(b *testing.B) {
	mol := waterCluster(16)
	b.ReportAllocs()
	for b.Loop() {
		c := mustCore(b, mol, water16kw)
		require.Equal(b, 4992, len(c.Plan().Tasks), "tasks")
	}
}

func BenchmarkMoleculesWater16MBE3(b *testing.B) {
	c := mustCore(b, waterCluster(16), water16kw)
	tasks := c.Plan().Tasks
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range tasks {
			// A guard, not require.NoError: an assertion costs about 130 ns (testing's
			// Helper bookkeeping), a good part of what this loop measures.
			if _, err := c.Molecule(t); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkAnalyzeWater16MBE3Gradient(b *testing.B) {
	c := mustCore(b, waterCluster(16), water16kw)
	comps := randomComponents(c, true, false, 1)
	_, err := c.Analyze(comps)
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		_, err := c.Analyze(comps)
		require.NoError(b, err)
	}
}

func BenchmarkAnalyzeWater16MBE3Hessian(b *testing.B) {
	c := mustCore(b, waterCluster(16), water16kw)
	comps := randomComponents(c, true, true, 1)
	_, err := c.Analyze(comps)
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		_, err := c.Analyze(comps)
		require.NoError(b, err)
	}
}

var water64kw = Keywords{
	BsseType:        []qcschema.BsseType{qcschema.BsseNoCP},
	Levels:          map[int]string{1: "hf", 2: "hf", 3: "hf"},
	ReturnTotalData: true,
}

// BenchmarkPlanAnalyzeWater64MBE3NoCPGradient times NewCore + Plan + Analyze of a
// water-64 MBE-3 NOCP gradient (43,744 tasks); the components are built beforehand.
func BenchmarkPlanAnalyzeWater64MBE3NoCPGradient(b *testing.B) {
	mol := waterCluster(64)
	comps := randomComponents(mustCore(b, mol, water64kw), true, false, 1)
	runtime.GC()
	b.ReportAllocs()
	for b.Loop() {
		c := mustCore(b, mol, water64kw)
		require.Equal(b, 43744, len(c.Plan().Tasks), "tasks")
		_, err := c.Analyze(comps)
		require.NoError(b, err)
	}
}
