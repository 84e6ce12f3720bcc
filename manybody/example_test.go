package manybody_test

import (
	"fmt"
	"log"

	"github.com/qcmb-go/qcmb/manybody"
	"github.com/qcmb-go/qcmb/qcschema"
)

// waterTrimer is three water molecules, one fragment each. QCSchema geometry is in bohr:
// these are the angstrom coordinates of a water trimer divided by 0.52917721067.
func waterTrimer() *qcschema.Molecule {
	return &qcschema.Molecule{
		Symbols: []string{"O", "H", "H", "O", "H", "H", "O", "H", "H"},
		Geometry: []float64{
			-2.930978, -0.216411, 0.000000, -3.655220, 1.440922, 0.000000, -1.133225, 0.076935, 0.000000,
			2.552311, 0.210646, 0.000000, 3.175492, -0.706268, -1.433473, 3.175492, -0.706268, 1.433473,
			-0.330702, 5.291233, 0.000000, 1.133836, 6.425069, 0.000000, -1.700754, 6.614041, 0.000000,
		},
		Fragments:              [][]int{{0, 1, 2}, {3, 4, 5}, {6, 7, 8}},
		FragmentCharges:        []float64{0, 0, 0},
		FragmentMultiplicities: []float64{1, 1, 1},
	}
}

// The counterpoise-corrected two-body expansion of a water trimer: monomers and dimers in
// the trimer basis, and monomers in their own basis for the total energy.
func ExampleCore_Plan() {
	core, err := manybody.NewCore(waterTrimer(), manybody.Keywords{
		BsseType:        []qcschema.BsseType{qcschema.BsseCP},
		Levels:          map[int]string{1: "mp2", 2: "mp2"},
		ReturnTotalData: true,
	})
	if err != nil {
		log.Fatal(err)
	}
	plan := core.Plan()
	for _, t := range plan.Tasks {
		fmt.Println(t.Level, t.Label())
	}
	fmt.Println(plan.Counts)
	// Output:
	// 1 ["mp2", [1], [1]]
	// 1 ["mp2", [2], [2]]
	// 1 ["mp2", [3], [3]]
	// 1 ["mp2", [1], [1, 2, 3]]
	// 1 ["mp2", [2], [1, 2, 3]]
	// 1 ["mp2", [3], [1, 2, 3]]
	// 2 ["mp2", [1, 2], [1, 2, 3]]
	// 2 ["mp2", [1, 3], [1, 2, 3]]
	// 2 ["mp2", [2, 3], [1, 2, 3]]
	// map[mp2:map[1:6 2:3]]
}

// A non-counterpoise-corrected three-body expansion assembled from given fragment energies.
func ExampleCore_Analyze() {
	core, err := manybody.NewCore(waterTrimer(), manybody.Keywords{
		BsseType:        []qcschema.BsseType{qcschema.BsseNoCP},
		Levels:          map[int]string{1: "hf", 2: "hf", 3: "hf"},
		ReturnTotalData: true,
	})
	if err != nil {
		log.Fatal(err)
	}
	energies := map[string]float64{
		`["hf", [1], [1]]`:             -76.0267,
		`["hf", [2], [2]]`:             -76.0264,
		`["hf", [3], [3]]`:             -76.0261,
		`["hf", [1, 2], [1, 2]]`:       -152.0600,
		`["hf", [1, 3], [1, 3]]`:       -152.0590,
		`["hf", [2, 3], [2, 3]]`:       -152.0570,
		`["hf", [1, 2, 3], [1, 2, 3]]`: -228.0960,
	}
	components := map[string]manybody.Component{}
	for label, e := range energies {
		components[label] = manybody.Component{Energy: e}
	}
	a, err := core.Analyze(components)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("total energy       %.4f\n", a.ReturnEnergy)
	fmt.Printf("through 2-body     %.4f\n", a.EnergyBodyDict[qcschema.BsseNoCP][2])
	fmt.Printf("interaction energy %.4f\n", a.Properties.Energies["nocp_corrected_interaction_energy"])
	fmt.Printf("3-body term        %.4f\n", a.Properties.Energies["nocp_corrected_3_body_contribution_to_energy"])
	// Output:
	// total energy       -228.0960
	// through 2-body     -228.0968
	// interaction energy -0.0168
	// 3-body term        0.0008
}
