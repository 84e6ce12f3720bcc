package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSampleSerialWithTheStore: --sample-serial reruns tasks the run computed, not ones
// the store answered (which took no time in the run), and a run that reused every task
// says so instead of a speedup of 0 and advice to measure one.
func TestSampleSerialWithTheStore(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile("../../testdata/inputs/water4_hf_sto3g_nocp_2body.json")
	require.NoError(t, err)
	twoBody := filepath.Join(dir, "two.json")
	require.NoError(t, os.WriteFile(twoBody, data, 0o644))
	var doc map[string]any
	require.NoError(t, json.Unmarshal(data, &doc))
	doc["specification"].(map[string]any)["keywords"].(map[string]any)["max_nbody"] = 3
	threeBody := filepath.Join(dir, "three.json")
	require.NoError(t, os.WriteFile(threeBody, mustJSON(t, doc), 0o644))

	db := filepath.Join(dir, "results.db")
	run := func(input string, extra ...string) (string, map[string]any) {
		t.Helper()
		statsPath := filepath.Join(dir, "stats.json")
		args := append([]string{"run", input, "--executor", "serial", "--store", db, "-o", filepath.Join(dir, "result.json"), "--stats-json", statsPath}, extra...)
		out, err := execute(t, args...)
		require.NoError(t, err)
		raw, err := os.ReadFile(statsPath)
		require.NoError(t, err)
		var st map[string]any
		require.NoError(t, json.Unmarshal(raw, &st))
		return out, st
	}
	run(twoBody) // 10 tasks into the store

	// 14 tasks, 10 of them in the store: the sample is the 4 trimers the run computed.
	_, st := run(threeBody, "--sample-serial", "6")
	assert.EqualValues(t, 10, st["tasks_reused"])
	assert.EqualValues(t, 4, st["tasks_computed"])
	basis, _ := st["speedup_basis"].(string)
	assert.True(t, strings.HasPrefix(basis, "sampled: 4 tasks rerun serially"), basis)

	// Every task reused.
	out, st := run(threeBody, "--sample-serial", "3")
	assert.EqualValues(t, 14, st["tasks_reused"])
	assert.Contains(t, out, "speedup           none: all 14 tasks reused from the store\n")
	assert.NotContains(t, out, "--sample-serial")
}
