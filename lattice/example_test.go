package lattice_test

import (
	"context"
	"fmt"
	"strings"

	_ "github.com/qcmb-go/qcmb/engine/hf" // the embedded program
	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/lattice"
	"github.com/qcmb-go/qcmb/manybody/computer"
)

// The lattice energy of crystalline ammonia from CrystaLattE's own test input: dimers and
// trimers of the reference molecule at HF/STO-3G, counterpoise-corrected, computed by the
// embedded program on two goroutines.
func ExampleCompute() {
	cle := `# CrystaLattE input
cif_input       = ../testdata/crystalatte/data/cif/Ammonia.cif
cif_a           = 3
cif_b           = 3
cif_c           = 3
nmers_up_to     = 3
r_cut_com       = 6.5
r_cut_monomer   = 3.5
r_cut_dimer     = 2.6
r_cut_trimer    = 3.7
cle_run_type    = psi4api
psi4_method     = HF/STO-3G
psi4_bsse       = cp
`
	in, err := lattice.ParseCLE(strings.NewReader(cle), "ammonia.cle")
	if err != nil {
		fmt.Println(err)
		return
	}
	comp := &computer.Computer{Executor: executor.NewPool(2, executor.Options{})}
	res, err := lattice.Compute(context.Background(), in, comp)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, row := range res.Rows {
		fmt.Printf("%-10s replicas %d  %+.4f kJ/mol\n", row.Nmer.Name, row.Nmer.Replicas, row.NonAdditive*lattice.KJPerMolPerHartree)
	}
	fmt.Printf("lattice energy %.4f kJ/mol from %d fragment calculations (%d planned)\n",
		res.LatticeEnergy*lattice.KJPerMolPerHartree, res.FragmentCalculations, res.Planned)
	// Output:
	// 2mer-0+1   replicas 6  +1.1264 kJ/mol
	// 3mer-0+1+2 replicas 3  +0.0531 kJ/mol
	// 3mer-0+1+6 replicas 3  -0.1128 kJ/mol
	// lattice energy 3.3195 kJ/mol from 13 fragment calculations (17 planned)
}
