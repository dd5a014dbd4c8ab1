//go:build !noasm

#include "textflag.h"

// The AVX-512 products over shifted grids: C[i][j] (+)= Σ_t Σ_s A[t][s][i] ·
// B[s][j + shift_t], where each term t reads B at its own offset under its own
// lane masks (0 where the shifted pixel leaves the grid). A transposed
// convolution's parity classes and a convolution over parity planes are both
// this product, with no shifted copies in memory.
//
// Arguments shared by termTile8 and termTile1 (strides in bytes):
//   c, ldc      C tile and its row stride
//   a, lda      A for this tile's rows, [t][s] steps of lda
//   b, lds      B at the tile's first column, rows s lds apart
//   cs          rows s per term
//   offs        [nterms] byte offsets of each term's B
//   masks, nvb  mask table at the tile's first vector; term t's masks start
//               nvb bytes after term t-1's
//   bias, flags flags bit 0: start from bias[i] (else from C); bit 1: ReLU
//   stmask      store mask of the tile's columns (all ones: whole vectors)

// func termTile8(c *float32, ldc int, a *float32, lda int, b *float32, lds int, cs int, offs *int, masks *uint16, nvb int, nterms int, bias *float32, flags int, stmask uint64)
//
// Eight rows of C by 32 columns.
TEXT ·termTile8(SB), NOSPLIT, $0-112
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), R8
	MOVQ flags+96(FP), AX
	TESTQ $1, AX
	JZ   t8load
	MOVQ bias+88(FP), SI
	VBROADCASTSS (SI), Z0
	VBROADCASTSS 4(SI), Z2
	VBROADCASTSS 8(SI), Z4
	VBROADCASTSS 12(SI), Z6
	VBROADCASTSS 16(SI), Z8
	VBROADCASTSS 20(SI), Z10
	VBROADCASTSS 24(SI), Z12
	VBROADCASTSS 28(SI), Z14
	VMOVAPS Z0, Z1
	VMOVAPS Z2, Z3
	VMOVAPS Z4, Z5
	VMOVAPS Z6, Z7
	VMOVAPS Z8, Z9
	VMOVAPS Z10, Z11
	VMOVAPS Z12, Z13
	VMOVAPS Z14, Z15
	JMP  t8go

t8load:
	MOVQ DI, SI
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	ADDQ R8, SI
	VMOVUPS (SI), Z2
	VMOVUPS 64(SI), Z3
	ADDQ R8, SI
	VMOVUPS (SI), Z4
	VMOVUPS 64(SI), Z5
	ADDQ R8, SI
	VMOVUPS (SI), Z6
	VMOVUPS 64(SI), Z7
	ADDQ R8, SI
	VMOVUPS (SI), Z8
	VMOVUPS 64(SI), Z9
	ADDQ R8, SI
	VMOVUPS (SI), Z10
	VMOVUPS 64(SI), Z11
	ADDQ R8, SI
	VMOVUPS (SI), Z12
	VMOVUPS 64(SI), Z13
	ADDQ R8, SI
	VMOVUPS (SI), Z14
	VMOVUPS 64(SI), Z15

t8go:
	MOVQ a+16(FP), AX
	MOVQ lda+24(FP), BX
	MOVQ b+32(FP), DX
	MOVQ lds+40(FP), R9
	MOVQ offs+56(FP), R11
	MOVQ masks+64(FP), R12
	MOVQ nvb+72(FP), R13
	MOVQ nterms+80(FP), CX

t8term:
	MOVWLZX (R12), R10
	KMOVW R10, K1
	MOVWLZX 2(R12), R10
	KMOVW R10, K2
	MOVQ (R11), SI
	ADDQ DX, SI
	MOVQ cs+48(FP), R14

