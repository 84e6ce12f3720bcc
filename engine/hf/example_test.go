package hf_test

import (
	"context"
	"errors"
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

func ExampleGradient_mp2() {
	water := []hf.Atom{
		{Z: 8, Pos: [3]float64{0, 0, -0.1294769411}},
		{Z: 1, Pos: [3]float64{0, -1.494187339, 1.027187872}},
		{Z: 1, Pos: [3]float64{0, 1.494187339, 1.027187872}},
	}
	// analytic RMP2 gradient (relaxed density, Z-vector orbital response)
	res, err := hf.Gradient(context.Background(), water, hf.Options{Method: "mp2", Basis: "6-31g"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("E(MP2/6-31G) = %.8f Eh, dE/dz(O) = %.6f Eh/bohr\n", res.Energy, res.Gradient[2])
	// Output:
	// E(MP2/6-31G) = -76.11289316 Eh, dE/dz(O) = -0.030596 Eh/bohr
}

func ExampleSCFError() {
	water := []hf.Atom{
		{Z: 8, Pos: [3]float64{0, 0, -0.1294769411}},
		{Z: 1, Pos: [3]float64{0, -1.494187339, 1.027187872}},
		{Z: 1, Pos: [3]float64{0, 1.494187339, 1.027187872}},
	}
	_, err := hf.Energy(context.Background(), water, hf.Options{Method: "hf", Basis: "6-31g", MaxIter: 3})
	var se *hf.SCFError
	if errors.As(err, &se) {
		fmt.Printf("SCF %s; %d iterations recorded, the last at E = %.4f Eh\n", se.Reason, len(se.History), se.Last().Energy)
	}
	// Output:
	// SCF did not converge; 3 iterations recorded, the last at E = -75.9654 Eh
}
