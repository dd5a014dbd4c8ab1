package tensor

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkDotTile runs the AVX2 weight-gradient block on L1-resident rows
// (nvec vectors of 16): GFLOP/s of the kernel, to set against
// cpupeak's BenchmarkLoop.
func BenchmarkDotTile(b *testing.B) {
	if !hasAVX2 {
		b.Skip("no AVX2 on this machine or build")
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for _, nvec := range []int{16, 32, 49, 196} {
		small := 16 * nvec
		a, col := randSlice(rng, 4*small), randSlice(rng, 3*small)
		var acc [24][8]float32
		var out [12]float32
		b.Run(fmt.Sprint(nvec), func(b *testing.B) {
			for b.Loop() {
				dotTile4x3y(&a[0], 4*small, &col[0], 4*small, nvec, &acc, &out)
			}
			b.ReportMetric(float64(b.N)*2*12*float64(small)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
