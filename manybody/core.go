package manybody

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/qcmb-go/qcmb/qcschema"
)

// Keywords are the many-body settings the Core works from, already resolved by the
// Computer's rules (see KeywordsFromInput): every n-body level from 1 to the highest has a
// model chemistry.
type Keywords struct {
	// BsseType lists the BSSE treatments; the first is the one returned. Aliases "ssfc"
	// (cp), "mbe" and "none" (nocp) are accepted; duplicates are dropped.
	BsseType []qcschema.BsseType
	// Levels maps each n-body level 1..max_nbody to its model chemistry. Levels of one
	// model chemistry must be contiguous.
	Levels map[int]string
	// Supersystem is the model chemistry of the "supersystem" level, "" if none.
	Supersystem string
	// ReturnTotalData selects total (true) or interaction (false) data for the returned
	// values.
	ReturnTotalData bool
	// SupersystemIEOnly computes only the 1-body and nfragments-body tasks.
	SupersystemIEOnly bool
	// EmbeddingCharges maps each 1-indexed fragment to one point charge per atom; nil if
	// no charge embedding.
	EmbeddingCharges map[int][]float64
	// Screening, when set, drops the clusters of distant fragments (see Screening).
	Screening *Screening
}

// clone returns a deep copy of k.
func (k Keywords) clone() Keywords {
	out := k
	out.BsseType = append([]qcschema.BsseType(nil), k.BsseType...)
	if k.Levels != nil {
		out.Levels = make(map[int]string, len(k.Levels))
		for n, mc := range k.Levels {
			out.Levels[n] = mc
		}
	}
	out.Screening = k.Screening.clone()
	if k.EmbeddingCharges != nil {
		out.EmbeddingCharges = make(map[int][]float64, len(k.EmbeddingCharges))
		for f, q := range k.EmbeddingCharges {
			out.EmbeddingCharges[f] = append([]float64(nil), q...)
		}
	}
	return out
}

// MaxTasks bounds the number of tasks a Core will plan.
const MaxTasks = 50_000_000

// Core plans the fragment calculations of a many-body expansion and assembles their
// results. It is QCManyBody's ManyBodyCore. A Core is safe for concurrent use.
type Core struct {
	coreData

	planOnce sync.Once
	plan     *Plan

	coefOnce sync.Once
	coef     *coefficients

	graphOnce sync.Once
	graph     *clusterGraph // of an adaptive Core
}

// coreData is what NewCore sets up, read-only afterwards: the final Core of an adaptive
// expansion shares it but for the clusters kept.
type coreData struct {
	mol   *qcschema.Molecule
	kw    Keywords
	nfr   int
	natom int

	fragAtoms  [][]int // 0-indexed atoms of each fragment, sorted
	fragStart  []int   // first atom of each fragment when contiguous
	contiguous bool    // fragments are consecutive blocks in order

	fragCharge []float64
	fragMult   []float64
	embedding  [][]qcschema.PointCharge // per fragment, shared read-only

	bsse    []qcschema.BsseType // effective
	hasBT   [3]bool             // nocp, cp, vmfc
	mcs     []mcLevel
	maxNB   int
	ssIndex int // index of the supersystem mc in mcs, -1 if none

	// planned are the model chemistries the plan has tasks of: mcs, and an energy
	// screening estimator last.
	planned []mcLevel

	// scr holds the clusters screening keeps, nil without screening (or with energy
	// screening alone and no threshold). screened is true when the plan and coefficients
	// come from the kept clusters (screening dropped some, or energy screening decides as
	// results arrive); otherwise the Core is the unscreened expansion.
	scr      *screen
	screened bool

	// adaptive says how energy screening decides, nil when it does not.
	adaptive *adaptivity
}

const (
	btNoCP = iota
	btCP
	btVMFC
)

func btIndex(b qcschema.BsseType) int {
	switch b {
	case qcschema.BsseNoCP:
		return btNoCP
	case qcschema.BsseCP:
		return btCP
	case qcschema.BsseVMFC:
		return btVMFC
	}
	return -1
}

