package train

import (
	"math"
	"slices"
	"testing"

	"latent/mnist"
	"latent/model"
)

// TestEncodeMatchesTheModel checks that the engine's parallel Encode gives the
// codes of the model's one-goroutine EncodeLabeled, bit for bit, for every
// kind of model, several thread counts and passes that end mid-chunk.
func TestEncodeMatchesTheModel(t *testing.T) {
	set := synthetic(203, 4)
	for _, kind := range []model.Kind{model.AE, model.VAE, model.CVAE} {
		m, err := model.New(model.Seed(kind), 2)
		if err != nil {
			t.Fatal(err)
		}
		n := 150
		x := make([]float32, n*model.Pixels)
		labels := make([]uint8, n)
		set.Fill(x, labels, mnist.Indices(n))
		want := m.EncodeLabeled(x, labels, n, nil)
		for _, threads := range []int{1, 2, 3} {
			got := EncodeSet(m, set, n, threads)
			if len(got) != n*m.CodeDim() || !slices.Equal(got, want) {
				t.Errorf("%s, %d threads: Engine.Encode differs from Model.EncodeLabeled", kind, threads)
			}
		}
		// a batch larger than the engine's: several passes
		e := NewEngine(m, 2*ChunkSize, 2)
		idx := []int{5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31, 33, 35, 37, 39, 41, 43, 45, 47, 49, 51, 53, 55, 57, 59, 61, 63, 65, 67, 69, 71, 73}
		got := e.Encode(set, idx)
		e.Close()
		d := m.CodeDim()
		// (a pass's last chunk of 3 images may take another kernel than
		// the model's 64-image chunk: close, not bit-identical)
		for k, i := range idx {
			for j := range d {
				g, w := got[k*d+j], want[i*d+j]
				if diff := math.Abs(float64(g - w)); diff > 1e-5*max(1, math.Abs(float64(w))) {
					t.Fatalf("%s: code %d (image %d) of a multi-pass Encode: [%d] = %g, want %g", kind, k, i, j, g, w)
				}
			}
		}
	}
}

// BenchmarkEncode10k encodes 10,000 images: the engine on 1 and 2 threads,
// and "model", the one-goroutine loop over Model.EncodeLabeled that
// report.EncodeSet was before the engine encoded.
func BenchmarkEncode10k(b *testing.B) {
	set := synthetic(10000, 5)
	m, err := model.New(model.Seed(model.VAE), 1)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("model", func(b *testing.B) {
		buf := make([]float32, 1024*model.Pixels)
		for b.Loop() {
			for lo := 0; lo < set.N; lo += 1024 {
				idx := mnist.Indices(min(1024, set.N-lo))
				for i := range idx {
					idx[i] += lo
				}
				set.Fill(buf, nil, idx)
				m.EncodeLabeled(buf[:len(idx)*model.Pixels], set.Labels[lo:lo+len(idx)], len(idx), nil)
			}
		}
	})
	for _, threads := range []int{1, 2} {
		b.Run("threads="+string(rune('0'+threads)), func(b *testing.B) {
			for b.Loop() {
				EncodeSet(m, set, set.N, threads)
			}
		})
	}
}
