package tsne

// The two float32 kernels of the gradient, each an assembly version (AVX2
// and FMA, dots_amd64.s) and the pure-Go twin below, which is all that runs
// under the build tag noasm or off amd64. Positions are float32 copies of
// the float64 map: neighbour distances in the map are far above float32's
// resolution, and both kernels' errors (~1e-6 relative) are far below the
// Barnes–Hut approximation's.

// attractRow returns the attraction on a point at yi from its row of P:
// Σ_t vals[t]·(yi − y_j)/(1 + ‖yi − y_j‖²), j = cols[t], y holding (x, y)
// pairs.
func attractRow(yi0, yi1 float32, y []float32, cols []int32, vals []float32) (ax, ay float32) {
	vals = vals[:len(cols)]
	start := 0
	if n8 := len(cols) &^ 7; useAVX && n8 > 0 {
		_ = y[2*int(cols[0])+1] // y is not empty
		yi := [2]float32{yi0, yi1}
		var out [2]float32
		attractAVX(&yi, &y[0], &cols[0], &vals[0], n8, &out)
		ax, ay, start = out[0], out[1], n8
	}
	tx, ty := attractGo(yi0, yi1, y, cols[start:], vals[start:])
	return ax + tx, ay + ty
}

// attractGo is attractRow's pure-Go twin.
func attractGo(yi0, yi1 float32, y []float32, cols []int32, vals []float32) (ax, ay float32) {
	vals = vals[:len(cols)]
	for t, j := range cols {
		dx, dy := yi0-y[2*j], yi1-y[2*j+1]
		w := vals[t] / (1 + dx*dx + dy*dy)
		ax += w * dx
		ay += w * dy
	}
	return ax, ay
}

// repulsePoint returns, for a point at (px, py) and the masses m at (x, y),
// q = 1/(1 + ‖p − (x, y)‖²) summed as Σ m·q and Σ m·q²·(p − (x, y)). With
// AVX the length must be a multiple of 16 (pad with zero masses).
func repulsePoint(px, py float32, x, y, m []float32) (z, fx, fy float32) {
	if useAVX && len(x) > 0 {
		_, _ = y[len(x)-1], m[len(x)-1]
		p := [2]float32{px, py}
		var out [3]float32
		repulseAVX(&p, &x[0], &y[0], &m[0], len(x), &out)
		return out[0], out[1], out[2]
	}
	return repulseGo(px, py, x, y, m)
}

// repulseGo is repulsePoint's pure-Go twin.
func repulseGo(px, py float32, x, y, m []float32) (z, fx, fy float32) {
	y, m = y[:len(x)], m[:len(x)]
	for u := range x {
		dx, dy := px-x[u], py-y[u]
		q := 1 / (1 + dx*dx + dy*dy)
		mq := m[u] * q
		z += mq
		mq *= q
		fx += mq * dx
		fy += mq * dy
	}
	return z, fx, fy
}