// NormalizeBsseType lowercases, resolves QCManyBody's aliases ("ssfc" -> cp, "mbe" and
// "none" -> nocp) and removes duplicates, keeping the first occurrence.
func NormalizeBsseType(in []qcschema.BsseType) ([]qcschema.BsseType, error) {
	out := make([]qcschema.BsseType, 0, len(in))
	seen := map[qcschema.BsseType]bool{}
	for _, b := range in {
		s := strings.ToLower(strings.TrimSpace(string(b)))
		switch s {
		case "ssfc":
			s = "cp"
		case "mbe", "none":
			s = "nocp"
		}
		bt := qcschema.BsseType(s)
		if btIndex(bt) < 0 {
			return nil, fmt.Errorf("bsse_type: unknown BSSE treatment %q (want nocp, cp or vmfc)", qcschema.Excerpt(string(b), qcschema.ExcerptLen))
		}
		if !seen[bt] {
			seen[bt] = true
			out = append(out, bt)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("bsse_type: no BSSE treatment given")
	}
	return out, nil
}

// NewCore checks mol and kw and returns a Core. Errors name the offending field.
func NewCore(mol *qcschema.Molecule, kw Keywords) (*Core, error) {
	c, err := newCore(mol, kw)
	if err != nil {
		return nil, fmt.Errorf("manybody: %w", err)
	}
	return c, nil
}

// newCore builds a Core in named steps, each checking the part of the input it reads;
// the first error found is returned.
func newCore(mol *qcschema.Molecule, kw Keywords) (*Core, error) {
	if mol == nil {
		return nil, fmt.Errorf("molecule: nil")
	}
	c := &Core{coreData: coreData{kw: kw.clone(), ssIndex: -1}}
	m := *mol
	c.mol = &m
	if err := c.setAtoms(mol); err != nil {
		return nil, err
	}
	if err := c.setFragments(mol.Fragments); err != nil {
		return nil, err
	}
	// Elements, and charges and multiplicities consistent with the electron counts, with
	// those not given filled as QCElemental fills them.
	norm := mol.Clone()
	if err := norm.Normalize(); err != nil {
		return nil, fmt.Errorf("molecule: %w", err)
	}
	if err := c.setFragmentStates(norm); err != nil {
		return nil, err
	}
	bt, err := NormalizeBsseType(kw.BsseType)
	if err != nil {
		return nil, err
	}
	c.kw.BsseType = append([]qcschema.BsseType(nil), bt...)
	if err := c.setLevels(kw.Levels, kw.Supersystem); err != nil {
		return nil, err
	}
	if kw.Screening != nil {
		if err := c.setScreening(kw.Screening, bt, norm.Geometry); err != nil {
			return nil, err
		}
	}
	c.setEffectiveBsse(bt)
	c.planned = c.mcs
	if kw.Screening != nil && kw.Screening.Energy.active() {
		if err := c.setAdaptive(kw.Screening.Energy); err != nil {
			return nil, err
		}
	}
	if kw.SupersystemIEOnly {
		if err := c.checkSupersystemIEOnly(bt); err != nil {
			return nil, err
		}
	}
	if err := c.checkPlanSize(); err != nil {
		return nil, err
	}
	if len(kw.EmbeddingCharges) == 0 {
		c.kw.EmbeddingCharges = nil
		return c, nil
	}
	if err := c.setEmbedding(kw.EmbeddingCharges, norm.Geometry); err != nil {
		return nil, err
	}
	return c, nil
}

// setAtoms checks the atoms of mol: symbols, a finite geometry of the right size, the real
// flags, and no two atoms on one point.
func (c *Core) setAtoms(mol *qcschema.Molecule) error {
	c.natom = len(mol.Symbols)
	if c.natom == 0 {
		return fmt.Errorf("molecule.symbols: no atoms")
	}
	if len(mol.Geometry) != 3*c.natom {
		return fmt.Errorf("molecule.geometry: %d values for %d atoms (want %d)", len(mol.Geometry), c.natom, 3*c.natom)
	}
	for i, x := range mol.Geometry {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("molecule.geometry[%d]: %v", i, x)
		}
	}
	if mol.Real != nil && len(mol.Real) != c.natom {
		return fmt.Errorf("molecule.real: %d values for %d atoms", len(mol.Real), c.natom)
	}
	return checkCoincident(mol.Symbols, mol.Geometry)
}

// setFragments checks that the fragments partition the atoms, at least two of them, and
// records each fragment's sorted atoms and whether the fragments are consecutive blocks.
func (c *Core) setFragments(fragments [][]int) error {
	c.nfr = len(fragments)
	if c.nfr < 2 {
		return fmt.Errorf("molecule.fragments: fragmentation has not been specified (%d fragment(s)); a many-body expansion needs at least 2", c.nfr)
	}
	owner := make([]int, c.natom)
	for i := range owner {
		owner[i] = -1
	}
	c.fragAtoms = make([][]int, c.nfr)
	c.fragStart = make([]int, c.nfr)
	c.contiguous = true
	next := 0
	for f, atoms := range fragments {
		if len(atoms) == 0 {
			return fmt.Errorf("molecule.fragments[%d]: empty fragment", f)
		}
		a := append([]int(nil), atoms...)
		sort.Ints(a)
		for _, i := range a {
			if i < 0 || i >= c.natom {
				return fmt.Errorf("molecule.fragments[%d]: atom index %d out of range [0, %d)", f, i, c.natom)
			}
			if owner[i] >= 0 {
				return fmt.Errorf("molecule.fragments[%d]: atom %d already in fragment %d", f, i, owner[i])
			}
			owner[i] = f
		}
		c.fragAtoms[f] = a
		c.fragStart[f] = a[0]
		for j, i := range atoms {
			if i != next+j {
				c.contiguous = false
			}
		}
		next += len(atoms)
	}
	for i, f := range owner {
		if f < 0 {
			return fmt.Errorf("molecule.fragments: atom %d is in no fragment", i)
		}
	}
	return nil
}

