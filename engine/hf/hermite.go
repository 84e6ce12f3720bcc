package hf

import "math"

// McMurchie-Davidson machinery: Hermite expansion coefficients and the
// Hermite Coulomb integrals R_tuv.

const (
	maxHermL  = 4*maxL + 2 // highest total Hermite order used anywhere
	maxStride = maxHermL + 1
)

// The tables below are built on first use (ensureTables), not at program start: they
// take a third of a megabyte, which every qcmb command would otherwise pay for.

// hermIdx lists (t,u,v) ordered by t+u+v so that the first nherm(L)
// entries are exactly those with t+u+v <= L.
var hermIdx [][3]int

// hermOff[s][h] is the offset (t*s+u)*s+v of hermite index h in an array
// with stride s; offsets add, so R[hermOff[s][hb]+hermOff[s][hk]] is
// R_{t+t',u+u',v+v'}.
var hermOff [][]int32

// hermSign[h] = (-1)^(t+u+v).
var hermSign []float64

func nherm(l int) int { return (l + 1) * (l + 2) * (l + 3) / 6 }

// initHermite builds hermIdx, hermOff, hermSign and hermOps.
func initHermite() {
	for n := 0; n <= maxHermL; n++ {
		for t := n; t >= 0; t-- {
			for u := n - t; u >= 0; u-- {
				hermIdx = append(hermIdx, [3]int{t, u, n - t - u})
			}
		}
	}
	hermOps = buildHermOps()
	hermOff = make([][]int32, maxStride+1)
	for s := 1; s <= maxStride; s++ {
		o := make([]int32, len(hermIdx))
		for h, tuv := range hermIdx {
			o[h] = int32((tuv[0]*s+tuv[1])*s + tuv[2])
		}
		hermOff[s] = o
	}
	hermSign = make([]float64, len(hermIdx))
	for h, tuv := range hermIdx {
		if (tuv[0]+tuv[1]+tuv[2])%2 == 0 {
			hermSign[h] = 1
		} else {
			hermSign[h] = -1
		}
	}
}

// primPairE fills the Hermite tables ex, ey, ez (see etab) of the primitive
// pair with exponents al at A and be at B (ab = A - B) and returns the pair
// exponent p and the product centre P.
func primPairE(ex, ey, ez []float64, imax, jmax int, al, be float64, A, B, ab [3]float64) (p float64, P [3]float64) {
	p = al + be
	mu := al * be / p
	for k := 0; k < 3; k++ {
		P[k] = (al*A[k] + be*B[k]) / p
	}
	etab(ex, imax, jmax, p, P[0]-A[0], P[0]-B[0], math.Exp(-mu*ab[0]*ab[0]))
	etab(ey, imax, jmax, p, P[1]-A[1], P[1]-B[1], math.Exp(-mu*ab[1]*ab[1]))
	etab(ez, imax, jmax, p, P[2]-A[2], P[2]-B[2], math.Exp(-mu*ab[2]*ab[2]))
	return p, P
}

// etab fills the one-dimensional Hermite expansion coefficients E^{ij}_t
// for i <= imax, j <= jmax, with layout ((i*(jmax+1))+j)*(imax+jmax+1)+t.
// k is the Gaussian product prefactor exp(-mu X_AB^2).
func etab(e []float64, imax, jmax int, p, xpa, xpb, k float64) {
	td := imax + jmax + 1
	jd := jmax + 1
	n := (imax + 1) * jd * td
	e = e[:n]
	for i := range e {
		e[i] = 0
	}
	e[0] = k
	inv2p := 0.5 / p
	for i := 0; i <= imax; i++ {
		for j := 0; j <= jmax; j++ {
			if i == 0 && j == 0 {
				continue
			}
			var src []float64
			x := xpb
			if j == 0 {
				src = e[((i-1)*jd)*td : ((i-1)*jd+1)*td]
				x = xpa
			} else {
				src = e[(i*jd+j-1)*td : (i*jd+j)*td]
			}
			dst := e[(i*jd+j)*td : (i*jd+j+1)*td]
			top := i + j
			for t := 0; t <= top; t++ {
				v := x * src[t]
				if t > 0 {
					v += inv2p * src[t-1]
				}
				if t+1 < td {
					v += float64(t+1) * src[t+1]
				}
				dst[t] = v
			}
		}
	}
}

