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
	tb.Cleanup(e.Close)
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

// TestStepAllocatesNothing: a steady-state training step allocates nothing,
// with one worker or several.
func TestStepAllocatesNothing(t *testing.T) {
	for _, kind := range []model.Kind{model.AE, model.VAE} {
		for _, threads := range []int{1, 2} {
			step := stepper(t, kind, threads)
			step() // warm up: gather tables are built on first use
			runs := 20
			if testing.Short() {
				runs = 3 // under emulation (.ci/run's arm64 step)
			}
			if n := testing.AllocsPerRun(runs, step); n != 0 {
				t.Errorf("%s, %d threads: %v allocations per step, want 0", kind, threads, n)
			}
		}
	}
}

// BenchmarkInference encodes and decodes 10,000 images (the VAE decodes twice:
// sampled z and z = mu), as eval does.
func BenchmarkInference(b *testing.B) {
	set := synthetic(10000, 3)
	idx := make([]int, set.N)
	for i := range idx {
		idx[i] = i
	}
	for _, kind := range []model.Kind{model.AE, model.VAE} {
		b.Run(string(kind), func(b *testing.B) {
			m, _ := model.New(model.Seed(kind), 1)
			e := NewEngine(m, 256, 0)
			defer e.Close()
			rng := rand.New(rand.NewPCG(1, 1))
			for b.Loop() {
				e.Evaluate(set, idx, rng)
			}
		})
	}
}
