package tensor

import "sync"

// The AVX2 drivers of the parity-class kernels (ymm_amd64.s): the same tiles
// as the AVX-512 ones (terms.go, tconv.go), cut into ymm-sized pieces, with
// the same float32 operations per output element in the same order, so the
// two x86 paths give identical bits. Partial tiles are computed into a
// scratch tile and copied, or overlap the previous tile (masked stores are
// slow on Zen 3). A shifted view is read with a plain load and an AND with
// its lane masks (laneTable) wherever every lane it reads lies inside the
// buffer, with a masked load (VMASKMOVPS) elsewhere: the AND gives the same
// +0 in the dropped lanes and costs less. The weight gradients read the
// shifted taps in place too, so no shifted copy of the column matrix is
// made.

// termProductY is termProduct on the AVX2 kernels.
func termProductY(c []float32, ldc int, a []float32, ldr, lda int, b []float32, lds, cs int, plan *termPlan, first, nterms int, offs *[18]int, bias []float32, flags int, gate []float32, m, j0, p int) {
	var zero [8]float32
	var tile, tgate [4 * 16]float32
	masks := plan.masks[first*plan.nv:]
	// column tiles outermost: a tile's B panel is read from L2 once and
	// from L1 by every row block of 4
	m4 := m &^ 3
	bp := func(r int) *float32 {
		if bias == nil {
			return &zero[0]
		}
		return &bias[r]
	}
	gp := func(r, j int) *float32 {
		if gate == nil {
			return nil
		}
		return &gate[r*ldc+j]
	}
	// 24-column tiles, the last one moved back to end at p: a column's sums
	// do not depend on its tile and C is overwritten, so the overlap is
	// written twice with the same bits
	j := j0
	if p-j0 >= 24 && m4 > 0 {
		lanes := laneTable(plan)
		nl := 16 * plan.nv
		bstep := 0
		if bias != nil {
			bstep = 16
			_ = bias[m4-1]
		}
		// the row blocks in the kernel
		_, _ = c[(m4-1)*ldc+p-1], a[(m4-1)*ldr]
		if gate != nil {
			_ = gate[(m4-1)*ldc+p-1]
		}
		// the tiles whose every shifted read stays inside b read the masked
		// terms with plain loads and an AND (flags bit 3)
		lo, hi := offs[0], offs[0]
		for t := range nterms {
			lo, hi = min(lo, offs[2*t]), max(hi, offs[2*t])
		}
		lo, hi = lo/4, (cs-1)*lds+hi/4+24
		for ; j < p; j += 24 {
			jt := min(j, p-24)
			f := flags
			if jt+lo >= 0 && jt+hi <= len(b) {
				f |= 8
			}
			termTile4x24m(&c[jt], 4*ldc, &a[0], 4*ldr, 4*lda, &b[jt], 4*lds, cs, &offs[0],
				&lanes[first*nl+jt], 4*nl, nterms, bp(0), f, gp(0, jt), m4/4, bstep)
		}
	}
	for ; j+16 <= p; j += 16 {
		for r := 0; r < m4; r += 4 {
			termTile4y(&c[r*ldc+j], 4*ldc, &a[r*ldr], 4*ldr, 4*lda, &b[j], 4*lds, cs, &offs[0],
				&masks[j/16], 2*plan.nv, nterms, bp(r), flags, gp(r, j))
		}
	}
	if j < p {
		// the last, partial tile: through a scratch tile (the B lanes past p
		// are masked, so they are never read)
		w := p - j
		for r := 0; r < m4; r += 4 {
			if gate != nil {
				for t := range 4 {
					copy(tgate[t*16:t*16+w], gate[(r+t)*ldc+j:(r+t)*ldc+p])
				}
			}
			termTile4y(&tile[0], 4*16, &a[r*ldr], 4*ldr, 4*lda, &b[j], 4*lds, cs, &offs[0],
				&masks[j/16], 2*plan.nv, nterms, bp(r), flags, &tgate[0])
			for t := range 4 {
				copy(c[(r+t)*ldc+j:(r+t)*ldc+p], tile[t*16:t*16+w])
			}
		}
	}
	for i := m4; i < m; i++ {
		for j := j0; j < p; j += 32 {
			if j+32 <= p {
				termTile1y(&c[i*ldc+j], &a[i*ldr], 4*lda, &b[j], 4*lds, cs, &offs[0],
					&masks[j/16], 2*plan.nv, nterms, bp(i), flags&^4)
				continue
			}
			var row [32]float32
			termTile1y(&row[0], &a[i*ldr], 4*lda, &b[j], 4*lds, cs, &offs[0],
				&masks[j/16], 2*plan.nv, nterms, bp(i), flags&^4)
			copy(c[i*ldc+j:i*ldc+p], row[:p-j])
		}
		if gate != nil {
			ReLUBackward(c[i*ldc+j0:i*ldc+p], gate[i*ldc+j0:i*ldc+p])
		}
	}
}

