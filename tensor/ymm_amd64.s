//go:build !noasm

#include "textflag.h"

// The AVX2+FMA kernels of the parity-class design: the same products as the
// AVX-512 ones (termtile_amd64.s), each output element computed with the same
// float32 operations in the same order, so both paths give identical bits.
// No gathers; the shifted views are read with masked loads (VMASKMOVPS, one
// µop), and nothing stores under a mask: the callers hand partial tiles a
// scratch tile.

// bitLanes tests bit i of a lane mask in lane i (lanes 0-7, 8-15, 16-23).
DATA ·bitLanes+0(SB)/4, $1
DATA ·bitLanes+4(SB)/4, $2
DATA ·bitLanes+8(SB)/4, $4
DATA ·bitLanes+12(SB)/4, $8
DATA ·bitLanes+16(SB)/4, $16
DATA ·bitLanes+20(SB)/4, $32
DATA ·bitLanes+24(SB)/4, $64
DATA ·bitLanes+28(SB)/4, $128
DATA ·bitLanes+32(SB)/4, $256
DATA ·bitLanes+36(SB)/4, $512
DATA ·bitLanes+40(SB)/4, $1024
DATA ·bitLanes+44(SB)/4, $2048
DATA ·bitLanes+48(SB)/4, $4096
DATA ·bitLanes+52(SB)/4, $8192
DATA ·bitLanes+56(SB)/4, $16384
DATA ·bitLanes+60(SB)/4, $32768
DATA ·bitLanes+64(SB)/4, $0x10000
DATA ·bitLanes+68(SB)/4, $0x20000
DATA ·bitLanes+72(SB)/4, $0x40000
DATA ·bitLanes+76(SB)/4, $0x80000
DATA ·bitLanes+80(SB)/4, $0x100000
DATA ·bitLanes+84(SB)/4, $0x200000
DATA ·bitLanes+88(SB)/4, $0x400000
DATA ·bitLanes+92(SB)/4, $0x800000
GLOBL ·bitLanes(SB), RODATA|NOPTR, $96

// LANEMASKS(src, lo, hi) expands the 16-bit mask at src into two lane masks
// (all ones where the bit is set), with the bit tables in Y13 and Y14.
#define LANEMASKS(src, xlo, lo, hi) \
	MOVWLZX src, BX; \
	VMOVD   BX, xlo; \
	VPBROADCASTD xlo, lo; \
	VPAND   Y14, lo, hi; \
	VPAND   Y13, lo, lo; \
	VPCMPEQD Y13, lo, lo; \
	VPCMPEQD Y14, hi, hi

// func termTile4y(c *float32, ldc int, a *float32, ldr int, lda int, b *float32, lds int, cs int, offs *int, masks *uint16, nvb int, nterms int, bias *float32, flags int, gate *float32)
//
// termTile8's product for four rows of C by 16 columns (one mask word per
// term), all of them stored. flags as termTile8's.
TEXT ·termTile4y(SB), NOSPLIT, $0-120
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), R8
	MOVQ flags+104(FP), AX
	TESTQ $1, AX
	JZ   y4load
	MOVQ bias+96(FP), SI
	VBROADCASTSS (SI), Y0
	VBROADCASTSS 4(SI), Y2
	VBROADCASTSS 8(SI), Y4
	VBROADCASTSS 12(SI), Y6
	VMOVAPS Y0, Y1
	VMOVAPS Y2, Y3
	VMOVAPS Y4, Y5
	VMOVAPS Y6, Y7
	JMP  y4go

y4load:
	MOVQ DI, SI
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	ADDQ R8, SI
	VMOVUPS (SI), Y2
	VMOVUPS 32(SI), Y3
	ADDQ R8, SI
	VMOVUPS (SI), Y4
	VMOVUPS 32(SI), Y5
	ADDQ R8, SI
	VMOVUPS (SI), Y6
	VMOVUPS 32(SI), Y7

y4go:
	VMOVDQU ·bitLanes+0(SB), Y13
	VMOVDQU ·bitLanes+32(SB), Y14
	MOVQ ldr+24(FP), R13
	LEAQ (R13)(R13*2), R10 // 3·ldr
	MOVQ b+40(FP), DX
	MOVQ lds+48(FP), R9
	MOVQ offs+64(FP), R11
	MOVQ masks+72(FP), R12
	MOVQ nterms+88(FP), CX

y4term:
	LANEMASKS((R12), X11, Y11, Y12)
	MOVQ (R11), SI
	ADDQ DX, SI
	MOVQ a+16(FP), AX
	ADDQ 8(R11), AX
	MOVQ cs+56(FP), R14

y4s:
	VMASKMOVPS (SI), Y11, Y8
	VMASKMOVPS 32(SI), Y12, Y9
	VBROADCASTSS (AX), Y10
	VFMADD231PS Y10, Y8, Y0
	VFMADD231PS Y10, Y9, Y1
	VBROADCASTSS (AX)(R13*1), Y15
	VFMADD231PS Y15, Y8, Y2
	VFMADD231PS Y15, Y9, Y3
	VBROADCASTSS (AX)(R13*2), Y10
	VFMADD231PS Y10, Y8, Y4
	VFMADD231PS Y10, Y9, Y5
	VBROADCASTSS (AX)(R10*1), Y15
	VFMADD231PS Y15, Y8, Y6
	VFMADD231PS Y15, Y9, Y7
	ADDQ lda+32(FP), AX
	ADDQ R9, SI
	DECQ R14
	JNZ  y4s
	ADDQ $16, R11
	ADDQ nvb+80(FP), R12
	DECQ CX
	JNZ  y4term

	VXORPS Y15, Y15, Y15
	MOVQ flags+104(FP), AX
	TESTQ $2, AX
	JZ   y4gate
	VMAXPS Y15, Y0, Y0
	VMAXPS Y15, Y1, Y1
	VMAXPS Y15, Y2, Y2
	VMAXPS Y15, Y3, Y3
	VMAXPS Y15, Y4, Y4
	VMAXPS Y15, Y5, Y5
	VMAXPS Y15, Y6, Y6
	VMAXPS Y15, Y7, Y7

y4gate:
	TESTQ $4, AX
	JZ   y4store
	MOVQ gate+112(FP), SI
	VCMPPS $0x01, (SI), Y15, Y8 // 0 < gate
	VCMPPS $0x01, 32(SI), Y15, Y9
	VANDPS Y8, Y0, Y0
	VANDPS Y9, Y1, Y1
	ADDQ R8, SI
	VCMPPS $0x01, (SI), Y15, Y8
	VCMPPS $0x01, 32(SI), Y15, Y9
	VANDPS Y8, Y2, Y2
	VANDPS Y9, Y3, Y3
	ADDQ R8, SI
	VCMPPS $0x01, (SI), Y15, Y8
	VCMPPS $0x01, 32(SI), Y15, Y9
	VANDPS Y8, Y4, Y4
	VANDPS Y9, Y5, Y5
	ADDQ R8, SI
	VCMPPS $0x01, (SI), Y15, Y8
	VCMPPS $0x01, 32(SI), Y15, Y9
	VANDPS Y8, Y6, Y6
	VANDPS Y9, Y7, Y7

y4store:
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ R8, DI
	VMOVUPS Y2, (DI)
	VMOVUPS Y3, 32(DI)
	ADDQ R8, DI
	VMOVUPS Y4, (DI)
	VMOVUPS Y5, 32(DI)
	ADDQ R8, DI
	VMOVUPS Y6, (DI)
	VMOVUPS Y7, 32(DI)
	VZEROUPPER
	RET

// func termTile4x24y(c *float32, ldc int, a *float32, ldr int, lda int, b *float32, lds int, cs int, offs *int, masks *uint16, nvb int, nterms int, bias *float32, flags int, gate *float32, mb int)
//
// termTile4y for 24 columns (12 accumulators: the FMA latency is hidden):
// term t's lane masks are the 24 bits at masks + mb + t·nvb bytes (mb: 0 or
// 1, for tiles starting at lane 0 or 8 of a mask word; the mask table is
// padded so that the 32-bit read stays inside it). The three lane masks of a
// term wait on the stack and are reloaded into the B registers each step
// (VMASKMOVPS with the mask as its own destination).
TEXT ·termTile4x24y(SB), NOSPLIT, $96-128
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), R8
	MOVQ flags+104(FP), AX
	TESTQ $1, AX
	JZ   z4load
	MOVQ bias+96(FP), SI
	VBROADCASTSS (SI), Y0
	VBROADCASTSS 4(SI), Y3
	VBROADCASTSS 8(SI), Y6
	VBROADCASTSS 12(SI), Y9
	VMOVAPS Y0, Y1
	VMOVAPS Y0, Y2
	VMOVAPS Y3, Y4
	VMOVAPS Y3, Y5
	VMOVAPS Y6, Y7
	VMOVAPS Y6, Y8
	VMOVAPS Y9, Y10
	VMOVAPS Y9, Y11
	JMP  z4go

