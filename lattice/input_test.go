package lattice

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// test_01_input_parser.py: keywords, comments after values, even cell counts made odd.
func TestParseCLE(t *testing.T) {
	path := filepath.Join(crystalatteDir, "data/cle/input_parser.cle")
	in, err := ReadInput(path)
	require.NoError(t, err)
	want := DefaultInput()
	want.CIF, want.XYZ = "crystalatte/data/cif/Ammonia.cif", "crystalatte/data/Ammonia.xyz"
	want.CellsA, want.CellsB, want.CellsC = 3, 3, 3 // cif_a = 2 is made odd
	want.BFSThreshold, want.NmersUpTo = 1.2, 2
	want.RCutCOM, want.RCutMonomer, want.RCutDimer = 6.5, 3.5, 2.6
	want.RCutTrimer, want.RCutTetramer, want.RCutPentamer = 3.7, 3.7, 6.1
	want.Verbose, want.RunType, want.UniqFilter = 2, []string{"test"}, "ChSEV"
	want.BSSE, want.Memory, want.Method = "nocp", "500 MB", "HF/STO-3G"
	want.Dir = filepath.Dir(path)
	assert.Equal(t, want, *in)
	assert.Equal(t, filepath.Join(want.Dir, "crystalatte/data/cif/Ammonia.cif"), in.Path(in.CIF), "relative to the input file")
	assert.True(t, in.TestOnly())
}

// test_79_no_xyz.py: cif_input alone is a whole input; defaults are input_parser's.
func TestParseCLEDefaults(t *testing.T) {
	in, err := ReadInput(filepath.Join(crystalatteDir, "data/cle/no_xyz.cle"))
	require.NoError(t, err)
	assert.Equal(t, "crystalatte/data/cif/Ammonia.cif", in.CIF)
	assert.Empty(t, in.XYZ, "no supercell file unless cif_output is given")
	assert.Equal(t, 90.0, in.RCutCOM)
	assert.Zero(t, in.RCutMonomer)
	assert.Equal(t, 2, in.NmersUpTo)
	assert.Equal(t, "cp", in.BSSE)
	assert.Equal(t, []string{"test"}, in.RunType)
}

// test_67 ... test_77, and qcmb's own: each bad file is one line naming the file, the line
// and the keyword.
func TestParseCLEErrors(t *testing.T) {
	dir := filepath.Join(crystalatteDir, "data/cle")
	for _, tc := range []struct{ file, want string }{
		{"key_value.cle", `key_value.cle:1: "data_stdin": want keyword = value`},
		{"int_keywords.cle", `int_keywords.cle:11: nmers_up_to: "X" is not an integer`},
		{"float_keywords.cle", `float_keywords.cle:12: r_cut_com: "X" is not a finite number`},
		{"cif_abc.cle", `cif_abc.cle:8: cif_a: "X" is not an integer`},
		{"no_cif.cle", `no_cif.cle: cif_input: no CIF file given`},
		{"cif_ext.cle", `cif_ext.cle: cif_input: "crystalatte/data/Ammonia.cle": want a file name ending in .cif`},
	} {
		_, err := ReadInput(filepath.Join(dir, tc.file))
		require.Error(t, err, tc.file)
		assert.Contains(t, err.Error(), tc.want)
		assert.NotContains(t, err.Error(), "\n")
	}
	for _, tc := range []struct{ text, want string }{
		{"cif_input = a.cif\nr_cut_dimmer = 3\n", `in.cle:2: unknown keyword "r_cut_dimmer" (did you mean "r_cut_dimer"?)`},
		{"cif_input = a.cif\ncif_input = b.cif\n", `in.cle:2: cif_input: given twice (also line 1)`},
		{"cif_input = a.cif\nnmers_up_to = 6\n", `in.cle: nmers_up_to: 6: want 2 (dimers) to 5 (pentamers)`},
		{"cif_input = a.cif\npsi4_bsse = cpp\n", `psi4_bsse: "cpp": want cp, nocp or vmfc`},
		{"cif_input = a.cif\npsi4_method = HF\n", `psi4_method: "HF": want METHOD/BASIS`},
		{"cif_input = a.cif\npsi4_method = sapt0/jun-cc-pvdz\n", `SAPT is not a many-body expansion method`},
		{"cif_input = a.cif\npsi4_method = MP2/aug-cc-pV[TQ]Z\n", `extrapolations`},
		{"cif_input = a.cif\nuniq_filter = rmsd\n", `uniq_filter: "rmsd": want ChSEV or Dreamaligner`},
		{"cif_input = a.cif\nr_cut_dimer = -1\n", `r_cut_dimer: -1: want a number >= 0`},
		{"cif_input = a.cif\ncif_b = -3\n", `cif_b: -3: want a number of cells >= 0`},
		{"cif_input = a.cif\ncif_output = a.cif\n", `cif_output: "a.cif": want a file name ending in .xyz`},
	} {
		_, err := ParseCLE(strings.NewReader(tc.text), "in.cle")
		require.Error(t, err, tc.text)
		assert.Contains(t, err.Error(), tc.want)
	}
}

