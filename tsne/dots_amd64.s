//go:build !noasm

#include "textflag.h"

// func repulseAVX(p *[2]float32, x, y, m *float32, n int, out *[3]float32)
// For j < n (a positive multiple of 16): q = 1/(1 + (px−x_j)² + (py−y_j)²),
// out = [Σ m_j q, Σ m_j q² (px−x_j), Σ m_j q² (py−y_j)]: two sets of eight
// lanes, added lane by lane, then the lanes summed.
TEXT ·repulseAVX(SB), NOSPLIT, $0-48
	MOVQ p+0(FP), AX
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ m+24(FP), R8
	MOVQ n+32(FP), CX
	MOVQ out+40(FP), R9
	VBROADCASTSS (AX), Y0
	VBROADCASTSS 4(AX), Y1
	MOVL $0x3F800000, AX
	MOVL AX, X2
	VBROADCASTSS X2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y13, Y13, Y13
	VXORPS Y14, Y14, Y14
	VXORPS Y15, Y15, Y15
	XORQ AX, AX

rloop:
	VSUBPS (SI)(AX*4), Y0, Y6
	VSUBPS (DI)(AX*4), Y1, Y7
	VSUBPS 32(SI)(AX*4), Y0, Y10
	VSUBPS 32(DI)(AX*4), Y1, Y11
	VMULPS Y6, Y6, Y8
	VFMADD231PS Y7, Y7, Y8
	VADDPS Y2, Y8, Y8
	VMULPS Y10, Y10, Y12
	VFMADD231PS Y11, Y11, Y12
	VADDPS Y2, Y12, Y12
	VDIVPS Y8, Y2, Y9
	VDIVPS Y12, Y2, Y12
	VMULPS (R8)(AX*4), Y9, Y8
	VADDPS Y8, Y3, Y3
	VMULPS Y9, Y8, Y8
	VFMADD231PS Y8, Y6, Y4
	VFMADD231PS Y8, Y7, Y5
	VMULPS 32(R8)(AX*4), Y12, Y8
	VADDPS Y8, Y13, Y13
	VMULPS Y12, Y8, Y8
	VFMADD231PS Y8, Y10, Y14
	VFMADD231PS Y8, Y11, Y15
	ADDQ $16, AX
	CMPQ AX, CX
	JLT rloop

	VADDPS Y13, Y3, Y3
	VADDPS Y14, Y4, Y4
	VADDPS Y15, Y5, Y5
	VEXTRACTF128 $1, Y3, X8
	VADDPS X8, X3, X3
	VHADDPS X3, X3, X3
	VHADDPS X3, X3, X3
	VMOVSS X3, (R9)
	VEXTRACTF128 $1, Y4, X8
	VADDPS X8, X4, X4
	VHADDPS X4, X4, X4
	VHADDPS X4, X4, X4
	VMOVSS X4, 4(R9)
	VEXTRACTF128 $1, Y5, X8
	VADDPS X8, X5, X5
	VHADDPS X5, X5, X5
	VHADDPS X5, X5, X5
	VMOVSS X5, 8(R9)
	VZEROUPPER
	RET

// func attractAVX(yi *[2]float32, y *float32, cols *int32, vals *float32, n int, out *[2]float32)
// For t < n (a positive multiple of 8), j = cols[t], (dx, dy) = yi − (y[2j], y[2j+1]):
// out = [Σ vals[t]·dx/(1 + dx² + dy²), Σ vals[t]·dy/(1 + dx² + dy²)], eight
// lanes, then the lanes summed.
TEXT ·attractAVX(SB), NOSPLIT, $0-48
	MOVQ yi+0(FP), AX
	MOVQ y+8(FP), SI
	MOVQ cols+16(FP), DI
	MOVQ vals+24(FP), R8
	MOVQ n+32(FP), CX
	MOVQ out+40(FP), R9
	VBROADCASTSS (AX), Y0
	VBROADCASTSS 4(AX), Y1
	MOVL $0x3F800000, AX
	MOVL AX, X2
	VBROADCASTSS X2, Y2
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	XORQ AX, AX

