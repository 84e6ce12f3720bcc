package manybody

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/qcschema"
)

// vector is one qcmb-testvector-1 case.
type vector struct {
	Schema   string          `json:"schema"`
	Name     string          `json:"name"`
	Molecule json.RawMessage `json:"molecule"`
	Keywords struct {
		BsseType          qcschema.BsseList    `json:"bsse_type"`
		Levels            map[string]string    `json:"levels"`
		ReturnTotalData   bool                 `json:"return_total_data"`
		SupersystemIEOnly bool                 `json:"supersystem_ie_only"`
		EmbeddingCharges  map[string][]float64 `json:"embedding_charges"`
	} `json:"keywords"`
	Components []struct {
		MC       string          `json:"mc"`
		Real     []int           `json:"real"`
		Basis    []int           `json:"basis"`
		Energy   float64         `json:"energy"`
		Gradient json.RawMessage `json:"gradient"`
		Hessian  json.RawMessage `json:"hessian"`
	} `json:"components"`
	Expected struct {
		Tasks []struct {
			MC    string `json:"mc"`
			Real  []int  `json:"real"`
			Basis []int  `json:"basis"`
		} `json:"tasks"`
		TaskCounts        map[string]map[string]int                `json:"task_counts"`
		EffectiveBsseType []string                                 `json:"effective_bsse_type"`
		RetEnergy         *float64                                 `json:"ret_energy"`
		RetGradient       json.RawMessage                          `json:"ret_gradient"`
		RetHessian        json.RawMessage                          `json:"ret_hessian"`
		EnergyBodyDict    map[string]map[string]float64            `json:"energy_body_dict"`
		GradientBodyDict  map[string]map[string]json.RawMessage    `json:"gradient_body_dict"`
		HessianBodyDict   map[string]map[string]json.RawMessage    `json:"hessian_body_dict"`
		Properties        map[string]json.RawMessage               `json:"properties"`
		Extra             map[string]map[string]map[string]float64 `json:"-"`
	} `json:"expected"`
}

func loadVector(t testing.TB, path string) *vector {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var v vector
	require.NoError(t, json.Unmarshal(data, &v), path)
	require.Equal(t, "qcmb-testvector-1", v.Schema, "%s: schema", path)
	return &v
}

func (v *vector) core(t testing.TB) *Core {
	t.Helper()
	mol := &qcschema.Molecule{}
	require.NoError(t, json.Unmarshal(v.Molecule, mol), "molecule")
	var units struct {
		Units string `json:"units"`
	}
	_ = json.Unmarshal(v.Molecule, &units)
	if strings.HasPrefix(strings.ToLower(units.Units), "angstrom") {
		const bohrPerAngstrom = 1 / 0.52917721067
		for i := range mol.Geometry {
			mol.Geometry[i] *= bohrPerAngstrom
		}
	}
	kw := Keywords{
		ReturnTotalData:   v.Keywords.ReturnTotalData,
		SupersystemIEOnly: v.Keywords.SupersystemIEOnly,
		Levels:            map[int]string{},
	}
	kw.BsseType = append(kw.BsseType, v.Keywords.BsseType...)
	for k, mc := range v.Keywords.Levels {
		if k == "supersystem" {
			kw.Supersystem = mc
			continue
		}
		n, err := strconv.Atoi(k)
		require.NoError(t, err, "levels key %q", k)
		kw.Levels[n] = mc
	}
	if v.Keywords.EmbeddingCharges != nil {
		kw.EmbeddingCharges = map[int][]float64{}
		for k, q := range v.Keywords.EmbeddingCharges {
			n, _ := strconv.Atoi(k)
			kw.EmbeddingCharges[n] = q
		}
	}
	c, err := NewCore(mol, kw)
	require.NoError(t, err)
	if tt, ok := t.(*testing.T); ok {
		checkPlanSizes(tt, c)
	}
	return c
}

func flat(t testing.TB, raw json.RawMessage) []float64 {
	t.Helper()
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	a, err := qcschema.UnmarshalFlat(raw)
	require.NoError(t, err)
	return a
}

func (v *vector) components(t testing.TB) map[string]Component {
	out := make(map[string]Component, len(v.Components))
	for _, c := range v.Components {
		lbl := makeLabel(c.MC, c.Real, c.Basis)
		out[lbl] = Component{Energy: c.Energy, Gradient: flat(t, c.Gradient), Hessian: flat(t, c.Hessian)}
	}
	return out
}

func vectorFiles(t *testing.T) []string {
	// testdata/manybody holds the shared reference vectors; testdata/manybody/xref holds
	// the project's own cross-check cases (seeded random fragment results, expected values
	// from an independent plain-Python transcription of QCManyBody's planning and assembly).
	return caseFiles(t, "manybody", "QCMB_VECTORS_DIR")
}