// hermiteR fills r (stride L+1) with R_tuv(alpha, (x,y,z)) for t+u+v <= L,
// given f[n] = F_n(alpha*(x^2+y^2+z^2)). buf must hold 2*(L+1)^3 values.
// It returns the slice holding the result (one half of buf).
func hermiteR(L int, alpha, x, y, z float64, f []float64, buf []float64) []float64 {
	if L <= 3 {
		return hermiteRLow(L, alpha, x, y, z, f, buf)
	}
	s := L + 1
	sz := s * s * s
	cur := buf[:sz]
	nxt := buf[sz : 2*sz]
	m2a := -2 * alpha
	var pw [maxHermL + 1]float64
	pw[0] = 1
	for n := 1; n <= L; n++ {
		pw[n] = pw[n-1] * m2a
	}
	cur[0] = pw[L] * f[L]
	xyz := [3]float64{x, y, z}
	ops := hermOps[L]
	for n := L - 1; n >= 0; n-- {
		nxt[0] = pw[n] * f[n]
		for _, op := range ops[:nherm(L-n)-1] {
			nxt[op.dst] = xyz[op.c&3]*cur[op.src1] + op.fac*cur[op.src2]
		}
		cur, nxt = nxt, cur
	}
	return cur
}

// hermOp is one step of the Hermite recursion
// R^n_{..t+1..} = X R^{n+1}_{..t..} + t R^{n+1}_{..t-1..}
// in an array of stride L+1: dst = X(c)*src1 + fac*src2 (fac = 0 and src2
// any valid index when t = 0).
type hermOp struct {
	dst, src1, src2 int32
	c               uint8
	fac             float64
}

// hermOps[L] lists the steps for the Hermite indices 1..nherm(L)-1 in
// hermIdx order, stride L+1.
var hermOps [maxHermL + 1][]hermOp

func buildHermOps() (ops [maxHermL + 1][]hermOp) {
	for L := 1; L <= maxHermL; L++ {
		s := L + 1
		stride := [3]int{s * s, s, 1}
		for h := 1; h < nherm(L); h++ {
			tuv := hermIdx[h]
			c := 2
			if tuv[0] > 0 {
				c = 0
			} else if tuv[1] > 0 {
				c = 1
			}
			idx := (tuv[0]*s+tuv[1])*s + tuv[2]
			op := hermOp{dst: int32(idx), src1: int32(idx - stride[c]), src2: int32(idx - stride[c]), c: uint8(c)}
			if tuv[c] > 1 {
				op.src2 = int32(idx - 2*stride[c])
				op.fac = float64(tuv[c] - 1)
			}
			ops[L] = append(ops[L], op)
		}
	}
	return
}

// hermiteRLow is hermiteR for L <= 3 in closed form (same layout).
func hermiteRLow(L int, alpha, x, y, z float64, f []float64, buf []float64) []float64 {
	m2a := -2 * alpha
	switch L {
	case 0:
		r := buf[:1]
		r[0] = f[0]
		return r
	case 1:
		// stride 2
		r := buf[:8]
		a1 := m2a * f[1]
		r[0] = f[0]
		r[1] = z * a1 // 001
		r[2] = y * a1 // 010
		r[4] = x * a1 // 100
		return r
	case 2:
		// stride 3: offset (t*3+u)*3+v
		r := buf[:27]
		a1 := m2a * f[1]
		a2 := m2a * m2a * f[2]
		r[0] = f[0]
		r[1] = z * a1
		r[3] = y * a1
		r[9] = x * a1
		r[2] = a1 + z*z*a2  // 002
		r[4] = y * z * a2   // 011
		r[6] = a1 + y*y*a2  // 020
		r[10] = x * z * a2  // 101
		r[12] = x * y * a2  // 110
		r[18] = a1 + x*x*a2 // 200
		return r
	}
	// L == 3, stride 4: offset (t*4+u)*4+v
	r := buf[:64]
	a1 := m2a * f[1]
	a2 := m2a * m2a * f[2]
	a3 := m2a * m2a * m2a * f[3]
	r[0] = f[0]
	r[1] = z * a1  // 001
	r[4] = y * a1  // 010
	r[16] = x * a1 // 100
	r[2] = a1 + z*z*a2
	r[5] = y * z * a2
	r[8] = a1 + y*y*a2
	r[17] = x * z * a2
	r[20] = x * y * a2
	r[32] = a1 + x*x*a2
	bx := a2 + x*x*a3
	by := a2 + y*y*a3
	bz := a2 + z*z*a3
	r[3] = z * (2*a2 + bz)  // 003
	r[6] = y * bz           // 012
	r[9] = z * by           // 021
	r[12] = y * (2*a2 + by) // 030
	r[18] = x * bz          // 102
	r[21] = x * y * z * a3  // 111
	r[24] = x * by          // 120
	r[33] = z * bx          // 201
	r[36] = y * bx          // 210
	r[48] = x * (2*a2 + bx) // 300
	return r
}