z4load:
	MOVQ DI, SI
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	ADDQ R8, SI
	VMOVUPS (SI), Y3
	VMOVUPS 32(SI), Y4
	VMOVUPS 64(SI), Y5
	ADDQ R8, SI
	VMOVUPS (SI), Y6
	VMOVUPS 32(SI), Y7
	VMOVUPS 64(SI), Y8
	ADDQ R8, SI
	VMOVUPS (SI), Y9
	VMOVUPS 32(SI), Y10
	VMOVUPS 64(SI), Y11

z4go:
	MOVQ ldr+24(FP), R13
	LEAQ (R13)(R13*2), R10 // 3·ldr
	MOVQ b+40(FP), DX
	MOVQ lds+48(FP), R9
	MOVQ offs+64(FP), R11
	MOVQ masks+72(FP), R12
	ADDQ mb+120(FP), R12
	MOVQ nterms+88(FP), CX

z4term:
	MOVL (R12), BX
	VMOVD BX, X12
	VPBROADCASTD X12, Y12
	VPAND ·bitLanes+0(SB), Y12, Y13
	VPCMPEQD ·bitLanes+0(SB), Y13, Y13
	VPAND ·bitLanes+32(SB), Y12, Y14
	VPCMPEQD ·bitLanes+32(SB), Y14, Y14
	VPAND ·bitLanes+64(SB), Y12, Y15
	VPCMPEQD ·bitLanes+64(SB), Y15, Y15
	VMOVDQU Y13, 0(SP)
	VMOVDQU Y14, 32(SP)
	VMOVDQU Y15, 64(SP)
	MOVQ (R11), SI
	ADDQ DX, SI
	MOVQ a+16(FP), AX
	ADDQ 8(R11), AX
	MOVQ cs+56(FP), R14

z4s:
	VMOVDQU 0(SP), Y12
	VMASKMOVPS (SI), Y12, Y12
	VMOVDQU 32(SP), Y13
	VMASKMOVPS 32(SI), Y13, Y13
	VMOVDQU 64(SP), Y14
	VMASKMOVPS 64(SI), Y14, Y14
	VBROADCASTSS (AX), Y15
	VFMADD231PS Y15, Y12, Y0
	VFMADD231PS Y15, Y13, Y1
	VFMADD231PS Y15, Y14, Y2
	VBROADCASTSS (AX)(R13*1), Y15
	VFMADD231PS Y15, Y12, Y3
	VFMADD231PS Y15, Y13, Y4
	VFMADD231PS Y15, Y14, Y5
	VBROADCASTSS (AX)(R13*2), Y15
	VFMADD231PS Y15, Y12, Y6
	VFMADD231PS Y15, Y13, Y7
	VFMADD231PS Y15, Y14, Y8
	VBROADCASTSS (AX)(R10*1), Y15
	VFMADD231PS Y15, Y12, Y9
	VFMADD231PS Y15, Y13, Y10
	VFMADD231PS Y15, Y14, Y11
	ADDQ lda+32(FP), AX
	ADDQ R9, SI
	DECQ R14
	JNZ  z4s
	ADDQ $16, R11
	ADDQ nvb+80(FP), R12
	DECQ CX
	JNZ  z4term

	VXORPS Y15, Y15, Y15
	MOVQ flags+104(FP), AX
	TESTQ $2, AX
	JZ   z4gate
	VMAXPS Y15, Y0, Y0
	VMAXPS Y15, Y1, Y1
	VMAXPS Y15, Y2, Y2
	VMAXPS Y15, Y3, Y3
	VMAXPS Y15, Y4, Y4
	VMAXPS Y15, Y5, Y5
	VMAXPS Y15, Y6, Y6
	VMAXPS Y15, Y7, Y7
	VMAXPS Y15, Y8, Y8
	VMAXPS Y15, Y9, Y9
	VMAXPS Y15, Y10, Y10
	VMAXPS Y15, Y11, Y11

z4gate:
	TESTQ $4, AX
	JZ   z4store
	MOVQ gate+112(FP), SI
	VCMPPS $0x01, (SI), Y15, Y12 // 0 < gate
	VANDPS Y12, Y0, Y0
	VCMPPS $0x01, 32(SI), Y15, Y12 // 0 < gate
	VANDPS Y12, Y1, Y1
	VCMPPS $0x01, 64(SI), Y15, Y12 // 0 < gate
	VANDPS Y12, Y2, Y2
	ADDQ R8, SI
	VCMPPS $0x01, (SI), Y15, Y12 // 0 < gate
	VANDPS Y12, Y3, Y3
	VCMPPS $0x01, 32(SI), Y15, Y12 // 0 < gate
	VANDPS Y12, Y4, Y4
	VCMPPS $0x01, 64(SI), Y15, Y12 // 0 < gate
	VANDPS Y12, Y5, Y5
	ADDQ R8, SI
	VCMPPS $0x01, (SI), Y15, Y12 // 0 < gate
	VANDPS Y12, Y6, Y6
	VCMPPS $0x01, 32(SI), Y15, Y12 // 0 < gate
	VANDPS Y12, Y7, Y7
	VCMPPS $0x01, 64(SI), Y15, Y12 // 0 < gate
	VANDPS Y12, Y8, Y8
	ADDQ R8, SI
	VCMPPS $0x01, (SI), Y15, Y12 // 0 < gate
	VANDPS Y12, Y9, Y9
	VCMPPS $0x01, 32(SI), Y15, Y12 // 0 < gate
	VANDPS Y12, Y10, Y10
	VCMPPS $0x01, 64(SI), Y15, Y12 // 0 < gate
	VANDPS Y12, Y11, Y11

z4store:
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	ADDQ R8, DI
	VMOVUPS Y3, (DI)
	VMOVUPS Y4, 32(DI)
	VMOVUPS Y5, 64(DI)
	ADDQ R8, DI
	VMOVUPS Y6, (DI)
	VMOVUPS Y7, 32(DI)
	VMOVUPS Y8, 64(DI)
	ADDQ R8, DI
	VMOVUPS Y9, (DI)
	VMOVUPS Y10, 32(DI)
	VMOVUPS Y11, 64(DI)
	VZEROUPPER
	RET

// func termTile4x24m(c *float32, ldc int, a *float32, ldr int, lda int, b *float32, lds int, cs int, offs *int, lanes *int32, nvb int, nterms int, bias *float32, flags int, gate *float32, nblk int, bstep int)
//
// termTile4x24y with its lane masks read from an expanded table (laneTable:
// the 24 lanes of term t at lanes + t·nvb bytes) instead of built from the
// plan's bits for every term, which costs as much as a step when cs is 1;
// a term whose 24 lanes are all on is read with plain loads. It computes
// nblk blocks of four rows, one after the other (c, a and gate advance by
// four rows, bias by bstep bytes).
TEXT ·termTile4x24m(SB), NOSPLIT, $0-136

m4blk:
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), R8
	MOVQ flags+104(FP), AX
	TESTQ $1, AX
	JZ   m4load
	MOVQ bias+96(FP), SI
	VBROADCASTSS (SI), Y0
	VBROADCASTSS 4(SI), Y3
	VBROADCASTSS 8(SI), Y6
	VBROADCASTSS 12(SI), Y9
	VMOVAPS Y0, Y1
	VMOVAPS Y0, Y2
	VMOVAPS Y3, Y4
	VMOVAPS Y3, Y5
	VMOVAPS Y6, Y7
	VMOVAPS Y6, Y8
	VMOVAPS Y9, Y10
	VMOVAPS Y9, Y11
	JMP  m4go

m4load:
	MOVQ DI, SI
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	ADDQ R8, SI
	VMOVUPS (SI), Y3
	VMOVUPS 32(SI), Y4
	VMOVUPS 64(SI), Y5
	ADDQ R8, SI
	VMOVUPS (SI), Y6
	VMOVUPS 32(SI), Y7
	VMOVUPS 64(SI), Y8
	ADDQ R8, SI
	VMOVUPS (SI), Y9
	VMOVUPS 32(SI), Y10
	VMOVUPS 64(SI), Y11

