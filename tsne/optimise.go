package tsne

// Gradient-descent constants, as sklearn and openTSNE.
const (
	momentumEarly = 0.5
	momentumLate  = 0.8
	gainUp        = 0.2
	gainDown      = 0.8
	minGain       = 0.01
	pointChunk    = 128 // points per parallel work item
)

// renumberEvery is how often (in iterations) the points are renumbered in
// the quadtree's order, so that a point's neighbours in P sit at nearby
// slots and the attraction reads the map from cache.
const renumberEvery = 100

// csr32 is P in the working numbering, values in float32.
type csr32 struct {
	start []int
	col   []int32
	val   []float32
}

// optimise runs gradient descent with momentum and gains on y (row-major
// [n][2]) for the KL divergence to the joint probabilities p. The gradient
// is openTSNE's, without the factor 4: exaggeration·Σ_j P_ij q_ij (y_i−y_j) −
// Σ_j q_ij² (y_i−y_j) / Z.
//
// The points are worked on in their own numbering, slot s holding point
// order[s], renumbered in the quadtree's (Morton) order every renumberEvery
// iterations; the result is written back in the caller's order. Every step
// is a function of the positions only, so the result does not depend on the
// number of threads.
func optimise(y []float64, p *csr, n int, opt Options, lr float64, threads int) {
	w := newWork(y, p, n)
	var tree bhTree
	walkers := make(chan *walker, threads) // per-worker scratch, reused
	for range threads {
		walkers <- &walker{t: &tree}
	}
	chunks := (n + pointChunk - 1) / pointChunk
	partial := make([]float64, 2*chunks) // per-chunk sums of the new positions
	for it := range opt.Iterations {
		exag, momentum := 1.0, momentumLate
		if it < exaggerationSteps {
			exag, momentum = opt.Exaggeration, momentumEarly
		}
		// the tree (one thread) while the others start on the attraction
		parallelForWith(func() { tree.build(w.y, n, opt.Theta) }, n, pointChunk, threads, func(lo, hi int) {
			pw, y32 := &w.p, w.y32
			for i := lo; i < hi; i++ {
				a, b := pw.start[i], pw.start[i+1]
				ax, ay := attractRow(y32[2*i], y32[2*i+1], y32, pw.col[a:b], pw.val[a:b])
				w.attr[2*i], w.attr[2*i+1] = float64(ax), float64(ay)
			}
		})
		if it%renumberEvery == 0 {
			w.renumber(tree.perm, threads)
			for s := range tree.perm {
				tree.perm[s] = int32(s)
			}
		}
		// repulsion, a subtree at a time
		parallelFor(len(tree.tasks), 1, threads, func(lo, hi int) {
			wk := <-walkers
			for _, c := range tree.tasks[lo:hi] {
				wk.repulseTask(c, w.rep, w.zpart)
			}
			walkers <- wk
		})
		var z float64 // in tree order: a function of the positions only
		for _, v := range w.zpart {
			z += v
		}
		invZ := 1 / z
		parallelFor(chunks, 1, threads, func(clo, chi int) {
			for c := clo; c < chi; c++ { // sums per chunk, whatever the split
				var sx, sy float64
				for i := c * pointChunk; i < min(n, (c+1)*pointChunk); i++ {
					for t := 2 * i; t < 2*i+2; t++ {
						g := exag*w.attr[t] - w.rep[t]*invZ
						u, gain := w.update[t], w.gains[t]
						up, down := gain+gainUp, max(gain*gainDown, minGain)
						gain = down
						if u*g < 0 { // direction changed
							gain = up
						}
						u = momentum*u - lr*gain*g
						w.gains[t], w.update[t] = gain, u
						w.y[t] += u
					}
					sx += w.y[2*i]
					sy += w.y[2*i+1]
				}
				partial[2*c], partial[2*c+1] = sx, sy
			}
		})
		// keep the map centred (chunk sums in chunk order)
		var mx, my float64
		for c := range chunks {
			mx += partial[2*c]
			my += partial[2*c+1]
		}
		mx, my = mx/float64(n), my/float64(n)
		parallelFor(n, pointChunk, threads, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				w.y[2*i] -= mx
				w.y[2*i+1] -= my
				w.y32[2*i], w.y32[2*i+1] = float32(w.y[2*i]), float32(w.y[2*i+1])
			}
		})
		if opt.Progress != nil && (it%10 == 9 || it == opt.Iterations-1) {
			opt.Progress(it+1, opt.Iterations)
		}
	}
	for s, i := range w.order {
		y[2*i], y[2*i+1] = w.y[2*s], w.y[2*s+1]
	}
}

