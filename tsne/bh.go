package tsne

import (
	"math"
	"math/bits"
)

// leafSize is the most points a quadtree leaf holds; a leaf that is too
// close to summarise is summed point by point.
const leafSize = 8

// node is a quadtree cell, stored in depth-first pre-order so that its
// subtree is nodes[k:skip].
type node struct {
	cx, cy float64 // centre of mass
	cnt    float64 // number of points
	open2  float64 // (cell width / θ)²: summarise when farther than this (squared)
	x0, x1 float64 // bounding box of its points
	y0, y1 float64
	lo, hi int32 // its points, [lo, hi) in tree order
	skip   int32 // first node after the subtree
	_      int32
}

// bhTree is a Barnes–Hut quadtree over the 2-D points, built from the
// points sorted by Morton code: each cell's points are a contiguous range.
type bhTree struct {
	nodes     []node
	code, tc  []uint64
	perm, tp  []int32   // tree order → point
	sx, sy    []float64 // coordinates in tree order
	tasks     []int32   // the largest cells of at most taskSize points, in tree order
	side      float64
	invTheta2 float64
}

// groupSize is the most points that share one interaction list; taskSize
// the most points of a unit of parallel work (a subtree walked by one
// thread).
const (
	groupSize = 192
	taskSize  = 1024
)

// maxLevel is the depth of the Morton grid: a 2048² grid, finer than the
// spacing of 10⁴–10⁵ points on a map (points sharing a finest cell share a
// leaf, summed point by point). Its codes sort in two 11-bit radix passes.
const (
	maxLevel  = 11
	codeShift = 64 - 2*maxLevel // the codes' bits are the top 2·maxLevel
	radixBits = maxLevel
)

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
	const cells = 1 << maxLevel
	scale := cells / side
	for i := range n {
		qx := min(max((y[2*i]-minx)*scale, 0), cells-1)
		qy := min(max((y[2*i+1]-miny)*scale, 0), cells-1)
		t.code[i] = (spread(uint32(qx)) | spread(uint32(qy))<<1) << codeShift
		t.perm[i] = int32(i)
	}
	t.sort()
	for s, i := range t.perm {
		t.sx[s], t.sy[s] = y[2*i], y[2*i+1]
	}
	t.nodes = t.nodes[:0]
	t.tasks = t.tasks[:0]
	t.buildNode(0, int32(n), true)
}

