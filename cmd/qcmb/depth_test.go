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

	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/qcschema"
)

// TestDepthLimitEveryReader: JSON nested deeper than 100 levels is refused by every
// reader, wherever it hides in the document: a v1 or v2 many-body input's molecule.extras
// (9,000 nested arrays there used to be accepted and echoed back as a 162 MB result), an
// optimization input, a lattice input, every form of components qcmb analyze reads, a
// single point, a worker's input line and the statistics of qcmb report.
func TestDepthLimitEveryReader(t *testing.T) {
	deep := strings.Repeat("[", 9000) + strings.Repeat("]", 9000)
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
		return path
	}
	withExtras := func(path string, member string) string {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		var doc map[string]any
		require.NoError(t, json.Unmarshal(data, &doc))
		doc[member].(map[string]any)["extras"] = map[string]any{"deep": "DEEP"}
		out, err := json.Marshal(doc)
		require.NoError(t, err)
		return strings.Replace(string(out), `"DEEP"`, deep, 1)
	}
	input := testInput(t, nil)
	v1 := write("v1.json", withExtras(input, "molecule"))
	var in qcschema.ManyBodyInput
	require.NoError(t, readJSON(newRootCmd(), input, &in))
	p, err := computer.Prepare(&in)
	require.NoError(t, err)
	v2data, err := json.Marshal(in.ToV2())
	require.NoError(t, err)
	v2 := write("v2.json", withExtras(write("v2-plain.json", string(v2data)), "molecule"))
	opt := write("opt.json", withExtras("../../testdata/optimize/water_dimer_nocp_sto3g.json", "initial_molecule"))
	lat := write("lattice.json", `{"cif_input": "x.cif", "keywords": {"a": `+deep+`}}`)
	label := p.Plan.Tasks[0].Label()
	list := write("list.json", `[{"mc": "scf", "real": [1], "basis": [1], "energy": `+deep+`}]`)
	dict := write("dict.json", fmt.Sprintf(`{%q: {"energy": -1, "extra": %s}}`, label, deep))
	result := fmt.Sprintf(`{"id": %q, "success": true, "driver": "energy", "return_result": -1, "properties": {"return_energy": -1}, "extras": {"deep": %s}}`, label, deep)
	lines := write("lines.json", result+"\n"+result+"\n")
	results := filepath.Join(dir, "results")
	require.NoError(t, os.Mkdir(results, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(results, "0.json"), []byte(result), 0o644))
	single := write("single.json", `{"schema_name": "qcschema_input", "schema_version": 1, "driver": "energy", "model": {"method": "hf", "basis": "sto-3g"},
		"molecule": {"symbols": ["He"], "geometry": [0, 0, 0], "extras": {"deep": `+deep+`}}}`)
	stats := write("stats.json", `{"tasks": 1, "extra": `+deep+`}`)

	for i, args := range [][]string{
		{"plan", v1}, {"run", v1, "--no-store"}, {"plan", v2}, {"store", "show", v1},
		{"optimize", opt, "--no-store"}, {"lattice", lat, "--no-store"},
		{"analyze", input, list}, {"analyze", input, dict}, {"analyze", input, lines}, {"analyze", input, results}, {"analyze", input, single},
		{"compute", single}, {"report", stats, "-o", filepath.Join(dir, "r.html")},
	} {
		t.Run(fmt.Sprint(i, args[0]), func(t *testing.T) {
			out, err := execute(t, args...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "nested deeper than 100 levels")
			assert.Less(t, len(out)+len(err.Error()), 10000, "nothing echoed back")
		})
	}
}
