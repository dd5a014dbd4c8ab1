package tensor

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkTermTile runs the product tiles on L1-resident data (one term of
// 144 steps, no masked lanes): GFLOP/s of the inner loops, to set against
// BenchmarkFMAPeak of the same width.
func BenchmarkTermTile(b *testing.B) {
	if !hasAVX2 {
		b.Skip("no AVX2 on this machine or build")
	}
	rng := rand.New(rand.NewPCG(1, 1))
	const cs, lds = 144, 64
	bb := randSlice(rng, cs*lds+64)
	a := randSlice(rng, 8*cs)
	c := make([]float32, 8*64)
	masks := make([]uint16, 8)
	for i := range masks {
		masks[i] = 0xffff
	}
	var offs [18]int
	var zero [8]float32
	run := func(name string, flops int, f func()) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				for range 100 {
					f()
				}
			}
			b.ReportMetric(float64(b.N)*100*float64(flops)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
	run("ymm4x24", 2*cs*4*24, func() {
		termTile4x24y(&c[0], 4*64, &a[0], 4*cs, 4, &bb[0], 4*lds, cs, &offs[0], &masks[0], 4, 1, &zero[0], 1, nil, 0)
	})
	run("ymm4x16", 2*cs*4*16, func() {
		termTile4y(&c[0], 4*64, &a[0], 4*cs, 4, &bb[0], 4*lds, cs, &offs[0], &masks[0], 4, 1, &zero[0], 1, nil)
	})
	if hasAVX512 {
		run("zmm8x32", 2*cs*8*32, func() {
			termTile8(&c[0], 4*64, &a[0], 4*cs, 4, &bb[0], 4*lds, cs, &offs[0], &masks[0], 4, 1, &zero[0], 1, ^uint64(0), nil)
		})
	}
}

// BenchmarkFMAPeak is the FMA peak of one core for ymm and (where the machine
// has AVX-512) zmm registers: 12 independent accumulators.
func BenchmarkFMAPeak(b *testing.B) {
	if !hasAVX2 {
		b.Skip("no AVX2 on this machine or build")
	}
	const n = 100000
	b.Run("ymm", func(b *testing.B) {
		for b.Loop() {
			fmaY(n)
		}
		b.ReportMetric(float64(b.N)*n*12*16/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
	if hasAVX512 {
		b.Run("zmm", func(b *testing.B) {
			for b.Loop() {
				fmaZ(n)
			}
			b.ReportMetric(float64(b.N)*n*12*32/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
