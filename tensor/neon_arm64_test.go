//go:build !noasm

package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// neonMismatch returns a description of the first element where got differs
// from the float64 sum want by more than the float32 bound, or "".
//
// The bound. Every element the NEON products compute is a float32 sum of at
// most terms+1 values (the old C and the terms products; reduce adds two
// partial sums, the Go tail and C: at most terms+3 values in any order of
// additions, and terms+2 ≥ that minus one rounding level). Summed in any
// order, with or without fused multiply-adds, each value passes through at
// most terms+2 roundings of relative size u = 2⁻²⁴, so the error is at most
// γ(terms+2)·Σ|values| with γ(n) = n·u/(1−n·u) (Higham, Accuracy and
// Stability, §3.1 and §4.2), which is below 2·(terms+2)·u·mag for
// (terms+2)·u < ½. mag[i] is Σ|values| of element i; 1e-30 absorbs
// elements whose terms are all zero.
func neonMismatch(got []float32, want, mag []float64, terms int) string {
	for i := range got {
		tol := 2*float64(terms+2)*0x1p-24*mag[i] + 1e-30
		if d := math.Abs(float64(got[i]) - want[i]); !(d <= tol) {
			return fmt.Sprintf("element %d = %g, want %g (|diff| %g > %g)", i, got[i], want[i], d, tol)
		}
	}
	return ""
}

// neonSmallLongShapes are m, k, p of the small × long products: the seed
// models' shapes, then every tail of the tiles (m mod 4, p mod 16 and p mod
// 32 from 0 to their maximum, k = 1, 2, 3 and the 9-row pass of the Go edge).
var neonSmallLongShapes = [][3]int{
	{16, 9, 3136}, {8, 144, 784}, {8, 72, 256}, {144, 8, 784}, {72, 8, 256}, {9, 16, 3136}, {128, 16, 16},
	{1, 1, 1}, {4, 1, 16}, {1, 1, 32}, {3, 2, 33}, {5, 3, 17}, {7, 9, 47}, {6, 10, 63}, {4, 4, 15},
	{2, 17, 31}, {8, 1, 64}, {13, 5, 95}, {4, 144, 48}, {1, 144, 3136}, {3, 9, 784},
}

// TestNeonSmallLongMatchesReference runs the NEON small × long product on the
// shapes above and on random ones (odd m, k, p, both layouts of A, rows of C
// longer than p) against the float64 sums and against smallLongRef; every
// element of C, inside the product or not, is checked.
func TestNeonSmallLongMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 1))
	shapes := append([][3]int(nil), neonSmallLongShapes...)
	for range goRandomCases() {
		shapes = append(shapes, [3]int{1 + rng.IntN(20), 1 + rng.IntN(40), 1 + rng.IntN(130)})
	}
	for _, s := range shapes {
		m, k, p := s[0], s[1], s[2]
		for _, trans := range []bool{false, true} {
			ars, acs := k, 1
			if trans {
				ars, acs = 1, m
			}
			ldc := p
			if rng.IntN(3) == 0 {
				ldc += 1 + rng.IntN(20)
			}
			a, b, c := goRandSlice(rng, m*k), goRandSlice(rng, k*p), goRandSlice(rng, m*ldc)
			want, mag := smallLong64(c, ldc, a, ars, acs, b, 0, m, 0, p, k, p)
			name := fmt.Sprintf("m=%d k=%d p=%d ldc=%d transposed=%v", m, k, p, ldc, trans)
			got := append([]float32(nil), c...)
			smallLongNeon(got, ldc, a, ars, acs, b, m, k, p)
			if e := neonMismatch(got, want, mag, k); e != "" {
				t.Fatalf("smallLongNeon %s: %s", name, e)
			}
			ref := append([]float32(nil), c...)
			smallLongRef(ref, ldc, a, ars, acs, b, 0, m, 0, p, k, p)
			if e := neonMismatch(ref, want, mag, k); e != "" {
				t.Fatalf("smallLongRef %s: %s", name, e)
			}
			// the two float32 results differ by at most both bounds
			for i := range got {
				tol := 4*float64(k+2)*0x1p-24*mag[i] + 1e-30
				if d := math.Abs(float64(got[i]) - float64(ref[i])); !(d <= tol) {
					t.Fatalf("%s: element %d is %g, %g in smallLongRef", name, i, got[i], ref[i])
				}
			}
		}
	}
}

// reduce64 is the float64 reference of reduce over the whole of C: the
// expected C and the sum of the magnitudes of each element's values.
func reduce64(c, a, b []float32, m, n, p int) (want, mag []float64) {
	want, mag = make([]float64, m*n), make([]float64, m*n)
	for i := range m {
		for j := range n {
			want[i*n+j], mag[i*n+j] = float64(c[i*n+j]), math.Abs(float64(c[i*n+j]))
			for q := range p {
				v := float64(a[i*p+q]) * float64(b[j*p+q])
				want[i*n+j] += v
				mag[i*n+j] += math.Abs(v)
			}
		}
	}
	return want, mag
}

