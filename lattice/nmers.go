package lattice

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/qcmb-go/qcmb/lattice/cif"
	"github.com/qcmb-go/qcmb/qcschema"
)

// Monomer is a molecule of the supercell within r_cut_monomer of its centre.
type Monomer struct {
	// Index is CrystaLattE's number of the monomer: its rank by the distance of its
	// closest atom to the centre of the supercell (0 is the reference monomer).
	Index   int
	Symbols []string
	// Geom are the positions in bohr.
	Geom [][3]float64
	// RMin is the distance in bohr of its closest atom to the centre of the supercell.
	RMin float64
	// COM is the centre of mass in bohr (QCElemental's isotope masses).
	COM [3]float64
}

// Nmer is a symmetry-unique n-mer: the reference monomer and n-1 others.
type Nmer struct {
	// Name is CrystaLattE's name, "<n>mer-0+i+j...", from the monomer numbers.
	Name string
	// Monomers are the monomer numbers, the reference (0) first.
	Monomers []int
	// Symbols and Geom (bohr) are the atoms, monomer after monomer.
	Symbols []string
	Geom    [][3]float64
	// AtomsPerMonomer are the numbers of atoms of each monomer.
	AtomsPerMonomer []int
	// Replicas counts the n-mers that contain the reference monomer and are copies of
	// this one (itself included).
	Replicas int
	// NuclearRepulsion is the nuclear repulsion energy in hartree.
	NuclearRepulsion float64
	// MinSeparations are the closest-atom distances (bohr) between the monomers of each
	// pair, pairs in order (0,i), (0,j), ..., (i,j), ...; COMSeparations the distances
	// between their centres of mass.
	MinSeparations, COMSeparations []float64
	// Priorities are CrystaLattE's: the product over pairs of 1/r^3 of the closest-atom
	// (PriorityMin) and centre-of-mass (PriorityCOM) distances, and PriorityCutoff,
	// 1/max(r)^(n^2) plus 1e-10 times the sum of 1/r^(n^2) over the pairs after the
	// first, by which CrystaLattE orders its calculations and its table.
	PriorityMin, PriorityCOM, PriorityCutoff float64
	// ChSEV are the eigenvalues of the n-mer's chemical-space (Coulomb) matrix, by
	// decreasing magnitude.
	ChSEV []float64
}

// N is the order of the n-mer.
func (n *Nmer) N() int { return len(n.Monomers) }

// MaxMinSeparation and MaxCOMSeparation are the largest pair distances, in bohr, that the
// n-mer cutoffs and r_cut_com are compared with.
func (n *Nmer) MaxMinSeparation() float64 { return maxOf(n.MinSeparations) }

// MaxCOMSeparation is the largest distance between the centres of mass of two monomers.
func (n *Nmer) MaxCOMSeparation() float64 { return maxOf(n.COMSeparations) }

// Molecule returns the n-mer as a QCSchema molecule, one fragment per monomer.
func (n *Nmer) Molecule() qcschema.Molecule {
	m := qcschema.Molecule{
		SchemaName: qcschema.SchemaMolecule, SchemaVersion: 2,
		Symbols:  append([]string(nil), n.Symbols...),
		Geometry: make([]float64, 0, 3*len(n.Geom)),
	}
	for _, g := range n.Geom {
		m.Geometry = append(m.Geometry, g[0], g[1], g[2])
	}
	at := 0
	for _, k := range n.AtomsPerMonomer {
		f := make([]int, k)
		for i := range f {
			f[i] = at + i
		}
		m.Fragments = append(m.Fragments, f)
		at += k
	}
	return m
}

// Crystal is a crystal as CrystaLattE enumerates it: its supercell, the monomers around
// the centre, and the symmetry-unique n-mers that contain the reference monomer, in the
// order CrystaLattE creates them (dimers, then trimers, ...).
type Crystal struct {
	Input     Input
	Supercell *Supercell
	Monomers  []*Monomer
	Nmers     []*Nmer
	// Counts are, per n-mer order (index 2 to 5), what the enumeration did.
	Counts [6]Counts
	// Warnings are CrystaLattE's warnings about the CIF, the cell and the cutoffs.
	Warnings []string
}

// Counts says how the n-mers of one order were found.
type Counts struct {
	// Unique n-mers, and candidates discarded by the n-mer cutoff, by r_cut_com, and as
	// replicas of a unique one.
	Unique, Separation, COM, Replicas int
}

