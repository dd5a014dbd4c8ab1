package model

import (
	"fmt"

	"latent/tensor"
)

// Batch helpers for inspection (figures, t-SNE, sampling): whole sets of images
// in PyTorch's order, one image or code after another, computed chunk by chunk
// on one goroutine. Training uses train.Engine instead.

// batchChunk is how many images the helpers push through a workspace at once.
const batchChunk = 64

// CodeDim is the length of one image's code: the flattened [W2,4,4] encoder
// output for the AE, the latent size (mu) for the VAE.
func (m *Model) CodeDim() int {
	if m.IsVAE() {
		return m.Latent
	}
	return m.CodeSize()
}

// EncodeImages maps n images ([n][784], in [-1, 1]) to their codes [n][CodeDim]:
// the AE's code in PyTorch's (c, h, w) flattening, or the VAE's mu.
// If logvar is not nil, it receives the VAE's log-variances [n][Latent].
func (m *Model) EncodeImages(images []float32, n int, logvar []float32) []float32 {
	return m.EncodeLabeled(images, nil, n, logvar)
}

// EncodeLabeled is EncodeImages for any model: a conditional VAE needs the
// images' labels [n] (other models ignore them).
func (m *Model) EncodeLabeled(images []float32, labels []uint8, n int, logvar []float32) []float32 {
	m.needLabels(labels, n)
	dim := m.CodeDim()
	codes := make([]float32, n*dim)
	ws := m.NewWorkspace(min(n, batchChunk))
	for lo := 0; lo < n; lo += ws.Cap {
		k := min(ws.Cap, n-lo)
		copy(ws.Input(k), images[lo*Pixels:(lo+k)*Pixels])
		if labels != nil {
			ws.SetLabels(labels[lo : lo+k])
		}
		m.Encode(ws)
		if m.IsVAE() {
			tensor.Transpose(codes[lo*dim:(lo+k)*dim], ws.Mu[:dim*k], dim, k)
			if logvar != nil {
				tensor.Transpose(logvar[lo*dim:(lo+k)*dim], ws.Logvar[:dim*k], dim, k)
			}
		} else {
			tensor.ChannelsToImages(codes[lo*dim:(lo+k)*dim], ws.A[2], k, m.Width[2], codeArea)
		}
	}
	return codes
}

// DecodeCodes maps n codes [n][CodeDim] (AE codes or VAE z) to images [n][784].
func (m *Model) DecodeCodes(codes []float32, n int) []float32 {
	return m.DecodeLabeled(codes, nil, n)
}

// DecodeLabeled is DecodeCodes for any model: a conditional VAE needs the
// labels [n] to draw (other models ignore them).
func (m *Model) DecodeLabeled(codes []float32, labels []uint8, n int) []float32 {
	images := make([]float32, n*Pixels)
	m.DecodeInto(images, m.NewWorkspace(min(n, batchChunk)), codes, labels, n)
	return images
}

// DecodeInto is DecodeLabeled with the caller's workspace and output buffer
// (for servers that keep workspaces in a pool).
func (m *Model) DecodeInto(images []float32, ws *Workspace, codes []float32, labels []uint8, n int) {
	m.needLabels(labels, n)
	dim := m.CodeDim()
	for lo := 0; lo < n; lo += ws.Cap {
		k := min(ws.Cap, n-lo)
		ws.Input(k)
		if labels != nil {
			ws.SetLabels(labels[lo : lo+k])
		}
		if m.IsVAE() {
			tensor.Transpose(ws.Z[:dim*k], codes[lo*dim:(lo+k)*dim], k, dim)
		} else {
			tensor.ImagesToChannels(ws.A[2], codes[lo*dim:(lo+k)*dim], k, m.Width[2], codeArea)
		}
		m.Decode(ws)
		copy(images[lo*Pixels:], ws.Output())
	}
}

// Reconstruct encodes and decodes n images; the VAE decodes z = mu. A
// conditional VAE needs their labels.
func (m *Model) Reconstruct(images []float32, labels []uint8, n int) []float32 {
	return m.DecodeLabeled(m.EncodeLabeled(images, labels, n, nil), labels, n)
}

// needLabels panics when a conditional VAE is given no labels: a programming
// error, as a wrong-length slice would be.
func (m *Model) needLabels(labels []uint8, n int) {
	if m.Cond() > 0 && len(labels) < n {
		panic(fmt.Sprintf("model: a conditional VAE needs the labels of its %d images, got %d", n, len(labels)))
	}
}
