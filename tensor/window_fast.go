package tensor

import "sync"

// The vector paths of the windows (rowsFit): the large grid is split into its
// parity classes and woven back by one permute per row (AVX-512: splitRows,
// interleaveRows; AVX2: splitY, interleaveY, in-lane shuffles), and shifted
// copies are masked whole-vector copies (maskCopy) or one copy of the plane
// plus its zeros (shiftCopyY). No gathers.

// lanes is a mask of the first n of 16 lanes (n clamped to 0..16).
func lanes(n int) uint64 {
	n = min(max(n, 0), 16)
	return 1<<n - 1
}

// rowsFit reports whether the parity-class kernels cover g: a large-grid row
// fits two vectors, a small-grid row one, and the grids are a stride-2 pair.
func rowsFit(g Window) bool {
	return useRows && g.W <= 32 && g.Wo <= 16 && g.N >= 1 &&
		(2*g.Ho-g.H == 0 || 2*g.Ho-g.H == 1) && (2*g.Wo-g.W == 0 || 2*g.Wo-g.W == 1)
}

// shiftMasks returns the lane masks of maskCopy for a shift (dh, dw) of a
// ho×wo grid: bit q of the pattern is set where pixel q's neighbour (a+dh,
// b+dw) lies inside the grid. The pattern repeats every 16/gcd(ho·wo, 16)
// images, so it is a whole number of 16-lane masks.
func shiftMasks(ho, wo, dh, dw int) []uint16 {
	key := [4]int{ho, wo, dh, dw}
	if m, ok := maskCache.Load(key); ok {
		return m.([]uint16)
	}
	p := ho * wo
	grp := 1
	for grp*p%16 != 0 {
		grp *= 2
	}
	m := make([]uint16, grp*p/16)
	for q := range grp * p {
		a, b := q%p/wo, q%wo
		if a+dh >= 0 && a+dh < ho && b+dw >= 0 && b+dw < wo {
			m[q/16] |= 1 << (q % 16)
		}
	}
	v, _ := maskCache.LoadOrStore(key, m)
	return v.([]uint16)
}

var maskCache sync.Map // [4]int{ho, wo, dh, dw} → []uint16

// shiftCopy sets dst[q] = src[q + dh·wo + dw] over n images of ho×wo, 0
// where the neighbour (a+dh, b+dw) leaves the grid (maskCopy).
func shiftCopy(dst, src []float32, n, ho, wo, dh, dw int) {
	if !useZmm {
		shiftCopyY(dst, src, n, ho, wo, dh, dw)
		return
	}
	m := shiftMasks(ho, wo, dh, dw)
	k := n * ho * wo
	_, _ = dst[k-1], src[k-1]
	maskCopy(&dst[0], &src[0], dh*wo+dw, &m[0], len(m), k)
}

// splitIdx selects a row's even columns (lanes 0-15) and odd ones (16-31).
var splitIdx = func() (t [32]int32) {
	for i := range 16 {
		t[i], t[16+i] = int32(2*i), int32(2*i+1)
	}
	return t
}()

// im2colRows is Im2col without gathers: each channel's large grid is split
// into its four parity classes, which are the unshifted taps (1,1) (1,2)
// (2,1) (2,2) themselves; the other five taps are shifted copies of them
// (kh = 0 reads class row a-1, kw = 0 class column b-1).
func im2colRows(col, x []float32, g Window) {
	splitClasses(col, x, g)
	fillShifted(col, g)
}

// splitClasses writes the rows 4, 5, 7 and 8 of each channel of Im2col's
// column matrix: the parity classes of x.
func splitClasses(col, x []float32, g Window) {
	if !useZmm {
		splitClassesY(col, x, g)
		return
	}
	small, large := g.Small(), g.Large()
	var even, odd uint64
	for i := range min(g.Wo, 16) {
		if 2*i < g.W {
			even |= 1 << i
		}
		if 2*i+1 < g.W {
			odd |= 1 << i
		}
	}
	masks := lanes(g.W) | lanes(g.W-16)<<16 | even<<32 | odd<<48
	_ = col[g.C*9*small-1]
	_ = x[g.C*large-1]
	for c := range g.C {
		rows := col[c*9*small : (c+1)*9*small]
		splitRows(&rows[4*small], &rows[5*small], &rows[7*small], &rows[8*small], &x[c*large], &splitIdx,
			g.N, g.Ho, 2*g.Ho-g.H, g.W, masks, small, lanes(g.Wo), len(x)-c*large)
	}
}

// fillShifted writes the other five rows of each channel from its classes.
func fillShifted(col []float32, g Window) {
	small := g.Small()
	for c := 0; c < g.C; c++ {
		rows := col[c*9*small : (c+1)*9*small]
		row := func(tap int) []float32 { return rows[tap*small : (tap+1)*small] }
		shiftCopy(row(0), row(8), g.N, g.Ho, g.Wo, -1, -1)
		shiftCopy(row(1), row(7), g.N, g.Ho, g.Wo, -1, 0)
		shiftCopy(row(2), row(8), g.N, g.Ho, g.Wo, -1, 0)
		shiftCopy(row(3), row(5), g.N, g.Ho, g.Wo, 0, -1)
		shiftCopy(row(6), row(8), g.N, g.Ho, g.Wo, 0, -1)
	}
}

// interleaveIdx is the lane table of interleaveRows: output lane i (of 32)
// takes lane i/2 of class (r,0) when i is even, of class (r,1) when odd.
var interleaveIdx = func() (t [32]int32) {
	for i := range t {
		t[i] = int32(i%2*16 + i/2)
	}
	return t
}()

// interleaveClasses weaves one channel's four parity classes (stack [4][small])
// onto its large grid dst [N·H·W] with interleaveRows; where gate is not nil,
// dst is zeroed where gate (laid out as dst) is not positive.
func interleaveClasses(dst, stack, gate []float32, g Window) {
	if !useZmm {
		var gl []float32
		if gate != nil && g.W <= 16 {
			gl = gate
		}
		interleaveY8(dst, stack, gl, g)
		if gate != nil && g.W > 16 {
			ReLUBackward(dst, gate)
		}
		return
	}
	masks := lanes(g.Wo) | lanes(g.W)<<16 | lanes(g.W-16)<<32
	var gp *float32
	if gate != nil && g.W <= 16 {
		gp = &gate[:len(dst)][0]
	}
	interleaveRows(&dst[0], &stack[0], &interleaveIdx, g.Small(), g.N, g.Ho, 2*g.Ho-g.H, g.W, masks, g.Large(), 4*g.Small(), gp)
	if gate != nil && g.W > 16 {
		ReLUBackward(dst, gate)
	}
}
