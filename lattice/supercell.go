package lattice

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"

	"github.com/qcmb-go/qcmb/lattice/cif"
	"github.com/qcmb-go/qcmb/qcschema"
)

// Supercell is the block of unit cells CrystaLattE builds from a CIF: every atom of the
// unit cell (the sites and their symmetry images), repeated Cells times along a, b and c,
// folded into the rectangular box Box, and centred as CrystaLattE centres it.
type Supercell struct {
	// Symbols and Geom are the atoms: element symbols and positions in bohr.
	Symbols []string
	Geom    [][3]float64
	// Cells are the numbers of unit cells along a, b and c.
	Cells [3]int
	// Box are the edges of the rectangular box in ångström.
	Box [3]float64
	// MonomerCutoff is r_cut_monomer in ångström, as given or as picked from the n-mer
	// cutoffs and the cell.
	MonomerCutoff float64
	// Duplicates counts atoms dropped because another atom had the same element and
	// position (to the 1e-12 Å of the XYZ file CrystaLattE writes and reads back).
	Duplicates int
	// Warnings are CrystaLattE's warnings about the cell and the cutoffs.
	Warnings []string

	// xyz are the lines of the XYZ file: the positions in ångström as CrystaLattE writes them.
	xyz []xyzAtom
}

type xyzAtom struct {
	symbol  string
	x, y, z string // %.12f
}

// overlapEps is CrystaLattE's distance in fractional coordinates below which two atoms of
// the unit cell are the same atom.
const overlapEps = 0.01

// BuildSupercell builds the supercell of a crystal as CrystaLattE's cif_main and
// center_supercell do, with the same floating-point steps, so that the same atoms come out
// at the same positions. cells gives the number of unit cells along a, b and c (0 picks it
// from the monomer cutoff); monomerCutoff is r_cut_monomer in ångström (0 picks it as the
// largest n-mer cutoff plus the cell's diagonal).
func BuildSupercell(s *cif.Structure, cells [3]int, monomerCutoff, nmerCutoff float64) (*Supercell, error) {
	sc := &Supercell{}
	v, err := newCellVectors(s.Cell)
	if err != nil {
		return nil, err
	}
	c := s.Cell
	if vol := v.ax * v.by * v.cz; c.Volume != 0 && math.Abs(vol-c.Volume) > 0.1 {
		sc.Warnings = append(sc.Warnings, fmt.Sprintf("the volume of the unit cell in the CIF (%.2f A^3) differs from the volume of its vectors (%.2f A^3)", c.Volume, vol))
	}
	if monomerCutoff == 0 {
		monomerCutoff = nmerCutoff + math.Sqrt(float64(c.A*c.A)+float64(c.B*c.B)+float64(c.C*c.C))
	}
	sc.MonomerCutoff = monomerCutoff
	for k, unit := range [3]float64{c.A, v.by, v.cz} {
		if cells[k] == 0 {
			cells[k] = 2*int(math.Ceil(monomerCutoff/unit)) + 1
		}
	}
	sc.Cells = cells
	if n := cells[0] * cells[1] * cells[2] * len(s.Sites) * len(s.SymOps); n > 50_000_000 {
		return nil, fmt.Errorf("lattice: a supercell of %d x %d x %d cells is too large; reduce r_cut_monomer or give cif_a, cif_b, cif_c", cells[0], cells[1], cells[2])
	}
	atoms, err := sc.unitCell(s)
	if err != nil {
		return nil, err
	}
	sc.replicate(atoms, v)
	if err := sc.center(); err != nil {
		return nil, err
	}
	sc.checkMonomerReach()
	return sc, nil
}

// cellVectors are the cell's vectors a, b and c in ångström, in CrystaLattE's frame: a
// along x, b in the xy plane.
type cellVectors struct {
	ax, bx, by, cx, cy, cz float64
}

// newCellVectors computes the cell vectors from the cell's lengths and angles as
// CrystaLattE does, step for step.
func newCellVectors(c cif.Cell) (cellVectors, error) {
	toRad := math.Pi / 180.0
	alpha, beta, gamma := c.Alpha*toRad, c.Beta*toRad, c.Gamma*toRad
	cosa, cosb, cosg, sing := math.Cos(alpha), math.Cos(beta), math.Cos(gamma), math.Sin(gamma)
	// Products are converted (rounded) explicitly wherever a sum follows, so that no
	// multiply-add is fused and every step rounds as CrystaLattE's Python does.
	cosa2, cosb2, sing2 := float64(cosa*cosa), float64(cosb*cosb), float64(sing*sing)
	arg := 1 - (cosa2+cosb2-float64(2*cosg*cosb*cosa))/sing2
	if !(arg > 0) {
		return cellVectors{}, fmt.Errorf("lattice: cell angles %v, %v, %v do not make a cell", c.Alpha, c.Beta, c.Gamma)
	}
	return cellVectors{
		ax: c.A,
		bx: c.B * cosg, by: c.B * sing,
		cx: c.C * cosb,
		cy: c.C * (cosa - float64(cosg*cosb)) / sing,
		cz: c.C * math.Sqrt(arg),
	}, nil
}

