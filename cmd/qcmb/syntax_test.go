package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
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
