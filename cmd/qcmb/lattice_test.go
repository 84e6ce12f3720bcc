package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/executor/store"
	"github.com/qcmb-go/qcmb/executor/store/sqlite"
	"github.com/qcmb-go/qcmb/lattice"
)

// ammoniaCLE writes CrystaLattE's ammonia input (test_91's cutoffs, through order n) next
// to a copy of its CIF and returns the .cle path.
func ammoniaCLE(t *testing.T, n int, bsse, runType string) string {
	t.Helper()
	dir := t.TempDir()
	cif, err := os.ReadFile("../../testdata/crystalatte/data/cif/Ammonia.cif")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Ammonia.cif"), cif, 0o644))
	cle := "# CrystaLattE input\n\ncif_input = Ammonia.cif\ncif_output = Ammonia.xyz\n" +
		"cif_a = 3\ncif_b = 3\ncif_c = 3\nnmers_up_to = " + string(rune('0'+n)) + "\n" +
		"r_cut_com = 6.5\nr_cut_monomer = 3.5\nr_cut_dimer = 2.6\nr_cut_trimer = 3.7\n" +
		"r_cut_tetramer = 3.7\nr_cut_pentamer = 6.1   # Angstrom\n" +
		"cle_run_type = " + runType + "\npsi4_method = HF/STO-3G\npsi4_bsse = " + bsse + "\npsi4_memory = 500 MB\nverbose = 2\n"
	path := filepath.Join(dir, "ammonia.cle")
	require.NoError(t, os.WriteFile(path, []byte(cle), 0o644))
	return path
}

type latticeDoc struct {
	LatticeEnergy *struct {
		Hartree    float64 `json:"hartree"`
		KJPerMol   float64 `json:"kj_per_mol"`
		KcalPerMol float64 `json:"kcal_per_mol"`
	} `json:"lattice_energy"`
	Nmers []struct {
		Name         string   `json:"name"`
		N            int      `json:"n"`
		Replicas     int      `json:"replicas"`
		NRE          float64  `json:"nuclear_repulsion_energy"`
		NonAdditive  *float64 `json:"nonadditive_energy"`
		Contribution *float64 `json:"contribution"`
	} `json:"nmers"`
	FragmentCalculations int `json:"fragment_calculations"`
}

// qcmb lattice computes CrystaLattE's ammonia lattice energy (cp, through trimers, as
// CrystaLattE computes it with Psi4 to 1e-7 hartree), the same bit for bit with the pool
// and the subprocess executors, writes the supercell CrystaLattE writes, and prints its
// table.
func TestLatticeCommand(t *testing.T) {
	cle := ammoniaCLE(t, 3, "cp", "psi4api + quiet")
	var docs []string
	for _, executor := range []string{"pool", "subprocess"} {
		out, err := execute(t, "lattice", cle, "--json", "--executor", executor, "--workers", "2", "--no-store")
		require.NoError(t, err, executor)
		docs = append(docs, out)
	}
	assert.Equal(t, docs[0], docs[1], "pool and subprocess results differ")
	var doc latticeDoc
	require.NoError(t, json.Unmarshal([]byte(docs[0]), &doc))
	require.NotNil(t, doc.LatticeEnergy)
	// CrystaLattE with Psi4 (scf_type pk): testdata/crystalatte/reference/energies.json.
	assert.InDelta(t, 0.001264340103503514, doc.LatticeEnergy.Hartree, 1e-7)
	assert.InDelta(t, doc.LatticeEnergy.Hartree*2625.4996394799, doc.LatticeEnergy.KJPerMol, 1e-12)
	assert.InDelta(t, doc.LatticeEnergy.Hartree*627.5094740631, doc.LatticeEnergy.KcalPerMol, 1e-12)
	require.Len(t, doc.Nmers, 3)
	assert.Equal(t, "2mer-0+1", doc.Nmers[0].Name)
	assert.Equal(t, 6, doc.Nmers[0].Replicas)
	assert.InDelta(t, 0.0004290195008849196, *doc.Nmers[0].NonAdditive, 1e-7)
	assert.InDelta(t, 38.181027098543616, doc.Nmers[0].NRE, 1e-7)
	assert.Equal(t, 13, doc.FragmentCalculations)

	xyz, err := os.ReadFile(filepath.Join(filepath.Dir(cle), "Ammonia.xyz"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(xyz), "432\nCrystal created from CIF file. Box size:"), "the supercell, as cif_output asks")

	out, err := execute(t, "lattice", cle, "--no-store", "--executor", "serial")
	require.NoError(t, err)
	assert.Contains(t, out, "2mer-0+1                   |   1.1263")
	assert.Contains(t, out, "Crystal Lattice Energy (kJ/mol)   = 3.3195")
	assert.Contains(t, out, "Crystal Lattice Energy (kcal/mol) = 0.7933")
	out, err = execute(t, "lattice", cle, "--no-store", "--kcal")
	require.NoError(t, err)
	assert.Contains(t, out, "(kcal/mol) |  (#) |   (kcal/mol) |    (kcal/mol)")
}

