package nn

import (
	"math/rand/v2"

	"latent/tensor"
)

// Conv2d is PyTorch's Conv2d(In, Out, kernel 3, stride 2, padding 1).
// Weight [Out, In, 3, 3], bias [Out].
type Conv2d struct {
	In, Out      int
	Weight, Bias Param
}

// NewConv2d registers the layer's parameters under prefix ("encoder.0").
func NewConv2d(ps *Params, prefix string, in, out int) Conv2d {
	return Conv2d{In: in, Out: out,
		Weight: ps.Add(prefix+".weight", out, in, 3, 3),
		Bias:   ps.Add(prefix+".bias", out)}
}

// Init draws PyTorch's default initialisation (fan_in = In·9).
func (l Conv2d) Init(params []float32, rng *rand.Rand) {
	InitUniform(params, l.Weight, l.In*9, rng)
	InitUniform(params, l.Bias, l.In*9, rng)
}

// ConvSide is the side of a 3×3, stride-2, padding-1 convolution's output
// grid for an input side s.
func ConvSide(s int) int { return (s-1)/2 + 1 }

// ConvSides are the grid sides an image of side s passes through in three
// such convolutions: s, then each output (28: 28, 14, 7, 4).
func ConvSides(s int) [4]int {
	g := [4]int{s}
	for i := 1; i < len(g); i++ {
		g[i] = ConvSide(g[i-1])
	}
	return g
}

// Window is the geometry for n images of h×w input.
func (l Conv2d) Window(n, h, w int) tensor.Window {
	return tensor.Window{C: l.In, N: n, H: h, W: w, Ho: ConvSide(h), Wo: ConvSide(w)}
}

// Forward: x [In][n·h·w] → y [Out][n·ho·wo].
// col [In·9][n·ho·wo] receives the windows (tensor.ColClasses); Backward reads it again.
func (l Conv2d) Forward(params, y, x, col []float32, g tensor.Window) {
	l.ForwardAct(params, y, x, col, g, false)
}

// ForwardAct is Forward followed, if relu is set, by ReLU (fused into the product).
func (l Conv2d) ForwardAct(params, y, x, col []float32, g tensor.Window, relu bool) {
	tensor.ColClasses(col, x, g)
	// y[o,:] = b[o] + Σ_k W[o,k]·col[k,:], with W seen as [Out][In·9]
	tensor.ColProduct(y, l.Weight.Of(params), l.Bias.Of(params), col, relu, l.Out, g, nil)
}

// Backward accumulates dW and db into grads and, if dx is not nil, sets
// dx [In][n·h·w] to the input gradient (scratch: BackwardScratch floats).
// dy is [Out][n·ho·wo]; col is what Forward gathered.
func (l Conv2d) Backward(params, grads, dx, dy, col, scratch []float32, g tensor.Window) {
	l.BackwardGated(params, grads, dx, nil, dy, col, scratch, g)
}

// BackwardGated is Backward with dx zeroed where gate is not positive (gate
// nil: no gating): the input gradient through the previous layer's ReLU,
// whose output gate is, without a separate pass (tensor.ReLUBackward).
func (l Conv2d) BackwardGated(params, grads, dx, gate, dy, col, scratch []float32, g tensor.Window) {
	p := g.Small()
	// dW[o,k] += Σ_p dy[o,p]·col[k,p]
	tensor.ColReduce(l.Weight.Of(grads), dy, col, l.Out, g)
	tensor.RowSumsAdd(l.Bias.Of(grads), dy, p)
	if dx == nil {
		return
	}
	// dx = the windows of Wᵀ·dy scattered back: a transposed convolution of dy
	tensor.ConvTransposeAct(dx, l.Weight.Of(params), dy, nil, tensor.ActNone, scratch, l.Out, g, gate)
}

// BackwardScratch is the scratch Backward needs for geometry g.
func (l Conv2d) BackwardScratch(g tensor.Window) int { return tensor.ConvTransposeScratch(g, l.Out) }

