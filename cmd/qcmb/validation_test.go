package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// editInput writes a copy of the input at path changed by edit, and returns its path.
func editInput(t *testing.T, path string, edit func(in map[string]any)) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var in map[string]any
	require.NoError(t, json.Unmarshal(data, &in))
	edit(in)
	out := filepath.Join(t.TempDir(), "edited.json")
	require.NoError(t, os.WriteFile(out, mustJSON(t, in), 0o644))
	return out
}

// TestRefusedValues: flags and input values that mean nothing are refused before any
// work with a message that names the actual problem: negative --workers, --retries,
// --timeout and --sample-serial (they ran), a multiplicity of 0 (read as "not given"),
// atom symbols with white space (" O\n" reached xtb), an empty bsse_type (run as cp),
// and a molecule without fragments or with an empty one (reported as "no n-body level
// given (only supersystem)" or as levels exceeding 0 fragments).
func TestRefusedValues(t *testing.T) {
	input := testInput(t, nil)
	molecule := func(in map[string]any) map[string]any { return in["molecule"].(map[string]any) }
	keywords := func(in map[string]any) map[string]any {
		return in["specification"].(map[string]any)["keywords"].(map[string]any)
	}
	for _, tc := range []struct {
		name string
		args []string
		edit func(in map[string]any)
		want string
	}{
		{"workers", []string{"--workers", "-1"}, nil, "--workers -1: want a number of workers (0: one per CPU)"},
		{"retries", []string{"--retries", "-1"}, nil, "--retries -1: want a number of extra attempts"},
		{"timeout", []string{"--timeout", "-1s"}, nil, "--timeout -1s: want a time limit per task"},
		{"sample-serial", []string{"--sample-serial", "-3"}, nil, "--sample-serial -3: want a number of tasks"},
		{"cpus-per-worker", []string{"--executor", "slurm", "--workers", "1", "--cpus-per-worker", "0"}, nil, "--cpus-per-worker 0: want at least 1"},
		{"multiplicity 0", nil, func(in map[string]any) { molecule(in)["molecular_multiplicity"] = 0 },
			"invalid molecule.molecular_multiplicity: 0: want a multiplicity of at least 1"},
		{"fragment multiplicity 0", nil, func(in map[string]any) { molecule(in)["fragment_multiplicities"] = []any{1, 0} },
			"invalid molecule.fragment_multiplicities[1]: 0: want a multiplicity of at least 1"},
		{"symbol with white space", nil, func(in map[string]any) { molecule(in)["symbols"].([]any)[0] = " O\n" },
			`invalid symbols[0]: " O\n" has white space around the symbol: write it alone ("O")`},
		{"empty bsse_type", nil, func(in map[string]any) { keywords(in)["bsse_type"] = []any{} },
			"specification.keywords.bsse_type: an empty list: give at least one of nocp, cp or vmfc"},
		{"fragments []", nil, func(in map[string]any) { molecule(in)["fragments"] = []any{} },
			"molecule.fragments: no fragments: a many-body expansion needs the molecule split into fragments"},
		{"no fragments", nil, func(in map[string]any) { delete(molecule(in), "fragments") },
			"molecule.fragments: no fragments"},
		{"fragment of no atoms", nil, func(in map[string]any) { molecule(in)["fragments"] = []any{[]any{0, 1, 2, 3, 4, 5}, []any{}} },
			"molecule.fragments[1]: a fragment of no atoms"},
		{"no atoms", nil, func(in map[string]any) {
			m := molecule(in)
			m["symbols"], m["geometry"], m["fragments"] = []any{}, []any{}, []any{[]any{}}
		}, "molecule: no atoms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := input
			if tc.edit != nil {
				path = editInput(t, input, tc.edit)
			}
			db := filepath.Join(t.TempDir(), "st.db")
			_, err := execute(t, append([]string{"run", path, "--executor", "serial", "--store", db}, tc.args...)...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			_, statErr := os.Stat(db)
			assert.True(t, os.IsNotExist(statErr), "refused before any work: no store was made")
		})
	}
}