// Test mode enumerates only: the JSON document has no energies, and nothing runs.
func TestLatticeTestMode(t *testing.T) {
	cle := ammoniaCLE(t, 5, "nocp", "test")
	out := filepath.Join(t.TempDir(), "out.json")
	_, err := execute(t, "lattice", cle, "--json", "-o", out)
	require.NoError(t, err)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	var doc latticeDoc
	require.NoError(t, json.Unmarshal(data, &doc))
	assert.Nil(t, doc.LatticeEnergy)
	require.Len(t, doc.Nmers, 5)
	for _, n := range doc.Nmers {
		assert.Nil(t, n.NonAdditive)
	}
	assert.Equal(t, 19, doc.FragmentCalculations)
	assert.Contains(t, string(data), `"nonadditive_energy": null`)
}

// Bad input files stop the command before any work with one line naming the file, the
// line and the keyword.
func TestLatticeErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, text, want string }{
		{"typo.cle", "cif_input = x.cif\nr_cut_dimmer = 2\n", `typo.cle:2: unknown keyword "r_cut_dimmer" (did you mean "r_cut_dimer"?)`},
		{"nocif.cle", "nmers_up_to = 2\n", "nocif.cle: cif_input: no CIF file given"},
		{"missing.cle", "cif_input = missing.cif\n", "missing.cif: no such file or directory"},
		{"badcif.cle", "cif_input = bad.cif\n", "bad.cif:3: _cell_length_b: \"5,1\" is not a number"},
		{"in.json", `{"cif_input": "x.cif", "r_cut_com": "far"}`, "in.json: r_cut_com: want a number"},
	} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.cif"), []byte("data_x\n_cell_length_a 5\n_cell_length_b 5,1\n"), 0o644))
		path := filepath.Join(dir, tc.name)
		require.NoError(t, os.WriteFile(path, []byte(tc.text), 0o644))
		_, err := execute(t, "lattice", path, "--no-store")
		require.Error(t, err, tc.name)
		assert.Contains(t, err.Error(), tc.want, tc.name)
		assert.NotContains(t, err.Error(), "\n", tc.name)
	}
}

// A lattice run killed with SIGKILL part way resumes from its store: the rerun computes only
// the calculations that had not finished and gives the result of an uninterrupted run.
func TestLatticeResumeAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the ammonia pentamers three times")
	}
	cle := ammoniaCLE(t, 5, "nocp", "psi4api")
	clean, err := execute(t, "lattice", cle, "--json", "--no-store", "--executor", "serial")
	require.NoError(t, err)

	// The keys the store will hold the distinct calculations under.
	in, err := lattice.ReadInput(cle)
	require.NoError(t, err)
	cr, err := lattice.Load(in)
	require.NoError(t, err)
	plan, err := lattice.NewPlan(context.Background(), cr, "")
	require.NoError(t, err)
	keyer := store.NewKeyer(nil)
	keys := make([]store.Key, len(plan.Tasks))
	for i, task := range plan.Tasks {
		keys[i], _, err = keyer.Key(context.Background(), task)
		require.NoError(t, err)
	}

	dbPath := filepath.Join(t.TempDir(), "results.db")
	self, err := os.Executable()
	require.NoError(t, err)
	child := exec.Command(self, "lattice", cle, "--executor", "serial", "--store", dbPath)
	child.Env = append(os.Environ(), asMainEnv+"=1")
	require.NoError(t, child.Start())
	done := make(chan error, 1)
	go func() { done <- child.Wait() }()
	stored := 0
	deadline := time.Now().Add(60 * time.Second)
	for stored < 3 {
		require.True(t, time.Now().Before(deadline), "no results stored")
		time.Sleep(20 * time.Millisecond)
		if _, err := os.Stat(dbPath); err != nil {
			continue
		}
		db, err := sqlite.Open(context.Background(), dbPath)
		if err != nil {
			continue
		}
		got, err := db.GetMany(context.Background(), keys)
		db.Close()
		if err == nil {
			stored = len(got)
		}
	}
	require.NoError(t, child.Process.Kill())
	<-done

	statsPath := filepath.Join(t.TempDir(), "stats.json")
	resumed, err := execute(t, "lattice", cle, "--json", "--store", dbPath, "--stats-json", statsPath)
	require.NoError(t, err)
	assert.Equal(t, clean, resumed)
	data, err := os.ReadFile(statsPath)
	require.NoError(t, err)
	var st struct {
		Reused   int `json:"tasks_reused"`
		Computed int `json:"tasks_computed"`
	}
	require.NoError(t, json.Unmarshal(data, &st))
	assert.GreaterOrEqual(t, st.Reused, stored, "what finished before the kill is not computed again")
	assert.Less(t, st.Reused, len(keys), "the kill came before the end")
	assert.Equal(t, len(keys), st.Reused+st.Computed)
}

// The Slurm executor runs a lattice energy too, with the result of the serial executor.
func TestLatticeSlurm(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Slurm job steps")
	}
	needSlurm(t)
	bin := buildQcmb(t)
	cle := ammoniaCLE(t, 3, "cp", "psi4api")
	run := func(args ...string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, append([]string{"lattice", cle, "--json", "--no-store"}, args...)...)
		cmd.Env = outsideEnv()
		out, err := cmd.Output()
		require.NoError(t, err, "qcmb lattice %v", args)
		return string(out)
	}
	serial := run("--executor", "serial")
	slurm := run("--executor", "slurm", "--workers", "2", "--mem-per-worker", "300M")
	assert.Equal(t, serial, slurm)
}
