package manybody

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/qcschema"
)

func TestLabel(t *testing.T) {
	cases := []struct {
		task Task
		want string
	}{
		{Task{MC: "mp2", Real: []int{1}, Basis: []int{1, 2}}, `["mp2", [1], [1, 2]]`},
		{Task{MC: "(auto)", Real: []int{1, 2, 3}, Basis: []int{1, 2, 3}}, `["(auto)", [1, 2, 3], [1, 2, 3]]`},
		{Task{MC: `a"b\c`, Real: []int{10}, Basis: []int{10}}, `["a\"b\\c", [10], [10]]`},
		{Task{MC: "é<&>\n", Real: []int{1}, Basis: []int{1}}, `["\u00e9<&>\n", [1], [1]]`},
		{Task{MC: "😀", Real: []int{1}, Basis: []int{1}}, `["\ud83d\ude00", [1], [1]]`},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, tc.task.Label(), "Label()")
		back, err := ParseLabel(tc.want)
		require.NoError(t, err, "ParseLabel(%s)", tc.want)
		assert.Equal(t, tc.task.MC, back.MC, "ParseLabel(%s): mc", tc.want)
		assert.Equal(t, tc.task.Real, back.Real, "ParseLabel(%s): real", tc.want)
		assert.Equal(t, tc.task.Basis, back.Basis, "ParseLabel(%s): basis", tc.want)
		assert.Equal(t, len(tc.task.Real), back.Level, "ParseLabel(%s): level", tc.want)
		assert.Equal(t, tc.want, back.Label(), "round trip")
	}
}

func TestParseLabel(t *testing.T) {
	good := map[string]string{
		`["mp2",[1],[1,2]]`:              `["mp2", [1], [1, 2]]`,
		` [ "hf" , [2, 3], [1, 2, 3] ] `: `["hf", [2, 3], [1, 2, 3]]`,
		`§mp2_(1)@(1, 2)`:                `["mp2", [1], [1, 2]]`,
		`(1, 2)@(1, 2)`:                  `["", [1, 2], [1, 2]]`,
	}
	for in, want := range good {
		task, err := ParseLabel(in)
		if assert.NoError(t, err, "ParseLabel(%q)", in) {
			assert.Equal(t, want, task.Label(), "ParseLabel(%q)", in)
		}
	}
	bad := []string{
		`junk`, `["a", [1]]`, `["a", [], [1]]`, `["a", [2], [1]]`, `["a", [2, 1], [1, 2]]`,
		`["a", [1, 1], [1]]`, `["a", [0], [0, 1]]`, `[1, [1], [1]]`, `["a", ["1"], [1]]`, `["a", [1.5], [1]]`,
	}
	for _, in := range bad {
		_, err := ParseLabel(in)
		assert.Error(t, err, "ParseLabel(%q)", in)
	}
}

