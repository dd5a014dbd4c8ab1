package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func randSlice(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

// naive reference products, in float64
func refMatMul(a, b []float32, m, k, p int, aT bool) []float64 {
	c := make([]float64, m*p)
	for i := 0; i < m; i++ {
		for j := 0; j < p; j++ {
			var s float64
			for kk := 0; kk < k; kk++ {
				av := a[i*k+kk]
				if aT {
					av = a[kk*m+i]
				}
				s += float64(av) * float64(b[kk*p+j])
			}
			c[i*p+j] = s
		}
	}
	return c
}

func assertClose(t *testing.T, name string, got []float32, want []float64, tol float64) {
	t.Helper()
	for i := range want {
		if d := math.Abs(float64(got[i]) - want[i]); !(d <= tol*(1+math.Abs(want[i]))) {
			t.Fatalf("%s: element %d = %g, want %g", name, i, got[i], want[i])
		}
	}
}

// shapes the models use, plus odd ones that exercise the remainder loops
var productShapes = []struct{ m, k, p int }{
	{16, 9, 3 * 196}, {8, 144, 16 * 49}, {8, 72, 16 * 16}, {72, 8, 16 * 16},
	{144, 8, 16 * 49}, {9, 16, 16 * 196}, {8, 128, 16}, {1, 1, 1}, {3, 5, 7}, {5, 7, 3},
}

func TestMatMulAddMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range productShapes {
		t.Run(fmt.Sprintf("%dx%dx%d", s.m, s.k, s.p), func(t *testing.T) {
			a, b := randSlice(rng, s.m*s.k), randSlice(rng, s.k*s.p)
			c0 := randSlice(rng, s.m*s.p)
			for _, aT := range []bool{false, true} {
				want := refMatMul(a, b, s.m, s.k, s.p, aT)
				for i := range want {
					want[i] += float64(c0[i])
				}
				c := append([]float32(nil), c0...)
				if aT {
					MatTMulAdd(c, a, b, s.m, s.k, s.p)
				} else {
					MatMulAdd(c, a, b, s.m, s.k, s.p)
				}
				assertClose(t, fmt.Sprintf("transposed=%v", aT), c, want, 1e-5)
			}
		})
	}
}

func TestMatMulTAddMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, s := range productShapes {
		t.Run(fmt.Sprintf("%dx%dx%d", s.m, s.k, s.p), func(t *testing.T) {
			// C[m,n] += Σ_p A[m,p]·B[n,p] with n = s.k
			m, n, p := s.m, s.k, s.p
			a, b := randSlice(rng, m*p), randSlice(rng, n*p)
			c := make([]float32, m*n)
			MatMulTAdd(c, a, b, m, n, p)
			want := make([]float64, m*n)
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					for q := 0; q < p; q++ {
						want[i*n+j] += float64(a[i*p+q]) * float64(b[j*p+q])
					}
				}
			}
			assertClose(t, "MatMulTAdd", c, want, 1e-4)
		})
	}
}

