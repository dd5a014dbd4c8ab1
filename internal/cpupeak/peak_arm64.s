//go:build !noasm

#include "textflag.h"

// func fmlaAsm(acc *State, x, y float32, n int)
//
// acc[i] += x·y, n times, for the 96 accumulators: V0–V23, four lanes each,
// every one an independent chain of FMLA (Vd += Vn·Vm: the chain runs through
// the addend, the only operand FMLA updates). 24 chains cover four FMA pipes
// of latency up to 6. Go's assembler writes the sources first: VFMLA V25,
// V24, V0 is V0 += V24·V25. n ≥ 1.
TEXT ·fmlaAsm(SB), NOSPLIT, $0-24
	MOVD	acc+0(FP), R0
	FMOVS	x+8(FP), F24
	FMOVS	y+12(FP), F25
	MOVD	n+16(FP), R1
	VDUP	V24.S[0], V24.S4
	VDUP	V25.S[0], V25.S4
	MOVD	R0, R2
	VLD1.P	64(R2), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P	64(R2), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P	64(R2), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1.P	64(R2), [V12.S4, V13.S4, V14.S4, V15.S4]
	VLD1.P	64(R2), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1.P	64(R2), [V20.S4, V21.S4, V22.S4, V23.S4]

loop:
	VFMLA	V25.S4, V24.S4, V0.S4
	VFMLA	V25.S4, V24.S4, V1.S4
	VFMLA	V25.S4, V24.S4, V2.S4
	VFMLA	V25.S4, V24.S4, V3.S4
	VFMLA	V25.S4, V24.S4, V4.S4
	VFMLA	V25.S4, V24.S4, V5.S4
	VFMLA	V25.S4, V24.S4, V6.S4
	VFMLA	V25.S4, V24.S4, V7.S4
	VFMLA	V25.S4, V24.S4, V8.S4
	VFMLA	V25.S4, V24.S4, V9.S4
	VFMLA	V25.S4, V24.S4, V10.S4
	VFMLA	V25.S4, V24.S4, V11.S4
	VFMLA	V25.S4, V24.S4, V12.S4
	VFMLA	V25.S4, V24.S4, V13.S4
	VFMLA	V25.S4, V24.S4, V14.S4
	VFMLA	V25.S4, V24.S4, V15.S4
	VFMLA	V25.S4, V24.S4, V16.S4
	VFMLA	V25.S4, V24.S4, V17.S4
	VFMLA	V25.S4, V24.S4, V18.S4
	VFMLA	V25.S4, V24.S4, V19.S4
	VFMLA	V25.S4, V24.S4, V20.S4
	VFMLA	V25.S4, V24.S4, V21.S4
	VFMLA	V25.S4, V24.S4, V22.S4
	VFMLA	V25.S4, V24.S4, V23.S4
	SUBS	$1, R1, R1
	BNE	loop

	VST1.P	[V0.S4, V1.S4, V2.S4, V3.S4], 64(R0)
	VST1.P	[V4.S4, V5.S4, V6.S4, V7.S4], 64(R0)
	VST1.P	[V8.S4, V9.S4, V10.S4, V11.S4], 64(R0)
	VST1.P	[V12.S4, V13.S4, V14.S4, V15.S4], 64(R0)
	VST1.P	[V16.S4, V17.S4, V18.S4, V19.S4], 64(R0)
	VST1.P	[V20.S4, V21.S4, V22.S4, V23.S4], 64(R0)
	RET