var laneTables sync.Map // *termPlan → []int32

// laneTable is plan's masks expanded to lanes: lane q of term t is -1
// (all ones) at [t·16·nv + q] where bit q of the term's mask words is set,
// else 0; cached per plan.
func laneTable(plan *termPlan) []int32 {
	if t, ok := laneTables.Load(plan); ok {
		return t.([]int32)
	}
	nl := 16 * plan.nv
	nt := len(plan.offs)
	t := make([]int32, nt*nl)
	for i := range t {
		if plan.masks[i/16]>>(i%16)&1 != 0 {
			t[i] = -1
		}
	}
	v, _ := laneTables.LoadOrStore(plan, t)
	return v.([]int32)
}

// colReduceY is ColReduce's vector path on the AVX2 kernels (m ≥ 4):
// blocks of 4 rows of C by 3 taps of one channel (dotTile4x3m), which read
// the shifted taps from the parity classes in place under lane masks, as
// dotTerms4x4 does, so no shifted copies are made. The kernel's plain load
// and AND may read the lanes a mask drops: a shift is at most wo+1 floats
// back and the classes are the rows 4-8 of a channel, so every read stays
// inside col. When m is not a multiple of 4, the last row block is moved
// back to overlap the previous one, its overlap not added twice. The
// vectors are cut into chunks of at most dwChunk, and each chunk runs every
// block of a group of up to dwBlocks before the next, so that the group's
// rows of A and B are read from L2 once, not once per block. Each sum has
// the bits of dotTerms4x4 (and dotTerms8x2) whatever block or chunk holds
// it.
func colReduceY(c, a, col []float32, m int, g Window) {
	small, n := g.Small(), g.ColRows()
	plan := planFor(planColumns, g.N, g.Ho, g.Wo)
	lanes, nl := laneTable(plan), 16*plan.nv
	nvec := small / 16
	_, _, _ = c[m*n-1], a[m*small-1], col[n*small-1]
	chunk := (nvec + dwChunk - 1) / dwChunk
	chunk = (nvec + chunk - 1) / chunk // as even as whole vectors allow
	var acc [dwBlocks][24][8]float32
	var boffs, moffs [dwBlocks][3]int // of a group's triples, from the chunk's start
	rowBlocks, triples := (m+3)/4, n/3
	rb := min(rowBlocks, dwBlocks)
	tb := dwBlocks / rb
	for r0 := 0; r0 < rowBlocks; r0 += rb {
		r1 := min(r0+rb, rowBlocks)
		whole := r1 - r0 // blocks of rows 4r…4r+3
		if m%4 != 0 && r1 == rowBlocks {
			whole-- // the last block holds rows m-4…m-1
		}
		for t0 := 0; t0 < triples; t0 += tb {
			t1 := min(t0+tb, triples)
			for t := t0; t < t1; t++ {
				// taps 3t%9 … 3t%9+2 of channel 3t/9
				for r := range 3 {
					tap := (3*t + r) % 9
					boffs[t-t0][r] = 4*(3*t+r-tap)*small + plan.offs[tap]
					moffs[t-t0][r] = 4 * dwMask[tap] * nl
				}
			}
			for q0 := 0; q0 < nvec; q0 += chunk {
				nv := min(chunk, nvec-q0)
				flags := 0
				if q0 == 0 {
					flags |= 1
				}
				if q0+nv == nvec {
					flags |= 2
				}
				b, l := &col[16*q0], &lanes[16*q0]
				for t := t0; t < t1; t++ {
					k := (t - t0) * rb
					if whole > 0 {
						dotTile4x3m(&a[4*r0*small+16*q0], 4*small, b, &boffs[t-t0], l, &moffs[t-t0], nv,
							&acc[k], flags, &c[4*r0*n+3*t], 4*n, whole)
					}
					if whole == r1-r0 {
						continue
					}
					var out [4][3]float32
					i := m - 4
					dotTile4x3m(&a[i*small+16*q0], 4*small, b, &boffs[t-t0], l, &moffs[t-t0], nv,
						&acc[k+whole], flags, &out[0][0], 12, 1)
					if flags&2 != 0 {
						for r := 4 * (r1 - 1); r < m; r++ {
							for e, v := range out[r-i] {
								c[r*n+3*t+e] += v
							}
						}
					}
				}
			}
		}
	}
}

