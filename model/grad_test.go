package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"latent/nn"
)

// objective recomputes, in float64 after a fresh forward pass, what Backward
// differentiates: the reconstruction term + β·Σ_d gate_d·KL_d.
func objective(m *Model, ws *Workspace, wt Weights) float64 {
	m.Forward(ws)
	n := ws.N()
	f := float64(wt.Rec) * m.RecLoss(ws)
	if m.IsVAE() {
		for d := range m.Latent {
			g := float32(1)
			if wt.KLGate != nil {
				g = wt.KLGate[d]
			}
			f += float64(wt.Beta*g) * nn.KL(ws.Mu[d*n:(d+1)*n], ws.Logvar[d*n:(d+1)*n])
		}
	}
	return f
}

// TestBackwardMatchesFiniteDifferences checks every loss variant's gradient
// through the whole model (tiny widths, 3 images) against central
// differences: the likelihoods, the free-bits gate and the conditional VAE.
func TestBackwardMatchesFiniteDifferences(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		wt   Weights
	}{
		{"vae mse-sum", Config{Kind: VAE, Latent: 3, Width: [3]int{2, 2, 2}}, Weights{Rec: 1, Beta: 1}},
		{"vae bernoulli", Config{Kind: VAE, Latent: 3, Width: [3]int{2, 2, 2}, Likelihood: Bernoulli}, Weights{Rec: 1, Beta: 2}},
		{"vae gaussian", Config{Kind: VAE, Latent: 3, Width: [3]int{2, 2, 2}, Likelihood: Gaussian}, Weights{Rec: 1, Beta: 0.5}},
		{"vae free bits", Config{Kind: VAE, Latent: 3, Width: [3]int{2, 2, 2}}, Weights{Rec: 1, Beta: 1, KLGate: []float32{1, 0, 1}}},
		{"cvae", Config{Kind: CVAE, Latent: 3, Width: [3]int{2, 2, 2}}, Weights{Rec: 1, Beta: 1}},
		{"ae", Config{Kind: AE, Width: [3]int{2, 2, 2}}, Weights{Rec: 0.01}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := New(c.cfg, 7)
			if err != nil {
				t.Fatal(err)
			}
			if m.Likelihood == Gaussian {
				m.Data[m.logSigma.Off] = -0.3
			}
			rng := rand.New(rand.NewPCG(5, 6))
			const n = 3
			ws := m.NewWorkspace(n)
			for i, x := range ws.Input(n) {
				ws.X[i] = float32(math.Sin(float64(i)*0.37)) * 0.9
				_ = x
			}
			ws.SetLabels([]uint8{3, 0, 9})
			if m.IsVAE() {
				for i := range ws.Eps[:m.Latent*n] {
					ws.Eps[i] = float32(rng.NormFloat64())
				}
			}
			m.Forward(ws)
			clear(ws.Grads)
			m.Backward(ws, c.wt)
			grads := append([]float32(nil), ws.Grads...)
			maxG := 0.0
			for _, g := range grads {
				maxG = math.Max(maxG, math.Abs(float64(g)))
			}
			// every tensor, a few entries each
			checked := 0
			for _, p := range m.Params.List {
				for k := 0; k < min(4, p.Len()); k++ {
					i := p.Off + rng.IntN(p.Len())
					const h = 1e-2
					v := m.Data[i]
					m.Data[i] = v + h
					up := objective(m, ws, c.wt)
					m.Data[i] = v - h
					down := objective(m, ws, c.wt)
					m.Data[i] = v
					fd := (up - down) / (2 * h)
					if g := float64(grads[i]); math.Abs(g-fd) > 0.03*math.Abs(fd)+0.01*maxG {
						t.Errorf("%s[%d]: analytic %.6g, finite difference %.6g", p.Name, i-p.Off, g, fd)
					}
					checked++
				}
			}
			if checked < 20 {
				t.Fatalf("only %d gradients checked", checked)
			}
		})
	}
}

// TestFreeBitsGateStopsTheKLGradient: with the gate closed on every dimension
// the encoder's heads get only the reconstruction's gradient.
func TestFreeBitsGateStopsTheKLGradient(t *testing.T) {
	m, _ := New(Config{Kind: VAE, Latent: 2, Width: [3]int{2, 2, 2}}, 1)
	ws := m.NewWorkspace(2)
	for i := range ws.Input(2) {
		ws.X[i] = 0.5
	}
	mu, _ := m.Params.Lookup("fc_mu.bias")
	grad := func(beta float32, gate []float32) []float32 {
		m.Forward(ws)
		clear(ws.Grads)
		m.Backward(ws, Weights{Rec: 1, Beta: beta, KLGate: gate})
		return append([]float32(nil), mu.Of(ws.Grads)...)
	}
	noKL, closed, open := grad(0, nil), grad(5, []float32{0, 0}), grad(5, []float32{1, 1})
	for j := range noKL {
		if closed[j] != noKL[j] {
			t.Errorf("closed gate, dimension %d: gradient %g, want the KL-free %g", j, closed[j], noKL[j])
		}
		if open[j] == noKL[j] {
			t.Errorf("open gate, dimension %d: the KL did not reach the gradient", j)
		}
	}
}