// Load reads the input's CIF and enumerates its crystal.
func Load(in *Input) (*Crystal, error) {
	s, err := cif.ReadFile(in.Path(in.CIF))
	if err != nil {
		return nil, fmt.Errorf("lattice: %w", err)
	}
	return Enumerate(in, s)
}

// nmerCutoff is the largest cutoff of the n-mer orders asked for, from which CrystaLattE
// sizes an automatic monomer cutoff. CrystaLattE leaves it at 0 for pentamers; so does
// this, so that the same supercell comes out.
func (in *Input) nmerCutoff() float64 {
	switch in.NmersUpTo {
	case 2:
		return in.RCutDimer
	case 3:
		return math.Max(in.RCutDimer, in.RCutTrimer)
	case 4:
		return math.Max(in.RCutDimer, math.Max(in.RCutTrimer, in.RCutTetramer))
	}
	return 0
}

// cutoff is the n-mer cutoff of order n in ångström.
func (in *Input) cutoff(n int) float64 {
	return [...]float64{2: in.RCutDimer, 3: in.RCutTrimer, 4: in.RCutTetramer, 5: in.RCutPentamer}[n]
}

// Enumerate builds the supercell of s and finds the monomers and the unique n-mers as
// CrystaLattE does (cif_main, supercell2monomers, build_nmer): the same supercell, the
// molecules by covalent connectivity, the monomers within r_cut_monomer of the centre,
// and every n-mer of the reference monomer with n-1 others whose monomer pairs are all
// within the n-mer cutoff (closest atoms) and r_cut_com (centres of mass); an n-mer whose
// nuclear repulsion energy is within 1e-8 hartree of a unique one's, and whose
// chemical-space eigenvalues are within 1e-8 (or, with the Dreamaligner filter, which
// superposes within 1e-3 Å RMSD, mirror images included), is a replica of it.
func Enumerate(in *Input, s *cif.Structure) (*Crystal, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	s, notes, err := readCell(s, in.CellUncertainty)
	if err != nil {
		return nil, err
	}
	sc, err := BuildSupercell(s, [3]int{in.CellsA, in.CellsB, in.CellsC}, in.RCutMonomer, in.nmerCutoff())
	if err != nil {
		return nil, err
	}
	cr := &Crystal{Input: *in, Supercell: sc, Warnings: append(notes, sc.Warnings...)}
	cr.Monomers = monomers(sc, in.BFSThreshold, sc.MonomerCutoff)
	if len(cr.Monomers) == 0 {
		return nil, fmt.Errorf("lattice: no molecule within r_cut_monomer (%.3f A) of the centre of the supercell", sc.MonomerCutoff)
	}
	e := newEnumerator(cr)
	for n := 2; n <= in.NmersUpTo; n++ {
		e.build(n)
	}
	for _, nm := range cr.Nmers {
		if nm.ChSEV == nil {
			nm.ChSEV = chemicalSpace(nm.Symbols, nm.Geom)
		}
	}
	return cr, nil
}

// readCell returns s with its cell parameters read as reading says (Input.CellUncertainty),
// and a note for each that CrystaLattE's reading changed. CrystaLattE deletes the
// parentheses of a standard uncertainty, so that 11.938(1) becomes 11.9381 Å; its n-mers,
// nuclear repulsion energies and lattice energies are those of that cell.
func readCell(s *cif.Structure, reading string) (*cif.Structure, []string, error) {
	if reading == CellCIF {
		return s, nil, nil
	}
	out := *s
	var notes []string
	names := [6]string{"_cell_length_a", "_cell_length_b", "_cell_length_c", "_cell_angle_alpha", "_cell_angle_beta", "_cell_angle_gamma"}
	dst := [6]*float64{&out.Cell.A, &out.Cell.B, &out.Cell.C, &out.Cell.Alpha, &out.Cell.Beta, &out.Cell.Gamma}
	for i, text := range s.Cell.Text {
		if !strings.Contains(text, "(") {
			continue
		}
		joined := strings.NewReplacer("(", "", ")", "").Replace(text)
		v, err := strconv.ParseFloat(joined, 64)
		if err != nil {
			return nil, nil, fmt.Errorf("lattice: %s %s: %q is not a number once its parentheses are removed, as CrystaLattE reads it; use cell_uncertainty %q", names[i], excerpt(text), excerpt(joined), CellCIF)
		}
		if v != *dst[i] {
			notes = append(notes, fmt.Sprintf("%s %s is read as %s, as CrystaLattE reads it (cell_uncertainty %q reads %v)", names[i], text, joined, CellCIF, *dst[i]))
		}
		*dst[i] = v
	}
	return &out, notes, nil
}

