package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// goRandSlice returns n values uniform in [-1, 1).
func goRandSlice(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = 2*rng.Float32() - 1
	}
	return x
}

// goRandomCases is the number of random shapes a test draws: fewer with
// -short (.ci/run's arm64 step runs the tests under emulation).
func goRandomCases() int {
	if testing.Short() {
		return 50
	}
	return 200
}

// goCheck fails when got[i] differs from want[i] by more than the float32
// rounding bound of a sum of terms terms whose magnitudes add up to mag[i].
func goCheck(t *testing.T, name string, got []float32, want, mag []float64, terms int) {
	t.Helper()
	for i := range got {
		tol := 2*float64(terms+2)*0x1p-24*mag[i] + 1e-30
		if d := math.Abs(float64(got[i]) - want[i]); d > tol || math.IsNaN(float64(got[i])) {
			t.Fatalf("%s: element %d = %g, want %g (|diff| %g > %g)", name, i, got[i], want[i], d, tol)
		}
	}
}

// smallLong64 is the float64 reference of smallLongGo over [i0,i1)×[j0,j1):
// the expected C and the sum of the magnitudes of each element's terms.
func smallLong64(c []float32, ldc int, a []float32, ars, acs int, b []float32, i0, i1, j0, j1, k, p int) (want, mag []float64) {
	want, mag = make([]float64, len(c)), make([]float64, len(c))
	for i := range c {
		want[i], mag[i] = float64(c[i]), math.Abs(float64(c[i]))
	}
	for i := i0; i < i1; i++ {
		for j := j0; j < j1; j++ {
			for kk := range k {
				v := float64(a[i*ars+kk*acs]) * float64(b[kk*p+j])
				want[i*ldc+j] += v
				mag[i*ldc+j] += math.Abs(v)
			}
		}
	}
	return want, mag
}

// TestSmallLongGoMatchesReference compares the fast pure-Go small × long
// product and its simple twin with float64 on random shapes: k below, at and
// off the eight-row passes, both layouts of A, and sub-ranges of C as the
// assembly edges use them (the rest of C must stay untouched).
func TestSmallLongGoMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 1))
	shapes := [][3]int{{1, 1, 1}, {16, 9, 3136}, {8, 144, 784}, {144, 8, 784}, {9, 16, 3136}, {72, 8, 256}, {3, 7, 5}}
	for range goRandomCases() {
		shapes = append(shapes, [3]int{1 + rng.IntN(20), 1 + rng.IntN(40), 1 + rng.IntN(70)})
	}
	for _, s := range shapes {
		m, k, p := s[0], s[1], s[2]
		for _, trans := range []bool{false, true} {
			ars, acs := k, 1
			if trans {
				ars, acs = 1, m
			}
			i0, i1, j0, j1 := 0, m, 0, p
			if rng.IntN(2) == 0 {
				i0, j0 = rng.IntN(m), rng.IntN(p)
				i1, j1 = i0+rng.IntN(m-i0+1), j0+rng.IntN(p-j0+1)
			}
			a, b, c := goRandSlice(rng, m*k), goRandSlice(rng, k*p), goRandSlice(rng, m*p)
			want, mag := smallLong64(c, p, a, ars, acs, b, i0, i1, j0, j1, k, p)
			name := fmt.Sprintf("m=%d k=%d p=%d transposed=%v rows [%d,%d) cols [%d,%d)", m, k, p, trans, i0, i1, j0, j1)
			fast := append([]float32(nil), c...)
			smallLongGo(fast, p, a, ars, acs, b, i0, i1, j0, j1, k, p)
			goCheck(t, "smallLongGo "+name, fast, want, mag, k)
			ref := append([]float32(nil), c...)
			smallLongRef(ref, p, a, ars, acs, b, i0, i1, j0, j1, k, p)
			goCheck(t, "smallLongRef "+name, ref, want, mag, k)
		}
	}
}

