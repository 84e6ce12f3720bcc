package manybody

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/qcschema"
)

func loadInput(t *testing.T, name string) *qcschema.ManyBodyInput {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "inputs", name))
	require.NoError(t, err)
	var in qcschema.ManyBodyInput
	require.NoError(t, json.Unmarshal(data, &in), name)
	return &in
}

func TestKeywordsFromQCManyBodyInputs(t *testing.T) {
	bt := func(s ...string) []qcschema.BsseType {
		out := make([]qcschema.BsseType, len(s))
		for i, x := range s {
			out[i] = qcschema.BsseType(x)
		}
		return out
	}
	cases := []struct {
		file   string
		want   Keywords
		ntasks int
		eff    []qcschema.BsseType
	}{
		{"qcmanybody_water_dimer_cp_energy.json", Keywords{
			BsseType: bt("cp", "nocp"), Levels: map[int]string{1: "scf", 2: "scf"},
		}, 5, bt("cp", "nocp")},
		{"qcmanybody_water_trimer_multilevel_supersystem_gradient.json", Keywords{
			BsseType: bt("nocp", "cp"), Levels: map[int]string{1: "mp2", 2: "b3lyp"}, Supersystem: "hf", ReturnTotalData: true,
		}, 3 + 12 + 7, bt("nocp", "cp")},
		{"qcmanybody_water_trimer_vmfc_embedding_energy.json", Keywords{
			BsseType: bt("vmfc"), Levels: map[int]string{1: "(auto)", 2: "(auto)"}, ReturnTotalData: true,
			EmbeddingCharges: map[int][]float64{1: {-0.8, 0.4, 0.4}, 2: {-0.8, 0.4, 0.4}, 3: {-0.8, 0.4, 0.4}},
		}, 3 + 3*3, bt("vmfc", "nocp")},
	}
	for _, tc := range cases {
		t.Run(strings.TrimSuffix(tc.file, ".json"), func(t *testing.T) {
			in := loadInput(t, tc.file)
			kw, err := KeywordsFromInput(in)
			require.NoError(t, err)
			require.Empty(t, cmp.Diff(tc.want, kw), "keywords (-want +got)")
			c, err := NewCore(&in.Molecule, kw)
			require.NoError(t, err)
			p := c.Plan()
			assert.Len(t, p.Labels(), tc.ntasks, "tasks")
			assert.Equal(t, tc.eff, p.EffectiveBsseType, "effective bsse")
			for _, task := range p.Tasks {
				assert.Contains(t, in.Specification.Specification, task.MC, "task %s: no specification", task.Label())
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestKeywordsFromInputRules(t *testing.T) {
	mol := waterCluster(3)
	spec := map[string]qcschema.AtomicSpecification{"(auto)": {Program: "hf"}}
	two := map[string]qcschema.AtomicSpecification{"a": {}, "b": {}}
	cases := []struct {
		name    string
		driver  qcschema.Driver
		kw      qcschema.ManyBodyKeywords
		specs   map[string]qcschema.AtomicSpecification
		want    *Keywords
		errPart string
	}{
		{name: "defaults energy", driver: qcschema.DriverEnergy, specs: spec,
			want: &Keywords{BsseType: []qcschema.BsseType{"cp"}, Levels: map[int]string{1: "(auto)", 2: "(auto)", 3: "(auto)"}}},
		{name: "defaults gradient rtd", driver: qcschema.DriverGradient, specs: spec,
			want: &Keywords{BsseType: []qcschema.BsseType{"cp"}, Levels: map[int]string{1: "(auto)", 2: "(auto)", 3: "(auto)"}, ReturnTotalData: true}},
		{name: "hessian rtd given false", driver: qcschema.DriverHessian, specs: spec, kw: qcschema.ManyBodyKeywords{ReturnTotalData: ptr(false)},
			want: &Keywords{BsseType: []qcschema.BsseType{"cp"}, Levels: map[int]string{1: "(auto)", 2: "(auto)", 3: "(auto)"}}},
		{name: "max_nbody", specs: spec, kw: qcschema.ManyBodyKeywords{MaxNbody: ptr(2), BsseType: qcschema.BsseList{"SSFC", "mbe", "cp"}},
			want: &Keywords{BsseType: []qcschema.BsseType{"cp", "nocp"}, Levels: map[int]string{1: "(auto)", 2: "(auto)"}}},
		{name: "one named spec", specs: map[string]qcschema.AtomicSpecification{"scf": {}}, kw: qcschema.ManyBodyKeywords{MaxNbody: ptr(1)},
			want: &Keywords{BsseType: []qcschema.BsseType{"cp"}, Levels: map[int]string{1: "scf"}}},
		{name: "levels skip", specs: two, kw: qcschema.ManyBodyKeywords{Levels: map[string]string{"2": "a", "3": "b"}},
			want: &Keywords{BsseType: []qcschema.BsseType{"cp"}, Levels: map[int]string{1: "a", 2: "a", 3: "b"}}},
		{name: "levels supersystem", specs: two, kw: qcschema.ManyBodyKeywords{Levels: map[string]string{"1": "a", "supersystem": "b"}},
			want: &Keywords{BsseType: []qcschema.BsseType{"cp"}, Levels: map[int]string{1: "a"}, Supersystem: "b"}},
		{name: "max_nbody overrides levels", specs: map[string]qcschema.AtomicSpecification{"(auto)": {}, "a": {}},
			kw:   qcschema.ManyBodyKeywords{Levels: map[string]string{"3": "a"}, MaxNbody: ptr(2)},
			want: &Keywords{BsseType: []qcschema.BsseType{"cp"}, Levels: map[int]string{1: "(auto)", 2: "(auto)"}}},
		{name: "duplicate mc", specs: two, kw: qcschema.ManyBodyKeywords{Levels: map[string]string{"1": "a", "2": "a"}}, errPart: "levels: duplicate"},
		{name: "bad level key", specs: two, kw: qcschema.ManyBodyKeywords{Levels: map[string]string{"x": "a"}}, errPart: "levels: key"},
		{name: "level beyond nfr", specs: two, kw: qcschema.ManyBodyKeywords{Levels: map[string]string{"4": "a"}}, errPart: "levels"},
		{name: "only supersystem", specs: two, kw: qcschema.ManyBodyKeywords{Levels: map[string]string{"supersystem": "a"}}, errPart: "levels"},
		{name: "unknown spec", specs: two, kw: qcschema.ManyBodyKeywords{Levels: map[string]string{"1": "a", "2": "c"}}, errPart: "not a key of specification"},
		{name: "levels needed", specs: two, errPart: "levels: required"},
		{name: "max_nbody 0", specs: spec, kw: qcschema.ManyBodyKeywords{MaxNbody: ptr(0)}, errPart: "max_nbody"},
		{name: "max_nbody big", specs: spec, kw: qcschema.ManyBodyKeywords{MaxNbody: ptr(4)}, errPart: "max_nbody"},
		{name: "bad bsse", specs: spec, kw: qcschema.ManyBodyKeywords{BsseType: qcschema.BsseList{"xcp"}}, errPart: "bsse_type"},
		{name: "ssio max", specs: spec, kw: qcschema.ManyBodyKeywords{MaxNbody: ptr(2), SupersystemIEOnly: true}, errPart: "supersystem_ie_only"},
		{name: "ssio vmfc", specs: spec, kw: qcschema.ManyBodyKeywords{BsseType: qcschema.BsseList{"vmfc"}, SupersystemIEOnly: true}, errPart: "supersystem_ie_only"},
		{name: "embedding rtd", specs: spec, kw: qcschema.ManyBodyKeywords{ReturnTotalData: ptr(false),
			EmbeddingCharges: map[string][]float64{"1": {0, 0, 0}, "2": {0, 0, 0}, "3": {0, 0, 0}}}, errPart: "return_total_data"},
		{name: "embedding count", specs: spec, kw: qcschema.ManyBodyKeywords{ReturnTotalData: ptr(true),
			EmbeddingCharges: map[string][]float64{"1": {0, 0, 0}}}, errPart: "embedding_charges"},
		{name: "embedding key", specs: spec, kw: qcschema.ManyBodyKeywords{ReturnTotalData: ptr(true),
			EmbeddingCharges: map[string][]float64{"1": {0, 0, 0}, "2": {0, 0, 0}, "x": {0, 0, 0}}}, errPart: "embedding_charges"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := &qcschema.ManyBodyInput{Molecule: *mol}
			in.Specification.Driver = tc.driver
			in.Specification.Keywords = tc.kw
			in.Specification.Specification = tc.specs
			kw, err := KeywordsFromInput(in)
			if tc.errPart != "" {
				require.ErrorContains(t, err, tc.errPart)
				return
			}
			require.NoError(t, err)
			require.Empty(t, cmp.Diff(*tc.want, kw), "keywords (-want +got)")
			_, err = NewCore(mol, kw)
			require.NoError(t, err)
		})
	}
}

func TestNewCoreErrors(t *testing.T) {
	mol := waterCluster(3)
	base := func() Keywords {
		return Keywords{BsseType: []qcschema.BsseType{"cp"}, Levels: map[int]string{1: "a", 2: "a"}}
	}
	cases := []struct {
		name    string
		mol     func() *qcschema.Molecule
		kw      func(k *Keywords)
		errPart string
	}{
		{"nil molecule", func() *qcschema.Molecule { return nil }, nil, "molecule"},
		{"one fragment", func() *qcschema.Molecule {
			m := *mol
			m.Fragments = [][]int{{0, 1, 2, 3, 4, 5, 6, 7, 8}}
			m.FragmentCharges, m.FragmentMultiplicities = nil, nil
			return &m
		}, nil, "molecule.fragments"},
		{"atom twice", func() *qcschema.Molecule {
			m := *mol
			m.Fragments = [][]int{{0, 1, 2}, {2, 3, 4, 5}, {6, 7, 8}}
			return &m
		}, nil, "molecule.fragments"},
		{"atom missing", func() *qcschema.Molecule {
			m := *mol
			m.Fragments = [][]int{{0, 1, 2}, {3, 4, 5}, {6, 7}}
			return &m
		}, nil, "molecule.fragments"},
		{"bad geometry", func() *qcschema.Molecule {
			m := *mol
			m.Geometry = m.Geometry[:5]
			return &m
		}, nil, "molecule.geometry"},
		{"coincident atoms", func() *qcschema.Molecule {
			m := *mol
			m.Geometry = append([]float64(nil), m.Geometry...)
			copy(m.Geometry[3*7:3*8], m.Geometry[3*1:3*2]) // an H of water 3 onto an H of water 1
			m.Geometry[3*7] += 0.05
			return &m
		}, nil, "atoms 1 (H) and 7 (H) are 0.05 bohr apart"},
		{"fragment charges", func() *qcschema.Molecule {
			m := *mol
			m.FragmentCharges = []float64{0}
			return &m
		}, nil, "fragment_charges"},
		{"no bsse", nil, func(k *Keywords) { k.BsseType = nil }, "bsse_type"},
		{"unknown bsse", nil, func(k *Keywords) { k.BsseType = []qcschema.BsseType{"cp", "boys"} }, "bsse_type"},
		{"no levels", nil, func(k *Keywords) { k.Levels = nil }, "levels"},
		{"levels gap", nil, func(k *Keywords) { k.Levels = map[int]string{1: "a", 3: "b"} }, "levels: n-body levels must be contiguous"},
		{"levels from 2", nil, func(k *Keywords) { k.Levels = map[int]string{2: "a"} }, "levels"},
		{"level 0", nil, func(k *Keywords) { k.Levels = map[int]string{0: "a", 1: "a"} }, "levels"},
		{"max > nfr", nil, func(k *Keywords) { k.Levels = map[int]string{1: "a", 2: "a", 3: "a", 4: "a"} }, "levels: max n-body 4 exceeds"},
		{"mc not contiguous", nil, func(k *Keywords) { k.Levels = map[int]string{1: "a", 2: "b", 3: "a"} }, "within a model chemistry"},
		{"supersystem reuses mc", nil, func(k *Keywords) { k.Supersystem = "a" }, "levels: supersystem"},
		{"ssio max", nil, func(k *Keywords) { k.SupersystemIEOnly = true }, "supersystem_ie_only"},
		{"ssio vmfc", nil, func(k *Keywords) {
			k.SupersystemIEOnly = true
			k.BsseType = []qcschema.BsseType{"vmfc"}
			k.Levels[3] = "a"
		}, "supersystem_ie_only"},
		{"ssio multilevel", nil, func(k *Keywords) {
			k.SupersystemIEOnly = true
			k.Levels = map[int]string{1: "a", 2: "b", 3: "b"}
		}, "supersystem_ie_only"},
		{"embedding rtd", nil, func(k *Keywords) {
			k.EmbeddingCharges = map[int][]float64{1: {0, 0, 0}, 2: {0, 0, 0}, 3: {0, 0, 0}}
		}, "return_total_data"},
		{"embedding sizes", nil, func(k *Keywords) {
			k.ReturnTotalData = true
			k.EmbeddingCharges = map[int][]float64{1: {0, 0, 0}, 2: {0, 0}, 3: {0, 0, 0}}
		}, "embedding_charges[2]"},
		{"embedding missing fragment", nil, func(k *Keywords) {
			k.ReturnTotalData = true
			k.EmbeddingCharges = map[int][]float64{1: {0, 0, 0}, 2: {0, 0, 0}}
		}, "embedding_charges"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := mol
			if tc.mol != nil {
				m = tc.mol()
			}
			kw := base()
			if tc.kw != nil {
				tc.kw(&kw)
			}
			_, err := NewCore(m, kw)
			require.ErrorContains(t, err, tc.errPart)
		})
	}
}

func TestNewCoreHugePlan(t *testing.T) {
	levels := map[int]string{}
	for n := 1; n <= 40; n++ {
		levels[n] = "a"
	}
	_, err := NewCore(waterCluster(40), Keywords{BsseType: []qcschema.BsseType{"vmfc"}, Levels: levels})
	require.ErrorContains(t, err, "levels: the plan would have")
}
