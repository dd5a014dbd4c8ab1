//go:build !noasm

#include "textflag.h"

// func gather8(dst *float32, src *float32, idx *int32, n int)
//
// dst[q] = src[idx[q]] where idx[q] ≥ 0, else 0, for q < n (n a positive
// multiple of 8). Lanes with a negative index are masked: never read.
TEXT ·gather8(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ idx+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	VPCMPEQD Y15, Y15, Y15 // -1 in every lane

gloop:
	VMOVDQU (DX), Y1
	VPCMPGTD Y15, Y1, Y2 // mask: idx > -1
	VXORPS Y0, Y0, Y0
	VGATHERDPS Y2, (SI)(Y1*4), Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ  gloop
	VZEROUPPER
	RET
