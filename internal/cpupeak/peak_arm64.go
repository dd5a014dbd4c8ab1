//go:build !noasm

package cpupeak

// On arm64 the kernels are NEON (tensor's neon path) and Advanced SIMD is
// part of every ARMv8-A core, so the peak is the NEON loop's; the x86 loops
// do not exist.
const hasAsm, hasWide, hasNeon = false, false, true

func fmaAsm(acc *State, m, c float32, n int) { LoopGo(acc, m, c, n) }

func fmaAsmZ(acc *StateZ, m, c float32, n int) {
	LoopGo((*State)(acc[:Lanes]), m, c, n)
	LoopGo((*State)(acc[Lanes:]), m, c, n)
}

// fmlaAsm is LoopAdd's NEON body (peak_arm64.s): 24 vector accumulators of
// four lanes, each an independent chain of FMLA.
//
//go:noescape
func fmlaAsm(acc *State, x, y float32, n int)
