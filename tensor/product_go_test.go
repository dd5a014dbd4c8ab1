package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// goCheckTol is goCheck with an extra absolute allowance (an activation's
// own error).
func goCheckTol(t *testing.T, name string, got []float32, want, mag []float64, terms int, extra float64) {
	t.Helper()
	for i := range got {
		tol := 2*float64(terms+2)*0x1p-24*mag[i] + extra + 1e-30
		if d := math.Abs(float64(got[i]) - want[i]); d > tol || math.IsNaN(float64(got[i])) {
			t.Fatalf("%s: element %d = %g, want %g (|diff| %g > %g)", name, i, got[i], want[i], d, tol)
		}
	}
}

// activate64 applies act and the gate to want in place (mag is left alone:
// ReLU and tanh do not grow an error, and a gated element is exact).
func activate64(want []float64, act Act, gate []float32) {
	for i, v := range want {
		switch act {
		case ActReLU:
			v = max(v, 0)
		case ActTanh:
			v = math.Tanh(v)
		}
		if gate != nil && gate[i] == 0 {
			v = 0
		}
		want[i] = v
	}
}

// actTol is the absolute error an activation adds: Tanh32's bound.
func actTol(act Act) float64 {
	if act == ActTanh {
		return 3e-7
	}
	return 0
}

// randGate is nil half the time, else a ReLU output of n values (about half
// of them zero).
func randGate(rng *rand.Rand, n int) []float32 {
	if rng.IntN(2) == 0 {
		return nil
	}
	g := goRandSlice(rng, n)
	reluGo(g)
	return g
}

// TestColProductGoMatchesReference compares ColProduct's fused pure-Go path
// and its twin with float64 on random shapes (k on and off the passes'
// widths), with and without bias, ReLU and gate; y's stale values must not
// leak in.
func TestColProductGoMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 1))
	shapes := [][3]int{{1, 1, 1}, {16, 9, 3136}, {8, 144, 784}, {8, 72, 256}, {3, 17, 5}, {2, 25, 9}}
	for range goRandomCases() {
		shapes = append(shapes, [3]int{1 + rng.IntN(20), 1 + rng.IntN(40), 1 + rng.IntN(70)})
	}
	for _, s := range shapes {
		m, k, p := s[0], s[1], s[2]
		w, col := goRandSlice(rng, m*k), goRandSlice(rng, k*p)
		var bias []float32
		if rng.IntN(4) != 0 {
			bias = goRandSlice(rng, m)
		}
		relu, gate := rng.IntN(2) == 0, randGate(rng, m*p)
		want, mag := make([]float64, m*p), make([]float64, m*p)
		for i := range m {
			for j := range p {
				v, a := 0.0, 0.0
				if bias != nil {
					v, a = float64(bias[i]), math.Abs(float64(bias[i]))
				}
				for kk := range k {
					u := float64(w[i*k+kk]) * float64(col[kk*p+j])
					v += u
					a += math.Abs(u)
				}
				want[i*p+j], mag[i*p+j] = v, a
			}
		}
		act := ActNone
		if relu {
			act = ActReLU
		}
		activate64(want, act, gate)
		for _, v := range []struct {
			name string
			f    func(y, w, bias, col []float32, relu bool, gate []float32, m, k, p int)
		}{{"colProductGo", colProductGo}, {"colProductRef", colProductRef}} {
			y := goRandSlice(rng, m*p)
			v.f(y, w, bias, col, relu, gate, m, k, p)
			goCheck(t, fmt.Sprintf("%s m=%d k=%d p=%d bias %v relu %v gate %v", v.name, m, k, p,
				bias != nil, relu, gate != nil), y, want, mag, k+1)
		}
	}
}

