//go:build !noasm

package train

import (
	"math"

	"golang.org/x/sys/cpu"
	"latent/tensor"
)

var hasExpAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// expRowAsm and maxRowAsm are expShifted's and rowMax's AVX2 bodies
// (prior_amd64.s).
//
//go:noescape
func expRowAsm(x *float32, n int, shift float32, k *[13][8]float32) float32

//go:noescape
func maxRowAsm(x *float32, n int) float32

// expConsts are expRowAsm's constants, each in 8 lanes.
var expConsts = func() (k [13][8]float32) {
	v := [13]float32{-87, 1.44269504088896341, 12582912, 0.693359375, -2.12194440e-4,
		1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 0.5, 1, 1,
		math.Float32frombits(math.Float32bits(12582912) - 127)}
	for i := range k {
		for j := range k[i] {
			k[i][j] = v[i]
		}
	}
	return k
}()

// useExpAsm reports whether the rows' max and exp run in assembly: on the
// tensor package's vector paths, so that a test forcing tensor.PathGo runs
// the pure-Go loops.
func useExpAsm() bool { return hasExpAsm && tensor.Path() != tensor.PathGo }

// rowMaxFast is rowMax with the vector loop over the longest multiple of 32.
func rowMaxFast(x []float32) float32 {
	n := len(x) &^ 31
	if n == 0 || !useExpAsm() {
		return rowMax(x)
	}
	m := maxRowAsm(&x[0], n)
	if n < len(x) {
		m = max(m, rowMax(x[n:]))
	}
	return m
}

// expShiftedFast is expShifted with the vector loop over the longest
// multiple of 8.
func expShiftedFast(x []float32, shift float32) float64 {
	n := len(x) &^ 7
	if n == 0 || !useExpAsm() {
		return expShifted(x, shift)
	}
	s := float64(expRowAsm(&x[0], n, shift, &expConsts))
	if n < len(x) {
		s += expShifted(x[n:], shift)
	}
	return s
}
