package tsne

import (
	"slices"
	"testing"
)

// TestEmbedScored: the same map as Embed, scored by its 10-NN label
// accuracy; shuffled labels score far lower than the true ones.
func TestEmbedScored(t *testing.T) {
	const c, m, d = 4, 60, 10
	x, labels := clusters(c, m, d, 1, 5)
	opt := DefaultOptions()
	opt.Iterations = 300
	y, acc, secs, err := EmbedScored(x, c*m, d, labels, opt)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Embed(x, c*m, d, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(y, want) {
		t.Error("EmbedScored's map differs from Embed's")
	}
	if acc != KNNAccuracy(want, 2, labels, 10) || acc < 0.9 || secs <= 0 {
		t.Errorf("accuracy %.3f (want KNNAccuracy's, ≥ 0.9), %g s", acc, secs)
	}
	shuffled := slices.Clone(labels)
	for i := range shuffled {
		shuffled[i] = uint8(i % c)
	}
	if _, bad, _, _ := EmbedScored(x, c*m, d, shuffled, opt); bad > acc-0.3 {
		t.Errorf("labels unrelated to the clusters score %.3f, the true ones %.3f", bad, acc)
	}
	if _, _, _, err := EmbedScored(x, c*m, d, labels, Options{Perplexity: float64(c * m)}); err == nil {
		t.Error("a perplexity of n points was accepted")
	}
}