aloop:
	// the eight (x, y) pairs: lanes 0-3 of Y10/Y11 hold pairs 0,1 | 4,5 and 2,3 | 6,7
	MOVL (DI)(AX*4), R10
	MOVL 4(DI)(AX*4), R11
	VMOVQ (SI)(R10*8), X10
	VPINSRQ $1, (SI)(R11*8), X10, X10
	MOVL 8(DI)(AX*4), R10
	MOVL 12(DI)(AX*4), R11
	VMOVQ (SI)(R10*8), X11
	VPINSRQ $1, (SI)(R11*8), X11, X11
	MOVL 16(DI)(AX*4), R10
	MOVL 20(DI)(AX*4), R11
	VMOVQ (SI)(R10*8), X12
	VPINSRQ $1, (SI)(R11*8), X12, X12
	MOVL 24(DI)(AX*4), R10
	MOVL 28(DI)(AX*4), R11
	VMOVQ (SI)(R10*8), X13
	VPINSRQ $1, (SI)(R11*8), X13, X13
	VINSERTI128 $1, X12, Y10, Y10
	VINSERTI128 $1, X13, Y11, Y11
	VSHUFPS $0x88, Y11, Y10, Y6 // x of pairs 0..7
	VSHUFPS $0xDD, Y11, Y10, Y7 // y of pairs 0..7
	VSUBPS Y6, Y0, Y6
	VSUBPS Y7, Y1, Y7
	VMULPS Y6, Y6, Y8
	VFMADD231PS Y7, Y7, Y8
	VADDPS Y2, Y8, Y8
	VMOVUPS (R8)(AX*4), Y9
	VDIVPS Y8, Y9, Y9
	VFMADD231PS Y9, Y6, Y4
	VFMADD231PS Y9, Y7, Y5
	ADDQ $8, AX
	CMPQ AX, CX
	JLT aloop

	VEXTRACTF128 $1, Y4, X8
	VADDPS X8, X4, X4
	VHADDPS X4, X4, X4
	VHADDPS X4, X4, X4
	VMOVSS X4, (R9)
	VEXTRACTF128 $1, Y5, X8
	VADDPS X8, X5, X5
	VHADDPS X5, X5, X5
	VHADDPS X5, X5, X5
	VMOVSS X5, 4(R9)
	VZEROUPPER
	RET

// func sqDistAVX(a, b *float32, n int) float64
// Σ_{t<n} (a[t] − b[t])² in float64, n a positive multiple of 8: two sets
// of four lanes, added lane by lane, then the lanes summed.
TEXT ·sqDistAVX(SB), NOSPLIT, $0-32
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	XORQ AX, AX

dloop:
	VCVTPS2PD (SI)(AX*4), Y0
	VCVTPS2PD 16(SI)(AX*4), Y1
	VCVTPS2PD (DI)(AX*4), Y2
	VCVTPS2PD 16(DI)(AX*4), Y3
	VSUBPD Y2, Y0, Y0
	VSUBPD Y3, Y1, Y1
	VFMADD231PD Y0, Y0, Y4
	VFMADD231PD Y1, Y1, Y5
	ADDQ $8, AX
	CMPQ AX, CX
	JLT dloop

	VADDPD Y5, Y4, Y4
	VEXTRACTF128 $1, Y4, X5
	VADDPD X5, X4, X4
	VHADDPD X4, X4, X4
	VMOVSD X4, ret+24(FP)
	VZEROUPPER
	RET

// func scanBelowAVX(row, nc *float32, n int, ni, bound float32) (t int, mask uint32)
// For t < n (a positive multiple of 8), eight at a time: s = (ni + nc[t]) −
// 2·row[t], stored back into row[t]; returns the start t of the first group
// of eight holding an s < bound and the mask of those lanes, or n and 0.
TEXT ·scanBelowAVX(SB), NOSPLIT, $0-44
	MOVQ row+0(FP), SI
	MOVQ nc+8(FP), DI
	MOVQ n+16(FP), CX
	VBROADCASTSS ni+24(FP), Y0
	VBROADCASTSS bound+28(FP), Y1
	XORQ AX, AX

sloop:
	VADDPS (DI)(AX*4), Y0, Y2 // ni + nc
	VMOVUPS (SI)(AX*4), Y3
	VADDPS Y3, Y3, Y3 // 2·dot, exact
	VSUBPS Y3, Y2, Y2
	VMOVUPS Y2, (SI)(AX*4)
	VCMPPS $1, Y1, Y2, Y4 // s < bound (ordered, signalling: LT_OS)
	VMOVMSKPS Y4, DX
	TESTL DX, DX
	JNE found
	ADDQ $8, AX
	CMPQ AX, CX
	JLT sloop

found:
	MOVQ AX, t+32(FP)
	MOVL DX, mask+40(FP)
	VZEROUPPER
	RET