// neonReduceShapes are m, n, p of the long reductions: the weight-gradient
// shapes of the seed models, then the tails (m, n below 4, at 4 and off it so
// the last tiles overlap; p below 8, at 8 and p mod 8 from 1 to 7).
var neonReduceShapes = [][3]int{
	{16, 9, 3136}, {8, 144, 784}, {8, 72, 256}, {16, 128, 16}, {128, 16, 16},
	{1, 1, 1}, {4, 4, 8}, {4, 4, 7}, {3, 4, 8}, {4, 3, 8}, {5, 4, 9}, {4, 5, 10}, {7, 6, 11},
	{6, 7, 12}, {9, 9, 13}, {5, 5, 14}, {8, 8, 15}, {4, 9, 16}, {13, 1, 40}, {1, 13, 40}, {2, 2, 100},
}

// TestNeonReduceMatchesReference does the same for the NEON long reduction,
// against the float64 sums and reduceRef.
func TestNeonReduceMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 2))
	shapes := append([][3]int(nil), neonReduceShapes...)
	for range goRandomCases() {
		shapes = append(shapes, [3]int{1 + rng.IntN(14), 1 + rng.IntN(14), 1 + rng.IntN(300)})
	}
	for _, s := range shapes {
		m, n, p := s[0], s[1], s[2]
		a, b, c := goRandSlice(rng, m*p), goRandSlice(rng, n*p), goRandSlice(rng, m*n)
		want, mag := reduce64(c, a, b, m, n, p)
		name := fmt.Sprintf("m=%d n=%d p=%d", m, n, p)
		got := append([]float32(nil), c...)
		reduceNeon(got, a, b, m, n, p)
		if e := neonMismatch(got, want, mag, p); e != "" {
			t.Fatalf("reduceNeon %s: %s", name, e)
		}
		ref := append([]float32(nil), c...)
		reduceRef(ref, a, b, 0, m, 0, n, 0, p, n, p)
		if e := neonMismatch(ref, want, mag, p); e != "" {
			t.Fatalf("reduceRef %s: %s", name, e)
		}
		for i := range got {
			tol := 4*float64(p+2)*0x1p-24*mag[i] + 1e-30
			if d := math.Abs(float64(got[i]) - float64(ref[i])); !(d <= tol) {
				t.Fatalf("%s: element %d is %g, %g in reduceRef", name, i, got[i], ref[i])
			}
		}
	}
}

// TestNeonCheckCanFail: the bound rejects the NEON products when one product
// of one element is missing (k − 1 rows of B, a shorter reduction), and an
// error of one part in 10⁴.
func TestNeonCheckCanFail(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 3))
	m, k, p := 8, 16, 64
	a, b, c := goRandSlice(rng, m*k), goRandSlice(rng, k*p), goRandSlice(rng, m*p)
	want, mag := smallLong64(c, p, a, k, 1, b, 0, m, 0, p, k, p)
	got := append([]float32(nil), c...)
	smallLongNeon(got, p, a, k, 1, b, m, k-1, p) // the last row of B left out
	if neonMismatch(got, want, mag, k) == "" {
		t.Fatal("the check accepted a small × long product missing one term")
	}
	n := 8
	a, b, c = goRandSlice(rng, m*p), goRandSlice(rng, n*p), goRandSlice(rng, m*n)
	want, mag = reduce64(c, a, b, m, n, p)
	got = append([]float32(nil), c...)
	reduceNeon(got, a, b, m, n, p-1)
	if neonMismatch(got, want, mag, p) == "" {
		t.Fatal("the check accepted a reduction missing one term")
	}
	if neonMismatch([]float32{1.0001}, []float64{1}, []float64{1}, 100) == "" {
		t.Fatal("the check accepted a relative error of 1e-4 over 100 terms")
	}
}

// TestNeonPathDispatch: on the neon path the three public products run the
// NEON kernels (their results differ from the pure-Go path's in some bits on
// the models' shapes) and match the float64 sums; SetPath(PathGo) switches
// back to the pure-Go kernels.
func TestNeonPathDispatch(t *testing.T) {
	defer SetPath(Path())
	rng := rand.New(rand.NewPCG(21, 4))
	m, k, p := 8, 144, 784
	a, b := goRandSlice(rng, m*k), goRandSlice(rng, k*p)
	run := func(path string) []float32 {
		if err := SetPath(path); err != nil {
			t.Fatal(err)
		}
		if Path() != path {
			t.Fatalf("SetPath(%q): Path() = %q", path, Path())
		}
		c := make([]float32, m*p)
		MatMulAdd(c, a, b, m, k, p)
		return c
	}
	neon, pure := run(PathNEON), run(PathGo)
	want, mag := smallLong64(make([]float32, m*p), p, a, k, 1, b, 0, m, 0, p, k, p)
	for _, r := range []struct {
		name string
		got  []float32
	}{{PathNEON, neon}, {PathGo, pure}} {
		if e := neonMismatch(r.got, want, mag, k); e != "" {
			t.Fatalf("MatMulAdd on %s: %s", r.name, e)
		}
	}
	if firstBitDiff(neon, pure) < 0 {
		t.Fatal("MatMulAdd gave the same bits on the neon and go paths: is the neon path dispatched?")
	}
}