// ConvTranspose2d is PyTorch's ConvTranspose2d(In, Out, kernel 3, stride 2,
// padding 1, output_padding OutPad). Weight [In, Out, 3, 3], bias [Out].
type ConvTranspose2d struct {
	In, Out, OutPad int
	Weight, Bias    Param
}

// NewConvTranspose2d registers the layer's parameters under prefix.
func NewConvTranspose2d(ps *Params, prefix string, in, out, outPad int) ConvTranspose2d {
	return ConvTranspose2d{In: in, Out: out, OutPad: outPad,
		Weight: ps.Add(prefix+".weight", in, out, 3, 3),
		Bias:   ps.Add(prefix+".bias", out)}
}

// Init draws PyTorch's default initialisation (fan_in from weight.size(1)·9 = Out·9).
func (l ConvTranspose2d) Init(params []float32, rng *rand.Rand) {
	InitUniform(params, l.Weight, l.Out*9, rng)
	InitUniform(params, l.Bias, l.Out*9, rng)
}

// Window is the geometry for n images of h×w input: the large grid is the
// output, (2h-1+OutPad)×(2w-1+OutPad), over Out channels.
func (l ConvTranspose2d) Window(n, h, w int) tensor.Window {
	return tensor.Window{C: l.Out, N: n, H: 2*h - 1 + l.OutPad, W: 2*w - 1 + l.OutPad, Ho: h, Wo: w}
}

// Forward: x [In][n·h·w] → y [Out][n·H·W]: each input pixel spreads
// W[i,:,:,:]·x over its 3×3 output window (tensor.ConvTranspose), then the bias.
// scratch: ForwardScratch floats.
func (l ConvTranspose2d) Forward(params, y, x, scratch []float32, g tensor.Window) {
	l.ForwardAct(params, y, x, scratch, g, tensor.ActNone)
}

// ForwardAct is Forward followed by the activation act, fused into the product
// where the kernels allow.
func (l ConvTranspose2d) ForwardAct(params, y, x, scratch []float32, g tensor.Window, act tensor.Act) {
	tensor.ConvTransposeAct(y, l.Weight.Of(params), x, l.Bias.Of(params), act, scratch, l.In, g, nil)
}

// ForwardScratch is the scratch Forward needs for geometry g.
func (l ConvTranspose2d) ForwardScratch(g tensor.Window) int {
	return tensor.ConvTransposeScratch(g, l.In)
}

// Backward accumulates dW and db into grads and, if dx is not nil, sets
// dx [In][n·h·w]. dy is [Out][n·H·W], x the forward input; dcol
// [Out·9][n·h·w] is scratch.
func (l ConvTranspose2d) Backward(params, grads, dx, dy, x, dcol []float32, g tensor.Window) {
	l.BackwardGated(params, grads, dx, nil, dy, x, dcol, g)
}

// BackwardGated is Backward with dx zeroed where gate is not positive (gate
// nil: no gating), as Conv2d.BackwardGated.
func (l ConvTranspose2d) BackwardGated(params, grads, dx, gate, dy, x, dcol []float32, g tensor.Window) {
	p := g.Small()
	// the transposed conv's adjoint gathers the output windows
	col := dcol[:l.Out*9*p]
	tensor.ColClasses(col, dy, g)
	// dW[i,k'] += Σ_p x[i,p]·dcol[k',p]
	tensor.ColReduce(l.Weight.Of(grads), x, col, l.In, g)
	tensor.RowSumsAdd(l.Bias.Of(grads), dy, g.Large())
	if dx == nil {
		return
	}
	// dx[i,p] = Σ_k' W[i,k']·dcol[k',p]: a convolution of dy, without bias
	tensor.ColProduct(dx, l.Weight.Of(params), nil, col, false, l.In, g, gate)
}
