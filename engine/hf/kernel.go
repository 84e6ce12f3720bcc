package hf

// gemmNT computes C += A * B^T for row-major A (m x k), B (n x k) and
// C (m x n) with leading dimension ldc, using 2x2 register blocking.
func gemmNT(m, n, k int, a, b, c []float64, ldc int) {
	if k == 0 {
		return
	}
	if k == 1 {
		// outer product
		b = b[:n]
		for i := 0; i < m; i++ {
			ai := a[i]
			if ai == 0 {
				continue
			}
			crow := c[i*ldc : i*ldc+n]
			for j, bv := range b {
				crow[j] += ai * bv
			}
		}
		return
	}
	if k < 4 {
		for i := 0; i < m; i++ {
			ai := a[i*k : i*k+k]
			crow := c[i*ldc : i*ldc+n]
			for j := range crow {
				bj := b[j*k : j*k+k]
				s := 0.0
				for l, v := range ai {
					s += v * bj[l]
				}
				crow[j] += s
			}
		}
		return
	}
	i := 0
	for ; i+1 < m; i += 2 {
		a0 := a[i*k : i*k+k]
		a1 := a[(i+1)*k : (i+1)*k+k]
		c0 := c[i*ldc : i*ldc+n]
		c1 := c[(i+1)*ldc : (i+1)*ldc+n]
		j := 0
		for ; j+1 < n; j += 2 {
			b0 := b[j*k : j*k+k]
			b1 := b[(j+1)*k : (j+1)*k+k]
			b0 = b0[:len(a0)]
			b1 = b1[:len(a0)]
			a1 := a1[:len(a0)]
			var s00, s01, s10, s11 float64
			for l := range a0 {
				x0, x1 := a0[l], a1[l]
				y0, y1 := b0[l], b1[l]
				s00 += x0 * y0
				s01 += x0 * y1
				s10 += x1 * y0
				s11 += x1 * y1
			}
			c0[j] += s00
			c0[j+1] += s01
			c1[j] += s10
			c1[j+1] += s11
		}
		if j < n {
			b0 := b[j*k : j*k+k]
			var s00, s10 float64
			for l := range a0 {
				s00 += a0[l] * b0[l]
				s10 += a1[l] * b0[l]
			}
			c0[j] += s00
			c1[j] += s10
		}
	}
	if i < m {
		a0 := a[i*k : i*k+k]
		c0 := c[i*ldc : i*ldc+n]
		for j := 0; j < n; j++ {
			b0 := b[j*k : j*k+k]
			s := 0.0
			for l := range a0 {
				s += a0[l] * b0[l]
			}
			c0[j] += s
		}
	}
}

// dot returns sum_i a[i]*b[i] over len(a), with four partial sums so
// that the additions do not form one long dependency chain.
func dot(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+3 < len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s2) + (s1 + s3)
}

// dotIdx returns sum_k a[idx[k]]*b[idx[k]].
func dotIdx(idx []int32, a, b []float64) float64 {
	var s0, s1, s2, s3 float64
	k := 0
	for ; k+3 < len(idx); k += 4 {
		i0, i1, i2, i3 := idx[k], idx[k+1], idx[k+2], idx[k+3]
		s0 += a[i0] * b[i0]
		s1 += a[i1] * b[i1]
		s2 += a[i2] * b[i2]
		s3 += a[i3] * b[i3]
	}
	for ; k < len(idx); k++ {
		i := idx[k]
		s0 += a[i] * b[i]
	}
	return (s0 + s2) + (s1 + s3)
}

// dotOff returns sum_k a[k]*b[off[k]] over len(a).
func dotOff(a, b []float64, off []int32) float64 {
	off = off[:len(a)]
	var s0, s1, s2, s3 float64
	k := 0
	for ; k+3 < len(a); k += 4 {
		s0 += a[k] * b[off[k]]
		s1 += a[k+1] * b[off[k+1]]
		s2 += a[k+2] * b[off[k+2]]
		s3 += a[k+3] * b[off[k+3]]
	}
	for ; k < len(a); k++ {
		s0 += a[k] * b[off[k]]
	}
	return (s0 + s2) + (s1 + s3)
}
