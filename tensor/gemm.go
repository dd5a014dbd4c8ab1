// Package tensor holds the numeric kernels of latent: the three matrix-product
// shapes every layer reduces to, the 3×3 stride-2 windows (parity classes and
// products over their shifted views, or gather/scatter), and the elementwise
// activations. It knows nothing about models.
//
// Layout. Activations are channel-major: a tensor of C channels over N images of
// H×W pixels is stored as [C][N·H·W], so the long axis P = N·H·W is contiguous
// and the tiny channel counts (1, 8, 16) index rows. Every convolution and linear
// layer then becomes one of three products over row-major matrices:
//
//	MatMulAdd   C[m,p] += Σ_k A[m,k]·B[k,p]   (small × long)
//	MatTMulAdd  C[m,p] += Σ_k A[k,m]·B[k,p]   (small × long, A stored transposed)
//	MatMulTAdd  C[m,n] += Σ_p A[m,p]·B[n,p]   (long reduction, for weight gradients)
//
// Each product has a pure-Go reference (gemm_ref.go), which is all that runs
// under the build tag noasm or off amd64 and arm64, an AVX2/FMA assembly path
// (gemm_amd64.s) chosen at run time when the CPU has it, and on arm64 NEON
// tiles (neon_arm64.s). The convolutions run as parity classes with masked
// shifted-grid products (ColClasses, ColProduct, ColReduce, ConvTransposeAct:
// terms.go, tconv.go) on two x86 kernel sets that give identical bits: AVX-512
// (rows_amd64.s, termtile_amd64.s) and AVX2+FMA without gathers (ymm.go,
// ymm_amd64.s). Tests compare them all (Paths, SetPath).
package tensor

// MatMulAdd computes C[m,p] += Σ_k A[m,k]·B[k,p].
// a is [m][k], b is [k][p], c is [m][p], all row-major.
func MatMulAdd(c, a, b []float32, m, k, p int) {
	_, _, _ = a[m*k-1], b[k*p-1], c[m*p-1]
	smallLong(c, p, a, k, 1, b, m, k, p)
}

// MatTMulAdd computes C[m,p] += Σ_k A[k,m]·B[k,p].
// a is [k][m] (so its column i is row i of Aᵀ), b is [k][p], c is [m][p].
func MatTMulAdd(c, a, b []float32, m, k, p int) {
	_, _, _ = a[k*m-1], b[k*p-1], c[m*p-1]
	smallLong(c, p, a, 1, m, b, m, k, p)
}

// MatMulTAdd computes C[m,n] += Σ_p A[m,p]·B[n,p]: each entry is a dot product
// over the long axis. a is [m][p], b is [n][p], c is [m][n].
func MatMulTAdd(c, a, b []float32, m, n, p int) {
	_, _, _ = a[m*p-1], b[n*p-1], c[m*n-1]
	reduce(c, a, b, m, n, p)
}

// smallLong computes C[i·ldc + j] += Σ_kk A[i·ars + kk·acs]·B[kk·p + j] for
// i < m, j < p.
func smallLong(c []float32, ldc int, a []float32, ars, acs int, b []float32, m, k, p int) {
	if useNeon && k > 0 {
		smallLongNeon(c, ldc, a, ars, acs, b, m, k, p)
		return
	}
	if !useAsm || k == 0 {
		smallLongGo(c, ldc, a, ars, acs, b, 0, m, 0, p, k, p)
		return
	}
	m4, p16 := m&^3, p&^15
	// column panels outermost: the [k][16] panel of B stays in L1 across row blocks
	for j := 0; j < p16; j += 16 {
		for i := 0; i < m4; i += 4 {
			tile4x16(&c[i*ldc+j], ldc, &a[i*ars], ars, acs, &b[j], p, k)
		}
	}
	smallLongGo(c, ldc, a, ars, acs, b, 0, m4, p16, p, k, p) // right edge
	// bottom rows, one at a time
	p32 := p &^ 31
	for i := m4; i < m; i++ {
		for j := 0; j < p32; j += 32 {
			tile1x32(&c[i*ldc+j], &a[i*ars], acs, &b[j], p, k)
		}
	}
	smallLongGo(c, ldc, a, ars, acs, b, m4, m, p32, p, k, p)
}

// reduce computes C[i,j] += Σ_q A[i,q]·B[j,q] for i < m, j < n, q < p.
func reduce(c, a, b []float32, m, n, p int) {
	if useNeon {
		reduceNeon(c, a, b, m, n, p)
		return
	}
	if !useAsm || p < 8 || m < 4 || n < 2 {
		reduceGo(c, a, b, 0, m, 0, n, 0, p, n, p)
		return
	}
	p8 := p &^ 7
	var lanes [64]float32
	// 4×2 tiles; the last row block and column pair overlap the previous ones
	// when m or n is not a multiple, and add only the entries not yet done
	for i0 := 0; i0 < m; i0 += 4 {
		i := min(i0, m-4)
		for j0 := 0; j0 < n; j0 += 2 {
			j := min(j0, n-2)
			dot4x2(&a[i*p], p, &b[j*p], p, p8, &lanes)
			for t := range 8 {
				ii, jj := i+t/2, j+t%2
				if ii >= i0 && jj >= j0 {
					c[ii*n+jj] += sum8(lanes[t*8 : t*8+8])
				}
			}
		}
	}
	reduceGo(c, a, b, 0, m, 0, n, p8, p, n, p) // tails of the dot products
}

// sum8 adds eight lanes pairwise.
func sum8(x []float32) float32 {
	return ((x[0] + x[4]) + (x[1] + x[5])) + ((x[2] + x[6]) + (x[3] + x[7]))
}

// Dot returns Σ x[i]·y[i] over len(x), with four independent partial sums
// (a fixed summation order, so results are reproducible).
func Dot[T float32 | float64](x, y []T) T {
	y = y[:len(x)]
	var s0, s1, s2, s3 T
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

// Sum returns Σ x[i], with independent partial sums (32 lanes in the vector
// path, four in the scalar one).
func Sum(x []float32) float32 {
	var s0, s1, s2, s3 float32
	i := 0
	if n := len(x) &^ 31; useAsm && n > 0 {
		s0, i = sum32(&x[0], n), n
	}
	if useNeon {
		s0, i = sumNeon(x) // 32 lanes over len(x) &^ 31 values
	}
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
