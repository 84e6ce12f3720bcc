package lattice

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/qcmb-go/qcmb/qcschema"
)

// Energy conversions: QCElemental's factors from the hartree (CODATA 2018).
const (
	KcalPerMolPerHartree = 627.5094740631
	KJPerMolPerHartree   = 2625.4996394799
)

// Unit is an energy unit of the summary table.
type Unit int

const (
	KJPerMol Unit = iota
	KcalPerMol
)

func (u Unit) perHartree() float64 {
	if u == KcalPerMol {
		return KcalPerMolPerHartree
	}
	return KJPerMolPerHartree
}

func (u Unit) String() string {
	if u == KcalPerMol {
		return "kcal/mol"
	}
	return "kJ/mol"
}

const tableRule = "---------------------------+--------------+------+--------------+---------------+--------------+----------------"

// WriteTable writes CrystaLattE's summary of results: per n-mer, in its order, the
// non-additive energy, the replicas, the contribution, the running lattice energy, the
// priority and the closest-atom distances of its monomer pairs (Å), then the lattice
// energy in kJ/mol and kcal/mol. Energies in the rows are in unit (CrystaLattE's is
// kJ/mol); without energies (test mode) the rows say "Not Computed".
func (r *Result) WriteTable(w io.Writer, unit Unit) error {
	u := fmt.Sprintf("(%s)", unit)
	var b strings.Builder
	b.WriteString("\nSummary of results:\n" + tableRule + "\n")
	fmt.Fprintf(&b, "                           | Non-Additive | Num. |        N-mer | Partial Crys. |  Calculation | Minimum Monomer\n")
	fmt.Fprintf(&b, "N-mer Name                 |    MB Energy | Rep. | Contribution | Lattice Ener. |     Priority | Separations\n")
	fmt.Fprintf(&b, "                           | %12s |  (#) | %12s | %13s | (Arb. Units) | (A)\n", u, u, u)
	b.WriteString(tableRule + "\n")
	f := unit.perHartree()
	for _, row := range r.Rows {
		nm := row.Nmer
		var seps strings.Builder
		for _, s := range sortedCopy(nm.MinSeparations) {
			fmt.Fprintf(&seps, "%6.3f ", s*qcschema.AngstromPerBohr)
		}
		if r.Computed {
			fmt.Fprintf(&b, "%-26s | %12.8f | %4d | %12.8f | %13.8f | %12.6e | %s\n", nm.Name,
				row.NonAdditive*f, nm.Replicas, row.Contribution*f, row.Cumulative*f, nm.PriorityCutoff, seps.String())
		} else {
			fmt.Fprintf(&b, "%-26s | %12s | %4d | %12s | %13s | %12.6e | %s\n", nm.Name,
				"Not Computed", nm.Replicas, "Not Computed", "Not Computed", nm.PriorityCutoff, seps.String())
		}
	}
	b.WriteString(tableRule + "\n\n")
	fmt.Fprintf(&b, "Crystal Lattice Energy (kJ/mol)   = %9.8f\n", r.LatticeEnergy*KJPerMolPerHartree)
	fmt.Fprintf(&b, "Crystal Lattice Energy (kcal/mol) = %9.8f\n", r.LatticeEnergy*KcalPerMolPerHartree)
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteEnumeration writes what the enumeration found, as CrystaLattE's verbose output
// says it: the supercell, the monomers, and per n-mer order the unique n-mers and the
// candidates each filter discarded.
func (cr *Crystal) WriteEnumeration(w io.Writer) error {
	var b strings.Builder
	sc := cr.Supercell
	fmt.Fprintf(&b, "Supercell: %d x %d x %d cells, %d atoms", sc.Cells[0], sc.Cells[1], sc.Cells[2], len(sc.Symbols))
	if sc.Duplicates > 0 {
		fmt.Fprintf(&b, " (%d duplicate positions skipped)", sc.Duplicates)
	}
	fmt.Fprintf(&b, "; r_cut_monomer = %.3f A\n", sc.MonomerCutoff)
	fmt.Fprintf(&b, "%d monomers within r_cut_monomer of the centre\n", len(cr.Monomers))
	names := [...]string{2: "dimers", 3: "trimers", 4: "tetramers", 5: "pentamers"}
	for n := 2; n <= cr.Input.NmersUpTo; n++ {
		c := cr.Counts[n]
		fmt.Fprintf(&b, "%d unique %s; discarded: %d by the %s cutoff, %d by r_cut_com, %d as replicas\n",
			c.Unique, names[n], c.Separation, strings.TrimSuffix(names[n], "s"), c.COM, c.Replicas)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func sortedCopy(v []float64) []float64 {
	out := append([]float64(nil), v...)
	sort.Float64s(out)
	return out
}

// MarshalJSON writes the result as
//
//	{"lattice_energy": {"hartree": x, "kj_per_mol": y, "kcal_per_mol": z},
//	 "nmers": [{"name", "n", "replicas", "nuclear_repulsion_energy", "nonadditive_energy", "contribution"}, ...],
//	 "fragment_calculations": N}
//
// with energies in hartree, n-mers in the table's order, and fragment_calculations the
// number of distinct fragment calculations. Without energies (test mode) lattice_energy,
// nonadditive_energy and contribution are null.
func (r *Result) MarshalJSON() ([]byte, error) {
	type energy struct {
		Hartree    float64 `json:"hartree"`
		KJPerMol   float64 `json:"kj_per_mol"`
		KcalPerMol float64 `json:"kcal_per_mol"`
	}
	type nmer struct {
		Name         string   `json:"name"`
		N            int      `json:"n"`
		Replicas     int      `json:"replicas"`
		NRE          float64  `json:"nuclear_repulsion_energy"`
		NonAdditive  *float64 `json:"nonadditive_energy"`
		Contribution *float64 `json:"contribution"`
	}
	doc := struct {
		LatticeEnergy        *energy `json:"lattice_energy"`
		Nmers                []nmer  `json:"nmers"`
		FragmentCalculations int     `json:"fragment_calculations"`
	}{Nmers: make([]nmer, len(r.Rows)), FragmentCalculations: r.FragmentCalculations}
	if r.Computed {
		doc.LatticeEnergy = &energy{r.LatticeEnergy, r.LatticeEnergy * KJPerMolPerHartree, r.LatticeEnergy * KcalPerMolPerHartree}
	}
	for i, row := range r.Rows {
		doc.Nmers[i] = nmer{Name: row.Nmer.Name, N: row.Nmer.N(), Replicas: row.Nmer.Replicas, NRE: row.Nmer.NuclearRepulsion}
		if r.Computed {
			doc.Nmers[i].NonAdditive, doc.Nmers[i].Contribution = &row.NonAdditive, &row.Contribution
		}
	}
	return json.Marshal(doc)
}
