package cif_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/lattice/cif"
)

// Every CIF file CrystaLattE ships (its Cifs/, crystalatte/data/cif/ and the ones only in
// its Tests/) parses, with a sane cell, symmetry operations that include the identity and
// atom sites inside the cell.
func TestEveryShippedCIF(t *testing.T) {
	var files []string
	for _, pat := range []string{"Cifs/*.cif", "data/cif/*.cif", "Tests/*/*.cif"} {
		f, err := filepath.Glob(filepath.Join("../../testdata/crystalatte", pat))
		require.NoError(t, err)
		files = append(files, f...)
	}
	require.Len(t, files, 31)
	for _, f := range files {
		s, err := cif.ReadFile(f)
		require.NoError(t, err, f)
		c := s.Cell
		for _, v := range []float64{c.A, c.B, c.C} {
			assert.True(t, v > 3 && v < 20, "%s: cell length %v", f, v)
		}
		for _, v := range []float64{c.Alpha, c.Beta, c.Gamma} {
			assert.True(t, v >= 60 && v <= 130, "%s: cell angle %v", f, v)
		}
		require.NotEmpty(t, s.SymOps, f)
		identity := false
		for _, op := range s.SymOps {
			x, y, z := op.Apply(0.1, 0.2, 0.3)
			identity = identity || (x == 0.1 && y == 0.2 && z == 0.3)
		}
		assert.True(t, identity, "%s: no identity operation", f)
		require.NotEmpty(t, s.Sites, f)
		for _, site := range s.Sites {
			for _, v := range site.Fract {
				assert.True(t, v > -1 && v < 2, "%s: site %s at %v", f, site.Label, site.Fract)
			}
		}
	}
}

// Values with standard uncertainties, quoted and text-field values, comments, loops and a
// second data block (ignored, as CrystaLattE reads the first).
func TestParse(t *testing.T) {
	src := `# a comment
data_test
_cell_length_a 5.1305(3)
_cell_length_b   '6.0'
_cell_length_c 7.25e0 # trailing comment
_cell_angle_alpha 90
_cell_angle_beta 101.37(5)
_cell_angle_gamma 90.0
_chemical_name_common
;
 some text; with 'quotes' and # no comment
;
loop_
_space_group_symop_operation_xyz
'x, y, z'
"-x, 1/2+y, 1/2-z"
loop_
_atom_site_label
_atom_site_type_symbol
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
C1 C 0.1234(5) -0.5 .75
O1' O 1 0 0
data_second
_cell_length_a x
`
	s, err := cif.Parse([]byte(src))
	require.NoError(t, err)
	assert.Equal(t, "test", s.Block)
	assert.Equal(t, cif.Cell{A: 5.1305, B: 6, C: 7.25, Alpha: 90, Beta: 101.37, Gamma: 90,
		Text: [6]string{"5.1305(3)", "6.0", "7.25e0", "90", "101.37(5)", "90.0"}}, s.Cell)
	require.Len(t, s.SymOps, 2)
	assert.Equal(t, "-x, 1/2+y, 1/2-z", s.SymOps[1].Text)
	x, y, z := s.SymOps[1].Apply(0.25, 0.25, 0.25)
	assert.Equal(t, [3]float64{-0.25, 0.75, 0.25}, [3]float64{x, y, z})
	require.Len(t, s.Sites, 2)
	assert.Equal(t, cif.Site{Label: "C1", Type: "C", Fract: [3]float64{0.1234, -0.5, 0.75}, Line: 23}, s.Sites[0])
	assert.Equal(t, "O1'", s.Sites[1].Label)
}

