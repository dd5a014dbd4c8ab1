package tsne

import (
	"math"

	"latent/tensor"
)

// pcaInit projects the centred points on their two principal axes (power
// iteration on the covariance, each axis signed so that its largest
// coordinate is positive) and scales them so that the first coordinate has
// standard deviation 1e-4, as openTSNE does.
func pcaInit(x []float32, n, d int) []float64 {
	mean := make([]float64, d)
	for i := range n {
		for t, v := range x[i*d : (i+1)*d] {
			mean[t] += float64(v)
		}
	}
	for t := range mean {
		mean[t] /= float64(n)
	}
	// centred copy, transposed to [d][n] for the covariance product
	xt := make([]float32, d*n)
	for i := range n {
		for t, v := range x[i*d : (i+1)*d] {
			xt[t*n+i] = float32(float64(v) - mean[t])
		}
	}
	cov32 := make([]float32, d*d)
	tensor.MatMulTAdd(cov32, xt, xt, d, d, n)
	cov := make([]float64, d*d)
	for i, v := range cov32 {
		cov[i] = float64(v)
	}
	axes := make([][]float64, 2)
	for a := range axes {
		v := make([]float64, d)
		for t := range v {
			v[t] = 1 / math.Sqrt(float64(d)) * (1 + 0.01*float64(t%7))
		}
		for range 300 {
			w := make([]float64, d)
			for r := range d {
				var s float64
				for c := range d {
					s += cov[r*d+c] * v[c]
				}
				w[r] = s
			}
			for _, prev := range axes[:a] { // deflate: stay orthogonal to earlier axes
				dot := 0.0
				for t := range w {
					dot += w[t] * prev[t]
				}
				for t := range w {
					w[t] -= dot * prev[t]
				}
			}
			norm := 0.0
			for _, u := range w {
				norm += u * u
			}
			norm = math.Sqrt(norm)
			if norm == 0 {
				break
			}
			for t := range w {
				w[t] /= norm
			}
			v = w
		}
		big := 0
		for t := range v {
			if math.Abs(v[t]) > math.Abs(v[big]) {
				big = t
			}
		}
		if v[big] < 0 {
			for t := range v {
				v[t] = -v[t]
			}
		}
		axes[a] = v
	}
	y := make([]float64, 2*n)
	for i := range n {
		for a, v := range axes {
			var s float64
			for t, xv := range x[i*d : (i+1)*d] {
				s += (float64(xv) - mean[t]) * v[t]
			}
			y[2*i+a] = s
		}
	}
	var m, ss float64
	for i := range n {
		m += y[2*i]
	}
	m /= float64(n)
	for i := range n {
		ss += (y[2*i] - m) * (y[2*i] - m)
	}
	std := math.Sqrt(ss / float64(n))
	if std == 0 {
		std = 1
	}
	for i := range y {
		y[i] *= 1e-4 / std
	}
	return y
}

// optimise runs gradient descent with momentum and gains on y.
func optimise(y []float64, p *csr, n int, opt Options, lr float64, threads int) {
	update := make([]float64, 2*n)
	gains := make([]float64, 2*n)
	for i := range gains {
		gains[i] = 1
	}
	grad := make([]float64, 2*n)
	rep := make([]float64, 2*n)
	zpart := make([]float64, n)
	var tree quadtree
	for it := range opt.Iterations {
		exag, momentum := 1.0, 0.8
		if it < exaggerationSteps {
			exag, momentum = opt.Exaggeration, 0.5
		}
		tree.build(y, n)
		// repulsion: per point, in parallel; Z summed in point order
		parallel(n, threads, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				rep[2*i], rep[2*i+1], zpart[i] = tree.repulsion(y, i, opt.Theta)
			}
		})
		var z float64
		for _, v := range zpart {
			z += v
		}
		parallel(n, threads, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				// attraction over the sparse P
				var ax, ay float64
				yi0, yi1 := y[2*i], y[2*i+1]
				for t := p.start[i]; t < p.start[i+1]; t++ {
					j := p.col[t]
					dx, dy := yi0-y[2*j], yi1-y[2*j+1]
					q := 1 / (1 + dx*dx + dy*dy)
					ax += p.val[t] * q * dx
					ay += p.val[t] * q * dy
				}
				grad[2*i] = 4 * (exag*ax - rep[2*i]/z)
				grad[2*i+1] = 4 * (exag*ay - rep[2*i+1]/z)
			}
		})
		for t, g := range grad {
			if (g > 0) != (update[t] > 0) {
				gains[t] += 0.2
			} else {
				gains[t] = max(gains[t]*0.8, 0.01)
			}
			update[t] = momentum*update[t] - lr*gains[t]*g
			y[t] += update[t]
		}
		// keep the map centred
		var mx, my float64
		for i := range n {
			mx += y[2*i]
			my += y[2*i+1]
		}
		mx, my = mx/float64(n), my/float64(n)
		for i := range n {
			y[2*i] -= mx
			y[2*i+1] -= my
		}
		if opt.Progress != nil && (it%10 == 9 || it == opt.Iterations-1) {
			opt.Progress(it+1, opt.Iterations)
		}
	}
}

// quadtree is a Barnes–Hut tree over the 2-D points: nodes in one slice,
// the four children of a node next to each other.
type quadtree struct {
	nodes []qnode
}

