package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/internal/qcmodels"
)

// interopInput writes a water dimer ManyBodyInput for the embedded program at HF/STO-3G
// in QCSchema version (1 or 2) with driver, BSSE treatments given by their aliases, an id
// and every cluster's AtomicResult kept (component_results / cluster_results "all").
func interopInput(t *testing.T, version int, driver string) string {
	t.Helper()
	mol := map[string]any{
		"symbols":   []string{"O", "H", "H", "O", "H", "H"},
		"geometry":  []float64{-1.551007, -0.114520, 0, -1.934259, 0.762503, 0, -0.599677, 0.040712, 0, 1.350625, 0.111469, 0, 1.680398, -0.373741, -0.758561, 1.680398, -0.373741, 0.758561},
		"fragments": [][]int{{0, 1, 2}, {3, 4, 5}},
	}
	for i, g := range mol["geometry"].([]float64) {
		mol["geometry"].([]float64)[i] = g / 0.52917721067
	}
	atomic := map[string]any{"program": "embedded", "driver": driver, "model": map[string]any{"method": "hf", "basis": "sto-3g"},
		"keywords": map[string]any{"e_convergence": 1e-10, "d_convergence": 1e-10}}
	keywords := map[string]any{"bsse_type": []string{"ssfc", "none", "cp"}}
	var doc map[string]any
	if version == 1 {
		doc = map[string]any{"schema_name": "qcschema_manybodyinput", "schema_version": 1, "molecule": mol,
			"specification": map[string]any{"driver": driver, "keywords": keywords, "specification": atomic,
				"protocols": map[string]any{"component_results": "all"}}}
	} else {
		doc = map[string]any{"schema_name": "qcschema_many_body_input", "schema_version": 2, "id": "dimer-" + driver, "molecule": mol,
			"specification": map[string]any{"driver": driver, "keywords": keywords, "specification": atomic,
				"protocols": map[string]any{"cluster_results": "all"}}}
	}
	path := filepath.Join(t.TempDir(), fmt.Sprintf("v%d_%s.json", version, driver))
	require.NoError(t, os.WriteFile(path, mustJSON(t, doc), 0o644))
	return path
}

// TestResultsFitQCManyBodyModels runs and analyzes energies, gradients and Hessians in
// QCSchema v1 and v2 and checks every result against QCManyBody's ManyBodyResult models,
// field by field (package qcmodels): the results of run, and those of analyze from a
// component list (store export), from the component_properties of a result and from a
// directory of AtomicResults.
func TestResultsFitQCManyBodyModels(t *testing.T) {
	for _, version := range []int{1, 2} {
		for _, driver := range []string{"energy", "gradient", "hessian"} {
			t.Run(fmt.Sprintf("v%d/%s", version, driver), func(t *testing.T) {
				if driver == "hessian" && testing.Short() {
					t.Skip("Hessians take a while; -short")
				}
				model := qcmodels.ManyBodyResultV1()
				if version == 2 {
					model = qcmodels.ManyBodyResultV2()
				}
				input := interopInput(t, version, driver)
				dir := t.TempDir()
				db := filepath.Join(dir, "results.db")
				out := filepath.Join(dir, "result.json")
				_, err := execute(t, "run", input, "--store", db, "-o", out, "--executor", "serial")
				require.NoError(t, err)
				ran, err := os.ReadFile(out)
				require.NoError(t, err)
				require.NoError(t, qcmodels.Check(model, ran), "qcmb run")

				var res map[string]any
				require.NoError(t, json.Unmarshal(ran, &res))
				results, props := "component_results", "component_properties"
				if version == 2 {
					results, props = "cluster_results", "cluster_properties"
				}
				require.Len(t, res[results], 5)

				// The same fragment results in each form analyze reads.
				list := filepath.Join(dir, "components.json")
				_, err = execute(t, "store", "export", input, "--store", db, "-o", list)
				require.NoError(t, err)
				dict := filepath.Join(dir, "properties.json")
				require.NoError(t, os.WriteFile(dict, mustJSON(t, res[props]), 0o644))
				atomic := filepath.Join(dir, "atomic")
				require.NoError(t, os.Mkdir(atomic, 0o755))
				k := 0
				for _, r := range res[results].(map[string]any) {
					if version == 2 {
						continue // cluster_results are v2 AtomicResults, which analyze does not read
					}
					require.NoError(t, os.WriteFile(filepath.Join(atomic, fmt.Sprintf("%d.json", k)), mustJSON(t, r), 0o644))
					k++
				}
				sources := []string{list, dict}
				if version == 1 {
					sources = append(sources, atomic)
				}
				for _, src := range sources {
					analyzed, err := execute(t, "analyze", input, src)
					require.NoError(t, err, src)
					require.NoError(t, qcmodels.Check(model, []byte(analyzed)), "qcmb analyze %s", filepath.Base(src))
				}
			})
		}
	}
}