m4go:
	MOVQ ldr+24(FP), R13
	LEAQ (R13)(R13*2), R10 // 3·ldr
	MOVQ b+40(FP), DX
	MOVQ lds+48(FP), R9
	MOVQ offs+64(FP), R11
	MOVQ lanes+72(FP), R12
	MOVQ nterms+88(FP), CX
	MOVQ flags+104(FP), AX
	TESTQ $8, AX
	JZ   m4term
	CMPQ cs+56(FP), $1
	JNE  m4term
	MOVQ a+16(FP), BX
	MOVQ nvb+80(FP), R15

	// one step per term (cs = 1), every term read with plain loads and an
	// AND (flags bit 3: the lanes the masks drop are readable)
m1term:
	MOVQ (R11), SI
	ADDQ DX, SI
	MOVQ BX, AX
	ADDQ 8(R11), AX
	VMOVUPS (SI), Y12
	VANDPS (R12), Y12, Y12
	VMOVUPS 32(SI), Y13
	VANDPS 32(R12), Y13, Y13
	VMOVUPS 64(SI), Y14
	VANDPS 64(R12), Y14, Y14
	VBROADCASTSS (AX), Y15
	VFMADD231PS Y15, Y12, Y0
	VFMADD231PS Y15, Y13, Y1
	VFMADD231PS Y15, Y14, Y2
	VBROADCASTSS (AX)(R13*1), Y15
	VFMADD231PS Y15, Y12, Y3
	VFMADD231PS Y15, Y13, Y4
	VFMADD231PS Y15, Y14, Y5
	VBROADCASTSS (AX)(R13*2), Y15
	VFMADD231PS Y15, Y12, Y6
	VFMADD231PS Y15, Y13, Y7
	VFMADD231PS Y15, Y14, Y8
	VBROADCASTSS (AX)(R10*1), Y15
	VFMADD231PS Y15, Y12, Y9
	VFMADD231PS Y15, Y13, Y10
	VFMADD231PS Y15, Y14, Y11
	ADDQ $16, R11
	ADDQ R15, R12
	DECQ CX
	JNZ  m1term
	JMP  m4relu

m4term:
	MOVQ (R11), SI
	ADDQ DX, SI
	MOVQ a+16(FP), AX
	ADDQ 8(R11), AX
	MOVQ cs+56(FP), R14
	// all 24 lanes on: plain loads
	VMOVDQU (R12), Y12
	VPAND 32(R12), Y12, Y12
	VPAND 64(R12), Y12, Y12
	VMOVMSKPS Y12, BX
	CMPQ BX, $0xff
	JEQ  m4p
	TESTQ $8, flags+104(FP)
	JNZ  m4and

m4s:
	VMOVDQU (R12), Y12
	VMASKMOVPS (SI), Y12, Y12
	VMOVDQU 32(R12), Y13
	VMASKMOVPS 32(SI), Y13, Y13
	VMOVDQU 64(R12), Y14
	VMASKMOVPS 64(SI), Y14, Y14
	VBROADCASTSS (AX), Y15
	VFMADD231PS Y15, Y12, Y0
	VFMADD231PS Y15, Y13, Y1
	VFMADD231PS Y15, Y14, Y2
	VBROADCASTSS (AX)(R13*1), Y15
	VFMADD231PS Y15, Y12, Y3
	VFMADD231PS Y15, Y13, Y4
	VFMADD231PS Y15, Y14, Y5
	VBROADCASTSS (AX)(R13*2), Y15
	VFMADD231PS Y15, Y12, Y6
	VFMADD231PS Y15, Y13, Y7
	VFMADD231PS Y15, Y14, Y8
	VBROADCASTSS (AX)(R10*1), Y15
	VFMADD231PS Y15, Y12, Y9
	VFMADD231PS Y15, Y13, Y10
	VFMADD231PS Y15, Y14, Y11
	ADDQ lda+32(FP), AX
	ADDQ R9, SI
	DECQ R14
	JNZ  m4s
	JMP  m4next

	// flags bit 3: plain loads and an AND (the lanes the masks drop are
	// readable), cheaper than masked loads
m4and:
	VMOVUPS (SI), Y12
	VANDPS (R12), Y12, Y12
	VMOVUPS 32(SI), Y13
	VANDPS 32(R12), Y13, Y13
	VMOVUPS 64(SI), Y14
	VANDPS 64(R12), Y14, Y14
	VBROADCASTSS (AX), Y15
	VFMADD231PS Y15, Y12, Y0
	VFMADD231PS Y15, Y13, Y1
	VFMADD231PS Y15, Y14, Y2
	VBROADCASTSS (AX)(R13*1), Y15
	VFMADD231PS Y15, Y12, Y3
	VFMADD231PS Y15, Y13, Y4
	VFMADD231PS Y15, Y14, Y5
	VBROADCASTSS (AX)(R13*2), Y15
	VFMADD231PS Y15, Y12, Y6
	VFMADD231PS Y15, Y13, Y7
	VFMADD231PS Y15, Y14, Y8
	VBROADCASTSS (AX)(R10*1), Y15
	VFMADD231PS Y15, Y12, Y9
	VFMADD231PS Y15, Y13, Y10
	VFMADD231PS Y15, Y14, Y11
	ADDQ lda+32(FP), AX
	ADDQ R9, SI
	DECQ R14
	JNZ  m4and
	JMP  m4next

m4p:
	VMOVUPS (SI), Y12
	VMOVUPS 32(SI), Y13
	VMOVUPS 64(SI), Y14
	VBROADCASTSS (AX), Y15
	VFMADD231PS Y15, Y12, Y0
	VFMADD231PS Y15, Y13, Y1
	VFMADD231PS Y15, Y14, Y2
	VBROADCASTSS (AX)(R13*1), Y15
	VFMADD231PS Y15, Y12, Y3
	VFMADD231PS Y15, Y13, Y4
	VFMADD231PS Y15, Y14, Y5
	VBROADCASTSS (AX)(R13*2), Y15
	VFMADD231PS Y15, Y12, Y6
	VFMADD231PS Y15, Y13, Y7
	VFMADD231PS Y15, Y14, Y8
	VBROADCASTSS (AX)(R10*1), Y15
	VFMADD231PS Y15, Y12, Y9
	VFMADD231PS Y15, Y13, Y10
	VFMADD231PS Y15, Y14, Y11
	ADDQ lda+32(FP), AX
	ADDQ R9, SI
	DECQ R14
	JNZ  m4p

m4next:
	ADDQ $16, R11
	ADDQ nvb+80(FP), R12
	DECQ CX
	JNZ  m4term

m4relu:
	VXORPS Y15, Y15, Y15
	MOVQ flags+104(FP), AX
	TESTQ $2, AX
	JZ   m4gate
	VMAXPS Y15, Y0, Y0
	VMAXPS Y15, Y1, Y1
	VMAXPS Y15, Y2, Y2
	VMAXPS Y15, Y3, Y3
	VMAXPS Y15, Y4, Y4
	VMAXPS Y15, Y5, Y5
	VMAXPS Y15, Y6, Y6
	VMAXPS Y15, Y7, Y7
	VMAXPS Y15, Y8, Y8
	VMAXPS Y15, Y9, Y9
	VMAXPS Y15, Y10, Y10
	VMAXPS Y15, Y11, Y11

m4gate:
	TESTQ $4, AX
	JZ   m4store
	MOVQ gate+112(FP), SI
	VCMPPS $0x01, (SI), Y15, Y12 // 0 < gate
	VANDPS Y12, Y0, Y0
	VCMPPS $0x01, 32(SI), Y15, Y12 // 0 < gate
	VANDPS Y12, Y1, Y1
	VCMPPS $0x01, 64(SI), Y15, Y12 // 0 < gate
	VANDPS Y12, Y2, Y2
	ADDQ R8, SI
	VCMPPS $0x01, (SI), Y15, Y12 // 0 < gate
	VANDPS Y12, Y3, Y3
	VCMPPS $0x01, 32(SI), Y15, Y12 // 0 < gate
	VANDPS Y12, Y4, Y4
	VCMPPS $0x01, 64(SI), Y15, Y12 // 0 < gate
	VANDPS Y12, Y5, Y5
	ADDQ R8, SI
	VCMPPS $0x01, (SI), Y15, Y12 // 0 < gate
	VANDPS Y12, Y6, Y6
	VCMPPS $0x01, 32(SI), Y15, Y12 // 0 < gate
	VANDPS Y12, Y7, Y7
	VCMPPS $0x01, 64(SI), Y15, Y12 // 0 < gate
	VANDPS Y12, Y8, Y8
	ADDQ R8, SI
	VCMPPS $0x01, (SI), Y15, Y12 // 0 < gate
	VANDPS Y12, Y9, Y9
	VCMPPS $0x01, 32(SI), Y15, Y12 // 0 < gate
	VANDPS Y12, Y10, Y10
	VCMPPS $0x01, 64(SI), Y15, Y12 // 0 < gate
	VANDPS Y12, Y11, Y11

