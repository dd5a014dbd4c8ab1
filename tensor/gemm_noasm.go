//go:build noasm || !amd64

package tensor

// useAsm is false: only the pure-Go reference products run.
var useAsm, hasAVX2 = false, false

func tile4x16(c *float32, ldc int, a *float32, ars int, acs int, b *float32, ldb int, k int) {
	panic("tensor: no assembly in this build")
}

func dot4x2(a *float32, lda int, b *float32, ldb int, p int, out *[64]float32) {
	panic("tensor: no assembly in this build")
}

func relu8(x *float32, n int)                  { panic("tensor: no assembly in this build") }
func reluMask8(dy *float32, y *float32, n int) { panic("tensor: no assembly in this build") }
func tanh8(x *float32, n int)                  { panic("tensor: no assembly in this build") }

func tile1x32(c *float32, a *float32, acs int, b *float32, ldb int, k int) {
	panic("tensor: no assembly in this build")
}

func addConst8(x *float32, v float32, n int) { panic("tensor: no assembly in this build") }
func sum32(x *float32, n int) float32        { panic("tensor: no assembly in this build") }

// useRows and useZmm are false: no parity-class kernels.
var useRows, useZmm, hasAVX512 = false, false, false

func interleaveRows(dst *float32, stack *float32, idx *[32]int32, small int, imgs int, ho int, odd int, w int, masks uint64, dstLen int, stackLen int, gate *float32) {
	panic("tensor: no assembly in this build")
}

func maskCopy(dst *float32, src *float32, delta int, masks *uint16, period int, n int) {
	panic("tensor: no assembly in this build")
}

func splitRows(p0 *float32, p1 *float32, p2 *float32, p3 *float32, x *float32, idx *[32]int32, imgs int, ho int, odd int, w int, masks uint64, plane int, womask uint64, xlen int) {
	panic("tensor: no assembly in this build")
}

func termTile8(c *float32, ldc int, a *float32, ldr int, lda int, b *float32, lds int, cs int, offs *int, masks *uint16, nvb int, nterms int, bias *float32, flags int, stmask uint64, gate *float32) {
	panic("tensor: no assembly in this build")
}

func termTile1(c *float32, ldc int, a *float32, ldr int, lda int, b *float32, lds int, cs int, offs *int, masks *uint16, nvb int, nterms int, bias *float32, flags int, stmask uint64) {
	panic("tensor: no assembly in this build")
}

func dotTerms4x4(a *float32, lda int, b *float32, offs *[4]int, masks *uint16, moffs *[4]int, nvec int, out *[16]float32) {
	panic("tensor: no assembly in this build")
}

func adam8(p *float32, grad *float32, m *float32, v *float32, n int, k *[8]float32) {
	panic("tensor: no assembly in this build")
}

func sqErrTanh8(dy *float32, y *float32, x *float32, n int, s float32) float64 {
	panic("tensor: no assembly in this build")
}

func classTile1(stack *float32, small int, a *float32, b *float32, lds int, cs int, masks *uint16, nvb int, wo int, bias *float32, flags int) {
	panic("tensor: no assembly in this build")
}

func sqDiff8(y *float32, x *float32, n int) float64 { panic("tensor: no assembly in this build") }

func tanh16(x *float32, n int) { panic("tensor: no assembly in this build") }

func dotTerms8x2(a *float32, lda int, b *float32, offs *[2]int, masks *uint16, moffs *[2]int, nvec int, out *[16]float32) {
	panic("tensor: no assembly in this build")
}

func termTile4y(c *float32, ldc int, a *float32, ldr int, lda int, b *float32, lds int, cs int, offs *int, masks *uint16, nvb int, nterms int, bias *float32, flags int, gate *float32) {
	panic("tensor: no assembly in this build")
}

func termTile1y(c *float32, a *float32, lda int, b *float32, lds int, cs int, offs *int, masks *uint16, nvb int, nterms int, bias *float32, flags int) {
	panic("tensor: no assembly in this build")
}

func classTile1y(stack *float32, small int, a *float32, b *float32, lds int, cs int, masks *uint16, nvb int, wo int, bias *float32, flags int) {
	panic("tensor: no assembly in this build")
}

func interleaveY(dst *float32, stack *float32, small int, rows int, ho int, odd int, wo int, w int, gate *float32, masks *[16]int32) {
	panic("tensor: no assembly in this build")
}

func splitY(p0 *float32, x *float32, small int, rows int, ho int, odd int, w int, masks *[32]int32) {
	panic("tensor: no assembly in this build")
}

func termTile4x24y(c *float32, ldc int, a *float32, ldr int, lda int, b *float32, lds int, cs int, offs *int, masks *uint16, nvb int, nterms int, bias *float32, flags int, gate *float32, mb int) {
	panic("tensor: no assembly in this build")
}

func termTile4x24m(c *float32, ldc int, a *float32, ldr int, lda int, b *float32, lds int, cs int, offs *int, lanes *int32, nvb int, nterms int, bias *float32, flags int, gate *float32, nblk int, bstep int) {
	panic("tensor: no assembly in this build")
}

func classTile1x24y(stack *float32, small int, a *float32, b *float32, lds int, cs int, lanes *int32, nvb int, wo int, bias *float32, flags int) {
	panic("tensor: no assembly in this build")
}

func dotTile4x3m(a *float32, lda int, b *float32, boffs *[3]int, lanes *int32, moffs *[3]int, nvec int, acc *[24][8]float32, flags int, c *float32, ldc int, nblk int) {
	panic("tensor: no assembly in this build")
}