// work is the optimiser's state in its working numbering: slot s holds
// point order[s]; per-point pairs (x, y) at [2s, 2s+2).
type work struct {
	order                       []int32
	y, update, gains, attr, rep []float64
	y32                         []float32
	zpart                       []float64 // per tree position
	p                           csr32
	tmp                         []float64 // scratch of 2n for renumbering
	inv                         []int32   // scratch of n
	col                         []int32   // scratch of nnz
	val                         []float32 // scratch of nnz
	start                       []int     // scratch of n+1
}

func newWork(y []float64, p *csr, n int) *work {
	w := &work{
		order:  make([]int32, n),
		y:      make([]float64, 2*n),
		update: make([]float64, 2*n),
		gains:  make([]float64, 2*n),
		attr:   make([]float64, 2*n),
		rep:    make([]float64, 2*n),
		y32:    make([]float32, 2*n),
		zpart:  make([]float64, n),
		tmp:    make([]float64, 2*n),
		inv:    make([]int32, n),
		col:    make([]int32, len(p.col)),
		val:    make([]float32, len(p.col)),
		start:  make([]int, n+1),
		p: csr32{
			start: make([]int, n+1),
			col:   make([]int32, len(p.col)),
			val:   make([]float32, len(p.col)),
		},
	}
	copy(w.y, y)
	for i := range w.order {
		w.order[i] = int32(i)
	}
	for i := range w.gains {
		w.gains[i] = 1
	}
	for t, v := range y {
		w.y32[t] = float32(v)
	}
	copy(w.p.start, p.start)
	copy(w.p.col, p.col)
	for t, v := range p.val {
		w.p.val[t] = float32(v)
	}
	return w
}

// renumber moves slot perm[s] to slot s, for every per-point array and for
// the rows and columns of P.
func (w *work) renumber(perm []int32, threads int) {
	n := len(perm)
	for s, i := range perm {
		w.inv[i] = int32(s)
	}
	for _, a := range [][]float64{w.y, w.update, w.gains, w.attr} {
		for s, i := range perm {
			w.tmp[2*s], w.tmp[2*s+1] = a[2*i], a[2*i+1]
		}
		copy(a, w.tmp)
	}
	for s, i := range perm {
		w.y32[2*s], w.y32[2*s+1] = float32(w.y[2*s]), float32(w.y[2*s+1])
		w.tmp[s] = float64(w.order[i])
	}
	for s := range n {
		w.order[s] = int32(w.tmp[s])
	}
	p := &w.p
	w.start[0] = 0
	for s, i := range perm {
		w.start[s+1] = w.start[s] + p.start[i+1] - p.start[i]
	}
	parallelFor(n, pointChunk, threads, func(lo, hi int) {
		for s := lo; s < hi; s++ {
			i := perm[s]
			src, dst := p.start[i], w.start[s]
			for t, j := range p.col[src:p.start[i+1]] {
				w.col[dst+t] = w.inv[j]
				w.val[dst+t] = p.val[src+t]
			}
		}
	})
	p.start, w.start = w.start, p.start
	p.col, w.col = w.col, p.col
	p.val, w.val = w.val, p.val
}
