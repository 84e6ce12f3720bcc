package manybody

import (
	"fmt"
	"sort"

	"github.com/qcmb-go/qcmb/qcschema"
)

// basisAtoms appends to dst the 0-indexed atoms of the basis fragments, in parent order.
func (c *Core) basisAtoms(dst []int, basis []int) []int {
	if c.contiguous {
		for _, f := range basis {
			dst = append(dst, c.fragAtoms[f-1]...)
		}
		return dst
	}
	start := len(dst)
	for _, f := range basis {
		dst = append(dst, c.fragAtoms[f-1]...)
	}
	sort.Ints(dst[start:])
	return dst
}

// nAtomBasis is the number of atoms of the basis fragments.
func (c *Core) nAtomBasis(basis []int) int {
	n := 0
	for _, f := range basis {
		n += len(c.fragAtoms[f-1])
	}
	return n
}

// TaskAtoms returns the atoms of the parent molecule (0-indexed, in parent order) that a
// task's molecule holds: those of its basis fragments, real and ghost. A gradient or
// Hessian of the task is laid out over them in this order.
func (c *Core) TaskAtoms(t Task) ([]int, error) {
	if err := c.checkTask(t); err != nil {
		return nil, fmt.Errorf("manybody: %w", err)
	}
	return c.basisAtoms(make([]int, 0, c.nAtomBasis(t.Basis)), t.Basis), nil
}

// checkTask validates a task against this Core.
func (c *Core) checkTask(t Task) error {
	if c.mcIndex(t.MC) < 0 && t.MC != c.Estimator() {
		return fmt.Errorf("task %s: unknown model chemistry %q", t.Label(), qcschema.Excerpt(t.MC, qcschema.ExcerptLen))
	}
	if err := checkTaskSets(t.Real, t.Basis, c.nfr); err != nil {
		return fmt.Errorf("task %s: %w", t.Label(), err)
	}
	return nil
}

// Molecule builds the molecule of a task: the atoms of the Basis fragments in parent
// order, atoms of ghost fragments marked real=false, fragments re-indexed, fix_com and
// fix_orientation true. The charge is the sum of the real fragments' charges and the
// multiplicity is high-spin, 1 + sum(m_i - 1) over real fragments; ghost fragments get
// charge 0 and multiplicity 1. With embedding charges, the point charges of fragments not
// in Basis are in extras["embedding_charges"] as [[q, [x, y, z]], ...] (bohr); those
// entries are shared between the molecules of a Core and must not be modified.
func (c *Core) Molecule(t Task) (*qcschema.Molecule, error) {
	if err := c.checkTask(t); err != nil {
		return nil, fmt.Errorf("manybody: %w", err)
	}
	p := c.mol
	n := c.nAtomBasis(t.Basis)
	ints := make([]int, 2*n) // atoms, then fragment members
	atoms := c.basisAtoms(ints[:0], t.Basis)
	members := ints[n:n]

	out := &qcschema.Molecule{
		SchemaName:     p.SchemaName,
		SchemaVersion:  p.SchemaVersion,
		Name:           p.Name,
		FixCom:         true,
		FixOrientation: true,
	}
	if out.SchemaName == "" {
		out.SchemaName = qcschema.SchemaMolecule
		out.SchemaVersion = 2
	}
	if p.FixSymmetry == "c1" {
		out.FixSymmetry = "c1"
	}
	symbols := make([]string, n)
	geom := make([]float64, 3*n)
	realAt := make([]bool, n)
	for i, a := range atoms {
		symbols[i] = p.Symbols[a]
		copy(geom[3*i:3*i+3], p.Geometry[3*a:3*a+3])
	}
	out.Symbols, out.Geometry, out.Real = symbols, geom, realAt
	out.Masses = pick(p.Masses, atoms, c.natom)
	out.AtomLabels = pick(p.AtomLabels, atoms, c.natom)
	out.AtomicNumbers = pick(p.AtomicNumbers, atoms, c.natom)
	out.MassNumbers = pick(p.MassNumbers, atoms, c.natom)

	nb := len(t.Basis)
	frags := make([][]int, nb)
	fchg := make([]float64, 2*nb)
	fmult := fchg[nb : 2*nb : 2*nb]
	fchg = fchg[:nb:nb]
	var charge, mult float64 = 0, 1
	ri, off := 0, 0
	for j, f := range t.Basis {
		isReal := ri < len(t.Real) && t.Real[ri] == f
		if isReal {
			ri++
		}
		fa := c.fragAtoms[f-1]
		start := len(members)
		for _, a := range fa {
			var k int
			if c.contiguous {
				k = off + a - c.fragStart[f-1]
			} else {
				k = sort.SearchInts(atoms, a)
			}
			members = append(members, k)
			realAt[k] = isReal && p.IsReal(a)
		}
		off += len(fa)
		frags[j] = members[start:len(members):len(members)]
		if isReal {
			fchg[j] = c.fragCharge[f-1]
			fmult[j] = c.fragMult[f-1]
			charge += fchg[j]
			mult += fmult[j] - 1
		} else {
			fchg[j] = 0
			fmult[j] = 1
		}
	}
	out.Fragments = frags
	out.FragmentCharges = fchg
	out.FragmentMultiplicities = fmult
	out.MolecularCharge = charge
	out.MolecularMultiplicity = mult

	if c.embedding != nil {
		q := []qcschema.PointCharge{}
		bi := 0
		for f := 1; f <= c.nfr; f++ {
			if bi < len(t.Basis) && t.Basis[bi] == f {
				bi++
				continue
			}
			q = append(q, c.embedding[f-1]...)
		}
		out.Extras = map[string]any{qcschema.EmbeddingChargesKey: q}
	}
	return out, nil
}

// pick returns the entries of the per-atom array src for atoms, or nil when src does not
// hold one entry for each of the parent's natom atoms (the field was not given).
func pick[T any](src []T, atoms []int, natom int) []T {
	if len(src) != natom {
		return nil
	}
	out := make([]T, len(atoms))
	for i, a := range atoms {
		out[i] = src[a]
	}
	return out
}