// Malformed files give one line that names the line of the file.
func TestErrors(t *testing.T) {
	head := "data_t\n_cell_length_a 5\n_cell_length_b 5\n_cell_length_c 5\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n"
	ops := "loop_\n_symmetry_equiv_pos_as_xyz\nx,y,z\n"
	sites := "loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nC1 0 0 0\n"
	for _, tc := range []struct{ name, src, want string }{
		{"no block", "_cell_length_a 5\n", `cif: line 1: "_cell_length_a" before the first data_ block`},
		{"empty", "# nothing\n", "cif: no data_ block"},
		{"bad number", strings.Replace(head, "_cell_length_b 5", "_cell_length_b 5.1x", 1) + ops + sites, `cif: line 3: _cell_length_b: "5.1x" is not a number`},
		{"unknown value", strings.Replace(head, "_cell_length_c 5", "_cell_length_c ?", 1) + ops + sites, `cif: line 4: _cell_length_c: value is ? (unknown or not applicable), want a number`},
		{"bad uncertainty", strings.Replace(head, "_cell_length_c 5", "_cell_length_c 5(1", 1) + ops + sites, `cif: line 4: _cell_length_c: "5(1" is not a number`},
		{"missing cell", strings.Replace(head, "_cell_angle_beta 90\n", "", 1) + ops + sites, "cif: line 1: data block t has no _cell_angle_beta"},
		{"bad angle", strings.Replace(head, "_cell_angle_beta 90", "_cell_angle_beta 190", 1) + ops + sites, "cif: line 6: _cell_angle_beta: 190 is out of range"},
		{"no symmetry", head + sites, "data block t has no symmetry operations"},
		{"bad symop", head + "loop_\n_symmetry_equiv_pos_as_xyz\nx,y\n" + sites, `cif: line 10: symmetry operation "x,y": want three expressions separated by commas`},
		{"nonlinear symop", head + "loop_\n_symmetry_equiv_pos_as_xyz\n'x*y,y,z'\n" + sites, `cif: line 10: symmetry operation "x*y,y,z": "x*y": not an affine expression`},
		{"no sites", head + ops, "data block t has no atom sites"},
		{"ragged loop", head + ops + "loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nC1 0 0\n", "cif: line 16: loop_ of _atom_site_label (line 11) has 3 values, not a multiple of its 4 tags"},
		{"no fract_z", head + ops + "loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\nC1 0 0\n", "cif: line 11: the atom site loop has no _atom_site_fract_z"},
		{"bad coordinate", head + ops + strings.Replace(sites, "C1 0 0 0", "C1 0 0 zero", 1), `cif: line 16: atom site C1: fractional z: "zero" is not a number`},
		{"open quote", head + "_title 'abc\n" + ops + sites, `cif: line 8: quoted string "'abc" is not closed on its line`},
		{"open text field", head + ";\nabc\n", "cif: line 8: text field opened with ';' is never closed"},
		{"twice", head + "_cell_length_a 6\n" + ops + sites, "cif: line 8: _cell_length_a is given twice in data block t"},
		{"dangling tag", head + ops + sites + "_tail\n", "cif: line 17: _tail has no value"},
		{"save frame", head + "save_frame\n", "save frames, global_ and stop_ are not supported"},
	} {
		_, err := cif.Parse([]byte(tc.src))
		require.Error(t, err, tc.name)
		assert.Contains(t, err.Error(), tc.want, tc.name)
		assert.NotContains(t, err.Error(), "\n", tc.name)
	}
}

// ReadFile puts the file's name and line in front of the message, as compilers do.
func TestReadFileNamesLine(t *testing.T) {
	_, err := cif.ReadFile("testdata/bad.cif")
	require.Error(t, err)
	assert.Equal(t, `testdata/bad.cif:4: _cell_length_c: "5,0" is not a number`, err.Error())
}

// Symmetry operations evaluate left to right in float64, as CrystaLattE's eval does, and
// give their affine form.
func TestSymOp(t *testing.T) {
	// Runtime float64 values, as Python computes them (Go folds constant expressions
	// exactly).
	half, third, twoThirds := 0.5, 1.0/3, 2.0/3
	for _, tc := range []struct {
		op      string
		in, out [3]float64
	}{
		{"x,y,z", [3]float64{0.1, 0.2, 0.3}, [3]float64{0.1, 0.2, 0.3}},
		{"1/2-x,1/2+y,z", [3]float64{0.1, 0.2, 0.3}, [3]float64{half - 0.1, half + 0.2, 0.3}},
		{"-x+y, -x, 1/3+z", [3]float64{0.1, 0.2, 0.3}, [3]float64{-0.1 + 0.2, -0.1, third + 0.3}},
		{"X-Y,+Z,-1/2+X", [3]float64{0.1, 0.2, 0.3}, [3]float64{0.1 - 0.2, 0.3, -half + 0.1}},
		{"2/3+x,1/3+y,0.5+z", [3]float64{0.1, 0.2, 0.3}, [3]float64{twoThirds + 0.1, third + 0.2, half + 0.3}},
		{"2*x, y-x, z", [3]float64{0.1, 0.2, 0.3}, [3]float64{0.2, 0.2 - 0.1, 0.3}},
	} {
		op, err := cif.ParseSymOp(tc.op)
		require.NoError(t, err, tc.op)
		x, y, z := op.Apply(tc.in[0], tc.in[1], tc.in[2])
		assert.Equal(t, tc.out, [3]float64{x, y, z}, tc.op)
	}
	op, err := cif.ParseSymOp("-y,x-y,2/3+z")
	require.NoError(t, err)
	rot, trans := op.Affine()
	assert.Equal(t, [3][3]float64{{0, -1, 0}, {1, -1, 0}, {0, 0, 1}}, rot)
	assert.Equal(t, [3]float64{0, 0, twoThirds}, trans)
	for _, bad := range []string{"", "x,y", "x,y,", "x,y,w", "x,y,z+", "x,y,1/z", "x,y,(z)"} {
		_, err := cif.ParseSymOp(bad)
		assert.Error(t, err, bad)
	}
}
