package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/qcschema"
)

// v2DimerInput is the water dimer cp/nocp input of dimerInput as a QCSchema v2 document
// that keeps the cluster results.
func v2DimerInput(t *testing.T, program string) string {
	t.Helper()
	in, err := readManyBodyInput(defaultInputs(), dimerInput(t, program))
	require.NoError(t, err)
	v2 := in.v1.ToV2()
	v2.Specification.Protocols.ClusterResults = "all"
	path := filepath.Join(t.TempDir(), "input_v2.json")
	require.NoError(t, os.WriteFile(path, mustJSON(t, v2), 0o644))
	return path
}

// TestRunV2WaterDimer runs the water dimer as a v1 and as a v2 input: the v2 result has
// QCManyBody's v2 layout and the v1 result's numbers, bit for bit.
func TestRunV2WaterDimer(t *testing.T) {
	dir := t.TempDir()
	out1, out2 := filepath.Join(dir, "v1.json"), filepath.Join(dir, "v2.json")
	_, err := execute(t, "run", dimerInput(t, "embedded"), "--executor", "serial", "-o", out1)
	require.NoError(t, err)
	_, err = execute(t, "run", v2DimerInput(t, "embedded"), "--executor", "serial", "-o", out2)
	require.NoError(t, err)

	var v1 qcschema.ManyBodyResult
	require.NoError(t, readJSON(newRootCmd(), out1, &v1))
	var v2 qcschema.ManyBodyResultV2
	require.NoError(t, readJSON(newRootCmd(), out2, &v2))
	require.Equal(t, qcschema.SchemaManyBodyResultV2, v2.SchemaName)
	require.Equal(t, 2, v2.SchemaVersion)
	require.Equal(t, qcschema.SchemaManyBodyPropertiesV2, v2.Properties.SchemaName)
	require.Equal(t, qcschema.SchemaManyBodyInputV2, v2.InputData.SchemaName)

	require.Equal(t, v1.ReturnResult.Scalar, v2.ReturnResult.Scalar)
	require.Equal(t, v1.Properties.Energies, v2.Properties.Energies)
	require.Equal(t, *v1.Properties.ReturnEnergy, *v2.Properties.ReturnEnergy)
	require.Len(t, v2.ClusterProperties, len(v1.ComponentProperties))
	require.Len(t, v2.ClusterResults, len(v1.ComponentProperties), "protocols.cluster_results all keeps every cluster")
	for label, p := range v1.ComponentProperties {
		require.Equal(t, *p.ReturnEnergy, *v2.ClusterProperties[label].ReturnEnergy, label)
		r := v2.ClusterResults[label]
		require.Equal(t, "embedded", r.InputData.Specification.Program, label)
		require.Equal(t, *p.ReturnEnergy, r.ReturnResult.Scalar, label)
	}
	// The properties under Psi4's names, in both versions.
	for _, res := range []map[string]any{v1.Extras, v2.Extras} {
		qcvars, ok := res["qcvars"].(map[string]any)
		require.True(t, ok, "extras.qcvars")
		require.Equal(t, v1.Properties.Energies["cp_corrected_interaction_energy"], qcvars["CP-CORRECTED INTERACTION ENERGY"])
		require.Equal(t, v1.Properties.Energies["nocp_corrected_total_energy_through_2_body"], qcvars["NOCP-CORRECTED TOTAL ENERGY THROUGH 2-BODY"])
		require.Equal(t, v1.ReturnResult.Scalar, qcvars["CURRENT ENERGY"])
	}
}

// TestAnalyzeV2 assembles a v2 input from given components: a v2 result with the numbers
// of the same v1 analysis.
func TestAnalyzeV2(t *testing.T) {
	ref := loadPsi4NBody(t)
	comps := filepath.Join(t.TempDir(), "components.json")
	var list []map[string]any
	for label, e := range ref.Components {
		var parts []json.RawMessage
		require.NoError(t, json.Unmarshal([]byte(label), &parts))
		list = append(list, map[string]any{"mc": json.RawMessage(parts[0]), "real": parts[1], "basis": parts[2], "energy": e})
	}
	require.NoError(t, os.WriteFile(comps, mustJSON(t, list), 0o644))
	v1out, err := execute(t, "analyze", dimerInput(t, "psi4"), comps)
	require.NoError(t, err)
	v2out, err := execute(t, "analyze", v2DimerInput(t, "psi4"), comps)
	require.NoError(t, err)
	var v1 qcschema.ManyBodyResult
	require.NoError(t, json.Unmarshal([]byte(v1out), &v1))
	var v2 qcschema.ManyBodyResultV2
	require.NoError(t, json.Unmarshal([]byte(v2out), &v2))
	require.Equal(t, qcschema.SchemaManyBodyResultV2, v2.SchemaName)
	require.Equal(t, v1.ReturnResult.Scalar, v2.ReturnResult.Scalar)
	require.Equal(t, v1.Properties.Energies, v2.Properties.Energies)
	require.InDelta(t, ref.ReturnEnergy, v2.ReturnResult.Scalar, 1e-10)
}

// An unknown keyword stops run, plan and analyze before any work, in one line that names
// the field and the right spelling.
func TestStrictInputCommands(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile("../../testdata/inputs/qcmanybody_water_dimer_cp_energy.json")
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(data, &doc))
	doc["specification"].(map[string]any)["keywords"].(map[string]any)["bsse_typo"] = "nocp"
	bad := filepath.Join(dir, "typo.json")
	require.NoError(t, os.WriteFile(bad, mustJSON(t, doc), 0o644))
	want := bad + `: qcschema: specification.keywords.bsse_typo: unknown field (did you mean "bsse_type"?)`
	for _, args := range [][]string{{"run", bad}, {"plan", bad}, {"analyze", bad, bad}} {
		_, err := execute(t, args...)
		require.EqualError(t, err, want, args[0])
	}
	// an AtomicInput is named as such
	single := "../../qcschema/testdata/qcengine_psi4_atomicinput_gradient.json"
	_, err = execute(t, "run", single)
	require.EqualError(t, err, single+`: qcschema: invalid schema_name: "qcschema_input": want "qcschema_manybodyinput"; that is an AtomicInput, a single point (qcmb compute runs it)`)
}
