package manybody

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
			require.NoError(t, err)
			var v screenedVector
			require.NoError(t, json.Unmarshal(data, &v))
			kw, err := KeywordsFromInput(&v.Input)
			require.NoError(t, err)
			c, err := NewCore(&v.Input.Molecule, kw)
			require.NoError(t, err)
			plan := c.Plan()

			// The exact plan.
			want := map[string]bool{}
			for _, rb := range v.Expected.Tasks {
				want[fmt.Sprint(rb[0], rb[1])] = true
			}
			got := map[string]bool{}
			for _, task := range plan.Tasks {
				got[fmt.Sprint(task.Real, task.Basis)] = true
			}
			assert.Equal(t, len(plan.Tasks), len(got), "unique tasks")
			assert.Empty(t, cmp.Diff(want, got), "tasks as [real] [basis] (-want +got)")

			// Kept clusters per level.
			require.NotNil(t, plan.Screening, "plan has no screening summary")
			kept := map[string]int{"1": plan.NFragments}
			for _, l := range plan.Screening.Levels {
				kept[strconv.Itoa(l.Level)] = l.Kept
				assert.Equal(t, binomFloat(plan.NFragments, l.Level), float64(l.Kept)+l.Dropped,
					"level %d: kept %d + dropped %v != C(%d, %d)", l.Level, l.Kept, l.Dropped, plan.NFragments, l.Level)
			}
			assert.Empty(t, cmp.Diff(v.Expected.Retained, kept), "kept clusters (-want +got)")

			comps := map[string]Component{}
			for _, x := range v.Components {
				comps[makeLabel(x.MC, x.Real, x.Basis)] = Component{Energy: x.Energy, Gradient: flat(t, x.Gradient)}
			}
			a, err := c.Analyze(comps)
			require.NoError(t, err)
			bt := plan.EffectiveBsseType[0]
			ns := make([]string, 0, len(v.Expected.TotalEnergyThrough))
			for n := range v.Expected.TotalEnergyThrough {
				ns = append(ns, n)
			}
			sort.Strings(ns)
			for _, n := range ns {
				name := string(bt) + "_corrected_total_energy_through_" + n + "_body"
				g, ok := a.Properties.Energies[name]
				if assert.True(t, ok, "%s missing", name) {
					assert.InDelta(t, v.Expected.TotalEnergyThrough[n], g, tolScreened, "%s", name)
				}
			}
			if g := flat(t, v.Expected.Gradient); g != nil {
				inDeltaSlice(t, g, a.GradientBodyDict[bt][c.MaxNbody()], tolScreened, "gradient through %d bodies", c.MaxNbody())
				inDeltaSlice(t, g, a.ReturnGradient, tolScreened, "return gradient")
			}
		})
	}
}