t8s:
	VMOVUPS.Z (SI), K1, Z16
	VMOVUPS.Z 64(SI), K2, Z17
	VFMADD231PS.BCST (AX), Z16, Z0
	VFMADD231PS.BCST (AX), Z17, Z1
	VFMADD231PS.BCST 4(AX), Z16, Z2
	VFMADD231PS.BCST 4(AX), Z17, Z3
	VFMADD231PS.BCST 8(AX), Z16, Z4
	VFMADD231PS.BCST 8(AX), Z17, Z5
	VFMADD231PS.BCST 12(AX), Z16, Z6
	VFMADD231PS.BCST 12(AX), Z17, Z7
	VFMADD231PS.BCST 16(AX), Z16, Z8
	VFMADD231PS.BCST 16(AX), Z17, Z9
	VFMADD231PS.BCST 20(AX), Z16, Z10
	VFMADD231PS.BCST 20(AX), Z17, Z11
	VFMADD231PS.BCST 24(AX), Z16, Z12
	VFMADD231PS.BCST 24(AX), Z17, Z13
	VFMADD231PS.BCST 28(AX), Z16, Z14
	VFMADD231PS.BCST 28(AX), Z17, Z15
	ADDQ BX, AX
	ADDQ R9, SI
	DECQ R14
	JNZ  t8s
	ADDQ $8, R11
	ADDQ R13, R12
	DECQ CX
	JNZ  t8term

	MOVQ flags+96(FP), AX
	TESTQ $2, AX
	JZ   t8store
	VPXORD Z19, Z19, Z19
	VMAXPS Z19, Z0, Z0
	VMAXPS Z19, Z1, Z1
	VMAXPS Z19, Z2, Z2
	VMAXPS Z19, Z3, Z3
	VMAXPS Z19, Z4, Z4
	VMAXPS Z19, Z5, Z5
	VMAXPS Z19, Z6, Z6
	VMAXPS Z19, Z7, Z7
	VMAXPS Z19, Z8, Z8
	VMAXPS Z19, Z9, Z9
	VMAXPS Z19, Z10, Z10
	VMAXPS Z19, Z11, Z11
	VMAXPS Z19, Z12, Z12
	VMAXPS Z19, Z13, Z13
	VMAXPS Z19, Z14, Z14
	VMAXPS Z19, Z15, Z15

t8store:
	MOVQ stmask+104(FP), AX
	CMPL AX, $-1
	JNE  t8mstore
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	ADDQ R8, DI
	VMOVUPS Z2, (DI)
	VMOVUPS Z3, 64(DI)
	ADDQ R8, DI
	VMOVUPS Z4, (DI)
	VMOVUPS Z5, 64(DI)
	ADDQ R8, DI
	VMOVUPS Z6, (DI)
	VMOVUPS Z7, 64(DI)
	ADDQ R8, DI
	VMOVUPS Z8, (DI)
	VMOVUPS Z9, 64(DI)
	ADDQ R8, DI
	VMOVUPS Z10, (DI)
	VMOVUPS Z11, 64(DI)
	ADDQ R8, DI
	VMOVUPS Z12, (DI)
	VMOVUPS Z13, 64(DI)
	ADDQ R8, DI
	VMOVUPS Z14, (DI)
	VMOVUPS Z15, 64(DI)
	VZEROUPPER
	RET

t8mstore:
	KMOVW AX, K1
	SHRQ $16, AX
	KMOVW AX, K2
	VMOVUPS Z0, K1, (DI)
	VMOVUPS Z1, K2, 64(DI)
	ADDQ R8, DI
	VMOVUPS Z2, K1, (DI)
	VMOVUPS Z3, K2, 64(DI)
	ADDQ R8, DI
	VMOVUPS Z4, K1, (DI)
	VMOVUPS Z5, K2, 64(DI)
	ADDQ R8, DI
	VMOVUPS Z6, K1, (DI)
	VMOVUPS Z7, K2, 64(DI)
	ADDQ R8, DI
	VMOVUPS Z8, K1, (DI)
	VMOVUPS Z9, K2, 64(DI)
	ADDQ R8, DI
	VMOVUPS Z10, K1, (DI)
	VMOVUPS Z11, K2, 64(DI)
	ADDQ R8, DI
	VMOVUPS Z12, K1, (DI)
	VMOVUPS Z13, K2, 64(DI)
	ADDQ R8, DI
	VMOVUPS Z14, K1, (DI)
	VMOVUPS Z15, K2, 64(DI)
	VZEROUPPER
	RET