// caseName names a test case by its file, with "xref/" for the project's cross-checks.
func caseName(path string) string {
	name := strings.TrimSuffix(filepath.Base(path), ".json")
	if filepath.Base(filepath.Dir(path)) == "xref" {
		name = "xref/" + name
	}
	return name
}

// caseFiles lists the *.json cases in testdata/<folder> and testdata/<folder>/xref, and in
// the directory the environment variable env names, if set (unseen cases of the same kind).
func caseFiles(t *testing.T, folder, env string) []string {
	t.Helper()
	dirs := []string{filepath.Join("..", "testdata", folder), filepath.Join("..", "testdata", folder, "xref")}
	extra := os.Getenv(env)
	if extra != "" {
		dirs = append(dirs, extra)
	}
	var files []string
	for _, dir := range dirs {
		more, err := filepath.Glob(filepath.Join(dir, "*.json"))
		require.NoError(t, err)
		if dir == extra {
			assert.NotEmpty(t, more, "%s=%s holds no *.json", env, dir)
		}
		files = append(files, more...)
	}
	require.NotEmpty(t, files, "no %s test cases found", folder)
	return files
}

const (
	tolE = 1e-8
	tolA = 1e-7
)

// inDeltaSlice asserts that got holds as many numbers as want, each within tol of want's
// (a NaN never is), and names the first that is not.
func inDeltaSlice(t testing.TB, want, got []float64, tol float64, msgAndArgs ...any) bool {
	t.Helper()
	if len(got) != len(want) {
		return assert.Fail(t, fmt.Sprintf("%d numbers, want %d", len(got), len(want)), msgAndArgs...)
	}
	for i := range want {
		if !(math.Abs(got[i]-want[i]) <= tol) {
			return assert.Fail(t, fmt.Sprintf("[%d] = %v, want %v within %g", i, got[i], want[i], tol), msgAndArgs...)
		}
	}
	return true
}

func TestVectors(t *testing.T) {
	for _, path := range vectorFiles(t) {
		t.Run(caseName(path), func(t *testing.T) {
			t.Parallel()
			v := loadVector(t, path)
			c := v.core(t)
			plan := c.Plan()
			checkPlan(t, v, plan)
			a, err := c.Analyze(v.components(t))
			require.NoError(t, err)
			checkAnalysis(t, v, a)
			checkReturnedIsProperty(t, c, a)
		})
	}
}

// checkReturnedIsProperty: the returned energy and gradient are the very floats of the
// property they report (the first treatment's total or interaction value), as in
// QCManyBody; supersystem levels return the supersystem-corrected value instead.
func checkReturnedIsProperty(t *testing.T, c *Core, a *Analysis) {
	t.Helper()
	if c.HasSupersystem() {
		return
	}
	kind := "interaction"
	if c.Keywords().ReturnTotalData {
		kind = "total"
	}
	name := string(c.EffectiveBsseType()[0]) + "_corrected_" + kind + "_"
	if e, ok := a.Properties.Energies[name+"energy"]; ok {
		assert.Equal(t, e, a.ReturnEnergy, "return energy is not property %senergy", name)
	}
	assert.Equal(t, a.ReturnEnergy, *a.Properties.ReturnEnergy, "properties.return_energy")
	if g, ok := a.Properties.Arrays[name+"gradient"]; ok && a.ReturnGradient != nil {
		assert.True(t, slices.Equal(g, a.ReturnGradient), "return gradient is not property %sgradient", name)
	}
}

func checkPlan(t *testing.T, v *vector, plan *Plan) {
	t.Helper()
	want := map[string]bool{}
	for _, x := range v.Expected.Tasks {
		want[makeLabel(x.MC, x.Real, x.Basis)] = true
	}
	got := map[string]bool{}
	for _, x := range plan.Tasks {
		l := x.Label()
		assert.False(t, got[l], "duplicate task %s", l)
		got[l] = true
		assert.Equal(t, len(x.Real), x.Level, "task %s: level", l)
	}
	assert.Empty(t, cmp.Diff(want, got), "tasks (-want +got)")
	gotCounts := map[string]map[string]int{}
	for mc, m := range plan.Counts {
		gotCounts[mc] = map[string]int{}
		for n, k := range m {
			gotCounts[mc][strconv.Itoa(n)] = k
		}
	}
	assert.Empty(t, cmp.Diff(v.Expected.TaskCounts, gotCounts, cmpopts.EquateEmpty()), "task counts (-want +got)")
	var eff []string
	for _, b := range plan.EffectiveBsseType {
		eff = append(eff, string(b))
	}
	assert.Empty(t, cmp.Diff(v.Expected.EffectiveBsseType, eff, cmpopts.EquateEmpty()), "effective bsse (-want +got)")
}

