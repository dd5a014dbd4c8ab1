package model

import (
	"math"
	"testing"

	"latent/internal/fixture"
	"latent/nn"
	"latent/safetensors"
	"latent/tensor"
)

// fromFixture builds the seed model of kind with PyTorch's init.* weights.
func fromFixture(t *testing.T, kind Kind, f *safetensors.File) *Model {
	t.Helper()
	m, err := New(Seed(kind), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.LoadStateDict(f, "init."); err != nil {
		t.Fatal(err)
	}
	return m
}

// transposed returns the [cols][rows] transpose of x ([rows][cols]).
func transposed(x []float32, rows, cols int) []float32 {
	out := make([]float32, len(x))
	tensor.Transpose(out, x, rows, cols)
	return out
}

func closeScalar(t *testing.T, name string, got float64, want float32, abs float64) {
	t.Helper()
	if d := math.Abs(got - float64(want)); !(d <= abs+1e-5*math.Abs(float64(want))) {
		t.Errorf("%s = %.7g, PyTorch %.7g (diff %.3g)", name, got, want, d)
	}
}

// step runs one forward and backward pass over the fixture batch and returns
// the loss terms; ws.Grads holds the gradients.
func step(m *Model, ws *Workspace, input, eps []float32) Loss {
	n := len(input) / Pixels
	copy(ws.Input(n), input)
	if m.IsVAE() {
		copy(ws.Eps, eps)
	}
	m.Forward(ws)
	clear(ws.Grads)
	if m.IsVAE() {
		return m.Backward(ws, Weights{Rec: 1, Beta: 1})
	}
	return m.Backward(ws, Weights{Rec: 1 / float32(n*Pixels), Beta: 1})
}

func TestModelsMatchPyTorch(t *testing.T) {
	for _, kind := range []Kind{AE, VAE} {
		t.Run(string(kind), func(t *testing.T) {
			f := fixture.Load(t, string(kind)+".safetensors")
			get := func(s string) []float32 { return fixture.Get(t, f, s).Data }
			m := fromFixture(t, kind, f)
			input := get("input")
			const n = 8
			ws := m.NewWorkspace(n)
			var eps []float32
			if kind == VAE {
				eps = transposed(get("eps"), n, m.Latent) // PyTorch [n][L] → ours [L][n]
			}
			loss := step(m, ws, input, eps)

			fixture.Close(t, "output", ws.Output(), get("output"), fixture.Gradients)
			if kind == AE {
				closeScalar(t, "loss", loss.SquaredError/(n*Pixels), get("loss")[0], 1e-7)
			} else {
				l := m.Latent
				fixture.Close(t, "mu", transposed(ws.Mu[:l*n], l, n), get("mu"), fixture.Gradients)
				fixture.Close(t, "logvar", transposed(ws.Logvar[:l*n], l, n), get("logvar"), fixture.Gradients)
				fixture.Close(t, "z", transposed(ws.Z[:l*n], l, n), get("z"), fixture.Gradients)
				closeScalar(t, "mse_sum", loss.SquaredError, get("mse_sum")[0], 1e-4)
				closeScalar(t, "kld", loss.KL, get("kld")[0], 1e-4)
				closeScalar(t, "loss", loss.SquaredError+loss.KL, get("loss")[0], 1e-4)
			}
			for _, p := range m.Params.List {
				fixture.Close(t, "grad."+p.Name, p.Of(ws.Grads), get("grad."+p.Name), fixture.Gradients)
			}

			// Adam on the same batch (and the same eps): after steps 1 and 3.
			opt := nn.NewAdam(m.Params.Size, 1e-3)
			opt.Step(m.Data, ws.Grads)
			for _, p := range m.Params.List {
				fixture.Close(t, "step1."+p.Name, p.Of(m.Data), get("step1."+p.Name), fixture.AdamSteps)
			}
			for range 2 {
				step(m, ws, input, eps)
				opt.Step(m.Data, ws.Grads)
			}
			for _, p := range m.Params.List {
				fixture.Close(t, "step3."+p.Name, p.Of(m.Data), get("step3."+p.Name), fixture.AdamSteps)
			}
		})
	}
}

// TestStateDictNamesMatchPyTorch checks every parameter's name, shape and
// order against the fixtures' init.* tensors (PyTorch's state_dict).
func TestStateDictNamesMatchPyTorch(t *testing.T) {
	for _, kind := range []Kind{AE, VAE} {
		f := fixture.Load(t, string(kind)+".safetensors")
		var want []safetensors.Tensor
		for _, x := range f.Tensors {
			if len(x.Name) > 5 && x.Name[:5] == "init." {
				want = append(want, x)
			}
		}
		m, _ := New(Seed(kind), 0)
		if len(want) != len(m.Params.List) {
			t.Fatalf("%s: %d parameters, PyTorch has %d", kind, len(m.Params.List), len(want))
		}
		for _, x := range want {
			p, ok := m.Params.Lookup(x.Name[5:])
			if !ok {
				t.Errorf("%s: PyTorch parameter %s missing", kind, x.Name[5:])
				continue
			}
			if err := p.CheckShape(x.Shape); err != nil {
				t.Errorf("%s: %v", kind, err)
			}
		}
	}
}

// TestMACsMatchPERF checks the work counts against ../shared/PERF.md's table.
func TestMACsMatchPERF(t *testing.T) {
	for _, c := range []struct {
		kind        Kind
		fwd, dx, dw int
	}{
		{VAE, 190848, 162624, 190848},
		{AE, 190848 - 3072, 162624 - 3072, 190848 - 3072},
	} {
		m, _ := New(Seed(c.kind), 0)
		if fwd, dx, dw := m.MACs(); fwd != c.fwd || dx != c.dx || dw != c.dw {
			t.Errorf("%s: MACs %d/%d/%d, PERF.md %d/%d/%d", c.kind, fwd, dx, dw, c.fwd, c.dx, c.dw)
		}
	}
}
