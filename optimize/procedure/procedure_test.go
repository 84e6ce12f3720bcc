package procedure

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/qcmb-go/qcmb/engine/hf"
	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/internal/qcmodels"
	"github.com/qcmb-go/qcmb/optimize"
	"github.com/qcmb-go/qcmb/qcschema"
)

// psi4Reference is one optimization of testdata/psi4_optking.json.
type psi4Reference struct {
	GConvergence        string    `json:"g_convergence"`
	FinalEnergy         float64   `json:"final_energy"`
	FinalGeometry       []float64 `json:"final_geometry_bohr"`
	GradientEvaluations int       `json:"gradient_evaluations"`
	WallSeconds         float64   `json:"wall_seconds"`
	DistanceAtoms       [2]int    `json:"distance_atoms"`
	DistanceBohr        float64   `json:"distance_bohr"`
}

func loadPsi4(t testing.TB, name string) psi4Reference {
	t.Helper()
	data, err := os.ReadFile("testdata/psi4_optking.json")
	require.NoError(t, err)
	var doc struct {
		References map[string]psi4Reference `json:"references"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	ref, ok := doc.References[name]
	require.True(t, ok, "no Psi4 reference %q", name)
	return ref
}

func distance(x []float64, i, j int) float64 {
	var r2 float64
	for a := 0; a < 3; a++ {
		d := x[3*i+a] - x[3*j+a]
		r2 += d * d
	}
	return math.Sqrt(r2)
}

func angstrom(sym []string, xyz []float64, frags [][]int) qcschema.Molecule {
	g := make([]float64, len(xyz))
	for i, v := range xyz {
		g[i] = v * qcschema.BohrPerAngstrom
	}
	return qcschema.Molecule{Symbols: sym, Geometry: g, Fragments: frags}
}

// waterDimer is the S22 water dimer (Jurecka et al. 2006), the starting geometry of the
// Psi4 references.
func waterDimer() qcschema.Molecule {
	return angstrom([]string{"O", "H", "H", "O", "H", "H"}, []float64{
		-1.551007, -0.114520, 0.000000,
		-1.934259, 0.762503, 0.000000,
		-0.599677, 0.040712, 0.000000,
		1.350625, 0.111469, 0.000000,
		1.680398, -0.373741, -0.758561,
		1.680398, -0.373741, 0.758561,
	}, [][]int{{0, 1, 2}, {3, 4, 5}})
}

// hfTrimer is the cyclic (HF)3 of QCManyBody's test_bsse_opt_hf_trimer.
func hfTrimer() qcschema.Molecule {
	return angstrom([]string{"F", "H", "F", "H", "F", "H"}, []float64{
		-0.04288, 2.78905, 0.00000,
		0.59079, 2.03435, 0.00000,
		-1.94320, -0.70822, 0.00000,
		-1.60642, 0.21789, -0.00000,
		2.03569, -0.60531, -0.00000,
		1.06527, -0.77673, 0.00000,
	}, [][]int{{0, 1}, {2, 3}, {4, 5}})
}

func atomicSpec(basis string) qcschema.GradientSpecification {
	return qcschema.GradientSpecification{Atomic: &qcschema.AtomicSpecificationV2{AtomicSpecification: qcschema.AtomicSpecification{
		Program: "embedded", Driver: qcschema.DriverGradient, Model: qcschema.Model{Method: "hf", Basis: basis}}}}
}

func manyBodySpec(basis string, bsse qcschema.BsseType, ssieOnly bool) qcschema.GradientSpecification {
	return qcschema.GradientSpecification{ManyBody: &qcschema.ManyBodySpecificationV2{
		Keywords:  qcschema.ManyBodyKeywordsV2{ManyBodyKeywords: qcschema.ManyBodyKeywords{BsseType: qcschema.BsseList{bsse}, SupersystemIEOnly: ssieOnly}},
		Protocols: qcschema.ManyBodyProtocolsV2{ClusterResults: "all"},
		Driver:    qcschema.DriverEnergy,
		Specification: map[string]qcschema.AtomicSpecificationV2{
			"(auto)": {AtomicSpecification: qcschema.AtomicSpecification{Program: "embedded", Driver: qcschema.DriverEnergy, Model: qcschema.Model{Method: "hf", Basis: basis}}},
		},
	}}
}

func optimizationInput(mol qcschema.Molecule, spec qcschema.GradientSpecification, set string, traj qcschema.TrajectoryProtocol) *qcschema.OptimizationInput {
	return &qcschema.OptimizationInput{
		SchemaName:      qcschema.SchemaOptimizationInput,
		SchemaVersion:   2,
		InitialMolecule: mol,
		Specification: qcschema.OptimizationSpecification{
			Keywords:      map[string]any{"g_convergence": set},
			Protocols:     qcschema.OptimizationProtocols{TrajectoryResults: traj},
			Specification: spec,
		},
	}
}

// TestWaterDimerMatchesPsi4 optimizes the water dimer at HF/STO-3G as one molecule and
// through the many-body expansion (nocp through 2 bodies, which is the dimer's own energy
// and gradient, so both follow one path) and compares with Psi4 1.3.2's optking.
//
// Energies are compared at each convergence set. The hydrogen bond is compared with the
// tightly converged Psi4 minimum: at gau both programs stop where the criteria let them on
// this flat surface, Psi4 1.0e-3 bohr and qcmb 0.4e-3 bohr short of the minimum, on
// opposite sides.
func TestWaterDimerMatchesPsi4(t *testing.T) {
	ex := executor.NewPool(2, executor.Options{})
	minimum := loadPsi4(t, "water_dimer_gau_tight")
	for _, set := range []string{"gau", "gau_tight"} {
		ref := loadPsi4(t, "water_dimer_"+set)
		var energies, distances []float64
		for _, tt := range []struct {
			name string
			spec qcschema.GradientSpecification
		}{
			{"whole dimer", atomicSpec("sto-3g")},
			{"many-body nocp", manyBodySpec("sto-3g", qcschema.BsseNoCP, false)},
		} {
			start := time.Now()
			res, err := (&Procedure{Executor: ex}).Run(context.Background(), optimizationInput(waterDimer(), tt.spec, set, qcschema.TrajectoryAll))
			require.NoError(t, err, "%s %s", set, tt.name)
			e := *res.Properties.ReturnEnergy
			r := distance(res.FinalMolecule.Geometry, ref.DistanceAtoms[0], ref.DistanceAtoms[1])
			n := len(res.TrajectoryResults)
			t.Logf("%s %s: E = %.10f (Psi4 %.10f), r(O..H) = %.5f bohr (Psi4 %.5f, minimum %.5f), %d gradients (Psi4 %d), %v",
				set, tt.name, e, ref.FinalEnergy, r, ref.DistanceBohr, minimum.DistanceBohr, n, ref.GradientEvaluations, time.Since(start))
			assert.InDelta(t, ref.FinalEnergy, e, 1e-5, "%s %s: energy against Psi4's", set, tt.name)
			assert.InDelta(t, minimum.DistanceBohr, r, 1e-3, "%s %s: hydrogen bond (bohr) against Psi4's minimum", set, tt.name)
			assert.Equal(t, n, *res.Properties.OptimizationIterations, "%s %s: iterations against trajectory results", set, tt.name)
			assert.Len(t, res.TrajectoryProperties, n, "%s %s: properties against trajectory results", set, tt.name)
			energies, distances = append(energies, e), append(distances, r)
		}
		assert.InDelta(t, energies[0], energies[1], 1e-8, "%s: many-body energy against the whole dimer's", set)
		assert.InDelta(t, distances[0], distances[1], 1e-5, "%s: many-body distance against the whole dimer's", set)
	}
}

// qcmanybodyTrimer is the input of QCManyBody's test_bsse_opt_hf_trimer with the given
// bsse_type ("nil" for the plain optimization) and supersystem_ie_only.
func qcmanybodyTrimer(t *testing.T, bsse string, ssieOnly bool) *qcschema.OptimizationInput {
	t.Helper()
	data, err := os.ReadFile("../../testdata/optimize/qcmanybody_bsse_opt_hf_trimer.json")
	require.NoError(t, err)
	var doc struct {
		Input  map[string]any `json:"optimization_input"`
		Atomic map[string]any `json:"atomic_specification"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	spec := doc.Input["specification"].(map[string]any)
	if bsse == "nil" {
		spec["specification"] = doc.Atomic
	} else {
		kw := spec["specification"].(map[string]any)["keywords"].(map[string]any)
		kw["bsse_type"], kw["supersystem_ie_only"] = bsse, ssieOnly
	}
	data, err = json.Marshal(doc.Input)
	require.NoError(t, err)
	in, err := qcschema.DecodeOptimizationInput(data)
	require.NoError(t, err)
	return in
}

// TestHFTrimerQCManyBody is QCManyBody's test_bsse_opt_hf_trimer with the embedded
// program: the cyclic (HF)3 at HF/6-31G to nwchem_loose, keeping the initial and final
// steps, must reach its H..H distance (atoms 1 and 3, as the test measures) within 1% and
// run the number of cluster calculations per step that the test expects.
func TestHFTrimerQCManyBody(t *testing.T) {
	const angstrom = 1 / qcschema.BohrPerAngstrom
	tests := []struct {
		bsse     string
		ssieOnly bool
		distance float64 // angstrom
		clusters int     // per step; 0 for a single point
		long     bool
	}{
		{"nil", false, 2.18, 0, false},
		{"nocp", true, 2.18, 4, false},
		{"cp", false, 2.27, 10, true},
		{"nocp", false, 2.18, 7, true},
		{"cp", true, 2.27, 7, true},
	}
	ex := executor.NewPool(2, executor.Options{})
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/supersystem_ie_only=%v", tt.bsse, tt.ssieOnly), func(t *testing.T) {
			if tt.long && testing.Short() {
				t.Skip("counterpoise and full nocp optimizations take 10-20 s")
			}
			start := time.Now()
			res, err := (&Procedure{Executor: ex}).Run(context.Background(), qcmanybodyTrimer(t, tt.bsse, tt.ssieOnly))
			require.NoError(t, err)
			r := distance(res.FinalMolecule.Geometry, 1, 3) * angstrom
			t.Logf("E = %.10f, r(H..H) = %.4f angstrom, %d gradients, %v", *res.Properties.ReturnEnergy, r, *res.Properties.OptimizationIterations, time.Since(start))
			assert.InDelta(t, tt.distance, r, 1e-2*tt.distance, "H..H in angstrom, within 1%%")
			require.Len(t, res.TrajectoryResults, 2, "trajectory results (initial_and_final)")
			for i, step := range res.TrajectoryResults {
				if tt.clusters == 0 {
					assert.NotNil(t, step.Atomic, "step %d is not an atomic result", i)
					continue
				}
				require.NotNil(t, step.ManyBody, "step %d: want a many-body result", i)
				require.Len(t, step.ManyBody.ClusterResults, tt.clusters, "step %d: cluster results", i)
				assert.Contains(t, step.ManyBody.ClusterResults, `["(auto)", [1, 2, 3], [1, 2, 3]]`, "step %d has no trimer result", i)
			}
			first, _ := res.TrajectoryProperties[0].Energy()
			assert.Less(t, *res.Properties.ReturnEnergy, first, "final energy against the initial")
		})
	}
}

