// Package tensor holds the numeric kernels of latent: the three matrix-product
// shapes every layer reduces to, the gather/scatter of 3×3 stride-2 windows, and
// the elementwise activations. It knows nothing about models.
//
// Layout. Activations are channel-major: a tensor of C channels over N images of
// H×W pixels is stored as [C][N·H·W], so the long axis P = N·H·W is contiguous
// and the tiny channel counts (1, 8, 16) index rows. Every convolution and linear
// layer then becomes one of three products over row-major matrices:
//
//	MatMulAdd   C[m,p] += Σ_k A[m,k]·B[k,p]   (small × long)
//	MatTMulAdd  C[m,p] += Σ_k A[k,m]·B[k,p]   (small × long, A stored transposed)
//	MatMulTAdd  C[m,n] += Σ_p A[m,p]·B[n,p]   (long reduction, for weight gradients)
package tensor

// MatMulAdd computes C[m,p] += Σ_k A[m,k]·B[k,p].
// a is [m][k], b is [k][p], c is [m][p], all row-major.
func MatMulAdd(c, a, b []float32, m, k, p int) {
	_ = a[m*k-1]
	_ = b[k*p-1]
	_ = c[m*p-1]
	for i := 0; i < m; i++ {
		// row i of C accumulates the rows of B weighted by A[i,:]
		axpyRows(c[i*p:(i+1)*p], a[i*k:(i+1)*k], 1, b[:k*p], p)
	}
}

// MatTMulAdd computes C[m,p] += Σ_k A[k,m]·B[k,p].
// a is [k][m] (so its column i is row i of Aᵀ), b is [k][p], c is [m][p].
func MatTMulAdd(c, a, b []float32, m, k, p int) {
	_ = a[k*m-1]
	_ = b[k*p-1]
	_ = c[m*p-1]
	for i := 0; i < m; i++ {
		axpyRows(c[i*p:(i+1)*p], a[i:], m, b[:k*p], p)
	}
}

// axpyRows adds Σ_kk w[kk·stride]·B[kk,:] to crow, for kk over the rows of B
// (len(b)/p rows). It walks four rows of B at a time so that crow is loaded and
// stored once per four multiply-adds.
func axpyRows(crow, w []float32, stride int, b []float32, p int) {
	k := len(b) / p
	kk := 0
	for ; kk+4 <= k; kk += 4 {
		w0, w1, w2, w3 := w[kk*stride], w[(kk+1)*stride], w[(kk+2)*stride], w[(kk+3)*stride]
		b0 := b[kk*p : kk*p+len(crow)]
		b1 := b[(kk+1)*p : (kk+1)*p+len(crow)]
		b2 := b[(kk+2)*p : (kk+2)*p+len(crow)]
		b3 := b[(kk+3)*p : (kk+3)*p+len(crow)]
		for j := range crow {
			crow[j] += w0*b0[j] + w1*b1[j] + w2*b2[j] + w3*b3[j]
		}
	}
	for ; kk < k; kk++ {
		w0 := w[kk*stride]
		b0 := b[kk*p : kk*p+len(crow)]
		for j := range crow {
			crow[j] += w0 * b0[j]
		}
	}
}

// MatMulTAdd computes C[m,n] += Σ_p A[m,p]·B[n,p]: each entry is a dot product
// over the long axis. a is [m][p], b is [n][p], c is [m][n].
func MatMulTAdd(c, a, b []float32, m, n, p int) {
	_ = a[m*p-1]
	_ = b[n*p-1]
	_ = c[m*n-1]
	for i := 0; i < m; i++ {
		arow := a[i*p : (i+1)*p]
		for j := 0; j < n; j++ {
			c[i*n+j] += Dot(arow, b[j*p:(j+1)*p])
		}
	}
}

// Dot returns Σ x[i]·y[i] over len(x), with four independent partial sums.
func Dot(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// Sum returns Σ x[i], with four independent partial sums.
func Sum(x []float32) float32 {
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i]
		s1 += x[i+1]
		s2 += x[i+2]
		s3 += x[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i]
	}
	return (s0 + s1) + (s2 + s3)
}
