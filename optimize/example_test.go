package optimize_test

import (
	"context"
	"fmt"
	"math"

	"github.com/qcmb-go/qcmb/optimize"
	"github.com/qcmb-go/qcmb/qcschema"
)

// A Morse oscillator for H2 (hartree, bohr): the optimizer needs only energies and
// gradients, here from a formula.
func ExampleOptimizer_Optimize() {
	const de, a, re = 0.1745, 1.0282, 1.4011
	morse := optimize.Func(func(_ context.Context, m *qcschema.Molecule) (float64, []float64, error) {
		x := m.Geometry
		d := [3]float64{x[3] - x[0], x[4] - x[1], x[5] - x[2]}
		r := math.Sqrt(d[0]*d[0] + d[1]*d[1] + d[2]*d[2])
		e := math.Exp(-a * (r - re))
		energy := de*(1-e)*(1-e) - de
		dEdr := 2 * de * a * e * (1 - e)
		g := make([]float64, 6)
		for k := 0; k < 3; k++ {
			g[3+k] = dEdr * d[k] / r
			g[k] = -g[3+k]
		}
		return energy, g, nil
	})
	h2 := &qcschema.Molecule{Symbols: []string{"H", "H"}, Geometry: []float64{0, 0, 0, 0, 0, 1.8}}
	set, _ := optimize.ConvergenceSet("gau_tight")
	res, err := (&optimize.Optimizer{Convergence: set}).Optimize(context.Background(), morse, h2)
	if err != nil {
		fmt.Println(err)
		return
	}
	x := res.Molecule.Geometry
	fmt.Printf("r = %.4f bohr, E = %.4f hartree\n", x[5]-x[2], res.Energy)
	// Output: r = 1.4011 bohr, E = -0.1745 hartree
}