// TestConvTransposeGoMatchesReference compares the parity-class pure-Go
// transposed convolution and its column-route twin with the float64
// definition (the adjoint of Im2col applied to Aᵀ·src) on random windows
// with H ≤ 2·Ho and W ≤ 2·Wo, every activation, with and without bias and
// gate, starting from stale dst and scratch.
func TestConvTransposeGoMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 2))
	cases := []struct {
		cs int
		g  Window
	}{
		{16, Window{C: 1, N: 16, H: 28, W: 28, Ho: 14, Wo: 14}},
		{8, Window{C: 16, N: 16, H: 14, W: 14, Ho: 7, Wo: 7}},
		{8, Window{C: 8, N: 16, H: 7, W: 7, Ho: 4, Wo: 4}},
		{1, Window{C: 1, N: 1, H: 1, W: 1, Ho: 1, Wo: 1}},
	}
	for range goRandomCases() {
		ho, wo := 1+rng.IntN(9), 1+rng.IntN(9)
		cases = append(cases, struct {
			cs int
			g  Window
		}{1 + rng.IntN(10), Window{C: 1 + rng.IntN(5), N: 1 + rng.IntN(4), Ho: ho, Wo: wo,
			H: max(1, 2*ho-rng.IntN(3)), W: max(1, 2*wo-rng.IntN(3))}})
	}
	for _, c := range cases {
		g, cs := c.g, c.cs
		small, large := g.Small(), g.Large()
		a, src := goRandSlice(rng, cs*g.C*9), goRandSlice(rng, cs*small)
		var bias []float32
		if rng.IntN(4) != 0 {
			bias = goRandSlice(rng, g.C)
		}
		act, gate := Act(rng.IntN(3)), randGate(rng, g.C*large)
		want, mag := make([]float64, g.C*large), make([]float64, g.C*large)
		for i := range want {
			if bias != nil {
				want[i], mag[i] = float64(bias[i/large]), math.Abs(float64(bias[i/large]))
			}
		}
		// column row (l·9 + tap) at q is Σ_s A[s][l·9 + tap]·src[s][q]
		windowPairs(g, func(ci, xi int) {
			row, q := ci/small, ci%small
			for s := range cs {
				u := float64(a[s*g.C*9+row]) * float64(src[s*small+q])
				want[xi] += u
				mag[xi] += math.Abs(u)
			}
		})
		activate64(want, act, gate)
		for _, v := range []struct {
			name string
			f    func(dst, a, src, bias []float32, act Act, scratch []float32, cs int, g Window, gate []float32)
		}{{"convTransposeGo", convTransposeGo}, {"convTransposeRef", convTransposeRef}} {
			dst, scratch := goRandSlice(rng, len(want)), goRandSlice(rng, ConvTransposeScratch(g, cs))
			v.f(dst, a, src, bias, act, scratch, cs, g, gate)
			goCheckTol(t, fmt.Sprintf("%s cs=%d %+v bias %v act %d gate %v", v.name, cs, g, bias != nil, act, gate != nil),
				dst, want, mag, 4*cs+1, actTol(act))
		}
	}
}

// TestShiftsMatchDefinition: shiftBack and shiftFwd against their
// definitions on random grids, overwriting stale values.
func TestShiftsMatchDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 3))
	for range goRandomCases() {
		n, ho, wo := 1+rng.IntN(4), 1+rng.IntN(6), 1+rng.IntN(6)
		src := goRandSlice(rng, n*ho*wo)
		for _, back := range []bool{false, true} {
			for _, d := range [][2]int{{0, 1}, {1, 0}, {1, 1}} {
				dst := goRandSlice(rng, len(src))
				sign := 1
				j0 := 0 // shiftFwd: a range of columns [j0, j0 + len(dst))
				if back {
					shiftBack(dst, src, ho, wo, d[0], d[1])
					sign = -1
				} else {
					j0 = rng.IntN(len(src))
					dst = dst[:j0+rng.IntN(len(src)-j0+1)-j0]
					shiftFwd(dst, src, j0, ho, wo, d[0], d[1])
				}
				for i := range dst {
					q := j0 + i
					a, b := q%(ho*wo)/wo+sign*d[0], q%wo+sign*d[1]
					want := float32(0)
					if a >= 0 && a < ho && b >= 0 && b < wo {
						want = src[q+sign*(d[0]*wo+d[1])]
					}
					if dst[i] != want {
						t.Fatalf("shift back %v by %v from %d, %d images of %d×%d: dst[%d] = %g, want %g", back, d, j0, n, ho, wo, i, dst[i], want)
					}
				}
			}
		}
	}
}

// goConvTShapes are the transposed convolutions of one chunk of 16 images of
// the seed models, with the activation and gate each runs with.
var goConvTShapes = []struct {
	name string
	cs   int
	g    Window
	act  Act
	gate bool
}{
	{"convT1", 8, Window{C: 8, N: 16, H: 7, W: 7, Ho: 4, Wo: 4}, ActReLU, false},
	{"convT2", 8, Window{C: 16, N: 16, H: 14, W: 14, Ho: 7, Wo: 7}, ActReLU, false},
	{"convT3", 16, Window{C: 1, N: 16, H: 28, W: 28, Ho: 14, Wo: 14}, ActTanh, false},
	{"conv3dX", 8, Window{C: 8, N: 16, H: 7, W: 7, Ho: 4, Wo: 4}, ActNone, true},
	{"conv2dX", 8, Window{C: 16, N: 16, H: 14, W: 14, Ho: 7, Wo: 7}, ActNone, true},
}

