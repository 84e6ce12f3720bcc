package qcschema

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestElements(t *testing.T) {
	cases := []struct {
		sym  string
		z    int
		mass float64
		a    int
	}{
		{"H", 1, 1.00782503223, 1}, {"he", 2, 4.00260325413, 4}, {"LI", 3, 7.0160034366, 7},
		{"Be", 4, 9.012183065, 9}, {"B", 5, 11.00930536, 11}, {"C", 6, 12.0, 12},
		{"N", 7, 14.00307400443, 14}, {"O", 8, 15.99491461957, 16}, {"F", 9, 18.99840316273, 19},
		{"Ne", 10, 19.9924401762, 20}, {"Na", 11, 22.9897692820, 23}, {"Mg", 12, 23.985041697, 24},
		{"Al", 13, 26.98153853, 27}, {"Si", 14, 27.97692653465, 28}, {"P", 15, 30.97376199842, 31},
		{"S", 16, 31.9720711744, 32}, {"Cl", 17, 34.968852682, 35}, {"Ar", 18, 39.9623831237, 40},
		{"K", 19, 38.9637064864, 39}, {"Fe", 26, 55.93493633, 56}, {"Kr", 36, 83.9114977282, 84},
		{"Tc", 43, 97.9072124, 98}, {"U", 92, 238.0507884, 238}, {"Ts", 117, 294.21046, 294},
		{"og", 118, 294.21392, 294},
	}
	for _, tc := range cases {
		z, ok := ElementZ(tc.sym)
		if !ok || z != tc.z {
			t.Errorf("ElementZ(%q) = %d, %v", tc.sym, z, ok)
			continue
		}
		if got := ElementMass(z); got != tc.mass {
			t.Errorf("ElementMass(%d) = %v, want %v", z, got, tc.mass)
		}
		if got := ElementMassNumber(z); got != tc.a {
			t.Errorf("ElementMassNumber(%d) = %v, want %v", z, got, tc.a)
		}
		if got := ElementSymbol(z); !strings.EqualFold(got, tc.sym) {
			t.Errorf("ElementSymbol(%d) = %q", z, got)
		}
	}
	if MaxZ != 118 {
		t.Errorf("MaxZ = %d", MaxZ)
	}
	for z := 1; z <= MaxZ; z++ {
		if ElementMassNumber(z) != int(math.Round(ElementMass(z))) || ElementMass(z) <= ElementMass(1) && z > 1 {
			t.Errorf("Z=%d: mass %v, A %d", z, ElementMass(z), ElementMassNumber(z))
		}
	}
	for _, bad := range []string{"", "Xx", "Gh", "@He", "D1"} {
		if _, ok := ElementZ(bad); ok {
			t.Errorf("ElementZ(%q) ok", bad)
		}
	}
	if ElementSymbol(0) != "" || ElementSymbol(119) != "" || ElementMass(0) != 0 {
		t.Error("out of range")
	}
	if math.Abs(BohrPerAngstrom*AngstromPerBohr-1) > 1e-15 || AngstromPerBohr != 0.52917721067 {
		t.Error("bohr constants")
	}
}

func water2() *Molecule {
	return &Molecule{
		Symbols: []string{"O", "H", "H", "O", "H", "H"},
		Geometry: []float64{
			-2.76373224, -1.24377706, -0.15444566, -1.12357791, -2.0622797, -0.05243799,
			-3.80792362, -2.08705525, 1.06090407, 2.46924614, -1.75437739, -0.17092884,
			3.7636826, -2.21425403, 1.00846104, 2.3059833, 0.07098445, -0.03942473,
		},
		Fragments: [][]int{{0, 1, 2}, {3, 4, 5}},
	}
}