// TestAnalyzeRejectsBadEntries: a component entry whose fragments could be no task's
// ([1, 1], [-1], real outside basis), or whose model chemistry or label is no text (a lone
// surrogate escape, invalid UTF-8, which encoding/json reads as U+FFFD), is an error that
// names the entry, in every form qcmb analyze reads; such entries used to be dropped and
// surface only as "no result for task".
func TestAnalyzeRejectsBadEntries(t *testing.T) {
	input := testInput(t, nil)
	db := filepath.Join(t.TempDir(), "results.db")
	_, err := execute(t, "run", input, "--store", db, "--executor", "serial")
	require.NoError(t, err)
	good, err := execute(t, "store", "export", input, "--store", db)
	require.NoError(t, err)
	var entries []map[string]any
	require.NoError(t, json.Unmarshal([]byte(good), &entries))
	require.Len(t, entries, 5)
	write := func(content string) string {
		path := filepath.Join(t.TempDir(), "components.json")
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
		return path
	}
	// list writes the good entries with entry 2 replaced by bad (a JSON object's text).
	list := func(bad string) string {
		var parts []string
		for i, e := range entries {
			if i == 2 {
				parts = append(parts, bad)
				continue
			}
			parts = append(parts, string(mustJSON(t, e)))
		}
		return write("[" + strings.Join(parts, ",\n") + "]")
	}
	energy := entries[2]["energy"]
	dict := func(badKey string) string {
		return write(fmt.Sprintf(`{%s: %v, "[\"scf\", [1], [1]]": -76.0}`, badKey, energy))
	}
	result := func(id string) string {
		return fmt.Sprintf(`{"id": %s, "success": true, "driver": "energy", "return_result": -1, "properties": {"return_energy": -1}}`, id)
	}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.json"), []byte(result("\"task \xff\"")), 0o644))
	for _, tc := range []struct {
		name, path, want string
	}{
		{"real [1, 1]", list(`{"mc": "scf", "real": [1, 1], "basis": [1, 1], "energy": -76}`), "components[2]: real [1 1], basis [1 1]: fragments [1 1] not sorted ascending without repeats"},
		{"real [-1]", list(`{"mc": "scf", "real": [-1], "basis": [-1, 2], "energy": -76}`), "components[2]: real [-1], basis [-1 2]: fragment -1 < 1"},
		{"real outside basis", list(`{"mc": "scf", "real": [1, 2], "basis": [2], "energy": -76}`), "components[2]: real [1 2], basis [2]: real fragment 1 not in basis [2]"},
		{"lone surrogate", list(`{"mc": "scf\ud800", "real": [1], "basis": [1], "energy": -76}`), `components[2]: mc: offset`},
		{"invalid UTF-8", list("{\"mc\": \"sc\\u0066\xff\", \"real\": [1], \"basis\": [1], \"energy\": -76}"), "components[2]: mc: offset"},
		{"label lone surrogate", dict(`"[\"scf\\ud800\", [1], [1, 2]]"`), `lone surrogate`},
		{"label invalid UTF-8", dict("\"[\\\"scf\xff\\\", [1], [1, 2]]\""), "invalid UTF-8"},
		{"label [1, 1]", dict(`"[\"scf\", [1, 1], [1, 1]]"`), "not sorted ascending without repeats"},
		{"result lines", write(result(`"[\"scf\", [1], [1]]"`) + "\n" + result(`"task \ud800"`) + "\n"), "document 2: the string at byte 7: not text: lone surrogate"},
		{"result directory", dir, "bad.json: the string at byte 7: not text: invalid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := execute(t, "analyze", input, tc.path)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "no result for task")
		})
	}
}

// TestNoMoreWorkersThanTasksRun: "qcmb run --workers 5000" on the 5 tasks of the water
// dimer starts at most 5 worker processes, and reports the workers it used.
func TestNoMoreWorkersThanTasksRun(t *testing.T) {
	input := testInput(t, nil)
	for _, ex := range []string{"subprocess", "pool"} {
		t.Run(ex, func(t *testing.T) {
			statsPath := filepath.Join(t.TempDir(), "stats.json")
			args := []string{"run", input, "--executor", ex, "--workers", "5000", "--no-store", "--stats-json", statsPath}
			if ex == "subprocess" {
				args = append(args, "--worker-command", os.Args[0]+" worker")
			}
			_, err := execute(t, args...)
			require.NoError(t, err)
			rep := readStats(t, statsPath)
			assert.LessOrEqual(t, len(rep.WorkerStarts), 5, "worker processes started")
			assert.Equal(t, 5, rep.Workers, "workers reported")
		})
	}
}
