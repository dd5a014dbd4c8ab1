package tensor

import (
	"fmt"
	"os"
)

// The kernel paths: which set of kernels the products and windows run.
const (
	PathAVX512 = "avx512" // AVX-512 F+VL window kernels over the AVX2/FMA products (same bits as avx2)
	PathAVX2   = "avx2"   // AVX2+FMA kernels only, no gathers
	PathNEON   = "neon"   // arm64 Advanced SIMD products, ReLU, Tanh, Sum (neon_arm64.s); windows in Go
	PathGo     = "go"     // pure Go (the only path under -tags noasm, or off amd64 and arm64)
)

// Paths lists the kernel paths this machine and build can run, fastest first.
func Paths() []string {
	var p []string
	if hasNEON {
		p = append(p, PathNEON)
	}
	if hasAVX512 {
		p = append(p, PathAVX512)
	}
	if hasAVX2 {
		p = append(p, PathAVX2)
	}
	return append(p, PathGo)
}

// Path returns the kernel path in use.
func Path() string {
	switch {
	case useNeon:
		return PathNEON
	case useZmm:
		return PathAVX512
	case useAsm:
		return PathAVX2
	}
	return PathGo
}

// SetPath switches every kernel to the named path (one of Paths()). It is for
// tests and benchmarks, and must not be called while kernels run.
func SetPath(name string) error {
	switch {
	case name == PathAVX512 && hasAVX512:
		useAsm, useRows, useZmm, useNeon = true, true, true, false
	case name == PathAVX2 && hasAVX2:
		useAsm, useRows, useZmm, useNeon = true, true, false, false
	case name == PathNEON && hasNEON:
		useAsm, useRows, useZmm, useNeon = false, false, false, true
	case name == PathGo:
		useAsm, useRows, useZmm, useNeon = false, false, false, false
	default:
		return fmt.Errorf("kernel path %q: this machine and build can run %v", name, Paths())
	}
	return nil
}

// PathEnv names the environment variable that, when set, chooses the kernel
// path at start-up (as SetPath): LATENT_KERNEL_PATH=avx2 go test ./nn runs
// the parity tests on the AVX2 kernels of an AVX-512 machine.
const PathEnv = "LATENT_KERNEL_PATH"

func init() {
	if p := os.Getenv(PathEnv); p != "" {
		if err := SetPath(p); err != nil {
			fmt.Fprintf(os.Stderr, "latent: %s: %v (unset it to run the fastest)\n", PathEnv, err)
			os.Exit(2)
		}
	}
}
