package hf

import (
	"math"
	"math/rand"
	"testing"
)

func TestBoysAccuracy(t *testing.T) {
	ensureTables()
	f := make([]float64, boysMaxM+1)
	for _, x := range []float64{0, 1e-12, 1e-6, 0.013, 0.5, 1, 2.49, 7.3, 13.77, 29.999, 44.9, 45, 45.1, 60, 100, 1e3, 1e6} {
		for _, mmax := range []int{0, 1, 4, boysMaxM} {
			boys(mmax, x, f)
			for m := 0; m <= mmax; m++ {
				want := boysSeries(m, x)
				if x > 200 {
					// asymptotic form is exact there
					want = doubleFactorial(2*m-1) / math.Pow(2, float64(m+1)) * math.Sqrt(math.Pi/math.Pow(x, float64(2*m+1)))
				}
				if d := math.Abs(f[m] - want); d > 1e-14*math.Max(1, want) || math.IsNaN(f[m]) {
					t.Errorf("F_%d(%g) = %.17g, want %.17g (mmax %d)", m, x, f[m], want, mmax)
				}
			}
		}
	}
	// F_0(T) = sqrt(pi/T) erf(sqrt T) / 2
	for _, x := range []float64{0.1, 3, 20, 44, 50} {
		boys(0, x, f)
		want := 0.5 * math.Sqrt(math.Pi/x) * math.Erf(math.Sqrt(x))
		if math.Abs(f[0]-want) > 1e-15 {
			t.Errorf("F_0(%g) = %.17g, want %.17g", x, f[0], want)
		}
	}
}

func BenchmarkBoys(b *testing.B) {
	ensureTables()
	r := rand.New(rand.NewSource(1))
	ts := make([]float64, 1024)
	for i := range ts {
		ts[i] = r.ExpFloat64() * 60
	}
	f := make([]float64, 20)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		boys(3, ts[i&1023], f)
	}
}
