//go:build !noasm

#include "textflag.h"

// NEON register tiles of the small × long product and of the long reduction
// (neon_arm64.go has their Go sides). Go's assembler names the operands of a
// three-operand instruction source-first: VFMLA Vm, Vn, Vd is Vd += Vn·Vm,
// ADD R1, R0, R12 is R12 = R0 + R1. FMLA by element is not in the assembler
// (arm64enc.s lists it as TODO), so the values of A are broadcast by
// load-and-replicate (VLD1R) instead; no WORD encodings are needed.
// R16–R18 and R26–R29 are left alone (linker veneers, platform register,
// REGTMP, g, frame pointer).

// func neonTile4x16(c *float32, ldc int, a *float32, ars int, acs int, b *float32, ldb int, k int, bias *float32)
// C[r·ldc + j] += Σ_kk A[r·ars + kk·acs]·B[kk·ldb + j], r < 4, j < 16, kk < k, k ≥ 1;
// with bias ≠ nil, C[r·ldc + j] = bias[r] + Σ_kk … instead (C is not read).
// V16–V31: the tile of C, row r in V(16+4r) … V(19+4r); V0–V3: a row of B;
// V4–V7: A[r, kk] broadcast to four lanes.
TEXT ·neonTile4x16(SB), NOSPLIT, $0-72
	MOVD	c+0(FP), R0
	MOVD	ldc+8(FP), R1
	MOVD	a+16(FP), R2
	MOVD	ars+24(FP), R3
	MOVD	acs+32(FP), R4
	MOVD	b+40(FP), R5
	MOVD	ldb+48(FP), R6
	MOVD	k+56(FP), R7
	LSL	$2, R1, R1 // strides in bytes
	LSL	$2, R3, R3
	LSL	$2, R4, R4
	LSL	$2, R6, R6
	ADD	R1, R0, R12 // rows 1–3 of C
	ADD	R1, R12, R13
	ADD	R1, R13, R14
	ADD	R3, R2, R9 // rows 1–3 of A
	ADD	R3, R9, R10
	ADD	R3, R10, R11
	MOVD	bias+64(FP), R15
	CBZ	R15, tile4x16c
	VLD1R.P	4(R15), [V16.S4] // bias[0] in every lane
	VORR	V16.B16, V16.B16, V17.B16
	VORR	V16.B16, V16.B16, V18.B16
	VORR	V16.B16, V16.B16, V19.B16
	VLD1R.P	4(R15), [V20.S4] // bias[1] in every lane
	VORR	V20.B16, V20.B16, V21.B16
	VORR	V20.B16, V20.B16, V22.B16
	VORR	V20.B16, V20.B16, V23.B16
	VLD1R.P	4(R15), [V24.S4] // bias[2] in every lane
	VORR	V24.B16, V24.B16, V25.B16
	VORR	V24.B16, V24.B16, V26.B16
	VORR	V24.B16, V24.B16, V27.B16
	VLD1R.P	4(R15), [V28.S4] // bias[3] in every lane
	VORR	V28.B16, V28.B16, V29.B16
	VORR	V28.B16, V28.B16, V30.B16
	VORR	V28.B16, V28.B16, V31.B16
	B	tile4x16loop

tile4x16c:
	VLD1	(R0), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1	(R12), [V20.S4, V21.S4, V22.S4, V23.S4]
	VLD1	(R13), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1	(R14), [V28.S4, V29.S4, V30.S4, V31.S4]