m4store:
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	ADDQ R8, DI
	VMOVUPS Y3, (DI)
	VMOVUPS Y4, 32(DI)
	VMOVUPS Y5, 64(DI)
	ADDQ R8, DI
	VMOVUPS Y6, (DI)
	VMOVUPS Y7, 32(DI)
	VMOVUPS Y8, 64(DI)
	ADDQ R8, DI
	VMOVUPS Y9, (DI)
	VMOVUPS Y10, 32(DI)
	VMOVUPS Y11, 64(DI)
	DECQ nblk+120(FP)
	JZ   m4done
	MOVQ c+0(FP), DI
	LEAQ (DI)(R8*4), DI
	MOVQ DI, c+0(FP)
	MOVQ a+16(FP), SI
	LEAQ (SI)(R13*4), SI
	MOVQ SI, a+16(FP)
	MOVQ bias+96(FP), SI
	ADDQ bstep+128(FP), SI
	MOVQ SI, bias+96(FP)
	MOVQ gate+112(FP), SI
	LEAQ (SI)(R8*4), SI
	MOVQ SI, gate+112(FP)
	JMP  m4blk

m4done:
	VZEROUPPER
	RET

// func termTile1y(c *float32, a *float32, lda int, b *float32, lds int, cs int, offs *int, masks *uint16, nvb int, nterms int, bias *float32, flags int)
//
// termTile1's product for one row of C by 32 columns (two mask words per
// term), all of them stored; flags bit 0: start from bias, bit 1: ReLU.
TEXT ·termTile1y(SB), NOSPLIT, $0-96
	MOVQ c+0(FP), DI
	MOVQ flags+88(FP), AX
	TESTQ $1, AX
	JZ   y1load
	MOVQ bias+80(FP), SI
	VBROADCASTSS (SI), Y0
	VMOVAPS Y0, Y1
	VMOVAPS Y0, Y2
	VMOVAPS Y0, Y3
	JMP  y1go

y1load:
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	VMOVUPS 96(DI), Y3

y1go:
	VMOVDQU ·bitLanes+0(SB), Y13
	VMOVDQU ·bitLanes+32(SB), Y14
	MOVQ b+24(FP), DX
	MOVQ lds+32(FP), R9
	MOVQ offs+48(FP), R11
	MOVQ masks+56(FP), R12
	MOVQ nterms+72(FP), CX

y1term:
	LANEMASKS((R12), X8, Y8, Y9)
	LANEMASKS(2(R12), X10, Y10, Y11)
	MOVQ (R11), SI
	ADDQ DX, SI
	MOVQ a+8(FP), AX
	ADDQ 8(R11), AX
	MOVQ cs+40(FP), R14

y1s:
	VBROADCASTSS (AX), Y12
	VMASKMOVPS (SI), Y8, Y4
	VMASKMOVPS 32(SI), Y9, Y5
	VMASKMOVPS 64(SI), Y10, Y6
	VMASKMOVPS 96(SI), Y11, Y7
	VFMADD231PS Y12, Y4, Y0
	VFMADD231PS Y12, Y5, Y1
	VFMADD231PS Y12, Y6, Y2
	VFMADD231PS Y12, Y7, Y3
	ADDQ lda+16(FP), AX
	ADDQ R9, SI
	DECQ R14
	JNZ  y1s
	ADDQ $16, R11
	ADDQ nvb+64(FP), R12
	DECQ CX
	JNZ  y1term

	MOVQ flags+88(FP), AX
	TESTQ $2, AX
	JZ   y1store
	VXORPS Y15, Y15, Y15
	VMAXPS Y15, Y0, Y0
	VMAXPS Y15, Y1, Y1
	VMAXPS Y15, Y2, Y2
	VMAXPS Y15, Y3, Y3

y1store:
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	VZEROUPPER
	RET

// func classTile1y(stack *float32, small int, a *float32, b *float32, lds int, cs int, masks *uint16, nvb int, wo int, bias *float32, flags int)
//
// classTile1 for 16 columns (masks: the class plan's word of those columns;
// blocks nvb bytes apart), the same FMAs in the same order per class: the
// shifted views in the order (0,0) (0,1) (1,1) (1,0). flags bit 0: start
// from bias, bit 1: ReLU (tanh is left to the caller: tanh8 gives tanh16's
// bits).
TEXT ·classTile1y(SB), NOSPLIT, $32-88
	MOVQ stack+0(FP), DI
	MOVQ small+8(FP), R8
	SHLQ $2, R8
	MOVQ a+16(FP), AX
	MOVQ b+24(FP), SI
	MOVQ lds+32(FP), R9
	MOVQ cs+40(FP), CX
	MOVQ masks+48(FP), DX
	MOVQ nvb+56(FP), R10
	VMOVDQU ·bitLanes+0(SB), Y13
	VMOVDQU ·bitLanes+32(SB), Y14
	ADDQ R10, DX
	LANEMASKS((DX), X11, Y11, Y12) // shift (0,1)
	ADDQ R10, DX
	LANEMASKS((DX), X0, Y0, Y1) // shift (1,1)
	ADDQ R10, DX
	LANEMASKS((DX), X15, Y15, Y2) // shift (1,0)
	VMOVDQU Y2, 0(SP)
	VMOVAPS Y0, Y13
	VMOVAPS Y1, Y14
	MOVQ wo+64(FP), R11
	SHLQ $2, R11 // shift (1,0)
	LEAQ 4(R11), R12 // shift (1,1)
	MOVQ flags+80(FP), R13
	MOVQ bias+72(FP), R10
	VBROADCASTSS (R10), Y0
	TESTQ $1, R13
	JNZ  yc1init
	VXORPS Y0, Y0, Y0

yc1init:
	VMOVAPS Y0, Y1
	VMOVAPS Y0, Y2
	VMOVAPS Y0, Y3
	VMOVAPS Y0, Y4
	VMOVAPS Y0, Y5
	VMOVAPS Y0, Y6
	VMOVAPS Y0, Y7

yc1s:
	// shift (0,0): taps 4, 5, 7, 8 into classes (0,0) (0,1) (1,0) (1,1)
	VMOVUPS (SI), Y8
	VMOVUPS 32(SI), Y9
	VBROADCASTSS 16(AX), Y10
	VFMADD231PS Y10, Y8, Y0
	VFMADD231PS Y10, Y9, Y1
	VBROADCASTSS 20(AX), Y10
	VFMADD231PS Y10, Y8, Y2
	VFMADD231PS Y10, Y9, Y3
	VBROADCASTSS 28(AX), Y10
	VFMADD231PS Y10, Y8, Y4
	VFMADD231PS Y10, Y9, Y5
	VBROADCASTSS 32(AX), Y10
	VFMADD231PS Y10, Y8, Y6
	VFMADD231PS Y10, Y9, Y7
	// shift (0,1): tap 3 into (0,1), tap 6 into (1,1)
	VMASKMOVPS 4(SI), Y11, Y8
	VMASKMOVPS 36(SI), Y12, Y9
	VBROADCASTSS 12(AX), Y10
	VFMADD231PS Y10, Y8, Y2
	VFMADD231PS Y10, Y9, Y3
	VBROADCASTSS 24(AX), Y10
	VFMADD231PS Y10, Y8, Y6
	VFMADD231PS Y10, Y9, Y7
	// shift (1,1): tap 0 into (1,1)
	VMASKMOVPS (SI)(R12*1), Y13, Y8
	VMASKMOVPS 32(SI)(R12*1), Y14, Y9
	VBROADCASTSS (AX), Y10
	VFMADD231PS Y10, Y8, Y6
	VFMADD231PS Y10, Y9, Y7
	// shift (1,0): tap 1 into (1,0), tap 2 into (1,1)
	VMOVDQU 0(SP), Y10
	VMASKMOVPS (SI)(R11*1), Y15, Y8
	VMASKMOVPS 32(SI)(R11*1), Y10, Y9
	VBROADCASTSS 4(AX), Y10
	VFMADD231PS Y10, Y8, Y4
	VFMADD231PS Y10, Y9, Y5
	VBROADCASTSS 8(AX), Y10
	VFMADD231PS Y10, Y8, Y6
	VFMADD231PS Y10, Y9, Y7
	ADDQ $36, AX
	ADDQ R9, SI
	DECQ CX
	JNZ  yc1s

	TESTQ $2, R13
	JZ   yc1store
	VXORPS Y15, Y15, Y15
	VMAXPS Y15, Y0, Y0
	VMAXPS Y15, Y1, Y1
	VMAXPS Y15, Y2, Y2
	VMAXPS Y15, Y3, Y3
	VMAXPS Y15, Y4, Y4
	VMAXPS Y15, Y5, Y5
	VMAXPS Y15, Y6, Y6
	VMAXPS Y15, Y7, Y7

