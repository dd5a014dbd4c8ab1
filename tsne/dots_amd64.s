//go:build !noasm

#include "textflag.h"

// func repulseAVX(px, py float64, x, y, m *float64, n int, out *[3]float64)
// For j < n (a positive multiple of 4): q = 1/(1 + (px−x_j)² + (py−y_j)²),
// out = [Σ m_j q, Σ m_j q² (px−x_j), Σ m_j q² (py−y_j)], four lanes then
// the lanes summed.
TEXT ·repulseAVX(SB), NOSPLIT, $0-56
	MOVQ x+16(FP), SI
	MOVQ y+24(FP), DI
	MOVQ m+32(FP), R8
	MOVQ n+40(FP), CX
	MOVQ out+48(FP), R9
	VBROADCASTSD px+0(FP), Y0
	VBROADCASTSD py+8(FP), Y1
	MOVQ $0x3FF0000000000000, AX
	MOVQ AX, X2
	VBROADCASTSD X2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	XORQ AX, AX

rloop:
	VSUBPD (SI)(AX*8), Y0, Y6
	VSUBPD (DI)(AX*8), Y1, Y7
	VMULPD Y6, Y6, Y8
	VFMADD231PD Y7, Y7, Y8
	VADDPD Y2, Y8, Y8
	VDIVPD Y8, Y2, Y9
	VMULPD (R8)(AX*8), Y9, Y10
	VADDPD Y10, Y3, Y3
	VMULPD Y9, Y10, Y10
	VFMADD231PD Y10, Y6, Y4
	VFMADD231PD Y10, Y7, Y5
	ADDQ $4, AX
	CMPQ AX, CX
	JLT rloop

	VEXTRACTF128 $1, Y3, X8
	VADDPD X8, X3, X3
	VHADDPD X3, X3, X3
	VMOVSD X3, (R9)
	VEXTRACTF128 $1, Y4, X8
	VADDPD X8, X4, X4
	VHADDPD X4, X4, X4
	VMOVSD X4, 8(R9)
	VEXTRACTF128 $1, Y5, X8
	VADDPD X8, X5, X5
	VHADDPD X5, X5, X5
	VMOVSD X5, 16(R9)
	VZEROUPPER
	RET

// func attractAVX(yi0, yi1 float64, y *float64, cols *int32, vals *float64, n int, out *[2]float64)
// For t < n (a positive multiple of 4), j = cols[t], (dx, dy) = yi − y[j]:
// out = [Σ vals[t]·dx/(1 + dx² + dy²), Σ vals[t]·dy/(1 + dx² + dy²)].
TEXT ·attractAVX(SB), NOSPLIT, $0-56
	MOVQ y+16(FP), SI
	MOVQ cols+24(FP), DI
	MOVQ vals+32(FP), R8
	MOVQ n+40(FP), CX
	MOVQ out+48(FP), R9
	VBROADCASTSD yi0+0(FP), Y0
	VBROADCASTSD yi1+8(FP), Y1
	MOVQ $0x3FF0000000000000, AX
	MOVQ AX, X2
	VBROADCASTSD X2, Y2
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	XORQ AX, AX

aloop:
	MOVL (DI)(AX*4), R10
	MOVL 4(DI)(AX*4), R11
	MOVL 8(DI)(AX*4), R12
	MOVL 12(DI)(AX*4), R13
	SHLQ $4, R10
	SHLQ $4, R11
	SHLQ $4, R12
	SHLQ $4, R13
	VMOVUPD (SI)(R10*1), X10
	VINSERTF128 $1, (SI)(R12*1), Y10, Y10
	VMOVUPD (SI)(R11*1), X11
	VINSERTF128 $1, (SI)(R13*1), Y11, Y11
	VUNPCKLPD Y11, Y10, Y6
	VUNPCKHPD Y11, Y10, Y7
	VSUBPD Y6, Y0, Y6
	VSUBPD Y7, Y1, Y7
	VMULPD Y6, Y6, Y8
	VFMADD231PD Y7, Y7, Y8
	VADDPD Y2, Y8, Y8
	VMOVUPD (R8)(AX*8), Y9
	VDIVPD Y8, Y9, Y9
	VFMADD231PD Y9, Y6, Y4
	VFMADD231PD Y9, Y7, Y5
	ADDQ $4, AX
	CMPQ AX, CX
	JLT aloop

	VEXTRACTF128 $1, Y4, X8
	VADDPD X8, X4, X4
	VHADDPD X4, X4, X4
	VMOVSD X4, (R9)
	VEXTRACTF128 $1, Y5, X8
	VADDPD X8, X5, X5
	VHADDPD X5, X5, X5
	VMOVSD X5, 8(R9)
	VZEROUPPER
	RET