// setFragmentStates takes the fragment charges and multiplicities of the normalized
// molecule; without them the fragments are neutral singlets, which a charged or open-shell
// molecule cannot be.
func (c *Core) setFragmentStates(mol *qcschema.Molecule) error {
	switch {
	case mol.FragmentCharges == nil:
		if mol.MolecularCharge != 0 {
			return fmt.Errorf("molecule.fragment_charges: needed when molecular_charge is %v", mol.MolecularCharge)
		}
		c.fragCharge = make([]float64, c.nfr)
	case len(mol.FragmentCharges) != c.nfr:
		return fmt.Errorf("molecule.fragment_charges: %d values for %d fragments", len(mol.FragmentCharges), c.nfr)
	default:
		c.fragCharge = append([]float64(nil), mol.FragmentCharges...)
	}
	switch {
	case mol.FragmentMultiplicities == nil:
		if mol.MolecularMultiplicity > 1 {
			return fmt.Errorf("molecule.fragment_multiplicities: needed when molecular_multiplicity is %v", mol.MolecularMultiplicity)
		}
		c.fragMult = make([]float64, c.nfr)
		for i := range c.fragMult {
			c.fragMult[i] = 1
		}
	case len(mol.FragmentMultiplicities) != c.nfr:
		return fmt.Errorf("molecule.fragment_multiplicities: %d values for %d fragments", len(mol.FragmentMultiplicities), c.nfr)
	default:
		c.fragMult = append([]float64(nil), mol.FragmentMultiplicities...)
		for i, x := range c.fragMult {
			if x < 1 {
				return fmt.Errorf("molecule.fragment_multiplicities[%d]: %v < 1", i, x)
			}
		}
	}
	return nil
}

// setScreening checks the screening keyword and finds the clusters distance screening
// keeps; with energy thresholds, those are the candidates the decisions choose from.
func (c *Core) setScreening(s *Screening, bt []qcschema.BsseType, geom []float64) error {
	if err := s.check("", c.maxNB, bt, c.kw.SupersystemIEOnly); err != nil {
		return err
	}
	active := s.Energy.active()
	if s.Energy != nil {
		if err := s.Energy.checkEstimator("screening.energy", c.ModelChemistries()); err != nil {
			return err
		}
	}
	if !s.byDistance() && !active {
		return nil // thresholds 0 only: the unscreened expansion
	}
	sc, err := newScreen(s, geom, c.fragAtoms, c.maxNB, MaxTasks)
	if err != nil {
		return err
	}
	sc.distance = s.byDistance()
	c.scr, c.screened = sc, sc.dropped || active
	return nil
}

// setEffectiveBsse applies the VMFC rule to the requested treatments bt: a single model
// chemistry with vmfc yields nocp, and cp when max_nbody is the number of fragments (not
// when screening dropped a cluster: cp cannot be screened).
func (c *Core) setEffectiveBsse(bt []qcschema.BsseType) {
	c.bsse = append([]qcschema.BsseType(nil), bt...)
	if slices.Contains(c.bsse, qcschema.BsseVMFC) && len(c.mcs) == 1 {
		if !slices.Contains(c.bsse, qcschema.BsseNoCP) {
			c.bsse = append(c.bsse, qcschema.BsseNoCP)
		}
		if !slices.Contains(c.bsse, qcschema.BsseCP) && c.maxNB == c.nfr && !c.screened {
			c.bsse = append(c.bsse, qcschema.BsseCP)
		}
	}
	for _, b := range c.bsse {
		c.hasBT[btIndex(b)] = true
	}
}