// Col2imAdd must be the adjoint of Im2col: <Im2col(x), c> = <x, Col2im(c)>,
// and Im2col must read exactly the 3×3 stride-2 padding-1 window.
func TestWindowGatherScatter(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, g := range []Window{
		{C: 1, N: 2, H: 28, W: 28, Ho: 14, Wo: 14},
		{C: 16, N: 3, H: 14, W: 14, Ho: 7, Wo: 7},
		{C: 8, N: 2, H: 7, W: 7, Ho: 4, Wo: 4}, // conv3, and convT1 (op 0)
		{C: 3, N: 1, H: 8, W: 8, Ho: 4, Wo: 4}, // convT, op 1
		{C: 2, N: 2, H: 5, W: 6, Ho: 3, Wo: 3}, // not square
	} {
		t.Run(fmt.Sprintf("%+v", g), func(t *testing.T) {
			x := randSlice(rng, g.C*g.Large())
			col := make([]float32, g.ColRows()*g.Small())
			Im2col(col, x, g)
			for c := 0; c < g.C; c++ {
				for k := 0; k < 9; k++ {
					kh, kw := k/3, k%3
					for n := 0; n < g.N; n++ {
						for oh := 0; oh < g.Ho; oh++ {
							for ow := 0; ow < g.Wo; ow++ {
								ih, iw := 2*oh-1+kh, 2*ow-1+kw
								var want float32
								if ih >= 0 && ih < g.H && iw >= 0 && iw < g.W {
									want = x[((c*g.N+n)*g.H+ih)*g.W+iw]
								}
								if got := col[(c*9+k)*g.Small()+(n*g.Ho+oh)*g.Wo+ow]; got != want {
									t.Fatalf("col[c%d k%d n%d %d,%d] = %g, want %g", c, k, n, oh, ow, got, want)
								}
							}
						}
					}
				}
			}
			cv := randSlice(rng, len(col))
			back := make([]float32, len(x))
			Col2imAdd(back, cv, g)
			var lhs, rhs float64
			for i := range col {
				lhs += float64(col[i]) * float64(cv[i])
			}
			for i := range x {
				rhs += float64(x[i]) * float64(back[i])
			}
			if math.Abs(lhs-rhs) > 1e-6*(1+math.Abs(lhs)) {
				t.Fatalf("adjoint: <Im2col x, c> = %g, <x, Col2im c> = %g", lhs, rhs)
			}
		})
	}
}

func TestLayoutRoundTrips(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const n, c, s = 3, 5, 16
	x := randSlice(rng, n*c*s)
	cn, back := make([]float32, len(x)), make([]float32, len(x))
	ImagesToChannels(cn, x, n, c, s)
	if cn[(2*n+1)*s+3] != x[(1*c+2)*s+3] {
		t.Fatal("ImagesToChannels misplaces [n1 c2 s3]")
	}
	ChannelsToImages(back, cn, n, c, s)
	feat := make([]float32, len(x))
	ChannelsToFeatures(feat, cn, c, n, s)
	if feat[(2*s+3)*n+1] != x[(1*c+2)*s+3] {
		t.Fatal("ChannelsToFeatures misplaces [n1 c2 s3]")
	}
	back2 := make([]float32, len(x))
	FeaturesToChannels(back2, feat, c, n, s)
	for i := range x {
		if back[i] != x[i] || back2[i] != cn[i] {
			t.Fatalf("round trip differs at %d", i)
		}
	}
}

func BenchmarkMatMulAdd(b *testing.B) { forPaths(b, benchMatMulAdd) }

func benchMatMulAdd(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range productShapes[:7] {
		b.Run(fmt.Sprintf("%dx%dx%d", s.m, s.k, s.p), func(b *testing.B) {
			a, x, c := randSlice(rng, s.m*s.k), randSlice(rng, s.k*s.p), make([]float32, s.m*s.p)
			b.SetBytes(int64(2 * s.m * s.k * s.p)) // FLOPs, reported as MB/s = MFLOP/s
			for b.Loop() {
				MatMulAdd(c, a, x, s.m, s.k, s.p)
			}
		})
	}
}

func BenchmarkMatMulTAdd(b *testing.B) { forPaths(b, benchMatMulTAdd) }

func benchMatMulTAdd(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range productShapes[:7] {
		b.Run(fmt.Sprintf("%dx%dx%d", s.m, s.k, s.p), func(b *testing.B) {
			a, x, c := randSlice(rng, s.m*s.p), randSlice(rng, s.k*s.p), make([]float32, s.m*s.k)
			b.SetBytes(int64(2 * s.m * s.k * s.p))
			for b.Loop() {
				MatMulTAdd(c, a, x, s.m, s.k, s.p)
			}
		})
	}
}