func TestPlanInvariants(t *testing.T) {
	cases := []struct {
		name   string
		nfr    int
		kw     Keywords
		ntasks int
	}{
		{"water16 cp+nocp+vmfc mbe3", 16, water16kw, 4992},
		{"water64 nocp mbe3", 64, water64kw, 43744},
		{"water4 vmfc full", 4, Keywords{BsseType: []qcschema.BsseType{"vmfc"}, Levels: map[int]string{1: "a", 2: "a", 3: "a", 4: "a"}}, 65},
		{"water4 ssio cp", 4, Keywords{BsseType: []qcschema.BsseType{"cp"}, Levels: map[int]string{1: "a", 2: "a", 3: "a", 4: "a"}, SupersystemIEOnly: true}, 5},
		{"water4 ssio cp rtd", 4, Keywords{BsseType: []qcschema.BsseType{"cp"}, Levels: map[int]string{1: "a", 2: "a", 3: "a", 4: "a"}, SupersystemIEOnly: true, ReturnTotalData: true}, 9},
		{"water5 multilevel supersystem", 5, Keywords{BsseType: []qcschema.BsseType{"nocp", "cp"}, Levels: map[int]string{1: "a", 2: "b"}, Supersystem: "c", ReturnTotalData: true}, 5 + 30 + 16},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := mustCore(t, waterCluster(tc.nfr), tc.kw)
			p := c.Plan()
			require.Same(t, p, c.Plan(), "Plan not cached")
			require.Equal(t, tc.ntasks, len(p.Tasks), "tasks")
			checkPlanSizes(t, c)
			seen := make(map[string]bool, len(p.Tasks))
			order := map[string]int{}
			for i, mc := range p.ModelChemistries {
				order[mc] = i
			}
			total := 0
			for _, m := range p.Counts {
				for _, k := range m {
					total += k
				}
			}
			assert.Equal(t, len(p.Tasks), total, "counts sum")
			for i, task := range p.Tasks {
				l := task.Label()
				require.False(t, seen[l], "duplicate %s", l)
				seen[l] = true
				require.Equal(t, makeLabel(task.MC, task.Real, task.Basis), l, "cached label")
				require.NoError(t, checkTaskSets(task.Real, task.Basis, tc.nfr), l)
				if i > 0 {
					prev := p.Tasks[i-1]
					require.False(t, prev.Level > task.Level || (prev.Level == task.Level && order[prev.MC] > order[task.MC]),
						"order: %s before %s", prev.Label(), l)
				}
				var parsed []any
				require.NoError(t, json.Unmarshal([]byte(l), &parsed), "label %s is not JSON", l)
			}
		})
	}
}

func TestMolecule(t *testing.T) {
	mol := waterCluster(3)
	mol.Name = "w3"
	mol.FragmentCharges = []float64{0, -1, 1}
	mol.FragmentMultiplicities = []float64{1, 2, 2} // water, its anion and its cation
	mol.MolecularCharge = 0
	mol.MolecularMultiplicity = 3
	mol.Masses = []float64{16, 1, 1, 16.5, 1.5, 1.5, 17, 2, 2}
	mol.FixSymmetry = "c1"
	q := map[int][]float64{1: {-0.8, 0.4, 0.4}, 2: {-0.7, 0.35, 0.35}, 3: {-0.6, 0.3, 0.3}}
	c := mustCore(t, mol, Keywords{BsseType: []qcschema.BsseType{"vmfc"}, Levels: map[int]string{1: "a", 2: "a"}, ReturnTotalData: true, EmbeddingCharges: q})

	task, _ := ParseLabel(`["a", [2], [2, 3]]`)
	m, err := c.Molecule(task)
	require.NoError(t, err)
	assert.Equal(t, []string{"O", "H", "H", "O", "H", "H"}, m.Symbols, "symbols")
	assert.Equal(t, mol.Geometry[9:27], m.Geometry, "geometry")
	assert.Equal(t, []bool{true, true, true, false, false, false}, m.Real, "real")
	assert.Equal(t, [][]int{{0, 1, 2}, {3, 4, 5}}, m.Fragments, "fragments")
	assert.Equal(t, []float64{-1, 0}, m.FragmentCharges, "fragment charges")
	assert.Equal(t, []float64{2, 1}, m.FragmentMultiplicities, "fragment multiplicities")
	assert.Equal(t, -1.0, m.MolecularCharge, "charge")
	assert.Equal(t, 2.0, m.MolecularMultiplicity, "multiplicity")
	assert.True(t, m.FixCom, "fix_com")
	assert.True(t, m.FixOrientation, "fix_orientation")
	assert.Equal(t, "c1", m.FixSymmetry, "fix_symmetry")
	assert.Equal(t, mol.Masses[3:9], m.Masses, "masses")
	emb, _ := json.Marshal(m.Extras["embedding_charges"])
	g := mol.Geometry
	wantEmb, _ := json.Marshal([]any{
		[]any{-0.8, g[0:3]}, []any{0.4, g[3:6]}, []any{0.4, g[6:9]},
	})
	assert.Equal(t, string(wantEmb), string(emb), "embedding")

	// Pair of real fragments: high-spin multiplicity and summed charge.
	task, _ = ParseLabel(`["a", [2, 3], [2, 3]]`)
	m, err = c.Molecule(task)
	require.NoError(t, err)
	assert.Equal(t, 0.0, m.MolecularCharge, "charge")
	assert.Equal(t, 3.0, m.MolecularMultiplicity, "multiplicity") // 1 + (2-1) + (2-1)
	assert.Equal(t, "w3", m.Name, "name")

	// Non-contiguous fragments keep parent atom order.
	sc := unevenCluster(true)
	c2 := mustCore(t, sc, Keywords{BsseType: []qcschema.BsseType{"cp"}, Levels: map[int]string{1: "a", 2: "a"}})
	task, _ = ParseLabel(`["a", [1], [1, 2]]`) // fragments {5} and {0, 7, 2}
	m, err = c2.Molecule(task)
	require.NoError(t, err)
	wantGeom := append(append(append(append([]float64{}, sc.Geometry[0:3]...), sc.Geometry[6:9]...), sc.Geometry[15:18]...), sc.Geometry[21:24]...)
	assert.Equal(t, wantGeom, m.Geometry, "geometry")
	assert.Equal(t, [][]int{{2}, {0, 1, 3}}, m.Fragments, "fragments")
	assert.Equal(t, []bool{false, false, true, false}, m.Real, "real")
	assert.Nil(t, m.Extras, "extras")

	for _, bad := range []Task{
		{MC: "zz", Real: []int{1}, Basis: []int{1}},
		{MC: "a", Real: []int{6}, Basis: []int{6}},
		{MC: "a", Real: []int{2}, Basis: []int{1}},
		{MC: "a", Real: nil, Basis: []int{1}},
	} {
		_, err := c2.Molecule(bad)
		assert.ErrorContains(t, err, "task", "Molecule(%v)", bad)
	}
}