// monomers finds the molecules of the supercell by covalent connectivity and keeps those
// whose closest atom is within cutoff (ångström) of the centre, numbered by that distance.
func monomers(sc *Supercell, bfsThresh, cutoff float64) []*Monomer {
	frags := molecules(sc.Symbols, sc.Geom, bfsThresh)
	type ranked struct {
		atoms []int
		rmin  float64
	}
	rs := make([]ranked, len(frags))
	for i, f := range frags {
		r := math.Inf(1)
		for _, a := range f {
			g := sc.Geom[a]
			r = math.Min(r, math.Sqrt(float64(float64(g[0]*g[0])+float64(g[1]*g[1]))+float64(g[2]*g[2])))
		}
		rs[i] = ranked{f, r}
	}
	// CrystaLattE sorts with numpy's argsort, which leaves ties in no defined order; a
	// stable sort keeps them in molecule order.
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].rmin < rs[j].rmin })
	limit := cutoff / qcschema.AngstromPerBohr
	var out []*Monomer
	for _, r := range rs {
		if r.rmin > limit {
			break
		}
		m := &Monomer{Index: len(out), RMin: r.rmin}
		var mass float64
		for _, a := range r.atoms {
			m.Symbols = append(m.Symbols, sc.Symbols[a])
			m.Geom = append(m.Geom, sc.Geom[a])
			w, _ := qcschema.SymbolMass(sc.Symbols[a])
			for k := range 3 {
				m.COM[k] += float64(w * sc.Geom[a][k])
			}
			mass += w
		}
		for k := range 3 {
			m.COM[k] /= mass
		}
		out = append(out, m)
	}
	return out
}

// molecules partitions atoms into covalently bound molecules as Psi4's qcdb.bfs does in
// CrystaLattE: two atoms are bonded when closer than 1.2 times the sum of their covalent
// radii; molecules are the connected sets, each sorted, ordered by their first atom.
// Atoms are binned into cubes of ceil(2 bfs_thresh r_max) bohr, as there, and only
// neighbouring cubes are searched (so a bfs_thresh below 1.2 can miss bonds, as it does
// there).
func molecules(symbols []string, geom [][3]float64, bfsThresh float64) [][]int {
	n := len(symbols)
	radii := make([]float64, n)
	maxR := 0.0
	bySymbol := map[string]float64{}
	for i, s := range symbols {
		r, ok := bySymbol[s]
		if !ok {
			r = covalentRadius[s] / qcschema.AngstromPerBohr
			bySymbol[s] = r
		}
		radii[i] = r
		maxR = math.Max(maxR, r)
	}
	block := math.Ceil(2.0 * bfsThresh * maxR)
	type key [3]int
	cubes := map[key][]int{}
	var order []key // cubes in order of their first atom
	for i, g := range geom {
		k := key{int(math.Floor(g[0] / block)), int(math.Floor(g[1] / block)), int(math.Floor(g[2] / block))}
		if _, ok := cubes[k]; !ok {
			order = append(order, k)
		}
		cubes[k] = append(cubes[k], i)
	}
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for _, k := range order {
		atoms := cubes[k]
		for dx := -1; dx <= 1; dx++ {
			for dy := -1; dy <= 1; dy++ {
				for dz := -1; dz <= 1; dz++ {
					for _, j := range cubes[key{k[0] + dx, k[1] + dy, k[2] + dz}] {
						for _, i := range atoms {
							if j <= i || pairDistance(geom[i], geom[j]) >= 1.2*(radii[i]+radii[j]) {
								continue
							}
							if ri, rj := find(i), find(j); ri != rj {
								parent[max(ri, rj)] = min(ri, rj)
							}
						}
					}
				}
			}
		}
	}
	groups := map[int][]int{}
	var roots []int
	for i := range n {
		r := find(i)
		if _, ok := groups[r]; !ok {
			roots = append(roots, r)
		}
		groups[r] = append(groups[r], i)
	}
	out := make([][]int, len(roots))
	for k, r := range roots {
		out[k] = groups[r]
	}
	return out
}

// pairDistance is the distance between two points as numpy computes it in CrystaLattE's
// distance matrices: the squares summed in order, then the root.
func pairDistance(a, b [3]float64) float64 {
	dx, dy, dz := a[0]-b[0], a[1]-b[1], a[2]-b[2]
	return math.Sqrt(float64(float64(dx*dx)+float64(dy*dy)) + float64(dz*dz))
}

