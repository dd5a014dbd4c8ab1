package nn

import (
	"math"

	"latent/tensor"
)

// Adam is torch.optim.Adam without weight decay or amsgrad, with PyTorch's
// update order and bias correction (PyTorch 1.13, single-tensor path):
//
//	m = β1·m + (1-β1)·g
//	v = β2·v + (1-β2)·g²
//	p -= lr/(1-β1^t) · m / (sqrt(v)/sqrt(1-β2^t) + ε)
type Adam struct {
	LR, Beta1, Beta2, Eps float64
	M, V                  []float32 // first and second moments, one per parameter
	T                     int       // steps taken
}

// NewAdam returns Adam over n parameters with PyTorch's defaults and rate lr.
func NewAdam(n int, lr float64) *Adam {
	return &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8,
		M: make([]float32, n), V: make([]float32, n)}
}

// Step updates params in place from grads.
func (a *Adam) Step(params, grads []float32) {
	a.Begin().Apply(params, grads, 0, len(params))
}

// AdamUpdate is one step's update, to be applied to parts of the parameters
// (in parallel: the parts are independent, and the result is the same bits
// as Step's).
type AdamUpdate struct {
	a                                      *Adam
	b1, b2, c1, c2, stepSize, bc2sqrt, eps float32
}

// Begin counts a step and returns its update; apply it to every parameter.
func (a *Adam) Begin() AdamUpdate {
	a.T++
	t := float64(a.T)
	return AdamUpdate{a: a,
		b1: float32(a.Beta1), b2: float32(a.Beta2),
		c1: float32(1 - a.Beta1), c2: float32(1 - a.Beta2),
		stepSize: float32(a.LR / (1 - math.Pow(a.Beta1, t))),
		bc2sqrt:  float32(math.Sqrt(1 - math.Pow(a.Beta2, t))),
		eps:      float32(a.Eps)}
}

// Apply updates params[lo:hi] from grads[lo:hi] (params and grads cover all
// of the optimiser's parameters).
func (u AdamUpdate) Apply(params, grads []float32, lo, hi int) {
	a := u.a
	tensor.AdamStep(params[lo:hi], grads[lo:hi], a.M[lo:hi], a.V[lo:hi], u.b1, u.b2, u.c1, u.c2, u.stepSize, u.bc2sqrt, u.eps)
}
