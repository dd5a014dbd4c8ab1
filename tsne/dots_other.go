//go:build !amd64 || noasm

package tsne

const useAVX = false

func repulseAVX(p *[2]float32, x, y, m *float32, n int, out *[3]float32) { panic("unreachable") }

func attractAVX(yi *[2]float32, y *float32, cols *int32, vals *float32, n int, out *[2]float32) {
	panic("unreachable")
}

func sqDistAVX(a, b *float32, n int) float64 { panic("unreachable") }

func scanBelowAVX(row, nc *float32, n int, ni, bound float32) (t int, mask uint32) {
	panic("unreachable")
}
