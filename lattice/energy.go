package lattice

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/executor/store"
	"github.com/qcmb-go/qcmb/manybody"
	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/qcschema"
)

// Embedded is the registry name of qcmb's embedded Hartree-Fock/MP2 program (package
// engine/hf), the default program when it can compute the method.
const Embedded = "embedded"

// Psi4 is the registry name of Psi4, the program CrystaLattE runs.
const Psi4 = "psi4"

// ProgramKeywords returns the keywords the fragment calculations of in run with on
// program: in.Keywords when given; otherwise the options CrystaLattE sets in Psi4
// (density fitting, frozen core, energy and density converged to 1e-10), or, for the
// embedded program, which computes exact integrals and has no frozen core, the
// convergence alone for Hartree-Fock and frozen core asked for (which it refuses, so that
// psi4 is chosen) for correlated methods.
func ProgramKeywords(in *Input, program string) map[string]any {
	if in.Keywords != nil {
		return in.Keywords
	}
	if strings.EqualFold(program, Embedded) {
		kw := map[string]any{"e_convergence": 1e-10, "d_convergence": 1e-10}
		if m := strings.ToLower(in.Model().Method); m != "hf" && m != "scf" {
			kw["freeze_core"] = true
		}
		return kw
	}
	return map[string]any{
		"scf_type": "df", "mp2_type": "df", "cc_type": "df", "freeze_core": true,
		"e_convergence": 1e-10, "d_convergence": 1e-10,
	}
}

// ChooseProgram returns the program that computes the fragment energies of in for atoms
// of the given elements: in.Program when set; otherwise the embedded program when it is
// registered and can compute in's method, basis and keywords for those elements, and
// psi4 when not.
func ChooseProgram(ctx context.Context, in *Input, symbols []string) string {
	if in.Program != "" {
		return in.Program
	}
	p, err := engine.Lookup(Embedded)
	if err != nil {
		return Psi4
	}
	mol := qcschema.Molecule{Symbols: symbols, Geometry: make([]float64, 3*len(symbols))}
	for i := range symbols {
		mol.Geometry[3*i] = 4 * float64(i) // apart, so that the molecule is valid
	}
	ai := &qcschema.AtomicInput{SchemaName: qcschema.SchemaInput, SchemaVersion: 1, Molecule: mol,
		Driver: qcschema.DriverEnergy, Model: in.Model(), Keywords: ProgramKeywords(in, Embedded)}
	if engine.Check(ctx, p, ai) != nil {
		return Psi4
	}
	return Embedded
}

// Plan is the calculation of a crystal's lattice energy: one many-body expansion of each
// unique n-mer (its non-additive n-body energy with the BSSE treatment asked for), and the
// distinct fragment calculations they need. A fragment calculation that several n-mers
// share (the same atoms, ghosts and positions), or that is a rotated and translated copy
// of another one (to 1e-8 bohr, as the symmetry copies in a crystal are), is run once and
// its energy used for all: energies do not change when a molecule moves rigidly.
type Plan struct {
	Crystal *Crystal
	// Program computes every fragment energy with Keywords.
	Program  string
	Keywords map[string]any
	// Expansions are the many-body expansions of the n-mers of order 2 and more, in the
	// order of Crystal.Nmers.
	Expansions []*computer.Prepared
	Nmers      []*Nmer
	// Tasks are the distinct fragment calculations; MC and Level what each is recorded
	// under; Planned the number of calculations the expansions plan, and Identical and
	// Congruent how many of those are the same as, or a copy of, another.
	Tasks                []executor.Task
	MC                   []string
	Level                []int
	Planned              int
	Identical, Congruent int
	// uses[k][i] is the distinct task that task i of expansion k is.
	uses [][]int
}

// congruenceTolerance is the largest distance in bohr between the atoms of two fragment
// calculations, after the best rotation and translation, for which one's energy is used
// for the other.
const congruenceTolerance = 1e-8

