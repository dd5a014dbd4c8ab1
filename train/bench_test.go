package train

import (
	"math/rand/v2"
	"testing"

	"latent/model"
	"latent/nn"
)

// stepper builds an engine, optimiser and one batch of 64 for kind.
func stepper(tb testing.TB, kind model.Kind, threads int) func() {
	set := synthetic(64, 2)
	idx := make([]int, 64)
	for i := range idx {
		idx[i] = i
	}
	m, err := model.New(model.Seed(kind), 1)
	if err != nil {
		tb.Fatal(err)
	}
	e := NewEngine(m, 64, threads)
	opt := nn.NewAdam(m.Params.Size, 1e-3)
	rng := rand.New(rand.NewPCG(1, 1))
	obj := Objective{MeanPixels: kind == model.AE, Beta: 1}
	return func() { e.Step(opt, set, idx, rng, obj) }
}

// BenchmarkStep is one training step (forward, backward, Adam) on a batch of
// 64; images/s = 64 / (ns/op).
func BenchmarkStep(b *testing.B) {
	for _, kind := range []model.Kind{model.AE, model.VAE} {
		for _, threads := range []int{1, 2} {
			b.Run(string(kind)+"/threads="+string(rune('0'+threads)), func(b *testing.B) {
				step := stepper(b, kind, threads)
				b.ReportAllocs()
				for b.Loop() {
					step()
				}
				b.ReportMetric(float64(b.Elapsed().Seconds())/float64(b.N)*750, "s/epoch")
			})
		}
	}
}
