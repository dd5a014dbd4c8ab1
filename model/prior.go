package model

import (
	"fmt"
	"math"
	"math/rand/v2"

	"latent/safetensors"
)

// Mixture is a learned prior p(z) = Σ_k w_k N(z; mean_k, diag(exp(logvar_k))),
// stored in the checkpoint (tensors prior.weights [K], prior.means [K,L],
// prior.logvars [K,L]) and used by every verb that draws z from the model.
type Mixture struct {
	Weights []float32 // [K], positive, summing to 1
	Means   []float32 // [K][L]
	Logvars []float32 // [K][L]
}

// Names of the prior's tensors in a checkpoint.
const (
	priorWeights = "prior.weights"
	priorMeans   = "prior.means"
	priorLogvars = "prior.logvars"
)

// K is the number of components.
func (p *Mixture) K() int { return len(p.Weights) }

// Validate checks the shapes against latent size l and the values.
func (p *Mixture) Validate(l int) error {
	k := p.K()
	if k < 1 || len(p.Means) != k*l || len(p.Logvars) != k*l {
		return fmt.Errorf("prior: %d weights, %d means, %d log-variances do not fit latent size %d", k, len(p.Means), len(p.Logvars), l)
	}
	var sum float64
	for _, w := range p.Weights {
		if !(w >= 0) || math.IsInf(float64(w), 0) {
			return fmt.Errorf("prior: weight %g is not a non-negative number", w)
		}
		sum += float64(w)
	}
	if math.Abs(sum-1) > 1e-3 {
		return fmt.Errorf("prior: weights sum to %g, not 1", sum)
	}
	for i := range p.Means {
		if v, lv := p.Means[i], p.Logvars[i]; math.IsNaN(float64(v+lv)) || math.IsInf(float64(v+lv), 0) || lv < -30 || lv > 30 {
			return fmt.Errorf("prior: component %d has mean %g, log-variance %g", i/l, v, lv)
		}
	}
	return nil
}

// Sample draws n codes z [n][L] from the mixture.
func (p *Mixture) Sample(z []float32, n, l int, rng *rand.Rand) {
	for i := range n {
		u := rng.Float64()
		k := 0
		for acc := float64(p.Weights[0]); u > acc && k < p.K()-1; acc += float64(p.Weights[k]) {
			k++
		}
		mean, lv := p.Means[k*l:(k+1)*l], p.Logvars[k*l:(k+1)*l]
		for j := range l {
			z[i*l+j] = mean[j] + float32(rng.NormFloat64()*math.Exp(0.5*float64(lv[j])))
		}
	}
}

// LogPdf is log p(z) of one code z [L].
func (p *Mixture) LogPdf(z []float32) float64 {
	l := len(z)
	best, terms := math.Inf(-1), make([]float64, p.K())
	for k := range p.K() {
		s := math.Log(float64(p.Weights[k]))
		for j, v := range z {
			lv := float64(p.Logvars[k*l+j])
			d := float64(v - p.Means[k*l+j])
			s -= halfLog2Pi + 0.5*lv + 0.5*d*d*math.Exp(-lv)
		}
		terms[k] = s
		best = math.Max(best, s)
	}
	var sum float64
	for _, t := range terms {
		sum += math.Exp(t - best)
	}
	return best + math.Log(sum)
}

const halfLog2Pi = 0.91893853320467274178

// StdNormalLogPdf is log N(z; 0, I).
func StdNormalLogPdf(z []float32) float64 {
	s := 0.0
	for _, v := range z {
		s -= halfLog2Pi + 0.5*float64(v)*float64(v)
	}
	return s
}

// PriorLogPdf is log p(z) under the model's prior (N(0, I) without one).
func (m *Model) PriorLogPdf(z []float32) float64 {
	if m.Prior == nil {
		return StdNormalLogPdf(z)
	}
	return m.Prior.LogPdf(z)
}

// SamplePrior draws n codes z [n][Latent] from the model's prior.
func (m *Model) SamplePrior(z []float32, n int, rng *rand.Rand) {
	if m.Prior != nil {
		m.Prior.Sample(z, n, m.Latent, rng)
		return
	}
	for i := range z[:n*m.Latent] {
		z[i] = float32(rng.NormFloat64())
	}
}

func (p *Mixture) tensors(l int) []safetensors.Tensor {
	k := p.K()
	return []safetensors.Tensor{
		{Name: priorWeights, Shape: []int{k}, Data: p.Weights},
		{Name: priorMeans, Shape: []int{k, l}, Data: p.Means},
		{Name: priorLogvars, Shape: []int{k, l}, Data: p.Logvars},
	}
}

// readPrior returns the prior stored in f, or nil when it has none.
func readPrior(f *safetensors.File, l int) (*Mixture, error) {
	w, ok := f.Get(priorWeights)
	if !ok {
		return nil, nil
	}
	mean, err := f.Lookup(priorMeans)
	if err != nil {
		return nil, err
	}
	lv, err := f.Lookup(priorLogvars)
	if err != nil {
		return nil, err
	}
	p := &Mixture{Weights: w.Data, Means: mean.Data, Logvars: lv.Data}
	if err := p.Validate(l); err != nil {
		return nil, fmt.Errorf("%s: %w", where(f), err)
	}
	return p, nil
}