// Every .cle file of CrystaLattE's Tests parses, except Triazine.cle, whose cle_run_type
// line is garbled in CrystaLattE's repository (CrystaLattE reads it as a run type
// "psi4api4api4api4api" and silently drops the method), and Ice.cle, which asks for a
// composite (extrapolated) method.
func TestEveryShippedCLE(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(crystalatteDir, "Tests/*/*.cle"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		in, err := ReadInput(f)
		switch filepath.Base(f) {
		case "Triazine.cle":
			require.Error(t, err)
			assert.Contains(t, err.Error(), "Triazine.cle:18: \"cle_run_type    = psi4api4api4api4api     = HF/STO-3G\": one = per line")
			continue
		case "Ice.cle":
			require.Error(t, err)
			assert.Contains(t, err.Error(), "Ice.cle: psi4_method: \"MP2/aug-cc-pV[TQ]Z + D:FNO-CCDS(T)/aug-cc-pVDZ\": basis-set extrapolations and composite methods are not supported")
			continue
		}
		require.NoError(t, err, f)
		if strings.Contains(f, "Analysis") {
			assert.Equal(t, []string{"psiapi"}, in.RunType)
			require.Len(t, in.Warnings(), 1)
			assert.Contains(t, in.Warnings()[0], `did you mean "psi4api"?`)
		}
	}
}

// The JSON form takes the same keywords, typed, plus program and keywords.
func TestParseJSON(t *testing.T) {
	cle := "cif_input = Ammonia.cif\ncif_a = 3\nnmers_up_to = 3\nr_cut_trimer = 3.7\ncle_run_type = psi4api + quiet\npsi4_bsse = NOCP\n"
	a, err := ParseCLE(strings.NewReader(cle), "dir/in.cle")
	require.NoError(t, err)
	b, err := ParseJSON([]byte(`{"cif_input": "Ammonia.cif", "cif_a": 3, "nmers_up_to": 3, "r_cut_trimer": 3.7,
		"cle_run_type": ["psi4api", "quiet"], "psi4_bsse": "NOCP"}`), "dir/in.json")
	require.NoError(t, err)
	assert.Equal(t, a, b)
	assert.Equal(t, "nocp", b.BSSE)

	c, err := ParseJSON([]byte(`{"cif_input": "x.cif", "cle_run_type": "psi4api+quiet", "program": "psi4", "keywords": {"scf_type": "pk"}}`), "in.json")
	require.NoError(t, err)
	assert.Equal(t, []string{"psi4api", "quiet"}, c.RunType)
	assert.Equal(t, "psi4", c.Program)
	assert.Equal(t, map[string]any{"scf_type": "pk"}, c.Keywords)
	assert.Equal(t, CellCrystaLattE, a.CellUncertainty, "CrystaLattE's reading of 11.938(1) by default")

	d, err := ParseJSON([]byte(`{"cif_input": "x.cif", "cell_uncertainty": "CIF"}`), "in.json")
	require.NoError(t, err)
	require.NoError(t, d.Validate())
	assert.Equal(t, CellCIF, d.CellUncertainty)
	d.CellUncertainty = "exact"
	assert.ErrorContains(t, d.Validate(), `cell_uncertainty: "exact": want "crystalatte" or "cif"`)
	_, err = ParseCLE(strings.NewReader("cif_input = x.cif\ncell_uncertainty = cif\n"), "in.cle")
	assert.ErrorContains(t, err, `unknown keyword "cell_uncertainty"`, "a qcmb key, not one of CrystaLattE's keywords")

	for _, tc := range []struct{ doc, want string }{
		{`{"cif_input": "x.cif", "nmers_upto": 3}`, `unknown keyword "nmers_upto" (did you mean "nmers_up_to"?)`},
		{`{"cif_input": "x.cif", "nmers_up_to": "3"}`, `nmers_up_to: want a number`},
		{`{"cif_input": "x.cif", "nmers_up_to": 3.5}`, `nmers_up_to: "3.5" is not an integer`},
		{`{"cif_input": 1}`, `cif_input: want a string`},
		{`{"cif_input": "x.cif", "keywords": [1]}`, `keywords: want an object`},
		{`[1]`, `not a JSON object`},
		{`{"cif_input": "x.cif"} {}`, `in.json:1:24: invalid character '{' after top-level value`},
		{"{\"cif_input\": \"x.cif\",\n \"nmers_up_to\": 3,}", `in.json:2:19: invalid character '}' looking for beginning of object key string`},
	} {
		_, err := ParseJSON([]byte(tc.doc), "in.json")
		require.Error(t, err, tc.doc)
		assert.Contains(t, err.Error(), tc.want, tc.doc)
	}
}

func TestReadInputMissingFile(t *testing.T) {
	_, err := ReadInput(filepath.Join(t.TempDir(), "none.cle"))
	require.ErrorIs(t, err, os.ErrNotExist)
}
