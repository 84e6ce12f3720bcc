package computer_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

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
			if err != nil {
				t.Fatal(err)
			}
			in2 := in.ToV2()
			in2.Specification.Protocols.ClusterResults = "all"
			v2, err := comp.ComputeV2(context.Background(), in2)
			if err != nil {
				t.Fatal(err)
			}
			if v2.SchemaName != qcschema.SchemaManyBodyResultV2 || v2.InputData.Specification.Protocols.ClusterResults != "all" {
				t.Errorf("v2 result %s, input protocols %+v", v2.SchemaName, v2.InputData.Specification.Protocols)
			}
			props := v2.Properties
			props.SchemaName, props.SchemaVersion = v1.Properties.SchemaName, v1.Properties.SchemaVersion
			if a, b := marshal(t, v1.Properties), marshal(t, props); a != b {
				t.Errorf("properties differ:\nv1 %.300s\nv2 %.300s", a, b)
			}
			if a, b := marshal(t, v1.ReturnResult), marshal(t, v2.ReturnResult); a != b {
				t.Errorf("return_result differs")
			}
			if a, b := marshal(t, v1.Extras[computer.QCVarsKey]), marshal(t, v2.Extras[computer.QCVarsKey]); a != b || len(a) < 100 {
				t.Errorf("qcvars differ or are missing: %.100s", a)
			}
			labels := func(m any) []string {
				var keys map[string]json.RawMessage
				if err := json.Unmarshal([]byte(marshal(t, m)), &keys); err != nil {
					t.Fatal(err)
				}
				out := make([]string, 0, len(keys))
				for k := range keys {
					out = append(out, k)
				}
				slices.Sort(out)
				return out
			}
			want := labels(v1.ComponentProperties)
			if d := cmp.Diff(want, labels(v2.ClusterProperties)); d != "" {
				t.Errorf("cluster_properties labels (-v1 +v2):\n%s", d)
			}
			if d := cmp.Diff(want, labels(v2.ClusterResults)); d != "" {
				t.Errorf("cluster_results labels (-v1 +v2):\n%s", d)
			}
			// cluster_properties as QCManyBody keeps them: the cluster's energy, derivatives
			// sized for the whole molecule
			natom := in.Molecule.NAtom()
			for label, p := range v1.ComponentProperties {
				c := v2.ClusterProperties[label]
				if *c.ReturnEnergy != *p.ReturnEnergy || *c.CalcinfoNAtom != natom {
					t.Errorf("%s: cluster energy %v natom %v", label, *c.ReturnEnergy, *c.CalcinfoNAtom)
				}
				if p.ReturnGradient != nil && len(c.ReturnGradient) != 3*natom {
					t.Errorf("%s: cluster gradient of %d numbers for %d atoms", label, len(c.ReturnGradient), natom)
				}
				if p.ReturnHessian != nil && len(c.ReturnHessian) != 9*natom*natom {
					t.Errorf("%s: cluster Hessian of %d numbers for %d atoms", label, len(c.ReturnHessian), natom)
				}
				if sum(c.ReturnGradient) != sum(p.ReturnGradient) {
					t.Errorf("%s: gradient sum %v, cluster's %v", label, sum(c.ReturnGradient), sum(p.ReturnGradient))
				}
			}
		})
	}
}

func marshal(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func sum(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s
}
