package psi4_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/qcmb-go/qcmb/engine"
	_ "github.com/qcmb-go/qcmb/engine/psi4" // registers "psi4"
	"github.com/qcmb-go/qcmb/qcschema"
)

// A water molecule at HF/STO-3G through the registry. Psi4's own failures (a bad basis
// name, an SCF that does not converge) arrive as *qcschema.FailedOperation errors.
func Example() {
	in := &qcschema.AtomicInput{
		SchemaName: qcschema.SchemaInput, SchemaVersion: 1,
		Molecule: qcschema.Molecule{
			Symbols:  []string{"O", "H", "H"},
			Geometry: []float64{0, 0, -0.1294769411, 0, -1.494187339, 1.027187872, 0, 1.494187339, 1.027187872},
		},
		Driver:   qcschema.DriverGradient,
		Model:    qcschema.Model{Method: "hf", Basis: "sto-3g"},
		Keywords: map[string]any{"scf_type": "pk", "nthreads": 2},
	}
	res, err := engine.Compute(context.Background(), "psi4", in)
	var failed *qcschema.FailedOperation
	switch {
	case errors.As(err, &failed):
		fmt.Println("psi4 failed:", failed.ComputeError.ErrorType, failed.ComputeError.ErrorMessage)
		return
	case err != nil:
		fmt.Println(err)
		return
	}
	fmt.Printf("E = %.8f Eh, gradient %v\n", *res.Properties.ReturnEnergy, res.ReturnResult.Array)
}
