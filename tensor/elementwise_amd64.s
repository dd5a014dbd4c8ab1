//go:build !noasm

#include "textflag.h"

// func relu8(x *float32, n int)
// x[i] = max(x[i], 0) for i < n, n a positive multiple of 8.
TEXT ·relu8(SB), NOSPLIT, $0-16
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), CX
	SHRQ $3, CX
	VXORPS Y15, Y15, Y15

rloop:
	VMOVUPS (DI), Y0
	VMAXPS  Y15, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	DECQ    CX
	JNZ     rloop
	VZEROUPPER
	RET

// func reluMask8(dy *float32, y *float32, n int)
// dy[i] = 0 where y[i] ≤ 0, for i < n, n a positive multiple of 8.
TEXT ·reluMask8(SB), NOSPLIT, $0-24
	MOVQ dy+0(FP), DI
	MOVQ y+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	VXORPS Y15, Y15, Y15

mloop:
	VMOVUPS (SI), Y1
	VCMPPS  $0x0e, Y15, Y1, Y2 // y > 0 (ordered)
	VANDPS  (DI), Y2, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	DECQ    CX
	JNZ     mloop
	VZEROUPPER
	RET

// Constants of tanh8, each broadcast from memory.
DATA ·tanhc+0(SB)/4, $0x7fffffff  // abs mask
DATA ·tanhc+4(SB)/4, $0x41119999  // 9.1: beyond, tanh is 1 in float32
DATA ·tanhc+8(SB)/4, $0x3fb8aa3b  // log2(e)
DATA ·tanhc+12(SB)/4, $0x3f318000 // ln2 high part 0.693359375
DATA ·tanhc+16(SB)/4, $0xb95e8083 // ln2 low part -2.12194440e-4
DATA ·tanhc+20(SB)/4, $0x3ab60b61 // 1/720
DATA ·tanhc+24(SB)/4, $0x3c088889 // 1/120
DATA ·tanhc+28(SB)/4, $0x3d2aaaab // 1/24
DATA ·tanhc+32(SB)/4, $0x3e2aaaab // 1/6
DATA ·tanhc+36(SB)/4, $0x3f000000 // 1/2
DATA ·tanhc+40(SB)/4, $0x3f800000 // 1
DATA ·tanhc+44(SB)/4, $0x40000000 // 2
DATA ·tanhc+48(SB)/4, $0x39d1b717 // 0.0004: below, tanh(x) = x - x³/3
DATA ·tanhc+52(SB)/4, $0x3eaaaaab // 1/3
DATA ·tanhc+56(SB)/4, $0x0000007f // exponent bias 127
GLOBL ·tanhc(SB), RODATA|NOPTR, $60

// func tanh8(x *float32, n int)
// x[i] = tanh(x[i]) for i < n (n a positive multiple of 8): the vector form of
// Tanh32, 1 - 2/(e^{2|x|} + 1) with e^y = 2^k·p(r), with the sign of x.
TEXT ·tanh8(SB), NOSPLIT, $0-16
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), CX
	SHRQ $3, CX
	VBROADCASTSS ·tanhc+0(SB), Y15  // abs mask
	VBROADCASTSS ·tanhc+4(SB), Y14  // 9.1
	VBROADCASTSS ·tanhc+40(SB), Y13 // 1
	VBROADCASTSS ·tanhc+44(SB), Y12 // 2
	VBROADCASTSS ·tanhc+48(SB), Y11 // 0.0004

