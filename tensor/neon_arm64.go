//go:build !noasm

package tensor

// The NEON (Advanced SIMD) products of the arm64 path: register tiles in
// neon_arm64.s, edges and lane sums here. Advanced SIMD is a mandatory part of
// ARMv8-A and Go's arm64 port itself relies on it (the runtime's memmove and
// memclr use it), so every arm64 machine Go runs on has it: no detection.
var hasNEON = true

// useNeon selects the NEON products (SetPath("go") clears it).
var useNeon = hasNEON

// neonTile4x16 computes C[r·ldc + j] += Σ_kk A[r·ars + kk·acs]·B[kk·ldb + j]
// for r < 4, j < 16, kk < k (k ≥ 1): 16 accumulators of 4 lanes hold the
// 4×16 tile of C, each row of 16 values of B is loaded once per kk and
// multiplied by the four values of A broadcast from memory. With bias ≠ nil
// the accumulators start from bias[r] instead of C: C = bias + Σ.
//
//go:noescape
func neonTile4x16(c *float32, ldc int, a *float32, ars int, acs int, b *float32, ldb int, k int, bias *float32)

// neonTile1x32 computes C[j] += Σ_kk A[kk·acs]·B[kk·ldb + j] for j < 32,
// kk < k (k ≥ 1): one row of C in 8 accumulators (the rows of C below the
// last whole block of four). With bias ≠ nil, C = *bias + Σ.
//
//go:noescape
func neonTile1x32(c *float32, a *float32, acs int, b *float32, ldb int, k int, bias *float32)

// neonDot4x4 computes the 16 dot products of rows r < 4 of A (a, lda) with
// rows s < 4 of B (b, ldb) over q < p (p a positive multiple of 8), leaving
// each as 4 partial sums in out[(4r+s)·4 : (4r+s)·4+4]; lane l holds the
// products of q ≡ l (mod 4).
//
//go:noescape
func neonDot4x4(a *float32, lda int, b *float32, ldb int, p int, out *[64]float32)

// smallLongNeon is smallLong on the NEON path: 4×16 tiles of C, column panels
// outermost (a [k][16] panel of B stays in L1 across the row blocks), the
// right edge (p mod 16 columns) in Go, the last m mod 4 rows as 1×32 tiles
// and their edge in Go. k ≥ 1.
func smallLongNeon(c []float32, ldc int, a []float32, ars, acs int, b []float32, m, k, p int) {
	m4, p16, p32 := neonTiles(c, ldc, a, ars, acs, b, m, k, p, false, nil)
	smallLongGo(c, ldc, a, ars, acs, b, 0, m4, p16, p, k, p) // right edge
	smallLongGo(c, ldc, a, ars, acs, b, m4, m, p32, p, k, p)
}

// neonTiles runs the NEON tiles of smallLong over C: 4×16 tiles on the first
// m4 = m &^ 3 rows and p16 = p &^ 15 columns (column panels outermost), 1×32
// tiles on the last rows and p32 = p &^ 31 columns. The tiles add into C, or
// with set start from bias[i] (bias nil: 0). The edges are the caller's.
func neonTiles(c []float32, ldc int, a []float32, ars, acs int, b []float32, m, k, p int, set bool, bias []float32) (m4, p16, p32 int) {
	var zero [4]float32
	biasAt := func(i int) *float32 { // what the tiles start from: nil for C itself
		switch {
		case !set:
			return nil
		case bias == nil:
			return &zero[0]
		}
		return &bias[i]
	}
	m4, p16, p32 = m&^3, p&^15, p&^31
	for j := 0; j < p16; j += 16 {
		for i := 0; i < m4; i += 4 {
			neonTile4x16(&c[i*ldc+j], ldc, &a[i*ars], ars, acs, &b[j], p, k, biasAt(i))
		}
	}
	for i := m4; i < m; i++ {
		for j := 0; j < p32; j += 32 {
			neonTile1x32(&c[i*ldc+j], &a[i*ars], acs, &b[j], p, k, biasAt(i))
		}
	}
	return m4, p16, p32
}

