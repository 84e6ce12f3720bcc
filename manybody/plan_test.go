package manybody

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

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
		if got := tc.task.Label(); got != tc.want {
			t.Errorf("Label() = %s, want %s", got, tc.want)
		}
		back, err := ParseLabel(tc.want)
		if err != nil {
			t.Fatalf("ParseLabel(%s): %v", tc.want, err)
		}
		if back.MC != tc.task.MC || !reflect.DeepEqual(back.Real, tc.task.Real) || !reflect.DeepEqual(back.Basis, tc.task.Basis) || back.Level != len(tc.task.Real) {
			t.Errorf("ParseLabel(%s) = %+v", tc.want, back)
		}
		if back.Label() != tc.want {
			t.Errorf("round trip %s -> %s", tc.want, back.Label())
		}
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
		if err != nil {
			t.Errorf("ParseLabel(%q): %v", in, err)
			continue
		}
		if task.Label() != want {
			t.Errorf("ParseLabel(%q) = %s, want %s", in, task.Label(), want)
		}
	}
	bad := []string{
		`junk`, `["a", [1]]`, `["a", [], [1]]`, `["a", [2], [1]]`, `["a", [2, 1], [1, 2]]`,
		`["a", [1, 1], [1]]`, `["a", [0], [0, 1]]`, `[1, [1], [1]]`, `["a", ["1"], [1]]`, `["a", [1.5], [1]]`,
	}
	for _, in := range bad {
		if _, err := ParseLabel(in); err == nil {
			t.Errorf("ParseLabel(%q) succeeded", in)
		}
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
			if p != c.Plan() {
				t.Fatal("Plan not cached")
			}
			if len(p.Tasks) != tc.ntasks {
				t.Fatalf("%d tasks, want %d", len(p.Tasks), tc.ntasks)
			}
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
			if total != len(p.Tasks) {
				t.Errorf("counts sum to %d", total)
			}
			for i, task := range p.Tasks {
				l := task.Label()
				if seen[l] {
					t.Fatalf("duplicate %s", l)
				}
				seen[l] = true
				if l != makeLabel(task.MC, task.Real, task.Basis) {
					t.Fatalf("cached label %s", l)
				}
				if err := checkTaskSets(task.Real, task.Basis, tc.nfr); err != nil {
					t.Fatalf("%s: %v", l, err)
				}
				if i > 0 {
					prev := p.Tasks[i-1]
					if prev.Level > task.Level || (prev.Level == task.Level && order[prev.MC] > order[task.MC]) {
						t.Fatalf("order: %s before %s", prev.Label(), l)
					}
				}
				var parsed []any
				if err := json.Unmarshal([]byte(l), &parsed); err != nil {
					t.Fatalf("label %s is not JSON", l)
				}
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
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m.Symbols, []string{"O", "H", "H", "O", "H", "H"}) {
		t.Errorf("symbols %v", m.Symbols)
	}
	if !reflect.DeepEqual(m.Geometry, mol.Geometry[9:27]) {
		t.Errorf("geometry %v", m.Geometry)
	}
	if !reflect.DeepEqual(m.Real, []bool{true, true, true, false, false, false}) {
		t.Errorf("real %v", m.Real)
	}
	if !reflect.DeepEqual(m.Fragments, [][]int{{0, 1, 2}, {3, 4, 5}}) {
		t.Errorf("fragments %v", m.Fragments)
	}
	if !reflect.DeepEqual(m.FragmentCharges, []float64{-1, 0}) || !reflect.DeepEqual(m.FragmentMultiplicities, []float64{2, 1}) {
		t.Errorf("fragment charges %v multiplicities %v", m.FragmentCharges, m.FragmentMultiplicities)
	}
	if m.MolecularCharge != -1 || m.MolecularMultiplicity != 2 {
		t.Errorf("charge %v multiplicity %v", m.MolecularCharge, m.MolecularMultiplicity)
	}
	if !m.FixCom || !m.FixOrientation || m.FixSymmetry != "c1" {
		t.Errorf("fix flags %v %v %q", m.FixCom, m.FixOrientation, m.FixSymmetry)
	}
	if !reflect.DeepEqual(m.Masses, mol.Masses[3:9]) {
		t.Errorf("masses %v", m.Masses)
	}
	emb, _ := json.Marshal(m.Extras["embedding_charges"])
	g := mol.Geometry
	wantEmb, _ := json.Marshal([]any{
		[]any{-0.8, g[0:3]}, []any{0.4, g[3:6]}, []any{0.4, g[6:9]},
	})
	if string(emb) != string(wantEmb) {
		t.Errorf("embedding %s, want %s", emb, wantEmb)
	}

	// Pair of real fragments: high-spin multiplicity and summed charge.
	task, _ = ParseLabel(`["a", [2, 3], [2, 3]]`)
	m, err = c.Molecule(task)
	if err != nil {
		t.Fatal(err)
	}
	if m.MolecularCharge != 0 || m.MolecularMultiplicity != 3 { // 1 + (2-1) + (2-1)
		t.Errorf("charge %v multiplicity %v", m.MolecularCharge, m.MolecularMultiplicity)
	}
	if m.Name != "w3" {
		t.Errorf("name %q", m.Name)
	}

	// Non-contiguous fragments keep parent atom order.
	sc := unevenCluster(true)
	c2 := mustCore(t, sc, Keywords{BsseType: []qcschema.BsseType{"cp"}, Levels: map[int]string{1: "a", 2: "a"}})
	task, _ = ParseLabel(`["a", [1], [1, 2]]`) // fragments {5} and {0, 7, 2}
	m, err = c2.Molecule(task)
	if err != nil {
		t.Fatal(err)
	}
	wantGeom := append(append(append(append([]float64{}, sc.Geometry[0:3]...), sc.Geometry[6:9]...), sc.Geometry[15:18]...), sc.Geometry[21:24]...)
	if !reflect.DeepEqual(m.Geometry, wantGeom) {
		t.Errorf("geometry %v", m.Geometry)
	}
	if !reflect.DeepEqual(m.Fragments, [][]int{{2}, {0, 1, 3}}) || !reflect.DeepEqual(m.Real, []bool{false, false, true, false}) {
		t.Errorf("fragments %v real %v", m.Fragments, m.Real)
	}
	if m.Extras != nil {
		t.Errorf("extras %v", m.Extras)
	}

	for _, bad := range []Task{
		{MC: "zz", Real: []int{1}, Basis: []int{1}},
		{MC: "a", Real: []int{6}, Basis: []int{6}},
		{MC: "a", Real: []int{2}, Basis: []int{1}},
		{MC: "a", Real: nil, Basis: []int{1}},
	} {
		if _, err := c2.Molecule(bad); err == nil || !strings.Contains(err.Error(), "task") {
			t.Errorf("Molecule(%v): %v", bad, err)
		}
	}
}