// enumerator builds the n-mers of a crystal, caching the pair distances of monomers.
type enumerator struct {
	cr     *Crystal
	in     *Input
	minSep map[[2]int]float64
}

func newEnumerator(cr *Crystal) *enumerator {
	return &enumerator{cr: cr, in: &cr.Input, minSep: map[[2]int]float64{}}
}

// pairMin is the closest-atom distance of monomers i < j.
func (e *enumerator) pairMin(i, j int) float64 {
	k := [2]int{i, j}
	if d, ok := e.minSep[k]; ok {
		return d
	}
	a, b := e.cr.Monomers[i], e.cr.Monomers[j]
	d := math.Inf(1)
	for _, p := range a.Geom {
		for _, q := range b.Geom {
			d = math.Min(d, pairDistance(p, q))
		}
	}
	e.minSep[k] = d
	return d
}

// pairCOM is the distance between the centres of mass of monomers i and j.
func (e *enumerator) pairCOM(i, j int) float64 {
	return pairDistance(e.cr.Monomers[i].COM, e.cr.Monomers[j].COM)
}

// separations returns the pair distances of a set of monomers, pairs in CrystaLattE's
// order.
func (e *enumerator) separations(ms []int) (minSep, comSep []float64) {
	for x := range ms {
		for y := x + 1; y < len(ms); y++ {
			minSep = append(minSep, e.pairMin(ms[x], ms[y]))
			comSep = append(comSep, e.pairCOM(ms[x], ms[y]))
		}
	}
	return minSep, comSep
}

// build finds the unique n-mers of order n (CrystaLattE's build_nmer).
func (e *enumerator) build(n int) {
	cut := e.in.cutoff(n) / qcschema.AngstromPerBohr
	com := e.in.RCutCOM / qcschema.AngstromPerBohr
	total := len(e.cr.Monomers)
	// Candidates: for dimers every monomer; for larger n-mers those that form a dimer
	// with the reference monomer within this order's cutoffs.
	var others []int
	for j := 1; j < total; j++ {
		if n == 2 || (e.pairMin(0, j) <= cut && e.pairCOM(0, j) <= com) {
			others = append(others, j)
		}
	}
	counts := &e.cr.Counts[n]
	var unique []*Nmer // of this order, sorted by nuclear repulsion energy
	combo := make([]int, n-1)
	var rec func(start, depth int)
	rec = func(start, depth int) {
		if depth == n-1 {
			ms := append([]int{0}, combo...)
			minSep, comSep := e.separations(ms)
			if maxOf(minSep) > cut {
				counts.Separation++
				return
			}
			if maxOf(comSep) > com {
				counts.COM++
				return
			}
			nm := e.newNmer(ms, minSep, comSep)
			if dup := e.duplicateOf(unique, nm); dup != nil {
				dup.Replicas++
				counts.Replicas++
				return
			}
			k := sort.Search(len(unique), func(i int) bool { return unique[i].NuclearRepulsion > nm.NuclearRepulsion })
			unique = append(unique, nil)
			copy(unique[k+1:], unique[k:])
			unique[k] = nm
			e.cr.Nmers = append(e.cr.Nmers, nm)
			counts.Unique++
			return
		}
		for i := start; i < len(others); i++ {
			combo[depth] = others[i]
			rec(i+1, depth+1)
		}
	}
	rec(0, 0)
}

// nreTolerance and chsevTolerance are CrystaLattE's: n-mers whose nuclear repulsion
// energies and chemical-space eigenvalues differ by less are replicas. rmsdTolerance is
// its Dreamaligner threshold in ångström.
const (
	nreTolerance   = 1e-8
	chsevTolerance = 1e-8
	rmsdTolerance  = 1e-3
)

