package hf

import (
	"context"
	"testing"
)

func BenchmarkWaterTrimerSTO3GEnergyGradient(b *testing.B) {
	atoms := waterTrimer()
	for i := 0; i < b.N; i++ {
		if _, err := Gradient(context.Background(), atoms, Options{Method: "hf", Basis: "sto-3g"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWaterTrimer631GEnergy(b *testing.B) {
	atoms := waterTrimer()
	for i := 0; i < b.N; i++ {
		if _, err := Energy(context.Background(), atoms, Options{Method: "hf", Basis: "6-31g"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWaterTrimer631GsEnergyGradient(b *testing.B) {
	atoms := waterTrimer()
	for i := 0; i < b.N; i++ {
		if _, err := Gradient(context.Background(), atoms, Options{Method: "hf", Basis: "6-31g*"}); err != nil {
			b.Fatal(err)
		}
	}
}