func TestNormalize(t *testing.T) {
	m := water2()
	m.Symbols[0] = "o"
	if err := m.Normalize(); err != nil {
		t.Fatal(err)
	}
	want := &Molecule{
		SchemaName: "qcschema_molecule", SchemaVersion: 2,
		Symbols:                []string{"O", "H", "H", "O", "H", "H"},
		Geometry:               water2().Geometry,
		MolecularMultiplicity:  1,
		Masses:                 []float64{15.99491461957, 1.00782503223, 1.00782503223, 15.99491461957, 1.00782503223, 1.00782503223},
		Real:                   []bool{true, true, true, true, true, true},
		AtomicNumbers:          []int{8, 1, 1, 8, 1, 1},
		MassNumbers:            []int{16, 1, 1, 16, 1, 1},
		Fragments:              [][]int{{0, 1, 2}, {3, 4, 5}},
		FragmentCharges:        []float64{0, 0},
		FragmentMultiplicities: []float64{1, 1},
	}
	if d := cmp.Diff(want, m); d != "" {
		t.Errorf("Normalize (-want +got):\n%s", d)
	}
	// idempotent
	again := m.Clone()
	if err := again.Normalize(); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(m, again); d != "" {
		t.Errorf("second Normalize changed:\n%s", d)
	}
	// no fragments: one fragment of all atoms; a hydroxyl radical is a doublet
	oh := &Molecule{Symbols: []string{"O", "H"}, Geometry: make([]float64, 6)}
	oh.Geometry[5] = 1.8
	if err := oh.Normalize(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(oh.Fragments[0], []int{0, 1}) || oh.MolecularMultiplicity != 2 || oh.FragmentMultiplicities[0] != 2 {
		t.Errorf("OH: %+v", oh)
	}
	// fragment charges alone set the molecular charge
	m = water2()
	m.FragmentCharges = []float64{1, 0}
	if err := m.Normalize(); err != nil {
		t.Fatal(err)
	}
	if m.MolecularCharge != 1 || m.MolecularMultiplicity != 2 || !slices.Equal(m.FragmentMultiplicities, []float64{2, 1}) {
		t.Errorf("charged: charge %v mult %v frag %v", m.MolecularCharge, m.MolecularMultiplicity, m.FragmentMultiplicities)
	}
	// molecular charge placed on the first fragment that can carry it
	m = water2()
	m.MolecularCharge = -1
	if err := m.Normalize(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.FragmentCharges, []float64{-1, 0}) || m.MolecularMultiplicity != 2 {
		t.Errorf("anion: %v %v", m.FragmentCharges, m.MolecularMultiplicity)
	}
	// ghost atoms carry no electrons
	m = water2()
	m.Real = []bool{true, true, true, false, false, false}
	if err := m.Normalize(); err != nil {
		t.Fatal(err)
	}
	if n, _ := m.NElectrons(); n != 10 {
		t.Errorf("NElectrons with ghosts = %d", n)
	}
}

func TestMoleculeHelpers(t *testing.T) {
	m := water2()
	if got := m.Coord(1); got != [3]float64{-1.12357791, -2.0622797, -0.05243799} {
		t.Errorf("Coord(1) = %v", got)
	}
	if n, err := m.NElectrons(); err != nil || n != 20 {
		t.Errorf("NElectrons = %d, %v", n, err)
	}
	m.MolecularCharge = 1
	if n, _ := m.NElectrons(); n != 19 {
		t.Errorf("NElectrons cation = %d", n)
	}
	if m.Formula() != "H4O2" || m.NFragments() != 2 {
		t.Errorf("Formula %q NFragments %d", m.Formula(), m.NFragments())
	}
	m.Extras = map[string]any{"a": []any{1.0, map[string]any{"b": "c"}}}
	c := m.Clone()
	c.Geometry[0] = 99
	c.Fragments[0][0] = 7
	c.Extras["a"].([]any)[1].(map[string]any)["b"] = "changed"
	if m.Geometry[0] == 99 || m.Fragments[0][0] == 7 || m.Extras["a"].([]any)[1].(map[string]any)["b"] != "c" {
		t.Error("Clone shares memory")
	}
	if d := cmp.Diff(water2().Geometry, m.Geometry); d != "" {
		t.Error(d)
	}
}

// TestValidateBad is the table of bad molecules and the field each error names.
func TestValidateBad(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(m *Molecule)
		field string
		index int
	}{
		{"unknown element", func(m *Molecule) { m.Symbols[4] = "Xx" }, "symbols", 4},
		{"no atoms", func(m *Molecule) { m.Symbols, m.Geometry, m.Fragments = nil, nil, nil }, "symbols", -1},
		{"geometry short", func(m *Molecule) { m.Geometry = m.Geometry[:17] }, "geometry", -1},
		{"geometry long", func(m *Molecule) { m.Geometry = append(m.Geometry, 0) }, "geometry", -1},
		{"geometry NaN", func(m *Molecule) { m.Geometry[7] = math.NaN() }, "geometry", 7},
		{"geometry Inf", func(m *Molecule) { m.Geometry[0] = math.Inf(-1) }, "geometry", 0},
		{"real length", func(m *Molecule) { m.Real = []bool{true} }, "real", -1},
		{"masses length", func(m *Molecule) { m.Masses = []float64{1, 2} }, "masses", -1},
		{"negative mass", func(m *Molecule) { m.Masses = []float64{16, 1, 1, 16, -1, 1} }, "masses", 4},
		{"atomic numbers mismatch", func(m *Molecule) { m.AtomicNumbers = []int{8, 1, 1, 8, 1, 2} }, "atomic_numbers", 5},
		{"mass numbers length", func(m *Molecule) { m.MassNumbers = []int{16} }, "mass_numbers", -1},
		{"atom labels length", func(m *Molecule) { m.AtomLabels = []string{""} }, "atom_labels", -1},
		{"fragment skips atom", func(m *Molecule) { m.Fragments = [][]int{{0, 1, 2}, {3, 4}} }, "fragments", -1},
		{"fragment repeats atom", func(m *Molecule) { m.Fragments = [][]int{{0, 1, 2}, {2, 3, 4, 5}} }, "fragments", 1},
		{"fragment out of range", func(m *Molecule) { m.Fragments = [][]int{{0, 1, 2}, {3, 4, 6}} }, "fragments", 1},
		{"fragment negative", func(m *Molecule) { m.Fragments = [][]int{{-1, 0, 1, 2}, {3, 4, 5}} }, "fragments", 0},
		{"empty fragment", func(m *Molecule) { m.Fragments = [][]int{{0, 1, 2, 3, 4, 5}, {}} }, "fragments", 1},
		{"fragment charges length", func(m *Molecule) { m.FragmentCharges = []float64{0} }, "fragment_charges", -1},
		{"fragment mults length", func(m *Molecule) { m.FragmentMultiplicities = []float64{1, 1, 1} }, "fragment_multiplicities", -1},
		{"multiplicity parity", func(m *Molecule) { m.MolecularMultiplicity = 2 }, "molecular_multiplicity", -1},
		{"multiplicity too high", func(m *Molecule) { m.MolecularMultiplicity = 23 }, "molecular_multiplicity", -1},
		{"multiplicity not integer", func(m *Molecule) { m.MolecularMultiplicity = 1.5 }, "molecular_multiplicity", -1},
		{"multiplicity negative", func(m *Molecule) { m.MolecularMultiplicity = -1 }, "molecular_multiplicity", -1},
		{"charge too positive", func(m *Molecule) { m.MolecularCharge = 21 }, "molecular_charge", -1},
		{"charge not integer", func(m *Molecule) { m.MolecularCharge = 0.5 }, "molecular_charge", -1},
		{"charge parity", func(m *Molecule) { m.MolecularCharge = 1; m.MolecularMultiplicity = 1 }, "molecular_multiplicity", -1},
		{"fragment charges disagree", func(m *Molecule) { m.MolecularCharge = 2; m.FragmentCharges = []float64{1, 0} }, "fragment_charges", -1},
		{"fragment mult parity", func(m *Molecule) { m.FragmentMultiplicities = []float64{2, 1} }, "fragment_multiplicities", 0},
		{"fragment mult too high", func(m *Molecule) {
			m.FragmentCharges = []float64{0, 0}
			m.FragmentMultiplicities = []float64{1, 13}
		}, "fragment_multiplicities", 1},
		{"fragment charge too high", func(m *Molecule) { m.FragmentCharges = []float64{11, -11} }, "fragment_charges", 0},
		{"ghost fragment charged", func(m *Molecule) {
			m.Real = []bool{true, true, true, false, false, false}
			m.FragmentCharges = []float64{0, 1}
		}, "fragment_charges", 1},
		{"high spin unreachable", func(m *Molecule) { m.FragmentMultiplicities = []float64{3, 0}; m.MolecularMultiplicity = 1 }, "molecular_multiplicity", -1},
		{"connectivity", func(m *Molecule) { m.Connectivity = [][3]float64{{0, 1, 1}, {0, 9, 1}} }, "connectivity", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := water2()
			tc.edit(m)
			before := m.Clone()
			err := m.Validate()
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("want *ValidationError, got %v", err)
			}
			if ve.Field != tc.field || ve.Index != tc.index {
				t.Errorf("got field %q index %d (%v), want %q %d", ve.Field, ve.Index, err, tc.field, tc.index)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Error("errors.Is(err, ErrInvalid) is false")
			}
			if err2 := m.Normalize(); err2 == nil || err2.Error() != err.Error() {
				t.Errorf("Normalize: %v", err2)
			}
			if d := cmp.Diff(before, m, cmp.Comparer(func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) })); d != "" {
				t.Errorf("failed Normalize changed the molecule:\n%s", d)
			}
		})
	}
}

