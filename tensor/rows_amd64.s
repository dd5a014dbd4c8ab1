//go:build !noasm

#include "textflag.h"

// The AVX-512 kernels of the 3×3 stride-2 windows, without gathers: a large
// grid's row (at most 32 floats) is split into its even and odd columns, or
// woven back from them, by one two-table permutation per 16 output lanes;
// shifted copies of a small grid are whole-vector loads under a lane mask.
// Masked stores are slow on Zen 4: stores are whole vectors, their spill
// overwritten by the next rows, except near the end of an output block.

// func interleaveRows(dst *float32, stack *float32, idx *[32]int32, small int, imgs int, ho int, odd int, w int, masks uint64, dstLen int, stackLen int, gate *float32)
//
// The four parity classes of a large grid, stack [4][small] (class 2r+s holds
// the pixels (2a+r, 2b+s) as [imgs][ho][wo], wo = small/(imgs·ho)), woven
// back into dst [imgs][h][w], h = 2·ho - odd. Row 2a+r of an image is class
// (r,0) and class (r,1) row a, lane i taken from idx (two tables of 16: lanes
// 0-15 and 16-31 of the row). masks: load (bits 0-15), store of lanes 0-15
// (16-31), store of lanes 16-31 (32-47; 0: rows of at most 16). Stores are
// whole vectors except where one would cross dst's end (dstLen floats);
// class rows of at most 8 floats are read as half vectors except where one
// would cross the stack's end (stackLen floats). For rows of at most 16
// floats, gate (nil, or laid out as dst) zeroes dst where it is not positive.
TEXT ·interleaveRows(SB), NOSPLIT, $0-96
	MOVQ dst+0(FP), DI
	MOVQ stack+8(FP), SI
	MOVQ idx+16(FP), AX
	VMOVDQU32 (AX), Z28
	VMOVDQU32 64(AX), Z29
	MOVQ small+24(FP), R8
	SHLQ $2, R8 // class stride in bytes
	MOVQ imgs+32(FP), CX
	MOVQ ho+40(FP), R9
	MOVQ gate+88(FP), R10
	TESTQ R10, R10
	JZ   inogate
	SUBQ DI, R10 // gate - dst in bytes

inogate:
	VPXORD Z30, Z30, Z30
	MOVQ w+56(FP), R11
	SHLQ $2, R11 // output row in bytes
	MOVQ masks+64(FP), AX
	KMOVW AX, K1
	SHRQ $16, AX
	KMOVW AX, K2
	SHRQ $16, AX
	KMOVW AX, K3
	// wo in bytes = small·4 / (imgs·ho)
	MOVQ R8, AX
	XORQ DX, DX
	MOVQ CX, BX
	IMULQ R9, BX
	DIVQ BX
	MOVQ AX, R12        // wo·4
	LEAQ (R8)(R8*1), R13 // 2·small·4: class (1,0)
	LEAQ (R13)(R8*1), R14 // 3·small·4: class (1,1)
	MOVQ dstLen+72(FP), AX
	LEAQ -64(DI)(AX*4), AX // last dst address with room for a whole vector
	KORTESTW K3, K3
	JNZ  iimg2
	// last stack address from which class (1,1) has a half vector
	MOVQ stackLen+80(FP), BX
	LEAQ -32(SI)(BX*4), BX
	SUBQ R14, BX

iimg:
	MOVQ R9, DX

irow:
	// even row: classes (0,0) and (0,1); a class row has at most 8 floats
	CMPQ SI, BX
	JA   imload0
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R8*1), Y1
	JMP  iperm0

imload0:
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (SI)(R8*1), K1, Z1

iperm0:
	VMOVAPS Z28, Z2
	VPERMI2PS Z1, Z0, Z2
	TESTQ R10, R10
	JZ   istore0
	VCMPPS $0x01, (DI)(R10*1), Z30, K2, K4 // 0 < gate
	VMOVAPS.Z Z2, K4, Z2

istore0:
	CMPQ DI, AX
	JA   imstore0
	VMOVUPS Z2, (DI)
	JMP  inext0

imstore0:
	VMOVUPS Z2, K2, (DI)

inext0:
	ADDQ R11, DI
	CMPQ DX, $1
	JNE  iodd
	CMPQ odd+48(FP), $0
	JNE  iskip

iodd:
	// odd row: classes (1,0) and (1,1)
	CMPQ SI, BX
	JA   imload1
	VMOVUPS (SI)(R13*1), Y0
	VMOVUPS (SI)(R14*1), Y1
	JMP  iperm1

imload1:
	VMOVUPS.Z (SI)(R13*1), K1, Z0
	VMOVUPS.Z (SI)(R14*1), K1, Z1