tloop:
	VMOVUPS (DI), Y0          // x
	VANDPS  Y15, Y0, Y1       // a = |x|
	VMINPS  Y1, Y14, Y2       // min(9.1, a): keeps e^{2a} finite, NaN stays NaN
	VMULPS  Y12, Y2, Y2       // y = 2a
	// e^y: k = round(y·log2e), r = y - k·ln2
	VBROADCASTSS ·tanhc+8(SB), Y3
	VMULPS  Y3, Y2, Y3
	VROUNDPS $0, Y3, Y3       // k (nearest)
	VBROADCASTSS ·tanhc+12(SB), Y4
	VFNMADD231PS Y4, Y3, Y2   // y -= k·ln2hi
	VBROADCASTSS ·tanhc+16(SB), Y4
	VFNMADD231PS Y4, Y3, Y2   // y -= k·ln2lo  → r
	VBROADCASTSS ·tanhc+20(SB), Y5 // p = 1/720
	VBROADCASTSS ·tanhc+24(SB), Y4
	VFMADD213PS Y4, Y2, Y5    // p = p·r + 1/120
	VBROADCASTSS ·tanhc+28(SB), Y4
	VFMADD213PS Y4, Y2, Y5
	VBROADCASTSS ·tanhc+32(SB), Y4
	VFMADD213PS Y4, Y2, Y5
	VBROADCASTSS ·tanhc+36(SB), Y4
	VFMADD213PS Y4, Y2, Y5
	VFMADD213PS Y13, Y2, Y5   // p·r + 1
	VFMADD213PS Y13, Y2, Y5   // p·r + 1  → e^r
	VCVTPS2DQ Y3, Y6          // k as int32
	VPBROADCASTD ·tanhc+56(SB), Y7
	VPADDD  Y7, Y6, Y6
	VPSLLD  $23, Y6, Y6       // 2^k
	VMULPS  Y6, Y5, Y5        // e = e^{2a}
	// t = 1 - 2/(e + 1)
	VADDPS  Y13, Y5, Y5
	VDIVPS  Y5, Y12, Y5
	VSUBPS  Y5, Y13, Y5
	// small a: a - a³/3
	VMULPS  Y1, Y1, Y6
	VMULPS  Y1, Y6, Y6
	VBROADCASTSS ·tanhc+52(SB), Y7
	VMULPS  Y7, Y6, Y6
	VSUBPS  Y6, Y1, Y6
	VCMPPS  $0x01, Y11, Y1, Y7 // a < 0.0004
	VBLENDVPS Y7, Y6, Y5, Y5
	// sign of x
	VANDNPS Y0, Y15, Y8       // sign bits of x
	VORPS   Y8, Y5, Y5
	VMOVUPS Y5, (DI)
	ADDQ    $32, DI
	DECQ    CX
	JNZ     tloop
	VZEROUPPER
	RET

// func addConst8(x *float32, v float32, n int)
// x[i] += v for i < n, n a positive multiple of 8.
TEXT ·addConst8(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), DI
	VBROADCASTSS v+8(FP), Y1
	MOVQ n+16(FP), CX
	SHRQ $3, CX

aloop:
	VADDPS  (DI), Y1, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	DECQ    CX
	JNZ     aloop
	VZEROUPPER
	RET

