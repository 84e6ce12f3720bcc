package hf_test

import (
	"context"
	"fmt"

	"github.com/qcmb-go/qcmb/engine/hf"
)

func Example() {
	// Water, bohr.
	water := []hf.Atom{
		{Z: 8, Pos: [3]float64{0, 0, -0.1294769411}},
		{Z: 1, Pos: [3]float64{0, -1.494187339, 1.027187872}},
		{Z: 1, Pos: [3]float64{0, 1.494187339, 1.027187872}},
	}
	res, err := hf.Gradient(context.Background(), water, hf.Options{Method: "hf", Basis: "sto-3g"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("E(HF/STO-3G) = %.8f Eh in %d basis functions\n", res.Energy, res.NBasis)
	fmt.Printf("dE/dz(O) = %.6f Eh/bohr\n", res.Gradient[2])

	mp2, err := hf.Energy(context.Background(), water, hf.Options{Method: "mp2", Basis: "sto-3g"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("E(MP2/STO-3G) = %.8f Eh\n", mp2.Energy)
	// Output:
	// E(HF/STO-3G) = -74.96466205 Eh in 7 basis functions
	// dE/dz(O) = 0.001898 Eh/bohr
	// E(MP2/STO-3G) = -75.00381357 Eh
}
