package manybody_test

import (
	"context"
	"fmt"
	"log"

	"github.com/qcmb-go/qcmb/engine/hf"
	"github.com/qcmb-go/qcmb/manybody"
	"github.com/qcmb-go/qcmb/qcschema"
)

// The Core plans and assembles; any program computes the fragments. Here the embedded
// Hartree-Fock program computes every task of a counterpoise-corrected water dimer at
// HF/STO-3G, and the Core assembles the interaction energy.
func ExampleCore_embeddedProgram() {
	mol, err := qcschema.ParsePsi4(`
O  -1.551007  -0.114520   0.000000
H  -1.934259   0.762503   0.000000
H  -0.599677   0.040712   0.000000
--
O   1.350625   0.111469   0.000000
H   1.680398  -0.373741  -0.758561
H   1.680398  -0.373741   0.758561`) // angstrom, the psi4-string default
	if err != nil {
		log.Fatal(err)
	}
	core, err := manybody.NewCore(mol, manybody.Keywords{
		BsseType:        []qcschema.BsseType{qcschema.BsseCP, qcschema.BsseNoCP},
		Levels:          map[int]string{1: "hf", 2: "hf"},
		ReturnTotalData: true,
	})
	if err != nil {
		log.Fatal(err)
	}
	components := map[string]manybody.Component{}
	for _, task := range core.Plan().Tasks {
		sub, err := core.Molecule(task) // ghost atoms, charge, multiplicity, embedding charges
		if err != nil {
			log.Fatal(err)
		}
		res, err := hf.Compute(context.Background(), &qcschema.AtomicInput{
			Molecule: *sub, Driver: qcschema.DriverEnergy,
			Model: qcschema.Model{Method: "hf", Basis: "sto-3g"},
		})
		if err != nil {
			log.Fatal(err)
		}
		components[task.Label()] = manybody.Component{Energy: *res.Properties.ReturnEnergy}
	}
	a, err := core.Analyze(components)
	if err != nil {
		log.Fatal(err)
	}
	const kcal = 627.5094740631
	fmt.Printf("tasks: %d\n", len(components))
	fmt.Printf("cp interaction energy:   %.3f kcal/mol\n", kcal*a.Properties.Energies["cp_corrected_interaction_energy"])
	fmt.Printf("nocp interaction energy: %.3f kcal/mol\n", kcal*a.Properties.Energies["nocp_corrected_interaction_energy"])
	// Output:
	// tasks: 5
	// cp interaction energy:   -1.401 kcal/mol
	// nocp interaction energy: -5.531 kcal/mol
}