func BenchmarkIm2col(b *testing.B) {
	g := Window{C: 16, N: 64, H: 14, W: 14, Ho: 7, Wo: 7}
	rng := rand.New(rand.NewPCG(1, 1))
	x, col := randSlice(rng, g.C*g.Large()), make([]float32, g.ColRows()*g.Small())
	b.SetBytes(int64(4 * len(col)))
	for b.Loop() {
		Im2col(col, x, g)
	}
}

func BenchmarkCol2imAdd(b *testing.B) {
	g := Window{C: 16, N: 64, H: 14, W: 14, Ho: 7, Wo: 7}
	rng := rand.New(rand.NewPCG(1, 1))
	x, col := make([]float32, g.C*g.Large()), randSlice(rng, g.ColRows()*g.Small())
	b.SetBytes(int64(4 * len(col)))
	for b.Loop() {
		Col2imAdd(x, col, g)
	}
}

// TestFastMathErrorBounds checks Exp32 and Tanh32 against float64 math over
// a dense grid and the edges.
func TestFastMathErrorBounds(t *testing.T) {
	var worstExp, worstTanh float64
	for x := float32(-87); x <= 88.5; x += 0.00137 {
		want := math.Exp(float64(x))
		if rel := math.Abs(float64(Exp32(x))-want) / want; rel > worstExp {
			worstExp = rel
		}
	}
	for x := float32(-12); x <= 12; x += 0.0000917 {
		if d := math.Abs(float64(Tanh32(x)) - math.Tanh(float64(x))); d > worstTanh {
			worstTanh = d
		}
	}
	t.Logf("Exp32 max relative error %.3g, Tanh32 max absolute error %.3g", worstExp, worstTanh)
	if worstExp > 3e-7 {
		t.Errorf("Exp32 relative error %.3g > 3e-7", worstExp)
	}
	if worstTanh > 3e-7 {
		t.Errorf("Tanh32 absolute error %.3g > 3e-7", worstTanh)
	}
	for _, c := range []struct{ x, want float32 }{
		{0, 0}, {100, 1}, {-100, -1}, {float32(math.Inf(1)), 1}, {float32(math.Inf(-1)), -1},
	} {
		if got := Tanh32(c.x); got != c.want {
			t.Errorf("Tanh32(%g) = %g, want %g", c.x, got, c.want)
		}
	}
	if !math.IsNaN(float64(Tanh32(float32(math.NaN())))) || !math.IsNaN(float64(Exp32(float32(math.NaN())))) {
		t.Error("NaN must stay NaN")
	}
	if Exp32(-100) != 0 || !math.IsInf(float64(Exp32(100)), 1) {
		t.Error("Exp32 must saturate to 0 and +Inf")
	}
}

// TestConvTransposeMatchesColumnPath checks the parity-class transposed
// convolution against the column-matrix route it replaces.
func TestConvTransposeMatchesColumnPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, c := range []struct {
		cs int
		g  Window
	}{
		{16, Window{C: 1, N: 16, H: 28, W: 28, Ho: 14, Wo: 14}}, // convT3
		{8, Window{C: 16, N: 16, H: 14, W: 14, Ho: 7, Wo: 7}},   // convT2, conv2 dX
		{8, Window{C: 8, N: 16, H: 7, W: 7, Ho: 4, Wo: 4}},      // convT1 (op 0), conv3 dX
		{8, Window{C: 8, N: 3, H: 7, W: 7, Ho: 4, Wo: 4}},       // partial groups
		{5, Window{C: 3, N: 11, H: 14, W: 14, Ho: 7, Wo: 7}},
		{2, Window{C: 2, N: 2, H: 5, W: 6, Ho: 3, Wo: 3}},
	} {
		t.Run(fmt.Sprintf("cs%d_%+v", c.cs, c.g), func(t *testing.T) {
			g := c.g
			a := randSlice(rng, c.cs*g.C*9)
			src := randSlice(rng, c.cs*g.Small())
			dcol := make([]float32, g.ColRows()*g.Small())
			smallLongGo(dcol, g.Small(), a, 1, g.ColRows(), src, 0, g.ColRows(), 0, g.Small(), c.cs, g.Small())
			want := make([]float32, g.C*g.Large())
			Col2imAdd(want, dcol, g)
			got := randSlice(rng, len(want)) // overwritten, not added to
			ConvTranspose(got, a, src, make([]float32, ConvTransposeScratch(g, c.cs)), c.cs, g)
			w64 := make([]float64, len(want))
			for i, v := range want {
				w64[i] = float64(v)
			}
			assertClose(t, "ConvTranspose", got, w64, 1e-5)
		})
	}
}