// func sum32(x *float32, n int) float32
// Σ x[i] for i < n, n a positive multiple of 32, with four vector partial sums.
TEXT ·sum32(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	SHRQ $5, CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

sloop:
	VADDPS (SI), Y0, Y0
	VADDPS 32(SI), Y1, Y1
	VADDPS 64(SI), Y2, Y2
	VADDPS 96(SI), Y3, Y3
	ADDQ   $128, SI
	DECQ   CX
	JNZ    sloop
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS X1, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VMOVSS X0, ret+16(FP)
	VZEROUPPER
	RET

// func adam8(p *float32, grad *float32, m *float32, v *float32, n int, k *[8]float32)
//
// Adam's update for n parameters (a positive multiple of 8), with k = {β1,
// β2, 1-β1, 1-β2, step size, sqrt(1-β2^t), ε}: exactly the scalar
// expressions of AdamStep (no fused multiply-add; sqrt and division are
// correctly rounded), so both paths give the same bits.
TEXT ·adam8(SB), NOSPLIT, $0-48
	MOVQ p+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ m+16(FP), DX
	MOVQ v+24(FP), BX
	MOVQ n+32(FP), CX
	MOVQ k+40(FP), AX
	SHRQ $3, CX
	VBROADCASTSS (AX), Y8   // β1
	VBROADCASTSS 4(AX), Y9  // β2
	VBROADCASTSS 8(AX), Y10 // 1-β1
	VBROADCASTSS 12(AX), Y11 // 1-β2
	VBROADCASTSS 16(AX), Y12 // step size
	VBROADCASTSS 20(AX), Y13 // sqrt(1-β2^t)
	VBROADCASTSS 24(AX), Y14 // ε

aloop:
	VMOVUPS (SI), Y0  // g
	VMULPS  (DX), Y8, Y1
	VMULPS  Y0, Y10, Y2
	VADDPS  Y2, Y1, Y1 // m
	VMOVUPS Y1, (DX)
	VMULPS  Y0, Y0, Y3
	VMULPS  Y3, Y11, Y3
	VMULPS  (BX), Y9, Y4
	VADDPS  Y3, Y4, Y4 // v
	VMOVUPS Y4, (BX)
	VSQRTPS Y4, Y5
	VDIVPS  Y13, Y5, Y5
	VADDPS  Y14, Y5, Y5 // denominator
	VDIVPS  Y5, Y1, Y6
	VMULPS  Y6, Y12, Y6
	VMOVUPS (DI), Y7
	VSUBPS  Y6, Y7, Y7
	VMOVUPS Y7, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, BX
	DECQ CX
	JNZ  aloop
	VZEROUPPER
	RET

// func sqErrTanh8(dy *float32, y *float32, x *float32, n int, s float32) float64
//
// dy[i] = (s·(y[i]-x[i]))·(1 - y[i]·y[i]) for i < n (a positive multiple of
// 8), no fused multiply-add; returns Σ (y[i]-x[i])² accumulated in float64
// over eight lanes, added up pairwise at the end.
TEXT ·sqErrTanh8(SB), NOSPLIT, $0-48
	MOVQ dy+0(FP), DI
	MOVQ y+8(FP), SI
	MOVQ x+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	VBROADCASTSS s+32(FP), Y8
	MOVL $0x3f800000, AX
	MOVQ AX, X9
	VBROADCASTSS X9, Y9 // 1
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11

sloop:
	VMOVUPS (SI), Y0
	VSUBPS  (DX), Y0, Y1 // d
	VCVTPS2PD X1, Y2
	VEXTRACTF128 $1, Y1, X3
	VCVTPS2PD X3, Y3
	VMULPD  Y2, Y2, Y2
	VADDPD  Y2, Y10, Y10
	VMULPD  Y3, Y3, Y3
	VADDPD  Y3, Y11, Y11
	VMULPS  Y1, Y8, Y1 // s·d
	VMULPS  Y0, Y0, Y4
	VSUBPS  Y4, Y9, Y4 // 1 - y²
	VMULPS  Y4, Y1, Y1
	VMOVUPS Y1, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, DX
	DECQ CX
	JNZ  sloop

	VADDPD Y11, Y10, Y10
	VEXTRACTF128 $1, Y10, X11
	VADDPD X11, X10, X10
	VHADDPD X10, X10, X10
	VMOVSD X10, ret+40(FP)
	VZEROUPPER
	RET

// func sqDiff8(y *float32, x *float32, n int) float64
//
// Σ (y[i]-x[i])² for i < n (a positive multiple of 8), the float32
// differences squared and summed in float64 over eight lanes, added up
// pairwise at the end (as sqErrTanh8).
TEXT ·sqDiff8(SB), NOSPLIT, $0-32
	MOVQ y+0(FP), SI
	MOVQ x+8(FP), DX
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11

qloop:
	VMOVUPS (SI), Y0
	VSUBPS  (DX), Y0, Y1
	VCVTPS2PD X1, Y2
	VEXTRACTF128 $1, Y1, X3
	VCVTPS2PD X3, Y3
	VFMADD231PD Y2, Y2, Y10
	VFMADD231PD Y3, Y3, Y11
	ADDQ $32, SI
	ADDQ $32, DX
	DECQ CX
	JNZ  qloop

	VADDPD Y11, Y10, Y10
	VEXTRACTF128 $1, Y10, X11
	VADDPD X11, X10, X10
	VHADDPD X10, X10, X10
	VMOVSD X10, ret+24(FP)
	VZEROUPPER
	RET

// func tanh16(x *float32, n int)
//
// tanh8 on 16 lanes (AVX-512): the same operations, so the same results.
TEXT ·tanh16(SB), NOSPLIT, $0-16
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), CX
	SHRQ $4, CX
	VPBROADCASTD ·tanhc+0(SB), Z15  // abs mask
	VBROADCASTSS ·tanhc+4(SB), Z14  // 9.1
	VBROADCASTSS ·tanhc+40(SB), Z13 // 1
	VBROADCASTSS ·tanhc+44(SB), Z12 // 2
	VBROADCASTSS ·tanhc+48(SB), Z11 // 0.0004
	VBROADCASTSS ·tanhc+8(SB), Z20  // log2(e)
	VBROADCASTSS ·tanhc+12(SB), Z21 // ln2 high
	VBROADCASTSS ·tanhc+16(SB), Z22 // ln2 low
	VBROADCASTSS ·tanhc+20(SB), Z23 // 1/720
	VBROADCASTSS ·tanhc+24(SB), Z24 // 1/120
	VBROADCASTSS ·tanhc+28(SB), Z25 // 1/24
	VBROADCASTSS ·tanhc+32(SB), Z26 // 1/6
	VBROADCASTSS ·tanhc+36(SB), Z27 // 1/2
	VBROADCASTSS ·tanhc+52(SB), Z28 // 1/3
	VPBROADCASTD ·tanhc+56(SB), Z29 // 127