yc1store:
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ R8, DI
	VMOVUPS Y2, (DI)
	VMOVUPS Y3, 32(DI)
	ADDQ R8, DI
	VMOVUPS Y4, (DI)
	VMOVUPS Y5, 32(DI)
	ADDQ R8, DI
	VMOVUPS Y6, (DI)
	VMOVUPS Y7, 32(DI)
	VZEROUPPER
	RET

// func classTile1x24y(stack *float32, small int, a *float32, b *float32, lds int, cs int, lanes *int32, nvb int, wo int, bias *float32, flags int)
//
// classTile1y for 24 columns (12 accumulators: the four dependent
// multiply-adds of class (1,1) per step are spread over three vectors), with
// the lane masks of the shifts (0,1) (1,1) (1,0) read from the expanded
// table (laneTable: terms 1, 2, 3 at lanes + nvb, + 2·nvb, + 3·nvb bytes).
// The same FMAs in the same order per class as classTile1y.
TEXT ·classTile1x24y(SB), NOSPLIT, $0-88
	MOVQ stack+0(FP), DI
	MOVQ small+8(FP), R8
	SHLQ $2, R8
	MOVQ a+16(FP), AX
	MOVQ b+24(FP), SI
	MOVQ lds+32(FP), R9
	MOVQ cs+40(FP), CX
	MOVQ lanes+48(FP), DX
	MOVQ nvb+56(FP), R10
	ADDQ R10, DX // shift (0,1); (1,1) at +nvb, (1,0) at +2·nvb
	MOVQ wo+64(FP), R11
	SHLQ $2, R11 // shift (1,0)
	LEAQ 4(R11), R12 // shift (1,1)
	MOVQ flags+80(FP), R13
	MOVQ bias+72(FP), R14
	VBROADCASTSS (R14), Y0
	TESTQ $1, R13
	JNZ  yc24init
	VXORPS Y0, Y0, Y0

yc24init:
	VMOVAPS Y0, Y1
	VMOVAPS Y0, Y2
	VMOVAPS Y0, Y3
	VMOVAPS Y0, Y4
	VMOVAPS Y0, Y5
	VMOVAPS Y0, Y6
	VMOVAPS Y0, Y7
	VMOVAPS Y0, Y8
	VMOVAPS Y0, Y9
	VMOVAPS Y0, Y10
	VMOVAPS Y0, Y11

yc24s:
	// shift (0,0): taps 4, 5, 7, 8 into classes (0,0) (0,1) (1,0) (1,1)
	VMOVUPS 0(SI), Y12
	VMOVUPS 32(SI), Y13
	VMOVUPS 64(SI), Y14
	VBROADCASTSS 16(AX), Y15
	VFMADD231PS Y12, Y15, Y0
	VFMADD231PS Y13, Y15, Y1
	VFMADD231PS Y14, Y15, Y2
	VBROADCASTSS 20(AX), Y15
	VFMADD231PS Y12, Y15, Y3
	VFMADD231PS Y13, Y15, Y4
	VFMADD231PS Y14, Y15, Y5
	VBROADCASTSS 28(AX), Y15
	VFMADD231PS Y12, Y15, Y6
	VFMADD231PS Y13, Y15, Y7
	VFMADD231PS Y14, Y15, Y8
	VBROADCASTSS 32(AX), Y15
	VFMADD231PS Y12, Y15, Y9
	VFMADD231PS Y13, Y15, Y10
	VFMADD231PS Y14, Y15, Y11
	// shift (0,1): tap 3 into (0,1), tap 6 into (1,1)
	VMOVDQU 0(DX), Y12
	VMASKMOVPS 4(SI), Y12, Y12
	VMOVDQU 32(DX), Y13
	VMASKMOVPS 36(SI), Y13, Y13
	VMOVDQU 64(DX), Y14
	VMASKMOVPS 68(SI), Y14, Y14
	VBROADCASTSS 12(AX), Y15
	VFMADD231PS Y12, Y15, Y3
	VFMADD231PS Y13, Y15, Y4
	VFMADD231PS Y14, Y15, Y5
	VBROADCASTSS 24(AX), Y15
	VFMADD231PS Y12, Y15, Y9
	VFMADD231PS Y13, Y15, Y10
	VFMADD231PS Y14, Y15, Y11
	// shift (1,1): tap 0 into (1,1)
	VMOVDQU 0(DX)(R10*1), Y12
	VMASKMOVPS 0(SI)(R12*1), Y12, Y12
	VMOVDQU 32(DX)(R10*1), Y13
	VMASKMOVPS 32(SI)(R12*1), Y13, Y13
	VMOVDQU 64(DX)(R10*1), Y14
	VMASKMOVPS 64(SI)(R12*1), Y14, Y14
	VBROADCASTSS 0(AX), Y15
	VFMADD231PS Y12, Y15, Y9
	VFMADD231PS Y13, Y15, Y10
	VFMADD231PS Y14, Y15, Y11
	// shift (1,0): tap 1 into (1,0), tap 2 into (1,1)
	VMOVDQU 0(DX)(R10*2), Y12
	VMASKMOVPS 0(SI)(R11*1), Y12, Y12
	VMOVDQU 32(DX)(R10*2), Y13
	VMASKMOVPS 32(SI)(R11*1), Y13, Y13
	VMOVDQU 64(DX)(R10*2), Y14
	VMASKMOVPS 64(SI)(R11*1), Y14, Y14
	VBROADCASTSS 4(AX), Y15
	VFMADD231PS Y12, Y15, Y6
	VFMADD231PS Y13, Y15, Y7
	VFMADD231PS Y14, Y15, Y8
	VBROADCASTSS 8(AX), Y15
	VFMADD231PS Y12, Y15, Y9
	VFMADD231PS Y13, Y15, Y10
	VFMADD231PS Y14, Y15, Y11
	ADDQ $36, AX
	ADDQ R9, SI
	DECQ CX
	JNZ  yc24s

	TESTQ $2, R13
	JZ   yc24store
	VXORPS Y15, Y15, Y15
	VMAXPS Y15, Y0, Y0
	VMAXPS Y15, Y1, Y1
	VMAXPS Y15, Y2, Y2
	VMAXPS Y15, Y3, Y3
	VMAXPS Y15, Y4, Y4
	VMAXPS Y15, Y5, Y5
	VMAXPS Y15, Y6, Y6
	VMAXPS Y15, Y7, Y7
	VMAXPS Y15, Y8, Y8
	VMAXPS Y15, Y9, Y9
	VMAXPS Y15, Y10, Y10
	VMAXPS Y15, Y11, Y11

yc24store:
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	ADDQ R8, DI
	VMOVUPS Y3, 0(DI)
	VMOVUPS Y4, 32(DI)
	VMOVUPS Y5, 64(DI)
	ADDQ R8, DI
	VMOVUPS Y6, 0(DI)
	VMOVUPS Y7, 32(DI)
	VMOVUPS Y8, 64(DI)
	ADDQ R8, DI
	VMOVUPS Y9, 0(DI)
	VMOVUPS Y10, 32(DI)
	VMOVUPS Y11, 64(DI)
	VZEROUPPER
	RET

// func interleaveY(dst *float32, stack *float32, small int, rows int, ho int, odd int, wo int, w int, gate *float32, masks *[16]int32)
//
// interleaveRows on AVX2: the first rows output rows of one channel's large
// grid dst [imgs][h][w] (h = 2·ho - odd) from its parity classes stack
// [4][small], by unpacks and a 128-bit permute per 16 floats. Class rows are
// read under masks (the first wo lanes of 16); every output row is stored as
// whole vectors whose spill the next row overwrites, so the caller leaves the
// rows whose vectors would cross dst's end to interleaveRowsGo. Where gate is
// not nil (laid out as dst), dst is zeroed where gate is not positive.
TEXT ·interleaveY(SB), NOSPLIT, $0-80
	MOVQ dst+0(FP), DI
	MOVQ stack+8(FP), SI
	MOVQ small+16(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*1), R13 // class (1,0)
	LEAQ (R13)(R8*1), R14 // class (1,1)
	MOVQ rows+24(FP), R12
	MOVQ ho+32(FP), DX
	MOVQ odd+40(FP), BX
	MOVQ wo+48(FP), R9
	SHLQ $2, R9
	MOVQ w+56(FP), R11
	SHLQ $2, R11
	MOVQ gate+64(FP), R10
	TESTQ R10, R10
	JZ   ilnogate
	SUBQ DI, R10 // gate - dst in bytes
	MOVQ $1, AX
	JMP  ilgo