func TestMoleculeAllPlanned(t *testing.T) {
	c := mustCore(t, waterCluster(4), Keywords{BsseType: []qcschema.BsseType{"cp", "vmfc"}, Levels: map[int]string{1: "a", 2: "a", 3: "a", 4: "a"}, ReturnTotalData: true})
	for _, task := range c.Plan().Tasks {
		m, err := c.Molecule(task)
		if err != nil {
			t.Fatal(err)
		}
		nreal := 0
		for _, r := range m.Real {
			if r {
				nreal++
			}
		}
		if len(m.Symbols) != 3*len(task.Basis) || nreal != 3*len(task.Real) || len(m.Fragments) != len(task.Basis) {
			t.Fatalf("%s: %d atoms, %d real, %d fragments", task.Label(), len(m.Symbols), nreal, len(m.Fragments))
		}
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
	if got := c.Summary(); got != want {
		t.Errorf("Summary:\n%s\nwant:\n%s", got, want)
	}
}

// checkPlanSizes: the bucket sizes counted before the plan is built are exactly the tasks
// it generates, so that it is built in place.
func checkPlanSizes(t *testing.T, c *Core) {
	t.Helper()
	_, sizes, _, _ := c.planSizes()
	p := c.Plan()
	for mi, m := range c.mcs {
		for s := 1; s < len(sizes); s++ {
			if got := p.Counts[m.name][s]; got != sizes[s][mi] {
				t.Errorf("%s level %d: %d tasks made, %d counted", m.name, s, got, sizes[s][mi])
			}
		}
	}
	if cap(p.Tasks) != len(p.Tasks) {
		t.Errorf("tasks gathered, not built in place: cap %d for %d", cap(p.Tasks), len(p.Tasks))
	}
}
