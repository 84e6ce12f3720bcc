package qcschema

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
		if !assert.True(t, ok, "ElementZ(%q)", tc.sym) || !assert.Equal(t, tc.z, z, "ElementZ(%q)", tc.sym) {
			continue
		}
		assert.Equal(t, tc.mass, ElementMass(z), "ElementMass(%d)", z)
		assert.Equal(t, tc.a, ElementMassNumber(z), "ElementMassNumber(%d)", z)
		assert.True(t, strings.EqualFold(ElementSymbol(z), tc.sym), "ElementSymbol(%d) = %q", z, ElementSymbol(z))
	}
	assert.Equal(t, 118, MaxZ)
	for z := 1; z <= MaxZ; z++ {
		assert.Equal(t, int(math.Round(ElementMass(z))), ElementMassNumber(z), "Z=%d: mass %v", z, ElementMass(z))
		if z > 1 {
			assert.Greater(t, ElementMass(z), ElementMass(1), "Z=%d: mass", z)
		}
	}
	for _, bad := range []string{"", "Xx", "Gh", "@He", "D1"} {
		_, ok := ElementZ(bad)
		assert.False(t, ok, "ElementZ(%q)", bad)
	}
	assert.Empty(t, ElementSymbol(0), "out of range")
	assert.Empty(t, ElementSymbol(119), "out of range")
	assert.Zero(t, ElementMass(0), "out of range")
	assert.InDelta(t, 1, BohrPerAngstrom*AngstromPerBohr, 1e-15, "bohr constants")
	assert.Equal(t, 0.52917721067, AngstromPerBohr)
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
	require.NoError(t, m.Normalize())
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
	assert.Empty(t, cmp.Diff(want, m), "Normalize (-want +got)")
	// idempotent
	again := m.Clone()
	require.NoError(t, again.Normalize())
	assert.Empty(t, cmp.Diff(m, again), "second Normalize changed")
	// no fragments: one fragment of all atoms; a hydroxyl radical is a doublet
	oh := &Molecule{Symbols: []string{"O", "H"}, Geometry: make([]float64, 6)}
	oh.Geometry[5] = 1.8
	require.NoError(t, oh.Normalize())
	assert.Equal(t, []int{0, 1}, oh.Fragments[0], "OH")
	assert.Equal(t, 2.0, oh.MolecularMultiplicity, "OH")
	assert.Equal(t, 2.0, oh.FragmentMultiplicities[0], "OH")
	// fragment charges alone set the molecular charge
	m = water2()
	m.FragmentCharges = []float64{1, 0}
	require.NoError(t, m.Normalize())
	assert.Equal(t, 1.0, m.MolecularCharge, "charged")
	assert.Equal(t, 2.0, m.MolecularMultiplicity, "charged")
	assert.Equal(t, []float64{2, 1}, m.FragmentMultiplicities, "charged")
	// molecular charge placed on the first fragment that can carry it
	m = water2()
	m.MolecularCharge = -1
	require.NoError(t, m.Normalize())
	assert.Equal(t, []float64{-1, 0}, m.FragmentCharges, "anion")
	assert.Equal(t, 2.0, m.MolecularMultiplicity, "anion")
	// ghost atoms carry no electrons
	m = water2()
	m.Real = []bool{true, true, true, false, false, false}
	require.NoError(t, m.Normalize())
	n, _ := m.NElectrons()
	assert.Equal(t, 10, n, "NElectrons with ghosts")
}

func TestMoleculeHelpers(t *testing.T) {
	m := water2()
	assert.Equal(t, [3]float64{-1.12357791, -2.0622797, -0.05243799}, m.Coord(1), "Coord(1)")
	n, err := m.NElectrons()
	assert.NoError(t, err)
	assert.Equal(t, 20, n, "NElectrons")
	m.MolecularCharge = 1
	n, _ = m.NElectrons()
	assert.Equal(t, 19, n, "NElectrons cation")
	assert.Equal(t, "H4O2", m.Formula())
	assert.Equal(t, 2, m.NFragments())
	m.Extras = map[string]any{"a": []any{1.0, map[string]any{"b": "c"}}}
	c := m.Clone()
	c.Geometry[0] = 99
	c.Fragments[0][0] = 7
	c.Extras["a"].([]any)[1].(map[string]any)["b"] = "changed"
	assert.NotEqual(t, 99.0, m.Geometry[0], "Clone shares the geometry")
	assert.NotEqual(t, 7, m.Fragments[0][0], "Clone shares the fragments")
	assert.Equal(t, "c", m.Extras["a"].([]any)[1].(map[string]any)["b"], "Clone shares the extras")
	assert.Empty(t, cmp.Diff(water2().Geometry, m.Geometry), "geometry (-want +got)")
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
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field, "field (%v)", err)
			assert.Equal(t, tc.index, ve.Index, "index (%v)", err)
			assert.ErrorIs(t, err, ErrInvalid)
			assert.EqualError(t, m.Normalize(), err.Error(), "Normalize")
			assert.Empty(t, cmp.Diff(before, m, cmp.Comparer(func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) })),
				"failed Normalize changed the molecule")
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
	require.NoError(t, m.Normalize())
	// the charge lands wholly on the first fragment (H2O2+ is even: singlet or triplet),
	// and the two unpaired electrons on the first fragment too
	assert.Equal(t, 2.0, m.FragmentCharges[0], "fragment 0: charge")
	assert.Equal(t, 3.0, m.FragmentMultiplicities[0], "fragment 0: multiplicity")
	assert.Equal(t, 1.0, m.FragmentMultiplicities[1], "fragment 1: multiplicity")
	assert.NoError(t, m.Validate())
	bad := water64()
	bad.Fragments[63] = []int{189, 190, 190}
	var ve *ValidationError
	err := bad.Validate()
	if assert.ErrorAs(t, err, &ve) {
		assert.Equal(t, "fragments", ve.Field, "%v", err)
		assert.Equal(t, 63, ve.Index, "%v", err)
	}
}

func BenchmarkNormalize64Fragments(b *testing.B) {
	base := water64()
	base.MolecularCharge = -1
	base.MolecularMultiplicity = 4
	for b.Loop() {
		m := base.Clone()
		require.NoError(b, m.Normalize())
	}
}
