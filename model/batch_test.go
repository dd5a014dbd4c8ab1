package model

import (
	"testing"

	"latent/internal/fixture"
	"latent/tensor"
)

// TestBatchHelpersMatchTheFixtures: EncodeImages/DecodeCodes in PyTorch's
// order agree with PyTorch's mu and with the forward pass of the fixture.
func TestBatchHelpersMatchTheFixtures(t *testing.T) {
	f := fixture.Load(t, "vae.safetensors")
	m := fromFixture(t, VAE, f)
	input := fixture.Get(t, f, "input").Data
	n := len(input) / Pixels
	logvar := make([]float32, n*m.Latent)
	mu := m.EncodeImages(input, n, logvar)
	fixture.Close(t, "mu", mu, fixture.Get(t, f, "mu").Data, fixture.Gradients)
	fixture.Close(t, "logvar", logvar, fixture.Get(t, f, "logvar").Data, fixture.Gradients)
	out := m.DecodeCodes(fixture.Get(t, f, "z").Data, n)
	fixture.Close(t, "decode(z)", out, fixture.Get(t, f, "output").Data, fixture.Gradients)

	fa := fixture.Load(t, "ae.safetensors")
	ae := fromFixture(t, AE, fa)
	codes := ae.EncodeImages(input, n, nil)
	if len(codes) != n*128 {
		t.Fatalf("AE codes: %d values, want %d", len(codes), n*128)
	}
	// the code is PyTorch's flattened [8,4,4]: decoding it back gives the forward output
	fixture.Close(t, "AE decode(encode(x))", ae.DecodeCodes(codes, n), fixture.Get(t, fa, "output").Data, fixture.Gradients)
	// and image i's code is channel-major inside the workspace
	ws := ae.NewWorkspace(n)
	copy(ws.Input(n), input)
	ae.Encode(ws)
	want := make([]float32, n*128)
	tensor.ChannelsToImages(want, ws.Code(), n, 8, 16)
	fixture.Close(t, "AE codes", codes, want, fixture.Gradients)
}
