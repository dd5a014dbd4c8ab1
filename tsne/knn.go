package tsne

import (
	"math"
	"math/bits"
	"slices"

	"latent/tensor"
)

// Tile sizes of the candidate search: rowBlock points against colBlock
// points at a time, one float32 product of [rowBlock][d] by [d][colBlock].
const (
	rowBlock = 64
	colBlock = 512
)

// knnSlack is how many candidates beyond k the float32 search keeps, so that
// its rounding seldom pushes a true neighbour out (the check in knn catches
// it when it does).
const knnSlack = 8

// knn finds each point's k nearest neighbours (itself excluded) by squared
// Euclidean distance, row i at [i*k, (i+1)*k), sorted by distance then
// index: the exact k nearest, with exact float64 distances Σ(a−b)².
//
// Candidates are found in float32: the points are centred, and
// ‖a‖² + ‖b‖² − 2a·b is ranked over tiles of the Gram matrix
// (tensor.MatMulAdd), keeping k + knnSlack per point. Their distances are
// then recomputed exactly and the k nearest kept. The float32 value is within
// ε = (2d+32)·2⁻²⁴·(‖a‖² + max‖b‖²) of the exact one, so if the k-th exact
// distance is below the worst kept candidate's estimate less ε, no point left
// out can be nearer; a row where that fails (not seen on the MNIST codes or
// the benchmark's data; the tests force it) is searched again exactly in
// float64.
func knn(x []float32, n, d, k, threads int) (nbr []int32, dist []float64) {
	// centred float32 rows xc, their squared norms, and the same rows as
	// column panels: block b holds points [b·colBlock, …) as [d][width]
	mean := make([]float64, d)
	for i := range n {
		for t, v := range x[i*d : (i+1)*d] {
			mean[t] += float64(v)
		}
	}
	for t := range mean {
		mean[t] /= float64(n)
	}
	xc := make([]float32, n*d)
	panels := make([]float32, n*d)
	norms := make([]float32, n)
	parallelFor(n, colBlock, threads, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := xc[i*d : (i+1)*d]
			var s float64
			for t, v := range x[i*d : (i+1)*d] {
				row[t] = float32(float64(v) - mean[t])
				s += float64(row[t]) * float64(row[t])
			}
			norms[i] = float32(s)
		}
		for b0 := lo; b0 < hi; b0 += colBlock {
			b1 := min(b0+colBlock, n)
			w := b1 - b0
			panel := panels[b0*d : b1*d]
			for i := b0; i < b1; i++ {
				for t, v := range xc[i*d : (i+1)*d] {
					panel[t*w+i-b0] = v
				}
			}
		}
	})
	var maxNorm float64
	for _, v := range norms {
		maxNorm = max(maxNorm, float64(v))
	}
	epsScale := float64(2*d+32) * 0x1p-24

	kk := min(n-1, k+knnSlack)
	nbr, dist = make([]int32, n*k), make([]float64, n*k)
	blocks := (n + rowBlock - 1) / rowBlock
	parallelFor(blocks, 1, threads, func(blo, bhi int) {
		tile := make([]float32, rowBlock*colBlock)
		rows := make([]candidates, rowBlock)
		for r := range rows {
			rows[r] = newCandidates(kk)
		}
		cand := make([]cand64, 0, n)
		for b := blo; b < bhi; b++ {
			r0, r1 := b*rowBlock, min((b+1)*rowBlock, n)
			for r := range rows {
				rows[r].reset()
			}
			for c0 := 0; c0 < n; c0 += colBlock {
				c1 := min(c0+colBlock, n)
				w := c1 - c0
				t := tile[:(r1-r0)*w]
				clear(t)
				tensor.MatMulAdd(t, xc[r0*d:r1*d], panels[c0*d:c1*d], r1-r0, d, w)
				nc := norms[c0:c1]
				for i := r0; i < r1; i++ {
					rows[i-r0].scan(t[(i-r0)*w:(i-r0+1)*w], nc, norms[i], c0, i)
				}
			}
			for i := r0; i < r1; i++ {
				c := &rows[i-r0]
				c.cut()
				cand = cand[:0]
				for t := range c.key {
					j := c.index(t)
					cand = append(cand, cand64{exactDist(x, d, i, int(j)), j})
				}
				sortCands(cand)
				if kk < n-1 {
					eps := epsScale * (float64(norms[i]) + maxNorm)
					if !(cand[k-1].d*(1+1e-12) < float64(c.bound)-eps) {
						cand = cand[:0]
						for j := range n {
							if j != i {
								cand = append(cand, cand64{exactDist(x, d, i, j), int32(j)})
							}
						}
						sortCands(cand)
					}
				}
				for t := range k {
					nbr[i*k+t], dist[i*k+t] = cand[t].j, cand[t].d
				}
			}
		}
	})
	return nbr, dist
}

