package components_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/qcmb-go/qcmb/manybody/components"
	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/qcschema"
)

// Read the fragment energies Psi4 computed for a counterpoise-corrected water dimer, as
// QCManyBody's component dictionary, and assemble the interaction energy.
func ExampleRead() {
	data, _ := os.ReadFile("../../testdata/inputs/qcmanybody_water_dimer_cp_energy.json")
	in, _, err := qcschema.DecodeManyBodyInput(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	p, _ := computer.PreparePlan(in) // the plan alone: no task payloads
	dict := `{
		"[\"scf\", [1], [1]]": -74.9633150791658,
		"[\"scf\", [2], [2]]": -74.96336076046636,
		"[\"scf\", [1], [1, 2]]": -74.96354933259263,
		"[\"scf\", [2], [1, 2]]": -74.96958385549408,
		"[\"scf\", [1, 2], [1, 2]]": {"energy": -149.93290895957344}
	}`
	set, err := components.Read(context.Background(), strings.NewReader(dict), p)
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := set.Assemble(p)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("CP interaction energy: %.6f kcal/mol\n", res.ReturnResult.Scalar*627.5094740631)

	_, err = components.Read(context.Background(), strings.NewReader(`{"[\"scf\", [1], [1]]": -74.9633150791658}`), p)
	fmt.Println(err)
	// Output:
	// CP interaction energy: 0.140706 kcal/mol
	// no result for task ["scf", [2], [2]], ["scf", [1], [1, 2]], ["scf", [2], [1, 2]], ["scf", [1, 2], [1, 2]]
}
