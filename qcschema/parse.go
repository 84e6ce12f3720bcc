package qcschema

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// angstromToBohr is the factor QCElemental multiplies ångström coordinates by
// (1.0 / bohr2angstroms, computed in float64 as Python does).
var angstromToBohr = func() float64 { a := AngstromPerBohr; return 1.0 / a }()

// Masses QCElemental gives the hydrogen isotopes written as D and T.
const (
	massDeuterium = 2.01410177812
	massTritium   = 3.0160492779
)

// atomToken is one parsed atom label: "O", "h1", "@He", "Gh(Ne)", "H_a", "H@2.014", "D".
type atomToken struct {
	symbol     string // canonical element symbol
	label      string // what followed the symbol ("1", "_a"), if anything
	ghost      bool
	mass       float64 // 0: the element's default
	massNumber int     // with mass: the mass number, or -1 when unknown
}

func parseAtomToken(tok string) (atomToken, string) {
	var a atomToken
	lab := tok
	switch {
	case strings.HasPrefix(lab, "@"):
		a.ghost, lab = true, lab[1:]
	case len(lab) > 4 && strings.EqualFold(lab[:3], "gh(") && strings.HasSuffix(lab, ")"):
		a.ghost, lab = true, lab[3:len(lab)-1]
	}
	if i := strings.Index(lab, "@"); i > 0 {
		x, err := strconv.ParseFloat(lab[i+1:], 64)
		if err != nil || !(x > 0) {
			return a, "bad mass in atom label"
		}
		a.mass, a.massNumber, lab = x, -1, lab[:i]
	}
	k := 0
	for k < len(lab) && k < 3 && isLetter(lab[k]) {
		k++
	}
	sym, rest := lab[:k], lab[k:]
	if sym == "" {
		// an atomic number stands for the element (XYZ files sometimes use them)
		if z, err := strconv.Atoi(lab); err == nil && ElementSymbol(z) != "" {
			a.symbol = ElementSymbol(z)
			return a, ""
		}
		return a, "no element symbol"
	}
	if rest != "" && !(rest[0] == '_' || (rest[0] >= '0' && rest[0] <= '9')) {
		return a, "bad atom label"
	}
	for _, c := range rest[min(1, len(rest)):] {
		if !(c == '_' || c < 128 && (isLetter(byte(c)) || c >= '0' && c <= '9')) {
			return a, "bad atom label"
		}
	}
	a.label = rest
	switch strings.ToUpper(sym) {
	case "D":
		a.symbol = "H"
		if a.mass == 0 {
			a.mass, a.massNumber = massDeuterium, 2
		}
		return a, ""
	case "T":
		a.symbol = "H"
		if a.mass == 0 {
			a.mass, a.massNumber = massTritium, 3
		}
		return a, ""
	}
	s, ok := CanonicalSymbol(sym)
	if !ok {
		return a, "unknown element"
	}
	a.symbol = s
	return a, ""
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// atomsBuilder collects atoms for both parsers.
type atomsBuilder struct {
	m          Molecule
	masses     []float64 // 0: default
	massNums   []int
	anyMass    bool
	anyLabel   bool
	labels     []string
	fragmentOf []int
}

func (b *atomsBuilder) add(a atomToken, xyz [3]float64, scale float64) {
	b.m.Symbols = append(b.m.Symbols, a.symbol)
	b.m.Geometry = append(b.m.Geometry, xyz[0]*scale, xyz[1]*scale, xyz[2]*scale)
	b.m.Real = append(b.m.Real, !a.ghost)
	b.masses = append(b.masses, a.mass)
	b.massNums = append(b.massNums, a.massNumber)
	b.labels = append(b.labels, a.label)
	b.anyMass = b.anyMass || a.mass != 0
	b.anyLabel = b.anyLabel || a.label != ""
}

// finish fills masses and labels where any atom gave one.
func (b *atomsBuilder) finish() *Molecule {
	m := &b.m
	if b.anyMass {
		m.Masses = make([]float64, len(b.masses))
		m.MassNumbers = make([]int, len(b.masses))
		for i, x := range b.masses {
			z, _ := ElementZ(m.Symbols[i])
			if x == 0 {
				m.Masses[i], m.MassNumbers[i] = ElementMass(z), ElementMassNumber(z)
			} else {
				m.Masses[i], m.MassNumbers[i] = x, b.massNums[i]
			}
		}
	}
	if b.anyLabel {
		m.AtomLabels = b.labels
	}
	return m
}

func parseXYZCoords(fields []string) ([3]float64, bool) {
	var xyz [3]float64
	for k := 0; k < 3; k++ {
		x, err := strconv.ParseFloat(fields[k], 64)
		if err != nil {
			return xyz, false
		}
		xyz[k] = x
	}
	return xyz, true
}

func unitScale(u string) (float64, bool) {
	switch strings.ToLower(u) {
	case "ang", "angstrom", "angstroms", "a":
		return angstromToBohr, true
	case "bohr", "au", "a.u.":
		return 1, true
	}
	return 0, false
}

func isInt(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// ParseXYZ reads a standard XYZ file: the atom count (optionally followed by a unit, "au",
// "bohr" or "angstrom"), a comment line, then one "symbol x y z" line per atom (extra
// columns are ignored). Coordinates are in ångström unless the count line says otherwise
// and are converted to bohr with CODATA 2014. A comment line that is just two integers is
// read as "charge multiplicity", as QCElemental does; any other comment becomes Comment and,
// if not empty, Name (else Name is the formula). Symbols are case-insensitive and may carry
// ghost markers ("@He", "Gh(He)"). The result is normalized (see Molecule.Normalize).
// Syntax errors are *ParseError; physical ones *ValidationError.
func ParseXYZ(r io.Reader) (*Molecule, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	perr := func(line int, msg string) error {
		text := ""
		if line >= 1 && line <= len(lines) {
			text = strings.TrimSpace(lines[line-1])
		}
		return &ParseError{Format: "xyz", Line: line, Text: text, Msg: msg}
	}
	if len(lines) == 0 {
		return nil, perr(1, "empty input")
	}
	head := strings.Fields(lines[0])
	if len(head) == 0 || len(head) > 2 {
		return nil, perr(1, "want the atom count")
	}
	nat, ok := isInt(head[0])
	if !ok || nat < 1 {
		return nil, perr(1, "want a positive atom count")
	}
	scale := angstromToBohr
	if len(head) == 2 {
		if scale, ok = unitScale(head[1]); !ok {
			return nil, perr(1, "unknown unit")
		}
	}
	if len(lines) < 2+nat {
		return nil, perr(len(lines)+1, "file ends before the "+strconv.Itoa(nat)+" atoms")
	}
	var b atomsBuilder
	comment := strings.TrimSpace(lines[1])
	var chg, mult *float64
	if f := strings.Fields(comment); len(f) == 2 {
		c, ok1 := isInt(f[0])
		m, ok2 := isInt(f[1])
		if ok1 && ok2 {
			fc, fm := float64(c), float64(m)
			chg, mult, comment = &fc, &fm, ""
		}
	}
	for i := 0; i < nat; i++ {
		ln := 3 + i
		f := strings.Fields(lines[ln-1])
		if len(f) < 4 {
			return nil, perr(ln, "want \"symbol x y z\"")
		}
		a, msg := parseAtomToken(f[0])
		if msg != "" {
			return nil, perr(ln, msg)
		}
		xyz, ok := parseXYZCoords(f[1:4])
		if !ok {
			return nil, perr(ln, "bad coordinate")
		}
		b.add(a, xyz, scale)
	}
	for i := 2 + nat; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "" {
			return nil, perr(i+1, "content after the last atom (multi-frame XYZ is not supported)")
		}
	}
	m := b.finish()
	m.Comment = comment
	m.Name = comment
	if m.Name == "" {
		m.Name = m.Formula()
	}
	if chg != nil {
		m.MolecularCharge = *chg
		m.MolecularMultiplicity = *mult
		m.FragmentCharges = []float64{*chg}
		m.FragmentMultiplicities = []float64{*mult}
	}
	if err := m.Normalize(); err != nil {
		return nil, err
	}
	return m, nil
}

// ParsePsi4 reads a psi4-style molecule string:
//
//	0 1            # optional: charge and multiplicity of the whole molecule ...
//	--             # ... when followed by a fragment separator
//	0 1            # optional: charge and multiplicity of this fragment
//	O  -1.55  -0.11  0.00
//	H  -1.93   0.76  0.00
//	--
//	@He  0 0 3     # ghost atom; Gh(He) also works
//	units angstrom # or bohr, au, a.u. (default angstrom)
//	no_com
//	no_reorient
//	symmetry c1
//
// Fragments are separated by "--"; "#" starts a comment; keywords and symbols are
// case-insensitive; atom labels may carry a suffix ("H1", "O_a", kept in atom_labels), a
// mass ("H@2.014") or be D or T. Unknown charges and multiplicities are completed as
// QCElemental does (see ReconcileChargeMult). no_com and no_reorient set fix_com and
// fix_orientation, symmetry sets fix_symmetry. Z-matrices and pubchem lookups are not
// supported. The result is normalized, with Name the formula. Syntax errors are
// *ParseError; physical ones *ValidationError.
func ParsePsi4(s string) (*Molecule, error) {
	p := &psi4Parser{
		lines: strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n"),
		frags: []*psi4Fragment{{line: 1}},
		scale: angstromToBohr,
	}
	for ln, raw := range p.lines {
		if i := strings.IndexByte(raw, '#'); i >= 0 {
			raw = raw[:i]
		}
		if f := strings.Fields(raw); len(f) > 0 {
			if err := p.line(ln+1, f); err != nil {
				return nil, err
			}
		}
	}
	return p.molecule()
}

// psi4Parser is ParsePsi4's state: the fragments and atoms read so far, and the flags.
type psi4Parser struct {
	lines     []string
	frags     []*psi4Fragment // the first holds what comes before any "--"
	b         atomsBuilder    // fix_* flags as they are read; atoms at the end
	scale     float64         // to bohr, of the units given or the default angstrom
	unitsSeen bool
	pending   []psi4Atom // atoms in input units: units may come after them
}

// psi4Fragment is a fragment as ParsePsi4 reads it.
type psi4Fragment struct {
	atoms      []int // indices into psi4Parser.pending
	chg, mult  *float64
	line       int // line of the "--" that opened it
	chgmultSet bool
}

// psi4Atom is an atom line as read, before the units are known.
type psi4Atom struct {
	a   atomToken
	xyz [3]float64
}

// errorAt is a *ParseError for line ln (1-based), quoting the line.
func (p *psi4Parser) errorAt(ln int, msg string) error {
	text := ""
	if ln >= 1 && ln <= len(p.lines) {
		text = strings.TrimSpace(p.lines[ln-1])
	}
	return &ParseError{Format: "psi4", Line: ln, Text: text, Msg: msg}
}

// line reads line ln, split into its fields f (at least one, comment removed).
func (p *psi4Parser) line(ln int, f []string) error {
	key := strings.ToLower(f[0])
	switch {
	case len(f) == 1 && key == "--":
		p.frags = append(p.frags, &psi4Fragment{line: ln})
	case key == "units" || key == "unit":
		return p.units(ln, f)
	case len(f) == 1 && (key == "no_com" || key == "nocom"):
		p.b.m.FixCom = true
	case len(f) == 1 && (key == "no_reorient" || key == "noreorient"):
		p.b.m.FixOrientation = true
	case key == "symmetry":
		if len(f) != 2 {
			return p.errorAt(ln, "want \"symmetry GROUP\"")
		}
		p.b.m.FixSymmetry = strings.ToLower(f[1])
	case len(f) == 2:
		return p.chargeMult(ln, f)
	case len(f) == 4:
		return p.atom(ln, f)
	case key == "pubchem" || strings.HasPrefix(key, "pubchem:"):
		return p.errorAt(ln, "pubchem lookups are not supported")
	default:
		return p.errorAt(ln, "unrecognized line (Z-matrices are not supported)")
	}
	return nil
}

// units reads a "units angstrom|bohr" line; given twice, the units must agree.
func (p *psi4Parser) units(ln int, f []string) error {
	if len(f) != 2 {
		return p.errorAt(ln, "want \"units angstrom|bohr\"")
	}
	sc, ok := unitScale(f[1])
	if !ok {
		return p.errorAt(ln, "unknown unit")
	}
	if p.unitsSeen && sc != p.scale {
		return p.errorAt(ln, "units given twice")
	}
	p.scale, p.unitsSeen = sc, true
	return nil
}

// chargeMult reads a "charge multiplicity" line of the current fragment, which must come
// once and before its atoms.
func (p *psi4Parser) chargeMult(ln int, f []string) error {
	cur := p.frags[len(p.frags)-1]
	c, ok1 := isInt(f[0])
	m, ok2 := isInt(f[1])
	if !ok1 || !ok2 {
		return p.errorAt(ln, "want \"charge multiplicity\" (two integers)")
	}
	if cur.chgmultSet {
		return p.errorAt(ln, "charge and multiplicity given twice for one fragment")
	}
	if len(cur.atoms) > 0 {
		return p.errorAt(ln, "charge and multiplicity must come before the fragment's atoms")
	}
	fc, fm := float64(c), float64(m)
	cur.chg, cur.mult, cur.chgmultSet = &fc, &fm, true
	return nil
}

// atom reads an atom line, "SYMBOL X Y Z", into the current fragment.
func (p *psi4Parser) atom(ln int, f []string) error {
	a, msg := parseAtomToken(f[0])
	if msg != "" {
		return p.errorAt(ln, msg)
	}
	xyz, ok := parseXYZCoords(f[1:])
	if !ok {
		return p.errorAt(ln, "bad coordinate")
	}
	cur := p.frags[len(p.frags)-1]
	cur.atoms = append(cur.atoms, len(p.pending))
	p.pending = append(p.pending, psi4Atom{a, xyz})
	return nil
}

// molecule builds the molecule once every line is read: atoms scaled by the units, the
// fragments, and charges and multiplicities completed.
func (p *psi4Parser) molecule() (*Molecule, error) {
	for _, a := range p.pending {
		p.b.add(a.a, a.xyz, p.scale)
	}
	// A leading charge/multiplicity with no atoms before the first "--" is the molecule's.
	frags := p.frags
	var molChg, molMult *float64
	if len(frags) > 1 && len(frags[0].atoms) == 0 {
		molChg, molMult = frags[0].chg, frags[0].mult
		frags = frags[1:]
	}
	for _, fr := range frags {
		if len(fr.atoms) == 0 {
			return nil, p.errorAt(fr.line, "fragment without atoms")
		}
	}
	m := p.b.finish()
	nfr := len(frags)
	m.Fragments = make([][]int, nfr)
	fz := make([]int, nfr)
	fc := make([]*float64, nfr)
	fm := make([]*float64, nfr)
	for i, fr := range frags {
		m.Fragments[i] = fr.atoms
		fc[i], fm[i] = fr.chg, fr.mult
		for _, a := range fr.atoms {
			if m.Real[a] {
				z, _ := ElementZ(m.Symbols[a])
				fz[i] += z
			}
		}
	}
	cm, err := ReconcileChargeMult(fz, molChg, fc, molMult, fm)
	if err != nil {
		return nil, err
	}
	m.MolecularCharge = cm.MolecularCharge
	m.MolecularMultiplicity = cm.MolecularMultiplicity
	m.FragmentCharges = cm.FragmentCharges
	m.FragmentMultiplicities = cm.FragmentMultiplicities
	m.Name = m.Formula()
	if err := m.Normalize(); err != nil {
		return nil, err
	}
	return m, nil
}
