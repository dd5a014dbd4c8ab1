package tensor

// The simple pure-Go products: the twins that the tests compare the fast
// pure-Go kernels (gemm_go.go) and the assembly tiles against.

// smallLongRef computes C[i·ldc + j] += Σ_kk A[i·ars + kk·acs]·B[kk·p + j] for
// i in [i0,i1), j in [j0,j1). It walks four rows of B at a time so that each
// row of C is loaded and stored once per four multiply-adds.
func smallLongRef(c []float32, ldc int, a []float32, ars, acs int, b []float32, i0, i1, j0, j1, k, p int) {
	if j0 >= j1 {
		return
	}
	w := j1 - j0
	for i := i0; i < i1; i++ {
		crow := c[i*ldc+j0 : i*ldc+j1]
		ai := a[i*ars:]
		kk := 0
		for ; kk+4 <= k; kk += 4 {
			w0, w1, w2, w3 := ai[kk*acs], ai[(kk+1)*acs], ai[(kk+2)*acs], ai[(kk+3)*acs]
			b0 := b[kk*p+j0 : kk*p+j0+w]
			b1 := b[(kk+1)*p+j0 : (kk+1)*p+j0+w]
			b2 := b[(kk+2)*p+j0 : (kk+2)*p+j0+w]
			b3 := b[(kk+3)*p+j0 : (kk+3)*p+j0+w]
			for j := range crow {
				crow[j] += w0*b0[j] + w1*b1[j] + w2*b2[j] + w3*b3[j]
			}
		}
		for ; kk < k; kk++ {
			w0 := ai[kk*acs]
			b0 := b[kk*p+j0 : kk*p+j0+w]
			for j := range crow {
				crow[j] += w0 * b0[j]
			}
		}
	}
}

// reduceRef computes C[i,j] += Σ_q A[i·p + q]·B[j·p + q] for i in [i0,i1),
// j in [j0,j1), q in [q0,q1); c has rows of n.
func reduceRef(c, a, b []float32, i0, i1, j0, j1, q0, q1, n, p int) {
	if q0 >= q1 {
		return
	}
	for i := i0; i < i1; i++ {
		arow := a[i*p+q0 : i*p+q1]
		for j := j0; j < j1; j++ {
			c[i*n+j] += Dot(arow, b[j*p+q0:j*p+q1])
		}
	}
}
