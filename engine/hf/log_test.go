package hf

import (
	"fmt"
	"testing"
)

func TestOpenShells(t *testing.T) {
	cases := []struct {
		name  string
		atoms []Atom
		opt   Options
	}{
		{"O2 triplet", []Atom{{Z: 8}, {Z: 8, Pos: [3]float64{0, 0, 2.28}}}, Options{Basis: "6-31g*", Multiplicity: 3}},
		{"NO", []Atom{{Z: 7}, {Z: 8, Pos: [3]float64{0, 0, 2.17}}}, Options{Basis: "6-31g*", Multiplicity: 2}},
		{"CH2 triplet", []Atom{{Z: 6}, {Z: 1, Pos: [3]float64{0, 1.9, 0.6}}, {Z: 1, Pos: [3]float64{0, -1.9, 0.6}}}, Options{Basis: "cc-pvdz", Multiplicity: 3}},
		{"Fe atom quintet", []Atom{{Z: 26}}, Options{Basis: "3-21g", Multiplicity: 5}},
		{"Cl2", []Atom{{Z: 17}, {Z: 17, Pos: [3]float64{0, 0, 3.76}}}, Options{Basis: "6-31g*"}},
		{"Ar dimer ghost", []Atom{{Z: 18}, {Z: 18, Pos: [3]float64{0, 0, 7.1}, Ghost: true}}, Options{Basis: "6-31g*", Method: "mp2"}},
		{"water anion", water(), Options{Basis: "6-31g", Charge: -1, Multiplicity: 2, Method: "mp2"}},
		{"H2O dication triplet", water(), Options{Basis: "sto-3g", Charge: 2, Multiplicity: 3, Method: "mp2"}},
		{"ZnO cc-pvdz", []Atom{{Z: 30}, {Z: 8, Pos: [3]float64{0, 0, 3.2}}}, Options{Basis: "cc-pvdz"}},
	}
	for _, c := range cases {
		if c.opt.Method == "" {
			c.opt.Method = "hf"
		}
		f := false
		c.opt.Puream = &f
		r, err := Energy(bg, c.atoms, c.opt)
		if err != nil {
			fmt.Println(c.name, err)
			continue
		}
		fmt.Printf("%-20s E=%.10f it=%d nbf=%d corr=%.8f\n", c.name, r.Energy, r.Iterations, r.NBasis, r.MP2Correlation)
	}
}
