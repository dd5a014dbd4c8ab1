package train

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"latent/model"
	"latent/tensor"
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

// clusteredCodes draws n codes of l dimensions around 20 centres (spreads
// 0.05–0.5 in some dimensions, near-collapsed 0.01 ones in others), like a
// VAE's posterior means.
func clusteredCodes(n, l int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	const centres = 20
	cen, spread := make([]float64, centres*l), make([]float64, centres*l)
	for i := range cen {
		cen[i] = 2 * rng.NormFloat64()
		spread[i] = 0.05 + 0.45*rng.Float64()
		if i%l >= l-2 { // collapsed dimensions
			cen[i], spread[i] = 0.01*rng.NormFloat64(), 0.01
		}
	}
	x := make([]float32, n*l)
	for i := range n {
		c := rng.IntN(centres)
		for d := range l {
			x[i*l+d] = float32(cen[c*l+d] + spread[c*l+d]*rng.NormFloat64())
		}
	}
	return x
}

func BenchmarkPriorIteration(b *testing.B) {
	const n, l, k = 48000, 16, 1000
	mu := clusteredCodes(n, l, 1)
	vars := make([]float64, n*l)
	for _, kind := range []string{"gram", "scalar"} {
		b.Run(kind, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			p := initMixture(mu, n, l, k, rng)
			var it interface {
				iterate(*model.Mixture, *rand.Rand) float64
			}
			if kind == "gram" {
				it = newGramEM(mu, vars, n, l, k, 1)
			} else {
				it = newEMScalar(mu, vars, n, l, k, 1)
			}
			it.iterate(p, rng)
			b.ResetTimer()
			for range b.N {
				it.iterate(p, rng)
			}
		})
	}
}

// randomCodes draws n standard normal codes of l dimensions, scaled per
// dimension by 0.01…3.
func randomCodes(n, l int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 2))
	x := make([]float32, n*l)
	for i := range x {
		x[i] = float32(rng.NormFloat64() * (0.01 + 3*float64(i%l)/float64(l)))
	}
	return x
}

// emIterator is gramEM or its twin emScalar.
type emIterator interface {
	iterate(*model.Mixture, *rand.Rand) float64
}

func cloneMixture(p *model.Mixture) *model.Mixture {
	return &model.Mixture{Weights: slices.Clone(p.Weights), Means: slices.Clone(p.Means), Logvars: slices.Clone(p.Logvars)}
}