func checkAnalysis(t *testing.T, v *vector, a *Analysis) {
	t.Helper()
	ex := &v.Expected
	if ex.RetEnergy != nil {
		assert.InDelta(t, *ex.RetEnergy, a.ReturnEnergy, tolE, "ret_energy")
	}
	if g := flat(t, ex.RetGradient); g != nil {
		inDeltaSlice(t, g, a.ReturnGradient, tolA, "ret_gradient")
	}
	if h := flat(t, ex.RetHessian); h != nil {
		inDeltaSlice(t, h, a.ReturnHessian, tolA, "ret_hessian")
	}
	for bt, d := range ex.EnergyBodyDict {
		got := a.EnergyBodyDict[qcschema.BsseType(bt)]
		assert.Len(t, got, len(d), "energy_body_dict[%s] entries", bt)
		for ns, e := range d {
			n, _ := strconv.Atoi(ns)
			g, ok := got[n]
			if assert.True(t, ok, "energy_body_dict[%s][%d] missing", bt, n) {
				assert.InDelta(t, e, g, tolE, "energy_body_dict[%s][%d]", bt, n)
			}
		}
	}
	for _, bd := range []struct {
		name string
		want map[string]map[string]json.RawMessage
		got  map[qcschema.BsseType]map[int][]float64
	}{{"gradient", ex.GradientBodyDict, a.GradientBodyDict}, {"hessian", ex.HessianBodyDict, a.HessianBodyDict}} {
		for bt, d := range bd.want {
			got := bd.got[qcschema.BsseType(bt)]
			assert.Len(t, got, len(d), "%s_body_dict[%s] entries", bd.name, bt)
			for ns, raw := range d {
				n, _ := strconv.Atoi(ns)
				inDeltaSlice(t, flat(t, raw), got[n], tolA, "%s_body_dict[%s][%d]", bd.name, bt, n)
			}
		}
	}
	names := make([]string, 0, len(ex.Properties))
	for k := range ex.Properties {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		raw := ex.Properties[k]
		if fixedMBProp(t, k, raw, &a.Properties) {
			continue
		}
		var x float64
		if err := json.Unmarshal(raw, &x); err == nil {
			g, ok := a.Properties.Energies[k]
			if assert.True(t, ok, "property %s missing", k) {
				assert.InDelta(t, x, g, tolE, "property %s", k)
			}
			continue
		}
		g, ok := a.Properties.Arrays[k]
		if assert.True(t, ok, "property %s missing", k) {
			inDeltaSlice(t, flat(t, raw), g, tolA, "property %s", k)
		}
	}
	// No n-body property beyond those expected (when the vector lists n-body ones).
	for k := range a.Properties.Energies {
		_, ok := ex.Properties[k]
		assert.True(t, ok, "unexpected property %s", k)
	}
	for k := range a.Properties.Arrays {
		_, ok := ex.Properties[k]
		assert.True(t, ok, "unexpected property %s", k)
	}
}

// fixedMBProp checks the properties that are not n-body names.
func fixedMBProp(t *testing.T, k string, raw json.RawMessage, p *qcschema.ManyBodyResultProperties) bool {
	t.Helper()
	ints := map[string]*int{"calcinfo_nmc": p.CalcinfoNMC, "calcinfo_nfr": p.CalcinfoNFR, "calcinfo_natom": p.CalcinfoNAtom, "calcinfo_nmbe": p.CalcinfoNMBE}
	if ip, ok := ints[k]; ok {
		var want int
		if assert.NoError(t, json.Unmarshal(raw, &want), "property %s", k) && assert.NotNil(t, ip, "property %s", k) {
			assert.Equal(t, want, *ip, "property %s", k)
		}
		return true
	}
	floats := map[string]*float64{"return_energy": p.ReturnEnergy, "nuclear_repulsion_energy": p.NuclearRepulsionEnergy}
	if fp, ok := floats[k]; ok {
		var want float64
		if assert.NoError(t, json.Unmarshal(raw, &want), "property %s", k) && assert.NotNil(t, fp, "property %s", k) {
			assert.InDelta(t, want, *fp, tolE, "property %s", k)
		}
		return true
	}
	arrays := map[string][]float64{"return_gradient": p.ReturnGradient, "return_hessian": p.ReturnHessian}
	if got, ok := arrays[k]; ok {
		if string(raw) == "null" {
			return true
		}
		inDeltaSlice(t, flat(t, raw), got, tolA, "property %s", k)
		return true
	}
	return k == "schema_name" || k == "schema_version"
}
