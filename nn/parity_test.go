package nn

import (
	"testing"

	"latent/internal/fixture"
	"latent/tensor"
)

// toCN reorders a PyTorch [n][c][s] tensor into our channel-major [c][n·s].
func toCN(x []float32, n, c, s int) []float32 {
	out := make([]float32, len(x))
	tensor.ImagesToChannels(out, x, n, c, s)
	return out
}

// fromCN reorders our [c][n·s] into PyTorch's [n][c][s].
func fromCN(x []float32, n, c, s int) []float32 {
	out := make([]float32, len(x))
	tensor.ChannelsToImages(out, x, n, c, s)
	return out
}

// layerParams places a fixture's weight and bias in a flat buffer.
func layerParams(t *testing.T, ps *Params, w, b []float32) []float32 {
	params := make([]float32, ps.Size)
	copy(ps.List[0].Of(params), w)
	copy(ps.List[1].Of(params), b)
	return params
}

func TestConvLayersMatchPyTorch(t *testing.T) {
	f := fixture.Load(t, "layers.safetensors")
	cases := []struct {
		name            string
		transposed      bool
		in, out, outPad int
		h               int // input side
	}{
		{"conv1", false, 1, 16, 0, 28},
		{"conv2", false, 16, 8, 0, 14},
		{"conv3", false, 8, 8, 0, 7},
		{"convt1", true, 8, 8, 0, 4},
		{"convt2", true, 8, 16, 1, 7},
		{"convt3", true, 16, 1, 1, 14},
	}
	const n = 3
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			get := func(s string) []float32 { return fixture.Get(t, f, c.name+"."+s).Data }
			var ps Params
			var g tensor.Window
			var conv Conv2d
			var convT ConvTranspose2d
			if c.transposed {
				convT = NewConvTranspose2d(&ps, c.name, c.in, c.out, c.outPad)
				g = convT.Window(n, c.h, c.h)
			} else {
				conv = NewConv2d(&ps, c.name, c.in, c.out)
				g = conv.Window(n, c.h, c.h)
			}
			params := layerParams(t, &ps, get("weight"), get("bias"))
			grads := make([]float32, ps.Size)
			inS, outS := c.h*c.h, g.Ho*g.Wo
			if c.transposed {
				outS = g.H * g.W
			}
			x := toCN(get("x"), n, c.in, inS)
			dy := toCN(get("grad_y"), n, c.out, outS)
			y := make([]float32, c.out*n*outS)
			dx := make([]float32, len(x))
			if c.transposed {
				scratch := make([]float32, max(convT.ForwardScratch(g), c.out*9*n*inS))
				convT.Forward(params, y, x, scratch, g)
				convT.Backward(params, grads, dx, dy, x, scratch, g)
			} else {
				col := make([]float32, c.in*9*n*outS)
				scratch := make([]float32, conv.BackwardScratch(g))
				conv.Forward(params, y, x, col, g)
				conv.Backward(params, grads, dx, dy, col, scratch, g)
			}
			fixture.Close(t, c.name+".y", fromCN(y, n, c.out, outS), get("y"), fixture.Gradients)
			fixture.Close(t, c.name+".grad_x", fromCN(dx, n, c.in, inS), get("grad_x"), fixture.Gradients)
			fixture.Close(t, c.name+".grad_weight", ps.List[0].Of(grads), get("grad_weight"), fixture.Gradients)
			fixture.Close(t, c.name+".grad_bias", ps.List[1].Of(grads), get("grad_bias"), fixture.Gradients)
		})
	}
}

func TestLinearLayersMatchPyTorch(t *testing.T) {
	f := fixture.Load(t, "layers.safetensors")
	const n = 3
	for _, c := range []struct {
		name    string
		in, out int
	}{{"linear_enc", 128, 8}, {"linear_dec", 8, 128}} {
		t.Run(c.name, func(t *testing.T) {
			get := func(s string) []float32 { return fixture.Get(t, f, c.name+"."+s).Data }
			var ps Params
			l := NewLinear(&ps, c.name, c.in, c.out)
			params := layerParams(t, &ps, get("weight"), get("bias"))
			grads := make([]float32, ps.Size)
			// PyTorch's [n][features] is our [features][n] with s = 1
			x := toCN(get("x"), n, c.in, 1)
			dy := toCN(get("grad_y"), n, c.out, 1)
			y := make([]float32, c.out*n)
			dx := make([]float32, len(x))
			l.Forward(params, y, x, n)
			l.Backward(params, grads, dx, dy, x, n)
			fixture.Close(t, c.name+".y", fromCN(y, n, c.out, 1), get("y"), fixture.Gradients)
			fixture.Close(t, c.name+".grad_x", fromCN(dx, n, c.in, 1), get("grad_x"), fixture.Gradients)
			fixture.Close(t, c.name+".grad_weight", l.Weight.Of(grads), get("grad_weight"), fixture.Gradients)
			fixture.Close(t, c.name+".grad_bias", l.Bias.Of(grads), get("grad_bias"), fixture.Gradients)
		})
	}
}

func TestActivationsMatchPyTorch(t *testing.T) {
	f := fixture.Load(t, "layers.safetensors")
	for _, c := range []struct {
		name     string
		forward  func([]float32)
		backward func(dy, y []float32)
	}{
		{"relu", tensor.ReLU, tensor.ReLUBackward},
		{"tanh", tensor.Tanh, tensor.TanhBackward},
	} {
		t.Run(c.name, func(t *testing.T) {
			get := func(s string) []float32 { return fixture.Get(t, f, c.name+"."+s).Data }
			y := append([]float32(nil), get("x")...)
			c.forward(y)
			dy := append([]float32(nil), get("grad_y")...)
			c.backward(dy, y)
			fixture.Close(t, c.name+".y", y, get("y"), fixture.Gradients)
			fixture.Close(t, c.name+".grad_x", dy, get("grad_x"), fixture.Gradients)
		})
	}
}
