package nn

import (
	"math/rand/v2"

	"latent/tensor"
)

// Linear is PyTorch's Linear(In, Out): weight [Out, In], bias [Out].
// Activations are feature-major: x [In][n], y [Out][n].
type Linear struct {
	In, Out      int
	Weight, Bias Param
}

// NewLinear registers the layer's parameters under prefix ("fc_mu").
func NewLinear(ps *Params, prefix string, in, out int) Linear {
	return Linear{In: in, Out: out,
		Weight: ps.Add(prefix+".weight", out, in),
		Bias:   ps.Add(prefix+".bias", out)}
}

// Init draws PyTorch's default initialisation (fan_in = In).
func (l Linear) Init(params []float32, rng *rand.Rand) {
	InitUniform(params, l.Weight, l.In, rng)
	InitUniform(params, l.Bias, l.In, rng)
}

// Forward: y[o,:] = b[o] + Σ_i W[o,i]·x[i,:], x [In][n] → y [Out][n].
func (l Linear) Forward(params, y, x []float32, n int) {
	tensor.SetRowBias(y, l.Bias.Of(params), n)
	tensor.MatMulAdd(y, l.Weight.Of(params), x, l.Out, l.In, n)
}

// Backward accumulates dW, db and, if dx is not nil, dx [In][n] (+=).
func (l Linear) Backward(params, grads, dx, dy, x []float32, n int) {
	// dW[o,i] += Σ_n dy[o,n]·x[i,n]
	tensor.MatMulTAdd(l.Weight.Of(grads), dy, x, l.Out, l.In, n)
	tensor.RowSumsAdd(l.Bias.Of(grads), dy, n)
	if dx != nil {
		// dx[i,n] += Σ_o W[o,i]·dy[o,n]
		tensor.MatTMulAdd(dx, l.Weight.Of(params), dy, l.In, l.Out, n)
	}
}