iperm1:
	VMOVAPS Z28, Z2
	VPERMI2PS Z1, Z0, Z2
	TESTQ R10, R10
	JZ   istore1
	VCMPPS $0x01, (DI)(R10*1), Z30, K2, K4 // 0 < gate
	VMOVAPS.Z Z2, K4, Z2

istore1:
	CMPQ DI, AX
	JA   imstore1
	VMOVUPS Z2, (DI)
	JMP  inext1

imstore1:
	VMOVUPS Z2, K2, (DI)

inext1:
	ADDQ R11, DI

iskip:
	ADDQ R12, SI
	DECQ DX
	JNZ  irow
	DECQ CX
	JNZ  iimg
	VZEROUPPER
	RET

	// rows of 17 to 32 floats: two output vectors
iimg2:
	SUBQ $64, AX
	MOVQ R9, DX

irow2:
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (SI)(R8*1), K1, Z1
	VMOVAPS Z28, Z2
	VMOVAPS Z29, Z3
	VPERMI2PS Z1, Z0, Z2
	VPERMI2PS Z1, Z0, Z3
	VMOVUPS Z2, (DI)
	CMPQ DI, AX
	JA   imstore20
	VMOVUPS Z3, 64(DI)
	JMP  inext20

imstore20:
	VMOVUPS Z3, K3, 64(DI)

inext20:
	ADDQ R11, DI
	CMPQ DX, $1
	JNE  iodd2
	CMPQ odd+48(FP), $0
	JNE  iskip2

iodd2:
	VMOVUPS.Z (SI)(R13*1), K1, Z0
	VMOVUPS.Z (SI)(R14*1), K1, Z1
	VMOVAPS Z28, Z2
	VMOVAPS Z29, Z3
	VPERMI2PS Z1, Z0, Z2
	VPERMI2PS Z1, Z0, Z3
	VMOVUPS Z2, (DI)
	CMPQ DI, AX
	JA   imstore21
	VMOVUPS Z3, 64(DI)
	JMP  inext21

imstore21:
	VMOVUPS Z3, K3, 64(DI)

inext21:
	ADDQ R11, DI

iskip2:
	ADDQ R12, SI
	DECQ DX
	JNZ  irow2
	MOVQ R9, DX
	DECQ CX
	JNZ  irow2
	VZEROUPPER
	RET

