package train

import (
	"runtime"

	"latent/mnist"
	"latent/model"
	"latent/tensor"
)

// Encode returns the codes of the images set[idx], [len(idx)][CodeDim]: an
// AE's code in PyTorch's (c, h, w) flattening, a VAE's mean mu (a
// conditional VAE is given each image's label). The chunks are encoded on all
// workers; each image's code depends only on the image, so the result is the
// same for any number of threads (and equals model.EncodeLabeled's).
func (e *Engine) Encode(set *mnist.Set, idx []int) []float32 {
	m := e.Model
	dim := m.CodeDim()
	codes := make([]float32, len(idx)*dim)
	step := e.MaxBatch()
	for lo := 0; lo < len(idx); lo += step {
		hi := min(lo+step, len(idx))
		used := e.load(set, idx[lo:hi], nil)
		e.parallel(used, func(c int) {
			ws := e.fill(c)
			m.Encode(ws)
			k := ws.N()
			dst := codes[(lo+c*ChunkSize)*dim : (lo+c*ChunkSize+k)*dim]
			if m.IsVAE() {
				tensor.Transpose(dst, ws.Mu[:dim*k], dim, k)
			} else {
				tensor.ChannelsToImages(dst, ws.Code(), k, m.Width[2], dim/m.Width[2])
			}
		})
	}
	return codes
}

// EncodeSet returns the codes of the first n images of set (see
// Engine.Encode) with an engine of its own on threads workers (≤ 0: all
// cores), sized so that memory stays small whatever n is.
func EncodeSet(m *model.Model, set *mnist.Set, n, threads int) []float32 {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	e := NewEngine(m, 4*threads*ChunkSize, threads)
	defer e.Close()
	return e.Encode(set, mnist.Indices(n))
}