// BenchmarkConvTransposeGo: the parity-class pure-Go transposed convolution
// against its column-route twin (MB/s is MFLOP/s of the products).
func BenchmarkConvTransposeGo(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range goConvTShapes {
		g := s.g
		a, src, bias := goRandSlice(rng, s.cs*g.C*9), goRandSlice(rng, s.cs*g.Small()), goRandSlice(rng, g.C)
		dst, scratch := make([]float32, g.C*g.Large()), make([]float32, ConvTransposeScratch(g, s.cs))
		var gate []float32
		if s.gate {
			gate = goRandSlice(rng, len(dst))
			reluGo(gate)
		}
		for _, v := range []struct {
			name string
			f    func(dst, a, src, bias []float32, act Act, scratch []float32, cs int, g Window, gate []float32)
		}{{"go", convTransposeGo}, {"ref", convTransposeRef}} {
			b.Run(s.name+"/"+v.name, func(b *testing.B) {
				b.SetBytes(int64(2 * 9 * s.cs * g.C * g.Small()))
				goBench(b, func() { v.f(dst, a, src, bias, s.act, scratch, s.cs, g, gate) })
			})
		}
	}
}

// BenchmarkColProductGo: ColProduct's fused pure-Go path against its twin and
// against the separate passes over smallLongGo it replaces ("passes"), on
// the seed models' convolutions (forward with ReLU, and the convT dX shapes
// with a gate).
func BenchmarkColProductGo(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	passes := func(y, w, bias, col []float32, relu bool, gate []float32, m, k, p int) {
		SetRowBias(y, bias, p)
		smallLongGo(y, p, w, k, 1, col, 0, m, 0, p, k, p)
		if relu {
			reluGo(y[:m*p])
		}
		if gate != nil {
			reluBackwardGo(y[:m*p], gate)
		}
	}
	for _, s := range []struct {
		name    string
		m, k, p int
		relu    bool
	}{
		{"conv1", 16, 9, 3136, true}, {"conv2", 8, 144, 784, true}, {"conv3", 8, 72, 256, true},
		{"convT3dX", 16, 9, 3136, false}, {"convT2dX", 8, 144, 784, false},
	} {
		w, col, bias := goRandSlice(rng, s.m*s.k), goRandSlice(rng, s.k*s.p), goRandSlice(rng, s.m)
		y := make([]float32, s.m*s.p)
		var gate []float32
		if !s.relu {
			gate, bias = goRandSlice(rng, s.m*s.p), make([]float32, s.m)
			reluGo(gate)
		}
		for _, v := range []struct {
			name string
			f    func(y, w, bias, col []float32, relu bool, gate []float32, m, k, p int)
		}{{"go", colProductGo}, {"passes", passes}, {"ref", colProductRef}} {
			b.Run(s.name+"/"+v.name, func(b *testing.B) {
				b.SetBytes(int64(2 * s.m * s.k * s.p))
				goBench(b, func() { v.f(y, w, bias, col, s.relu, gate, s.m, s.k, s.p) })
			})
		}
	}
}

// tanh32Ref is Tanh32 as first written (math.Copysign through float64, over
// Exp32 itself): the faster forms must give the same bits.
func tanh32Ref(x float32) float32 {
	a := x
	if a < 0 {
		a = -a
	}
	if a > 9.1 {
		a = 1
	} else if a < 0.0004 {
		a = a - a*a*a/3
	} else {
		a = 1 - 2/(Exp32(2*a)+1)
	}
	return float32(math.Copysign(float64(a), float64(x)))
}

// TestFastMathKeepsItsBits: Tanh32 and tanhGo equal Tanh32's first form
// bit for bit on every 61st float32 of either sign (and
// the infinities), so the vector paths, whose tails they compute, keep their
// bits too.
func TestFastMathKeepsItsBits(t *testing.T) {
	step := uint32(61)
	if testing.Short() {
		step = 997
	}
	var xs []float32
	for b := uint32(0); b <= 0x7f800000; b += step {
		xs = append(xs, math.Float32frombits(b), -math.Float32frombits(b))
		for _, x := range xs[len(xs)-2:] {
			if got, want := Tanh32(x), tanh32Ref(x); math.Float32bits(got) != math.Float32bits(want) {
				t.Fatalf("Tanh32(%g) = %g, first form %g", x, got, want)
			}
		}
	}
	// tanhGo, Tanh32 written out in a loop
	y := append([]float32(nil), xs...)
	tanhGo(y)
	for i, x := range xs {
		if want := tanh32Ref(x); math.Float32bits(y[i]) != math.Float32bits(want) {
			t.Fatalf("tanhGo(%g) = %g, Tanh32's first form %g", x, y[i], want)
		}
	}
}

// BenchmarkTanhGo: Tanh's scalar loop over one chunk's output image (16
// images of 28×28) against the first form of Tanh32.
func BenchmarkTanhGo(b *testing.B) {
	x := goRandSlice(rand.New(rand.NewPCG(1, 1)), 16*784)
	y := make([]float32, len(x))
	b.Run("go", func(b *testing.B) {
		goBench(b, func() { copy(y, x); tanhGo(y) })
	})
	b.Run("ref", func(b *testing.B) {
		goBench(b, func() {
			copy(y, x)
			for i, v := range y {
				y[i] = tanh32Ref(v)
			}
		})
	})
}