tile4x16loop:
	VLD1.P	(R5)(R6), [V0.S4, V1.S4, V2.S4, V3.S4] // B[kk, 0:16], then the next row
	VLD1R.P	(R2)(R4), [V4.S4] // A[r, kk] in every lane, then A[r, kk+1]
	VLD1R.P	(R9)(R4), [V5.S4]
	VLD1R.P	(R10)(R4), [V6.S4]
	VLD1R.P	(R11)(R4), [V7.S4]
	VFMLA	V0.S4, V4.S4, V16.S4
	VFMLA	V1.S4, V4.S4, V17.S4
	VFMLA	V2.S4, V4.S4, V18.S4
	VFMLA	V3.S4, V4.S4, V19.S4
	VFMLA	V0.S4, V5.S4, V20.S4
	VFMLA	V1.S4, V5.S4, V21.S4
	VFMLA	V2.S4, V5.S4, V22.S4
	VFMLA	V3.S4, V5.S4, V23.S4
	VFMLA	V0.S4, V6.S4, V24.S4
	VFMLA	V1.S4, V6.S4, V25.S4
	VFMLA	V2.S4, V6.S4, V26.S4
	VFMLA	V3.S4, V6.S4, V27.S4
	VFMLA	V0.S4, V7.S4, V28.S4
	VFMLA	V1.S4, V7.S4, V29.S4
	VFMLA	V2.S4, V7.S4, V30.S4
	VFMLA	V3.S4, V7.S4, V31.S4
	SUBS	$1, R7, R7
	BNE	tile4x16loop
	VST1	[V16.S4, V17.S4, V18.S4, V19.S4], (R0)
	VST1	[V20.S4, V21.S4, V22.S4, V23.S4], (R12)
	VST1	[V24.S4, V25.S4, V26.S4, V27.S4], (R13)
	VST1	[V28.S4, V29.S4, V30.S4, V31.S4], (R14)
	RET

// func neonTile1x32(c *float32, a *float32, acs int, b *float32, ldb int, k int, bias *float32)
// C[j] += Σ_kk A[kk·acs]·B[kk·ldb + j], j < 32, kk < k, k ≥ 1; with
// bias ≠ nil, C[j] = *bias + Σ_kk … instead (C is not read).
// V16–V23: the row of C; V0–V7: 32 values of a row of B; V8: A[kk] broadcast.
TEXT ·neonTile1x32(SB), NOSPLIT, $0-56
	MOVD	c+0(FP), R0
	MOVD	a+8(FP), R2
	MOVD	acs+16(FP), R4
	MOVD	b+24(FP), R5
	MOVD	ldb+32(FP), R6
	MOVD	k+40(FP), R7
	LSL	$2, R4, R4
	LSL	$2, R6, R6
	ADD	$64, R0, R9 // C[16:32]
	ADD	$64, R5, R8 // B[kk, 16:32]
	MOVD	bias+48(FP), R10
	CBZ	R10, tile1x32c
	VLD1R	(R10), [V16.S4]
	VORR	V16.B16, V16.B16, V17.B16
	VORR	V16.B16, V16.B16, V18.B16
	VORR	V16.B16, V16.B16, V19.B16
	VORR	V16.B16, V16.B16, V20.B16
	VORR	V16.B16, V16.B16, V21.B16
	VORR	V16.B16, V16.B16, V22.B16
	VORR	V16.B16, V16.B16, V23.B16
	B	tile1x32loop

tile1x32c:
	VLD1	(R0), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1	(R9), [V20.S4, V21.S4, V22.S4, V23.S4]

tile1x32loop:
	VLD1.P	(R5)(R6), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P	(R8)(R6), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1R.P	(R2)(R4), [V8.S4]
	VFMLA	V0.S4, V8.S4, V16.S4
	VFMLA	V1.S4, V8.S4, V17.S4
	VFMLA	V2.S4, V8.S4, V18.S4
	VFMLA	V3.S4, V8.S4, V19.S4
	VFMLA	V4.S4, V8.S4, V20.S4
	VFMLA	V5.S4, V8.S4, V21.S4
	VFMLA	V6.S4, V8.S4, V22.S4
	VFMLA	V7.S4, V8.S4, V23.S4
	SUBS	$1, R7, R7
	BNE	tile1x32loop
	VST1	[V16.S4, V17.S4, V18.S4, V19.S4], (R0)
	VST1	[V20.S4, V21.S4, V22.S4, V23.S4], (R9)
	RET

