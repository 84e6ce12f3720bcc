package hf

import (
	"math"
	"testing"
)

// skipHeavy skips a single-threaded numerical test in -short mode and
// under the race detector (the concurrent paths have their own tests:
// TestThreadIndependence, TestConcurrentCalls, TestPooled*,
// TestWorkspaceReuse, TestWorkerPanicIsAnError).
func skipHeavy(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("numerical test skipped in -short mode")
	}
	skipUnderRace(t)
}

// skipUnderRace skips a single-threaded numerical test under the race
// detector.
func skipUnderRace(t *testing.T) {
	t.Helper()
	if raceDetector {
		t.Skip("single-threaded numerical test skipped under the race detector")
	}
}

// directMemory is a memory budget too small to store any integral: the
// SCF runs direct.
const directMemory = 1

const angstrom = 1 / 0.52917721067

func water() []Atom {
	return []Atom{
		{Z: 8, Pos: [3]float64{0, 0, -0.1294769411}},
		{Z: 1, Pos: [3]float64{0, -1.494187339, 1.027187872}},
		{Z: 1, Pos: [3]float64{0, 1.494187339, 1.027187872}},
	}
}

// waterTrimer is a cyclic water trimer (bohr): O atoms on a triangle with
// 2.85 Angstrom sides, one H of each water donating to the next O, the
// other H out of plane.
func waterTrimer() []Atom {
	var out []Atom
	r := 2.85 / math.Sqrt(3) * angstrom
	roh := 0.96 * angstrom
	var o [3][3]float64
	for k := 0; k < 3; k++ {
		th := 2 * math.Pi * float64(k) / 3
		o[k] = [3]float64{r * math.Cos(th), r * math.Sin(th), 0}
	}
	for k := 0; k < 3; k++ {
		next := o[(k+1)%3]
		var d [3]float64
		n := 0.0
		for x := 0; x < 3; x++ {
			d[x] = next[x] - o[k][x]
			n += d[x] * d[x]
		}
		n = math.Sqrt(n)
		var h1, h2 [3]float64
		// donor H along the O...O line, free H at 104.5 degrees, tilted out of plane
		ang := 104.5 * math.Pi / 180
		out1 := [3]float64{o[k][0] / r, o[k][1] / r, 0} // radial outward
		sign := 1.0
		if k%2 == 1 {
			sign = -1
		}
		for x := 0; x < 3; x++ {
			u := d[x] / n
			h1[x] = o[k][x] + roh*u
			v := math.Cos(ang)*u + math.Sin(ang)*(0.8*out1[x])
			if x == 2 {
				v += math.Sin(ang) * 0.6 * sign
			}
			h2[x] = o[k][x] + roh*v
		}
		out = append(out, Atom{Z: 8, Pos: o[k]}, Atom{Z: 1, Pos: h1}, Atom{Z: 1, Pos: h2})
	}
	return out
}