// TestVectorActivations checks the vector ReLU, ReLU mask and tanh against
// the scalar definitions, over lengths that leave tails, with NaN, ±0, ±Inf.
func TestVectorActivations(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{1, 7, 8, 9, 64, 1000} {
		x := randSlice(rng, n)
		for i := range x {
			x[i] *= 4
		}
		special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), 1e-6, -3e-5, 20, -20}
		copy(x, special[:min(n, len(special))])
		y := append([]float32(nil), x...)
		ReLU(y)
		for i, v := range x {
			if want := float32(math.Max(float64(v), 0)); y[i] != want || math.Signbit(float64(y[i])) {
				t.Fatalf("n=%d: ReLU(%g) = %g", n, v, y[i])
			}
		}
		dy := randSlice(rng, n)
		got := append([]float32(nil), dy...)
		ReLUBackward(got, y)
		for i := range dy {
			want := dy[i]
			if y[i] <= 0 {
				want = 0
			}
			if got[i] != want {
				t.Fatalf("n=%d: ReLUBackward at %d: %g, want %g", n, i, got[i], want)
			}
		}
		th := append([]float32(nil), x...)
		Tanh(th)
		for i, v := range x {
			if d := math.Abs(float64(th[i]) - math.Tanh(float64(v))); !(d <= 3e-7) {
				t.Fatalf("n=%d: Tanh(%g) = %g, error %g", n, v, th[i], d)
			}
		}
	}
	nan := []float32{float32(math.NaN()), 1, 2, 3, 4, 5, 6, 7}
	Tanh(nan)
	if !math.IsNaN(float64(nan[0])) {
		t.Error("vector Tanh turned NaN into a number: divergence would go unseen")
	}
}

func TestVectorTanhDenseGrid(t *testing.T) {
	var xs []float32
	for x := float32(-12); x <= 12; x += 0.0000917 {
		xs = append(xs, x)
	}
	y := append([]float32(nil), xs...)
	Tanh(y)
	worst := 0.0
	for i, x := range xs {
		worst = max(worst, math.Abs(float64(y[i])-math.Tanh(float64(x))))
	}
	t.Logf("vector Tanh max absolute error %.3g over %d points", worst, len(xs))
	if worst > 3e-7 {
		t.Errorf("vector Tanh absolute error %.3g > 3e-7", worst)
	}
}

func TestBiasAndSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, p := range []int{1, 7, 8, 31, 32, 33, 100, 1000} {
		bias := []float32{1.5, -2}
		x := randSlice(rng, 2*p)
		orig := append([]float32(nil), x...)
		AddRowBias(x, bias, p)
		for i := range x {
			if x[i] != orig[i]+bias[i/p] {
				t.Fatalf("p=%d: AddRowBias at %d: %g, want %g", p, i, x[i], orig[i]+bias[i/p])
			}
		}
		SetRowBias(x, bias, p)
		for i := range x {
			if x[i] != bias[i/p] {
				t.Fatalf("p=%d: SetRowBias at %d: %g", p, i, x[i])
			}
		}
		var want float64
		for _, v := range orig {
			want += float64(v)
		}
		if got := Sum(orig); math.Abs(float64(got)-want) > 1e-5*float64(len(orig)) {
			t.Fatalf("n=%d: Sum = %g, want %g", len(orig), got, want)
		}
	}
}

