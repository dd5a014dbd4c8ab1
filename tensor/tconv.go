package tensor

// ConvTranspose is the scatter half of a transposed convolution (and of a
// convolution's input gradient): with a window g joining a small grid (cs
// channels) to a large grid (g.C channels),
//
//	dst[l, p] = Σ_s Σ_{tap: p = tap(q)} A[s, l·9 + tap] · src[s, q]
//
// where A is [cs][g.C·9] (a ConvTranspose2d weight [In, Out, 3, 3] or a Conv2d
// weight [Out, In, 3, 3], both read the same way), src is [cs][N·Ho·Wo] and dst
// [g.C][N·H·W] is overwritten. It is Col2imAdd(Aᵀ·src) without the column
// matrix: the large grid splits into four parity classes (even/odd row ×
// even/odd column), and each class is one product over shifted views of src
// (1, 2, 2 and 4 taps: 9 in all), so no multiply is wasted; the classes are
// then interleaved. The shifted views are read in place under lane masks
// (AVX-512 k-masks or AVX2 masked loads), and the interleave is one permute
// per output row (AVX-512) or unpacks and a 128-bit permute per 16 floats
// (AVX2).
func ConvTranspose(dst, a, src, scratch []float32, cs int, g Window) {
	ConvTransposeAct(dst, a, src, nil, ActNone, scratch, cs, g, nil)
}

// Act is an activation applied in a product's epilogue.
type Act int

// The activations.
const (
	ActNone Act = iota
	ActReLU
	ActTanh
)

// ConvTransposeAct is ConvTranspose followed by dst[l, :] += bias[l] (bias
// may be nil), the activation act, and, where gate is not nil,
// ReLUBackward(dst, gate): the bias and activation of a ConvTranspose2d layer,
// or a convolution's input gradient through the previous layer's ReLU,
// applied in the product's epilogue or the interleave where they can.
func ConvTransposeAct(dst, a, src, bias []float32, act Act, scratch []float32, cs int, g Window, gate []float32) {
	if rowsFit(g) {
		convTransposeTerms(dst, a, src, bias, act, scratch, cs, g, gate)
		return
	}
	if !useAsm && g.H <= 2*g.Ho && g.W <= 2*g.Wo {
		convTransposeGo(dst, a, src, bias, act, scratch, cs, g, gate)
		return
	}
	convTransposeRef(dst, a, src, bias, act, scratch, cs, g, gate)
}

// convTransposeRef is ConvTransposeAct through the column matrix and
// separate passes for the bias, the activation and the gate: the twin of
// convTransposeGo, and the route for windows no other kernel covers.
func convTransposeRef(dst, a, src, bias []float32, act Act, scratch []float32, cs int, g Window, gate []float32) {
	convTransposeGather(dst, a, src, scratch, cs, g)
	if bias != nil {
		AddRowBias(dst, bias, g.Large())
	}
	activate(dst[:g.C*g.Large()], act, gate)
}

// convTransposeTerms is ConvTransposeAct with one shifted-grid product per
// parity class (no shifted copies, no clearing), then the interleave.
func convTransposeTerms(dst, a, src, bias []float32, act Act, scratch []float32, cs int, g Window, gate []float32) {
	small, large := g.Small(), g.Large()
	_, _ = src[cs*small-1], dst[g.C*large-1]
	plan := planFor(planClasses, g.N, g.Ho, g.Wo)
	stack := scratch[:g.C*4*small] // [g.C][4 classes][small]
	j0 := 0
	if g.C == 1 {
		// one output channel: all four classes at once, sharing the shifted loads
		var zero [1]float32
		bp, flags := &zero[0], 1
		if bias != nil {
			bp = &bias[0]
		}
		switch act {
		case ActReLU:
			flags |= 2
		case ActTanh:
			flags |= 4
		}
		if useZmm {
			for j0 = 0; j0+32 <= small; j0 += 32 {
				classTile1(&stack[j0], small, &a[0], &src[j0], 4*small, cs, &plan.masks[j0/16], 2*plan.nv, g.Wo, bp, flags)
			}
		} else {
			j0 = small &^ 31
			classTilesY(stack, a, src, plan, g, cs, j0, bp, flags)
		}
	}
	for cls, cl := range classes {
		// A[s][l·9 + tap of block b] is row l, step s, term b
		termProduct(stack[cls*small:], 4*small, a, 9, g.C*9, src, small, cs, plan, cl.first, cl.blocks, cl.taps[:cl.blocks],
			bias, act == ActReLU, nil, g.C, j0, small)
	}
	if act == ActTanh { // where classTile1 did not apply it
		if g.C == 1 {
			lo := j0
			if !useZmm { // classTilesY left it to here: the same vector and scalar lanes
				lo = 0
			}
			for cls := range 4 {
				Tanh(stack[cls*small+lo : (cls+1)*small])
			}
		} else {
			Tanh(stack)
		}
	}
	for l := 0; l < g.C; l++ {
		var gl []float32
		if gate != nil {
			gl = gate[l*large : (l+1)*large]
		}
		interleaveClasses(dst[l*large:(l+1)*large], stack[l*4*small:(l+1)*4*small], gl, g)
	}
}

// convTransposeGather is ConvTranspose through the column matrix
// (MatTMulAdd, then Col2imAdd) where the parity-class kernels do not apply.
func convTransposeGather(dst, a, src, scratch []float32, cs int, g Window) {
	small := g.Small()
	dcol := scratch[:g.ColRows()*small]
	clear(dcol)
	MatTMulAdd(dcol, a, src, g.ColRows(), cs, small)
	clear(dst[:g.C*g.Large()])
	Col2imAdd(dst, dcol, g)
}

// ConvTransposeScratch is the scratch ConvTranspose needs for g and cs.
func ConvTransposeScratch(g Window, cs int) int {
	small := g.Small()
	return max(g.ColRows()*small, 5*cs*small+g.C*4*small+g.C*4*cs)
}

// shiftBlocks lists the shifted copies of src in block order; the value is
// the shift index (0: none, 1: (0,1), 2: (1,1), 3: (1,0)). Block 4 repeats
// block 0 so that every class's shifts are consecutive blocks.
var shiftBlocks = [5]int{0, 1, 2, 3, 0}

// shiftDelta is (dh, dw) of each shift index.
var shiftDelta = [4][2]int{{0, 0}, {0, 1}, {1, 1}, {1, 0}}

// A parity class (r, s) of the large grid: large pixel (2a+r, 2b+s) sums the
// taps listed, tap i reading shifted block first+i at small pixel (a, b).
type parityClass struct {
	first, blocks int
	taps          [4]int
}

// For a row parity r: r = 0 uses kh = 1 at shift 0; r = 1 uses kh = 0 at
// shift +1 and kh = 2 at shift 0 (likewise for columns).
var classes = [4]parityClass{
	{first: 0, blocks: 1, taps: [4]int{1*3 + 1}},                            // (0,0): block (0,0)
	{first: 0, blocks: 2, taps: [4]int{1*3 + 2, 1*3 + 0}},                   // (0,1): blocks (0,0) (0,1)
	{first: 3, blocks: 2, taps: [4]int{0*3 + 1, 2*3 + 1}},                   // (1,0): blocks (1,0) (0,0)
	{first: 0, blocks: 4, taps: [4]int{2*3 + 2, 2*3 + 0, 0*3 + 0, 0*3 + 2}}, // (1,1): (0,0) (0,1) (1,1) (1,0)
}