ilnogate:
	XORQ AX, AX

ilgo:
	MOVQ masks+72(FP), CX
	VMOVDQU (CX), Y14
	VMOVDQU 32(CX), Y15
	VXORPS Y13, Y13, Y13
	MOVQ w+56(FP), CX
	CMPQ CX, $8
	JLE  il1row
	CMPQ CX, $16
	JLE  il2row
	JMP  il4row

il1row:
	// even row: classes (0,0) and (0,1)
	VMASKMOVPS (SI), Y14, Y0
	VMASKMOVPS (SI)(R8*1), Y14, Y1
	VUNPCKLPS Y1, Y0, Y2
	VUNPCKHPS Y1, Y0, Y3
	VPERM2F128 $0x20, Y3, Y2, Y4
	TESTQ AX, AX
	JZ   il1est
	VCMPPS $0x01, 0(DI)(R10*1), Y13, Y8 // 0 < gate
	VANDPS Y8, Y4, Y4

il1est:
	VMOVUPS Y4, 0(DI)
	ADDQ R11, DI
	DECQ R12
	JZ   ildone
	CMPQ DX, $1
	JNE  il1odd
	TESTQ BX, BX
	JNZ  il1skip

il1odd:
	// odd row: classes (1,0) and (1,1)
	VMASKMOVPS (SI)(R13*1), Y14, Y0
	VMASKMOVPS (SI)(R14*1), Y14, Y1
	VUNPCKLPS Y1, Y0, Y2
	VUNPCKHPS Y1, Y0, Y3
	VPERM2F128 $0x20, Y3, Y2, Y4
	TESTQ AX, AX
	JZ   il1ost
	VCMPPS $0x01, 0(DI)(R10*1), Y13, Y8 // 0 < gate
	VANDPS Y8, Y4, Y4

il1ost:
	VMOVUPS Y4, 0(DI)
	ADDQ R11, DI
	DECQ R12
	JZ   ildone

il1skip:
	ADDQ R9, SI
	DECQ DX
	JNZ  il1row
	MOVQ ho+32(FP), DX
	JMP  il1row

il2row:
	// even row: classes (0,0) and (0,1)
	VMASKMOVPS (SI), Y14, Y0
	VMASKMOVPS (SI)(R8*1), Y14, Y1
	VUNPCKLPS Y1, Y0, Y2
	VUNPCKHPS Y1, Y0, Y3
	VPERM2F128 $0x20, Y3, Y2, Y4
	VPERM2F128 $0x31, Y3, Y2, Y5
	TESTQ AX, AX
	JZ   il2est
	VCMPPS $0x01, 0(DI)(R10*1), Y13, Y8 // 0 < gate
	VANDPS Y8, Y4, Y4
	VCMPPS $0x01, 32(DI)(R10*1), Y13, Y8 // 0 < gate
	VANDPS Y8, Y5, Y5

il2est:
	VMOVUPS Y4, 0(DI)
	VMOVUPS Y5, 32(DI)
	ADDQ R11, DI
	DECQ R12
	JZ   ildone
	CMPQ DX, $1
	JNE  il2odd
	TESTQ BX, BX
	JNZ  il2skip

il2odd:
	// odd row: classes (1,0) and (1,1)
	VMASKMOVPS (SI)(R13*1), Y14, Y0
	VMASKMOVPS (SI)(R14*1), Y14, Y1
	VUNPCKLPS Y1, Y0, Y2
	VUNPCKHPS Y1, Y0, Y3
	VPERM2F128 $0x20, Y3, Y2, Y4
	VPERM2F128 $0x31, Y3, Y2, Y5
	TESTQ AX, AX
	JZ   il2ost
	VCMPPS $0x01, 0(DI)(R10*1), Y13, Y8 // 0 < gate
	VANDPS Y8, Y4, Y4
	VCMPPS $0x01, 32(DI)(R10*1), Y13, Y8 // 0 < gate
	VANDPS Y8, Y5, Y5

il2ost:
	VMOVUPS Y4, 0(DI)
	VMOVUPS Y5, 32(DI)
	ADDQ R11, DI
	DECQ R12
	JZ   ildone

il2skip:
	ADDQ R9, SI
	DECQ DX
	JNZ  il2row
	MOVQ ho+32(FP), DX
	JMP  il2row

il4row:
	// even row: classes (0,0) and (0,1)
	VMASKMOVPS (SI), Y14, Y0
	VMASKMOVPS (SI)(R8*1), Y14, Y1
	VUNPCKLPS Y1, Y0, Y2
	VUNPCKHPS Y1, Y0, Y3
	VPERM2F128 $0x20, Y3, Y2, Y4
	VPERM2F128 $0x31, Y3, Y2, Y5
	VMASKMOVPS 32(SI), Y15, Y0
	VMASKMOVPS 32(SI)(R8*1), Y15, Y1
	VUNPCKLPS Y1, Y0, Y2
	VUNPCKHPS Y1, Y0, Y3
	VPERM2F128 $0x20, Y3, Y2, Y6
	VPERM2F128 $0x31, Y3, Y2, Y7
	TESTQ AX, AX
	JZ   il4est
	VCMPPS $0x01, 0(DI)(R10*1), Y13, Y8 // 0 < gate
	VANDPS Y8, Y4, Y4
	VCMPPS $0x01, 32(DI)(R10*1), Y13, Y8 // 0 < gate
	VANDPS Y8, Y5, Y5
	VCMPPS $0x01, 64(DI)(R10*1), Y13, Y8 // 0 < gate
	VANDPS Y8, Y6, Y6
	VCMPPS $0x01, 96(DI)(R10*1), Y13, Y8 // 0 < gate
	VANDPS Y8, Y7, Y7

il4est:
	VMOVUPS Y4, 0(DI)
	VMOVUPS Y5, 32(DI)
	VMOVUPS Y6, 64(DI)
	VMOVUPS Y7, 96(DI)
	ADDQ R11, DI
	DECQ R12
	JZ   ildone
	CMPQ DX, $1
	JNE  il4odd
	TESTQ BX, BX
	JNZ  il4skip

il4odd:
	// odd row: classes (1,0) and (1,1)
	VMASKMOVPS (SI)(R13*1), Y14, Y0
	VMASKMOVPS (SI)(R14*1), Y14, Y1
	VUNPCKLPS Y1, Y0, Y2
	VUNPCKHPS Y1, Y0, Y3
	VPERM2F128 $0x20, Y3, Y2, Y4
	VPERM2F128 $0x31, Y3, Y2, Y5
	VMASKMOVPS 32(SI)(R13*1), Y15, Y0
	VMASKMOVPS 32(SI)(R14*1), Y15, Y1
	VUNPCKLPS Y1, Y0, Y2
	VUNPCKHPS Y1, Y0, Y3
	VPERM2F128 $0x20, Y3, Y2, Y6
	VPERM2F128 $0x31, Y3, Y2, Y7
	TESTQ AX, AX
	JZ   il4ost
	VCMPPS $0x01, 0(DI)(R10*1), Y13, Y8 // 0 < gate
	VANDPS Y8, Y4, Y4
	VCMPPS $0x01, 32(DI)(R10*1), Y13, Y8 // 0 < gate
	VANDPS Y8, Y5, Y5
	VCMPPS $0x01, 64(DI)(R10*1), Y13, Y8 // 0 < gate
	VANDPS Y8, Y6, Y6
	VCMPPS $0x01, 96(DI)(R10*1), Y13, Y8 // 0 < gate
	VANDPS Y8, Y7, Y7

il4ost:
	VMOVUPS Y4, 0(DI)
	VMOVUPS Y5, 32(DI)
	VMOVUPS Y6, 64(DI)
	VMOVUPS Y7, 96(DI)
	ADDQ R11, DI
	DECQ R12
	JZ   ildone

il4skip:
	ADDQ R9, SI
	DECQ DX
	JNZ  il4row
	MOVQ ho+32(FP), DX
	JMP  il4row

