package tensor

import "sync"

// Products over shifted grids (termTile8, termTile1): a transposed
// convolution's parity classes read their shifted inputs straight from the
// small grid under lane masks, with bias and ReLU applied before the store.

// termPlan is a set of shifted views of a grid of n images of ho×wo: term t
// reads pixel q + offs[t]/4 where bit q of masks[t·nv:] is set, else 0.
type termPlan struct {
	nv    int // masks per term: a whole number of 64-lane tiles
	offs  []int
	masks []uint16
}

// newTermPlan builds the plan of shifts (dh, dw) over n images of ho×wo.
func newTermPlan(n, ho, wo int, shifts [][2]int) *termPlan {
	p := n * ho * wo
	nv := (p + 63) / 64 * 4
	// two words of padding: termTile4x24y reads 32 bits at a 16-bit word
	t := &termPlan{nv: nv, offs: make([]int, len(shifts)), masks: make([]uint16, len(shifts)*nv+2)}
	for i, d := range shifts {
		t.offs[i] = 4 * (d[0]*wo + d[1])
		for q := range p {
			a, b := q%(ho*wo)/wo, q%wo
			if a+d[0] >= 0 && a+d[0] < ho && b+d[1] >= 0 && b+d[1] < wo {
				t.masks[i*nv+q/16] |= 1 << (q % 16)
			}
		}
	}
	return t
}

var planCache sync.Map // [4]int{kind, n, ho, wo} → *termPlan

// The kinds of plan.
const (
	planClasses = iota // the five blocks of a transposed convolution (shiftBlocks)
	planColumns        // the nine taps of a column matrix, read from its parity classes
)

// planFor returns the cached plan of a kind for n images of ho×wo.
func planFor(kind, n, ho, wo int) *termPlan {
	key := [4]int{kind, n, ho, wo}
	if t, ok := planCache.Load(key); ok {
		return t.(*termPlan)
	}
	var shifts [][2]int
	switch kind {
	case planClasses:
		for _, sh := range shiftBlocks {
			shifts = append(shifts, shiftDelta[sh])
		}
	case planColumns:
		// tap (kh, kw) is class (kh ≠ 1, kw ≠ 1) shifted back by one row
		// where kh = 0 and one column where kw = 0
		for tap := range 9 {
			kh, kw := tap/3, tap%3
			shifts = append(shifts, [2]int{-b2i(kh == 0), -b2i(kw == 0)})
		}
	}
	plan := newTermPlan(n, ho, wo, shifts)
	if kind == planColumns {
		// the classes are the column matrix's rows 4 (1,1), 5 (1,2), 7 (2,1), 8 (2,2)
		small := n * ho * wo
		for tap := range 9 {
			kh, kw := tap/3, tap%3
			row := [4]int{4, 5, 7, 8}[2*b2i(kh != 1)+b2i(kw != 1)]
			plan.offs[tap] += 4 * row * small
		}
	}
	t, _ := planCache.LoadOrStore(key, plan)
	return t.(*termPlan)
}

// termProduct computes, for rows i < m and columns j0 ≤ j < p (j0 a
// multiple of 32),
//
//	C[i·ldc + j] = act(bias[i] + Σ_t Σ_s A[i·ldr + s·lda + aoff[t]] · B_t[s·lds + j])
//
// where B_t is b read through term first+t of plan (nterms ≤ 9 terms). bias
// nil means 0; act is ReLU when relu is set, else the identity; where gate
// (laid out as c) is not nil, C is zeroed where gate is not positive. A is
// read in place (a weight tensor), so nothing is packed.
func termProduct(c []float32, ldc int, a []float32, ldr, lda int, b []float32, lds, cs int, plan *termPlan, first, nterms int, aoff []int, bias []float32, relu bool, gate []float32, m, j0, p int) {
	flags := 1
	if relu {
		flags |= 2
	}
	var zero [8]float32
	var offs [18]int // [term][B, A] in bytes
	for t := range nterms {
		offs[2*t], offs[2*t+1] = plan.offs[first+t], 4*aoff[t]
	}
	var gp *float32
	if gate != nil {
		flags |= 4
	}
	if !useZmm {
		termProductY(c, ldc, a, ldr, lda, b, lds, cs, plan, first, nterms, &offs, bias, flags, gate, m, j0, p)
		return
	}
	i := 0
	for ; i+8 <= m; i += 8 {
		if gate != nil {
			gp = &gate[i*ldc+j0]
		}
		bp := &zero[0]
		if bias != nil {
			bp = &bias[i]
		}
		for j := j0; j < p; j += 32 {
			st := uint64(1<<32 - 1)
			if j+32 > p {
				st = 1<<(p-j) - 1
			}
			termTile8(&c[i*ldc+j], 4*ldc, &a[i*ldr], 4*ldr, 4*lda, &b[j], 4*lds, cs, &offs[0],
				&plan.masks[first*plan.nv+j/16], 2*plan.nv, nterms, bp, flags, st, gp)
			if gp != nil && j+32 < p {
				gp = &gate[i*ldc+j+32]
			}
		}
	}
	for ; i < m; i++ {
		bp := &zero[0]
		if bias != nil {
			bp = &bias[i]
		}
		for j := j0; j < p; j += 64 {
			st := ^uint64(0)
			if j+64 > p {
				st = 1<<(p-j) - 1
			}
			termTile1(&c[i*ldc+j], 4*ldc, &a[i*ldr], 4*ldr, 4*lda, &b[j], 4*lds, cs, &offs[0],
				&plan.masks[first*plan.nv+j/16], 2*plan.nv, nterms, bp, flags&^4, st)
		}
		if gate != nil {
			ReLUBackward(c[i*ldc+j0:i*ldc+p], gate[i*ldc+j0:i*ldc+p])
		}
	}
}

