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

// func gatherSum9(dst *float32, src *float32, srcStride int, idx *int32, idxStride int, n int)
//
// dst[q] += Σ_t src[t·srcStride + idx[t·idxStride + q]] over the t < 9 whose
// index is ≥ 0, for q < n (n a positive multiple of 8). Strides in elements.
TEXT ·gatherSum9(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ srcStride+16(FP), R8
	MOVQ idx+24(FP), DX
	MOVQ idxStride+32(FP), R9
	MOVQ n+40(FP), CX
	SHLQ $2, R8
	SHLQ $2, R9
	SHRQ $3, CX
	VPCMPEQD Y15, Y15, Y15

sloop:
	VMOVUPS (DI), Y0
	MOVQ SI, R10 // src of tap t
	MOVQ DX, R11 // idx of tap t
	MOVQ $9, BX

tap:
	VMOVDQU (R11), Y1
	VPCMPGTD Y15, Y1, Y2
	VXORPS Y3, Y3, Y3
	VGATHERDPS Y2, (R10)(Y1*4), Y3
	VADDPS Y3, Y0, Y0
	ADDQ R8, R10
	ADDQ R9, R11
	DECQ BX
	JNZ  tap

	VMOVUPS Y0, (DI)
	ADDQ $32, DI
	ADDQ $32, DX
	DECQ CX
	JNZ  sloop
	VZEROUPPER
	RET
