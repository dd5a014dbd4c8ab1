//go:build !noasm

#include "textflag.h"

// func expRowAsm(x *float32, n int, shift float32, k *[13][8]float32) float32
//
// x[i] = e^max(x[i] - shift, -87) for i < n (n a positive multiple of 8), and
// returns their sum: expShifted's steps with 8 lanes and FMAs. k holds the
// constants, each broadcast to 8 lanes: -87, log2 e, 1.5·2²³, ln2 hi, ln2 lo,
// the polynomial's 1/720 … 1, and the bits of 1.5·2²³ minus 127.
TEXT ·expRowAsm(SB), NOSPLIT, $0-36
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), CX
	VBROADCASTSS shift+16(FP), Y15
	MOVQ k+24(FP), SI
	VXORPS Y4, Y4, Y4
	VMOVUPS 0(SI), Y5   // -87
	VMOVUPS 32(SI), Y6  // log2 e
	VMOVUPS 64(SI), Y7  // magic
	VMOVUPS 96(SI), Y8  // ln2 hi
	VMOVUPS 128(SI), Y9 // ln2 lo
	VMOVUPS 160(SI), Y10 // 1/720
	VMOVUPS 192(SI), Y11 // 1/120
	VMOVUPS 224(SI), Y12 // 1/24
	VMOVUPS 256(SI), Y13 // 1/6
	VMOVUPS 288(SI), Y14 // 1/2

loop:
	VMOVUPS (DI), Y0
	VSUBPS  Y15, Y0, Y0        // d = x - shift
	VMAXPS  Y5, Y0, Y0         // d = max(d, -87)
	VMOVAPS Y7, Y1
	VFMADD231PS Y6, Y0, Y1     // t = d·log2e + magic
	VSUBPS  Y7, Y1, Y2         // n = t - magic
	VFNMADD231PS Y8, Y2, Y0    // r = d - n·ln2hi
	VFNMADD231PS Y9, Y2, Y0    // r -= n·ln2lo
	VMOVAPS Y10, Y3
	VFMADD213PS Y11, Y0, Y3    // p = p·r + 1/120
	VFMADD213PS Y12, Y0, Y3    // 1/24
	VFMADD213PS Y13, Y0, Y3    // 1/6
	VFMADD213PS Y14, Y0, Y3    // 1/2
	VFMADD213PS 320(SI), Y0, Y3 // 1
	VFMADD213PS 352(SI), Y0, Y3 // 1
	VPSUBD  384(SI), Y1, Y1    // n + 127 in the low bits
	VPSLLD  $23, Y1, Y1        // 2^n
	VMULPS  Y1, Y3, Y3
	VMOVUPS Y3, (DI)
	VADDPS  Y3, Y4, Y4
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ  loop

	VEXTRACTF128 $1, Y4, X5
	VADDPS X5, X4, X4
	VMOVHLPS X4, X5, X5
	VADDPS X5, X4, X4
	VMOVSHDUP X4, X5
	VADDSS X5, X4, X4
	VZEROUPPER
	MOVSS X4, ret+32(FP)
	RET

// func maxRowAsm(x *float32, n int) float32
//
// The largest of x[:n], n a positive multiple of 32: four ymm running maxima.
TEXT ·maxRowAsm(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), CX
	VMOVUPS (DI), Y0
	VMOVAPS Y0, Y1
	VMOVAPS Y0, Y2
	VMOVAPS Y0, Y3

mloop:
	VMAXPS (DI), Y0, Y0
	VMAXPS 32(DI), Y1, Y1
	VMAXPS 64(DI), Y2, Y2
	VMAXPS 96(DI), Y3, Y3
	ADDQ $128, DI
	SUBQ $32, CX
	JNZ  mloop

	VMAXPS Y1, Y0, Y0
	VMAXPS Y3, Y2, Y2
	VMAXPS Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VMAXPS X1, X0, X0
	VMOVHLPS X0, X1, X1
	VMAXPS X1, X0, X0
	VMOVSHDUP X0, X1
	VMAXSS X1, X0, X0
	VZEROUPPER
	MOVSS X0, ret+16(FP)
	RET
