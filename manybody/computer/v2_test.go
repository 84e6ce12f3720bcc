package computer_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/qcschema"
)

// A v2 input gives a v2 result whose numbers are bitwise those of the v1 result of the
// same calculation, with the cluster results kept as protocols.cluster_results asks.
func TestComputeV2MatchesV1(t *testing.T) {
	for _, name := range []string{"h2o_trimer_single_gradient_1", "het4_multilevel_nocp_cp_gradient", "het4_vmfc_only_hessian"} {
		t.Run(name, func(t *testing.T) {
			in := vectorInput(t, filepath.Join("..", "..", "testdata", "manybody", name+".json"))
			comp := &computer.Computer{}
			v1, err := comp.Compute(context.Background(), in)
			require.NoError(t, err)
			in2 := in.ToV2()
			in2.Specification.Protocols.ClusterResults = "all"
			v2, err := comp.ComputeV2(context.Background(), in2)
			require.NoError(t, err)
			assert.Equal(t, qcschema.SchemaManyBodyResultV2, v2.SchemaName)
			assert.Equal(t, "all", v2.InputData.Specification.Protocols.ClusterResults, "input protocols %+v", v2.InputData.Specification.Protocols)
			props := v2.Properties
			props.SchemaName, props.SchemaVersion = v1.Properties.SchemaName, v1.Properties.SchemaVersion
			assert.Equal(t, marshal(t, v1.Properties), marshal(t, props), "properties, v1 against v2")
			assert.Equal(t, marshal(t, v1.ReturnResult), marshal(t, v2.ReturnResult), "return_result, v1 against v2")
			qcvars := marshal(t, v1.Extras[computer.QCVarsKey])
			assert.Equal(t, qcvars, marshal(t, v2.Extras[computer.QCVarsKey]), "qcvars, v1 against v2")
			assert.GreaterOrEqual(t, len(qcvars), 100, "qcvars missing: %.100s", qcvars)
			labels := func(m any) []string {
				var keys map[string]json.RawMessage
				require.NoError(t, json.Unmarshal([]byte(marshal(t, m)), &keys))
				out := make([]string, 0, len(keys))
				for k := range keys {
					out = append(out, k)
				}
				slices.Sort(out)
				return out
			}
			want := labels(v1.ComponentProperties)
			assert.Empty(t, cmp.Diff(want, labels(v2.ClusterProperties)), "cluster_properties labels (-v1 +v2)")
			assert.Empty(t, cmp.Diff(want, labels(v2.ClusterResults)), "cluster_results labels (-v1 +v2)")
			// cluster_properties as QCManyBody keeps them: the cluster's energy, derivatives
			// sized for the whole molecule
			natom := in.Molecule.NAtom()
			for label, p := range v1.ComponentProperties {
				c := v2.ClusterProperties[label]
				assert.Equal(t, *p.ReturnEnergy, *c.ReturnEnergy, "%s: cluster energy", label)
				assert.Equal(t, natom, *c.CalcinfoNAtom, "%s: cluster natom", label)
				if p.ReturnGradient != nil {
					assert.Len(t, c.ReturnGradient, 3*natom, "%s: cluster gradient for %d atoms", label, natom)
				}
				if p.ReturnHessian != nil {
					assert.Len(t, c.ReturnHessian, 9*natom*natom, "%s: cluster Hessian for %d atoms", label, natom)
				}
				assert.Equal(t, sum(p.ReturnGradient), sum(c.ReturnGradient), "%s: gradient sum, cluster's against the component's", label)
			}
		})
	}
}

func marshal(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return string(data)
}

func sum(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s
}