// TestWindowKernelsMatchReference compares the vector window kernels (Im2col,
// ConvTranspose) with their pure-Go twins over random stride-2 geometries.
// It runs every kernel path the machine and build can run.
func TestWindowKernelsMatchReference(t *testing.T) {
	defer SetPath(Path())
	for _, p := range Paths() {
		if err := SetPath(p); err != nil {
			t.Fatal(err)
		}
		t.Run(p, testWindowKernels)
	}
}

func testWindowKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	geometries := 300
	if testing.Short() {
		geometries = 50 // under emulation (.ci/run's arm64 step)
	}
	for range geometries {
		ho, wo := 1+rng.IntN(16), 1+rng.IntN(16)
		g := Window{C: 1 + rng.IntN(20), N: 1 + rng.IntN(20), Ho: ho, Wo: wo,
			H: 2*ho - rng.IntN(2), W: 2*wo - rng.IntN(2)}
		x := randSlice(rng, g.C*g.Large())
		got := randSlice(rng, g.ColRows()*g.Small())
		want := make([]float32, len(got))
		Im2col(got, x, g)
		im2colGo(want, x, g)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("Im2col %+v: col[%d] = %g, want %g", g, i, got[i], want[i])
			}
		}
		out := 1 + rng.IntN(20)
		w, bias := randSlice(rng, out*g.ColRows()), randSlice(rng, out)
		relu := rng.IntN(2) == 0
		y := randSlice(rng, out*g.Small())
		cls := randSlice(rng, len(got)) // rows ColClasses leaves alone stay random
		ColClasses(cls, x, g)
		var gate []float32 // half the time, a ReLU output gating y
		if rng.IntN(2) == 0 {
			gate = randSlice(rng, len(y))
			ReLU(gate)
		}
		ColProduct(y, w, bias, cls, relu, out, g, gate)
		yref := make([]float64, len(y))
		for o := range out {
			for q := range g.Small() {
				v := float64(bias[o])
				for k := range g.ColRows() {
					v += float64(w[o*g.ColRows()+k]) * float64(want[k*g.Small()+q])
				}
				if relu {
					v = max(v, 0)
				}
				if gate != nil && gate[o*g.Small()+q] == 0 {
					v = 0
				}
				yref[o*g.Small()+q] = v
			}
		}
		assertClose(t, fmt.Sprintf("ColProduct out%d relu %v %+v", out, relu, g), y, yref, 1e-4) // k up to 180

		dy := randSlice(rng, out*g.Small())
		dw := randSlice(rng, out*g.ColRows())
		dwref := make([]float64, len(dw))
		for o := range out {
			for k := range g.ColRows() {
				v := float64(dw[o*g.ColRows()+k])
				for q := range g.Small() {
					v += float64(dy[o*g.Small()+q]) * float64(want[k*g.Small()+q])
				}
				dwref[o*g.ColRows()+k] = v
			}
		}
		ColClasses(cls, x, g)
		ColReduce(dw, dy, cls, out, g)
		assertClose(t, fmt.Sprintf("ColReduce out%d %+v", out, g), dw, dwref, 1e-4) // long sums

		cs := 1 + rng.IntN(9)
		a := randSlice(rng, cs*g.C*9)
		src := randSlice(rng, cs*g.Small())
		dcol := make([]float32, g.ColRows()*g.Small())
		smallLongGo(dcol, g.Small(), a, 1, g.ColRows(), src, 0, g.ColRows(), 0, g.Small(), cs, g.Small())
		ref := make([]float32, g.C*g.Large())
		Col2imAdd(ref, dcol, g)
		act := Act(rng.IntN(3))
		bias = randSlice(rng, g.C)
		ct := randSlice(rng, len(ref))
		var ctGate []float32
		if rng.IntN(2) == 0 {
			ctGate = randSlice(rng, len(ref))
			ReLU(ctGate)
		}
		ConvTransposeAct(ct, a, src, bias, act, make([]float32, ConvTransposeScratch(g, cs)), cs, g, ctGate)
		r64 := make([]float64, len(ref))
		for i, v := range ref {
			r64[i] = float64(v) + float64(bias[i/g.Large()])
			switch act {
			case ActReLU:
				r64[i] = max(r64[i], 0)
			case ActTanh:
				r64[i] = math.Tanh(r64[i])
			}
			if ctGate != nil && ctGate[i] == 0 {
				r64[i] = 0
			}
		}
		assertClose(t, fmt.Sprintf("ConvTransposeAct cs%d act %d %+v", cs, act, g), ct, r64, 1e-5)
	}
}