// BenchmarkSmallLongNeon: the NEON small × long product against the pure-Go
// one on the seed models' shapes (MB/s is MFLOP/s). Under qemu-user the
// figures mean nothing; on an arm64 machine: go test -run X -bench Neon ./tensor.
func BenchmarkSmallLongNeon(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range goProductShapes {
		ars, acs := s.k, 1
		if s.trans {
			ars, acs = 1, s.m
		}
		a, x, c := goRandSlice(rng, s.m*s.k), goRandSlice(rng, s.k*s.p), make([]float32, s.m*s.p)
		b.Run(fmt.Sprintf("%dx%dx%d/neon", s.m, s.k, s.p), func(b *testing.B) {
			b.SetBytes(int64(2 * s.m * s.k * s.p))
			goBench(b, func() { smallLongNeon(c, s.p, a, ars, acs, x, s.m, s.k, s.p) })
		})
		b.Run(fmt.Sprintf("%dx%dx%d/go", s.m, s.k, s.p), func(b *testing.B) {
			b.SetBytes(int64(2 * s.m * s.k * s.p))
			goBench(b, func() { smallLongGo(c, s.p, a, ars, acs, x, 0, s.m, 0, s.p, s.k, s.p) })
		})
	}
}

// BenchmarkReduceNeon: the NEON long reduction against the pure-Go one on the
// weight-gradient shapes (m, n = C·9, p).
func BenchmarkReduceNeon(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range [][3]int{{16, 9, 3136}, {8, 144, 784}, {8, 72, 256}, {16, 128, 16}} {
		m, n, p := s[0], s[1], s[2]
		a, x, c := goRandSlice(rng, m*p), goRandSlice(rng, n*p), make([]float32, m*n)
		b.Run(fmt.Sprintf("%dx%dx%d/neon", m, n, p), func(b *testing.B) {
			b.SetBytes(int64(2 * m * n * p))
			goBench(b, func() { reduceNeon(c, a, x, m, n, p) })
		})
		b.Run(fmt.Sprintf("%dx%dx%d/go", m, n, p), func(b *testing.B) {
			b.SetBytes(int64(2 * m * n * p))
			goBench(b, func() { reduceGo(c, a, x, 0, m, 0, n, 0, p, n, p) })
		})
	}
}

// TestNeonElementwiseMatchesGo: ReLU and ReLUBackward give the pure-Go path's
// bits on the neon path (signed zeros, infinities, NaNs of both signs,
// subnormals included) for every length up to 70 and unaligned starts, and
// Sum stays within the float32 bound of the float64 sum.
func TestNeonElementwiseMatchesGo(t *testing.T) {
	defer SetPath(Path())
	rng := rand.New(rand.NewPCG(21, 5))
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), -float32(math.NaN()), 1e-45, -1e-45, 1e-38, -1e-38, 3, -3}
	for n := range 71 {
		off := rng.IntN(4)
		x := goRandSlice(rng, off+n)
		for i := range x {
			if rng.IntN(4) == 0 {
				x[i] = special[rng.IntN(len(special))]
			}
		}
		y := append([]float32(nil), x...)
		ReLU(y)                                             // y: ReLU outputs (zeros are +0)
		y[rng.IntN(len(y))] = float32(math.Copysign(0, -1)) // a -0 in y: a zero for ReLUBackward
		dy := goRandSlice(rng, off+n)
		out := map[string][2][]float32{}
		for _, p := range []string{PathNEON, PathGo} {
			if err := SetPath(p); err != nil {
				t.Fatal(err)
			}
			r, g := append([]float32(nil), x...), append([]float32(nil), dy...)
			ReLU(r[off:])
			ReLUBackward(g[off:], y[off:])
			out[p] = [2][]float32{r, g}
		}
		for k, name := range []string{"ReLU", "ReLUBackward"} {
			if i := firstBitDiff(out[PathNEON][k], out[PathGo][k]); i >= 0 {
				t.Fatalf("n=%d offset %d: %s element %d is %#x on neon, %#x on go", n, off, name, i,
					math.Float32bits(out[PathNEON][k][i]), math.Float32bits(out[PathGo][k][i]))
			}
		}
	}
	if err := SetPath(PathNEON); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 1, 31, 32, 33, 63, 64, 100, 1000, 3136} {
		x := goRandSlice(rng, n)
		var want, mag float64
		for _, v := range x {
			want += float64(v)
			mag += math.Abs(float64(v))
		}
		if e := neonMismatch([]float32{Sum(x)}, []float64{want}, []float64{mag}, n); e != "" {
			t.Fatalf("Sum of %d values: %s", n, e)
		}
	}
}