// dwMask is the tap whose lane masks colReduceY reads for each tap: the
// taps of one shift share theirs, so a chunk's masks take 4 KB of L1, not 9.
var dwMask = [9]int{0, 1, 1, 3, 4, 4, 3, 4, 4}

// The chunking of colReduceY: at most dwChunk vectors of 16 per pass (each
// row of A and B 1 KB), and at most dwBlocks blocks per group (their sums
// wait in acc, 768 bytes each).
const (
	dwChunk  = 16
	dwBlocks = 12
)

// classTilesY is convTransposeTerms' classTile1 loop on the AVX2 kernel, for
// the columns below j0 (a multiple of 32); tanh (flags bit 2) is applied by
// the caller.
func classTilesY(stack, a, src []float32, plan *termPlan, g Window, cs, j0 int, bias *float32, flags int) {
	small := g.Small()
	lanes, nl := laneTable(plan), 16*plan.nv
	j := 0
	for ; j+24 <= j0; j += 24 {
		classTile1x24y(&stack[j], small, &a[0], &src[j], 4*small, cs, &lanes[j], 4*nl, g.Wo, bias, flags&^4)
	}
	if j < j0 {
		// 8 or 16 columns left: the last 16 (a column's sums do not depend on
		// its tile, so the overlap is written twice with the same bits)
		j = j0 - 16
		classTile1y(&stack[j], small, &a[0], &src[j], 4*small, cs, &plan.masks[j/16], 2*plan.nv, g.Wo, bias, flags&^4)
	}
}

// laneMask sets the lanes [lo, hi) of m to all ones, the rest to 0.
func laneMask(m []int32, lo, hi int) {
	for i := range m {
		m[i] = 0
		if i >= lo && i < hi {
			m[i] = -1
		}
	}
}

// safeRows is how many rows of n, each `width` floats from the previous and
// stored as `store` floats, stay inside a buffer of `length` floats.
func safeRows(n, width, store, length int) int {
	if length < store {
		return 0
	}
	return min(n, (length-store)/width+1)
}

// splitClassesY writes the parity classes of x into the rows 4, 5, 7 and 8
// of each channel of the column matrix (0 past the grid), as splitRows does:
// splitY, and splitRowsGo for the last rows of each class.
func splitClassesY(col, x []float32, g Window) {
	small, large := g.Small(), g.Large()
	var m [32]int32
	laneMask(m[:], 0, g.W)
	store := 16
	switch {
	case g.W <= 8:
		store = 4
	case g.W <= 16:
		store = 8
	}
	rows := safeRows(g.N*g.Ho, g.Wo, store, small)
	_ = col[g.C*9*small-1]
	for c := 0; c < g.C; c++ {
		if rows > 0 {
			splitY(&col[(c*9+4)*small], &x[c*large], small, rows, g.Ho, 2*g.Ho-g.H, g.W, &m)
		}
		splitRowsGo(col[c*9*small:(c+1)*9*small], x[c*large:(c+1)*large], g, rows)
	}
}

