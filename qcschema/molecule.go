package qcschema

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
)

// Coord returns the Cartesian coordinates of atom i in bohr.
func (m *Molecule) Coord(i int) [3]float64 {
	return [3]float64{m.Geometry[3*i], m.Geometry[3*i+1], m.Geometry[3*i+2]}
}

// NFragments is the number of fragments; a molecule without fragments is one fragment.
func (m *Molecule) NFragments() int {
	if len(m.Fragments) == 0 {
		return 1
	}
	return len(m.Fragments)
}

// FragmentAtoms returns the 0-indexed atoms of fragment f (0-indexed), treating a molecule
// without fragments as one fragment of all atoms.
func (m *Molecule) FragmentAtoms(f int) []int {
	if len(m.Fragments) == 0 && f == 0 {
		all := make([]int, m.NAtom())
		for i := range all {
			all[i] = i
		}
		return all
	}
	return m.Fragments[f]
}

// NElectrons is the electron count: the atomic numbers of the real atoms less the
// molecular charge. It fails on an unknown element or a non-integral charge.
func (m *Molecule) NElectrons() (int, error) {
	n := 0
	for i, s := range m.Symbols {
		z, ok := ElementZ(s)
		if !ok {
			return 0, invalid("symbols", i, "%s", unknownElement(s))
		}
		if m.IsReal(i) {
			n += z
		}
	}
	c := m.MolecularCharge
	if math.IsNaN(c) || math.IsInf(c, 0) || c != math.Trunc(c) {
		return 0, invalid("molecular_charge", -1, "%v is not an integer", c)
	}
	return n - int(c), nil
}

// Formula is the molecular formula of the real atoms in alphabetical order of symbols,
// as QCElemental names molecules by default ("H4O2").
func (m *Molecule) Formula() string {
	count := map[string]int{}
	for i, s := range m.Symbols {
		if !m.IsReal(i) {
			continue
		}
		if c, ok := CanonicalSymbol(s); ok {
			s = c
		}
		count[s]++
	}
	syms := slices.Sorted(maps.Keys(count))
	var b strings.Builder
	for _, s := range syms {
		b.WriteString(s)
		if count[s] > 1 {
			fmt.Fprint(&b, count[s])
		}
	}
	return b.String()
}

// Clone returns a deep copy of m (maps of JSON-like values are copied recursively).
func (m *Molecule) Clone() *Molecule {
	if m == nil {
		return nil
	}
	c := *m
	c.Symbols = slices.Clone(m.Symbols)
	c.Geometry = slices.Clone(m.Geometry)
	c.Masses = slices.Clone(m.Masses)
	c.Real = slices.Clone(m.Real)
	c.AtomLabels = slices.Clone(m.AtomLabels)
	c.AtomicNumbers = slices.Clone(m.AtomicNumbers)
	c.MassNumbers = slices.Clone(m.MassNumbers)
	c.Connectivity = slices.Clone(m.Connectivity)
	if m.Fragments != nil {
		c.Fragments = make([][]int, len(m.Fragments))
		for i, f := range m.Fragments {
			c.Fragments[i] = slices.Clone(f)
		}
	}
	c.FragmentCharges = slices.Clone(m.FragmentCharges)
	c.FragmentMultiplicities = slices.Clone(m.FragmentMultiplicities)
	if m.Provenance != nil {
		p := *m.Provenance
		c.Provenance = &p
	}
	c.Identifiers = cloneMap(m.Identifiers)
	c.Extras = cloneMap(m.Extras)
	return &c
}

func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return cloneMap(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneValue(e)
		}
		return out
	case []float64:
		return slices.Clone(x)
	case []int:
		return slices.Clone(x)
	case []string:
		return slices.Clone(x)
	}
	return v
}

// Validate checks m without changing it: known elements, geometry of 3*natom finite
// numbers, per-atom arrays of the right length (atomic_numbers matching symbols), fragments
// that cover every atom exactly once, fragment_charges and fragment_multiplicities one per
// fragment, and charges and multiplicities consistent with the electron counts (see
// ReconcileChargeMult). The error is a *ValidationError naming the field.
func (m *Molecule) Validate() error {
	_, err := m.check()
	return err
}

// MaxCoordinate is the largest magnitude, in bohr, of a coordinate in a valid geometry:
// 1e5 bohr (5 micrometres) is far beyond any molecule, and far below where the squared
// distances programs compute overflow or lose all precision.
const MaxCoordinate = 1e5

