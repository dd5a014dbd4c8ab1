package tensor

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// goWindows are random stride-2 geometries around the seed's (large grid
// 2·Ho - 1 or 2·Ho, also one row or column short or long, non-square, one
// pixel), plus the seed's own.
func goWindows(rng *rand.Rand, n int) []Window {
	ws := []Window{
		{C: 1, N: 16, H: 28, W: 28, Ho: 14, Wo: 14},
		{C: 16, N: 16, H: 14, W: 14, Ho: 7, Wo: 7},
		{C: 8, N: 16, H: 7, W: 7, Ho: 4, Wo: 4},
		{C: 1, N: 1, H: 1, W: 1, Ho: 1, Wo: 1},
		{C: 2, N: 3, H: 2, W: 1, Ho: 1, Wo: 1},
	}
	for range n {
		ho, wo := 1+rng.IntN(9), 1+rng.IntN(9)
		ws = append(ws, Window{C: 1 + rng.IntN(4), N: 1 + rng.IntN(4), Ho: ho, Wo: wo,
			H: max(1, 2*ho-2+rng.IntN(4)), W: max(1, 2*wo-2+rng.IntN(4))})
	}
	return ws
}

// windowPairs calls f(ci, xi) for every tap that lands inside the large grid:
// col[ci] is x[xi], with col[(c·9 + kh·3 + kw)][(n, oh, ow)] and x at
// (c, n, 2·oh - 1 + kh, 2·ow - 1 + kw). It is the definition both Im2col and
// its adjoint Col2imAdd are checked against.
func windowPairs(g Window, f func(ci, xi int)) {
	for c := range g.C {
		for tap := range 9 {
			for n := range g.N {
				for oh := range g.Ho {
					for ow := range g.Wo {
						ih, iw := 2*oh-1+tap/3, 2*ow-1+tap%3
						if ih >= 0 && ih < g.H && iw >= 0 && iw < g.W {
							f((c*9+tap)*g.Small()+(n*g.Ho+oh)*g.Wo+ow, ((c*g.N+n)*g.H+ih)*g.W+iw)
						}
					}
				}
			}
		}
	}
}

// im2col64 is the definition of Im2col: 0 outside the large grid.
func im2col64(x []float32, g Window) []float32 {
	col := make([]float32, g.ColRows()*g.Small())
	windowPairs(g, func(ci, xi int) { col[ci] = x[xi] })
	return col
}

// TestIm2colGoMatchesReference: the fast pure-Go Im2col and its twin both
// equal the definition exactly (they copy) and overwrite stale column values.
func TestIm2colGoMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 3))
	for _, g := range goWindows(rng, goRandomCases()) {
		x := goRandSlice(rng, g.C*g.Large())
		want := im2col64(x, g)
		for _, v := range []struct {
			name string
			f    func(col, x []float32, g Window)
		}{{"im2colGo", im2colGo}, {"im2colRef", im2colRef}} {
			col := goRandSlice(rng, len(want)) // stale values must be overwritten
			v.f(col, x, g)
			for i := range col {
				if col[i] != want[i] {
					t.Fatalf("%s %+v: col[%d] = %g, want %g", v.name, g, i, col[i], want[i])
				}
			}
		}
	}
}

// TestCol2imGoMatchesReference: the fast gather Col2imAdd and its scatter
// twin both add the adjoint of the definition (to within rounding: they add
// the up to four taps of a pixel in different orders).
func TestCol2imGoMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 4))
	for _, g := range goWindows(rng, goRandomCases()) {
		col := goRandSlice(rng, g.ColRows()*g.Small())
		x := goRandSlice(rng, g.C*g.Large())
		// the adjoint of im2col64, in float64
		want, mag := make([]float64, len(x)), make([]float64, len(x))
		for i, v := range x {
			want[i], mag[i] = float64(v), abs64(float64(v))
		}
		windowPairs(g, func(ci, xi int) {
			v := float64(col[ci])
			want[xi] += v
			mag[xi] += abs64(v)
		})
		for _, v := range []struct {
			name string
			f    func(x, col []float32, g Window)
		}{{"col2imGo", col2imGo}, {"col2imRef", col2imRef}, {"Col2imAdd", Col2imAdd}} {
			got := append([]float32(nil), x...)
			v.f(got, col, g)
			goCheck(t, fmt.Sprintf("%s %+v", v.name, g), got, want, mag, 5)
		}
	}
}

func abs64(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

// BenchmarkIm2colGo and BenchmarkCol2imGo: the fast pure-Go windows against
// their twins, on the three windows of the seed models (one chunk of 16).
func BenchmarkIm2colGo(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, g := range goWindows(rng, 0)[:3] {
		x, col := goRandSlice(rng, g.C*g.Large()), make([]float32, g.ColRows()*g.Small())
		for _, v := range []struct {
			name string
			f    func(col, x []float32, g Window)
		}{{"go", im2colGo}, {"ref", im2colRef}} {
			b.Run(fmt.Sprintf("C=%d,H=%d/%s", g.C, g.H, v.name), func(b *testing.B) {
				goBench(b, func() { v.f(col, x, g) })
			})
		}
	}
}

func BenchmarkCol2imGo(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, g := range goWindows(rng, 0)[:3] {
		x, col := make([]float32, g.C*g.Large()), goRandSlice(rng, g.ColRows()*g.Small())
		for _, v := range []struct {
			name string
			f    func(x, col []float32, g Window)
		}{{"go", col2imGo}, {"ref", col2imRef}} {
			b.Run(fmt.Sprintf("C=%d,H=%d/%s", g.C, g.H, v.name), func(b *testing.B) {
				goBench(b, func() { v.f(x, col, g) })
			})
		}
	}
}