// smallLongSetNeon is smallLongSetGo on the NEON path: it sets
// C[i·ldc + j] = bias[i] + Σ_kk A[i·ars + kk·acs]·B[kk·p + j] for i < m,
// j < p (bias nil: 0), then applies act to each row and zeroes it where gate
// (laid out as C) is zero. The tiles start from the bias (C is never read);
// the edges are set to the bias and finished by smallLongGo; the activation
// and the gate are NEON passes over each row (ReLU, Tanh, ReLUBackward).
// k ≥ 1.
func smallLongSetNeon(c []float32, ldc int, a []float32, ars, acs int, b, bias []float32, act Act, gate []float32, m, k, p int) {
	fill := func(i, j0 int) { // C[i, j0:p] = bias[i] (bias nil: 0)
		var v float32
		if bias != nil {
			v = bias[i]
		}
		row := c[i*ldc+j0 : i*ldc+p]
		for j := range row {
			row[j] = v
		}
	}
	m4, p16, p32 := neonTiles(c, ldc, a, ars, acs, b, m, k, p, true, bias)
	for i := range m {
		j0 := p16 // the right edge of the 4×16 tiles, or of the 1×32 ones
		if i >= m4 {
			j0 = p32
		}
		if j0 < p {
			fill(i, j0)
			smallLongGo(c, ldc, a, ars, acs, b, i, i+1, j0, p, k, p)
		}
		var gr []float32
		if gate != nil {
			gr = gate[i*ldc : i*ldc+p]
		}
		activate(c[i*ldc:i*ldc+p], act, gr)
	}
}

// reduceNeon is reduce on the NEON path: 4×4 tiles of dot products over the
// first p8 = p &^ 7 values of q, 4 lanes each, summed here as (l0+l1)+(l2+l3); the last row block and column block overlap
// the previous ones when m or n is not a multiple of 4 and add only the
// entries not yet done; the tails q ≥ p8 in Go. Shapes with m < 4, n < 4 or
// p < 8 run in Go.
func reduceNeon(c, a, b []float32, m, n, p int) {
	if p < 8 || m < 4 || n < 4 {
		reduceGo(c, a, b, 0, m, 0, n, 0, p, n, p)
		return
	}
	p8 := p &^ 7
	var lanes [64]float32
	for i0 := 0; i0 < m; i0 += 4 {
		i := min(i0, m-4)
		for j0 := 0; j0 < n; j0 += 4 {
			j := min(j0, n-4)
			neonDot4x4(&a[i*p], p, &b[j*p], p, p8, &lanes)
			for t := range 16 {
				ii, jj := i+t/4, j+t%4
				if ii >= i0 && jj >= j0 {
					l := lanes[t*4 : t*4+4]
					c[ii*n+jj] += (l[0] + l[1]) + (l[2] + l[3])
				}
			}
		}
	}
	reduceGo(c, a, b, 0, m, 0, n, p8, p, n, p) // tails of the dot products
}

// neonReLU is ReLU over n values, n a positive multiple of 16.
//
//go:noescape
func neonReLU(x *float32, n int)

// neonReLUMask is ReLUBackward over n values, n a positive multiple of 16.
//
//go:noescape
func neonReLUMask(dy *float32, y *float32, n int)

// neonSum32 leaves in out[l] the sum of x[32t + l] over 32t < n, n a positive
// multiple of 32.
//
//go:noescape
func neonSum32(x *float32, n int, out *[32]float32)

// reluNeon runs ReLU's NEON kernel over the whole blocks of 16 of x and
// returns the rest, for the Go loop.
func reluNeon(x []float32) []float32 {
	if n := len(x) &^ 15; n > 0 {
		neonReLU(&x[0], n)
		x = x[n:]
	}
	return x
}

// reluBackwardNeon runs ReLUBackward's NEON kernel over the whole blocks of 16
// of dy and returns the rest of dy and y, for the Go loop.
func reluBackwardNeon(dy, y []float32) ([]float32, []float32) {
	y = y[:len(dy)]
	if n := len(dy) &^ 15; n > 0 {
		neonReLUMask(&dy[0], &y[0], n)
		dy, y = dy[n:], y[n:]
	}
	return dy, y
}

// sumNeon returns Σ x[i] over the first n = len(x) &^ 31 values (32 lanes,
// then a fixed tree over the lanes) and n.
func sumNeon(x []float32) (float32, int) {
	n := len(x) &^ 31
	if n == 0 {
		return 0, 0
	}
	var l [32]float32
	neonSum32(&x[0], n, &l)
	for w := 16; w >= 1; w /= 2 {
		for i := range w {
			l[i] += l[i+w]
		}
	}
	return l[0], n
}

// neonTanh is Tanh over n values, n a positive multiple of 4.
//
//go:noescape
func neonTanh(x *float32, n int)

// tanhNeon runs Tanh's NEON kernel over the whole blocks of 4 of x and
// returns the rest, for the Go loop.
func tanhNeon(x []float32) []float32 {
	if n := len(x) &^ 3; n > 0 {
		neonTanh(&x[0], n)
		x = x[n:]
	}
	return x
}