// BenchmarkConvTranspose is the transposed convolutions of one chunk of 16
// images (MB/s = MFLOP/s).
func BenchmarkConvTranspose(b *testing.B) { forPaths(b, benchConvTranspose) }

func benchConvTranspose(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, c := range seedWindows {
		g, cs := c.g, c.out // the transposed convolution reads the small side
		b.Run(fmt.Sprintf("%dto%dx%d", cs, g.C, g.H), func(b *testing.B) {
			a, src := randSlice(rng, cs*g.C*9), randSlice(rng, cs*g.Small())
			dst, scratch := make([]float32, g.C*g.Large()), make([]float32, ConvTransposeScratch(g, cs))
			b.SetBytes(int64(2 * 9 * cs * g.C * g.Small()))
			for b.Loop() {
				ConvTranspose(dst, a, src, scratch, cs, g)
			}
		})
	}
}

// TestAdamStepMatchesScalar: the vector Adam update gives the scalar loop's bits.
func TestAdamStepMatchesScalar(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, n := range []int{1, 7, 8, 9, 7017} {
		p, g := randSlice(rng, n), randSlice(rng, n)
		m, v := randSlice(rng, n), randSlice(rng, n)
		for i := range v {
			v[i] *= v[i]
		}
		wp, wm, wv := append([]float32(nil), p...), append([]float32(nil), m...), append([]float32(nil), v...)
		const b1, b2, c1, c2, step, bc, eps = 0.9, 0.999, 0.1, 0.001, 0.0137, 0.0447, 1e-8
		AdamStep(p, g, m, v, b1, b2, c1, c2, step, bc, eps)
		for i := range wp {
			wm[i] = wm[i]*b1 + g[i]*c1
			wv[i] = wv[i]*b2 + g[i]*g[i]*c2
			wp[i] -= step * (wm[i] / (float32(math.Sqrt(float64(wv[i])))/bc + eps))
			if p[i] != wp[i] || m[i] != wm[i] || v[i] != wv[i] {
				t.Fatalf("n %d, i %d: p m v = %g %g %g, want %g %g %g", n, i, p[i], m[i], v[i], wp[i], wm[i], wv[i])
			}
		}
	}
}

// BenchmarkColProduct is the convolutions of one chunk of 16 images as
// ColClasses + ColProduct, and their weight gradients (ColReduce); MB/s =
// MFLOP/s of the product alone.
func BenchmarkColProduct(b *testing.B) { forPaths(b, benchColProduct) }

// seedWindows are the seed models' three stride-2 windows over one chunk of
// 16 images (28→14, 14→7, 7→4), with the channel count on the small side:
// the convolution's output (out), the transposed convolution's input (cs).
var seedWindows = []struct {
	out int
	g   Window
}{
	{16, Window{C: 1, N: 16, H: 28, W: 28, Ho: 14, Wo: 14}},
	{8, Window{C: 16, N: 16, H: 14, W: 14, Ho: 7, Wo: 7}},
	{8, Window{C: 8, N: 16, H: 7, W: 7, Ho: 4, Wo: 4}},
}

