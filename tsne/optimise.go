package tsne

import "math"

// Gradient-descent constants, as sklearn and openTSNE.
const (
	momentumEarly = 0.5
	momentumLate  = 0.8
	gainUp        = 0.2
	gainDown      = 0.8
	minGain       = 0.01
	pointChunk    = 128 // points per parallel work item
)

// optimise runs gradient descent with momentum and gains on y (row-major
// [n][2]) for the KL divergence to the joint probabilities p. The gradient
// is openTSNE's, without the factor 4: exaggeration·Σ_j P_ij q_ij (y_i−y_j) −
// Σ_j q_ij² (y_i−y_j) / Z.
func optimise(y []float64, p *csr, n int, opt Options, lr float64, threads int) {
	update := make([]float64, 2*n)
	gains := make([]float64, 2*n)
	for i := range gains {
		gains[i] = 1
	}
	attr := make([]float64, 2*n)
	rep := make([]float64, 2*n)
	fx, fy, zpart := make([]float64, n), make([]float64, n), make([]float64, n)
	var tree bhTree
	lists := make(chan *interactions, threads) // per-worker scratch, reused
	for range threads {
		lists <- &interactions{}
	}
	for it := range opt.Iterations {
		exag, momentum := 1.0, momentumLate
		if it < exaggerationSteps {
			exag, momentum = opt.Exaggeration, momentumEarly
		}
		tree.build(y, n, opt.Theta)
		// repulsion, a group of nearby points at a time, into tree order
		parallelFor(len(tree.groups), 4, threads, func(lo, hi int) {
			list := <-lists
			for _, g := range tree.groups[lo:hi] {
				tree.repulseGroup(g, list, fx, fy, zpart)
			}
			lists <- list
		})
		// attraction over the rows of P, two entries per division
		parallelFor(n, pointChunk, threads, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				var ax, ay float64
				yi0, yi1 := y[2*i], y[2*i+1]
				cols, vals := p.col[p.start[i]:p.start[i+1]], p.val[p.start[i]:p.start[i+1]]
				vals = vals[:len(cols)]
				even := len(cols) &^ 1
				start := 0
				if n4 := len(cols) &^ 3; useAVX && n4 > 0 {
					var out [2]float64
					attractAVX(yi0, yi1, &y[0], &cols[0], &vals[0], n4, &out)
					ax, ay = out[0], out[1]
					start = n4
				}
				for t := start; t < even; t += 2 {
					j0, j1 := cols[t], cols[t+1]
					dx0, dy0 := yi0-y[2*j0], yi1-y[2*j0+1]
					dx1, dy1 := yi0-y[2*j1], yi1-y[2*j1+1]
					a := 1 + dx0*dx0 + dy0*dy0
					b := 1 + dx1*dx1 + dy1*dy1
					r := 1 / (a * b)
					w0, w1 := vals[t]*b*r, vals[t+1]*a*r
					ax += w0*dx0 + w1*dx1
					ay += w0*dy0 + w1*dy1
				}
				if even < len(cols) {
					j := cols[even]
					dx, dy := yi0-y[2*j], yi1-y[2*j+1]
					w := vals[even] / (1 + dx*dx + dy*dy)
					ax += w * dx
					ay += w * dy
				}
				attr[2*i], attr[2*i+1] = ax, ay
			}
		})
		for s, i := range tree.perm {
			rep[2*i], rep[2*i+1] = fx[s], fy[s]
		}
		var z float64 // in tree order: a function of the positions only
		for _, v := range zpart {
			z += v
		}
		invZ := 1 / z
		for t := range y {
			g := exag*attr[t] - rep[t]*invZ
			if update[t]*g < 0 { // direction changed
				gains[t] += gainUp
			} else {
				gains[t] = math.Max(gains[t]*gainDown, minGain)
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
