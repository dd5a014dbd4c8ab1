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
	t := &termPlan{nv: nv, offs: make([]int, len(shifts)), masks: make([]uint16, len(shifts)*nv)}
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
	}
	t, _ := planCache.LoadOrStore(key, newTermPlan(n, ho, wo, shifts))
	return t.(*termPlan)
}

// termProduct computes, for rows i < m and columns j < p,
//
//	C[i·ldc + j] = act(bias[i] + Σ_t Σ_s A[(t·cs + s)·m + i] · B_t[s·lds + j])
//
// where B_t is b read through term first+t of plan (nterms terms). bias nil
// means 0; act is ReLU when relu is set, else the identity.
func termProduct(c []float32, ldc int, a []float32, b []float32, lds, cs int, plan *termPlan, first, nterms int, bias []float32, relu bool, m, p int) {
	flags := 1
	if relu {
		flags |= 2
	}
	var zero [8]float32
	offs := &plan.offs[first]
	i := 0
	for ; i+8 <= m; i += 8 {
		bp := &zero[0]
		if bias != nil {
			bp = &bias[i]
		}
		for j := 0; j < p; j += 32 {
			st := uint64(1<<32 - 1)
			if j+32 > p {
				st = 1<<(p-j) - 1
			}
			termTile8(&c[i*ldc+j], 4*ldc, &a[i], 4*m, &b[j], 4*lds, cs, offs,
				&plan.masks[first*plan.nv+j/16], 2*plan.nv, nterms, bp, flags, st)
		}
	}
	for ; i < m; i++ {
		bp := &zero[0]
		if bias != nil {
			bp = &bias[i]
		}
		for j := 0; j < p; j += 64 {
			st := ^uint64(0)
			if j+64 > p {
				st = 1<<(p-j) - 1
			}
			termTile1(&c[i*ldc+j], 4*ldc, &a[i], 4*m, &b[j], 4*lds, cs, offs,
				&plan.masks[first*plan.nv+j/16], 2*plan.nv, nterms, bp, flags, st)
		}
	}
}
