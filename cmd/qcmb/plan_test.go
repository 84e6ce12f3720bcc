package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// The screened 12-water case of testdata/screened: qcmb plan reports, per level, the
// kept and dropped clusters (C(12, 2) = 66 pairs, C(12, 3) = 220 triples).
func TestPlanCommandScreening(t *testing.T) {
	data, err := os.ReadFile("../../testdata/screened/screen_w12_nocp3_minatom_grad.json")
	require.NoError(t, err)
	var v struct {
		Input json.RawMessage `json:"input"`
	}
	require.NoError(t, json.Unmarshal(data, &v))
	path := filepath.Join(t.TempDir(), "input.json")
	require.NoError(t, os.WriteFile(path, v.Input, 0o644))

	out, err := execute(t, "plan", path, "--json")
	require.NoError(t, err)
	var doc planDoc
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.NotNil(t, doc.Screening)
	require.Equal(t, "min_atom", doc.Screening.Metric)
	require.Len(t, doc.Screening.Levels, 2)
	kept := []int{37, 7}
	for i, l := range doc.Screening.Levels {
		require.Equal(t, i+2, l.Level)
		require.Equal(t, kept[i], l.Kept)
		require.Equal(t, []float64{66, 220}[i]-float64(kept[i]), l.Dropped)
		require.NotNil(t, l.Cutoff)
		require.LessOrEqual(t, *l.LargestKept, *l.Cutoff)
		if l.ClosestDropped != nil {
			require.Greater(t, *l.ClosestDropped, *l.Cutoff)
		}
	}
	require.Equal(t, 12+37+7, doc.NTasks)

	text, err := execute(t, "plan", path)
	require.NoError(t, err)
	require.Contains(t, text, "screening (min_atom metric)")
	require.Regexp(t, regexp.MustCompile(`(?m)^\s+2\s+5\.000\s+37\s+29\s`), text)
	require.Regexp(t, regexp.MustCompile(`(?m)^\s+3\s+3\.400\s+7\s+213\s`), text)
}
