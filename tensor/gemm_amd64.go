//go:build !noasm

package tensor

import "golang.org/x/sys/cpu"

// useAsm selects the AVX2/FMA tiles; they need both extensions (AVX-512
// machines have them too, and on Zen 4 ymm and zmm give the same FLOP rate).
var (
	hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	useAsm  = hasAVX2
)

//go:noescape
func tile4x16(c *float32, ldc int, a *float32, ars int, acs int, b *float32, ldb int, k int)

//go:noescape
func dot4x2(a *float32, lda int, b *float32, ldb int, p int, out *[64]float32)

//go:noescape
func relu8(x *float32, n int)

//go:noescape
func reluMask8(dy *float32, y *float32, n int)

//go:noescape
func tanh8(x *float32, n int)

//go:noescape
func tile1x32(c *float32, a *float32, acs int, b *float32, ldb int, k int)

//go:noescape
func addConst8(x *float32, v float32, n int)

//go:noescape
func sum32(x *float32, n int) float32

// useRows selects the parity-class kernels of the windows and the
// shifted-grid products (ColClasses, ColProduct, ColReduce,
// ConvTransposeAct); useZmm runs them with the AVX-512 (F and VL) kernels
// (splitRows, maskCopy, interleaveRows, termTile8, …), else with the AVX2
// ones (ymm_amd64.s), which give the same bits.
var (
	hasAVX512 = hasAVX2 && cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL
	useRows   = hasAVX2
	useZmm    = hasAVX512
)

//go:noescape
func interleaveRows(dst *float32, stack *float32, idx *[32]int32, small int, imgs int, ho int, odd int, w int, masks uint64, dstLen int, stackLen int, gate *float32)

//go:noescape
func maskCopy(dst *float32, src *float32, delta int, masks *uint16, period int, n int)

//go:noescape
func splitRows(p0 *float32, p1 *float32, p2 *float32, p3 *float32, x *float32, idx *[32]int32, imgs int, ho int, odd int, w int, masks uint64, plane int, womask uint64, xlen int)

//go:noescape
func termTile8(c *float32, ldc int, a *float32, ldr int, lda int, b *float32, lds int, cs int, offs *int, masks *uint16, nvb int, nterms int, bias *float32, flags int, stmask uint64, gate *float32)

//go:noescape
func termTile1(c *float32, ldc int, a *float32, ldr int, lda int, b *float32, lds int, cs int, offs *int, masks *uint16, nvb int, nterms int, bias *float32, flags int, stmask uint64)

//go:noescape
func dotTerms4x4(a *float32, lda int, b *float32, offs *[4]int, masks *uint16, moffs *[4]int, nvec int, out *[16]float32)

//go:noescape
func adam8(p *float32, grad *float32, m *float32, v *float32, n int, k *[8]float32)

//go:noescape
func sqErrTanh8(dy *float32, y *float32, x *float32, n int, s float32) float64

//go:noescape
func classTile1(stack *float32, small int, a *float32, b *float32, lds int, cs int, masks *uint16, nvb int, wo int, bias *float32, flags int)

//go:noescape
func sqDiff8(y *float32, x *float32, n int) float64

//go:noescape
func tanh16(x *float32, n int)

//go:noescape
func dotTerms8x2(a *float32, lda int, b *float32, offs *[2]int, masks *uint16, moffs *[2]int, nvec int, out *[16]float32)

//go:noescape
func termTile4y(c *float32, ldc int, a *float32, ldr int, lda int, b *float32, lds int, cs int, offs *int, masks *uint16, nvb int, nterms int, bias *float32, flags int, gate *float32)

//go:noescape
func termTile1y(c *float32, a *float32, lda int, b *float32, lds int, cs int, offs *int, masks *uint16, nvb int, nterms int, bias *float32, flags int)

//go:noescape
func classTile1y(stack *float32, small int, a *float32, b *float32, lds int, cs int, masks *uint16, nvb int, wo int, bias *float32, flags int)

//go:noescape
func interleaveY(dst *float32, stack *float32, small int, rows int, ho int, odd int, wo int, w int, gate *float32, masks *[16]int32)

//go:noescape
func splitY(p0 *float32, x *float32, small int, rows int, ho int, odd int, w int, masks *[32]int32)

//go:noescape
func termTile4x24y(c *float32, ldc int, a *float32, ldr int, lda int, b *float32, lds int, cs int, offs *int, masks *uint16, nvb int, nterms int, bias *float32, flags int, gate *float32, mb int)

//go:noescape
func termTile4x24m(c *float32, ldc int, a *float32, ldr int, lda int, b *float32, lds int, cs int, offs *int, lanes *int32, nvb int, nterms int, bias *float32, flags int, gate *float32, nblk int, bstep int)

//go:noescape
func classTile1x24y(stack *float32, small int, a *float32, b *float32, lds int, cs int, lanes *int32, nvb int, wo int, bias *float32, flags int)

//go:noescape
func dotTile4x3m(a *float32, lda int, b *float32, boffs *[3]int, lanes *int32, moffs *[3]int, nvec int, acc *[24][8]float32, flags int, c *float32, ldc int, nblk int)