ildone:
	VZEROUPPER
	RET

// func splitY(p0 *float32, x *float32, small int, rows int, ho int, odd int, w int, masks *[32]int32)
//
// splitRows on AVX2: the first rows class rows of one channel's parity
// classes, written at p0 (class (0,0)), p0 + small (0,1), p0 + 3·small (1,0)
// and p0 + 4·small (1,1) (the column matrix's rows 4, 5, 7, 8), from x
// [imgs][h][w] (h = 2·ho - odd; 0 past the grid). A row of x is read under
// masks (its w lanes of 32) and split by in-lane shuffles and a qword
// permute; class rows are stored as whole vectors (half vectors when
// w ≤ 8) whose spill the next row overwrites, so the caller leaves the rows
// whose vectors would cross a class's end to splitRowsGo.
TEXT ·splitY(SB), NOSPLIT, $0-64
	MOVQ p0+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ small+16(FP), R8
	SHLQ $2, R8 // class (0,1)
	LEAQ (R8)(R8*2), R13 // class (1,0)
	LEAQ (R8)(R8*4), R14
	SUBQ R8, R14 // class (1,1): 4·small
	MOVQ rows+24(FP), R12
	MOVQ ho+32(FP), DX
	MOVQ odd+40(FP), BX
	MOVQ w+48(FP), R11
	MOVQ R11, R9
	INCQ R9
	SHRQ $1, R9
	SHLQ $2, R9 // wo in bytes
	SHLQ $2, R11
	MOVQ masks+56(FP), CX
	VMOVDQU (CX), Y12
	VMOVDQU 32(CX), Y13
	VMOVDQU 64(CX), Y14
	VMOVDQU 96(CX), Y15
	VXORPS Y11, Y11, Y11
	MOVQ w+48(FP), CX
	CMPQ CX, $8
	JLE  sp1row
	CMPQ CX, $16
	JLE  sp2row
	JMP  sp4row

sp1row:
	// row 2a: classes (0,0) and (0,1)
	VMASKMOVPS (SI), Y12, Y0
	VSHUFPS $0x88, Y11, Y0, Y4
	VSHUFPS $0xDD, Y11, Y0, Y6
	VPERMPD $0xD8, Y4, Y4
	VPERMPD $0xD8, Y6, Y6
	ADDQ R11, SI
	VMOVUPS X4, (DI)
	VMOVUPS X6, (DI)(R8*1)
	CMPQ DX, $1
	JNE  sp1odd
	TESTQ BX, BX
	JZ   sp1odd
	// no row 2a+1: zeros
	VMOVUPS X11, (DI)(R13*1)
	VMOVUPS X11, (DI)(R14*1)
	JMP  sp1next

sp1odd:
	VMASKMOVPS (SI), Y12, Y0
	VSHUFPS $0x88, Y11, Y0, Y8
	VSHUFPS $0xDD, Y11, Y0, Y10
	VPERMPD $0xD8, Y8, Y8
	VPERMPD $0xD8, Y10, Y10
	ADDQ R11, SI
	VMOVUPS X8, (DI)(R13*1)
	VMOVUPS X10, (DI)(R14*1)

sp1next:
	ADDQ R9, DI
	DECQ R12
	JZ   spdone
	DECQ DX
	JNZ  sp1row
	MOVQ ho+32(FP), DX
	JMP  sp1row

sp2row:
	// row 2a: classes (0,0) and (0,1)
	VMASKMOVPS (SI), Y12, Y0
	VMASKMOVPS 32(SI), Y13, Y1
	VSHUFPS $0x88, Y1, Y0, Y4
	VSHUFPS $0xDD, Y1, Y0, Y6
	VPERMPD $0xD8, Y4, Y4
	VPERMPD $0xD8, Y6, Y6
	ADDQ R11, SI
	VMOVUPS Y4, (DI)
	VMOVUPS Y6, (DI)(R8*1)
	CMPQ DX, $1
	JNE  sp2odd
	TESTQ BX, BX
	JZ   sp2odd
	// no row 2a+1: zeros
	VMOVUPS Y11, (DI)(R13*1)
	VMOVUPS Y11, (DI)(R14*1)
	JMP  sp2next

sp2odd:
	VMASKMOVPS (SI), Y12, Y0
	VMASKMOVPS 32(SI), Y13, Y1
	VSHUFPS $0x88, Y1, Y0, Y8
	VSHUFPS $0xDD, Y1, Y0, Y10
	VPERMPD $0xD8, Y8, Y8
	VPERMPD $0xD8, Y10, Y10
	ADDQ R11, SI
	VMOVUPS Y8, (DI)(R13*1)
	VMOVUPS Y10, (DI)(R14*1)

sp2next:
	ADDQ R9, DI
	DECQ R12
	JZ   spdone
	DECQ DX
	JNZ  sp2row
	MOVQ ho+32(FP), DX
	JMP  sp2row

sp4row:
	// row 2a: classes (0,0) and (0,1)
	VMASKMOVPS (SI), Y12, Y0
	VMASKMOVPS 32(SI), Y13, Y1
	VSHUFPS $0x88, Y1, Y0, Y4
	VSHUFPS $0xDD, Y1, Y0, Y6
	VPERMPD $0xD8, Y4, Y4
	VPERMPD $0xD8, Y6, Y6
	VMASKMOVPS 64(SI), Y14, Y2
	VMASKMOVPS 96(SI), Y15, Y3
	VSHUFPS $0x88, Y3, Y2, Y5
	VSHUFPS $0xDD, Y3, Y2, Y7
	VPERMPD $0xD8, Y5, Y5
	VPERMPD $0xD8, Y7, Y7
	ADDQ R11, SI
	VMOVUPS Y4, (DI)
	VMOVUPS Y5, 32(DI)
	VMOVUPS Y6, (DI)(R8*1)
	VMOVUPS Y7, 32(DI)(R8*1)
	CMPQ DX, $1
	JNE  sp4odd
	TESTQ BX, BX
	JZ   sp4odd
	// no row 2a+1: zeros
	VMOVUPS Y11, (DI)(R13*1)
	VMOVUPS Y11, 32(DI)(R13*1)
	VMOVUPS Y11, (DI)(R14*1)
	VMOVUPS Y11, 32(DI)(R14*1)
	JMP  sp4next

sp4odd:
	VMASKMOVPS (SI), Y12, Y0
	VMASKMOVPS 32(SI), Y13, Y1
	VSHUFPS $0x88, Y1, Y0, Y8
	VSHUFPS $0xDD, Y1, Y0, Y10
	VPERMPD $0xD8, Y8, Y8
	VPERMPD $0xD8, Y10, Y10
	VMASKMOVPS 64(SI), Y14, Y2
	VMASKMOVPS 96(SI), Y15, Y3
	VSHUFPS $0x88, Y3, Y2, Y9
	VSHUFPS $0xDD, Y3, Y2, Y1
	VPERMPD $0xD8, Y9, Y9
	VPERMPD $0xD8, Y1, Y1
	ADDQ R11, SI
	VMOVUPS Y8, (DI)(R13*1)
	VMOVUPS Y9, 32(DI)(R13*1)
	VMOVUPS Y10, (DI)(R14*1)
	VMOVUPS Y1, 32(DI)(R14*1)

sp4next:
	ADDQ R9, DI
	DECQ R12
	JZ   spdone
	DECQ DX
	JNZ  sp4row
	MOVQ ho+32(FP), DX
	JMP  sp4row

spdone:
	VZEROUPPER
	RET

// DOT43 is one step of dotTile4x3m: the three B vectors already
// in Y12-Y14, the four A vectors (SI, R8, R12, BX at CX) each times the
// three into the 12 accumulators.
#define DOT43 \
	VMOVUPS (SI)(CX*1), Y15; \
	VFMADD231PS Y12, Y15, Y0; \
	VFMADD231PS Y13, Y15, Y1; \
	VFMADD231PS Y14, Y15, Y2; \
	VMOVUPS (R8)(CX*1), Y15; \
	VFMADD231PS Y12, Y15, Y3; \
	VFMADD231PS Y13, Y15, Y4; \
	VFMADD231PS Y14, Y15, Y5; \
	VMOVUPS (R12)(CX*1), Y15; \
	VFMADD231PS Y12, Y15, Y6; \
	VFMADD231PS Y13, Y15, Y7; \
	VFMADD231PS Y14, Y15, Y8; \
	VMOVUPS (BX)(CX*1), Y15; \
	VFMADD231PS Y12, Y15, Y9; \
	VFMADD231PS Y13, Y15, Y10; \
	VFMADD231PS Y14, Y15, Y11

