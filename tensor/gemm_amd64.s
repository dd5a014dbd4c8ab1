//go:build !noasm

#include "textflag.h"

// func tile4x16(c *float32, ldc int, a *float32, ars int, acs int, b *float32, ldb int, k int)
//
// C[i][j] += Σ_kk A[i·ars + kk·acs] · B[kk·ldb + j]   for i < 4, j < 16, kk < k (k ≥ 1).
// Strides are in elements. Eight ymm accumulators hold the 4×16 tile of C;
// each step loads 16 floats of one B row and broadcasts four A values.
TEXT ·tile4x16(SB), NOSPLIT, $0-64
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), R8
	MOVQ a+16(FP), SI
	MOVQ ars+24(FP), R9
	MOVQ acs+32(FP), R10
	MOVQ b+40(FP), DX
	MOVQ ldb+48(FP), R11
	MOVQ k+56(FP), CX
	SHLQ $2, R8
	SHLQ $2, R9
	SHLQ $2, R10
	SHLQ $2, R11

	// C rows: DI, R12, R13, R14
	LEAQ (DI)(R8*1), R12
	LEAQ (R12)(R8*1), R13
	LEAQ (R13)(R8*1), R14
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS (R12), Y2
	VMOVUPS 32(R12), Y3
	VMOVUPS (R13), Y4
	VMOVUPS 32(R13), Y5
	VMOVUPS (R14), Y6
	VMOVUPS 32(R14), Y7

	// A rows: SI, AX, BX, BX+R9
	LEAQ (SI)(R9*1), AX
	LEAQ (AX)(R9*1), BX

loop:
	VMOVUPS (DX), Y8
	VMOVUPS 32(DX), Y9
	VBROADCASTSS (SI), Y10
	VFMADD231PS Y8, Y10, Y0
	VFMADD231PS Y9, Y10, Y1
	VBROADCASTSS (AX), Y11
	VFMADD231PS Y8, Y11, Y2
	VFMADD231PS Y9, Y11, Y3
	VBROADCASTSS (BX), Y12
	VFMADD231PS Y8, Y12, Y4
	VFMADD231PS Y9, Y12, Y5
	VBROADCASTSS (BX)(R9*1), Y13
	VFMADD231PS Y8, Y13, Y6
	VFMADD231PS Y9, Y13, Y7
	ADDQ R10, SI
	ADDQ R10, AX
	ADDQ R10, BX
	ADDQ R11, DX
	DECQ CX
	JNZ  loop

	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, (R12)
	VMOVUPS Y3, 32(R12)
	VMOVUPS Y4, (R13)
	VMOVUPS Y5, 32(R13)
	VMOVUPS Y6, (R14)
	VMOVUPS Y7, 32(R14)
	VZEROUPPER
	RET

// func dot4x2(a *float32, lda int, b *float32, ldb int, p int, out *[64]float32)
//
// out[(i·2 + j)·8 + l] = Σ_q A[i·lda + q]·B[j·ldb + q] over q < p with q ≡ l (mod 8),
// for i < 4, j < 2; p is a positive multiple of 8. The caller adds up each
// group of eight lanes.
TEXT ·dot4x2(SB), NOSPLIT, $0-48
	MOVQ a+0(FP), SI
	MOVQ lda+8(FP), R8
	MOVQ b+16(FP), DX
	MOVQ ldb+24(FP), R9
	MOVQ p+32(FP), CX
	MOVQ out+40(FP), DI
	SHLQ $2, R8
	SHLQ $2, R9
	SHRQ $3, CX

	// A rows: SI, AX, BX, BX+R8; B rows: DX, DX+R9
	LEAQ (SI)(R8*1), AX
	LEAQ (AX)(R8*1), BX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

dloop:
	VMOVUPS (DX), Y8
	VMOVUPS (DX)(R9*1), Y9
	VMOVUPS (SI), Y10
	VFMADD231PS Y8, Y10, Y0
	VFMADD231PS Y9, Y10, Y1
	VMOVUPS (AX), Y11
	VFMADD231PS Y8, Y11, Y2
	VFMADD231PS Y9, Y11, Y3
	VMOVUPS (BX), Y12
	VFMADD231PS Y8, Y12, Y4
	VFMADD231PS Y9, Y12, Y5
	VMOVUPS (BX)(R8*1), Y13
	VFMADD231PS Y8, Y13, Y6
	VFMADD231PS Y9, Y13, Y7
	ADDQ $32, SI
	ADDQ $32, AX
	ADDQ $32, BX
	ADDQ $32, DX
	DECQ CX
	JNZ  dloop

	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	VMOVUPS Y4, 128(DI)
	VMOVUPS Y5, 160(DI)
	VMOVUPS Y6, 192(DI)
	VMOVUPS Y7, 224(DI)
	VZEROUPPER
	RET

// func tile1x32(c *float32, a *float32, acs int, b *float32, ldb int, k int)
//
// C[j] += Σ_kk A[kk·acs] · B[kk·ldb + j]   for j < 32, kk < k (k ≥ 1): one row
// of C, for products with fewer than four rows.
TEXT ·tile1x32(SB), NOSPLIT, $0-48
	MOVQ c+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ acs+16(FP), R10
	MOVQ b+24(FP), DX
	MOVQ ldb+32(FP), R11
	MOVQ k+40(FP), CX
	SHLQ $2, R10
	SHLQ $2, R11
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	VMOVUPS 96(DI), Y3

loop1:
	VBROADCASTSS (SI), Y8
	VFMADD231PS (DX), Y8, Y0
	VFMADD231PS 32(DX), Y8, Y1
	VFMADD231PS 64(DX), Y8, Y2
	VFMADD231PS 96(DX), Y8, Y3
	ADDQ R10, SI
	ADDQ R11, DX
	DECQ CX
	JNZ  loop1

	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	VZEROUPPER
	RET
