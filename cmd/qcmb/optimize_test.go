package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/qcschema"
)

// TestOptimizeCommand optimizes the water dimer through the many-body expansion and checks
// the result against Psi4 1.3.2's tightly converged minimum.
func TestOptimizeCommand(t *testing.T) {
	var ref struct {
		References map[string]struct {
			FinalEnergy float64 `json:"final_energy"`
		} `json:"references"`
	}
	data, err := os.ReadFile("../../optimize/procedure/testdata/psi4_optking.json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &ref))
	psi4 := ref.References["water_dimer_gau_tight"].FinalEnergy

	out := filepath.Join(t.TempDir(), "result.json")
	_, err = execute(t, "optimize", "--executor", "serial", "../../testdata/optimize/water_dimer_nocp_sto3g.json", "-o", out)
	require.NoError(t, err)
	data, err = os.ReadFile(out)
	require.NoError(t, err)
	var res qcschema.OptimizationResult
	require.NoError(t, json.Unmarshal(data, &res))
	require.True(t, res.Success)
	require.Equal(t, qcschema.SchemaOptimizationResult, res.SchemaName)
	require.InDelta(t, psi4, *res.Properties.ReturnEnergy, 1e-6)
	require.Len(t, res.TrajectoryResults, 1, "trajectory_results final keeps one step")
	require.NotNil(t, res.TrajectoryResults[0].ManyBody)
	require.Len(t, res.TrajectoryProperties, *res.Properties.OptimizationIterations)
	last, ok := res.TrajectoryProperties[len(res.TrajectoryProperties)-1].Energy()
	require.True(t, ok)
	require.Equal(t, *res.Properties.ReturnEnergy, last)
	require.InDeltaSlice(t, res.FinalMolecule.Geometry, res.TrajectoryResults[0].ManyBody.InputData.Molecule.Geometry, 0)
}

func TestOptimizeCommandErrors(t *testing.T) {
	base, err := os.ReadFile("../../testdata/optimize/water_dimer_nocp_sto3g.json")
	require.NoError(t, err)
	edit := func(t *testing.T, f func(doc map[string]any)) string {
		var doc map[string]any
		require.NoError(t, json.Unmarshal(base, &doc))
		f(doc)
		data, err := json.Marshal(doc)
		require.NoError(t, err)
		path := filepath.Join(t.TempDir(), "input.json")
		require.NoError(t, os.WriteFile(path, data, 0o644))
		return path
	}
	keywords := func(kw map[string]any) func(map[string]any) {
		return func(doc map[string]any) { doc["specification"].(map[string]any)["keywords"] = kw }
	}
	tests := []struct {
		name string
		edit func(map[string]any)
		want string
	}{
		{"unknown convergence set", keywords(map[string]any{"g_convergence": "gau_sloppy"}), `unknown convergence set "gau_sloppy"`},
		{"unknown keyword", keywords(map[string]any{"max_iterations": 3}), `optimization keyword "max_iterations" is not known`},
		{"unknown field", func(doc map[string]any) { doc["trajectory"] = []any{} }, `trajectory: unknown field`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := execute(t, "optimize", edit(t, tt.edit))
			require.Error(t, err)
			require.Contains(t, err.Error(), tt.want)
			require.NotContains(t, err.Error(), "\n")
		})
	}

	t.Run("not converged", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "partial.json")
		_, err := execute(t, "optimize", "--executor", "serial", edit(t, keywords(map[string]any{"geom_maxiter": 2})), "-o", out)
		require.Error(t, err)
		require.True(t, strings.Contains(err.Error(), "not converged (gau) after 2 gradients"), err.Error())
		data, err := os.ReadFile(out)
		require.NoError(t, err)
		var partial qcschema.OptimizationResult
		require.NoError(t, json.Unmarshal(data, &partial))
		require.False(t, partial.Success)
		require.Len(t, partial.TrajectoryProperties, 2)
		e0, _ := partial.TrajectoryProperties[0].Energy()
		e1, _ := partial.TrajectoryProperties[1].Energy()
		require.Less(t, e1, e0)
		require.False(t, math.IsNaN(partial.FinalMolecule.Geometry[0]))
	})
}

// TestOptimizeResumesFromStore: every single point of an optimization runs on subprocess
// workers started once for all steps and is stored as it arrives; the same optimization
// again takes them from the store and writes the same result, byte for byte.
func TestOptimizeResumesFromStore(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "results.db")
	run := func(name string) []byte {
		out := filepath.Join(dir, name)
		_, err := execute(t, "optimize", "--executor", "subprocess", "--workers", "2",
			"--worker-command", os.Args[0]+" worker", "--store", db,
			"../../testdata/optimize/water_dimer_nocp_sto3g.json", "-o", out)
		require.NoError(t, err)
		data, err := os.ReadFile(out)
		require.NoError(t, err)
		return data
	}
	first := run("first.json")
	second := run("second.json")
	require.Equal(t, string(first), string(second))
}