// TestLiFDimerQCManyBody is QCManyBody's test_bsse_opt_lif_dimer (geomeTRIC's keywords:
// interfrag_tight, maxiter 15) with the embedded program: Li+ F- at HF/6-31G, whose bond
// length the test knows to 1e-3 bohr with and without counterpoise correction.
func TestLiFDimerQCManyBody(t *testing.T) {
	tests := []struct {
		bsse     string
		length   float64 // bohr
		clusters int
	}{
		{"mbe", 2.969, 3},
		{"ssfc", 3.016, 5},
	}
	for _, tt := range tests {
		t.Run(tt.bsse, func(t *testing.T) {
			doc := `{"initial_molecule": {"symbols": ["Li", "F"], "geometry": [0, 0, 0, 0, 0, 3], "fragments": [[0], [1]], "fragment_charges": [1, -1]},
			 "specification": {"specification": {"schema_name": "qcschema_many_body_specification",
			   "specification": {"model": {"method": "hf", "basis": "6-31G"}, "driver": "energy", "program": "embedded", "keywords": {}, "protocols": {"stdout": false}},
			   "keywords": {"bsse_type": "` + tt.bsse + `", "supersystem_ie_only": true}, "protocols": {"cluster_results": "all"}, "driver": "energy"},
			  "keywords": {"convergence_set": "interfrag_tight", "maxiter": 15}, "protocols": {"trajectory_results": "final"}}}`
			in, err := qcschema.DecodeOptimizationInput([]byte(doc))
			require.NoError(t, err)
			res, err := (&Procedure{}).Run(context.Background(), in)
			require.NoError(t, err)
			r := distance(res.FinalMolecule.Geometry, 0, 1)
			t.Logf("R(LiF) = %.5f bohr in %d gradients", r, *res.Properties.OptimizationIterations)
			assert.InDelta(t, tt.length, r, 1e-3, "R(LiF) in bohr")
			require.Len(t, res.TrajectoryResults, 1, "trajectory results")
			assert.Len(t, res.TrajectoryResults[0].ManyBody.ClusterProperties, tt.clusters, "cluster properties")
			assert.Equal(t, "qcmb", res.TrajectoryResults[0].ManyBody.Provenance.Creator, "many-body provenance creator")
		})
	}
}

