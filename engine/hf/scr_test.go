package hf

import (
	"fmt"
	"testing"
	"time"
)

func TestScreenExperiment(t *testing.T) {
	for _, th := range []float64{1e-15, 1e-13, 1e-12, 1e-11, 1e-10} {
		primScreen = th
		t0 := time.Now()
		r, _ := Gradient(bg, waterTrimer(), Options{Method: "hf", Basis: "sto-3g", Threads: 1})
		el := time.Since(t0)
		r2, _ := Energy(bg, waterTrimer(), Options{Method: "hf", Basis: "6-31g*", Threads: 1})
		fmt.Printf("%g %v E=%.12f g0=%.10f E631gs=%.12f\n", th, el, r.Energy, r.Gradient[0], r2.Energy)
	}
	primScreen = 1e-15
}
