package tsne

import (
	"math"
	"math/bits"
)

// leafSize is the most points a quadtree leaf holds; a leaf that is too
// close to summarise is summed point by point.
const leafSize = 4

// node is a quadtree cell, stored in depth-first pre-order so that its
// subtree is nodes[k:skip].
type node struct {
	cx, cy float64 // centre of mass
	cnt    float64 // number of points
	open2  float64 // (cell width / θ)²: summarise when farther than this (squared)
	lo, hi int32   // its points, [lo, hi) in tree order
	skip   int32   // first node after the subtree
	_      int32
}

// bhTree is a Barnes–Hut quadtree over the 2-D points, built from the
// points sorted by Morton code: each cell's points are a contiguous range.
type bhTree struct {
	nodes     []node
	code, tc  []uint64
	perm, tp  []int32   // tree order → point
	sx, sy    []float64 // coordinates in tree order
	groups    []int32   // the largest cells of at most groupSize points, in tree order
	side      float64
	invTheta2 float64
}

// groupSize is the most points that share one interaction list.
const groupSize = 48

// maxLevel is the depth of the Morton grid.
const maxLevel = 16

// spread interleaves the bits of v with zeros.
func spread(v uint32) uint64 {
	x := uint64(v)
	x = (x | x<<16) & 0x0000FFFF0000FFFF
	x = (x | x<<8) & 0x00FF00FF00FF00FF
	x = (x | x<<4) & 0x0F0F0F0F0F0F0F0F
	x = (x | x<<2) & 0x3333333333333333
	x = (x | x<<1) & 0x5555555555555555
	return x
}

// build rebuilds the tree over y (n points, row-major [n][2]).
func (t *bhTree) build(y []float64, n int, theta float64) {
	if len(t.code) != n {
		t.code, t.tc = make([]uint64, n), make([]uint64, n)
		t.perm, t.tp = make([]int32, n), make([]int32, n)
		t.sx, t.sy = make([]float64, n), make([]float64, n)
		t.nodes = make([]node, 0, 2*n)
	}
	minx, maxx, miny, maxy := y[0], y[0], y[1], y[1]
	for i := 1; i < n; i++ {
		minx, maxx = min(minx, y[2*i]), max(maxx, y[2*i])
		miny, maxy = min(miny, y[2*i+1]), max(maxy, y[2*i+1])
	}
	side := max(maxx-minx, maxy-miny)
	if !(side > 0) || math.IsInf(side, 0) {
		side = 1
	}
	t.side = side
	t.invTheta2 = 1 / (theta * theta)
	// 16 levels (a 65536² grid) in the top 32 bits of the code: the radix
	// sort skips the empty low bytes; points closer than a grid cell share a
	// leaf, which is summed point by point
	scale := 65536 / side
	const top = 65535.0
	for i := range n {
		qx := min(max((y[2*i]-minx)*scale, 0), top)
		qy := min(max((y[2*i+1]-miny)*scale, 0), top)
		t.code[i] = (spread(uint32(qx)) | spread(uint32(qy))<<1) << 32
		t.perm[i] = int32(i)
	}
	t.sort()
	for s, i := range t.perm {
		t.sx[s], t.sy[s] = y[2*i], y[2*i+1]
	}
	t.nodes = t.nodes[:0]
	t.groups = t.groups[:0]
	t.buildNode(0, int32(n), true)
}

// sort orders code (and perm) by code, stably: an LSD radix sort, 8 bits a
// pass, skipping passes where every key has the same digit.
func (t *bhTree) sort() {
	var hist [8][256]int32
	for _, c := range t.code {
		for p := range 8 {
			hist[p][(c>>(8*p))&255]++
		}
	}
	n := int32(len(t.code))
	for p := range 8 {
		h := &hist[p]
		if h[(t.code[0]>>(8*p))&255] == n {
			continue
		}
		var sum int32
		for b := range h {
			h[b], sum = sum, sum+h[b]
		}
		shift := 8 * p
		for s, c := range t.code {
			b := (c >> shift) & 255
			dst := h[b]
			h[b]++
			t.tc[dst], t.tp[dst] = c, t.perm[s]
		}
		t.code, t.tc = t.tc, t.code
		t.perm, t.tp = t.tp, t.perm
	}
}