// func termTile1(c *float32, ldc int, a *float32, lda int, b *float32, lds int, cs int, offs *int, masks *uint16, nvb int, nterms int, bias *float32, flags int, stmask uint64)
//
// One row of C by 64 columns (stmask: 64 lanes).
TEXT ·termTile1(SB), NOSPLIT, $0-112
	MOVQ c+0(FP), DI
	MOVQ flags+96(FP), AX
	TESTQ $1, AX
	JZ   t1load
	MOVQ bias+88(FP), SI
	VBROADCASTSS (SI), Z0
	VMOVAPS Z0, Z1
	VMOVAPS Z0, Z2
	VMOVAPS Z0, Z3
	JMP  t1go

t1load:
	MOVQ stmask+104(FP), AX
	KMOVW AX, K3
	VMOVUPS.Z (DI), K3, Z0
	SHRQ $16, AX
	KMOVW AX, K3
	VMOVUPS.Z 64(DI), K3, Z1
	SHRQ $16, AX
	KMOVW AX, K3
	VMOVUPS.Z 128(DI), K3, Z2
	SHRQ $16, AX
	KMOVW AX, K3
	VMOVUPS.Z 192(DI), K3, Z3

t1go:
	MOVQ a+16(FP), AX
	MOVQ lda+24(FP), BX
	MOVQ b+32(FP), DX
	MOVQ lds+40(FP), R9
	MOVQ offs+56(FP), R11
	MOVQ masks+64(FP), R12
	MOVQ nvb+72(FP), R13
	MOVQ nterms+80(FP), CX

t1term:
	MOVWLZX (R12), R10
	KMOVW R10, K1
	MOVWLZX 2(R12), R10
	KMOVW R10, K2
	MOVWLZX 4(R12), R10
	KMOVW R10, K3
	MOVWLZX 6(R12), R10
	KMOVW R10, K4
	MOVQ (R11), SI
	ADDQ DX, SI
	MOVQ cs+48(FP), R14

t1s:
	VMOVUPS.Z (SI), K1, Z16
	VFMADD231PS.BCST (AX), Z16, Z0
	VMOVUPS.Z 64(SI), K2, Z17
	VFMADD231PS.BCST (AX), Z17, Z1
	VMOVUPS.Z 128(SI), K3, Z16
	VFMADD231PS.BCST (AX), Z16, Z2
	VMOVUPS.Z 192(SI), K4, Z17
	VFMADD231PS.BCST (AX), Z17, Z3
	ADDQ BX, AX
	ADDQ R9, SI
	DECQ R14
	JNZ  t1s
	ADDQ $8, R11
	ADDQ R13, R12
	DECQ CX
	JNZ  t1term

	MOVQ flags+96(FP), AX
	TESTQ $2, AX
	JZ   t1store
	VPXORD Z19, Z19, Z19
	VMAXPS Z19, Z0, Z0
	VMAXPS Z19, Z1, Z1
	VMAXPS Z19, Z2, Z2
	VMAXPS Z19, Z3, Z3

t1store:
	MOVQ stmask+104(FP), AX
	CMPQ AX, $-1
	JNE  t1mstore
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	VZEROUPPER
	RET

t1mstore:
	KMOVW AX, K1
	SHRQ $16, AX
	KMOVW AX, K2
	SHRQ $16, AX
	KMOVW AX, K3
	SHRQ $16, AX
	KMOVW AX, K4
	VMOVUPS Z0, K1, (DI)
	VMOVUPS Z1, K2, 64(DI)
	VMOVUPS Z2, K3, 128(DI)
	VMOVUPS Z3, K4, 192(DI)
	VZEROUPPER
	RET

// func dotTerms4x4(a *float32, lda int, b *float32, offs *[4]int, masks *uint16, moffs *[4]int, nvec int, out *[256]float32)
//
// Long-reduction tile over shifted rows: out[(i·4 + j)·16 + l] = Σ_v
// A[i][16v + l] · B_j[16v + l] for i, j < 4, v < nvec, where A's rows are
// lda bytes apart and B_j is b + offs[j] bytes read under the lane masks at
// masks + moffs[j] bytes (one uint16 per vector). The caller adds up each
// group of 16 lanes.
TEXT ·dotTerms4x4(SB), NOSPLIT, $0-64
	MOVQ a+0(FP), SI
	MOVQ lda+8(FP), R8
	LEAQ (R8)(R8*2), R14
	MOVQ b+16(FP), R10
	MOVQ offs+24(FP), AX
	MOVQ 8(AX), R11
	MOVQ 16(AX), R12
	MOVQ 24(AX), R13
	MOVQ (AX), AX
	ADDQ R10, R11
	ADDQ R10, R12
	ADDQ R10, R13
	ADDQ AX, R10
	MOVQ masks+32(FP), CX
	MOVQ moffs+40(FP), DI
	MOVQ (DI), AX
	MOVQ 8(DI), BX
	MOVQ 16(DI), DX
	MOVQ 24(DI), DI
	ADDQ CX, AX
	ADDQ CX, BX
	ADDQ CX, DX
	ADDQ CX, DI
	MOVQ nvec+48(FP), CX
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15