// qnode is one cell: 40 bytes, so a visit touches one cache line.
type qnode struct {
	mx, my float64 // centre of mass (sums while building)
	cx, cy float64 // cell centre
	half   float32 // half width
	count  int32
	child  int32 // first of four children, or -1 for a leaf
	point  int32 // the one point of a leaf, or -1
}

func (q *quadtree) node(cx, cy, half float64) int32 {
	q.nodes = append(q.nodes, qnode{cx: cx, cy: cy, half: float32(half), child: -1, point: -1})
	return int32(len(q.nodes) - 1)
}

const maxDepth = 48

// build inserts the points in order (deterministic).
func (q *quadtree) build(y []float64, n int) {
	q.nodes = q.nodes[:0]
	minX, maxX, minY, maxY := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for i := range n {
		minX, maxX = min(minX, y[2*i]), max(maxX, y[2*i])
		minY, maxY = min(minY, y[2*i+1]), max(maxY, y[2*i+1])
	}
	half := max(maxX-minX, maxY-minY)/2*(1+1e-6) + 1e-12
	q.node((minX+maxX)/2, (minY+maxY)/2, half)
	for i := range n {
		q.insert(y, int32(i))
	}
	for c := range q.nodes {
		nd := &q.nodes[c]
		if nd.count > 0 {
			nd.mx /= float64(nd.count)
			nd.my /= float64(nd.count)
		}
	}
}

func quadrant(nd *qnode, px, py float64) int32 {
	k := int32(0)
	if px >= nd.cx {
		k++
	}
	if py >= nd.cy {
		k += 2
	}
	return k
}

func (q *quadtree) insert(y []float64, i int32) {
	px, py := y[2*i], y[2*i+1]
	c := int32(0)
	for depth := 0; ; depth++ {
		nd := &q.nodes[c]
		nd.mx += px
		nd.my += py
		nd.count++
		if nd.child < 0 {
			if nd.count == 1 { // was empty
				nd.point = i
				return
			}
			if depth >= maxDepth { // coincident points: the leaf keeps a count
				return
			}
			// split: push the resident point down one level
			old := nd.point
			nd.point = -1
			h := float64(nd.half) / 2
			cx, cy := nd.cx, nd.cy
			first := q.node(cx-h, cy-h, h) // may move q.nodes: re-take nd below
			q.node(cx+h, cy-h, h)
			q.node(cx-h, cy+h, h)
			q.node(cx+h, cy+h, h)
			nd = &q.nodes[c]
			nd.child = first
			if old >= 0 {
				ox, oy := y[2*old], y[2*old+1]
				o := &q.nodes[first+quadrant(nd, ox, oy)]
				o.mx, o.my, o.count, o.point = ox, oy, 1, old
			}
		}
		c = nd.child + quadrant(nd, px, py)
	}
}

// repulsion returns Σ_j q_ij²·(y_i - y_j) and Σ_j q_ij over j ≠ i, with
// q_ij = 1/(1 + |y_i - y_j|²), cells far enough away taken as one mass.
func (q *quadtree) repulsion(y []float64, i int, theta float64) (fx, fy, z float64) {
	px, py := y[2*i], y[2*i+1]
	theta2 := theta * theta
	nodes := q.nodes
	var stack [4*maxDepth + 8]int32
	top := 1
	for top > 0 {
		top--
		nd := &nodes[stack[top]]
		if nd.count == 0 {
			continue
		}
		dx, dy := px-nd.mx, py-nd.my
		d2 := dx*dx + dy*dy
		w := float64(nd.half)
		if nd.child < 0 || 4*w*w < theta2*d2 {
			m := float64(nd.count)
			if nd.child < 0 && (nd.point == int32(i) || nd.point < 0 && d2 == 0) {
				m-- // the point itself
				if m <= 0 {
					continue
				}
			}
			qq := 1 / (1 + d2)
			z += m * qq
			mq2 := m * qq * qq
			fx += mq2 * dx
			fy += mq2 * dy
			continue
		}
		ch := nd.child
		stack[top], stack[top+1], stack[top+2], stack[top+3] = ch, ch+1, ch+2, ch+3
		top += 4
	}
	return fx, fy, z
}

// KNNAccuracy is the share of points whose label is the majority label of
// their k nearest neighbours in y (rows of dim, the point itself excluded;
// ties go to the smallest label). It measures how well a map keeps classes
// apart.
func KNNAccuracy(y []float64, dim int, labels []uint8, k int) float64 {
	n := len(labels)
	if n < 2 || len(y) != n*dim {
		return 0
	}
	k = min(k, n-1)
	good := 0
	type cand struct {
		d float64
		j int
	}
	best := make([]cand, 0, k+1)
	for i := range n {
		best = best[:0]
		for j := range n {
			if j == i {
				continue
			}
			var d float64
			for t := range dim {
				df := y[i*dim+t] - y[j*dim+t]
				d += df * df
			}
			if len(best) == k && d >= best[k-1].d {
				continue
			}
			pos := len(best)
			for pos > 0 && best[pos-1].d > d {
				pos--
			}
			if len(best) < k {
				best = append(best, cand{})
			}
			copy(best[pos+1:], best[pos:len(best)-1])
			best[pos] = cand{d, j}
		}
		var votes [256]int
		for _, c := range best {
			votes[labels[c.j]]++
		}
		win := 0
		for l := range votes {
			if votes[l] > votes[win] {
				win = l
			}
		}
		if uint8(win) == labels[i] {
			good++
		}
	}
	return float64(good) / float64(n)
}
