package qcengine_test

import (
	"context"
	"fmt"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/engine/qcengine"
	"github.com/qcmb-go/qcmb/qcschema"
)

// Two ways to pick the QCEngine program: register a fixed bridge under a name of your
// choice, or use the generic "qcengine" program with extras["qcengine_program"].
func Example() {
	engine.Register("qcengine:psi4", qcengine.New("psi4"))

	in := &qcschema.AtomicInput{
		SchemaName: qcschema.SchemaInput, SchemaVersion: 1,
		Molecule: qcschema.Molecule{
			Symbols:  []string{"O", "H", "H"},
			Geometry: []float64{0, 0, -0.1294769411, 0, -1.494187339, 1.027187872, 0, 1.494187339, 1.027187872},
		},
		Driver:   qcschema.DriverEnergy,
		Model:    qcschema.Model{Method: "hf", Basis: "sto-3g"},
		Keywords: map[string]any{"scf_type": "pk"},
	}
	res, err := engine.Compute(context.Background(), "qcengine:psi4", in)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("E = %.8f Eh\n", res.ReturnResult.Scalar)

	in.Extras = map[string]any{qcengine.ProgramKey: "psi4"}
	res, err = engine.Compute(context.Background(), "qcengine", in)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("E = %.8f Eh\n", res.ReturnResult.Scalar)
}