// CheckGeometry checks what every program needs of m's geometry: 3 numbers per atom, each
// finite and at most MaxCoordinate in magnitude. The error is a *ValidationError naming
// the atom and the axis. Validate includes it; engine.Compute and the executors check it
// before any program runs.
func (m *Molecule) CheckGeometry() error {
	n := len(m.Symbols)
	if len(m.Geometry) != 3*n {
		return invalid("geometry", -1, "have %d numbers, want 3 per atom (%d)", len(m.Geometry), 3*n)
	}
	for i, x := range m.Geometry {
		if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > MaxCoordinate {
			return invalid("geometry", i, "%s coordinate of atom %d (%s) is %g bohr: want a finite number of magnitude at most %g",
				string(rune('x'+i%3)), i/3+1, m.Symbols[i/3], x, MaxCoordinate)
		}
	}
	return nil
}

// Normalize validates m and fills what QCElemental fills: canonical symbol capitalization,
// atomic_numbers, masses and mass_numbers (most abundant isotope), real (all true),
// fragments (one fragment of all atoms), fragment_charges, fragment_multiplicities and
// molecular_multiplicity (by ReconcileChargeMult), and schema_name/schema_version
// ("qcschema_molecule", 2) when empty. Values already present are kept. On error m is
// unchanged.
//
// "Not given" is: nil fragment_charges or fragment_multiplicities (a 0 entry in
// fragment_multiplicities also means unknown), a zero molecular_multiplicity, and a zero
// molecular_charge when fragment_charges are given (so fragment charges alone set the
// total; a non-zero molecular charge must agree with them).
func (m *Molecule) Normalize() error {
	cm, err := m.check()
	if err != nil {
		return err
	}
	n := m.NAtom()
	for i, s := range m.Symbols {
		m.Symbols[i], _ = CanonicalSymbol(s)
	}
	if m.AtomicNumbers == nil {
		m.AtomicNumbers = make([]int, n)
		for i, s := range m.Symbols {
			m.AtomicNumbers[i], _ = ElementZ(s)
		}
	}
	if m.Masses == nil {
		m.Masses = make([]float64, n)
		for i, s := range m.Symbols {
			m.Masses[i], _ = SymbolMass(s)
		}
	}
	if m.MassNumbers == nil {
		m.MassNumbers = make([]int, n)
		for i, s := range m.Symbols {
			z, _ := ElementZ(s)
			m.MassNumbers[i] = ElementMassNumber(z)
		}
	}
	if m.Real == nil {
		m.Real = make([]bool, n)
		for i := range m.Real {
			m.Real[i] = true
		}
	}
	if len(m.Fragments) == 0 {
		m.Fragments = [][]int{m.FragmentAtoms(0)}
	}
	m.MolecularCharge = cm.MolecularCharge
	m.MolecularMultiplicity = cm.MolecularMultiplicity
	m.FragmentCharges = cm.FragmentCharges
	m.FragmentMultiplicities = cm.FragmentMultiplicities
	if m.SchemaName == "" {
		m.SchemaName = SchemaMolecule
	}
	if m.SchemaVersion == 0 {
		m.SchemaVersion = 2
	}
	return nil
}

// check validates m and returns the reconciled charges and multiplicities. The checks run
// in a fixed order, atoms before fragments before charges, so that the error reported
// for an input with several faults is always the same one.
func (m *Molecule) check() (*ChargeMult, error) {
	zs, err := m.symbolNumbers()
	if err != nil {
		return nil, err
	}
	if err := m.CheckGeometry(); err != nil {
		return nil, err
	}
	if err := m.checkPerAtom(zs); err != nil {
		return nil, err
	}
	if err := m.checkConnectivity(); err != nil {
		return nil, err
	}
	if err := m.checkFragments(); err != nil {
		return nil, err
	}
	return m.reconcileChargeMult(zs)
}

// symbolNumbers returns the atomic number of each atom's symbol.
func (m *Molecule) symbolNumbers() ([]int, error) {
	if len(m.Symbols) == 0 {
		return nil, invalid("symbols", -1, "no atoms")
	}
	zs := make([]int, len(m.Symbols))
	for i, s := range m.Symbols {
		z, ok := ElementZ(s)
		if !ok {
			return nil, invalid("symbols", i, "%s", unknownElement(s))
		}
		zs[i] = z
	}
	return zs, nil
}