// func maskCopy(dst *float32, src *float32, delta int, masks *uint16, period int, n int)
//
// dst[q] = src[q + delta] where bit q mod 16 of masks[(q/16) mod period] is
// set, else 0, for q < n: a shifted copy with a periodic pattern of zeros.
// Lanes whose bit is clear are never read (src + delta may point outside
// src's slice there). The last, partial vector is stored with a mask.
TEXT ·maskCopy(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ delta+16(FP), AX
	LEAQ (SI)(AX*4), SI
	MOVQ masks+24(FP), R8
	MOVQ period+32(FP), R9
	MOVQ n+40(FP), CX
	XORQ R10, R10
	CMPQ CX, $16
	JLT  mtail

mloop:
	MOVWLZX (R8)(R10*2), AX
	KMOVW   AX, K1
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	INCQ R10
	CMPQ R10, R9
	JNE  mnowrap
	XORQ R10, R10

mnowrap:
	SUBQ $16, CX
	CMPQ CX, $16
	JGE  mloop

mtail:
	TESTQ CX, CX
	JZ    mdone
	MOVL  $1, DX
	SHLL  CX, DX
	DECL  DX
	KMOVW DX, K2
	MOVWLZX (R8)(R10*2), AX
	ANDL  DX, AX
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS Z0, K2, (DI)

mdone:
	VZEROUPPER
	RET

// func splitRows(p0 *float32, p1 *float32, p2 *float32, p3 *float32, x *float32, idx *[32]int32, imgs int, ho int, odd int, w int, masks uint64, plane int, womask uint64, xlen int)
//
// The inverse of interleaveRows: x [imgs][h][w] (h = 2·ho - odd) split into
// its four parity classes, class 2r+s at p(2r+s) [imgs][ho][wo] holding
// x[2a+r][2b+s] (0 past the grid). idx: lanes 0-15 select the even columns of a
// row, lanes 16-31 the odd ones. masks: load lanes 0-15 (bits 0-15), load
// lanes 16-31 (16-31), even lanes (32-47), odd lanes (48-63). plane is each
// class's length in floats: stores are whole vectors except where one would
// cross that end; womask has the first wo lanes set. Rows of at most 16 floats
// are read with whole vectors except where one would cross x's end (xlen
// floats) and permuted from one table.
TEXT ·splitRows(SB), NOSPLIT, $0-112
	MOVQ p0+0(FP), DI
	MOVQ p1+8(FP), R8
	MOVQ p2+16(FP), R9
	MOVQ p3+24(FP), R10
	MOVQ x+32(FP), SI
	MOVQ idx+40(FP), AX
	VMOVDQU32 (AX), Z28
	VMOVDQU32 64(AX), Z29
	MOVQ imgs+48(FP), CX
	MOVQ ho+56(FP), R11
	MOVQ odd+64(FP), R12
	MOVQ w+72(FP), R13
	SHLQ $2, R13 // input row in bytes
	MOVQ masks+80(FP), AX
	KMOVW AX, K1
	SHRQ $16, AX
	KMOVW AX, K2
	SHRQ $16, AX
	KMOVW AX, K3
	SHRQ $16, AX
	KMOVW AX, K4
	// output row in bytes: wo = (w + 1) / 2
	MOVQ w+72(FP), AX
	INCQ AX
	SHRQ $1, AX
	SHLQ $2, AX
	MOVQ AX, R14
	MOVQ plane+88(FP), AX
	LEAQ -64(DI)(AX*4), BX // last p0 address with room for a whole vector
	MOVQ womask+96(FP), AX
	KMOVW AX, K6 // wo lanes
	VPXORD Z31, Z31, Z31
	KORTESTW K2, K2
	JZ   s16

simg:
	MOVQ R11, DX

srow:
	// row 2a → classes (0,0) and (0,1)
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z 64(SI), K2, Z1
	VMOVAPS Z28, Z2
	VPERMI2PS.Z Z1, Z0, K3, Z2
	VMOVAPS Z29, Z3
	VPERMI2PS.Z Z1, Z0, K4, Z3
	ADDQ R13, SI
	CMPQ DX, $1
	JNE  sodd
	CMPQ R12, $0
	JEQ  sodd
	// no row 2a+1: zeros
	VMOVAPS Z31, Z4
	VMOVAPS Z31, Z5
	JMP  sstore

sodd:
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z 64(SI), K2, Z1
	VMOVAPS Z28, Z4
	VPERMI2PS.Z Z1, Z0, K3, Z4
	VMOVAPS Z29, Z5
	VPERMI2PS.Z Z1, Z0, K4, Z5
	ADDQ R13, SI

sstore:
	CMPQ DI, BX
	JA   smstore
	VMOVUPS Z2, (DI)
	VMOVUPS Z3, (R8)
	VMOVUPS Z4, (R9)
	VMOVUPS Z5, (R10)
	JMP  snext

smstore:
	VMOVUPS Z2, K6, (DI)
	VMOVUPS Z3, K6, (R8)
	VMOVUPS Z4, K6, (R9)
	VMOVUPS Z5, K6, (R10)

snext:
	ADDQ R14, DI
	ADDQ R14, R8
	ADDQ R14, R9
	ADDQ R14, R10
	DECQ DX
	JNZ  srow
	DECQ CX
	JNZ  simg
	VZEROUPPER
	RET

	// rows of at most 16 floats
s16:
	ADDQ $32, BX // last p0 address with room for a half vector
	MOVQ xlen+104(FP), AX
	LEAQ -64(SI)(AX*4), AX // last x address with room for a whole vector

s16img:
	MOVQ R11, DX

s16row:
	CMPQ SI, AX
	JA   s16m0
	VMOVUPS (SI), Z0
	JMP  s16r0

s16m0:
	VMOVUPS.Z (SI), K1, Z0

s16r0:
	VPERMPS.Z Z0, Z28, K3, Z2
	VPERMPS.Z Z0, Z29, K4, Z3
	ADDQ R13, SI
	CMPQ DX, $1
	JNE  s16odd
	CMPQ R12, $0
	JEQ  s16odd
	VMOVAPS Z31, Z4
	VMOVAPS Z31, Z5
	JMP  s16store

s16odd:
	CMPQ SI, AX
	JA   s16m1
	VMOVUPS (SI), Z1
	JMP  s16r1

s16m1:
	VMOVUPS.Z (SI), K1, Z1

s16r1:
	VPERMPS.Z Z1, Z28, K3, Z4
	VPERMPS.Z Z1, Z29, K4, Z5
	ADDQ R13, SI

s16store:
	// a class row has at most 8 floats: half vectors, fewer split cache lines
	CMPQ DI, BX
	JA   s16mstore
	VMOVUPS Y2, (DI)
	VMOVUPS Y3, (R8)
	VMOVUPS Y4, (R9)
	VMOVUPS Y5, (R10)
	JMP  s16next

s16mstore:
	VMOVUPS Z2, K6, (DI)
	VMOVUPS Z3, K6, (R8)
	VMOVUPS Z4, K6, (R9)
	VMOVUPS Z5, K6, (R10)

s16next:
	ADDQ R14, DI
	ADDQ R14, R8
	ADDQ R14, R9
	ADDQ R14, R10
	DECQ DX
	JNZ  s16row
	DECQ CX
	JNZ  s16img
	VZEROUPPER
	RET