// water64 is 64 water molecules on a line, one fragment each.
func water64() *Molecule {
	m := &Molecule{}
	for f := 0; f < 64; f++ {
		z := 6.0 * float64(f)
		m.Symbols = append(m.Symbols, "O", "H", "H")
		m.Geometry = append(m.Geometry, 0, 0, z, 0, 1.43, z+1.1, 0, -1.43, z+1.1)
		m.Fragments = append(m.Fragments, []int{3 * f, 3*f + 1, 3*f + 2})
	}
	return m
}

func TestNormalize64Fragments(t *testing.T) {
	m := water64()
	m.MolecularCharge = 2
	m.MolecularMultiplicity = 3
	if err := m.Normalize(); err != nil {
		t.Fatal(err)
	}
	// the charge lands wholly on the first fragment (H2O2+ is even: singlet or triplet),
	// and the two unpaired electrons on the first fragment too
	if m.FragmentCharges[0] != 2 || m.FragmentMultiplicities[0] != 3 || m.FragmentMultiplicities[1] != 1 {
		t.Errorf("fragment 0: charge %v mult %v", m.FragmentCharges[0], m.FragmentMultiplicities[0])
	}
	if err := m.Validate(); err != nil {
		t.Error(err)
	}
	bad := water64()
	bad.Fragments[63] = []int{189, 190, 190}
	var ve *ValidationError
	if err := bad.Validate(); !errors.As(err, &ve) || ve.Field != "fragments" || ve.Index != 63 {
		t.Errorf("got %v", err)
	}
}

func BenchmarkNormalize64Fragments(b *testing.B) {
	base := water64()
	base.MolecularCharge = -1
	base.MolecularMultiplicity = 4
	for b.Loop() {
		m := base.Clone()
		if err := m.Normalize(); err != nil {
			b.Fatal(err)
		}
	}
}
