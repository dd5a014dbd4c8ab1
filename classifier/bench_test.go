package classifier

import (
	"math/rand/v2"
	"testing"

	"latent/mnist"
)

func benchStep(b *testing.B, threads, batch int) {
	train, _, err := mnist.LoadEmbedded()
	if err != nil {
		b.Fatal(err)
	}
	net, _ := New(DefaultArch(), 1)
	tr := newTrainer(net, batch, threads)
	defer tr.close()
	rng := rand.New(rand.NewPCG(1, 2))
	idx := make([]int, batch)
	for i := range idx {
		idx[i] = i
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		tr.step(train, idx, rng, 2, 1e-3)
	}
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "img/s")
}

func BenchmarkStep1(b *testing.B)     { benchStep(b, 1, 64) }
func BenchmarkStep2(b *testing.B)     { benchStep(b, 2, 64) }
func BenchmarkStep2B128(b *testing.B) { benchStep(b, 2, 128) }

// BenchmarkPredict classifies the 10,000 test images (probabilities and
// features), on all cores.
func BenchmarkPredict(b *testing.B) {
	_, test, err := mnist.LoadEmbedded()
	if err != nil {
		b.Fatal(err)
	}
	net, _ := New(DefaultArch(), 1)
	images := make([]float32, test.N*Pixels)
	test.Fill(images, nil, iota(test.N))
	probs, features := make([]float32, test.N*Classes), make([]float32, test.N*net.Hidden)
	b.ResetTimer()
	for b.Loop() {
		net.Predict(images, probs, features)
	}
	b.ReportMetric(float64(test.N*b.N)/b.Elapsed().Seconds(), "img/s")
}
