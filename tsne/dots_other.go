//go:build !amd64 || noasm

package tsne

const useAVX = false

func repulseAVX(px, py float64, x, y, m *float64, n int, out *[3]float64) { panic("unreachable") }

func attractAVX(yi0, yi1 float64, y *float64, cols *int32, vals *float64, n int, out *[2]float64) {
	panic("unreachable")
}