// TestReduceGoMatchesReference does the same for the long reductions
// (MatMulTAdd), with sub-ranges of rows, columns and the reduced axis.
func TestReduceGoMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 2))
	shapes := [][3]int{{1, 1, 1}, {16, 9, 3136}, {8, 144, 784}, {8, 72, 256}, {128, 16, 16}, {5, 3, 7}}
	for range goRandomCases() {
		shapes = append(shapes, [3]int{1 + rng.IntN(12), 1 + rng.IntN(12), 1 + rng.IntN(300)})
	}
	for _, s := range shapes {
		m, n, p := s[0], s[1], s[2]
		i0, i1, j0, j1, q0, q1 := 0, m, 0, n, 0, p
		if rng.IntN(2) == 0 {
			i0, j0, q0 = rng.IntN(m), rng.IntN(n), rng.IntN(p)
			i1, j1, q1 = i0+rng.IntN(m-i0+1), j0+rng.IntN(n-j0+1), q0+rng.IntN(p-q0+1)
		}
		a, b, c := goRandSlice(rng, m*p), goRandSlice(rng, n*p), goRandSlice(rng, m*n)
		want, mag := make([]float64, m*n), make([]float64, m*n)
		for i := range c {
			want[i], mag[i] = float64(c[i]), math.Abs(float64(c[i]))
		}
		for i := i0; i < i1; i++ {
			for j := j0; j < j1; j++ {
				for q := q0; q < q1; q++ {
					v := float64(a[i*p+q]) * float64(b[j*p+q])
					want[i*n+j] += v
					mag[i*n+j] += math.Abs(v)
				}
			}
		}
		name := fmt.Sprintf("m=%d n=%d p=%d rows [%d,%d) cols [%d,%d) q [%d,%d)", m, n, p, i0, i1, j0, j1, q0, q1)
		fast := append([]float32(nil), c...)
		reduceGo(fast, a, b, i0, i1, j0, j1, q0, q1, n, p)
		goCheck(t, "reduceGo "+name, fast, want, mag, q1-q0)
		ref := append([]float32(nil), c...)
		reduceRef(ref, a, b, i0, i1, j0, j1, q0, q1, n, p)
		goCheck(t, "reduceRef "+name, ref, want, mag, q1-q0)
	}
}

// TestGoCheckCanFail: the bound rejects an error of one part in 10⁴.
func TestGoCheckCanFail(t *testing.T) {
	ft := &testing.T{}
	done := make(chan bool)
	go func() {
		defer func() { done <- ft.Failed() }()
		goCheck(ft, "x", []float32{1.0001}, []float64{1}, []float64{1}, 100)
	}()
	if !<-done {
		t.Fatal("goCheck accepted a relative error of 1e-4 over 100 terms")
	}
}

// goProductShapes are the products of one chunk of 16 images of the seed
// models: m, k, p of MatMulAdd / MatTMulAdd (A transposed) and m, n, p of
// MatMulTAdd.
var goProductShapes = []struct {
	m, k, p int
	trans   bool
}{
	{16, 9, 3136, false}, // conv1 forward, convT3 dX
	{8, 144, 784, false}, // conv2 forward, convT2 dX
	{8, 72, 256, false},  // conv3 forward, convT1 dX
	{144, 8, 784, true},  // convT2 forward, conv2 dX (column route)
	{72, 8, 256, true},   // convT1 forward, conv3 dX
	{9, 16, 3136, true},  // convT3 forward
	{128, 16, 16, false}, // linear layers of a 16-image chunk
}

// BenchmarkSmallLongGo: the fast pure-Go small × long product against its
// twin, on the seed models' shapes (MB/s is MFLOP/s).
func BenchmarkSmallLongGo(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range goProductShapes {
		ars, acs := s.k, 1
		if s.trans {
			ars, acs = 1, s.m
		}
		a, x, c := goRandSlice(rng, s.m*s.k), goRandSlice(rng, s.k*s.p), make([]float32, s.m*s.p)
		for _, v := range []struct {
			name string
			f    func(c []float32, ldc int, a []float32, ars, acs int, b []float32, i0, i1, j0, j1, k, p int)
		}{{"go", smallLongGo}, {"ref", smallLongRef}} {
			b.Run(fmt.Sprintf("%dx%dx%d/%s", s.m, s.k, s.p, v.name), func(b *testing.B) {
				b.SetBytes(int64(2 * s.m * s.k * s.p))
				goBench(b, func() { v.f(c, s.p, a, ars, acs, x, 0, s.m, 0, s.p, s.k, s.p) })
			})
		}
	}
}

// BenchmarkReduceGo: the fast pure-Go long reduction against its twin, on the
// weight-gradient shapes (m, n = C·9, p).
func BenchmarkReduceGo(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range [][3]int{{16, 9, 3136}, {8, 144, 784}, {8, 72, 256}, {16, 128, 16}} {
		m, n, p := s[0], s[1], s[2]
		a, x, c := goRandSlice(rng, m*p), goRandSlice(rng, n*p), make([]float32, m*n)
		for _, v := range []struct {
			name string
			f    func(c, a, b []float32, i0, i1, j0, j1, q0, q1, n, p int)
		}{{"go", reduceGo}, {"ref", reduceRef}} {
			b.Run(fmt.Sprintf("%dx%dx%d/%s", m, n, p, v.name), func(b *testing.B) {
				b.SetBytes(int64(2 * m * n * p))
				goBench(b, func() { v.f(c, a, x, 0, m, 0, n, 0, p, n, p) })
			})
		}
	}
}

// goBench runs f b.N times on a locked thread and also reports the thread's
// CPU time per call (cpu-ns/op), which other jobs on a shared machine disturb
// far less than the wall clock.
func goBench(b *testing.B, f func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	t0 := threadCPU()
	for b.Loop() {
		f()
	}
	if d := threadCPU() - t0; d > 0 {
		b.ReportMetric(float64(d.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}