// SUMADD(off, dst) adds the float at off(SP) to the float at dst.
#define SUMADD(off, dst) \
	VMOVSS off(SP), X0; \
	VADDSS dst, X0, X0; \
	VMOVSS X0, dst

// func dotTile4x3m(a *float32, lda int, b *float32, boffs *[3]int, lanes *int32, moffs *[3]int, nvec int, acc *[24][8]float32, flags int, c *float32, ldc int, nblk int)
//
// dotTerms4x4's sums for nblk blocks of 4 rows of A by 3 shifted rows of B
// over nvec vectors of 16, one block after the other (a advances by 4·lda
// bytes, acc by one [24][8], c by 4·ldc bytes). B row j is b + boffs[j]
// bytes, its lanes kept where the lane masks at lanes + moffs[j] bytes (one
// int32 per float, laneTable) are all ones and +0 elsewhere, as the shifted
// copy held (a plain load and an AND: masked loads cost ~20 % more on Zen
// 5; the lanes a mask drops must be readable). The sums wait in acc
// (acc[12h + 3i + j]: half h of the vectors, 12 independent accumulators,
// 7 loads and 3 ANDs for 12 FMAs): flags bit 0 starts them from +0, bit 1
// then adds sum (i, j) to c[i·ldc/4 + j] (the lanes added in dotTerms4x4's
// tree), so a sum split over calls has the bits of one call.
TEXT ·dotTile4x3m(SB), NOSPLIT, $64-96
	MOVQ b+16(FP), AX
	MOVQ boffs+24(FP), DX
	MOVQ (DX), R9
	MOVQ 8(DX), R10
	MOVQ 16(DX), R11
	ADDQ AX, R9
	ADDQ AX, R10
	ADDQ AX, R11
	MOVQ lanes+32(FP), AX
	MOVQ moffs+40(FP), DX
	MOVQ (DX), R13
	MOVQ 8(DX), R14
	MOVQ 16(DX), R15
	ADDQ AX, R13
	ADDQ AX, R14
	ADDQ AX, R15

dmblk:
	MOVQ a+0(FP), SI
	MOVQ lda+8(FP), AX
	LEAQ (SI)(AX*1), R8
	LEAQ (SI)(AX*2), R12
	LEAQ (R12)(AX*1), BX
	MOVQ acc+56(FP), DI
	MOVQ nvec+48(FP), DX
	SHLQ $6, DX
	XORQ CX, CX // byte offset: half h from 32h, end nvec·64 + 32h

dmhalf:
	MOVQ flags+64(FP), AX
	TESTQ $1, AX
	JZ   dmacc
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	JMP  dmloop

dmacc:
	VMOVUPS 0(DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	VMOVUPS 96(DI), Y3
	VMOVUPS 128(DI), Y4
	VMOVUPS 160(DI), Y5
	VMOVUPS 192(DI), Y6
	VMOVUPS 224(DI), Y7
	VMOVUPS 256(DI), Y8
	VMOVUPS 288(DI), Y9
	VMOVUPS 320(DI), Y10
	VMOVUPS 352(DI), Y11

dmloop:
	VMOVUPS (R9)(CX*1), Y12
	VANDPS (R13)(CX*1), Y12, Y12
	VMOVUPS (R10)(CX*1), Y13
	VANDPS (R14)(CX*1), Y13, Y13
	VMOVUPS (R11)(CX*1), Y14
	VANDPS (R15)(CX*1), Y14, Y14
	DOT43
	ADDQ $64, CX
	CMPQ CX, DX
	JLT  dmloop
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	VMOVUPS Y4, 128(DI)
	VMOVUPS Y5, 160(DI)
	VMOVUPS Y6, 192(DI)
	VMOVUPS Y7, 224(DI)
	VMOVUPS Y8, 256(DI)
	VMOVUPS Y9, 288(DI)
	VMOVUPS Y10, 320(DI)
	VMOVUPS Y11, 352(DI)
	ADDQ $384, DI
	// the second half: lanes 8-15 of each vector
	TESTQ $32, CX
	JNZ  dmsum
	MOVQ $32, CX
	ADDQ $32, DX
	JMP  dmhalf

dmsum:
	MOVQ flags+64(FP), AX
	TESTQ $2, AX
	JZ   dmnext
	// the 12 sums in dotTerms4x4's tree, four or eight at a time: v = the
	// halves added; w = v's 128-bit halves added (two sums per register);
	// two horizontal adds, the pairs and then the quarters, as
	// VHADDPS X0, X0, X0 twice adds them for one sum
	MOVQ acc+56(FP), SI
	VMOVUPS 0(SI), Y0
	VADDPS 384(SI), Y0, Y0
	VMOVUPS 32(SI), Y1
	VADDPS 416(SI), Y1, Y1
	VMOVUPS 64(SI), Y2
	VADDPS 448(SI), Y2, Y2
	VMOVUPS 96(SI), Y3
	VADDPS 480(SI), Y3, Y3
	VMOVUPS 128(SI), Y4
	VADDPS 512(SI), Y4, Y4
	VMOVUPS 160(SI), Y5
	VADDPS 544(SI), Y5, Y5
	VMOVUPS 192(SI), Y6
	VADDPS 576(SI), Y6, Y6
	VMOVUPS 224(SI), Y7
	VADDPS 608(SI), Y7, Y7
	VMOVUPS 256(SI), Y8
	VADDPS 640(SI), Y8, Y8
	VMOVUPS 288(SI), Y9
	VADDPS 672(SI), Y9, Y9
	VMOVUPS 320(SI), Y10
	VADDPS 704(SI), Y10, Y10
	VMOVUPS 352(SI), Y11
	VADDPS 736(SI), Y11, Y11
	VPERM2F128 $0x20, Y1, Y0, Y12
	VPERM2F128 $0x31, Y1, Y0, Y13
	VADDPS Y13, Y12, Y0 // sums 0 | 1
	VPERM2F128 $0x20, Y3, Y2, Y12
	VPERM2F128 $0x31, Y3, Y2, Y13
	VADDPS Y13, Y12, Y2 // 2 | 3
	VPERM2F128 $0x20, Y5, Y4, Y12
	VPERM2F128 $0x31, Y5, Y4, Y13
	VADDPS Y13, Y12, Y4 // 4 | 5
	VPERM2F128 $0x20, Y7, Y6, Y12
	VPERM2F128 $0x31, Y7, Y6, Y13
	VADDPS Y13, Y12, Y6 // 6 | 7
	VPERM2F128 $0x20, Y9, Y8, Y12
	VPERM2F128 $0x31, Y9, Y8, Y13
	VADDPS Y13, Y12, Y8 // 8 | 9
	VPERM2F128 $0x20, Y11, Y10, Y12
	VPERM2F128 $0x31, Y11, Y10, Y13
	VADDPS Y13, Y12, Y10 // 10 | 11
	VHADDPS Y2, Y0, Y0 // pairs of 0 2 | 1 3
	VHADDPS Y6, Y4, Y4 // 4 6 | 5 7
	VHADDPS Y10, Y8, Y8 // 8 10 | 9 11
	VHADDPS Y4, Y0, Y0 // sums 0 2 4 6 | 1 3 5 7
	VHADDPS Y8, Y8, Y8 // 8 10 8 10 | 9 11 9 11
	VMOVUPS Y0, 0(SP)
	VMOVUPS Y8, 32(SP)
	// sum 3i + j into c[i·ldc/4 + j]
	MOVQ c+72(FP), DI
	MOVQ ldc+80(FP), AX
	SUMADD(0, 0(DI))
	SUMADD(16, 4(DI))
	SUMADD(4, 8(DI))
	ADDQ AX, DI
	SUMADD(20, 0(DI))
	SUMADD(8, 4(DI))
	SUMADD(24, 8(DI))
	ADDQ AX, DI
	SUMADD(12, 0(DI))
	SUMADD(28, 4(DI))
	SUMADD(32, 8(DI))
	ADDQ AX, DI
	SUMADD(48, 0(DI))
	SUMADD(36, 4(DI))
	SUMADD(52, 8(DI))

dmnext:
	DECQ nblk+88(FP)
	JZ   dmdone
	MOVQ lda+8(FP), AX
	SHLQ $2, AX
	ADDQ AX, a+0(FP)
	ADDQ $768, acc+56(FP)
	MOVQ ldc+80(FP), AX
	SHLQ $2, AX
	ADDQ AX, c+72(FP)
	JMP  dmblk

dmdone:
	VZEROUPPER
	RET