// TestResultsEchoInputAsQCManyBody: input_data is the input as QCManyBody's models store
// it: the BSSE treatments canonical and de-duplicated (["cp"] when none is given), the
// molecule with its schema name and version, and the id passed through (v2: on the result
// and in input_data; v1, whose ManyBodyInput has no id: on the result).
func TestResultsEchoInputAsQCManyBody(t *testing.T) {
	type echo struct {
		ID        string `json:"id"`
		InputData struct {
			ID            *string `json:"id"`
			Specification struct {
				Keywords struct {
					BsseType []string `json:"bsse_type"`
				} `json:"keywords"`
			} `json:"specification"`
			Molecule struct {
				SchemaName    string `json:"schema_name"`
				SchemaVersion int    `json:"schema_version"`
			} `json:"molecule"`
		} `json:"input_data"`
	}
	for _, c := range []struct {
		version int
		bsse    any // nil: not given
		want    []string
	}{
		{1, []string{"ssfc", "none", "CP"}, []string{"cp", "nocp"}},
		{1, nil, []string{"cp"}},
		{2, []string{"mbe", "vmfc", "nocp"}, []string{"nocp", "vmfc"}},
		{2, nil, []string{"cp"}},
	} {
		t.Run(fmt.Sprintf("v%d/%v", c.version, c.bsse), func(t *testing.T) {
			path := interopInput(t, c.version, "energy")
			var doc map[string]any
			require.NoError(t, readJSON(newRootCmd(), path, &doc))
			kw := doc["specification"].(map[string]any)["keywords"].(map[string]any)
			delete(kw, "bsse_type")
			if c.bsse != nil {
				kw["bsse_type"] = c.bsse
			}
			if c.version == 1 {
				doc["id"] = "dimer-v1" // a qcmb extension of the v1 input
			}
			require.NoError(t, os.WriteFile(path, mustJSON(t, doc), 0o644))
			dir := t.TempDir()
			db, out := filepath.Join(dir, "results.db"), filepath.Join(dir, "result.json")
			_, err := execute(t, "run", path, "--store", db, "-o", out, "--executor", "serial")
			require.NoError(t, err)
			ran, err := os.ReadFile(out)
			require.NoError(t, err)
			list := filepath.Join(dir, "components.json")
			_, err = execute(t, "store", "export", path, "--store", db, "-o", list)
			require.NoError(t, err)
			analyzed, err := execute(t, "analyze", path, list)
			require.NoError(t, err)
			for what, data := range map[string][]byte{"run": ran, "analyze": []byte(analyzed)} {
				var e echo
				require.NoError(t, json.Unmarshal(data, &e), what)
				require.Equal(t, c.want, e.InputData.Specification.Keywords.BsseType, what)
				require.Equal(t, "qcschema_molecule", e.InputData.Molecule.SchemaName, what)
				if c.version == 1 {
					require.Equal(t, 2, e.InputData.Molecule.SchemaVersion, what)
					require.Equal(t, "dimer-v1", e.ID, what)
					require.Nil(t, e.InputData.ID, what)
				} else {
					require.Equal(t, 3, e.InputData.Molecule.SchemaVersion, what)
					require.Equal(t, "dimer-energy", e.ID, what)
					require.NotNil(t, e.InputData.ID, what)
					require.Equal(t, "dimer-energy", *e.InputData.ID, what)
				}
			}
		})
	}
}
