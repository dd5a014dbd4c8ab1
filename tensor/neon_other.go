//go:build noasm || !arm64

package tensor

// No NEON kernels in this build (not arm64, or the noasm tag).
var hasNEON, useNeon = false, false

func smallLongNeon(c []float32, ldc int, a []float32, ars, acs int, b []float32, m, k, p int) {
	panic("tensor: no NEON kernels in this build")
}

func reduceNeon(c, a, b []float32, m, n, p int) {
	panic("tensor: no NEON kernels in this build")
}

func reluNeon(x []float32) []float32 { panic("tensor: no NEON kernels in this build") }

func reluBackwardNeon(dy, y []float32) ([]float32, []float32) {
	panic("tensor: no NEON kernels in this build")
}

func sumNeon(x []float32) (float32, int) { panic("tensor: no NEON kernels in this build") }

func tanhNeon(x []float32) []float32 { panic("tensor: no NEON kernels in this build") }

// smallLongSetNeon is called by the Go path's fused product (smallLongSetGo)
// when useNeon is set.
func smallLongSetNeon(c []float32, ldc int, a []float32, ars, acs int, b, bias []float32, act Act, gate []float32, m, k, p int) {
	panic("tensor: no NEON kernels in this build")
}