// checkSupersystemIEOnly checks that skipping the intermediate levels is possible: the
// expansion runs to the whole cluster at one model chemistry, without vmfc.
func (c *Core) checkSupersystemIEOnly(bt []qcschema.BsseType) error {
	if c.maxNB != c.nfr {
		return fmt.Errorf("supersystem_ie_only: cannot skip intermediate n-body jobs when max_nbody=%d != nfragments=%d", c.maxNB, c.nfr)
	}
	if slices.Contains(c.bsse, qcschema.BsseVMFC) {
		return fmt.Errorf("supersystem_ie_only: cannot skip intermediate n-body jobs when vmfc is in bsse_type %v; use cp instead", bt)
	}
	if len(c.mcs) != 1 {
		return fmt.Errorf("supersystem_ie_only: not available with more than one model chemistry (levels %s, supersystem %s)", qcschema.Excerpt(fmt.Sprint(c.kw.Levels), qcschema.ExcerptLen), qcschema.Quote(c.kw.Supersystem))
	}
	return nil
}

// checkPlanSize refuses plans too large to enumerate, counting their tasks before any is
// made.
func (c *Core) checkPlanSize() error {
	var ntask float64
	for i := range c.planned {
		g := c.genSpecFor(&c.planned[i])
		for s := 1; s <= c.nfr; s++ {
			if !g.own[s] && !g.full[s] && !g.ghost[s] {
				continue
			}
			count := binomFloat(c.nfr, s)
			if c.screened {
				count = float64(c.scr.count(s))
			}
			if g.own[s] {
				ntask += count
			}
			if g.full[s] {
				ntask += count
			}
			if g.ghost[s] {
				ntask += count * (math.Pow(2, float64(s)) - 2)
			}
		}
	}
	if ntask > MaxTasks {
		return fmt.Errorf("levels: the plan would have %.4g tasks, more than %d; lower max_nbody", ntask, MaxTasks)
	}
	return nil
}

// setEmbedding checks the embedding charges (one finite charge per atom of every fragment,
// total data returned) and places them on their atoms.
func (c *Core) setEmbedding(charges map[int][]float64, geom []float64) error {
	if !c.kw.ReturnTotalData {
		return fmt.Errorf("return_total_data: cannot return interaction data when using embedding charges")
	}
	if len(charges) != c.nfr {
		return fmt.Errorf("embedding_charges: want entries for each of the %d 1-indexed fragments, got %d", c.nfr, len(charges))
	}
	c.embedding = make([][]qcschema.PointCharge, c.nfr)
	for f := 1; f <= c.nfr; f++ {
		q, ok := charges[f]
		if !ok {
			return fmt.Errorf("embedding_charges: no entry for fragment %d", f)
		}
		atoms := c.fragAtoms[f-1]
		if len(q) != len(atoms) {
			return fmt.Errorf("embedding_charges[%d]: %d charges for %d atoms", f, len(q), len(atoms))
		}
		ent := make([]qcschema.PointCharge, len(atoms))
		for j, a := range atoms {
			if math.IsNaN(q[j]) || math.IsInf(q[j], 0) {
				return fmt.Errorf("embedding_charges[%d][%d]: %v", f, j, q[j])
			}
			g := geom[3*a : 3*a+3]
			ent[j] = qcschema.PointCharge{Q: q[j], Pos: [3]float64{g[0], g[1], g[2]}}
		}
		c.embedding[f-1] = ent
	}
	return nil
}

// NFragments is the number of fragments.
func (c *Core) NFragments() int { return c.nfr }

// NAtom is the number of atoms of the whole molecule.
func (c *Core) NAtom() int { return c.natom }

// MaxNbody is the highest n-body level of the expansion (without any supersystem).
func (c *Core) MaxNbody() int { return c.maxNB }

// Keywords returns a copy of the keywords the Core was built with, bsse_type normalized.
func (c *Core) Keywords() Keywords { return c.kw.clone() }

// EffectiveBsseType is the list of BSSE treatments after the VMFC rule: single-modelchem
// VMFC also yields nocp, and cp when max_nbody == nfragments.
func (c *Core) EffectiveBsseType() []qcschema.BsseType {
	return append([]qcschema.BsseType(nil), c.bsse...)
}

// HasSupersystem reports whether a "supersystem" level is present.
func (c *Core) HasSupersystem() bool { return c.ssIndex >= 0 }

// ModelChemistries lists the model chemistries ordered by the lowest n-body level they
// cover, any supersystem model chemistry last.
func (c *Core) ModelChemistries() []string {
	out := make([]string, len(c.mcs))
	for i, m := range c.mcs {
		out[i] = m.name
	}
	return out
}

// NBodiesPerMC maps each model chemistry to the n-body levels it covers; the supersystem
// model chemistry maps to an empty list.
func (c *Core) NBodiesPerMC() map[string][]int {
	out := make(map[string][]int, len(c.mcs))
	for _, m := range c.mcs {
		out[m.name] = append([]int{}, m.nbodies...)
	}
	return out
}

func (c *Core) mcIndex(name string) int {
	for i := range c.mcs {
		if c.mcs[i].name == name {
			return i
		}
	}
	return -1
}