// TestGramEMMatchesScalar runs the product EM and its float64 scalar twin on
// random and clustered codes, on every kernel path, from the same mixtures:
// one iteration gives the same mean log-likelihood and parameters within
// float32 rounding, and whole fits reach the same quality.
//
// Tolerances: a score is a sum of 2L+1 float32 products of standardised terms
// of size up to ~10³ (x'²/σ'², x'μ'/σ'², the constant), so its rounding is
// about (2L+1)·2⁻²⁴·10³ ≈ 2e-3 nats at worst and ~1e-5 typically: the mean
// log-likelihood may differ by 1e-4. The M step's float32 sums over ≤ 1024
// points err by about √1024·2⁻²⁴ ≈ 2e-6 relative, so a mean by 2e-6 of |x'|
// and a variance E[x'²] − E[x']² by 2e-6·(μ'² + σ'²)/σ'² relative: a tight
// component far from the data's centre (σ' = 0.02, μ' = 2) loses a per cent.
// We allow 1e-3 in the means (in data standard deviations) and the relative
// weights, and 1e-4 + 32·2⁻²⁴·(μ'² + σ'²)/σ'² in the log-variances. Whole fits (30 iterations) follow
// slightly different paths; their mean log-likelihoods must agree to 0.01
// nats (the figure latent reports to two decimals).
func TestGramEMMatchesScalar(t *testing.T) {
	defer tensor.SetPath(tensor.Paths()[0])
	const n = 3000
	for _, tc := range []struct {
		name      string
		mu        []float32
		l, k      int
		aggregate bool
	}{
		{"random", randomCodes(n, 5, 1), 5, 7, false},
		{"random many", randomCodes(n, 3, 2), 3, 40, false},
		{"clustered", clusteredCodes(n, 16, 3), 16, 50, false},
		{"clustered aggregate", clusteredCodes(n, 8, 4), 8, 33, true},
	} {
		vars := make([]float64, n*tc.l)
		if tc.aggregate {
			for i := range vars {
				vars[i] = 0.01 * float64(i%7+1)
			}
		}
		mean, std := make([]float64, tc.l), make([]float64, tc.l)
		for d := range tc.l {
			var s, s2 float64
			for i := range n {
				v := float64(tc.mu[i*tc.l+d])
				s, s2 = s+v, s2+v*v
			}
			mean[d], std[d] = s/n, math.Sqrt(s2/n-(s/n)*(s/n))
		}
		// the scalar twin uses no tensor kernel: run it once
		rng := rand.New(rand.NewPCG(5, 6))
		start := initMixture(tc.mu, n, tc.l, tc.k, rng)
		scalar := newEMScalar(tc.mu, vars, n, tc.l, tc.k, 2)
		for range 5 { // a mixture part-way through a fit
			scalar.iterate(start, rng)
		}
		ps := cloneMixture(start)
		lls := scalar.iterate(ps, rand.New(rand.NewPCG(7, 7)))
		fit := func(em emIterator) float64 {
			rng := rand.New(rand.NewPCG(8, 9))
			p := initMixture(tc.mu, n, tc.l, tc.k, rng)
			prev := math.Inf(-1)
			for it := range 30 {
				ll := em.iterate(p, rng)
				// EM never lowers the likelihood of the points it fits
				// (the aggregate fit's is another one's)
				if !tc.aggregate && ll < prev-1e-3 {
					t.Errorf("%s iteration %d: mean log-likelihood fell from %.6f to %.6f", tc.name, it, prev, ll)
				}
				prev = ll
			}
			return meanLogPdf(p, tc.mu, tc.l)
		}
		qs := fit(newEMScalar(tc.mu, vars, n, tc.l, tc.k, 1))
		for _, path := range tensor.Paths() {
			if err := tensor.SetPath(path); err != nil {
				t.Fatal(err)
			}
			t.Run(tc.name+"/"+path, func(t *testing.T) {
				// one iteration from the same mixture
				pg := cloneMixture(start)
				llg := newGramEM(tc.mu, vars, n, tc.l, tc.k, 2).iterate(pg, rand.New(rand.NewPCG(7, 7)))
				if d := math.Abs(lls - llg); !(d <= 1e-4*(1+math.Abs(lls))) {
					t.Errorf("mean log-likelihood: scalar %.8f, products %.8f", lls, llg)
				}
				for c := range tc.k {
					if d := math.Abs(float64(pg.Weights[c]/ps.Weights[c] - 1)); !(d <= 1e-3) {
						t.Errorf("component %d: weight %g, scalar %g", c, pg.Weights[c], ps.Weights[c])
					}
					for d := range tc.l {
						j := c*tc.l + d
						if e := math.Abs(float64(pg.Means[j]-ps.Means[j])) / std[d]; !(e <= 1e-3) {
							t.Errorf("component %d dim %d: mean %g, scalar %g", c, d, pg.Means[j], ps.Means[j])
						}
						m, v := (float64(ps.Means[j])-mean[d])/std[d], math.Exp(float64(ps.Logvars[j]))/(std[d]*std[d])
						if e := math.Abs(float64(pg.Logvars[j] - ps.Logvars[j])); !(e <= 1e-4+32*0x1p-24*(m*m+v)/v) {
							t.Errorf("component %d dim %d: log-variance %g, scalar %g", c, d, pg.Logvars[j], ps.Logvars[j])
						}
					}
				}
				// whole fits
				qg := fit(newGramEM(tc.mu, vars, n, tc.l, tc.k, 1))
				if !(math.Abs(qs-qg) <= 0.01) {
					t.Errorf("fitted mixture's mean log-likelihood: scalar %.5f, products %.5f", qs, qg)
				}
				t.Logf("one step: Δll %.2g; 30 iterations: scalar %.5f, products %.5f", math.Abs(lls-llg), qs, qg)
			})
		}
	}
}

// TestGramEMThreads: several blocks, any thread count, the same bits.
func TestGramEMThreads(t *testing.T) {
	const n, l, k = 2500, 6, 20
	mu := clusteredCodes(n, l, 7)
	vars := make([]float64, n*l)
	var first *model.Mixture
	for _, threads := range []int{1, 2, 3, 4} {
		rng := rand.New(rand.NewPCG(1, 1))
		p := initMixture(mu, n, l, k, rng)
		em := newGramEM(mu, vars, n, l, k, threads)
		for range 4 {
			em.iterate(p, rng)
		}
		if first == nil {
			first = p
			continue
		}
		if !slices.Equal(p.Means, first.Means) || !slices.Equal(p.Weights, first.Weights) || !slices.Equal(p.Logvars, first.Logvars) {
			t.Errorf("%d threads: the mixture differs from 1 thread's", threads)
		}
	}
}

func meanLogPdf(p *model.Mixture, mu []float32, l int) float64 {
	g := p.Density(l)
	var s float64
	n := len(mu) / l
	for i := range n {
		s += g.LogPdf(mu[i*l : (i+1)*l])
	}
	return s / float64(n)
}

