package tensor

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkYmmChunk runs the window products of one chunk of 16 images
// (the seed models' three layers) on the AVX2 path, with the thread's CPU
// time per op (cpu-ns/op: steadier than wall time on a shared machine).
func BenchmarkYmmChunk(b *testing.B) {
	if !hasAVX2 {
		b.Skip("no AVX2 on this machine or build")
	}
	defer SetPath(Path())
	if err := SetPath(PathAVX2); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	run := func(name string, f func()) {
		b.Run(name, func(b *testing.B) { goBench(b, f) })
	}
	for _, c := range seedWindows {
		g := c.g
		x, col := randSlice(rng, g.C*g.Large()), make([]float32, g.ColRows()*g.Small())
		w, bias := randSlice(rng, c.out*g.ColRows()), randSlice(rng, c.out)
		y := make([]float32, c.out*g.Small())
		ColClasses(col, x, g)
		run(fmt.Sprintf("split%dx%d", g.C, g.H), func() { ColClasses(col, x, g) })
		run(fmt.Sprintf("fwd%dto%dx%d", g.C, c.out, g.H), func() { ColProduct(y, w, bias, col, true, c.out, g, nil) })
		run(fmt.Sprintf("dw%dto%dx%d", g.C, c.out, g.H), func() { ColReduce(w, y, col, c.out, g) })
		// the transposed convolution of the same shapes: c.out channels of
		// the small grid to g.C of the large one
		a, cb, dst := randSlice(rng, c.out*g.C*9), randSlice(rng, g.C), make([]float32, g.C*g.Large())
		scratch := make([]float32, ConvTransposeScratch(g, c.out))
		run(fmt.Sprintf("convT%dto%dx%d", c.out, g.C, g.H), func() { ConvTransposeAct(dst, a, y, cb, ActReLU, scratch, c.out, g, nil) })
	}
}