// columnTaps is the A offset of ColProduct's terms: term t is tap t.
var columnTaps = []int{0, 1, 2, 3, 4, 5, 6, 7, 8}

// ColProduct sets y [out][N·Ho·Wo] to act(bias + W·col), where col
// [C·9][N·Ho·Wo] is Im2col's or ColClasses' column matrix and W [out][C·9] (a Conv2d weight,
// or a ConvTranspose2d weight [In, Out, 3, 3] for its input gradient); bias
// may be nil, act is ReLU when relu is set. Where gate is not nil, y is then
// zeroed where gate (laid out as y) is not positive: an input gradient
// through a ReLU whose output is gate (ReLUBackward). The vector path reads
// only the four unshifted taps of col (the parity classes) and shifts them
// under lane masks.
func ColProduct(y, w, bias, col []float32, relu bool, out int, g Window, gate []float32) {
	small := g.Small()
	k := g.ColRows()
	_, _, _ = y[out*small-1], w[out*k-1], col[k*small-1]
	if !rowsFit(g) {
		if !useAsm { // pure Go: bias, product, ReLU and gate row by row
			colProductGo(y, w, bias, col, relu, gate, out, k, small)
			return
		}
		if classesOnly(g) {
			fillShifted(col, g)
		}
		if bias != nil {
			SetRowBias(y, bias, small)
		} else {
			clear(y[:out*small])
		}
		MatMulAdd(y, w, col, out, k, small)
		if relu {
			ReLU(y[:out*small])
		}
		if gate != nil {
			ReLUBackward(y[:out*small], gate)
		}
		return
	}
	// W[o][c·9 + tap] is row o, step c, term tap
	plan := planFor(planColumns, g.N, g.Ho, g.Wo)
	termProduct(y, small, w, k, 9, col, 9*small, g.C, plan, 0, 9, columnTaps, bias, relu, gate, out, 0, small)
}

// b2i is 1 for true, 0 for false.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// classesOnly reports whether ColClasses keeps only the parity classes of
// g's column matrix: where the vector products read the other taps through
// lane masks.
func classesOnly(g Window) bool { return rowsFit(g) && g.Small()%16 == 0 }

// ColClasses is Im2col for ColProduct and ColReduce: on the vector path it
// writes only the rows 4, 5, 7 and 8 of each channel (the unshifted taps,
// which are the parity classes of x) and leaves the other rows alone.
func ColClasses(col, x []float32, g Window) {
	if !classesOnly(g) {
		Im2col(col, x, g)
		return
	}
	splitClasses(col, x, g)
}

// ColReduce computes C[i][k] += Σ_q A[i][q]·col[k][q] for i < m, k < C·9:
// a weight gradient, with col [C·9][N·Ho·Wo] from ColClasses and a [m][N·Ho·Wo].
func ColReduce(c, a, col []float32, m int, g Window) {
	small, n := g.Small(), g.ColRows()
	_, _, _ = c[m*n-1], a[m*small-1], col[n*small-1]
	if !classesOnly(g) || m < 4 || n < 4 {
		if classesOnly(g) {
			fillShifted(col, g)
		}
		MatMulTAdd(c, a, col, m, n, small)
		return
	}
	if !useZmm {
		colReduceY(c, a, col, m, g)
		return
	}
	plan := planFor(planColumns, g.N, g.Ho, g.Wo)
	var sums [16]float32
	if m >= 8 && n%4 != 0 {
		// 8×2 tiles: less overlap than 4×4 when C·9 is not a multiple of 4
		// (C = 1); the last row block and column pair overlap the previous
		// ones as below
		var offs, moffs [2]int
		for i0 := 0; i0 < m; i0 += 8 {
			i := min(i0, m-8)
			for j0 := 0; j0 < n; j0 += 2 {
				j := min(j0, n-2)
				for t := range 2 {
					ch, tap := (j+t)/9, (j+t)%9
					offs[t] = 4*ch*9*small + plan.offs[tap]
					moffs[t] = 2 * tap * plan.nv
				}
				dotTerms8x2(&a[i*small], 4*small, &col[0], &offs, &plan.masks[0], &moffs, small/16, &sums)
				for t := range 16 {
					ii, jj := i+t/2, j+t%2
					if ii >= i0 && jj >= j0 {
						c[ii*n+jj] += sums[t]
					}
				}
			}
		}
		return
	}
	var offs, moffs [4]int
	// 4×4 tiles; the last row block and column block overlap the previous ones
	// when m or n is not a multiple of 4, and add only the entries not yet done
	for i0 := 0; i0 < m; i0 += 4 {
		i := min(i0, m-4)
		for j0 := 0; j0 < n; j0 += 4 {
			j := min(j0, n-4)
			for t := range 4 {
				ch, tap := (j+t)/9, (j+t)%9
				offs[t] = 4*ch*9*small + plan.offs[tap]
				moffs[t] = 2 * tap * plan.nv
			}
			dotTerms4x4(&a[i*small], 4*small, &col[0], &offs, &plan.masks[0], &moffs, small/16, &sums)
			for t := range 16 {
				ii, jj := i+t/4, j+t%4
				if ii >= i0 && jj >= j0 {
					c[ii*n+jj] += sums[t]
				}
			}
		}
	}
}
