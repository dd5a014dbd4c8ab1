package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// h is a step exactly representable next to the test values (multiples of
// 2^-8), so y ± h is exact in float32 and the losses, summed in float64, give
// central differences accurate to O(h²).
const h = 1.0 / 1024

// grid draws n float32 values in [lo, hi] on multiples of 2^-8.
func grid(rng *rand.Rand, n int, lo, hi float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(math.Round((lo+(hi-lo)*rng.Float64())*256) / 256)
	}
	return x
}

// centralDiff is (f(v+h) - f(v-h)) / 2h with v = *p.
func centralDiff(p *float32, f func() float64) float64 {
	v := *p
	*p = v + h
	up := f()
	*p = v - h
	down := f()
	*p = v
	return (up - down) / (2 * h)
}

func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*(1+math.Abs(want))
}

// TestLossGradientsMatchFiniteDifferences checks each reconstruction loss's
// analytic gradient against central differences of the loss itself.
func TestLossGradientsMatchFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 40
	x := grid(rng, n, -1, 1)
	cases := []struct {
		name string
		in   []float32 // the variable: reconstruction y or logits
		loss func(in []float32) float64
		grad func(d, in []float32, scale float32)
	}{
		{"squared error", grid(rng, n, -0.9, 0.9),
			func(y []float32) float64 { return SquaredError(y, x) },
			func(d, y []float32, s float32) { SquaredErrorBackward(d, y, x, s) }},
		{"bernoulli", grid(rng, n, -6, 6),
			func(l []float32) float64 { return BernoulliNLL(l, x) },
			func(d, l []float32, s float32) {
				y := make([]float32, len(l)) // the decoded image tanh(l/2)
				for i, v := range l {
					y[i] = float32(math.Tanh(float64(v) / 2))
				}
				BernoulliNLLBackward(d, y, x, s)
			}},
		{"gaussian σ=e^-0.5", grid(rng, n, -0.9, 0.9),
			func(y []float32) float64 { return GaussianNLL(y, x, -0.5) },
			func(d, y []float32, s float32) { GaussianNLLBackward(d, y, x, -0.5, s) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := make([]float32, n)
			c.grad(d, c.in, 0.5) // scale 0.5: the gradient of 0.5·loss
			for i := range c.in {
				fd := 0.5 * centralDiff(&c.in[i], func() float64 { return c.loss(c.in) })
				if !near(float64(d[i]), fd, 1e-4) {
					t.Errorf("element %d: analytic %.7g, finite difference %.7g", i, d[i], fd)
				}
			}
		})
	}
}

func TestGaussianLogSigmaGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x, y := grid(rng, 50, -1, 1), grid(rng, 50, -1, 1)
	for _, ls := range []float32{-2, -0.5, 0, 0.75} {
		got := GaussianNLLBackward(make([]float32, len(y)), y, x, ls, 1)
		v := ls
		fd := centralDiff(&v, func() float64 { return GaussianNLL(y, x, v) })
		if !near(float64(got), fd, 1e-4) {
			t.Errorf("log σ = %g: analytic %.7g, finite difference %.7g", ls, got, fd)
		}
	}
}

// TestLikelihoodsKnownValues pins the losses to values worked by hand.
func TestLikelihoodsKnownValues(t *testing.T) {
	cases := []struct {
		name string
		got  float64
		want float64
	}{
		// logit 0: p = ½, -log ½ for any target
		{"bernoulli l=0", BernoulliNLL([]float32{0, 0}, []float32{-1, 1}), 2 * math.Ln2},
		// target 1 (x = 1), logit 2: softplus(2) - 2 = log(1+e^-2)
		{"bernoulli l=2,t=1", BernoulliNLL([]float32{2}, []float32{1}), math.Log1p(math.Exp(-2))},
		// target ½ (x = 0) at logit -40: stable, 40·½ + log(1+e^-40)
		{"bernoulli stable", BernoulliNLL([]float32{-40}, []float32{0}), 20 + math.Log1p(math.Exp(-40))},
		// N(1; 0, 1): ½ + ½ log 2π
		{"gaussian", GaussianNLL([]float32{0}, []float32{1}, 0), 0.5 + 0.5*math.Log(2*math.Pi)},
	}
	for _, c := range cases {
		if !near(c.got, c.want, 1e-12) {
			t.Errorf("%s = %.15g, want %.15g", c.name, c.got, c.want)
		}
	}
}
