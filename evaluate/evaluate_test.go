package evaluate

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"latent/mnist"
	"latent/model"
)

// randomSet is a small set of random 28×28 digits.
func randomSet(n int) *mnist.Set {
	rng := rand.New(rand.NewPCG(1, 2))
	s := &mnist.Set{Images: make([]uint8, n*model.Pixels), Labels: make([]uint8, n), N: n, Rows: model.Side, Cols: model.Side}
	for i := range s.Images {
		s.Images[i] = uint8(rng.IntN(256))
	}
	for i := range s.Labels {
		s.Labels[i] = uint8(i % model.Classes)
	}
	return s
}

// TestIWAENotComputedIsNull: without ImportanceWeighted the bound is JSON
// null and the text says it was not computed; with it, a number.
func TestIWAENotComputedIsNull(t *testing.T) {
	m, err := model.New(model.Seed(model.VAE), 0)
	if err != nil {
		t.Fatal(err)
	}
	set := randomSet(20)
	r := Test(m, set, 0, 2)
	b, _ := json.Marshal(r)
	var fields map[string]any
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatal(err)
	}
	if v, ok := fields["iwae_nats_per_image"]; !ok || v != nil {
		t.Errorf("iwae_nats_per_image = %v (present %v), want null", v, ok)
	}
	if !strings.Contains(r.String(), "not computed") {
		t.Errorf("%q does not say the bound was not computed", r.String())
	}
	r.ImportanceWeighted(m, set, 5, 3, 0, 2)
	if r.IWAE == nil || r.ELBONats == nil || !(*r.IWAE < 0) || r.IWImages != 5 || r.IWSamples != 3 {
		t.Errorf("IWAE %v ELBO %v images %d samples %d", r.IWAE, r.ELBONats, r.IWImages, r.IWSamples)
	}
	if r.Images != 20 || !(r.Loss > 0) || len(r.KLPerDim) != m.Latent {
		t.Errorf("result %+v", r)
	}
	var kl float64
	for _, v := range r.KLPerDim {
		kl += v
	}
	if math.Abs(kl-r.KL) > 1e-9*math.Abs(r.KL) || !(r.KL > 0) {
		t.Errorf("KL per image %g, its dimensions sum to %g", r.KL, kl)
	}
}

// TestSample: the same seed gives the same images, a conditional VAE draws
// the digit asked for (or 0..9 in turn), and an unconditional one no labels.
func TestSample(t *testing.T) {
	cvae, _ := model.New(model.Seed(model.CVAE), 0)
	a, la := Sample(cvae, 12, 7, 3)
	b, lb := Sample(cvae, 12, 7, 3)
	if !slices.Equal(a, b) || !slices.Equal(la, lb) || len(a) != 12*model.Pixels {
		t.Error("Sample is not a function of its seed")
	}
	for _, l := range la {
		if l != 7 {
			t.Fatalf("labels %v, want all 7", la)
		}
	}
	if _, l := Sample(cvae, 12, -1, 3); l[0] != 0 || l[9] != 9 || l[10] != 0 {
		t.Errorf("digit -1: labels %v, want 0..9 in turn", l)
	}
	vae, _ := model.New(model.Seed(model.VAE), 0)
	if c, l := Sample(vae, 4, -1, 3); l != nil || len(c) != 4*model.Pixels {
		t.Errorf("VAE: %d values, labels %v", len(c), l)
	}
	if c, _ := Sample(vae, 4, -1, 4); slices.Equal(c, a[:4*model.Pixels]) {
		t.Error("another seed gave the same samples")
	}
}