// splitRowsGo is splitY for the class rows from r0 on of one channel (rows
// [9][small] of the column matrix, x its large grid).
func splitRowsGo(rows, x []float32, g Window, r0 int) {
	small := g.Small()
	ho, wo, h, w := g.Ho, g.Wo, g.H, g.W
	p := [4][]float32{rows[4*small : 5*small], rows[5*small : 6*small], rows[7*small : 8*small], rows[8*small : 9*small]}
	for r := r0; r < g.N*ho; r++ {
		n, a := r/ho, r%ho
		for k := range 2 {
			e, o := p[2*k][r*wo:(r+1)*wo], p[2*k+1][r*wo:(r+1)*wo]
			ih := 2*a + k
			if ih >= h {
				clear(e)
				clear(o)
				continue
			}
			src := x[(n*h+ih)*w : (n*h+ih+1)*w]
			for b := range wo {
				e[b] = src[2*b]
				if 2*b+1 < w {
					o[b] = src[2*b+1]
				} else {
					o[b] = 0
				}
			}
		}
	}
}

// shiftCopyY is shiftCopy without masks: dst[q] = src[q + dh·wo + dw]
// over n images of ho×wo (dh, dw ∈ {-1, 0}), 0 where the neighbour leaves
// the grid: one copy of the whole plane, then the zeros (each image's first
// row where dh = -1, each row's first column where dw = -1).
func shiftCopyY(dst, src []float32, n, ho, wo, dh, dw int) {
	k := n * ho * wo
	dst, src = dst[:k], src[:k]
	d := -(dh*wo + dw)
	copy(dst[d:], src[:k-d])
	clear(dst[:d])
	if dh < 0 {
		for img := range n {
			clear(dst[img*ho*wo : img*ho*wo+wo])
		}
	}
	if dw < 0 {
		for q := 0; q < k; q += wo {
			dst[q] = 0
		}
	}
}

// interleaveY8 weaves one channel's four parity classes (stack [4][small])
// onto its large grid dst, as interleaveRows does (interleaveY, and
// interleaveRowsGo for the last rows); where gate is not nil, dst is zeroed
// where gate is not positive.
func interleaveY8(dst, stack, gate []float32, g Window) {
	large := g.Large()
	_, _ = dst[large-1], stack[4*g.Small()-1]
	store := 32
	switch {
	case g.W <= 8:
		store = 8
	case g.W <= 16:
		store = 16
	}
	rows := safeRows(g.N*g.H, g.W, store, large)
	var gp *float32
	if gate != nil {
		gp = &gate[:large][0]
	}
	if rows > 0 {
		var m [16]int32
		laneMask(m[:], 0, g.Wo)
		interleaveY(&dst[0], &stack[0], g.Small(), rows, g.Ho, 2*g.Ho-g.H, g.Wo, g.W, gp, &m)
	}
	interleaveRowsGo(dst, stack, gate, g, rows)
}

// interleaveRowsGo is interleaveY for the output rows from r0 on.
func interleaveRowsGo(dst, stack, gate []float32, g Window, r0 int) {
	small := g.Small()
	ho, wo, h, w := g.Ho, g.Wo, g.H, g.W
	for r := r0; r < g.N*h; r++ {
		n, ih := r/h, r%h
		k := ih % 2
		e := stack[2*k*small+(n*ho+ih/2)*wo:][:wo]
		o := stack[(2*k+1)*small+(n*ho+ih/2)*wo:][:wo]
		d := dst[r*w : (r+1)*w]
		for iw := range d {
			if iw%2 == 0 {
				d[iw] = e[iw/2]
			} else {
				d[iw] = o[iw/2]
			}
		}
		if gate != nil {
			for iw, v := range gate[r*w : (r+1)*w] {
				if !(v > 0) {
					d[iw] = 0
				}
			}
		}
	}
}