func benchColProduct(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, c := range seedWindows {
		g := c.g
		x, col := randSlice(rng, g.C*g.Large()), make([]float32, g.ColRows()*g.Small())
		w, bias := randSlice(rng, c.out*g.ColRows()), randSlice(rng, c.out)
		y := make([]float32, c.out*g.Small())
		ColClasses(col, x, g)
		flops := int64(2 * c.out * g.ColRows() * g.Small())
		b.Run(fmt.Sprintf("split%dx%d", g.C, g.H), func(b *testing.B) {
			for b.Loop() {
				ColClasses(col, x, g)
			}
		})
		b.Run(fmt.Sprintf("fwd%dto%dx%d", g.C, c.out, g.H), func(b *testing.B) {
			b.SetBytes(flops)
			for b.Loop() {
				ColProduct(y, w, bias, col, true, c.out, g, nil)
			}
		})
		b.Run(fmt.Sprintf("dw%dto%dx%d", g.C, c.out, g.H), func(b *testing.B) {
			b.SetBytes(flops)
			for b.Loop() {
				ColReduce(w, y, col, c.out, g)
			}
		})
	}
}

// TestSquaredSums checks SquaredDiffSum and SquaredErrorTanhGrad against
// float64 loops (the gradient bit for bit).
func TestSquaredSums(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	for _, n := range []int{1, 5, 8, 13, 784, 12547} {
		y, x := randSlice(rng, n), randSlice(rng, n)
		var want float64
		wdy := make([]float32, n)
		for i := range y {
			d := y[i] - x[i]
			want += float64(d) * float64(d)
			wdy[i] = 0.5 * d * (1 - y[i]*y[i])
		}
		if got := SquaredDiffSum(y, x); math.Abs(got-want) > 1e-12*want {
			t.Errorf("n %d: SquaredDiffSum = %v, want %v", n, got, want)
		}
		dy := make([]float32, n)
		if got := SquaredErrorTanhGrad(dy, y, x, 0.25); math.Abs(got-want) > 1e-12*want {
			t.Errorf("n %d: SquaredErrorTanhGrad = %v, want %v", n, got, want)
		}
		for i := range dy {
			if dy[i] != wdy[i] {
				t.Fatalf("n %d: dy[%d] = %g, want %g", n, i, dy[i], wdy[i])
			}
		}
	}
}

// BenchmarkInterleave weaves the four parity classes of one chunk's channels.
func BenchmarkInterleave(b *testing.B) { forPaths(b, benchInterleave) }

func benchInterleave(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, c := range seedWindows {
		g := c.g
		b.Run(fmt.Sprintf("%dx%d", g.C, g.H), func(b *testing.B) {
			if !rowsFit(g) {
				b.Skip("no parity-class kernels on this path")
			}
			stack, dst := randSlice(rng, g.C*4*g.Small()), make([]float32, g.C*g.Large())
			for b.Loop() {
				for l := 0; l < g.C; l++ {
					interleaveClasses(dst[l*g.Large():(l+1)*g.Large()], stack[l*4*g.Small():(l+1)*4*g.Small()], nil, g)
				}
			}
		})
	}
}

func BenchmarkChannelsToFeatures(b *testing.B) {
	const c, n, s = 8, 16, 16
	src, dst := make([]float32, c*n*s), make([]float32, c*n*s)
	for b.Loop() {
		ChannelsToFeatures(dst, src, c, n, s)
		FeaturesToChannels(src, dst, c, n, s)
	}
}

func TestSetPath(t *testing.T) {
	defer SetPath(Path())
	for _, p := range Paths() {
		if err := SetPath(p); err != nil {
			t.Fatalf("SetPath(%q): %v", p, err)
		}
		if Path() != p {
			t.Fatalf("after SetPath(%q), Path() = %q", p, Path())
		}
	}
	if err := SetPath("sse9"); err == nil {
		t.Fatal("SetPath accepted an unknown path")
	}
}

// forPaths runs a benchmark on every kernel path of the machine, as
// sub-benchmarks named after the path (-bench 'ColProduct/avx2').
func forPaths(b *testing.B, f func(b *testing.B)) {
	defer SetPath(Path())
	for _, p := range Paths() {
		b.Run(p, func(b *testing.B) {
			if err := SetPath(p); err != nil {
				b.Fatal(err)
			}
			f(b)
		})
	}
}