func TestMoleculeAllPlanned(t *testing.T) {
	c := mustCore(t, waterCluster(4), Keywords{BsseType: []qcschema.BsseType{"cp", "vmfc"}, Levels: map[int]string{1: "a", 2: "a", 3: "a", 4: "a"}, ReturnTotalData: true})
	for _, task := range c.Plan().Tasks {
		m, err := c.Molecule(task)
		require.NoError(t, err)
		nreal := 0
		for _, r := range m.Real {
			if r {
				nreal++
			}
		}
		require.Len(t, m.Symbols, 3*len(task.Basis), "%s: atoms", task.Label())
		require.Equal(t, 3*len(task.Real), nreal, "%s: real atoms", task.Label())
		require.Len(t, m.Fragments, len(task.Basis), "%s: fragments", task.Label())
	}
}

func TestSummary(t *testing.T) {
	// The example of QCManyBody's format_calc_plan docstring.
	c := mustCore(t, waterCluster(4), Keywords{BsseType: []qcschema.BsseType{"vmfc"}, Levels: map[int]string{1: "c4-ccsd", 2: "c4-ccsd", 3: "c4-mp2"}})
	want := `    Model chemistry "c4-ccsd" (§A):        22
        Number of 1-body computations:     16 (nocp: 0, cp: 0, vmfc_compute: 16)
        Number of 2-body computations:      6 (nocp: 0, cp: 0, vmfc_compute: 6)

    Model chemistry "c4-mp2" (§B):         28
        Number of 1-body computations:     12 (nocp: 0, cp: 0, vmfc_compute: 12)
        Number of 2-body computations:     12 (nocp: 0, cp: 0, vmfc_compute: 12)
        Number of 3-body computations:      4 (nocp: 0, cp: 0, vmfc_compute: 4)

`
	assert.Equal(t, want, c.Summary(), "Summary")
}

// checkPlanSizes: the bucket sizes counted before the plan is built are exactly the tasks
// it generates, so that it is built in place.
func checkPlanSizes(t *testing.T, c *Core) {
	t.Helper()
	_, sizes, _, _ := c.planSizes()
	p := c.Plan()
	for mi, m := range c.mcs {
		for s := 1; s < len(sizes); s++ {
			assert.Equal(t, sizes[s][mi], p.Counts[m.name][s], "%s level %d: tasks made, counted", m.name, s)
		}
	}
	assert.Equal(t, len(p.Tasks), cap(p.Tasks), "tasks gathered, not built in place: capacity")
}