// mcName is the model chemistry of every expansion.
const mcName = manybody.AutoMC

// NewPlan plans the lattice energy of cr with program (from ChooseProgram when empty).
func NewPlan(ctx context.Context, cr *Crystal, program string) (*Plan, error) {
	in := &cr.Input
	if program == "" {
		program = ChooseProgram(ctx, in, elementsOf(cr))
	}
	p := &Plan{Crystal: cr, Program: program, Keywords: ProgramKeywords(in, program)}
	spec := qcschema.AtomicSpecification{Program: program, Model: in.Model(), Keywords: p.Keywords}
	noTotal := false
	for _, nm := range cr.Nmers {
		mbi := &qcschema.ManyBodyInput{
			SchemaName: qcschema.SchemaManyBodyInput, SchemaVersion: 1,
			ID:       nm.Name,
			Molecule: nm.Molecule(),
			Specification: qcschema.ManyBodySpecification{
				Driver: qcschema.DriverEnergy,
				Keywords: qcschema.ManyBodyKeywords{
					BsseType:        qcschema.BsseList{qcschema.BsseType(in.BSSE)},
					ReturnTotalData: &noTotal,
				},
				Specification: map[string]qcschema.AtomicSpecification{mcName: spec},
			},
		}
		prep, err := computer.Prepare(mbi)
		if err != nil {
			return nil, fmt.Errorf("lattice: %s: %w", nm.Name, err)
		}
		p.Expansions = append(p.Expansions, prep)
		p.Nmers = append(p.Nmers, nm)
	}
	if err := p.dedupe(); err != nil {
		return nil, err
	}
	return p, nil
}

