package qcschema

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const waterXYZ = `3
water molecule
O   0.000000   0.000000  -0.068516
h   0.000000  -0.790689   0.543701
H   0.000000   0.790689   0.543701
`

// assertParseError checks the error of reading in: a *ValidationError on field when field
// is given, else a *ParseError at line.
func assertParseError(t *testing.T, err error, in, field string, line int) {
	t.Helper()
	if field != "" {
		var ve *ValidationError
		if assert.ErrorAs(t, err, &ve, "%q", in) {
			assert.Equal(t, field, ve.Field, "%q: %v", in, err)
		}
		return
	}
	var pe *ParseError
	if assert.ErrorAs(t, err, &pe, "%q", in) {
		assert.Equal(t, line, pe.Line, "%q: %v", in, err)
	}
}

func TestParseXYZ(t *testing.T) {
	m, err := ParseXYZ(strings.NewReader(waterXYZ))
	require.NoError(t, err)
	assert.Equal(t, "water molecule", m.Name)
	assert.Equal(t, "water molecule", m.Comment)
	assert.Equal(t, []string{"O", "H", "H"}, m.Symbols)
	assert.Equal(t, []int{8, 1, 1}, m.AtomicNumbers)
	// 0.543701 Å / 0.52917721067 Å/bohr
	assert.InDelta(t, 0.543701/0.52917721067, m.Geometry[5], 1e-15, "z(H1)")
	assert.Equal(t, 1.0, m.MolecularMultiplicity)
	assert.Len(t, m.Fragments, 1)
	// bohr units, charge/multiplicity comment, atomic numbers, extra columns
	m, err = ParseXYZ(strings.NewReader("2 bohr\n1 3\n8 0 0 0 extra\nH 0 0 1.8\n\n"))
	require.NoError(t, err)
	assert.Equal(t, 1.0, m.MolecularCharge, "OH+")
	assert.Equal(t, 3.0, m.MolecularMultiplicity, "OH+")
	assert.Equal(t, 1.8, m.Geometry[5], "OH+")
	assert.Equal(t, "HO", m.Name, "OH+")
}

func TestParseXYZBad(t *testing.T) {
	cases := []struct {
		in    string
		line  int
		field string // ValidationError field instead of a ParseError
	}{
		{"", 1, ""},
		{"x\n\n", 1, ""},
		{"0\n\n", 1, ""},
		{"2 furlongs\n\nH 0 0 0\nH 0 0 1\n", 1, ""},
		{"2\n\nH 0 0 0\n", 4, ""},
		{"1\n\nH 0 0\n", 3, ""},
		{"1\n\nH 0 zero 0\n", 3, ""},
		{"1\n\nQq 0 0 0\n", 3, ""},
		{"1\n\nH 0 0 0\nH 0 0 1\n", 4, ""},
		{"1\n0 1\nH 0 0 0\n", 0, "molecular_multiplicity"},
		{"1\n\nH NaN 0 0\n", 0, "geometry"},
	}
	for _, tc := range cases {
		_, err := ParseXYZ(strings.NewReader(tc.in))
		assertParseError(t, err, tc.in, tc.field, tc.line)
	}
}

