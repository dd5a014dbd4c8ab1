package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"latent/mnist"
	"latent/model"
)

// PriorConfig sets the mixture prior fitted after training.
type PriorConfig struct {
	Components int // K
	Iterations int // EM iterations
	Seed       uint64
	Threads    int
	// Aggregate adds each image's posterior variance σ_i² to the components
	// (a fit to the aggregate posterior itself); without it the mixture fits
	// the posterior means mu_i: tighter components, samples closer to the
	// decodes of z = mu (the reconstructions), which measured better.
	Aggregate bool
	// Temperature multiplies every component's standard deviation after the
	// fit (0 or 1: unchanged). Below 1 the samples keep closer to the
	// component means, where the decoder's digits are clearest: a sampling
	// temperature, as in Kingma & Dhariwal's Glow.
	Temperature float64
}

// FitPrior fits a K-component diagonal Gaussian mixture, by EM, to the
// posterior means mu_i of the images set[idx] or (Aggregate) to the aggregate
// posterior q(z) = (1/N) Σ_i N(mu_i, diag(σ_i²)), each image's own variance
// σ_i² added to the component variances it is assigned to. Sampling from it draws codes where the encoder
// actually puts the data, instead of from N(0, I) (Tomczak & Welling 2018 call
// the mismatch the "holes" of the prior). The result depends on Seed only,
// not on the number of threads.
func FitPrior(m *model.Model, set *mnist.Set, idx []int, pc PriorConfig) (*model.Mixture, error) {
	if !m.IsVAE() {
		return nil, fmt.Errorf("a mixture prior needs a VAE, not a %s", m.Kind)
	}
	k, l := pc.Components, m.Latent
	if k < 1 || k > len(idx) {
		return nil, fmt.Errorf("%d prior components for %d images", k, len(idx))
	}
	if t := pc.Temperature; t < 0 || t > 10 || math.IsNaN(t) {
		return nil, fmt.Errorf("prior temperature %g out of range 0..10", t)
	}
	// encode: mu and logvar [N][L]
	images := make([]float32, len(idx)*model.Pixels)
	labels := make([]uint8, len(idx))
	set.Fill(images, labels, idx)
	lv := make([]float32, len(idx)*l)
	mu := m.EncodeLabeled(images, labels, len(idx), lv)
	n := len(idx)
	vars := make([]float64, n*l)
	if pc.Aggregate {
		for i, v := range lv {
			vars[i] = math.Exp(float64(v))
		}
	}

	// initialise: means at K distinct images chosen by the seed, variances the
	// data's, equal weights
	rng := rand.New(rand.NewPCG(pc.Seed, 0x9a1e))
	p := &model.Mixture{Weights: make([]float32, k), Means: make([]float32, k*l), Logvars: make([]float32, k*l)}
	perm := rng.Perm(n)
	var mean, sq = make([]float64, l), make([]float64, l)
	for i := range n {
		for d := range l {
			v := float64(mu[i*l+d])
			mean[d] += v / float64(n)
			sq[d] += v * v / float64(n)
		}
	}
	for c := range k {
		p.Weights[c] = 1 / float32(k)
		copy(p.Means[c*l:(c+1)*l], mu[perm[c]*l:(perm[c]+1)*l])
		for d := range l {
			p.Logvars[c*l+d] = float32(math.Log(math.Max(sq[d]-mean[d]*mean[d], 1e-4)))
		}
	}

	threads := max(pc.Threads, 1)
	const block = 1024 // points per reduction block: fixed, so sums do not depend on threads
	nb := (n + block - 1) / block
	type stats struct{ r, rx, rxx []float64 } // per component: Σr, Σr·x, Σr·(x²+σ²)
	parts := make([]stats, nb)
	for b := range parts {
		parts[b] = stats{make([]float64, k), make([]float64, k*l), make([]float64, k*l)}
	}
	g := p.Density(l)
	for range pc.Iterations {
		g.Set(p)
		// E and partial M steps, block by block in parallel
		var wg sync.WaitGroup
		for t := range threads {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp := make([]float64, k)
				for b := t; b < nb; b += threads {
					s := parts[b]
					clear(s.r)
					clear(s.rx)
					clear(s.rxx)
					for i := b * block; i < min(n, (b+1)*block); i++ {
						x := mu[i*l : (i+1)*l]
						g.Responsibilities(x, resp)
						for c, r := range resp {
							if r < 1e-12 {
								continue
							}
							s.r[c] += r
							for d, v := range x {
								s.rx[c*l+d] += r * float64(v)
								s.rxx[c*l+d] += r * (float64(v)*float64(v) + vars[i*l+d])
							}
						}
					}
				}
			}()
		}
		wg.Wait()
		tot := stats{make([]float64, k), make([]float64, k*l), make([]float64, k*l)}
		for _, s := range parts {
			for c := range k {
				tot.r[c] += s.r[c]
			}
			for j := range tot.rx {
				tot.rx[j] += s.rx[j]
				tot.rxx[j] += s.rxx[j]
			}
		}
		for c := range k {
			r := tot.r[c]
			if r < 1e-6 { // an empty component: restart it at a data point
				i := rng.IntN(n)
				copy(p.Means[c*l:(c+1)*l], mu[i*l:(i+1)*l])
				p.Weights[c] = 1 / float32(n)
				continue
			}
			p.Weights[c] = float32(r / float64(n))
			for d := range l {
				m := tot.rx[c*l+d] / r
				v := math.Max(tot.rxx[c*l+d]/r-m*m, 1e-4)
				p.Means[c*l+d] = float32(m)
				p.Logvars[c*l+d] = float32(math.Log(v))
			}
		}
		var sum float32
		for _, w := range p.Weights {
			sum += w
		}
		for c := range p.Weights {
			p.Weights[c] /= sum
		}
	}
	if t := pc.Temperature; t > 0 && t != 1 {
		for i := range p.Logvars {
			p.Logvars[i] += float32(2 * math.Log(t))
		}
	}
	return p, p.Validate(l)
}
