//go:build !noasm

package cpupeak

import "golang.org/x/sys/cpu"

var (
	hasAsm  = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	hasWide = hasAsm && cpu.X86.HasAVX512F
)

// fmaAsm is Loop's AVX2 body (peak_amd64.s): twelve ymm accumulators.
//
//go:noescape
func fmaAsm(acc *State, m, c float32, n int)

// fmaAsmZ is LoopWide's AVX-512 body: twelve zmm accumulators.
//
//go:noescape
func fmaAsmZ(acc *StateZ, m, c float32, n int)

const hasNeon = false

func fmlaAsm(acc *State, x, y float32, n int) { LoopAddGo(acc, x, y, n) }
