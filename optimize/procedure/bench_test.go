package procedure

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/qcschema"
)

func waterHexamer(tb testing.TB) qcschema.Molecule {
	data, err := os.ReadFile("testdata/water_hexamer.json")
	require.NoError(tb, err)
	var m qcschema.Molecule
	dec := json.NewDecoder(bytes.NewReader(data))
	require.NoError(tb, dec.Decode(&struct {
		Comment string `json:"comment"`
		*qcschema.Molecule
	}{Molecule: &m}))
	return m
}

// BenchmarkOptimize times whole optimizations and reports the gradients each needs; the
// Psi4 1.3.2 optking numbers for the same inputs are in testdata/psi4_optking.json.
// Run with -benchtime=1x: one optimization is seconds to minutes.
func BenchmarkOptimize(b *testing.B) {
	cases := []struct {
		name string
		mol  func(testing.TB) qcschema.Molecule
		spec qcschema.GradientSpecification
		set  string
	}{
		{"water_dimer_sto3g_gau/whole", func(testing.TB) qcschema.Molecule { return waterDimer() }, atomicSpec("sto-3g"), "gau"},
		{"water_dimer_sto3g_gau/nocp", func(testing.TB) qcschema.Molecule { return waterDimer() }, manyBodySpec("sto-3g", qcschema.BsseNoCP, false), "gau"},
		{"hf_trimer_631g_nwchem_loose/whole", func(testing.TB) qcschema.Molecule { return hfTrimer() }, atomicSpec("6-31g"), "nwchem_loose"},
		{"hf_trimer_631g_nwchem_loose/nocp", func(testing.TB) qcschema.Molecule { return hfTrimer() }, manyBodySpec("6-31g", qcschema.BsseNoCP, false), "nwchem_loose"},
		{"hf_trimer_631g_nwchem_loose/cp", func(testing.TB) qcschema.Molecule { return hfTrimer() }, manyBodySpec("6-31g", qcschema.BsseCP, false), "nwchem_loose"},
		{"water_hexamer_sto3g_gau/whole", waterHexamer, atomicSpec("sto-3g"), "gau"},
		{"water_hexamer_sto3g_gau/nocp_2body", waterHexamer, twoBody(manyBodySpec("sto-3g", qcschema.BsseNoCP, false)), "gau"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			ex := executor.NewPool(0, executor.Options{})
			in := optimizationInput(c.mol(b), c.spec, c.set, qcschema.TrajectoryNone)
			var gradients int
			for b.Loop() {
				res, err := (&Procedure{Executor: ex}).Run(context.Background(), in)
				require.NoError(b, err)
				gradients = *res.Properties.OptimizationIterations
			}
			b.ReportMetric(float64(gradients), "gradients")
		})
	}
}

// twoBody truncates a many-body specification at 2 bodies.
func twoBody(g qcschema.GradientSpecification) qcschema.GradientSpecification {
	two := 2
	g.ManyBody.Keywords.MaxNbody = &two
	return g
}