// func neonDot4x4(a *float32, lda int, b *float32, ldb int, p int, out *[64]float32)
// out[(4r+s)·4 + l] = Σ A[r·lda + q]·B[s·ldb + q] over q < p, q ≡ l (mod 4),
// r, s < 4, p a positive multiple of 8. Per block of 8 values of q: V0–V7
// rows of A (row r in V(2r), V(2r+1)), V8–V15 rows of B (row s in V(8+2s),
// V(9+2s)); V16–V31 the 16 accumulators, V(16+4r+s) for the pair (r, s);
// each lane adds its two products of the block in order q, q+4.
TEXT ·neonDot4x4(SB), NOSPLIT, $0-48
	MOVD	a+0(FP), R0
	MOVD	lda+8(FP), R1
	MOVD	b+16(FP), R2
	MOVD	ldb+24(FP), R3
	MOVD	p+32(FP), R4
	MOVD	out+40(FP), R5
	LSL	$2, R1, R1
	LSL	$2, R3, R3
	ADD	R1, R0, R6 // rows 1–3 of A
	ADD	R1, R6, R7
	ADD	R1, R7, R8
	ADD	R3, R2, R9 // rows 1–3 of B
	ADD	R3, R9, R10
	ADD	R3, R10, R11
	LSR	$3, R4, R4 // blocks of 8
	VEOR	V16.B16, V16.B16, V16.B16
	VEOR	V17.B16, V17.B16, V17.B16
	VEOR	V18.B16, V18.B16, V18.B16
	VEOR	V19.B16, V19.B16, V19.B16
	VEOR	V20.B16, V20.B16, V20.B16
	VEOR	V21.B16, V21.B16, V21.B16
	VEOR	V22.B16, V22.B16, V22.B16
	VEOR	V23.B16, V23.B16, V23.B16
	VEOR	V24.B16, V24.B16, V24.B16
	VEOR	V25.B16, V25.B16, V25.B16
	VEOR	V26.B16, V26.B16, V26.B16
	VEOR	V27.B16, V27.B16, V27.B16
	VEOR	V28.B16, V28.B16, V28.B16
	VEOR	V29.B16, V29.B16, V29.B16
	VEOR	V30.B16, V30.B16, V30.B16
	VEOR	V31.B16, V31.B16, V31.B16

dot4x4loop:
	VLD1.P	32(R0), [V0.S4, V1.S4]
	VLD1.P	32(R6), [V2.S4, V3.S4]
	VLD1.P	32(R7), [V4.S4, V5.S4]
	VLD1.P	32(R8), [V6.S4, V7.S4]
	VLD1.P	32(R2), [V8.S4, V9.S4]
	VLD1.P	32(R9), [V10.S4, V11.S4]
	VLD1.P	32(R10), [V12.S4, V13.S4]
	VLD1.P	32(R11), [V14.S4, V15.S4]
	VFMLA	V8.S4, V0.S4, V16.S4
	VFMLA	V10.S4, V0.S4, V17.S4
	VFMLA	V12.S4, V0.S4, V18.S4
	VFMLA	V14.S4, V0.S4, V19.S4
	VFMLA	V8.S4, V2.S4, V20.S4
	VFMLA	V10.S4, V2.S4, V21.S4
	VFMLA	V12.S4, V2.S4, V22.S4
	VFMLA	V14.S4, V2.S4, V23.S4
	VFMLA	V8.S4, V4.S4, V24.S4
	VFMLA	V10.S4, V4.S4, V25.S4
	VFMLA	V12.S4, V4.S4, V26.S4
	VFMLA	V14.S4, V4.S4, V27.S4
	VFMLA	V8.S4, V6.S4, V28.S4
	VFMLA	V10.S4, V6.S4, V29.S4
	VFMLA	V12.S4, V6.S4, V30.S4
	VFMLA	V14.S4, V6.S4, V31.S4
	VFMLA	V9.S4, V1.S4, V16.S4
	VFMLA	V11.S4, V1.S4, V17.S4
	VFMLA	V13.S4, V1.S4, V18.S4
	VFMLA	V15.S4, V1.S4, V19.S4
	VFMLA	V9.S4, V3.S4, V20.S4
	VFMLA	V11.S4, V3.S4, V21.S4
	VFMLA	V13.S4, V3.S4, V22.S4
	VFMLA	V15.S4, V3.S4, V23.S4
	VFMLA	V9.S4, V5.S4, V24.S4
	VFMLA	V11.S4, V5.S4, V25.S4
	VFMLA	V13.S4, V5.S4, V26.S4
	VFMLA	V15.S4, V5.S4, V27.S4
	VFMLA	V9.S4, V7.S4, V28.S4
	VFMLA	V11.S4, V7.S4, V29.S4
	VFMLA	V13.S4, V7.S4, V30.S4
	VFMLA	V15.S4, V7.S4, V31.S4
	SUBS	$1, R4, R4
	BNE	dot4x4loop
	VST1.P	[V16.S4, V17.S4, V18.S4, V19.S4], 64(R5)
	VST1.P	[V20.S4, V21.S4, V22.S4, V23.S4], 64(R5)
	VST1.P	[V24.S4, V25.S4, V26.S4, V27.S4], 64(R5)
	VST1	[V28.S4, V29.S4, V30.S4, V31.S4], (R5)
	RET