func elementsOf(cr *Crystal) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range cr.Monomers {
		for _, s := range m.Symbols {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	sort.Strings(out)
	return out
}

// fragment is one planned calculation while they are grouped into distinct ones.
type fragment struct {
	exp, task int
	mol       *qcschema.Molecule
	types     []string
	invariant float64
}

// dedupe finds the distinct calculations: identical payloads first, then congruent
// molecules (the same elements and ghosts, charge and multiplicity, and positions equal
// after a rotation and translation), which are found among molecules with the same
// atom types by a rotation-invariant sum, then superposed.
func (p *Plan) dedupe() error {
	p.uses = make([][]int, len(p.Expansions))
	byKey := map[store.Key]int{}
	groups := map[string][]int{} // signature -> distinct tasks, by first appearance
	var frags []fragment
	for k, prep := range p.Expansions {
		p.uses[k] = make([]int, len(prep.Tasks))
		for i, t := range prep.Tasks {
			p.Planned++
			key, _, err := store.TaskKey(t.Program, "", t.Payload)
			if err != nil {
				return err
			}
			if d, ok := byKey[key]; ok {
				p.uses[k][i] = d
				p.Identical++
				continue
			}
			mol, err := prep.Core.Molecule(prep.Plan.Tasks[i])
			if err != nil {
				return err
			}
			f := fragment{exp: k, task: i, mol: mol, types: atomTypes(mol)}
			f.invariant = invariant(mol, f.types)
			sig := signature(mol, f.types)
			d := -1
			for _, cand := range groups[sig] {
				c := frags[cand]
				if math.Abs(c.invariant-f.invariant) > 1e-6*math.Max(1, math.Abs(f.invariant)) {
					continue
				}
				if congruent(c, f) {
					d = cand
					break
				}
			}
			if d >= 0 {
				byKey[key] = d
				p.uses[k][i] = d
				p.Congruent++
				continue
			}
			d = len(frags)
			frags = append(frags, f)
			groups[sig] = append(groups[sig], d)
			byKey[key] = d
			p.uses[k][i] = d
			pt := prep.Plan.Tasks[i]
			task := t
			task.ID = p.Nmers[k].Name + " " + pt.Label()
			p.Tasks = append(p.Tasks, task)
			p.MC = append(p.MC, pt.MC)
			p.Level = append(p.Level, pt.Level)
		}
	}
	return nil
}

// atomTypes are the element symbols of a molecule's atoms, with "@" for ghosts.
func atomTypes(m *qcschema.Molecule) []string {
	t := make([]string, len(m.Symbols))
	for i, s := range m.Symbols {
		t[i] = s
		if !m.IsReal(i) {
			t[i] = "@" + s
		}
	}
	return t
}

// signature is what congruent calculations share exactly: the atom types (as a
// multiset), the charge and the multiplicity.
func signature(m *qcschema.Molecule, types []string) string {
	s := append([]string(nil), types...)
	sort.Strings(s)
	return fmt.Sprintf("%s|%g|%g", strings.Join(s, " "), m.MolecularCharge, m.MolecularMultiplicity)
}

// invariant is a sum over atom pairs that rotations and translations keep: the products
// of their nuclear charges (ghosts counting as a third more) over their distances.
func invariant(m *qcschema.Molecule, types []string) float64 {
	w := make([]float64, len(types))
	for i, s := range m.Symbols {
		z, _ := qcschema.ElementZ(s)
		w[i] = float64(z)
		if strings.HasPrefix(types[i], "@") {
			w[i] *= 4.0 / 3
		}
	}
	var sum float64
	for i := range w {
		for j := range i {
			sum += w[i] * w[j] / pairDistance(m.Coord(i), m.Coord(j))
		}
	}
	return sum
}

// congruent reports whether b is a, rotated and translated, to congruenceTolerance.
func congruent(a, b fragment) bool {
	sa := shape{types: a.types, pos: coords(a.mol)}
	sb := shape{types: b.types, pos: coords(b.mol)}
	sp, ok := align(sa, sb, false, 1e-6)
	return ok && sp.maxDev <= congruenceTolerance
}

func coords(m *qcschema.Molecule) [][3]float64 {
	out := make([][3]float64, len(m.Symbols))
	for i := range out {
		out[i] = m.Coord(i)
	}
	return out
}

// Batch is the batch of the plan's distinct calculations, for computer.Computer.Execute.
func (p *Plan) Batch() computer.Batch {
	hashes := make([]string, len(p.Expansions))
	for i, e := range p.Expansions {
		hashes[i] = e.InputHash()
	}
	return computer.Batch{Tasks: p.Tasks, MC: p.MC, Level: p.Level,
		InputHash: store.InputHash([]byte(strings.Join(hashes, "\n")))}
}

// Check asks the program, before any work, whether it is available and can compute the
// largest n-mer (every n-mer's atoms are copies of its elements).
func (p *Plan) Check(ctx context.Context) error {
	var largest *computer.Prepared
	for _, e := range p.Expansions {
		if largest == nil || len(e.Input.Molecule.Symbols) > len(largest.Input.Molecule.Symbols) {
			largest = e
		}
	}
	if largest == nil {
		return nil
	}
	return computer.Check(ctx, largest)
}

// Run checks the program (unless comp.SkipCheck), runs the distinct calculations with
// comp (its executor, store, statistics and progress) and assembles the lattice energy.
// Failed calculations give comp's *computer.RunError; what finished is in the store.
func (p *Plan) Run(ctx context.Context, comp *computer.Computer) (*Result, error) {
	if !comp.SkipCheck {
		if err := p.Check(ctx); err != nil {
			return nil, err
		}
	}
	results, err := comp.Execute(ctx, p.Batch())
	if err != nil {
		return nil, err
	}
	return p.Assemble(results)
}

// Assemble computes the lattice energy from the results of the distinct calculations
// (in the order of Tasks): each n-mer's expansion gets the results of its tasks, and its
// non-additive energy is its interaction energy through n bodies less that through n-1.
func (p *Plan) Assemble(results []*qcschema.AtomicResult) (*Result, error) {
	if len(results) != len(p.Tasks) {
		return nil, fmt.Errorf("lattice: %d results for %d calculations", len(results), len(p.Tasks))
	}
	bsse := p.Crystal.Input.BSSE
	energy := map[*Nmer]float64{}
	for k, prep := range p.Expansions {
		rs := make([]*qcschema.AtomicResult, len(prep.Tasks))
		for i, d := range p.uses[k] {
			rs[i] = results[d]
		}
		res, err := computer.Assemble(prep, rs)
		if err != nil {
			return nil, fmt.Errorf("lattice: %s: %w", p.Nmers[k].Name, err)
		}
		n := p.Nmers[k].N()
		through := func(m int) (float64, error) {
			if m < 2 {
				return 0, nil
			}
			name := fmt.Sprintf("%s_corrected_interaction_energy_through_%d_body", bsse, m)
			v, ok := res.Properties.Energies[name]
			if !ok {
				return 0, fmt.Errorf("lattice: %s: the expansion has no %s", p.Nmers[k].Name, name)
			}
			return v, nil
		}
		hi, err := through(n)
		if err != nil {
			return nil, err
		}
		lo, err := through(n - 1)
		if err != nil {
			return nil, err
		}
		energy[p.Nmers[k]] = hi - lo
	}
	r := newResult(p)
	r.Computed = true
	for i := range r.Rows {
		row := &r.Rows[i]
		row.NonAdditive = energy[row.Nmer]
		row.Contribution = row.NonAdditive * float64(row.Nmer.Replicas) / float64(row.Nmer.N())
		r.LatticeEnergy += row.Contribution
		row.Cumulative = r.LatticeEnergy
	}
	return r, nil
}

// Enumeration is the result of a test-mode run: the n-mers in CrystaLattE's order and
// the calculations they would need, without energies.
func (p *Plan) Enumeration() *Result { return newResult(p) }

// newResult lays out the rows of p's n-mers in CrystaLattE's order: by decreasing
// PriorityCutoff, ties in order of creation.
func newResult(p *Plan) *Result {
	r := &Result{Crystal: p.Crystal, Program: p.Program, FragmentCalculations: len(p.Tasks), Planned: p.Planned}
	for _, nm := range p.Nmers {
		r.Rows = append(r.Rows, Row{Nmer: nm})
	}
	sort.SliceStable(r.Rows, func(i, j int) bool { return r.Rows[i].Nmer.PriorityCutoff > r.Rows[j].Nmer.PriorityCutoff })
	return r
}

// Result is the lattice energy of a crystal and its terms.
type Result struct {
	Crystal *Crystal
	Program string
	// Rows are the unique n-mers in CrystaLattE's order (decreasing PriorityCutoff).
	Rows []Row
	// LatticeEnergy is the sum of the contributions, in hartree.
	LatticeEnergy float64
	// Computed is false for an enumeration (test mode): no energies.
	Computed bool
	// FragmentCalculations is the number of distinct fragment calculations; Planned the
	// number the n-mers' expansions plan before those shared or congruent are merged.
	FragmentCalculations, Planned int
}

// Row is one n-mer's share of the lattice energy, in hartree.
type Row struct {
	Nmer *Nmer
	// NonAdditive is the n-mer's non-additive n-body energy; Contribution that times its
	// replicas over n; Cumulative the sum of the contributions down to this row.
	NonAdditive, Contribution, Cumulative float64
}

// Compute reads the input's CIF, enumerates the n-mers, and computes the lattice energy
// with comp (a zero Computer runs the calculations one after another in this process);
// in test mode (cle_run_type test) it only enumerates.
func Compute(ctx context.Context, in *Input, comp *computer.Computer) (*Result, error) {
	cr, err := Load(in)
	if err != nil {
		return nil, err
	}
	p, err := NewPlan(ctx, cr, in.Program)
	if err != nil {
		return nil, err
	}
	if in.TestOnly() {
		return p.Enumeration(), nil
	}
	if comp == nil {
		comp = &computer.Computer{}
	}
	return p.Run(ctx, comp)
}