// fracAtom is an atom of the unit cell in fractional coordinates, each in [0, 1).
type fracAtom struct {
	symbol string
	f      [3]float64
}

// unitCell returns the atoms of the unit cell: the sites, then the symmetry images of
// every atom (images of images too) that are not within overlapEps of an atom already
// there, sorted by element and reversed, as CrystaLattE orders them.
func (sc *Supercell) unitCell(s *cif.Structure) ([]fracAtom, error) {
	var atoms []fracAtom
	for _, site := range s.Sites {
		el, err := siteElement(site.Label, site.Type)
		if err != nil {
			return nil, fmt.Errorf("lattice: line %d: %w", site.Line, err)
		}
		if _, ok := covalentRadius[el]; !ok {
			return nil, fmt.Errorf("lattice: line %d: atom site %s: element %s has no covalent radius for finding bonds (known: H-Kr and I)", site.Line, qcschema.Quote(site.Label), el)
		}
		atoms = append(atoms, fracAtom{el, [3]float64{wrap1(site.Fract[0]), wrap1(site.Fract[1]), wrap1(site.Fract[2])}})
	}
	for i := 0; i < len(atoms); i++ {
		a := atoms[i]
		for _, op := range s.SymOps {
			x, y, z := op.Apply(a.f[0], a.f[1], a.f[2])
			n := [3]float64{wrap1(x), wrap1(y), wrap1(z)}
			if sc.isNewAtom(atoms, a.symbol, n) {
				atoms = append(atoms, fracAtom{a.symbol, n})
			}
		}
	}
	sort.SliceStable(atoms, func(i, j int) bool { return atoms[i].symbol < atoms[j].symbol })
	for i, j := 0, len(atoms)-1; i < j; i, j = i+1, j-1 {
		atoms[i], atoms[j] = atoms[j], atoms[i]
	}
	return atoms, nil
}

// isNewAtom reports whether an image of an atom of the given symbol at f is within
// overlapEps of none of atoms; it warns, as CrystaLattE does, of each atom of another
// element that it overlaps.
func (sc *Supercell) isNewAtom(atoms []fracAtom, symbol string, f [3]float64) bool {
	isNew := true
	for _, b := range atoms {
		if math.Abs(b.f[0]-f[0]) < overlapEps && math.Abs(b.f[1]-f[1]) < overlapEps && math.Abs(b.f[2]-f[2]) < overlapEps {
			isNew = false
			if b.symbol != symbol {
				sc.Warnings = append(sc.Warnings, fmt.Sprintf("an atom of type %s overlaps an atom of type %s", b.symbol, symbol))
			}
		}
	}
	return isNew
}

// replicate sets the box and the supercell's XYZ lines: every atom of the unit cell in
// each of sc.Cells cells, folded into the box with Python's modulo, as CrystaLattE
// writes them.
func (sc *Supercell) replicate(atoms []fracAtom, v cellVectors) {
	cells := sc.Cells
	boxX, boxY, boxZ := float64(cells[0])*v.ax, float64(cells[1])*v.by, float64(cells[2])*v.cz
	sc.Box = [3]float64{boxX, boxY, boxZ}
	xyz := make([]xyzAtom, 0, len(atoms)*cells[0]*cells[1]*cells[2])
	for _, a := range atoms {
		for i := range cells[0] {
			xf := float64(i) + a.f[0]
			for j := range cells[1] {
				yf := float64(j) + a.f[1]
				for k := range cells[2] {
					zf := float64(k) + a.f[2]
					xa, xb, xc := float64(xf*v.ax), float64(yf*v.bx), float64(zf*v.cx)
					yb, yc := float64(yf*v.by), float64(zf*v.cy)
					zc := float64(zf * v.cz)
					xn := pyMod(float64(xa+xb)+xc+boxX, boxX)
					yn := pyMod(yb+yc+boxY, boxY)
					zn := pyMod(zc+boxZ, boxZ)
					xyz = append(xyz, xyzAtom{a.symbol, fixed12(xn), fixed12(yn), fixed12(zn)})
				}
			}
		}
	}
	sc.xyz = xyz
}