func TestRunErrors(t *testing.T) {
	t.Run("unknown program", func(t *testing.T) {
		spec := atomicSpec("sto-3g")
		spec.Atomic.Program = "nosuch"
		_, err := (&Procedure{}).Run(context.Background(), optimizationInput(waterDimer(), spec, "gau", qcschema.TrajectoryAll))
		var perr *Error
		require.ErrorAs(t, err, &perr)
		require.ErrorContains(t, err, "nosuch", "the error names the program")
		assert.False(t, perr.Partial.Success, "partial result %+v", perr.Partial)
		assert.Empty(t, perr.Partial.TrajectoryProperties, "partial result's steps")
		if assert.NotNil(t, perr.Partial.Error, "partial result's error") {
			assert.Contains(t, perr.Partial.Error.ErrorMessage, "nosuch", "partial result's error names the program")
		}
	})
	t.Run("not converged", func(t *testing.T) {
		in := optimizationInput(waterDimer(), atomicSpec("sto-3g"), "gau_tight", qcschema.TrajectoryAll)
		in.Specification.Keywords["geom_maxiter"] = 2.0
		_, err := (&Procedure{}).Run(context.Background(), in)
		var perr *Error
		var nc *optimize.NotConvergedError
		require.ErrorAs(t, err, &perr)
		require.ErrorAs(t, err, &nc)
		p := perr.Partial
		assert.False(t, p.Success, "partial result")
		if assert.NotNil(t, p.Error, "partial result's error") {
			assert.Equal(t, qcschema.ErrorConvergence, p.Error.ErrorType, "partial result's error")
			assert.Equal(t, err.Error(), p.Error.ErrorMessage, "partial result's error")
		}
		assert.Len(t, p.TrajectoryResults, 2, "partial result's steps")
		v1 := &qcschema.OptimizationInputV1{Keywords: map[string]any{"program": "embedded", "g_convergence": "gau_tight", "geom_maxiter": 2.0},
			InputSpecification: qcschema.InputSpecificationV1{Atomic: &qcschema.QCInputSpecification{Model: qcschema.Model{Method: "hf", Basis: "sto-3g"}}},
			InitialMolecule:    waterDimer()}
		_, err = (&Procedure{}).RunV1(context.Background(), v1)
		require.ErrorAs(t, err, &perr, "v1")
		require.NotNil(t, perr.PartialV1, "v1: a v1 partial result")
		data, _ := json.Marshal(perr.PartialV1)
		assert.False(t, perr.PartialV1.Success, "v1 partial result")
		if assert.NotNil(t, perr.PartialV1.Error, "v1 partial result's error") {
			assert.Equal(t, qcschema.ErrorConvergence, perr.PartialV1.Error.ErrorType, "v1 partial result's error")
		}
		assert.Len(t, perr.PartialV1.Energies, 2, "v1 partial result's energies")
		assert.NoError(t, qcmodels.Check(qcmodels.OptimizationResultV1(), data))
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		p := &Procedure{Observe: func(pt optimize.Point) {
			if pt.Index == 1 {
				cancel()
			}
		}}
		_, err := p.Run(ctx, optimizationInput(waterDimer(), atomicSpec("sto-3g"), "gau_tight", qcschema.TrajectoryAll))
		var perr *Error
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorAs(t, err, &perr)
		require.Len(t, perr.Partial.TrajectoryProperties, 2, "gradients before the cancel")
	})
	t.Run("foreign optimizer", func(t *testing.T) {
		in := optimizationInput(waterDimer(), atomicSpec("sto-3g"), "gau", qcschema.TrajectoryAll)
		in.Specification.Program = "geometric"
		_, err := (&Procedure{}).Run(context.Background(), in)
		require.ErrorContains(t, err, "geometric", "the error names the optimizer")
	})
}

