package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"latent/nn"
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

// LogPdf is log p(z) of one code z [L]. To evaluate many codes, compute
// the Density once.
func (p *Mixture) LogPdf(z []float32) float64 { return p.Density(len(z)).LogPdf(z) }

// Density is a mixture's log-density with each component's constants
// computed once: what the EM fit evaluates for every point and every
// iteration, and the IWAE bound for every sample. It is read-only after Set,
// so several goroutines may share it.
type Density struct {
	k, l   int
	offset []float64 // log w_c - ½ Σ_d logvar_cd
	mean   []float64 // [K][L]
	hinv   []float64 // [K][L] ½/variance
}

// Density returns p's density for codes of l dimensions.
func (p *Mixture) Density(l int) *Density {
	k := p.K()
	d := &Density{k: k, l: l, offset: make([]float64, k), mean: make([]float64, k*l), hinv: make([]float64, k*l)}
	d.Set(p)
	return d
}

// Set recomputes the constants from p (same K and L), for a mixture whose
// parameters changed.
func (d *Density) Set(p *Mixture) {
	for c := range d.k {
		d.offset[c] = math.Log(float64(p.Weights[c]))
		for j := range d.l {
			lv := float64(p.Logvars[c*d.l+j])
			d.offset[c] -= 0.5 * lv
			d.mean[c*d.l+j] = float64(p.Means[c*d.l+j])
			d.hinv[c*d.l+j] = 0.5 * math.Exp(-lv)
		}
	}
}

// score is component c's log-density at x, without the -L·½log(2π) that
// all components share; two partial sums halve the chain of dependent adds.
func (d *Density) score(c int, x []float32) float64 {
	mean, hinv := d.mean[c*d.l:(c+1)*d.l], d.hinv[c*d.l:(c+1)*d.l]
	mean, hinv = mean[:len(x)], hinv[:len(x)]
	var s0, s1 float64
	j := 0
	for ; j+2 <= len(x); j += 2 {
		d0, d1 := float64(x[j])-mean[j], float64(x[j+1])-mean[j+1]
		s0 += d0 * d0 * hinv[j]
		s1 += d1 * d1 * hinv[j+1]
	}
	if j < len(x) {
		dv := float64(x[j]) - mean[j]
		s0 += dv * dv * hinv[j]
	}
	return d.offset[c] - (s0 + s1)
}

// LogPdf is log p(z): the components' scores, then a log-sum-exp that
// skips the exponentials of those more than 40 nats below the best (each
// would add less than 4e-18 of the sum); most are, so this is twice as fast
// as one pass that rescales its sum whenever a better score comes.
func (d *Density) LogPdf(z []float32) float64 {
	buf := scorePool.Get().(*[]float64)
	if cap(*buf) < d.k {
		*buf = make([]float64, d.k)
	}
	s := (*buf)[:d.k]
	best := math.Inf(-1)
	l := len(z)
	mean, hinv := d.mean[:d.k*l], d.hinv[:d.k*l]
	for c := range s {
		// score(c, z), inlined: the call cost as much as the sums
		m, h := mean[c*l:(c+1)*l], hinv[c*l:(c+1)*l]
		var s0, s1 float64
		j := 0
		for ; j+2 <= l; j += 2 {
			d0, d1 := float64(z[j])-m[j], float64(z[j+1])-m[j+1]
			s0 += d0 * d0 * h[j]
			s1 += d1 * d1 * h[j+1]
		}
		if j < l {
			dv := float64(z[j]) - m[j]
			s0 += dv * dv * h[j]
		}
		v := d.offset[c] - (s0 + s1)
		s[c] = v
		if v > best {
			best = v
		}
	}
	var sum float64
	for _, v := range s {
		if v-best > -40 {
			sum += math.Exp(v - best)
		}
	}
	scorePool.Put(buf)
	return best + math.Log(sum) - float64(len(z))*nn.HalfLog2Pi
}

// scorePool holds LogPdf's score buffers: Density is shared by goroutines.
var scorePool = sync.Pool{New: func() any { return new([]float64) }}

// Responsibilities sets r[c] = p(component c | x), r of length K.
func (d *Density) Responsibilities(x []float32, r []float64) {
	best := math.Inf(-1)
	for c := range r {
		r[c] = d.score(c, x)
		best = math.Max(best, r[c])
	}
	var sum float64
	for c, s := range r {
		r[c] = 0
		if s-best > -40 { // exp(-40) ≈ 4e-18: nothing to add
			r[c] = math.Exp(s - best)
			sum += r[c]
		}
	}
	for c := range r {
		r[c] /= sum
	}
}

// StdNormalLogPdf is log N(z; 0, I).
func StdNormalLogPdf(z []float32) float64 {
	s := 0.0
	for _, v := range z {
		s -= nn.HalfLog2Pi + 0.5*float64(v)*float64(v)
	}
	return s
}

// PriorLogPdf returns log p(z) under the model's prior (N(0, I) without one),
// with the prior's constants computed once, for evaluating many codes.
func (m *Model) PriorLogPdf() func(z []float32) float64 {
	if m.Prior == nil {
		return StdNormalLogPdf
	}
	return m.Prior.Density(m.Latent).LogPdf
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
