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
		kk, kn := 0, k // rows [kk, kn) of B still to pass
		if k%8 == 1 && k > 1 {
			// one pass over nine rows instead of a last pass over one (k = 9:
			// the 1-channel convolutions)
			w := ai[(k-9)*acs:]
			_ = w[8*acs]
			w0, w1, w2, w3 := w[0], w[acs], w[2*acs], w[3*acs]
			w4, w5, w6, w7, w8 := w[4*acs], w[5*acs], w[6*acs], w[7*acs], w[8*acs]
			bk := b[(k-9)*p+j0:]
			_ = bk[8*p+len(cr)-1]
			b0 := bk[:len(cr)]
			b1 := bk[p:][:len(cr)]
			b2 := bk[2*p:][:len(cr)]
			b3 := bk[3*p:][:len(cr)]
			b4 := bk[4*p:][:len(cr)]
			b5 := bk[5*p:][:len(cr)]
			b6 := bk[6*p:][:len(cr)]
			b7 := bk[7*p:][:len(cr)]
			b8 := bk[8*p:][:len(cr)]
			for j := range cr {
				cr[j] += ((w0*b0[j] + w1*b1[j]) + (w2*b2[j] + w3*b3[j])) +
					((w4*b4[j] + w5*b5[j]) + (w6*b6[j] + w7*b7[j]) + w8*b8[j])
			}
			kn = k - 9 // the rows before them are passed below
		}
		for ; kk+8 <= kn; kk += 8 {
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
		if kk+4 <= kn {
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
		if kk+2 <= kn {
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
		if kk < kn {
			w0 := ai[kk*acs]
			b0 := b[kk*p+j0:][:len(cr)]
			for j := range cr {
				cr[j] += w0 * b0[j]
			}
		}
	}
}

// reduceGo computes C[i,j] += Σ_q A[i·p + q]·B[j·p + q] for i in [i0,i1),
// j in [j0,j1), q in [q0,q1); c has rows of n. It takes one row of A and four
// rows of B at a time: each step loads four consecutive values of the row of
// A and adds a tree of four products to each of the four sums (the values of
// B are used once, so they are read by the multiplications themselves).
func reduceGo(c, a, b []float32, i0, i1, j0, j1, q0, q1, n, p int) {
	if q0 >= q1 || j0 >= j1 {
		return
	}
	for i := i0; i < i1; i++ {
		ar := a[i*p+q0 : i*p+q1]
		cr := c[i*n : i*n+j1]
		j := j0
		for ; j+4 <= j1; j += 4 {
			bj := b[j*p+q0:]
			_ = bj[3*p+len(ar)-1]
			s0, s1, s2, s3 := dot1x4(ar, bj[:len(ar)], bj[p:][:len(ar)], bj[2*p:][:len(ar)], bj[3*p:][:len(ar)])
			cr[j] += s0
			cr[j+1] += s1
			cr[j+2] += s2
			cr[j+3] += s3
		}
		for ; j < j1; j++ {
			cr[j] += dotTree(ar, b[j*p+q0:][:len(ar)])
		}
	}
}

// dot1x4 returns the dot products of x with y0, y1, y2, y3 (all of len(x)).
func dot1x4(x, y0, y1, y2, y3 []float32) (s0, s1, s2, s3 float32) {
	y0, y1, y2, y3 = y0[:len(x)], y1[:len(x)], y2[:len(x)], y3[:len(x)]
	q := 0
	for e := 3; e < len(x); e += 4 {
		// values q = e-3 … e
		x0, x1, x2, x3 := x[e-3], x[e-2], x[e-1], x[e]
		s0 += (x0*y0[e-3] + x1*y0[e-2]) + (x2*y0[e-1] + x3*y0[e])
		s1 += (x0*y1[e-3] + x1*y1[e-2]) + (x2*y1[e-1] + x3*y1[e])
		s2 += (x0*y2[e-3] + x1*y2[e-2]) + (x2*y2[e-1] + x3*y2[e])
		s3 += (x0*y3[e-3] + x1*y3[e-2]) + (x2*y3[e-1] + x3*y3[e])
		q = e + 1
	}
	for ; q < len(x); q++ {
		s0 += x[q] * y0[q]
		s1 += x[q] * y1[q]
		s2 += x[q] * y2[q]
		s3 += x[q] * y3[q]
	}
	return s0, s1, s2, s3
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
