package tensor

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestColReduceYGroups runs the AVX2 weight gradient on shapes that need
// more than one group of blocks (more rows or taps than dwBlocks holds),
// several chunks and an overlapping last row block: against a float64 sum
// over Im2col's whole column matrix, and bit for bit against the AVX-512
// kernels where the machine has them.
func TestColReduceYGroups(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2 on this machine or build")
	}
	defer SetPath(Path())
	rng := rand.New(rand.NewPCG(21, 22))
	for _, c := range []struct {
		m int
		g Window
	}{
		{53, Window{C: 5, N: 16, H: 14, W: 13, Ho: 7, Wo: 7}},   // 14 row blocks, m % 4 = 1
		{50, Window{C: 1, N: 16, H: 28, W: 28, Ho: 14, Wo: 14}}, // 196 vectors: 13 chunks
		{4, Window{C: 20, N: 16, H: 7, W: 8, Ho: 4, Wo: 4}},     // 60 triples in 5 groups
		{6, Window{C: 13, N: 32, H: 5, W: 6, Ho: 3, Wo: 3}},     // overlapping rows, odd grids
	} {
		g, m := c.g, c.m
		name := fmt.Sprintf("m %d %+v", m, g)
		if !classesOnly(g) {
			t.Fatalf("%s: not a parity-class geometry", name)
		}
		small, n := g.Small(), g.ColRows()
		x, a := randSlice(rng, g.C*g.Large()), randSlice(rng, m*small)
		c0 := randSlice(rng, m*n)
		full := make([]float32, n*small)
		Im2col(full, x, g)
		want := make([]float64, m*n)
		for i := range m {
			for k := range n {
				s := float64(c0[i*n+k])
				for q := range small {
					s += float64(a[i*small+q]) * float64(full[k*small+q])
				}
				want[i*n+k] = s
			}
		}
		run := func(path string) []float32 {
			if err := SetPath(path); err != nil {
				t.Fatal(err)
			}
			col := make([]float32, n*small)
			ColClasses(col, x, g)
			got := slices.Clone(c0)
			ColReduce(got, a, col, m, g)
			return got
		}
		got := run(PathAVX2)
		assertClose(t, name, got, want, 1e-4)
		if hasAVX512 {
			if i := firstBitDiff(got, run(PathAVX512)); i >= 0 {
				t.Fatalf("%s: element %d differs between avx2 and avx512", name, i)
			}
		}
	}
}
