package train

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"latent/model"
)

func trainedVAE(t *testing.T, data Data) *model.Model {
	t.Helper()
	m, err := model.New(model.Seed(model.VAE), 3)
	if err != nil {
		t.Fatal(err)
	}
	cfg := SeedConfig()
	cfg.Epochs, cfg.Seed = 2, 1
	if _, err := Fit(context.Background(), m, data, cfg, Hooks{}); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestFitPrior: the mixture is valid, independent of the thread count, and
// its log-density is higher on the training codes than N(0, I)'s when the
// codes are not standard normal.
func TestFitPrior(t *testing.T) {
	data := smallData(t)
	m := trainedVAE(t, data)
	var first *model.Mixture
	for _, threads := range []int{1, 2, 3} {
		p, err := FitPrior(m, data.Set, data.Train, PriorConfig{Components: 5, Iterations: 20, Seed: 4, Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = p
			continue
		}
		if !slices.Equal(p.Means, first.Means) || !slices.Equal(p.Weights, first.Weights) || !slices.Equal(p.Logvars, first.Logvars) {
			t.Errorf("%d threads: the mixture differs from 1 thread's", threads)
		}
	}
	// the mixture fits the codes better than N(0, I) does
	images := make([]float32, len(data.Train)*model.Pixels)
	data.Set.Fill(images, nil, data.Train)
	mu := m.EncodeImages(images, len(data.Train), nil)
	var mix, std float64
	for i := range len(data.Train) {
		z := mu[i*m.Latent : (i+1)*m.Latent]
		mix += first.LogPdf(z)
		std += model.StdNormalLogPdf(z)
	}
	if !(mix > std) {
		t.Errorf("mean log-density of the codes: mixture %.3f, N(0,I) %.3f; the fitted prior should fit better", mix, std)
	}
	// a temperature scales the spreads and nothing else
	cold, err := FitPrior(m, data.Set, data.Train, PriorConfig{Components: 5, Iterations: 20, Seed: 4, Threads: 2, Temperature: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	for i, lv := range cold.Logvars {
		if d := float64(lv-first.Logvars[i]) - 2*math.Log(0.5); math.Abs(d) > 1e-5 {
			t.Fatalf("log-variance %d: %g at temperature 0.5, %g at 1", i, lv, first.Logvars[i])
		}
	}
	if !slices.Equal(cold.Means, first.Means) {
		t.Error("the temperature moved the means")
	}
	if _, err := FitPrior(m, data.Set, data.Train, PriorConfig{Components: 0, Iterations: 1}); err == nil {
		t.Error("0 components: no error")
	}
}

// TestMixtureOneComponentIsItsGaussian checks LogPdf and Sample against the
// closed forms of a single diagonal Gaussian.
func TestMixtureOneComponentIsItsGaussian(t *testing.T) {
	p := &model.Mixture{Weights: []float32{1}, Means: []float32{1, -2}, Logvars: []float32{0, float32(math.Log(4))}}
	z := []float32{2, 0}
	// log N(2; 1, 1) + log N(0; -2, 4)
	want := -math.Log(2*math.Pi)/2 - 0.5 + (-math.Log(2*math.Pi*4)/2 - 0.5*4/4)
	if got := p.LogPdf(z); math.Abs(got-want) > 1e-6 {
		t.Errorf("LogPdf = %.8f, want %.8f", got, want)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	const n = 20000
	s := make([]float32, n*2)
	p.Sample(s, n, 2, rng)
	var m0, m1, v1 float64
	for i := range n {
		m0 += float64(s[2*i]) / n
		m1 += float64(s[2*i+1]) / n
	}
	for i := range n {
		d := float64(s[2*i+1]) - m1
		v1 += d * d / n
	}
	if math.Abs(m0-1) > 0.05 || math.Abs(m1+2) > 0.05 || math.Abs(v1-4) > 0.2 {
		t.Errorf("sample moments: mean (%.3f, %.3f), var[1] %.3f; want (1, -2), 4", m0, m1, v1)
	}
}

// TestLogLikelihoodBound: one sample gives the ELBO (the analytic one, up to
// Monte Carlo noise), more samples give a higher bound, and the result does
// not depend on the number of threads.
func TestLogLikelihoodBound(t *testing.T) {
	data := smallData(t)
	m := trainedVAE(t, data)
	idx := data.Val[:20]
	samples := 200
	if testing.Short() {
		samples = 50 // under emulation (.ci/run's arm64 step)
	}
	var one, many []float64
	for _, threads := range []int{1, 2} {
		e := NewEngine(m, 64, threads)
		o := e.LogLikelihoodBound(data.Set, idx, 1, rand.New(rand.NewPCG(1, 2)))
		k := e.LogLikelihoodBound(data.Set, idx, samples, rand.New(rand.NewPCG(1, 3)))
		e.Close()
		if one != nil && (!slices.Equal(o, one) || !slices.Equal(k, many)) {
			t.Errorf("%d threads: the bounds differ from 1 thread's", threads)
		}
		one, many = o, k
	}
	e := NewEngine(m, 64, 2)
	defer e.Close()
	tot := e.Evaluate(data.Set, idx, nil) // z = mu: squared error without noise; KL analytic
	elbo := -(tot.SquaredErrMu+tot.KL)/float64(len(idx)) - model.Pixels*0.5*math.Log(math.Pi)
	if d := math.Abs(mean(one) - elbo); d > 0.1*math.Abs(elbo) {
		t.Errorf("one-sample bound %.2f, analytic ELBO (z = mu) %.2f", mean(one), elbo)
	}
	if !(mean(many) > mean(one)) {
		t.Errorf("200-sample bound %.3f is not above the 1-sample bound %.3f", mean(many), mean(one))
	}
	for i, v := range many {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("image %d: bound %v", i, v)
		}
	}
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}