// qcmanybodyTrimerV1 is the v1 input of QCManyBody 0.5's test_bsse_opt_hf_trimer (a
// GeneralizedOptimizationInput, or QCElemental's OptimizationInput for "nil") as it
// reaches QCEngine, without a schema name.
func qcmanybodyTrimerV1(t *testing.T, bsse string, ssieOnly bool) []byte {
	t.Helper()
	data, err := os.ReadFile("../../testdata/optimize/qcmanybody_bsse_opt_hf_trimer_v1.json")
	require.NoError(t, err)
	var doc struct {
		Input  map[string]any `json:"optimization_input"`
		Atomic map[string]any `json:"atomic_specification"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	if bsse == "nil" {
		doc.Input["input_specification"] = doc.Atomic
	} else {
		kw := doc.Input["input_specification"].(map[string]any)["keywords"].(map[string]any)
		kw["bsse_type"], kw["supersystem_ie_only"] = bsse, ssieOnly
	}
	data, err = json.Marshal(doc.Input)
	require.NoError(t, err)
	return data
}

// TestHFTrimerQCManyBodyV1 runs QCManyBody's v1 optimization input (its generalized
// optimization with a many-body input_specification, and QCElemental's with an atomic one
// whose program keywords.program names): the same optimization as the v2 input, written as
// the v1 result QCElemental's OptimizationResult and QCManyBody's
// GeneralizedOptimizationResult models accept.
func TestHFTrimerQCManyBodyV1(t *testing.T) {
	const angstrom = 1 / qcschema.BohrPerAngstrom
	tests := []struct {
		bsse     string
		ssieOnly bool
		clusters int // per step; 0 for a single point
		model    *qcmodels.Model
		schema   string
	}{
		{"nil", false, 0, qcmodels.OptimizationResultV1(), "qcschema_optimization_output"},
		{"nocp", true, 4, qcmodels.GeneralizedOptimizationResultV1(), "qcschema_generalizedoptimizationresult"},
	}
	ex := executor.NewPool(2, executor.Options{})
	for _, tt := range tests {
		t.Run(tt.bsse, func(t *testing.T) {
			v1, v2, err := qcschema.DecodeAnyOptimizationInput(qcmanybodyTrimerV1(t, tt.bsse, tt.ssieOnly))
			require.NoError(t, err, "DecodeAnyOptimizationInput")
			require.Nil(t, v2, "DecodeAnyOptimizationInput: want a v1 input")
			res, err := (&Procedure{Executor: ex}).RunV1(context.Background(), v1)
			require.NoError(t, err)
			data, err := json.Marshal(res)
			require.NoError(t, err)
			require.NoError(t, qcmodels.Check(tt.model, data))
			assert.Equal(t, tt.schema, res.SchemaName)
			assert.True(t, res.Success)
			assert.Nil(t, res.Error)
			r := distance(res.FinalMolecule.Geometry, 1, 3) * angstrom
			assert.InDelta(t, 2.18, r, 1e-2*2.18, "H..H in angstrom, within 1%%")
			require.Len(t, res.Trajectory, 2, "trajectory results (initial_and_final)")
			for i, step := range res.Trajectory {
				if tt.clusters == 0 {
					if assert.NotNil(t, step.Atomic, "step %d is not an atomic result", i) {
						assert.Equal(t, qcschema.DriverGradient, step.Atomic.Driver, "step %d", i)
					}
				} else if assert.NotNil(t, step.ManyBody, "step %d is not a many-body result", i) {
					assert.Len(t, step.ManyBody.ComponentResults, tt.clusters, "step %d: component results", i)
				}
			}

			// The v2 input of the same optimization takes the same steps.
			in2, err := v1.ToV2()
			require.NoError(t, err)
			res2, err := (&Procedure{Executor: ex}).Run(context.Background(), in2)
			require.NoError(t, err)
			assert.Equal(t, res.Energies, res2.Extras["energies"], "energies, v1 against v2")
			assert.Equal(t, res.FinalMolecule.Geometry, res2.FinalMolecule.Geometry, "final geometry, v1 against v2")
		})
	}
}

// TestIDPassesThrough: the id of an optimization input is the result's, and in v2 its
// input_data's too.
func TestIDPassesThrough(t *testing.T) {
	in := optimizationInput(waterDimer(), atomicSpec("sto-3g"), "gau_loose", qcschema.TrajectoryFinal)
	in.ID = "opt-7"
	res, err := (&Procedure{}).Run(context.Background(), in)
	require.NoError(t, err)
	data, _ := json.Marshal(res)
	var doc struct {
		ID        string `json:"id"`
		InputData struct {
			ID string `json:"id"`
		} `json:"input_data"`
	}
	if assert.NoError(t, json.Unmarshal(data, &doc), "v2") {
		assert.Equal(t, "opt-7", doc.ID, "v2: id")
		assert.Equal(t, "opt-7", doc.InputData.ID, "v2: input_data.id")
	}
	v1 := &qcschema.OptimizationInputV1{ID: "opt-8", Keywords: map[string]any{"program": "embedded", "g_convergence": "gau_loose"},
		InputSpecification: qcschema.InputSpecificationV1{Atomic: &qcschema.QCInputSpecification{Model: qcschema.Model{Method: "hf", Basis: "sto-3g"}}},
		InitialMolecule:    waterDimer()}
	res1, err := (&Procedure{}).RunV1(context.Background(), v1)
	require.NoError(t, err)
	assert.Equal(t, "opt-8", res1.ID, "v1: id")
}
