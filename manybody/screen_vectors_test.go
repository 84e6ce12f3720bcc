package manybody

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"testing"

	"github.com/qcmb-go/qcmb/qcschema"
)

// screenedVector is one case of testdata/screened: a ManyBodyInput with
// keywords.screening, the component results of its plan and the expected outcome.
type screenedVector struct {
	Name       string                 `json:"name"`
	Input      qcschema.ManyBodyInput `json:"input"`
	Components []componentJSON        `json:"components"`
	Expected   struct {
		Tasks              [][2][]int         `json:"tasks"`
		Retained           map[string]int     `json:"retained_clusters_per_level"`
		TotalEnergyThrough map[string]float64 `json:"total_energy_through"`
		Gradient           json.RawMessage    `json:"gradient"`
	} `json:"expected"`
}

// componentJSON is a fragment result as the test vectors give it.
type componentJSON struct {
	MC       string          `json:"mc"`
	Real     []int           `json:"real"`
	Basis    []int           `json:"basis"`
	Energy   float64         `json:"energy"`
	Gradient json.RawMessage `json:"gradient"`
}

// tolScreened is the tolerance of the screened test vectors (hartree, hartree/bohr).
const tolScreened = 1e-9

// screenedFiles lists the shared screened vectors (testdata/screened), the project's own
// cross-check cases (testdata/screened/xref: water lattices, 4-body, bohr cutoffs, levels
// without cutoff; expected values from the independent brute-force script gen.py there)
// and any in $QCMB_SCREENED_DIR.
func screenedFiles(t *testing.T) []string {
	return caseFiles(t, "screened", "QCMB_SCREENED_DIR")
}

func TestScreenedVectors(t *testing.T) {
	for _, path := range screenedFiles(t) {
		t.Run(caseName(path), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var v screenedVector
			if err := json.Unmarshal(data, &v); err != nil {
				t.Fatal(err)
			}
			kw, err := KeywordsFromInput(&v.Input)
			if err != nil {
				t.Fatal(err)
			}
			c, err := NewCore(&v.Input.Molecule, kw)
			if err != nil {
				t.Fatal(err)
			}
			plan := c.Plan()

			// The exact plan.
			want := map[string]bool{}
			for _, rb := range v.Expected.Tasks {
				want[fmt.Sprint(rb[0], rb[1])] = true
			}
			got := map[string]bool{}
			for _, task := range plan.Tasks {
				got[fmt.Sprint(task.Real, task.Basis)] = true
				if !want[fmt.Sprint(task.Real, task.Basis)] {
					t.Errorf("unexpected task %s", task.Label())
				}
			}
			if len(got) != len(plan.Tasks) {
				t.Errorf("%d tasks, %d unique", len(plan.Tasks), len(got))
			}
			for k := range want {
				if !got[k] {
					t.Errorf("missing task %s", k)
				}
			}

			// Kept clusters per level.
			if plan.Screening == nil {
				t.Fatal("plan has no screening summary")
			}
			kept := map[string]int{"1": plan.NFragments}
			for _, l := range plan.Screening.Levels {
				kept[strconv.Itoa(l.Level)] = l.Kept
				if total := binomFloat(plan.NFragments, l.Level); float64(l.Kept)+l.Dropped != total {
					t.Errorf("level %d: kept %d + dropped %v != C(%d, %d) = %v", l.Level, l.Kept, l.Dropped, plan.NFragments, l.Level, total)
				}
			}
			if fmt.Sprint(kept) != fmt.Sprint(v.Expected.Retained) {
				t.Errorf("kept clusters %v, want %v", kept, v.Expected.Retained)
			}

			comps := map[string]Component{}
			for _, x := range v.Components {
				comps[makeLabel(x.MC, x.Real, x.Basis)] = Component{Energy: x.Energy, Gradient: flat(t, x.Gradient)}
			}
			a, err := c.Analyze(comps)
			if err != nil {
				t.Fatal(err)
			}
			bt := plan.EffectiveBsseType[0]
			ns := make([]string, 0, len(v.Expected.TotalEnergyThrough))
			for n := range v.Expected.TotalEnergyThrough {
				ns = append(ns, n)
			}
			sort.Strings(ns)
			for _, n := range ns {
				name := string(bt) + "_corrected_total_energy_through_" + n + "_body"
				g, ok := a.Properties.Energies[name]
				if e := v.Expected.TotalEnergyThrough[n]; !ok || math.Abs(g-e) > tolScreened {
					t.Errorf("%s = %.12f (present %v), want %.12f", name, g, ok, e)
				}
			}
			if g := flat(t, v.Expected.Gradient); g != nil {
				if i, ok := closeArr(a.GradientBodyDict[bt][c.MaxNbody()], g, tolScreened); !ok {
					t.Errorf("gradient through %d bodies differs at %d", c.MaxNbody(), i)
				}
				if i, ok := closeArr(a.ReturnGradient, g, tolScreened); !ok {
					t.Errorf("return gradient differs at %d", i)
				}
			}
		})
	}
}
