package xtb_test

import (
	"context"
	"fmt"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/engine/xtb"
	"github.com/qcmb-go/qcmb/qcschema"
)

// A GFN2-xTB gradient of water. A planner asks engine.SupportsGhosts before it plans
// counterpoise-corrected tasks, which xtb cannot run.
func Example() {
	p := &xtb.Program{Threads: 1}
	if !engine.SupportsGhosts(p) {
		fmt.Println("xtb: use bsse_type nocp")
	}
	in := &qcschema.AtomicInput{
		SchemaName: qcschema.SchemaInput, SchemaVersion: 1,
		Molecule: qcschema.Molecule{
			Symbols:  []string{"O", "H", "H"},
			Geometry: []float64{0, 0, -0.1294769411, 0, -1.494187339, 1.027187872, 0, 1.494187339, 1.027187872},
		},
		Driver: qcschema.DriverGradient,
		Model:  qcschema.Model{Method: "gfn2-xtb"},
	}
	res, err := p.Compute(context.Background(), in)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("E = %.8f Eh, gradient %v\n", *res.Properties.ReturnEnergy, res.ReturnResult.Array)
}