t16loop:
	VMOVUPS (DI), Z0
	VPANDD  Z15, Z0, Z1       // a = |x|
	VMINPS  Z1, Z14, Z2
	VMULPS  Z12, Z2, Z2       // y = 2a
	VMULPS  Z20, Z2, Z3
	VRNDSCALEPS $0, Z3, Z3    // k (nearest)
	VFNMADD231PS Z21, Z3, Z2
	VFNMADD231PS Z22, Z3, Z2  // r
	VMOVAPS Z23, Z5
	VFMADD213PS Z24, Z2, Z5
	VFMADD213PS Z25, Z2, Z5
	VFMADD213PS Z26, Z2, Z5
	VFMADD213PS Z27, Z2, Z5
	VFMADD213PS Z13, Z2, Z5
	VFMADD213PS Z13, Z2, Z5   // e^r
	VCVTPS2DQ Z3, Z6
	VPADDD  Z29, Z6, Z6
	VPSLLD  $23, Z6, Z6
	VMULPS  Z6, Z5, Z5        // e^{2a}
	VADDPS  Z13, Z5, Z5
	VDIVPS  Z5, Z12, Z5
	VSUBPS  Z5, Z13, Z5       // 1 - 2/(e+1)
	VMULPS  Z1, Z1, Z6
	VMULPS  Z1, Z6, Z6
	VMULPS  Z28, Z6, Z6
	VSUBPS  Z6, Z1, Z6        // a - a³/3
	VCMPPS  $0x01, Z11, Z1, K1 // a < 0.0004
	VBLENDMPS Z6, Z5, K1, Z5
	VPANDND Z0, Z15, Z8       // sign bits of x
	VPORD   Z8, Z5, Z5
	VMOVUPS Z5, (DI)
	ADDQ    $64, DI
	DECQ    CX
	JNZ     t16loop
	VZEROUPPER
	RET
