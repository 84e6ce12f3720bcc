package qcschema

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

const waterXYZ = `3
water molecule
O   0.000000   0.000000  -0.068516
h   0.000000  -0.790689   0.543701
H   0.000000   0.790689   0.543701
`

func TestParseXYZ(t *testing.T) {
	m, err := ParseXYZ(strings.NewReader(waterXYZ))
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "water molecule" || m.Comment != "water molecule" {
		t.Errorf("name %q comment %q", m.Name, m.Comment)
	}
	if !slices.Equal(m.Symbols, []string{"O", "H", "H"}) || !slices.Equal(m.AtomicNumbers, []int{8, 1, 1}) {
		t.Errorf("symbols %v Z %v", m.Symbols, m.AtomicNumbers)
	}
	// 0.543701 Å / 0.52917721067 Å/bohr
	if got, want := m.Geometry[5], 0.543701/0.52917721067; math.Abs(got-want) > 1e-15 {
		t.Errorf("z(H1) = %.17g, want %.17g", got, want)
	}
	if m.MolecularMultiplicity != 1 || len(m.Fragments) != 1 {
		t.Errorf("mult %v fragments %v", m.MolecularMultiplicity, m.Fragments)
	}
	// bohr units, charge/multiplicity comment, atomic numbers, extra columns
	m, err = ParseXYZ(strings.NewReader("2 bohr\n1 3\n8 0 0 0 extra\nH 0 0 1.8\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	if m.MolecularCharge != 1 || m.MolecularMultiplicity != 3 || m.Geometry[5] != 1.8 || m.Name != "HO" {
		t.Errorf("OH+: %+v", m)
	}
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
		if tc.field != "" {
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != tc.field {
				t.Errorf("%q: want ValidationError on %s, got %v", tc.in, tc.field, err)
			}
			continue
		}
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Line != tc.line {
			t.Errorf("%q: want ParseError at line %d, got %v", tc.in, tc.line, err)
		}
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
			if len(m.Fragments) != 2 || !slices.Equal(m.Fragments[1], []int{3, 4, 5}) {
				t.Errorf("fragments %v", m.Fragments)
			}
			if !m.FixCom || !m.FixOrientation || m.FixSymmetry != "c1" {
				t.Errorf("fix flags %v %v %q", m.FixCom, m.FixOrientation, m.FixSymmetry)
			}
			if math.Abs(m.Geometry[0]-(-1.551007/0.52917721067)) > 1e-14 {
				t.Errorf("geometry %v", m.Geometry[:3])
			}
			if m.Name != "H4O2" {
				t.Errorf("name %q", m.Name)
			}
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
			if !slices.Equal(m.Real, []bool{true, false, false}) || m.Geometry[5] != 5.6 {
				t.Errorf("real %v geometry %v", m.Real, m.Geometry)
			}
			if !slices.Equal(m.AtomLabels, []string{"1", "", ""}) {
				t.Errorf("labels %q", m.AtomLabels)
			}
			if !slices.Equal(m.FragmentMultiplicities, []float64{1, 1, 1}) {
				t.Errorf("mults %v", m.FragmentMultiplicities)
			}
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
			if !slices.Equal(m.FragmentCharges, []float64{1, -1, 0}) || m.MolecularCharge != 0 {
				t.Errorf("charges %v %v", m.FragmentCharges, m.MolecularCharge)
			}
			if !slices.Equal(m.FragmentMultiplicities, []float64{1, 1, 2}) || m.MolecularMultiplicity != 2 {
				t.Errorf("mults %v %v", m.FragmentMultiplicities, m.MolecularMultiplicity)
			}
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
			if !slices.Equal(m.FragmentCharges, []float64{0, -1}) {
				t.Errorf("charges %v", m.FragmentCharges)
			}
		}},
		{"deuterium and mass override", "D 0 0 0\nH@2.014 0 0 1.4\nunits bohr", func(t *testing.T, m *Molecule) {
			if !slices.Equal(m.Masses, []float64{2.01410177812, 2.014}) || !slices.Equal(m.MassNumbers, []int{2, -1}) || !slices.Equal(m.Symbols, []string{"H", "H"}) {
				t.Errorf("masses %v %v %v", m.Masses, m.MassNumbers, m.Symbols)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParsePsi4(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Validate(); err != nil {
				t.Fatalf("parsed molecule does not validate: %v", err)
			}
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
		if tc.field != "" {
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != tc.field {
				t.Errorf("%q: want ValidationError on %s, got %v", tc.in, tc.field, err)
			}
			continue
		}
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Line != tc.line {
			t.Errorf("%q: want ParseError at line %d, got %v", tc.in, tc.line, err)
		}
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
