package manybody

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"sort"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/qcschema"
)

// adaptiveVector is one file of testdata/adaptive: an unscreened ManyBodyInput, the energy
// of every cluster in its own basis, and energy-screening cases with the clusters the rule
// keeps and the screened total.
type adaptiveVector struct {
	Input      qcschema.ManyBodyInput `json:"input"`
	Components []componentJSON        `json:"components"`
	FullEnergy float64                `json:"full_energy"`
	Cases      []struct {
		Screening json.RawMessage    `json:"screening"`
		Kept      map[string][][]int `json:"kept"`
		Counts    map[string]int     `json:"counts"`
		Energy    float64            `json:"energy"`
	} `json:"cases"`
}

// tolAdaptive is the tolerance of the adaptive test vectors' energies (hartree).
const tolAdaptive = 1e-9

func loadAdaptive(t *testing.T, path string) *adaptiveVector {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var v adaptiveVector
	require.NoError(t, json.Unmarshal(data, &v))
	return &v
}

func (v *adaptiveVector) components() map[string]Component {
	out := make(map[string]Component, len(v.Components))
	for _, c := range v.Components {
		out[makeLabel(c.MC, c.Real, c.Basis)] = Component{Energy: c.Energy}
	}
	return out
}

// core builds the Core of the vector's input with the screening keyword given as JSON
// (none if empty).
func (v *adaptiveVector) core(t *testing.T, screening json.RawMessage) *Core {
	t.Helper()
	in := v.Input
	in.Specification.Keywords.Screening = nil
	if len(screening) > 0 {
		in.Specification.Keywords.Screening = new(qcschema.Screening)
		require.NoError(t, json.Unmarshal(screening, in.Specification.Keywords.Screening))
	}
	kw, err := KeywordsFromInput(&in)
	require.NoError(t, err)
	c, err := NewCore(&in.Molecule, kw)
	require.NoError(t, err)
	return c
}

// drive runs an expansion, taking the ready tasks in an order rng shuffles (in plan order
// when rng is nil), with results from comps.
func drive(t testing.TB, x *Expansion, comps map[string]Component, rng *rand.Rand) {
	t.Helper()
	queue := x.Ready()
	for len(queue) > 0 {
		k := 0
		if rng != nil {
			k = rng.Intn(len(queue))
		}
		task := queue[k]
		queue = append(queue[:k], queue[k+1:]...)
		comp, ok := comps[task.Label()]
		require.True(t, ok, "no component for %s", task.Label())
		more, err := x.Add(task, comp)
		require.NoError(t, err)
		queue = append(queue, more...)
	}
	require.True(t, x.Done(), "expansion not done with no task left")
}

// keptClusters lists the real fragments of the plan's own-basis tasks of model chemistry
// mc, by level.
func keptClusters(p *Plan, mc string) map[string][][]int {
	out := map[string][][]int{}
	for _, task := range p.Tasks {
		if task.MC == mc && len(task.Real) == len(task.Basis) {
			k := strconv.Itoa(task.Level)
			out[k] = append(out[k], task.Real)
		}
	}
	for _, cs := range out {
		sort.Slice(cs, func(i, j int) bool { return fmt.Sprint(cs[i]) < fmt.Sprint(cs[j]) })
	}
	return out
}

func TestAdaptiveVectors(t *testing.T) {
	for _, path := range caseFiles(t, "adaptive", "QCMB_ADAPTIVE_DIR") {
		t.Run(caseName(path), func(t *testing.T) {
			v := loadAdaptive(t, path)
			comps := v.components()
			full, err := v.core(t, nil).Analyze(comps)
			require.NoError(t, err)
			assert.InDelta(t, v.FullEnergy, full.ReturnEnergy, tolAdaptive, "unscreened total")
			var mc string // the model chemistry of the levels
			for _, l := range v.Input.Specification.Keywords.Levels {
				mc = l
			}
			for ci, tc := range v.Cases {
				t.Run(fmt.Sprint(ci), func(t *testing.T) {
					c := v.core(t, tc.Screening)
					require.True(t, c.Adaptive())
					for _, order := range []int64{0, 1, 2, 3} {
						x := c.NewExpansion()
						var rng *rand.Rand
						if order > 0 {
							rng = rand.New(rand.NewSource(order))
						}
						drive(t, x, comps, rng)
						p, err := x.Plan()
						require.NoError(t, err)
						got := keptClusters(p, mc)
						for k, want := range tc.Kept {
							assert.Equal(t, want, got[k], "kept %s-fragment clusters (order %d)", k, order)
						}
						for k, n := range tc.Counts {
							assert.Len(t, got[k], n, "%s-fragment clusters kept", k)
						}
						a, err := x.Analyze()
						require.NoError(t, err)
						assert.InDelta(t, tc.Energy, a.ReturnEnergy, tolAdaptive, "screened total (order %d)", order)
						assert.Len(t, a.Properties.Energies, len(full.Properties.Energies))
					}
					// Core.Analyze runs the same expansion from a component map.
					a, err := c.Analyze(comps)
					require.NoError(t, err)
					assert.InDelta(t, tc.Energy, a.ReturnEnergy, tolAdaptive)
				})
			}
		})
	}
}