// checkPerAtom checks the optional per-atom arrays: one entry per atom when given, atomic
// numbers that match the symbols (zs) and positive finite masses.
func (m *Molecule) checkPerAtom(zs []int) error {
	n := len(m.Symbols)
	for _, c := range []struct {
		field string
		have  int
	}{
		{"real", len(m.Real)}, {"masses", len(m.Masses)}, {"atom_labels", len(m.AtomLabels)},
		{"atomic_numbers", len(m.AtomicNumbers)}, {"mass_numbers", len(m.MassNumbers)},
	} {
		if c.have != 0 && c.have != n {
			return invalid(c.field, -1, "have %d entries, want one per atom (%d)", c.have, n)
		}
	}
	for i, z := range m.AtomicNumbers {
		if z != zs[i] {
			return invalid("atomic_numbers", i, "%d does not match symbol %s", z, Quote(m.Symbols[i]))
		}
	}
	for i, x := range m.Masses {
		if !(x > 0) || math.IsInf(x, 0) {
			return invalid("masses", i, "mass %v is not positive", x)
		}
	}
	return nil
}

// checkConnectivity checks each bond: two atom indices in range and an order in [0, 5].
func (m *Molecule) checkConnectivity() error {
	n := len(m.Symbols)
	for i, c := range m.Connectivity {
		for k := 0; k < 2; k++ {
			if c[k] != math.Trunc(c[k]) || c[k] < 0 || int(c[k]) >= n {
				return invalid("connectivity", i, "atom index %v out of range", c[k])
			}
		}
		if !(c[2] >= 0 && c[2] <= 5) {
			return invalid("connectivity", i, "bond order %v not in [0, 5]", c[2])
		}
	}
	return nil
}

// checkFragments checks that the fragments, when given, partition the atoms, and that
// the fragment charges and multiplicities, when given, have one entry per fragment.
func (m *Molecule) checkFragments() error {
	if len(m.Fragments) > 0 {
		if err := m.checkPartition(); err != nil {
			return err
		}
	}
	nfr := m.NFragments()
	if m.FragmentCharges != nil && len(m.FragmentCharges) != nfr {
		return invalid("fragment_charges", -1, "have %d, want one per fragment (%d)", len(m.FragmentCharges), nfr)
	}
	if m.FragmentMultiplicities != nil && len(m.FragmentMultiplicities) != nfr {
		return invalid("fragment_multiplicities", -1, "have %d, want one per fragment (%d)", len(m.FragmentMultiplicities), nfr)
	}
	return nil
}

// checkPartition checks that every atom is in exactly one fragment and no fragment is
// empty.
func (m *Molecule) checkPartition() error {
	n := len(m.Symbols)
	seen := make([]int, n) // fragment+1 that holds the atom
	for f, frag := range m.Fragments {
		if len(frag) == 0 {
			return invalid("fragments", f, "empty fragment")
		}
		for _, a := range frag {
			if a < 0 || a >= n {
				return invalid("fragments", f, "atom %d out of range [0, %d)", a, n)
			}
			if seen[a] != 0 {
				return invalid("fragments", f, "atom %d already in fragment %d", a, seen[a]-1)
			}
			seen[a] = f + 1
		}
	}
	for a, s := range seen {
		if s == 0 {
			return invalid("fragments", -1, "atom %d is in no fragment", a)
		}
	}
	return nil
}

// reconcileChargeMult completes the charges and multiplicities with ReconcileChargeMult,
// from the electrons of each fragment's real atoms (zs holds the atomic numbers). A zero
// in a multiplicity means "not given", as does a zero molecular charge next to given
// fragment charges: Molecule cannot tell an absent number from a zero.
func (m *Molecule) reconcileChargeMult(zs []int) (*ChargeMult, error) {
	nfr := m.NFragments()
	fz := make([]int, nfr)
	for f := 0; f < nfr; f++ {
		for _, a := range m.FragmentAtoms(f) {
			if m.IsReal(a) {
				fz[f] += zs[a]
			}
		}
	}
	var molCharge, molMult *float64
	if m.MolecularCharge != 0 || m.FragmentCharges == nil {
		c := m.MolecularCharge
		molCharge = &c
	}
	if m.MolecularMultiplicity != 0 {
		x := m.MolecularMultiplicity
		molMult = &x
	}
	var fc, fm []*float64
	if m.FragmentCharges != nil {
		fc = make([]*float64, nfr)
		for i := range fc {
			fc[i] = &m.FragmentCharges[i]
		}
	}
	if m.FragmentMultiplicities != nil {
		fm = make([]*float64, nfr)
		for i := range fm {
			if m.FragmentMultiplicities[i] != 0 {
				fm[i] = &m.FragmentMultiplicities[i]
			}
		}
	}
	return ReconcileChargeMult(fz, molCharge, fc, molMult, fm)
}

// unknownElement says why s is no element symbol.
func unknownElement(s string) string {
	if t := strings.TrimSpace(s); t != s {
		if _, ok := ElementZ(t); ok {
			return fmt.Sprintf("%s has white space around the symbol: write it alone (%q)", Quote(s), t)
		}
	}
	return "unknown element " + Quote(s)
}
