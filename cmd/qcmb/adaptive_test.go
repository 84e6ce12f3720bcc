package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/qcschema"
)

// adaptiveInput writes the first six waters of the octamer of testdata/adaptive as an
// energy-screened nocp MBE-4 on testProgram (HF/STO-3G) with the given test controls, and
// returns its path.
func adaptiveInput(t *testing.T, controls map[string]any) string {
	t.Helper()
	var v struct {
		Input qcschema.ManyBodyInput `json:"input"`
	}
	require.NoError(t, readJSON(newRootCmd(), "../../testdata/adaptive/w8_nocp4_energy.json", &v))
	in := v.Input
	m := &in.Molecule
	m.Symbols, m.Geometry, m.Fragments = m.Symbols[:18], m.Geometry[:54], m.Fragments[:6]
	m.FragmentCharges, m.FragmentMultiplicities = m.FragmentCharges[:6], m.FragmentMultiplicities[:6]
	spec := in.Specification.Specification["hf"]
	spec.Program, spec.Keywords = testProgram, controls
	in.Specification.Specification["hf"] = spec
	in.Specification.Keywords.Screening = &qcschema.Screening{Energy: &qcschema.EnergyScreening{
		Thresholds: map[string]float64{"3": 1e-3, "4": 2e-4}}}
	path := filepath.Join(t.TempDir(), "adaptive.json")
	require.NoError(t, os.WriteFile(path, mustJSON(t, &in), 0o644))
	return path
}

// qcmb plan says what is known before any result: the upper bound per level and the
// thresholds.
func TestPlanAdaptive(t *testing.T) {
	input := adaptiveInput(t, nil)
	out, err := execute(t, "plan", input, "--no-check")
	require.NoError(t, err)
	assert.Contains(t, out, "tasks: at most 56 (energy screening decides as results arrive)")
	assert.Contains(t, out, "energy screening (the expansion's own increments decide)")
	assert.Regexp(t, `\s4\s+0\.0002\s+0\.126\s+15`, out)
	js, err := execute(t, "plan", input, "--json", "--no-check")
	require.NoError(t, err)
	var doc planDoc
	require.NoError(t, json.Unmarshal([]byte(js), &doc))
	assert.True(t, doc.Adaptive)
	assert.Equal(t, 56, doc.NTasks)
	require.NotNil(t, doc.Screening.Energy)
	assert.Equal(t, 15, doc.Screening.Energy.Levels[3].Candidates)
	assert.Nil(t, doc.Screening.Energy.Levels[3].Kept, "nothing is decided before any result")
}

// An energy-screened run killed with SIGKILL after some results are stored resumes: the
// rerun reuses them, makes the same decisions and writes the result of an uninterrupted
// run, byte for byte; store show and export list what the decisions released.
func TestAdaptiveRunResumesAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("runs an octamer's expansion three times")
	}
	input := adaptiveInput(t, map[string]any{"sleep": 0.05})
	dir := t.TempDir()
	db := filepath.Join(dir, "results.db")
	out := filepath.Join(dir, "result.json")
	statsPath := filepath.Join(dir, "stats.json")
	args := []string{"run", input, "--executor", "pool", "--workers", "2", "--store", db, "-o", out, "--stats-json", statsPath}

	cmd, exited, _ := startUntilStored(t, args, input, db, 25, 60*time.Second)
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	<-exited
	rep, err := storeShow(t, input, db)
	require.NoError(t, err)
	stored := rep.Counts["done"]

	_, err = execute(t, args...)
	require.NoError(t, err)
	st := readStats(t, statsPath)
	assert.Equal(t, stored, st.Reused)

	ref := filepath.Join(dir, "reference.json")
	_, err = execute(t, "run", input, "--executor", "serial", "--no-store", "-o", ref)
	require.NoError(t, err)
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	want, err := os.ReadFile(ref)
	require.NoError(t, err)
	require.Equal(t, string(want), string(got))

	var res qcschema.ManyBodyResult
	require.NoError(t, json.Unmarshal(got, &res))
	assert.Equal(t, st.Reused+st.Computed, len(res.ComponentProperties))
	assert.Less(t, stored, len(res.ComponentProperties), "the run was killed before its end")
	assert.Less(t, len(res.ComponentProperties), 56, "energy screening dropped some clusters")
	rep, err = storeShow(t, input, db)
	require.NoError(t, err)
	assert.Equal(t, len(res.ComponentProperties), rep.Counts["done"], "store show lists the tasks the decisions released")
	assert.Zero(t, rep.Counts["missing"])

	// The exported components analyze to the same result.
	comps := filepath.Join(dir, "components.json")
	_, err = execute(t, "store", "export", input, "--store", db, "-o", comps)
	require.NoError(t, err)
	analyzed, err := execute(t, "analyze", input, comps)
	require.NoError(t, err)
	var an qcschema.ManyBodyResult
	require.NoError(t, json.Unmarshal([]byte(analyzed), &an))
	assert.Equal(t, res.ReturnResult.Scalar, an.ReturnResult.Scalar)
	assert.True(t, strings.Contains(fmt.Sprint(an.Extras["screening"]), "energy"))
}