// TestNeonTanhEdges: the NEON Tanh keeps the sign of x (zeros included), maps
// ±Inf to ±1, keeps NaN, and stays within Tanh32's bound (3e-7 absolute) on
// both sides of its switches (0.0004 and 9.1) and on subnormals.
func TestNeonTanhEdges(t *testing.T) {
	defer SetPath(Path())
	if err := SetPath(PathNEON); err != nil {
		t.Fatal(err)
	}
	x := []float32{0, 1e-45, 1e-38, 0.0003999, 0.0004, 0.00040001, 0.5, 1, 9.0999, 9.1, 9.1001, 20, float32(math.Inf(1))}
	for _, v := range x[:len(x):len(x)] {
		x = append(x, -v)
	}
	x = append(x, float32(math.NaN()), -float32(math.NaN()), 7) // 7: a multiple of 4 is not needed
	y := append([]float32(nil), x...)
	Tanh(y)
	for i, v := range x {
		if math.IsNaN(float64(v)) {
			if math.Float32bits(y[i]) != math.Float32bits(v) {
				t.Errorf("Tanh(%#x) = %#x, want the NaN itself", math.Float32bits(v), math.Float32bits(y[i]))
			}
			continue
		}
		if d := math.Abs(float64(y[i]) - math.Tanh(float64(v))); !(d <= 3e-7) || math.Signbit(float64(y[i])) != math.Signbit(float64(v)) {
			t.Errorf("Tanh(%g) = %g, want %g", v, y[i], math.Tanh(float64(v)))
		}
	}
}

// TestNeonSmallLongSetMatchesReference: the fused NEON product (C set from
// the bias, then the activation and the gate) against float64 on the tile
// shapes and random ones, with and without bias, each activation, with and
// without a gate, rows of C longer than p (the gaps must stay untouched).
// ReLU is 1-Lipschitz, so the product's bound holds after it; Tanh is too,
// plus its own 3e-7 absolute error.
func TestNeonSmallLongSetMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 6))
	shapes := append([][3]int(nil), neonSmallLongShapes...)
	for range goRandomCases() {
		shapes = append(shapes, [3]int{1 + rng.IntN(20), 1 + rng.IntN(40), 1 + rng.IntN(130)})
	}
	for n, s := range shapes {
		m, k, p := s[0], s[1], s[2]
		ars, acs := k, 1
		if n%2 == 1 {
			ars, acs = 1, m
		}
		ldc := p
		if rng.IntN(3) == 0 {
			ldc += 1 + rng.IntN(20)
		}
		act := Act(n % 3)
		a, b, c := goRandSlice(rng, m*k), goRandSlice(rng, k*p), goRandSlice(rng, m*ldc)
		var bias, gate []float32
		if rng.IntN(3) > 0 {
			bias = goRandSlice(rng, m)
		}
		if rng.IntN(2) == 0 {
			gate = goRandSlice(rng, m*ldc)
			ReLU(gate)
		}
		// the float64 product, from the bias instead of C outside the gaps
		c0 := append([]float32(nil), c...)
		for i := range m {
			for j := range p {
				c0[i*ldc+j] = 0
				if bias != nil {
					c0[i*ldc+j] = bias[i]
				}
			}
		}
		want, mag := smallLong64(c0, ldc, a, ars, acs, b, 0, m, 0, p, k, p)
		for i := range m {
			for j := range p {
				e := i*ldc + j
				switch act {
				case ActReLU:
					want[e] = max(want[e], 0)
				case ActTanh:
					want[e] = math.Tanh(want[e])
					mag[e] += 3e-7 / (2 * float64(k+2) * 0x1p-24) // Tanh32's error, in the bound's units
				}
				if gate != nil && gate[e] == 0 {
					want[e] = 0
				}
			}
		}
		got := append([]float32(nil), c...)
		smallLongSetNeon(got, ldc, a, ars, acs, b, bias, act, gate, m, k, p)
		if e := neonMismatch(got, want, mag, k); e != "" {
			t.Fatalf("m=%d k=%d p=%d ldc=%d ars=%d act=%d bias=%v gate=%v: %s", m, k, p, ldc, ars, act, bias != nil, gate != nil, e)
		}
	}
}