func TestParsePsi4(t *testing.T) {
	cases := []struct {
		name  string
		in    string
		check func(t *testing.T, m *Molecule)
	}{
		{"dimer with leading molecular chgmult", `
0 1
--
0 1
O  -1.551007  -0.114520   0.000000
H  -1.934259   0.762503   0.000000
H  -0.599677   0.040712   0.000000
--
0 1
O   1.350625   0.111469   0.000000
H   1.680398  -0.373741  -0.758561
H   1.680398  -0.373741   0.758561
units angstrom
no_com
no_reorient
symmetry c1
`, func(t *testing.T, m *Molecule) {
			if assert.Len(t, m.Fragments, 2) {
				assert.Equal(t, []int{3, 4, 5}, m.Fragments[1])
			}
			assert.True(t, m.FixCom, "no_com")
			assert.True(t, m.FixOrientation, "no_reorient")
			assert.Equal(t, "c1", m.FixSymmetry)
			assert.InDelta(t, -1.551007/0.52917721067, m.Geometry[0], 1e-14, "geometry %v", m.Geometry[:3])
			assert.Equal(t, "H4O2", m.Name)
		}},
		{"ghosts, bohr, comments, labels", `
# a comment line
He1 0 0 0   # trailing comment
--
@He 0 0 5.6
--
Gh(he) 0 0 11.2
units bohr
`, func(t *testing.T, m *Molecule) {
			assert.Equal(t, []bool{true, false, false}, m.Real)
			assert.Equal(t, 5.6, m.Geometry[5], "geometry %v", m.Geometry)
			assert.Equal(t, []string{"1", "", ""}, m.AtomLabels)
			assert.Equal(t, []float64{1, 1, 1}, m.FragmentMultiplicities)
		}},
		{"fragment charges completed", `
1 1
Na 0 0 0
--
-1 1
Cl 0 0 2.5
--
O 0 0 5
H 0 0.8 5.6
units a.u.
`, func(t *testing.T, m *Molecule) {
			assert.Equal(t, []float64{1, -1, 0}, m.FragmentCharges)
			assert.Zero(t, m.MolecularCharge)
			assert.Equal(t, []float64{1, 1, 2}, m.FragmentMultiplicities)
			assert.Equal(t, 2.0, m.MolecularMultiplicity)
		}},
		{"molecular charge on first able fragment", `
-1 1
--
Ne 0 0 0
--
F 0 0 3
units au
`, func(t *testing.T, m *Molecule) {
			// Ne- would be a doublet, not a singlet; so F takes the electron
			assert.Equal(t, []float64{0, -1}, m.FragmentCharges)
		}},
		{"deuterium and mass override", "D 0 0 0\nH@2.014 0 0 1.4\nunits bohr", func(t *testing.T, m *Molecule) {
			assert.Equal(t, []float64{2.01410177812, 2.014}, m.Masses)
			assert.Equal(t, []int{2, -1}, m.MassNumbers)
			assert.Equal(t, []string{"H", "H"}, m.Symbols)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParsePsi4(tc.in)
			require.NoError(t, err)
			require.NoError(t, m.Validate(), "parsed molecule does not validate")
			tc.check(t, m)
		})
	}
}

func TestParsePsi4Bad(t *testing.T) {
	cases := []struct {
		in    string
		line  int    // ParseError line
		field string // or ValidationError field
	}{
		{"", 1, ""},
		{"He 0 0 0\nunits furlong", 2, ""},
		{"He 0 0 0\n0 1", 2, ""},
		{"0 1\n0 1\nHe 0 0 0", 2, ""},
		{"He 0 0 zero", 1, ""},
		{"Qq 0 0 0", 1, ""},
		{"He 1 0 2 3", 1, ""},
		{"O\nH 1 0.96", 1, ""},
		{"He 0 0 0\n--\n--\nHe 0 0 3", 2, ""},
		{"pubchem:benzene", 1, ""},
		{"0 2\nHe 0 0 0", 0, "fragment_multiplicities"},
		{"0 1\n--\nH 0 0 0\n--\nHe 0 0 2", 0, "molecular_multiplicity"},
		{"4 1\n--\nHe 0 0 0\n--\nHe 0 0 2", 0, "fragment_charges"},
		{"3 1\n--\nHe 0 0 0\n--\nHe 0 0 2", 0, "molecular_multiplicity"},
	}
	for _, tc := range cases {
		_, err := ParsePsi4(tc.in)
		assertParseError(t, err, tc.in, tc.field, tc.line)
	}
}

func ExampleParsePsi4() {
	m, err := ParsePsi4(`
0 1
O  -1.551007  -0.114520   0.000000
H  -1.934259   0.762503   0.000000
H  -0.599677   0.040712   0.000000
--
-1 1
O   1.350625   0.111469   0.000000
H   1.680398  -0.373741  -0.758561
units angstrom
`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Name, m.Symbols, m.Fragments)
	fmt.Println("charge", m.MolecularCharge, "multiplicity", m.MolecularMultiplicity)
	fmt.Println("fragments", m.FragmentCharges, m.FragmentMultiplicities)
	fmt.Printf("first atom (bohr): %.6f %.6f %.6f\n", m.Geometry[0], m.Geometry[1], m.Geometry[2])
	// Output:
	// H3O2 [O H H O H] [[0 1 2] [3 4]]
	// charge -1 multiplicity 1
	// fragments [0 -1] [1 1]
	// first atom (bohr): -2.930978 -0.216411 0.000000
}

func ExampleMolecule_Validate() {
	m := &Molecule{
		Symbols:   []string{"O", "H", "H", "O", "H", "H"},
		Geometry:  make([]float64, 18),
		Fragments: [][]int{{0, 1, 2}, {2, 3, 4, 5}},
	}
	err := m.Validate()
	var ve *ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Field, ve.Index)
	}
	fmt.Println(err)
	// Output:
	// fragments 1
	// qcschema: invalid fragments[1]: atom 2 already in fragment 0
}
