package tsne

import (
	"math"
	"slices"
)

// csr is a sparse matrix in compressed rows, columns ascending in each row.
type csr struct {
	start []int
	col   []int32
	val   []float64
}

// Search of the Gaussian bandwidth: sklearn's tolerance and step limit.
const (
	perplexityTol   = 1e-5
	perplexitySteps = 100
)

// conditional fills p with the conditional probabilities exp(−β·dist)/Σ
// of one point's neighbours, β found so that the entropy (nats) is within
// perplexityTol of target. It returns β and the entropy. The search keeps a
// bracket [lo, hi] as sklearn's binary search does, but steps by Newton's
// method on H(β) (dH/dβ = −β·Var(dist)) when that lands inside the
// bracket: a handful of steps instead of ~20.
func conditional(p, dist []float64, target float64) (beta, h float64) {
	if len(dist) == 0 {
		return 1, 0
	}
	d0 := slices.Min(dist) // shift: same distribution, no underflow of the nearest
	var mean float64
	for _, v := range dist {
		mean += v - d0
	}
	mean /= float64(len(dist))
	beta = 1
	if mean > 0 && !math.IsInf(1/mean, 0) {
		beta = 1 / mean
	}
	lo, hi := 0.0, math.Inf(1)
	for range perplexitySteps {
		var sum, sumDP, sumD2P float64
		for t, v := range dist {
			dv := v - d0
			w := 1.0
			if dv > 0 {
				w = math.Exp(-beta * dv)
			}
			p[t] = w
			sum += w
			sumDP += dv * w
			sumD2P += dv * dv * w
		}
		md := sumDP / sum
		h = math.Log(sum) + beta*md
		if math.Abs(h-target) <= perplexityTol {
			break
		}
		if h > target { // too flat: sharpen
			lo = beta
		} else {
			hi = beta
		}
		next := math.NaN()
		if v := sumD2P/sum - md*md; v > 0 {
			next = beta + (h-target)/(beta*v)
		}
		if !(next > lo && next < hi) { // Newton left the bracket: bisect
			switch {
			case h > target && math.IsInf(hi, 1):
				next = beta * 2
			case h > target:
				next = (beta + hi) / 2
			default:
				next = (beta + lo) / 2
			}
		}
		beta = next
		if math.IsInf(beta, 0) || beta == 0 {
			break
		}
	}
	var sum float64
	for _, v := range p {
		sum += v
	}
	for t := range p {
		p[t] /= sum
	}
	return beta, h
}

// affinities turns the neighbour lists (k per point, from knn) into the
// symmetric joint probabilities P_ij = (p_j|i + p_i|j) / 2n as a CSR matrix.
func affinities(nbr []int32, dist []float64, n, k int, perplexity float64, threads int) *csr {
	cond := make([]float64, n*k)
	target := math.Log(perplexity)
	parallelFor(n, 64, threads, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			conditional(cond[i*k:(i+1)*k], dist[i*k:(i+1)*k], target)
		}
	})
	// each row: own entries sorted by column, merged with the entries of the
	// points that chose it (gathered in point order, so already sorted)
	inStart := make([]int, n+1)
	for _, j := range nbr {
		inStart[j+1]++
	}
	for i := range n {
		inStart[i+1] += inStart[i]
	}
	inCol := make([]int32, n*k)
	inVal := make([]float64, n*k)
	fill := slices.Clone(inStart[:n])
	for i := range n {
		for t, j := range nbr[i*k : (i+1)*k] {
			inCol[fill[j]], inVal[fill[j]] = int32(i), cond[i*k+t]
			fill[j]++
		}
	}
	// own entries sorted by column, in place
	parallelFor(n, 64, threads, func(lo, hi int) {
		order := make([]int, k)
		c2 := make([]int32, k)
		v2 := make([]float64, k)
		for i := lo; i < hi; i++ {
			c, v := nbr[i*k:(i+1)*k], cond[i*k:(i+1)*k]
			for t := range order {
				order[t] = t
			}
			slices.SortFunc(order, func(a, b int) int { return int(c[a]) - int(c[b]) })
			for t, o := range order {
				c2[t], v2[t] = c[o], v[o]
			}
			copy(c, c2)
			copy(v, v2)
		}
	})
	// row lengths, then the merge
	rowLen := make([]int, n)
	parallelFor(n, 256, threads, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			a, b := nbr[i*k:(i+1)*k], inCol[inStart[i]:inStart[i+1]]
			m, s, t := 0, 0, 0
			for s < len(a) || t < len(b) {
				switch {
				case t == len(b) || s < len(a) && a[s] < b[t]:
					s++
				case s == len(a) || b[t] < a[s]:
					t++
				default:
					s++
					t++
				}
				m++
			}
			rowLen[i] = m
		}
	})
	p := &csr{start: make([]int, n+1)}
	for i := range n {
		p.start[i+1] = p.start[i] + rowLen[i]
	}
	p.col = make([]int32, p.start[n])
	p.val = make([]float64, p.start[n])
	scale := 1 / float64(2*n)
	parallelFor(n, 256, threads, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			a, av := nbr[i*k:(i+1)*k], cond[i*k:(i+1)*k]
			b, bv := inCol[inStart[i]:inStart[i+1]], inVal[inStart[i]:inStart[i+1]]
			out := p.start[i]
			s, t := 0, 0
			for s < len(a) || t < len(b) {
				switch {
				case t == len(b) || s < len(a) && a[s] < b[t]:
					p.col[out], p.val[out] = a[s], av[s]*scale
					s++
				case s == len(a) || b[t] < a[s]:
					p.col[out], p.val[out] = b[t], bv[t]*scale
					t++
				default: // both directions: p_j|i + p_i|j, the same sum in either row
					p.col[out], p.val[out] = a[s], (av[s]+bv[t])*scale
					s++
					t++
				}
				out++
			}
		}
	})
	return p
}
