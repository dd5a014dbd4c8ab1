package tsne

import (
	"runtime"
	"slices"
)

// KNNAccuracy returns the fraction of points whose label equals the majority
// label of their k nearest neighbours in y (rows of dim coordinates,
// row-major), the point itself excluded; ties in the vote go to the smallest
// label, ties in distance to the smaller index. k is capped at n−1. It
// returns 0 for inconsistent input (dim < 1, k < 1, fewer than 2 points, or
// len(y) ≠ len(labels)·dim).
func KNNAccuracy(y []float64, dim int, labels []uint8, k int) float64 {
	n := len(labels)
	if dim < 1 || k < 1 || n < 2 || len(y) != n*dim {
		return 0
	}
	k = min(k, n-1)
	// sweep outwards along the first coordinate, stopping once its gap alone
	// exceeds the k-th distance found
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		ya, yb := y[int(a)*dim], y[int(b)*dim]
		switch {
		case ya < yb:
			return -1
		case ya > yb:
			return 1
		}
		return int(a) - int(b)
	})
	good := make([]bool, n)
	parallelFor(n, 256, runtime.GOMAXPROCS(0), func(lo, hi int) {
		h := newTopK(k)
		for r := lo; r < hi; r++ {
			i := int(order[r])
			yi := y[i*dim : (i+1)*dim]
			h.reset()
			visit := func(s int) bool {
				j := int(order[s])
				yj := y[j*dim : (j+1)*dim]
				gap := yj[0] - yi[0]
				if h.full() && gap*gap > h.bound() {
					return false
				}
				var d2 float64
				for t, v := range yi {
					df := v - yj[t]
					d2 += df * df
				}
				h.push(d2, int32(j))
				return true
			}
			for a, b := r-1, r+1; a >= 0 || b < n; {
				if a >= 0 && !visit(a) {
					a = -1
				} else if a >= 0 {
					a--
				}
				if b < n && !visit(b) {
					b = n
				} else if b < n {
					b++
				}
			}
			var votes [256]int
			for t := range h.size() {
				_, j := h.at(t)
				votes[labels[j]]++
			}
			win := 0
			for l := range votes {
				if votes[l] > votes[win] {
					win = l
				}
			}
			good[i] = uint8(win) == labels[i]
		}
	})
	c := 0
	for _, g := range good {
		if g {
			c++
		}
	}
	return float64(c) / float64(n)
}

// topK keeps the k smallest (distance, index) pairs seen, as a max-heap;
// ties in distance go to the smaller index, so the kept set does not depend
// on the order of the candidates.
type topK struct {
	d []float64
	j []int32
	n int
}

func newTopK(k int) topK { return topK{d: make([]float64, k), j: make([]int32, k)} }

func (h *topK) reset() { h.n = 0 }

// worse reports whether entry a ranks after entry b.
func (h *topK) worse(a, b int) bool {
	return h.d[a] > h.d[b] || h.d[a] == h.d[b] && h.j[a] > h.j[b]
}

// push offers a candidate.
func (h *topK) push(d float64, j int32) {
	k := len(h.d)
	if h.n < k {
		i := h.n
		h.d[i], h.j[i] = d, j
		h.n++
		for i > 0 {
			p := (i - 1) / 2
			if !h.worse(i, p) {
				break
			}
			h.d[i], h.d[p] = h.d[p], h.d[i]
			h.j[i], h.j[p] = h.j[p], h.j[i]
			i = p
		}
		return
	}
	if !(d < h.d[0] || d == h.d[0] && j < h.j[0]) {
		return
	}
	h.d[0], h.j[0] = d, j
	for i := 0; ; {
		l := 2*i + 1
		if l >= k {
			break
		}
		c := l
		if r := l + 1; r < k && h.worse(r, l) {
			c = r
		}
		if !h.worse(c, i) {
			break
		}
		h.d[i], h.d[c] = h.d[c], h.d[i]
		h.j[i], h.j[c] = h.j[c], h.j[i]
		i = c
	}
}

// full reports whether k candidates are kept, and bound is the worst kept
// distance then.
func (h *topK) full() bool                { return h.n == len(h.d) }
func (h *topK) bound() float64            { return h.d[0] }
func (h *topK) size() int                 { return h.n }
func (h *topK) at(i int) (float64, int32) { return h.d[i], h.j[i] }
