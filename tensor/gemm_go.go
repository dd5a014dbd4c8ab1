package tensor

// The fast pure-Go products: what runs under the build tag noasm and off
// amd64, and on the edges the assembly tiles leave. Go has no vector types,
// so these are scalar loops shaped for the compiler: slices re-sliced to the
// exact length of the loop (no bounds checks inside), loop-invariant weights
// in locals, and trees of sums whose only memory traffic is one load and one
// store of C per eight multiply-adds. On arm64 the compiler fuses each x*y + z
// into one FMA. Their twins are smallLongRef and reduceRef (gemm_ref.go).
//
// Why not register tiles of C (4×4, 4×8)? On amd64 the Go scheduler issues
// every product of a loop body before the additions into the accumulators
// (values used in the block come first), so a tile needs twice as many
// registers as it has accumulators and spills beyond 2×3; streaming a row of
// C with eight rows of B reached ~1.35× the reference on Zen 4, the tiles
// ~0.6–1.1×.

// smallLongGo computes C[i·ldc + j] += Σ_kk A[i·ars + kk·acs]·B[kk·p + j] for
// i in [i0,i1), j in [j0,j1): per row of C, passes over eight rows of B at a
// time, then four, two and one.
func smallLongGo(c []float32, ldc int, a []float32, ars, acs int, b []float32, i0, i1, j0, j1, k, p int) {
	if j0 >= j1 || k == 0 {
		return
	}
	for i := i0; i < i1; i++ {
		cr := c[i*ldc+j0 : i*ldc+j1]
		ai := a[i*ars:]
		kk := 0
		for ; kk+8 <= k; kk += 8 {
			w := ai[kk*acs:]
			_ = w[7*acs]
			w0, w1, w2, w3 := w[0], w[acs], w[2*acs], w[3*acs]
			w4, w5, w6, w7 := w[4*acs], w[5*acs], w[6*acs], w[7*acs]
			bk := b[kk*p+j0:]
			_ = bk[7*p+len(cr)-1]
			b0 := bk[:len(cr)]
			b1 := bk[p:][:len(cr)]
			b2 := bk[2*p:][:len(cr)]
			b3 := bk[3*p:][:len(cr)]
			b4 := bk[4*p:][:len(cr)]
			b5 := bk[5*p:][:len(cr)]
			b6 := bk[6*p:][:len(cr)]
			b7 := bk[7*p:][:len(cr)]
			for j := range cr {
				cr[j] += ((w0*b0[j] + w1*b1[j]) + (w2*b2[j] + w3*b3[j])) +
					((w4*b4[j] + w5*b5[j]) + (w6*b6[j] + w7*b7[j]))
			}
		}
		if kk+4 <= k {
			w := ai[kk*acs:]
			_ = w[3*acs]
			w0, w1, w2, w3 := w[0], w[acs], w[2*acs], w[3*acs]
			bk := b[kk*p+j0:]
			_ = bk[3*p+len(cr)-1]
			b0 := bk[:len(cr)]
			b1 := bk[p:][:len(cr)]
			b2 := bk[2*p:][:len(cr)]
			b3 := bk[3*p:][:len(cr)]
			for j := range cr {
				cr[j] += (w0*b0[j] + w1*b1[j]) + (w2*b2[j] + w3*b3[j])
			}
			kk += 4
		}
		if kk+2 <= k {
			w0, w1 := ai[kk*acs], ai[(kk+1)*acs]
			bk := b[kk*p+j0:]
			_ = bk[p+len(cr)-1]
			b0 := bk[:len(cr)]
			b1 := bk[p:][:len(cr)]
			for j := range cr {
				cr[j] += w0*b0[j] + w1*b1[j]
			}
			kk += 2
		}
		if kk < k {
			w0 := ai[kk*acs]
			b0 := b[kk*p+j0:][:len(cr)]
			for j := range cr {
				cr[j] += w0 * b0[j]
			}
		}
	}
}

// reduceGo computes C[i,j] += Σ_q A[i·p + q]·B[j·p + q] for i in [i0,i1),
// j in [j0,j1), q in [q0,q1); c has rows of n. It takes 2×2 blocks of C: each
// step loads four consecutive values of two rows of A and two of B and adds
// a tree of four products to each of the four sums.
func reduceGo(c, a, b []float32, i0, i1, j0, j1, q0, q1, n, p int) {
	if q0 >= q1 || j0 >= j1 {
		return
	}
	i := i0
	for ; i+2 <= i1; i += 2 {
		a0 := a[i*p+q0 : i*p+q1]
		a1 := a[(i+1)*p+q0:][:len(a0)]
		c0 := c[i*n : i*n+j1]
		c1 := c[(i+1)*n:][:len(c0)]
		j := j0
		for ; j+2 <= j1; j += 2 {
			s00, s01, s10, s11 := dot2x2(a0, a1, b[j*p+q0:][:len(a0)], b[(j+1)*p+q0:][:len(a0)])
			c0[j] += s00
			c0[j+1] += s01
			c1[j] += s10
			c1[j+1] += s11
		}
		if j < j1 {
			bj := b[j*p+q0:][:len(a0)]
			c0[j] += dotTree(a0, bj)
			c1[j] += dotTree(a1, bj)
		}
	}
	if i < i1 {
		ar := a[i*p+q0 : i*p+q1]
		cr := c[i*n : i*n+j1]
		for j := j0; j < j1; j++ {
			cr[j] += dotTree(ar, b[j*p+q0:][:len(ar)])
		}
	}
}

// dot2x2 returns the four dot products of x0, x1 with y0, y1 (all of len(x0)).
func dot2x2(x0, x1, y0, y1 []float32) (s00, s01, s10, s11 float32) {
	x1, y0, y1 = x1[:len(x0)], y0[:len(x0)], y1[:len(x0)]
	q := 0
	for ; q+4 <= len(x0); q += 4 {
		u := (*[4]float32)(x0[q:])
		v := (*[4]float32)(x1[q:])
		y := (*[4]float32)(y0[q:])
		z := (*[4]float32)(y1[q:])
		s00 += (u[0]*y[0] + u[1]*y[1]) + (u[2]*y[2] + u[3]*y[3])
		s01 += (u[0]*z[0] + u[1]*z[1]) + (u[2]*z[2] + u[3]*z[3])
		s10 += (v[0]*y[0] + v[1]*y[1]) + (v[2]*y[2] + v[3]*y[3])
		s11 += (v[0]*z[0] + v[1]*z[1]) + (v[2]*z[2] + v[3]*z[3])
	}
	for ; q < len(x0); q++ {
		s00 += x0[q] * y0[q]
		s01 += x0[q] * y1[q]
		s10 += x1[q] * y0[q]
		s11 += x1[q] * y1[q]
	}
	return s00, s01, s10, s11
}

// dotTree returns Σ x[q]·y[q] over len(x), adding trees of eight products to
// two sums.
func dotTree(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1 float32
	q := 0
	for ; q+8 <= len(x); q += 8 {
		u := (*[8]float32)(x[q:])
		v := (*[8]float32)(y[q:])
		s0 += (u[0]*v[0] + u[1]*v[1]) + (u[2]*v[2] + u[3]*v[3])
		s1 += (u[4]*v[4] + u[5]*v[5]) + (u[6]*v[6] + u[7]*v[7])
	}
	for ; q < len(x); q++ {
		s0 += x[q] * y[q]
	}
	return s0 + s1
}