// sort orders code (and perm) by code, stably: an LSD radix sort of the
// top 2·maxLevel bits, radixBits a pass, skipping passes where every key
// has the same digit.
func (t *bhTree) sort() {
	const passes, buckets = 2 * maxLevel / radixBits, 1 << radixBits
	var hist [passes][buckets]int32
	for _, c := range t.code {
		for p := range passes {
			hist[p][(c>>(codeShift+radixBits*p))&(buckets-1)]++
		}
	}
	n := int32(len(t.code))
	for p := range passes {
		shift := codeShift + radixBits*p
		h := &hist[p]
		if h[(t.code[0]>>shift)&(buckets-1)] == n {
			continue
		}
		var sum int32
		for b := range h {
			h[b], sum = sum, sum+h[b]
		}
		for s, c := range t.code {
			b := (c >> shift) & (buckets - 1)
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
	big := hi-lo > taskSize
	if parentBig && !big {
		t.tasks = append(t.tasks, int32(k))
	}
	code := t.code
	var open2 float64
	x0, x1, y0, y1 := t.sx[lo], t.sx[lo], t.sy[lo], t.sy[lo]
	if hi-lo > 1 {
		// the smallest cell holding all the points: their common code prefix
		level := bits.LeadingZeros64(code[lo]^code[hi-1]) / 2
		w := math.Ldexp(t.side, -level)
		open2 = w * w * t.invTheta2
		if hi-lo <= leafSize || level >= maxLevel {
			for s := lo; s < hi; s++ {
				sx += t.sx[s]
				sy += t.sy[s]
				x0, x1 = min(x0, t.sx[s]), max(x1, t.sx[s])
				y0, y1 = min(y0, t.sy[s]), max(y1, t.sy[s])
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
					c := len(t.nodes)
					cx, cy := t.buildNode(start, a, big)
					sx += cx
					sy += cy
					ch := &t.nodes[c]
					x0, x1 = min(x0, ch.x0), max(x1, ch.x1)
					y0, y1 = min(y0, ch.y0), max(y1, ch.y1)
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
	nd.x0, nd.x1, nd.y0, nd.y1 = x0, x1, y0, y1
	nd.skip = int32(len(t.nodes))
	return sx, sy
}

// walker builds interaction lists for the groups of one task, and is the
// per-thread scratch: the list (x, y, m) is a stack, each cell's summaries
// appended on the way down and dropped on the way back up.
type walker struct {
	t       *bhTree
	x, y, m []float32
	near    [][]int32 // candidate cells, one slice per depth
	stack   []int32
}

// repulseTask computes the repulsion on the points of task cell c: for
// every point, the Barnes–Hut estimate of Σ_j q_ij²·(y_i − y_j) into
// rep[2i], rep[2i+1] (i = perm[tree position]) and of Σ_j q_ij into z at
// its tree position, q_ij = 1/(1 + ‖y_i − y_j‖²), j ≠ i.
//
// The lists are built top down, the way a dual-tree walk does: each cell
// carries its "near" cells (not yet summarised). A near cell whose centre of
// mass is farther from the cell's bounding box than its width/θ is
// summarised for the whole cell (so for each point in it: the test is at
// least as strict as the per-point one), a larger one is opened, the rest
// are handed to the cell's children. A group (the largest cell of at most
// groupSize points) opens all its near cells until they are far or leaves,
// whose points then enter one by one (the group's own points included: the
// self term, q = 1 and no force, is taken off), and runs the kernel over
// the summaries inherited from all its ancestors and its own.
func (w *walker) repulseTask(c int32, rep, z []float64) {
	t := w.t
	w.x, w.y, w.m = w.x[:0], w.y[:0], w.m[:0]
	near := append(w.nearAt(0), 0) // the root
	w.near[0] = near
	var path int32 // from the root down to c
	for depth := 0; ; depth++ {
		if path == c {
			w.descend(c, near, depth, rep, z)
			return
		}
		next := w.filter(path, near, w.nearAt(depth+1))
		w.near[depth+1] = next
		near = next
		// the child on the way to c
		nd := &t.nodes[path]
		for ch := path + 1; ch < nd.skip; ch = t.nodes[ch].skip {
			if cn := &t.nodes[ch]; cn.lo <= t.nodes[c].lo && t.nodes[c].lo < cn.hi {
				path = ch
				break
			}
		}
	}
}

// nearAt returns the empty scratch slice of a depth.
func (w *walker) nearAt(depth int) []int32 {
	for len(w.near) <= depth {
		w.near = append(w.near, nil)
	}
	return w.near[depth][:0]
}

// descend walks cell c, given its near cells, at the given depth.
func (w *walker) descend(c int32, near []int32, depth int, rep, z []float64) {
	t := w.t
	nd := &t.nodes[c]
	top := len(w.x)
	if nd.hi-nd.lo <= groupSize {
		w.group(c, near, rep, z)
	} else {
		next := w.filter(c, near, w.nearAt(depth+1))
		w.near[depth+1] = next
		for ch := c + 1; ch < nd.skip; ch = t.nodes[ch].skip {
			w.descend(ch, next, depth+1, rep, z)
		}
	}
	w.x, w.y, w.m = w.x[:top], w.y[:top], w.m[:top]
}

// filter appends to the list the near cells far enough from cell c, opens
// those larger than c, and returns the rest (appended to next).
func (w *walker) filter(c int32, near, next []int32) []int32 {
	t := w.t
	nd := &t.nodes[c]
	stack := append(w.stack[:0], near...)
	for len(stack) > 0 {
		k := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		kn := &t.nodes[k]
		if kn.hi <= nd.lo || kn.lo >= nd.hi { // disjoint from the cell
			dx := max(max(nd.x0-kn.cx, kn.cx-nd.x1), 0)
			dy := max(max(nd.y0-kn.cy, kn.cy-nd.y1), 0)
			if dx*dx+dy*dy > kn.open2 {
				w.x, w.y, w.m = append(w.x, float32(kn.cx)), append(w.y, float32(kn.cy)), append(w.m, float32(kn.cnt))
				continue
			}
		}
		if kn.skip != k+1 && kn.open2 > nd.open2 { // larger than the cell: open
			for ch := k + 1; ch < kn.skip; ch = t.nodes[ch].skip {
				stack = append(stack, ch)
			}
			continue
		}
		next = append(next, k)
	}
	w.stack = stack
	return next
}

// group finishes the list of group g and runs the kernel for its points.
func (w *walker) group(g int32, near []int32, rep, z []float64) {
	t := w.t
	gn := &t.nodes[g]
	glo, ghi := gn.lo, gn.hi
	lx, ly, lm := w.x, w.y, w.m
	nodes := t.nodes
	for _, k0 := range near { // each near cell's subtree, in memory order
		for k, end := k0, nodes[k0].skip; k < end; {
			kn := &nodes[k]
			if kn.hi <= glo || kn.lo >= ghi { // disjoint from the group
				dx := max(max(gn.x0-kn.cx, kn.cx-gn.x1), 0)
				dy := max(max(gn.y0-kn.cy, kn.cy-gn.y1), 0)
				if dx*dx+dy*dy > kn.open2 {
					lx, ly, lm = append(lx, float32(kn.cx)), append(ly, float32(kn.cy)), append(lm, float32(kn.cnt))
					k = kn.skip
					continue
				}
			}
			if kn.skip == k+1 { // a leaf: point by point
				for s := kn.lo; s < kn.hi; s++ {
					lx, ly, lm = append(lx, float32(t.sx[s])), append(ly, float32(t.sy[s])), append(lm, 1)
				}
			}
			k++
		}
	}
	if useAVX {
		for len(lx)%16 != 0 { // massless padding: adds exact zeros
			lx, ly, lm = append(lx, 0), append(ly, 0), append(lm, 0)
		}
	}
	for p := glo; p < ghi; p++ {
		zz, fx, fy := repulsePoint(float32(t.sx[p]), float32(t.sy[p]), lx, ly, lm)
		i := t.perm[p]
		z[p], rep[2*i], rep[2*i+1] = float64(zz)-1, float64(fx), float64(fy)
	}
	w.x, w.y, w.m = lx, ly, lm // keep the grown capacity; descend truncates
}
