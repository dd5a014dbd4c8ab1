//go:build noasm || (!amd64 && !arm64)

package cpupeak

const hasAsm, hasWide = false, false

func fmaAsm(acc *State, m, c float32, n int) { LoopGo(acc, m, c, n) }

func fmaAsmZ(acc *StateZ, m, c float32, n int) {
	LoopGo((*State)(acc[:Lanes]), m, c, n)
	LoopGo((*State)(acc[Lanes:]), m, c, n)
}

const hasNeon = false

func fmlaAsm(acc *State, x, y float32, n int) { LoopAddGo(acc, x, y, n) }