// func neonReLU(x *float32, n int)
// x[i] = max(x[i], +0) for i < n, n a positive multiple of 16, as ReLU's Go
// loop does it: every value whose sign bit is set (negatives, -0, negative
// NaNs) becomes +0. V30: the sign bit in every lane; V31: zero; V4–V7: the
// lanes to clear (VCMTST: all ones where x & sign ≠ 0), cleared by VBIT,
// which inserts the bits of V31 where the mask is set.
TEXT ·neonReLU(SB), NOSPLIT, $0-16
	MOVD	x+0(FP), R0
	MOVD	n+8(FP), R1
	LSR	$4, R1, R1
	MOVW	$0x80000000, R2
	VDUP	R2, V30.S4
	VEOR	V31.B16, V31.B16, V31.B16

reluloop:
	VLD1	(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VCMTST	V30.S4, V0.S4, V4.S4
	VCMTST	V30.S4, V1.S4, V5.S4
	VCMTST	V30.S4, V2.S4, V6.S4
	VCMTST	V30.S4, V3.S4, V7.S4
	VBIT	V4.B16, V31.B16, V0.B16
	VBIT	V5.B16, V31.B16, V1.B16
	VBIT	V6.B16, V31.B16, V2.B16
	VBIT	V7.B16, V31.B16, V3.B16
	VST1.P	[V0.S4, V1.S4, V2.S4, V3.S4], 64(R0)
	SUBS	$1, R1, R1
	BNE	reluloop
	RET

// func neonReLUMask(dy *float32, y *float32, n int)
// dy[i] = 0 where every bit of y[i] is zero (as ReLUBackward's Go loop tests
// it), for i < n, n a positive multiple of 16. V4–V7: all ones where y ≠ 0
// bitwise (VCMTST of y with itself), ANDed into dy.
TEXT ·neonReLUMask(SB), NOSPLIT, $0-24
	MOVD	dy+0(FP), R0
	MOVD	y+8(FP), R1
	MOVD	n+16(FP), R2
	LSR	$4, R2, R2

relumaskloop:
	VLD1	(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P	64(R1), [V4.S4, V5.S4, V6.S4, V7.S4]
	VCMTST	V4.S4, V4.S4, V4.S4
	VCMTST	V5.S4, V5.S4, V5.S4
	VCMTST	V6.S4, V6.S4, V6.S4
	VCMTST	V7.S4, V7.S4, V7.S4
	VAND	V4.B16, V0.B16, V0.B16
	VAND	V5.B16, V1.B16, V1.B16
	VAND	V6.B16, V2.B16, V2.B16
	VAND	V7.B16, V3.B16, V3.B16
	VST1.P	[V0.S4, V1.S4, V2.S4, V3.S4], 64(R0)
	SUBS	$1, R2, R2
	BNE	relumaskloop
	RET

// func neonSum32(x *float32, n int, out *[32]float32)
// out[l] = Σ x[32t + l] over 32t < n, n a positive multiple of 32, each lane
// added in order of t. There is no VFADD in Go's assembler: the additions are
// VFMLA by a vector of ones (V31), whose products x·1 are exact, so each step
// rounds once, exactly as an addition. V16–V23: the 32 lanes.
TEXT ·neonSum32(SB), NOSPLIT, $0-24
	MOVD	x+0(FP), R0
	MOVD	n+8(FP), R1
	MOVD	out+16(FP), R2
	LSR	$5, R1, R1
	MOVW	$0x3f800000, R3 // 1.0
	VDUP	R3, V31.S4
	VEOR	V16.B16, V16.B16, V16.B16
	VEOR	V17.B16, V17.B16, V17.B16
	VEOR	V18.B16, V18.B16, V18.B16
	VEOR	V19.B16, V19.B16, V19.B16
	VEOR	V20.B16, V20.B16, V20.B16
	VEOR	V21.B16, V21.B16, V21.B16
	VEOR	V22.B16, V22.B16, V22.B16
	VEOR	V23.B16, V23.B16, V23.B16

sumloop:
	VLD1.P	64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P	64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	VFMLA	V0.S4, V31.S4, V16.S4
	VFMLA	V1.S4, V31.S4, V17.S4
	VFMLA	V2.S4, V31.S4, V18.S4
	VFMLA	V3.S4, V31.S4, V19.S4
	VFMLA	V4.S4, V31.S4, V20.S4
	VFMLA	V5.S4, V31.S4, V21.S4
	VFMLA	V6.S4, V31.S4, V22.S4
	VFMLA	V7.S4, V31.S4, V23.S4
	SUBS	$1, R1, R1
	BNE	sumloop
	VST1.P	[V16.S4, V17.S4, V18.S4, V19.S4], 64(R2)
	VST1	[V20.S4, V21.S4, V22.S4, V23.S4], (R2)
	RET

// func neonTanh(x *float32, n int)
// x[i] = tanh(x[i]) for i < n (n a positive multiple of 4): Tanh32's formula
// as tanh8 computes it, 1 − 2/(e^{2|x|} + 1) with e^y = 2^k·p(r), a − a³/3
// below 0.0004, the sign of x, NaN kept. Go's assembler has no vector FADD,
// FSUB, FMUL or FDIV: they are WORD encodings (commented with the
// instruction; go tool objdump decodes them back). Float compares are not in
// it either: |x| is a non-negative float, whose bits order like unsigned
// integers, so VUMIN + VCMEQ compare it. k = round(2a·log2e) comes from
// adding 1.5·2²³ (its low mantissa bits are then k), as the float k − that.
// Constants V15–V31, temporaries V0–V11.
TEXT ·neonTanh(SB), NOSPLIT, $0-16
	MOVD	x+0(FP), R0
	MOVD	n+8(FP), R1
	LSR	$2, R1, R1
	MOVW	$0x7f800000, R2 // +Inf: above it, NaN
	VDUP	R2, V16.S4
	MOVW	$0x4b400000, R2 // 1.5·2²³: adding it rounds to an integer
	VDUP	R2, V17.S4
	MOVW	$0x3eaaaaab, R2 // 1/3
	VDUP	R2, V18.S4
	MOVW	$0x39d1b716, R2 // the largest float32 below 0.0004
	VDUP	R2, V19.S4
	MOVW	$0x40000000, R2 // 2
	VDUP	R2, V20.S4
	MOVW	$0x3f800000, R2 // 1
	VDUP	R2, V21.S4
	MOVW	$0x3f000000, R2 // 1/2
	VDUP	R2, V22.S4
	MOVW	$0x3e2aaaab, R2 // 1/6
	VDUP	R2, V23.S4
	MOVW	$0x3d2aaaab, R2 // 1/24
	VDUP	R2, V24.S4
	MOVW	$0x3c088889, R2 // 1/120
	VDUP	R2, V25.S4
	MOVW	$0x3ab60b61, R2 // 1/720
	VDUP	R2, V26.S4
	MOVW	$0xb95e8083, R2 // ln2 low part -2.12194440e-4
	VDUP	R2, V27.S4
	MOVW	$0x3f318000, R2 // ln2 high part 0.693359375
	VDUP	R2, V28.S4
	MOVW	$0x3fb8aa3b, R2 // log2(e)
	VDUP	R2, V29.S4
	MOVW	$0x41119999, R2 // 9.1: beyond, tanh is 1 in float32
	VDUP	R2, V30.S4
	MOVW	$0x7fffffff, R2 // abs mask
	VDUP	R2, V31.S4
	MOVW	$0x4b3fff81, R2 // bits of 1.5·2²³ less the exponent bias 127
	VDUP	R2, V15.S4

tanhloop:
	VLD1	(R0), [V0.S4] // x
	VAND	V31.B16, V0.B16, V1.B16 // a = |x|
	VUMIN	V30.S4, V1.S4, V2.S4 // min(a, 9.1): NaN becomes 9.1 (put back below)
	WORD	$0x4e22d442 // FADD	V2.S4, V2.S4, V2.S4 (y = 2·min(a, 9.1))
	VORR	V17.B16, V17.B16, V3.B16
	VFMLA	V29.S4, V2.S4, V3.S4 // t = 1.5·2²³ + y·log2e, rounded: 1.5·2²³ + k
	WORD	$0x4eb1d464 // FSUB	V4.S4, V3.S4, V17.S4 (k as a float)
	VFMLS	V28.S4, V4.S4, V2.S4 // y -= k·ln2hi
	VFMLS	V27.S4, V4.S4, V2.S4 // y -= k·ln2lo → r
	VORR	V25.B16, V25.B16, V5.B16
	VFMLA	V26.S4, V2.S4, V5.S4 // p = 1/720·r + 1/120
	VORR	V24.B16, V24.B16, V6.B16
	VFMLA	V5.S4, V2.S4, V6.S4 // p = p·r + 1/24
	VORR	V23.B16, V23.B16, V5.B16
	VFMLA	V6.S4, V2.S4, V5.S4 // p·r + 1/6
	VORR	V22.B16, V22.B16, V6.B16
	VFMLA	V5.S4, V2.S4, V6.S4 // p·r + 1/2
	VORR	V21.B16, V21.B16, V5.B16
	VFMLA	V6.S4, V2.S4, V5.S4 // p·r + 1
	VORR	V21.B16, V21.B16, V6.B16
	VFMLA	V5.S4, V2.S4, V6.S4 // p·r + 1 → e^r
	VSUB	V15.S4, V3.S4, V7.S4 // k + 127 (0 ≤ k ≤ 27)
	VSHL	$23, V7.S4, V7.S4 // 2^k
	WORD	$0x6e27dcc6 // FMUL	V6.S4, V6.S4, V7.S4 (e = e^{2a})
	WORD	$0x4e35d4c6 // FADD	V6.S4, V6.S4, V21.S4 (e + 1)
	WORD	$0x6e26fe86 // FDIV	V6.S4, V20.S4, V6.S4 (2/(e + 1))
	WORD	$0x4ea6d6a6 // FSUB	V6.S4, V21.S4, V6.S4 (t = 1 − 2/(e + 1))
	WORD	$0x6e21dc28 // FMUL	V8.S4, V1.S4, V1.S4 (a²)
	WORD	$0x6e21dd08 // FMUL	V8.S4, V8.S4, V1.S4 (a³)
	VORR	V1.B16, V1.B16, V9.B16
	VFMLS	V18.S4, V8.S4, V9.S4 // s = a − a³·(1/3)
	VUMIN	V19.S4, V1.S4, V10.S4
	VCMEQ	V1.S4, V10.S4, V10.S4 // all ones where a < 0.0004
	VBIT	V10.B16, V9.B16, V6.B16 // t = s there
	VBIF	V31.B16, V0.B16, V6.B16 // the sign bit of x
	VUMIN	V16.S4, V1.S4, V11.S4
	VCMEQ	V1.S4, V11.S4, V11.S4 // all ones where x is not NaN
	VBIF	V11.B16, V0.B16, V6.B16 // NaN: x itself
	VST1.P	[V6.S4], 16(R0)
	SUBS	$1, R1, R1
	BNE	tanhloop
	RET
