package hf

import (
	"math"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/assert"
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
				assert.InDelta(t, want, f[m], 1e-14*math.Max(1, want), "F_%d(%g) (mmax %d)", m, x, mmax)
			}
		}
	}
	// F_0(T) = sqrt(pi/T) erf(sqrt T) / 2
	for _, x := range []float64{0.1, 3, 20, 44, 50} {
		boys(0, x, f)
		want := 0.5 * math.Sqrt(math.Pi/x) * math.Erf(math.Sqrt(x))
		assert.InDelta(t, want, f[0], 1e-15, "F_0(%g)", x)
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