// TestExpShifted checks the rows' exp (Go and vector loops) against math.Exp
// on a dense grid of [-90, 0] and the row maximum against a plain loop, for
// lengths around the vector widths.
func TestExpShifted(t *testing.T) {
	defer tensor.SetPath(tensor.Paths()[0])
	rng := rand.New(rand.NewPCG(3, 3))
	for _, path := range tensor.Paths() {
		if err := tensor.SetPath(path); err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{1, 7, 8, 9, 31, 32, 33, 100, 1000, 20001} {
			x := make([]float32, n)
			for i := range x {
				x[i] = 5 - 95*float32(i)/float32(n) // shifted by 5 below: [-90, 0]
				if n == 100 {
					x[i] = 5 - float32(rng.ExpFloat64()*10)
				}
			}
			want := slices.Max(x)
			if got := rowMaxFast(x); got != want {
				t.Errorf("%s n %d: row max %g, want %g", path, n, got, want)
			}
			ref := slices.Clone(x)
			sum := expShiftedFast(x, 5)
			var wsum float64
			for i, v := range ref {
				w := math.Exp(math.Max(float64(v-5), -87))
				wsum += w
				if d := math.Abs(float64(x[i]) - w); !(d <= 4e-7*w) {
					t.Fatalf("%s n %d: e^%g = %g, want %g (relative error %.2g)", path, n, v-5, x[i], w, d/w)
				}
			}
			// 8 lanes of float32 partial sums of positive terms: at most
			// n/8 roundings of 2⁻²⁴ each
			if d := math.Abs(sum - wsum); !(d <= (1e-7+0x1p-24*float64(n)/8)*wsum) {
				t.Errorf("%s n %d: sum %g, want %g", path, n, sum, wsum)
			}
		}
	}
}

// BenchmarkDensityLogPdf: log p(z) of one code under a 1000-component
// mixture of 16 dimensions fitted to clustered codes (what the IWAE bound
// evaluates for every sample).
func BenchmarkDensityLogPdf(b *testing.B) {
	const n, l, k = 20000, 16, 1000
	mu := clusteredCodes(n, l, 1)
	rng := rand.New(rand.NewPCG(1, 2))
	p := initMixture(mu, n, l, k, rng)
	em := newGramEM(mu, make([]float64, n*l), n, l, k, 2)
	for range 10 {
		em.iterate(p, rng)
	}
	g := p.Density(l)
	b.ResetTimer()
	var s float64
	for i := range b.N {
		j := i % n
		s += g.LogPdf(mu[j*l : (j+1)*l])
	}
	if math.IsNaN(s) {
		b.Fatal("NaN")
	}
}

// TestDensityLogPdfMatchesDirectSum: log p(z) against the plain
// log Σ_c w_c N(z; μ_c, σ_c²) of a mixture whose components lie near z and
// far from it (the ones LogPdf skips), and Responsibilities sums to 1.
func TestDensityLogPdfMatchesDirectSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, tc := range []struct{ k, l int }{{1, 1}, {3, 2}, {40, 5}, {1500, 16}} {
		p := &model.Mixture{Weights: make([]float32, tc.k), Means: make([]float32, tc.k*tc.l), Logvars: make([]float32, tc.k*tc.l)}
		for c := range tc.k {
			p.Weights[c] = 1 / float32(tc.k)
			for d := range tc.l {
				p.Means[c*tc.l+d] = float32(3 * rng.NormFloat64())
				p.Logvars[c*tc.l+d] = float32(rng.Float64()*4 - 3)
			}
		}
		g := p.Density(tc.l)
		r := make([]float64, tc.k)
		for range 20 {
			z := make([]float32, tc.l)
			for d := range z {
				z[d] = float32(3 * rng.NormFloat64())
			}
			// direct: every component's density in float64, scaled by the best
			logs := make([]float64, tc.k)
			for c := range tc.k {
				logs[c] = math.Log(float64(p.Weights[c]))
				for d := range tc.l {
					v, m := math.Exp(float64(p.Logvars[c*tc.l+d])), float64(p.Means[c*tc.l+d])
					x := float64(z[d]) - m
					logs[c] -= 0.5*math.Log(2*math.Pi*v) + x*x/(2*v)
				}
			}
			best := slices.Max(logs)
			var sum float64
			for _, v := range logs {
				sum += math.Exp(v - best)
			}
			want := best + math.Log(sum)
			if got := g.LogPdf(z); math.Abs(got-want) > 1e-9*(1+math.Abs(want)) {
				t.Errorf("K %d L %d: LogPdf %.12f, direct sum %.12f", tc.k, tc.l, got, want)
			}
			g.Responsibilities(z, r)
			var rs float64
			for _, v := range r {
				rs += v
			}
			if math.Abs(rs-1) > 1e-12 {
				t.Errorf("K %d L %d: responsibilities sum to %.15f", tc.k, tc.l, rs)
			}
		}
	}
}

// TestEncodeCodesInPieces: the codes encoded in pieces on several threads are
// the bits of one encoding call over all images.
func TestEncodeCodesInPieces(t *testing.T) {
	set := synthetic(2*encodePiece+100, 5)
	idx := make([]int, set.N)
	for i := range idx {
		idx[i] = (i * 7) % set.N
	}
	m, err := model.New(model.Seed(model.VAE), 2)
	if err != nil {
		t.Fatal(err)
	}
	images := make([]float32, len(idx)*model.Pixels)
	labels := make([]uint8, len(idx))
	set.Fill(images, labels, idx)
	wantLv := make([]float32, len(idx)*m.Latent)
	want := m.EncodeLabeled(images, labels, len(idx), wantLv)
	for _, threads := range []int{1, 2, 5} {
		mu, lv := encodeCodes(m, set, idx, threads)
		if !slices.Equal(mu, want) || !slices.Equal(lv, wantLv) {
			t.Errorf("%d threads: the codes differ from one call's", threads)
		}
	}
}