// candidates keeps the kk smallest (estimate, index) pairs offered for one
// point: a buffer cut back to the kk smallest whenever it fills, so that
// most offers cost one comparison with the bound (the largest kept
// estimate once a cut has been made). Every point left out has an estimate
// at least the final bound. A pair is one uint64 key, the estimate's bits
// in sortable form above the index, so ties in the estimate go to the
// smaller index.
type candidates struct {
	key   []uint64
	kk    int
	bound float32
}

func newCandidates(kk int) candidates {
	return candidates{key: make([]uint64, 0, 4*kk), kk: kk}
}

func (c *candidates) reset() {
	c.key, c.bound = c.key[:0], float32(math.Inf(1))
}

// sortable maps a float32 to a uint32 of the same order.
func sortable(v float32) uint32 {
	b := math.Float32bits(v)
	if b&(1<<31) != 0 {
		return ^b
	}
	return b | 1<<31
}

// unsortable inverts sortable.
func unsortable(u uint32) float32 {
	if u&(1<<31) != 0 {
		return math.Float32frombits(u &^ (1 << 31))
	}
	return math.Float32frombits(^u)
}

// scan offers the points of one tile row: point c0+t at estimated squared
// distance (ni + nc[t]) − 2·row[t], point i (itself) excluded. The
// estimates overwrite the row.
func (c *candidates) scan(row, nc []float32, ni float32, c0, i int) {
	nc = nc[:len(row)]
	n8 := 0
	if useAVX {
		n8 = len(row) &^ 7
	}
	for t := 0; t < n8; t += 8 {
		// the next group of eight with estimates below the bound
		dt, mask := scanBelowAVX(&row[t], &nc[t], n8-t, ni, c.bound)
		if t += dt; t == n8 {
			break
		}
		for ; mask != 0; mask &= mask - 1 {
			u := t + bits.TrailingZeros32(mask)
			c.offer(row[u], c0+u, i)
		}
	}
	for t := n8; t < len(row); t++ {
		c.offer(ni+nc[t]-2*row[t], c0+t, i)
	}
}

// offer keeps point j at estimate s if s is below the bound (j ≠ i).
func (c *candidates) offer(s float32, j, i int) {
	if s < c.bound && j != i {
		c.key = append(c.key, uint64(sortable(s))<<32|uint64(j))
		if len(c.key) == cap(c.key) {
			c.cut()
		}
	}
}

// cut keeps the kk smallest keys and sets the bound to the largest kept
// estimate.
func (c *candidates) cut() {
	if len(c.key) <= c.kk {
		return
	}
	selectSmallest(c.key, c.kk)
	c.key = c.key[:c.kk]
	c.bound = unsortable(uint32(slices.Max(c.key) >> 32))
}

// index returns the point of the t-th kept key.
func (c *candidates) index(t int) int32 { return int32(uint32(c.key[t])) }

// selectSmallest reorders a so that its first k entries are its k smallest:
// a quickselect, median-of-three pivots.
func selectSmallest(a []uint64, k int) {
	lo, hi := 0, len(a)-1
	for lo < hi {
		m := lo + (hi-lo)/2
		if a[m] < a[lo] {
			a[m], a[lo] = a[lo], a[m]
		}
		if a[hi] < a[lo] {
			a[hi], a[lo] = a[lo], a[hi]
		}
		if a[m] < a[hi] {
			a[m], a[hi] = a[hi], a[m]
		}
		// a[hi] is the median of the three: partition around it
		pv, p := a[hi], lo
		for t := lo; t < hi; t++ {
			if a[t] < pv {
				a[t], a[p] = a[p], a[t]
				p++
			}
		}
		a[p], a[hi] = a[hi], a[p]
		switch {
		case p < k:
			lo = p + 1
		case p > k:
			hi = p - 1
		default:
			return
		}
	}
}

// cand64 is a neighbour candidate with its exact distance.
type cand64 struct {
	d float64
	j int32
}

// sortCands orders candidates by distance, then index.
func sortCands(c []cand64) {
	slices.SortFunc(c, func(a, b cand64) int {
		switch {
		case a.d < b.d:
			return -1
		case a.d > b.d:
			return 1
		}
		return int(a.j) - int(b.j)
	})
}

// exactDist returns Σ(x_i − x_j)² in float64 over the rows of x.
func exactDist(x []float32, d, i, j int) float64 {
	a, b := x[i*d:(i+1)*d], x[j*d:(j+1)*d]
	var s float64
	if n8 := d &^ 7; useAVX && n8 > 0 {
		s = sqDistAVX(&a[0], &b[0], n8)
		a, b = a[n8:], b[n8:]
	}
	return s + sqDistGo(a, b)
}

// sqDistGo is sqDistAVX's pure-Go twin (any length).
func sqDistGo(a, b []float32) float64 {
	b = b[:len(a)]
	var s0, s1 float64
	u := 0
	for ; u+2 <= len(a); u += 2 {
		e0, e1 := float64(a[u])-float64(b[u]), float64(a[u+1])-float64(b[u+1])
		s0 += e0 * e0
		s1 += e1 * e1
	}
	if u < len(a) {
		e := float64(a[u]) - float64(b[u])
		s0 += e * e
	}
	return s0 + s1
}
