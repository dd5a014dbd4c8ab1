package tsne

import (
	"slices"

	"latent/tensor"
)

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

// Tile sizes of the distance computation: rowBlock rows against colBlock
// columns at a time (float64, so a 128-d column block is 256 KiB).
const (
	rowBlock = 32
	colBlock = 256
)

// knn finds each point's k nearest neighbours (itself excluded) by squared
// Euclidean distance, row i at [i*k, (i+1)*k), sorted by distance then
// index. Candidates are ranked by ‖a‖² + ‖b‖² − 2a·b in float64 tiles; the
// kept distances are then recomputed directly as Σ(a−b)².
func knn(x []float32, n, d, k, threads int) (nbr []int32, dist []float64) {
	ds := (d + 3) &^ 3 // rows padded with zeros to a multiple of 4
	xs := make([]float64, n*ds)
	norms := make([]float64, n)
	parallelFor(n, 256, threads, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := xs[i*ds : i*ds+d]
			var s float64
			for t, v := range x[i*d : (i+1)*d] {
				row[t] = float64(v)
				s += row[t] * row[t]
			}
			norms[i] = s
		}
	})
	nbr, dist = make([]int32, n*k), make([]float64, n*k)
	blocks := (n + rowBlock - 1) / rowBlock
	parallelFor(blocks, 1, threads, func(blo, bhi int) {
		tile := make([]float64, rowBlock*colBlock)
		heaps := make([]topK, rowBlock)
		for r := range heaps {
			heaps[r] = newTopK(k)
		}
		order := make([]int, k)
		for b := blo; b < bhi; b++ {
			r0, r1 := b*rowBlock, min((b+1)*rowBlock, n)
			for r := range heaps {
				heaps[r].reset()
			}
			for c0 := 0; c0 < n; c0 += colBlock {
				c1 := min(c0+colBlock, n)
				dots(tile, xs, ds, r0, r1, c0, c1)
				for i := r0; i < r1; i++ {
					h := &heaps[i-r0]
					trow := tile[(i-r0)*colBlock : (i-r0)*colBlock+(c1-c0)]
					ni := norms[i]
					for c, dot := range trow {
						j := c0 + c
						s := ni + norms[j] - 2*dot
						if j == i || h.full() && s > h.bound() {
							continue
						}
						h.push(max(s, 0), int32(j))
					}
				}
			}
			for i := r0; i < r1; i++ {
				h := &heaps[i-r0]
				rn, rd := nbr[i*k:(i+1)*k], dist[i*k:(i+1)*k]
				xi := xs[i*ds : i*ds+d]
				for t := range h.size() {
					_, j := h.at(t)
					xj := xs[int(j)*ds : int(j)*ds+d]
					xj = xj[:len(xi)]
					var s0, s1 float64
					u := 0
					for ; u+2 <= len(xi); u += 2 {
						a, b := xi[u]-xj[u], xi[u+1]-xj[u+1]
						s0 += a * a
						s1 += b * b
					}
					if u < len(xi) {
						a := xi[u] - xj[u]
						s0 += a * a
					}
					rn[t], rd[t] = j, s0+s1
				}
				for t := range order {
					order[t] = t
				}
				slices.SortFunc(order, func(a, b int) int {
					switch {
					case rd[a] < rd[b]:
						return -1
					case rd[a] > rd[b]:
						return 1
					}
					return int(rn[a]) - int(rn[b])
				})
				sn, sd := slices.Clone(rn), slices.Clone(rd)
				for t, o := range order {
					rn[t], rd[t] = sn[o], sd[o]
				}
			}
		}
	})
	return nbr, dist
}

// dots fills tile[(i-r0)*colBlock + (j-c0)] = x_i·x_j for rows [r0, r1) and
// columns [c0, c1) of xs (row-major, dimension d), two rows by two columns
// at a time (small enough for the registers).
func dots(tile, xs []float64, d, r0, r1, c0, c1 int) {
	if useAVX {
		var out [8]float64
		i := r0
		for ; i+2 <= r1; i += 2 {
			t0 := tile[(i-r0)*colBlock:]
			t1 := tile[(i+1-r0)*colBlock:]
			j := c0
			for ; j+4 <= c1; j += 4 {
				dot2x4AVX(&xs[i*d], &xs[j*d], d, d, &out)
				c := j - c0
				t0[c], t0[c+1], t0[c+2], t0[c+3] = out[0], out[1], out[2], out[3]
				t1[c], t1[c+1], t1[c+2], t1[c+3] = out[4], out[5], out[6], out[7]
			}
			for ; j < c1; j++ {
				b := xs[j*d : j*d+d]
				t0[j-c0], t1[j-c0] = tensor.Dot(xs[i*d:i*d+d], b), tensor.Dot(xs[(i+1)*d:(i+1)*d+d], b)
			}
		}
		if i < r1 {
			t := tile[(i-r0)*colBlock:]
			for j := c0; j < c1; j++ {
				t[j-c0] = tensor.Dot(xs[i*d:i*d+d], xs[j*d:j*d+d])
			}
		}
		return
	}
	i := r0
	for ; i+2 <= r1; i += 2 {
		a0 := xs[i*d : i*d+d]
		a1 := xs[(i+1)*d : (i+1)*d+d]
		t0 := tile[(i-r0)*colBlock:]
		t1 := tile[(i+1-r0)*colBlock:]
		j := c0
		for ; j+2 <= c1; j += 2 {
			s00, s01, s10, s11 := dot2x2(a0, a1, xs[j*d:j*d+d], xs[(j+1)*d:(j+1)*d+d])
			c := j - c0
			t0[c], t0[c+1] = s00, s01
			t1[c], t1[c+1] = s10, s11
		}
		for ; j < c1; j++ {
			b := xs[j*d : j*d+d]
			t0[j-c0], t1[j-c0] = tensor.Dot(a0, b), tensor.Dot(a1, b)
		}
	}
	for ; i < r1; i++ {
		a := xs[i*d : i*d+d]
		t := tile[(i-r0)*colBlock:]
		for j := c0; j < c1; j++ {
			t[j-c0] = tensor.Dot(a, xs[j*d:j*d+d])
		}
	}
}

// dot2x2 returns the four dot products of a0, a1 with b0, b1.
func dot2x2(a0, a1, b0, b1 []float64) (s00, s01, s10, s11 float64) {
	n := len(a0)
	a1, b0, b1 = a1[:n], b0[:n], b1[:n]
	for t := 0; t < n; t++ {
		x0, x1 := a0[t], a1[t]
		y0, y1 := b0[t], b1[t]
		s00 += x0 * y0
		s01 += x0 * y1
		s10 += x1 * y0
		s11 += x1 * y1
	}
	return
}
