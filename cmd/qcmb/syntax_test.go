package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/manybody/computer"
)

// TestSyntaxErrorsNameLineAndColumn: text that is no JSON is reported as
// FILE:LINE:COLUMN (1-based, columns in characters) by every command, for every input
// file, whichever decoder met it first.
func TestSyntaxErrorsNameLineAndColumn(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
		return path
	}
	// A known field first, so that a strict decoder has nothing else to complain about
	// before the fault; an unknown one first, which a decoder meets before the fault.
	known := write("known.json", "{\"schema_name\": \"qcschema_manybodyinput\",\n  , }")
	unknown := write("unknown.json", "{\"a\": 1,\n  , }")
	missingComma := write("comma.json", "{\"schema_name\": \"qcschema_manybodyinput\",\n  \"molecule\": {\"symbols\": [\"He\"] \"geometry\": [0, 0, 0]}}")
	input := "../../testdata/inputs/qcmanybody_water_dimer_cp_energy.json"
	list := write("components.json", "[{\"mc\": \"hf\", \"real\": [1], \"basis\": [1], \"energy\": -1},\n  , ]")
	lines := write("components.jsonl", "{\"mc\": \"hf\", \"real\": [1], \"basis\": [1], \"energy\": -1}\n{\"mc\": , }\n")
	resultsDir := filepath.Join(dir, "results")
	require.NoError(t, os.Mkdir(resultsDir, 0o755))
	result := filepath.Join(resultsDir, "a.json")
	require.NoError(t, os.WriteFile(result, []byte("{\"schema_name\": \"qcschema_output\",\n\n   \"success\": tru }"), 0o644))

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", known, "--no-store"}, known + ":2:3: invalid character ',' looking for beginning of object key string"},
		{[]string{"run", unknown, "--no-store"}, unknown + ":2:3: invalid character ','"},
		{[]string{"plan", missingComma}, missingComma + ":2:34: invalid character '\"' after object key:value pair"},
		{[]string{"analyze", known, list}, known + ":2:3: "},
		{[]string{"analyze", input, list}, list + ":2:3: invalid character ',' looking for beginning of value"},
		{[]string{"analyze", input, lines}, lines + ":2:8: invalid character ','"},
		{[]string{"analyze", input, resultsDir}, result + ":3:18: invalid character ' ' in literal true (expecting 'e')"},
		{[]string{"compute", unknown}, unknown + ":2:3: "},
		{[]string{"optimize", unknown, "--no-store"}, unknown + ":2:3: "},
		{[]string{"lattice", unknown, "--no-store"}, "lattice: " + unknown + ":2:3: "},
		{[]string{"report", unknown, "-o", filepath.Join(dir, "report.html")}, unknown + ":2:3: "},
	} {
		_, err := execute(t, tc.args...)
		require.Error(t, err, "%v", tc.args)
		require.Contains(t, err.Error(), tc.want, "%v", tc.args)
	}
}

// TestPsi4UnknownBasisRefusedBeforeAnyTask: qcmb run with a basis set or method Psi4 does
// not have says so once, quoting the input, within seconds and before any task runs.
func TestPsi4UnknownBasisRefusedBeforeAnyTask(t *testing.T) {
	if _, _, err := engine.Availability(context.Background(), "psi4"); err != nil {
		t.Skip("psi4 not available: ", err)
	}
	data, err := os.ReadFile("../../testdata/inputs/water4_hf_sto3g_nocp_2body.json")
	require.NoError(t, err)
	dir := t.TempDir()
	for _, tc := range []struct{ from, to, want string }{
		{`"basis": "sto-3g"`, `"basis": "6-31q"`, `model chemistry "hf" (program "psi4"): Psi4 has no basis set "6-31q"`},
		{`"method": "hf"`, `"method": "b3lpy"`, `model chemistry "hf" (program "psi4"): Psi4 has no method "b3lpy" (did you mean "b3lyp"?)`},
	} {
		in := strings.Replace(strings.Replace(string(data), `"program": "embedded"`, `"program": "psi4"`, 1), tc.from, tc.to, 1)
		require.NotEqual(t, string(data), in)
		path := filepath.Join(dir, "input.json")
		require.NoError(t, os.WriteFile(path, []byte(in), 0o644))
		start := time.Now()
		_, err := execute(t, "run", path, "--no-store", "--executor", "serial")
		require.Error(t, err)
		var pe *computer.ProgramError
		assert.ErrorAs(t, err, &pe, "refused by the check before the run")
		assert.Contains(t, err.Error(), tc.want)
		assert.Equal(t, 1, strings.Count(err.Error(), "Psi4 has no"), "said once")
		assert.Less(t, time.Since(start), 30*time.Second)
	}
}
