package train

import (
	"math/rand/v2"
	"sync"

	"latent/model"
)

// emScalar is gramEM's twin for the tests: the E step in float64, point by
// point and component by component through model.Density (how FitPrior
// computed it before the products), and the same M step.
type emScalar struct {
	n, l, k, threads int
	mu               []float32
	vars             []float64
	one, zero        []float64 // [L] no standardisation
	parts            []emStats
	tot              emStats
}

func newEMScalar(mu []float32, vars []float64, n, l, k, threads int) *emScalar {
	e := &emScalar{n: n, l: l, k: k, threads: threads, mu: mu, vars: vars, one: make([]float64, l), zero: make([]float64, l)}
	for d := range e.one {
		e.one[d] = 1
	}
	e.parts = make([]emStats, (n+emBlock-1)/emBlock)
	for b := range e.parts {
		e.parts[b] = newEMStats(k, l)
	}
	e.tot = newEMStats(k, l)
	return e
}

// iterate runs one EM iteration on p and returns the mean log-likelihood of
// the codes under p before the update.
func (e *emScalar) iterate(p *model.Mixture, rng *rand.Rand) float64 {
	g := p.Density(e.l)
	l, k := e.l, e.k
	var wg sync.WaitGroup
	for t := range e.threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp := make([]float64, k)
			for b := t; b < len(e.parts); b += e.threads {
				s := &e.parts[b]
				s.clear()
				for i := b * emBlock; i < min(e.n, (b+1)*emBlock); i++ {
					x := e.mu[i*l : (i+1)*l]
					g.Responsibilities(x, resp)
					s.ll += g.LogPdf(x)
					for c, r := range resp {
						if r < 1e-12 {
							continue
						}
						s.r[c] += r
						for d, v := range x {
							s.rx[c*l+d] += r * float64(v)
							s.rxx[c*l+d] += r * (float64(v)*float64(v) + e.vars[i*l+d])
						}
					}
				}
			}
		}()
	}
	wg.Wait()
	e.tot.clear()
	for b := range e.parts {
		e.tot.add(&e.parts[b])
	}
	mStep(p, &e.tot, e.mu, e.n, e.l, e.zero, e.one, rng)
	return e.tot.ll / float64(e.n)
}
