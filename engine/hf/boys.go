package hf

import (
	"math"
	"sync"
)

// Boys function F_m(T) = ∫_0^1 t^{2m} exp(-T t^2) dt.
//
// For T below boysTMax the highest order needed is obtained from a
// six-term Taylor expansion around the nearest point of a table (spacing
// 0.05) that was filled once from the convergent series; lower orders
// follow from the stable downward recursion. Above boysTMax the asymptotic
// F_0 = sqrt(pi/T)/2 (exact to double precision there) and the stable
// upward recursion are used. Absolute accuracy is better than 1e-14.

const (
	boysMaxM   = 4*maxL + 2 // highest order used (gradients of (ff|ff))
	boysTaylor = 6
	boysStep   = 0.05
	boysTMax   = 45.0
	boysNGrid  = int(boysTMax/boysStep) + 2
	boysCols   = boysMaxM + boysTaylor + 1
)

var inv2m1 = func() (t [boysCols]float64) {
	for m := range t {
		t[m] = 1 / float64(2*m+1)
	}
	return
}()

var (
	boysOnce  sync.Once
	hermOnce  sync.Once
	boysTable []float64 // [grid][m]
	boysExp   []float64 // exp(-t0) at the grid points
)

// boysSeries evaluates F_m(T) from the series
// F_m(T) = exp(-T) sum_k (2T)^k / ((2m+1)(2m+3)...(2m+2k+1)).
func boysSeries(m int, t float64) float64 {
	term := 1 / float64(2*m+1)
	sum := term
	for k := 1; k < 2000; k++ {
		term *= 2 * t / float64(2*m+2*k+1)
		sum += term
		if term < 1e-17*sum {
			break
		}
	}
	return math.Exp(-t) * sum
}

func initBoys() {
	boysTable = make([]float64, boysNGrid*boysCols)
	boysExp = make([]float64, boysNGrid)
	for g := 0; g < boysNGrid; g++ {
		t := float64(g) * boysStep
		boysExp[g] = math.Exp(-t)
		// top order from the series, the rest by downward recursion
		row := boysTable[g*boysCols : (g+1)*boysCols]
		row[boysCols-1] = boysSeries(boysCols-1, t)
		e := math.Exp(-t)
		for m := boysCols - 2; m >= 0; m-- {
			row[m] = (2*t*row[m+1] + e) / float64(2*m+1)
		}
	}
}

// boys fills f[0..mmax] with F_m(t). mmax must not exceed boysMaxM.
func boys(mmax int, t float64, f []float64) {
	if t < boysTMax {
		g := int(t*(1/boysStep) + 0.5)
		dt := float64(g)*boysStep - t
		row := boysTable[g*boysCols+mmax:]
		// F_m(t) = sum_k F_{m+k}(t0) (t0-t)^k / k!
		v := row[5]
		v = row[4] + dt*v*(1.0/5)
		v = row[3] + dt*v*(1.0/4)
		v = row[2] + dt*v*(1.0/3)
		v = row[1] + dt*v*(1.0/2)
		v = row[0] + dt*v
		f[mmax] = v
		if mmax > 0 {
			// exp(-t) = exp(-t0) exp(dt), |dt| <= 0.025: 7-term series, rel. error < 1e-17
			x := dt
			e := boysExp[g] * (1 + x*(1+x*(0.5+x*(1.0/6+x*(1.0/24+x*(1.0/120+x*(1.0/720)))))))
			t2 := 2 * t
			for m := mmax - 1; m >= 0; m-- {
				f[m] = (t2*f[m+1] + e) * inv2m1[m]
			}
		}
		return
	}
	it := 1 / t
	f[0] = 0.5 * math.Sqrt(math.Pi*it)
	if mmax > 0 {
		it *= 0.5
		if t > 200 {
			// exp(-t) is negligible against every F_m here
			for m := 0; m < mmax; m++ {
				f[m+1] = float64(2*m+1) * f[m] * it
			}
			return
		}
		e := math.Exp(-t)
		for m := 0; m < mmax; m++ {
			f[m+1] = (float64(2*m+1)*f[m] - e) * it
		}
	}
}

// ensureTables builds the Boys function and Hermite tables, once, before the first
// integral.
func ensureTables() {
	boysOnce.Do(initBoys)
	hermOnce.Do(initHermite)
}