dloop:
	KMOVW (AX), K1
	KMOVW (BX), K2
	KMOVW (DX), K3
	KMOVW (DI), K4
	VMOVUPS.Z (R10), K1, Z20
	VMOVUPS.Z (R11), K2, Z21
	VMOVUPS.Z (R12), K3, Z22
	VMOVUPS.Z (R13), K4, Z23
	VMOVUPS (SI), Z16
	VFMADD231PS Z20, Z16, Z0
	VFMADD231PS Z21, Z16, Z1
	VFMADD231PS Z22, Z16, Z2
	VFMADD231PS Z23, Z16, Z3
	VMOVUPS (SI)(R8*1), Z17
	VFMADD231PS Z20, Z17, Z4
	VFMADD231PS Z21, Z17, Z5
	VFMADD231PS Z22, Z17, Z6
	VFMADD231PS Z23, Z17, Z7
	VMOVUPS (SI)(R8*2), Z18
	VFMADD231PS Z20, Z18, Z8
	VFMADD231PS Z21, Z18, Z9
	VFMADD231PS Z22, Z18, Z10
	VFMADD231PS Z23, Z18, Z11
	VMOVUPS (SI)(R14*1), Z19
	VFMADD231PS Z20, Z19, Z12
	VFMADD231PS Z21, Z19, Z13
	VFMADD231PS Z22, Z19, Z14
	VFMADD231PS Z23, Z19, Z15
	ADDQ $64, SI
	ADDQ $64, R10
	ADDQ $64, R11
	ADDQ $64, R12
	ADDQ $64, R13
	ADDQ $2, AX
	ADDQ $2, BX
	ADDQ $2, DX
	ADDQ $2, DI
	DECQ CX
	JNZ  dloop

	MOVQ out+56(FP), DI
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	VMOVUPS Z4, 256(DI)
	VMOVUPS Z5, 320(DI)
	VMOVUPS Z6, 384(DI)
	VMOVUPS Z7, 448(DI)
	VMOVUPS Z8, 512(DI)
	VMOVUPS Z9, 576(DI)
	VMOVUPS Z10, 640(DI)
	VMOVUPS Z11, 704(DI)
	VMOVUPS Z12, 768(DI)
	VMOVUPS Z13, 832(DI)
	VMOVUPS Z14, 896(DI)
	VMOVUPS Z15, 960(DI)
	VZEROUPPER
	RET

// func classTile1(stack *float32, small int, a *float32, b *float32, lds int, cs int, masks *uint16, nvb int, wo int, bias *float32, flags int)
//
// A transposed convolution to one channel, all four parity classes of 32
// columns at once: stack[cls·small + j] for j < 32 from the small grid b
// (rows s lds bytes apart, cs of them) and the weights a [cs][9] (tap kh·3+kw),
// each shifted view of b loaded once per s and shared by the classes that use
// it. masks are the class plan's lane masks at the tile's first vector
// (blocks nvb bytes apart: shift (0,0) (0,1) (1,1) (1,0)); the tile must be
// whole (no shift-(0,0) lane masked). flags as termTile8.
TEXT ·classTile1(SB), NOSPLIT, $0-88
	MOVQ stack+0(FP), DI
	MOVQ small+8(FP), R8
	SHLQ $2, R8
	MOVQ a+16(FP), AX
	MOVQ b+24(FP), SI
	MOVQ lds+32(FP), R9
	MOVQ cs+40(FP), CX
	MOVQ masks+48(FP), DX
	MOVQ nvb+56(FP), BX
	MOVWLZX (DX)(BX*1), R10
	KMOVW R10, K1
	MOVWLZX 2(DX)(BX*1), R10
	KMOVW R10, K2
	LEAQ (DX)(BX*2), DX
	MOVWLZX (DX), R10
	KMOVW R10, K3
	MOVWLZX 2(DX), R10
	KMOVW R10, K4
	MOVWLZX (DX)(BX*1), R10
	KMOVW R10, K5
	MOVWLZX 2(DX)(BX*1), R10
	KMOVW R10, K6
	MOVQ wo+64(FP), R11
	SHLQ $2, R11 // shift (1,0)
	LEAQ 4(R11), R12 // shift (1,1)
	MOVQ flags+80(FP), R13
	MOVQ bias+72(FP), R10
	VBROADCASTSS (R10), Z0
	TESTQ $1, R13
	JNZ  c1init
	VPXORD Z0, Z0, Z0

