package tensor

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
)

// BenchmarkDotTile runs the AVX2 weight-gradient block on L1-resident rows
// (nvec vectors of 16, random lane masks): GFLOP/s of the kernel in the
// thread's CPU time, to set against cpupeak's BenchmarkLoop.
func BenchmarkDotTile(b *testing.B) {
	if !hasAVX2 {
		b.Skip("no AVX2 on this machine or build")
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for _, nvec := range []int{16, 32, 64} {
		small := 16 * nvec
		a, col := randSlice(rng, 4*small), randSlice(rng, 3*small)
		lanes := make([]int32, 3*small)
		for i := range lanes {
			lanes[i] = -int32(rng.IntN(2))
		}
		boffs, moffs := [3]int{0, 4 * small, 8 * small}, [3]int{0, 4 * small, 8 * small}
		var acc [24][8]float32
		var out [4][3]float32
		b.Run(fmt.Sprint(nvec), func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			t0 := threadCPU()
			for b.Loop() {
				dotTile4x3m(&a[0], 4*small, &col[0], &boffs, &lanes[0], &moffs, nvec, &acc, 3, &out[0][0], 12, 1)
			}
			if t := threadCPU() - t0; t > 0 {
				b.ReportMetric(float64(b.N)*2*12*float64(small)/t.Seconds()/1e9, "GFLOP/s")
			}
		})
	}
}