// checkMonomerReach is CrystaLattE's check that the monomer sphere fits in the centred
// supercell; it warns when it does not.
func (sc *Supercell) checkMonomerReach() {
	reach := math.Inf(1)
	for k := range 3 {
		hi := math.Inf(-1)
		for _, g := range sc.Geom {
			hi = math.Max(hi, g[k])
		}
		reach = math.Min(reach, hi)
	}
	if sc.MonomerCutoff/qcschema.AngstromPerBohr > reach {
		sc.Warnings = append(sc.Warnings, fmt.Sprintf("r_cut_monomer (%.2f A) is longer than half the smallest dimension of the supercell (%.2f A): monomers at its edges may be incomplete; use more cells or a shorter cutoff", sc.MonomerCutoff, reach*qcschema.AngstromPerBohr))
	}
}

// center reads the XYZ lines back as CrystaLattE does (numpy.loadtxt), drops atoms whose
// line repeats an earlier one (taking numpy.unique's sorted order when there are any), and
// moves the atoms, in bohr, by half the extent of their bounding box.
func (sc *Supercell) center() error {
	rows := sc.xyz
	seen := make(map[xyzAtom]bool, len(rows))
	dup := 0
	for _, r := range rows {
		if seen[r] {
			dup++
		}
		seen[r] = true
	}
	if dup > 0 {
		order := make([]int, len(rows))
		for i := range order {
			order[i] = i
		}
		less := func(a, b xyzAtom) bool {
			if a.symbol != b.symbol {
				return a.symbol < b.symbol
			}
			if a.x != b.x {
				return a.x < b.x
			}
			if a.y != b.y {
				return a.y < b.y
			}
			return a.z < b.z
		}
		sort.SliceStable(order, func(i, j int) bool { return less(rows[order[i]], rows[order[j]]) })
		uniq := make([]xyzAtom, 0, len(rows)-dup)
		for k, i := range order {
			if k > 0 && rows[order[k-1]] == rows[i] {
				continue
			}
			uniq = append(uniq, rows[i])
		}
		rows = uniq
		sc.Duplicates = dup
		sc.Warnings = append(sc.Warnings, fmt.Sprintf("the supercell has %d duplicate positions; they are skipped (%d unique atoms)", dup, len(rows)))
	}
	sc.Symbols = make([]string, len(rows))
	sc.Geom = make([][3]float64, len(rows))
	lo := [3]float64{math.Inf(1), math.Inf(1), math.Inf(1)}
	hi := [3]float64{math.Inf(-1), math.Inf(-1), math.Inf(-1)}
	for i, r := range rows {
		sc.Symbols[i] = r.symbol
		for k, s := range [3]string{r.x, r.y, r.z} {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return err
			}
			v /= qcschema.AngstromPerBohr
			sc.Geom[i][k] = v
			lo[k], hi[k] = math.Min(lo[k], v), math.Max(hi[k], v)
		}
	}
	for i := range sc.Geom {
		for k := range 3 {
			sc.Geom[i][k] -= (hi[k] - lo[k]) / 2.0
		}
	}
	return nil
}

// WriteXYZ writes the supercell as CrystaLattE writes it (before centring, in ångström).
func (sc *Supercell) WriteXYZ(w io.Writer) error {
	if _, err := fmt.Fprintf(w, "%d\nCrystal created from CIF file. Box size: %20.12f %20.12f %20.12f\n",
		len(sc.xyz), sc.Box[0], sc.Box[1], sc.Box[2]); err != nil {
		return err
	}
	for _, a := range sc.xyz {
		if _, err := fmt.Fprintf(w, "%-10s %20s %20s %20s\n", a.symbol, a.x, a.y, a.z); err != nil {
			return err
		}
	}
	return nil
}

// wrap1 brings a fractional coordinate into [0, 1) as CrystaLattE does: (x + 10) % 1.
func wrap1(x float64) float64 { return pyMod(x+10.0, 1.0) }

// pyMod is Python's float %: the result has the sign of m.
func pyMod(x, m float64) float64 {
	r := math.Mod(x, m)
	if r != 0 {
		if (m < 0) != (r < 0) {
			r += m
		}
	} else {
		r = math.Copysign(0, m)
	}
	return r
}

// fixed12 formats as %.12f.
func fixed12(v float64) string { return strconv.FormatFloat(v, 'f', 12, 64) }
