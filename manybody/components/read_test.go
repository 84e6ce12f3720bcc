package components_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/manybody"
	"github.com/qcmb-go/qcmb/manybody/components"
	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/qcschema"
)

// prepare plans the input in dir/input.json without task payloads.
func prepare(t *testing.T, dir string) *computer.Prepared {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "input.json"))
	require.NoError(t, err)
	in, _, err := qcschema.DecodeManyBodyInput(data)
	require.NoError(t, err)
	p, err := computer.PreparePlan(in)
	require.NoError(t, err)
	return p
}

// TestListInBatches: a component list longer than a parsing batch gives, bitwise, the
// result of the same components as a dictionary, and a bad entry past the first batch is
// named by its index.
func TestListInBatches(t *testing.T) {
	ctx := context.Background()
	dir := writeAnalyzeCase(t, 8, 3, qcschema.DriverGradient, "nocp", "vmfc")
	list := filepath.Join(dir, "components.json")
	p := prepare(t, dir)
	var comps []map[string]any
	data, err := os.ReadFile(list)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &comps))
	require.Greater(t, len(comps), 300)
	dict := map[string]any{}
	for _, c := range comps {
		label := manybody.Task{MC: c["mc"].(string), Real: ints(c["real"].([]any)), Basis: ints(c["basis"].([]any))}.Label()
		dict[label] = map[string]any{"energy": c["energy"], "gradient": c["gradient"]}
	}
	dictPath := filepath.Join(dir, "dict.json")
	require.NoError(t, os.WriteFile(dictPath, mustJSON(t, dict), 0o644))

	assemble := func(path string) *qcschema.ManyBodyResult {
		set, err := components.ReadFile(ctx, path, p)
		require.NoError(t, err)
		assert.Nil(t, set.Results)
		assert.Len(t, set.Properties, len(p.Plan.Tasks))
		res, err := set.Assemble(p)
		require.NoError(t, err)
		return res
	}
	fromList, fromDict := assemble(list), assemble(dictPath)
	assert.Equal(t, mustJSON(t, fromDict), mustJSON(t, fromList))
	assert.NotEmpty(t, fromList.ReturnResult.Array)

	comps[300]["gradient"] = "not numbers"
	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, mustJSON(t, comps), 0o644))
	_, err = components.ReadFile(ctx, bad, p)
	require.ErrorContains(t, err, bad+": components[300]: gradient")

	_, err = components.ReadFile(ctx, list, p, components.MaxBytes(1000))
	require.ErrorContains(t, err, "larger than the limit of 1000B")
}

func ints(xs []any) []int {
	out := make([]int, len(xs))
	for i, x := range xs {
		out[i] = int(x.(float64))
	}
	return out
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return data
}