// buildNode appends the cell of points [lo, hi) (and its subtree) and
// returns the sums of its coordinates.
func (t *bhTree) buildNode(lo, hi int32, parentBig bool) (sx, sy float64) {
	k := len(t.nodes)
	t.nodes = append(t.nodes, node{lo: lo, hi: hi})
	big := hi-lo > groupSize
	if parentBig && !big {
		t.groups = append(t.groups, int32(k))
	}
	code := t.code
	var open2 float64
	if hi-lo > 1 {
		// the smallest cell holding all the points: their common code prefix
		level := bits.LeadingZeros64(code[lo]^code[hi-1]) / 2
		w := math.Ldexp(t.side, -level)
		open2 = w * w * t.invTheta2
		if hi-lo <= leafSize || level >= maxLevel {
			for s := lo; s < hi; s++ {
				sx += t.sx[s]
				sy += t.sy[s]
			}
		} else {
			shift := uint(62 - 2*level)
			start := lo
			for q := uint64(0); q < 4 && start < hi; q++ {
				// first index in [start, hi) whose digit exceeds q
				a, b := start, hi
				for a < b {
					m := int32(uint32(a+b) >> 1)
					if (code[m]>>shift)&3 <= q {
						a = m + 1
					} else {
						b = m
					}
				}
				if a > start {
					cx, cy := t.buildNode(start, a, big)
					sx += cx
					sy += cy
				}
				start = a
			}
		}
	} else {
		sx, sy = t.sx[lo], t.sy[lo]
	}
	cnt := float64(hi - lo)
	nd := &t.nodes[k]
	nd.cx, nd.cy, nd.cnt, nd.open2 = sx/cnt, sy/cnt, cnt, open2
	nd.skip = int32(len(t.nodes))
	return sx, sy
}

// interactions is one group's interaction list: masses m at (x, y).
type interactions struct{ x, y, m []float32 }

// repulseGroup computes, for every point of group g (tree positions
// [lo, hi)), the Barnes–Hut estimate of Σ_j q_ij²·(y_i − y_j) into
// rep[2i], rep[2i+1] (i = perm[position]) and of Σ_j q_ij into z at the
// tree position, q_ij = 1/(1 + ‖y_i − y_j‖²), j ≠ i. The group shares one
// interaction list: a cell not overlapping the group is summarised by its
// centre of mass when its width is less than θ times its distance to the
// group's bounding box (so at least as accurate as the per-point criterion);
// other leaves contribute their points one by one, the group's own points
// included, whose self term (q = 1, no force) is then taken off.
func (t *bhTree) repulseGroup(g int32, list *interactions, rep, z []float64) {
	gn := &t.nodes[g]
	glo, ghi := gn.lo, gn.hi
	minx, maxx, miny, maxy := t.sx[glo], t.sx[glo], t.sy[glo], t.sy[glo]
	for s := glo + 1; s < ghi; s++ {
		minx, maxx = min(minx, t.sx[s]), max(maxx, t.sx[s])
		miny, maxy = min(miny, t.sy[s]), max(maxy, t.sy[s])
	}
	lx, ly, lm := list.x[:0], list.y[:0], list.m[:0]
	nodes := t.nodes
	for k := int32(0); k < int32(len(nodes)); {
		nd := &nodes[k]
		if nd.hi <= glo || nd.lo >= ghi { // disjoint from the group
			dx := max(max(minx-nd.cx, nd.cx-maxx), 0)
			dy := max(max(miny-nd.cy, nd.cy-maxy), 0)
			if dx*dx+dy*dy > nd.open2 {
				lx, ly, lm = append(lx, float32(nd.cx)), append(ly, float32(nd.cy)), append(lm, float32(nd.cnt))
				k = nd.skip
				continue
			}
		}
		if nd.skip == k+1 { // a leaf: point by point
			for s := nd.lo; s < nd.hi; s++ {
				lx, ly, lm = append(lx, float32(t.sx[s])), append(ly, float32(t.sy[s])), append(lm, 1)
			}
			k = nd.skip
			continue
		}
		k++
	}
	if useAVX {
		for len(lx)%16 != 0 { // massless padding: adds exact zeros
			lx, ly, lm = append(lx, 0), append(ly, 0), append(lm, 0)
		}
	}
	list.x, list.y, list.m = lx, ly, lm
	for p := glo; p < ghi; p++ {
		zz, fx, fy := repulsePoint(float32(t.sx[p]), float32(t.sy[p]), lx, ly, lm)
		i := t.perm[p]
		z[p], rep[2*i], rep[2*i+1] = float64(zz)-1, float64(fx), float64(fy)
	}
}
