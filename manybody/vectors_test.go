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
	if err != nil {
		t.Fatal(err)
	}
	var v vector
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if v.Schema != "qcmb-testvector-1" {
		t.Fatalf("%s: schema %q", path, v.Schema)
	}
	return &v
}

func (v *vector) core(t testing.TB) *Core {
	t.Helper()
	mol := &qcschema.Molecule{}
	if err := json.Unmarshal(v.Molecule, mol); err != nil {
		t.Fatalf("molecule: %v", err)
	}
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
		if err != nil {
			t.Fatalf("levels key %q", k)
		}
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
	if err != nil {
		t.Fatal(err)
	}
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
	if err != nil {
		t.Fatal(err)
	}
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
		if err != nil {
			t.Fatal(err)
		}
		if dir == extra && len(more) == 0 {
			t.Errorf("%s=%s holds no *.json", env, dir)
		}
		files = append(files, more...)
	}
	if len(files) == 0 {
		t.Fatalf("no %s test cases found", folder)
	}
	return files
}

const (
	tolE = 1e-8
	tolA = 1e-7
)

func closeArr(a, b []float64, tol float64) (int, bool) {
	if len(a) != len(b) {
		return -1, false
	}
	for i := range a {
		if !(math.Abs(a[i]-b[i]) <= tol) {
			return i, false
		}
	}
	return 0, true
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
			if err != nil {
				t.Fatal(err)
			}
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
	if e, ok := a.Properties.Energies[name+"energy"]; ok && e != a.ReturnEnergy {
		t.Errorf("return energy %v is not property %senergy %v", a.ReturnEnergy, name, e)
	}
	if *a.Properties.ReturnEnergy != a.ReturnEnergy {
		t.Errorf("properties.return_energy %v, returned %v", *a.Properties.ReturnEnergy, a.ReturnEnergy)
	}
	if g, ok := a.Properties.Arrays[name+"gradient"]; ok && a.ReturnGradient != nil && !slices.Equal(g, a.ReturnGradient) {
		t.Errorf("return gradient is not property %sgradient", name)
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
		if got[l] {
			t.Errorf("duplicate task %s", l)
		}
		got[l] = true
		if x.Level != len(x.Real) {
			t.Errorf("task %s: level %d", l, x.Level)
		}
		if !want[l] {
			t.Errorf("unexpected task %s", l)
		}
	}
	for l := range want {
		if !got[l] {
			t.Errorf("missing task %s", l)
		}
	}
	gotCounts := map[string]map[string]int{}
	for mc, m := range plan.Counts {
		gotCounts[mc] = map[string]int{}
		for n, k := range m {
			gotCounts[mc][strconv.Itoa(n)] = k
		}
	}
	if fmt.Sprint(gotCounts) != fmt.Sprint(v.Expected.TaskCounts) {
		t.Errorf("task counts %v, want %v", gotCounts, v.Expected.TaskCounts)
	}
	var eff []string
	for _, b := range plan.EffectiveBsseType {
		eff = append(eff, string(b))
	}
	if fmt.Sprint(eff) != fmt.Sprint(v.Expected.EffectiveBsseType) {
		t.Errorf("effective bsse %v, want %v", eff, v.Expected.EffectiveBsseType)
	}
}

func checkAnalysis(t *testing.T, v *vector, a *Analysis) {
	t.Helper()
	ex := &v.Expected
	if ex.RetEnergy != nil && math.Abs(*ex.RetEnergy-a.ReturnEnergy) > tolE {
		t.Errorf("ret_energy %.12f, want %.12f", a.ReturnEnergy, *ex.RetEnergy)
	}
	if g := flat(t, ex.RetGradient); g != nil {
		if i, ok := closeArr(a.ReturnGradient, g, tolA); !ok {
			t.Errorf("ret_gradient differs at %d", i)
		}
	}
	if h := flat(t, ex.RetHessian); h != nil {
		if i, ok := closeArr(a.ReturnHessian, h, tolA); !ok {
			t.Errorf("ret_hessian differs at %d", i)
		}
	}
	for bt, d := range ex.EnergyBodyDict {
		got := a.EnergyBodyDict[qcschema.BsseType(bt)]
		if len(got) != len(d) {
			t.Errorf("energy_body_dict[%s]: %d entries, want %d", bt, len(got), len(d))
		}
		for ns, e := range d {
			n, _ := strconv.Atoi(ns)
			g, ok := got[n]
			if !ok || math.Abs(g-e) > tolE {
				t.Errorf("energy_body_dict[%s][%d] = %.12f (present %v), want %.12f", bt, n, g, ok, e)
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
			if len(got) != len(d) {
				t.Errorf("%s_body_dict[%s]: %d entries, want %d", bd.name, bt, len(got), len(d))
			}
			for ns, raw := range d {
				n, _ := strconv.Atoi(ns)
				if i, ok := closeArr(got[n], flat(t, raw), tolA); !ok {
					t.Errorf("%s_body_dict[%s][%d] differs at %d", bd.name, bt, n, i)
				}
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
			if !ok {
				t.Errorf("property %s missing", k)
			} else if math.Abs(g-x) > tolE {
				t.Errorf("property %s = %.12f, want %.12f", k, g, x)
			}
			continue
		}
		g, ok := a.Properties.Arrays[k]
		if !ok {
			t.Errorf("property %s missing", k)
			continue
		}
		if i, ok := closeArr(g, flat(t, raw), tolA); !ok {
			t.Errorf("property %s differs at %d", k, i)
		}
	}
	// No n-body property beyond those expected (when the vector lists n-body ones).
	for k := range a.Properties.Energies {
		if _, ok := ex.Properties[k]; !ok {
			t.Errorf("unexpected property %s", k)
		}
	}
	for k := range a.Properties.Arrays {
		if _, ok := ex.Properties[k]; !ok {
			t.Errorf("unexpected property %s", k)
		}
	}
}

// fixedMBProp checks the properties that are not n-body names.
func fixedMBProp(t *testing.T, k string, raw json.RawMessage, p *qcschema.ManyBodyResultProperties) bool {
	t.Helper()
	ints := map[string]*int{"calcinfo_nmc": p.CalcinfoNMC, "calcinfo_nfr": p.CalcinfoNFR, "calcinfo_natom": p.CalcinfoNAtom, "calcinfo_nmbe": p.CalcinfoNMBE}
	if ip, ok := ints[k]; ok {
		var want int
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Errorf("property %s: %v", k, err)
		} else if ip == nil || *ip != want {
			t.Errorf("property %s = %v, want %d", k, ip, want)
		}
		return true
	}
	floats := map[string]*float64{"return_energy": p.ReturnEnergy, "nuclear_repulsion_energy": p.NuclearRepulsionEnergy}
	if fp, ok := floats[k]; ok {
		var want float64
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Errorf("property %s: %v", k, err)
		} else if fp == nil || math.Abs(*fp-want) > tolE {
			t.Errorf("property %s = %v, want %.12f", k, fp, want)
		}
		return true
	}
	arrays := map[string][]float64{"return_gradient": p.ReturnGradient, "return_hessian": p.ReturnHessian}
	if got, ok := arrays[k]; ok {
		if string(raw) == "null" {
			return true
		}
		if i, ok := closeArr(got, flat(t, raw), tolA); !ok {
			t.Errorf("property %s differs at %d", k, i)
		}
		return true
	}
	return k == "schema_name" || k == "schema_version"
}