c1init:
	VMOVAPS Z0, Z1
	VMOVAPS Z0, Z2
	VMOVAPS Z0, Z3
	VMOVAPS Z0, Z4
	VMOVAPS Z0, Z5
	VMOVAPS Z0, Z6
	VMOVAPS Z0, Z7

c1s:
	VMOVUPS (SI), Z16
	VMOVUPS 64(SI), Z17
	VMOVUPS.Z 4(SI), K1, Z18
	VMOVUPS.Z 68(SI), K2, Z19
	VMOVUPS.Z (SI)(R12*1), K3, Z20
	VMOVUPS.Z 64(SI)(R12*1), K4, Z21
	VMOVUPS.Z (SI)(R11*1), K5, Z22
	VMOVUPS.Z 64(SI)(R11*1), K6, Z23
	// class (0,0): tap 4 at shift (0,0)
	VFMADD231PS.BCST 16(AX), Z16, Z0
	VFMADD231PS.BCST 16(AX), Z17, Z1
	// class (0,1): tap 5 at (0,0), tap 3 at (0,1)
	VFMADD231PS.BCST 20(AX), Z16, Z2
	VFMADD231PS.BCST 20(AX), Z17, Z3
	// class (1,0): tap 7 at (0,0), tap 1 at (1,0)
	VFMADD231PS.BCST 28(AX), Z16, Z4
	VFMADD231PS.BCST 28(AX), Z17, Z5
	// class (1,1): tap 8 at (0,0), 6 at (0,1), 0 at (1,1), 2 at (1,0)
	VFMADD231PS.BCST 32(AX), Z16, Z6
	VFMADD231PS.BCST 32(AX), Z17, Z7
	VFMADD231PS.BCST 12(AX), Z18, Z2
	VFMADD231PS.BCST 12(AX), Z19, Z3
	VFMADD231PS.BCST 4(AX), Z22, Z4
	VFMADD231PS.BCST 4(AX), Z23, Z5
	VFMADD231PS.BCST 24(AX), Z18, Z6
	VFMADD231PS.BCST 24(AX), Z19, Z7
	VFMADD231PS.BCST (AX), Z20, Z6
	VFMADD231PS.BCST (AX), Z21, Z7
	VFMADD231PS.BCST 8(AX), Z22, Z6
	VFMADD231PS.BCST 8(AX), Z23, Z7
	ADDQ $36, AX
	ADDQ R9, SI
	DECQ CX
	JNZ  c1s

	TESTQ $2, R13
	JZ   c1store
	VPXORD Z19, Z19, Z19
	VMAXPS Z19, Z0, Z0
	VMAXPS Z19, Z1, Z1
	VMAXPS Z19, Z2, Z2
	VMAXPS Z19, Z3, Z3
	VMAXPS Z19, Z4, Z4
	VMAXPS Z19, Z5, Z5
	VMAXPS Z19, Z6, Z6
	VMAXPS Z19, Z7, Z7

c1store:
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	ADDQ R8, DI
	VMOVUPS Z2, (DI)
	VMOVUPS Z3, 64(DI)
	ADDQ R8, DI
	VMOVUPS Z4, (DI)
	VMOVUPS Z5, 64(DI)
	ADDQ R8, DI
	VMOVUPS Z6, (DI)
	VMOVUPS Z7, 64(DI)
	VZEROUPPER
	RET