// duplicateOf returns the first-created unique n-mer that nm is a replica of, or nil.
// unique is sorted by nuclear repulsion energy.
func (e *enumerator) duplicateOf(unique []*Nmer, nm *Nmer) *Nmer {
	lo := sort.Search(len(unique), func(i int) bool { return unique[i].NuclearRepulsion >= nm.NuclearRepulsion-nreTolerance })
	var cands []*Nmer
	for i := lo; i < len(unique) && unique[i].NuclearRepulsion <= nm.NuclearRepulsion+nreTolerance; i++ {
		cands = append(cands, unique[i])
	}
	// In order of creation, as CrystaLattE compares them.
	sort.SliceStable(cands, func(i, j int) bool { return creationBefore(cands[i].Monomers, cands[j].Monomers) })
	for _, c := range cands {
		if math.Abs(c.NuclearRepulsion-nm.NuclearRepulsion) > nreTolerance {
			continue
		}
		if e.in.UniqFilter == FilterDreamaligner {
			sp, ok := align(shape{c.Symbols, c.Geom}, shape{nm.Symbols, nm.Geom}, true, 0.01/qcschema.AngstromPerBohr)
			if ok && sp.rmsd*qcschema.AngstromPerBohr < rmsdTolerance {
				return c
			}
			continue
		}
		if c.ChSEV == nil {
			c.ChSEV = chemicalSpace(c.Symbols, c.Geom)
		}
		if nm.ChSEV == nil {
			nm.ChSEV = chemicalSpace(nm.Symbols, nm.Geom)
		}
		if len(c.ChSEV) == len(nm.ChSEV) {
			var d float64
			for i := range c.ChSEV {
				d += (c.ChSEV[i] - nm.ChSEV[i]) * (c.ChSEV[i] - nm.ChSEV[i])
			}
			if math.Sqrt(d) < chsevTolerance {
				return c
			}
		}
	}
	return nil
}

// creationBefore orders n-mers of one order as CrystaLattE creates them: by their monomer
// numbers, lexicographically.
func creationBefore(a, b []int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// newNmer assembles an n-mer of monomers ms with its pair separations, nuclear repulsion
// energy and priorities.
func (e *enumerator) newNmer(ms []int, minSep, comSep []float64) *Nmer {
	nm := &Nmer{Monomers: ms, Replicas: 1, MinSeparations: minSep, COMSeparations: comSep}
	names := make([]string, len(ms))
	for i, m := range ms {
		mon := e.cr.Monomers[m]
		nm.Symbols = append(nm.Symbols, mon.Symbols...)
		nm.Geom = append(nm.Geom, mon.Geom...)
		nm.AtomsPerMonomer = append(nm.AtomsPerMonomer, len(mon.Symbols))
		names[i] = strconv.Itoa(m)
	}
	nm.Name = fmt.Sprintf("%dmer-%s", len(ms), strings.Join(names, "+"))
	nm.NuclearRepulsion = nuclearRepulsion(nm.Symbols, nm.Geom)
	nm.PriorityMin, nm.PriorityCOM = 1.0, 1.0
	for i := range minSep {
		nm.PriorityMin *= 1.0 / math.Pow(minSep[i], 3)
		nm.PriorityCOM *= 1.0 / math.Pow(comSep[i], 3)
	}
	p := math.Pow(float64(len(ms)), 2.0)
	nm.PriorityCutoff = 1.0 / math.Pow(maxOf(minSep), p)
	add := 0.0
	for i, r := range minSep {
		if i != 0 {
			add += 1.0e-10 / math.Pow(r, p)
		}
	}
	nm.PriorityCutoff += add
	return nm
}

// nuclearRepulsion is the nuclear repulsion energy in hartree of atoms at geom (bohr).
func nuclearRepulsion(symbols []string, geom [][3]float64) float64 {
	z := charges(symbols)
	var e float64
	for i := range geom {
		for j := range i {
			e += z[i] * z[j] / pairDistance(geom[i], geom[j])
		}
	}
	return e
}

func charges(symbols []string) []float64 {
	z := make([]float64, len(symbols))
	for i, s := range symbols {
		n, _ := qcschema.ElementZ(s)
		z[i] = float64(n)
	}
	return z
}

// chemicalSpace returns the eigenvalues of the Coulomb matrix (Z_i Z_j / r_ij off the
// diagonal, Z_i^2.4 / 2 on it; Rupp et al., Phys. Rev. Lett. 108, 058301) sorted as
// CrystaLattE sorts them: by decreasing magnitude, positive first among equal magnitudes.
func chemicalSpace(symbols []string, geom [][3]float64) []float64 {
	z := charges(symbols)
	n := len(z)
	m := mat.NewSymDense(n, nil)
	for i := range n {
		m.SetSym(i, i, math.Pow(z[i], 2.4)/2.0)
		for j := range i {
			m.SetSym(i, j, z[i]*z[j]/pairDistance(geom[i], geom[j]))
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(m, false) {
		return make([]float64, n)
	}
	v := eig.Values(nil)
	sort.SliceStable(v, func(i, j int) bool { return v[i] > v[j] })
	sort.SliceStable(v, func(i, j int) bool { return math.Abs(v[i]) > math.Abs(v[j]) })
	return v
}

func maxOf(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = math.Max(m, x)
	}
	return m
}
