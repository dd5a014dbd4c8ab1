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
