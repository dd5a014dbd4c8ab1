package tensor

import "math"

// AddRowBias adds bias[i] to every element of row i of x ([len(bias)][p]).
func AddRowBias(x, bias []float32, p int) {
	for i, b := range bias {
		row := x[i*p : (i+1)*p]
		if n := p &^ 7; useAsm && n > 0 {
			addConst8(&row[0], b, n)
			row = row[n:]
		}
		for j := range row {
			row[j] += b
		}
	}
}

// SetRowBias sets every element of row i of x ([len(bias)][p]) to bias[i].
func SetRowBias(x, bias []float32, p int) {
	clear(x[:len(bias)*p])
	AddRowBias(x, bias, p)
}

// RowSumsAdd adds the sum of row i of x ([len(dst)][p]) to dst[i]: the bias gradient.
func RowSumsAdd(dst, x []float32, p int) {
	for i := range dst {
		dst[i] += Sum(x[i*p : (i+1)*p])
	}
}

// ReLU sets x[i] = max(x[i], 0) in place. Branch-free: clearing every value
// whose sign bit is set (negative numbers and -0) gives exactly max(x, +0).
func ReLU(x []float32) {
	if useNeon {
		x = reluNeon(x) // whole blocks of 16; the rest below
	}
	if n := len(x) &^ 7; useAsm && n > 0 {
		relu8(&x[0], n)
		x = x[n:]
	}
	reluGo(x)
}

// reluGo is ReLU's scalar loop.
func reluGo(x []float32) {
	for i, v := range x {
		x[i] = relu32(v)
	}
}

// relu32 is max(v, +0) without a branch: the sign bit, spread over the
// word, clears a negative value (and -0) to +0.
func relu32(v float32) float32 {
	b := math.Float32bits(v)
	return math.Float32frombits(b &^ uint32(int32(b)>>31))
}

// ReLUBackward zeroes dy[i] where the ReLU's output y[i] is zero (PyTorch's
// convention: the gradient at 0 is 0), in place. y must be a ReLU output (no
// negative values). Branch-free: with random signs a branch mispredicts.
func ReLUBackward(dy, y []float32) {
	y = y[:len(dy)]
	if useNeon {
		dy, y = reluBackwardNeon(dy, y) // whole blocks of 16; the rest below
	}
	if n := len(dy) &^ 7; useAsm && n > 0 {
		reluMask8(&dy[0], &y[0], n)
		dy, y = dy[n:], y[n:]
	}
	reluBackwardGo(dy, y)
}

// reluBackwardGo is ReLUBackward's scalar loop.
func reluBackwardGo(dy, y []float32) {
	y = y[:len(dy)]
	for i, v := range y {
		dy[i] = gated(dy[i], v)
	}
}

// gated is v, or 0 where the ReLU output y is zero (see ReLUBackward):
// b|-b has its sign bit set exactly when y ≠ 0.
func gated(v, y float32) float32 {
	b := math.Float32bits(y)
	return math.Float32frombits(math.Float32bits(v) & uint32(int32(b|-b)>>31))
}

// activate applies act to x, then, when gate is not nil, zeroes x where the
// ReLU output gate (laid out as x) is zero: the epilogue of a product.
func activate(x []float32, act Act, gate []float32) {
	switch act {
	case ActReLU:
		ReLU(x)
	case ActTanh:
		Tanh(x)
	}
	if gate != nil {
		ReLUBackward(x, gate)
	}
}

// Tanh sets x[i] = tanh(x[i]) in place, with Tanh32's formula (absolute
// error < 3e-7; the vector path uses FMA and is checked to the same bound).
func Tanh(x []float32) {
	if useNeon {
		x = tanhNeon(x) // whole blocks of 4; the rest below
	}
	if n := len(x) &^ 15; useZmm && n > 0 {
		tanh16(&x[0], n)
		x = x[n:]
	}
	if n := len(x) &^ 7; useAsm && n > 0 {
		tanh8(&x[0], n)
		x = x[n:]
	}
	tanhGo(x)
}

// tanhGo is Tanh's scalar loop: Tanh32 written out in the loop (a call per
// element cost a third more), the same bits.
func tanhGo(x []float32) {
	const (
		sign  = 1 << 31
		log2e = 1.44269504088896341
		ln2hi = 0.693359375
		ln2lo = -2.12194440e-4
	)
	for i, v := range x {
		bits := math.Float32bits(v)
		a := math.Float32frombits(bits &^ sign)
		if a > 9.1 {
			a = 1
		} else if a < 0.0004 {
			a = a - a*a*a/3
		} else if a == a {
			// expMid(2a)
			y := 2 * a
			n := float32(int32(y*log2e + 0.5))
			r := y - n*ln2hi - n*ln2lo
			a = 1 - 2/(ExpPoly(r)*math.Float32frombits(uint32(int32(n)+127)<<23)+1)
		}
		x[i] = math.Float32frombits(math.Float32bits(a) | bits&sign)
	}
}

// TanhBackward sets dy[i] *= 1 - y[i]², where y is the tanh output, in place.
func TanhBackward(dy, y []float32) {
	y = y[:len(dy)]
	for i, v := range y {
		dy[i] *= 1 - v*v
	}
}

// ChannelsToFeatures flattens each image's channels in PyTorch's (c, h, w)
// order: src [c][n·s] (s = h·w) → dst [c·s][n], dst[ci·s+j][i] = src[ci][i·s+j].
func ChannelsToFeatures(dst, src []float32, c, n, s int) {
	for ci := 0; ci < c; ci++ {
		// channel ci is a [n][s] block of src and a [s][n] block of dst
		transposeBlock(dst[ci*s*n:(ci+1)*s*n], src[ci*n*s:(ci+1)*n*s], n, s)
	}
}

// FeaturesToChannels is the inverse of ChannelsToFeatures: src [c·s][n] → dst [c][n·s].
func FeaturesToChannels(dst, src []float32, c, n, s int) {
	for ci := 0; ci < c; ci++ {
		transposeBlock(dst[ci*n*s:(ci+1)*n*s], src[ci*s*n:(ci+1)*s*n], s, n)
	}
}

// transposeBlock writes the [cols][rows] transpose of src ([rows][cols]) into
// dst, four rows of dst at a time (contiguous stores, one load of four).
func transposeBlock(dst, src []float32, rows, cols int) {
	dst, src = dst[:rows*cols], src[:rows*cols]
	j := 0
	for ; j+4 <= cols; j += 4 {
		o0, o1 := dst[j*rows:(j+1)*rows], dst[(j+1)*rows:(j+2)*rows]
		o2, o3 := dst[(j+2)*rows:(j+3)*rows], dst[(j+3)*rows:(j+4)*rows]
		for i := range o0 {
			r := src[i*cols+j : i*cols+j+4]
			o0[i], o1[i], o2[i], o3[i] = r[0], r[1], r[2], r[3]
		}
	}
	for ; j < cols; j++ {
		out := dst[j*rows : (j+1)*rows]
		for i := range out {
			out[i] = src[i*cols+j]
		}
	}
}

// Transpose writes the [cols][rows] transpose of src ([rows][cols]) into dst.
func Transpose(dst, src []float32, rows, cols int) {
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			dst[c*rows+r] = src[r*cols+c]
		}
	}
}

// ImagesToChannels reorders src [n][c][s] (PyTorch's NCHW, s = h·w) into the
// channel-major dst [c][n·s].
func ImagesToChannels(dst, src []float32, n, c, s int) {
	for i := 0; i < n; i++ {
		for ci := 0; ci < c; ci++ {
			copy(dst[(ci*n+i)*s:(ci*n+i+1)*s], src[(i*c+ci)*s:(i*c+ci+1)*s])
		}
	}
}

// ChannelsToImages is the inverse of ImagesToChannels: src [c][n·s] → dst [n][c][s].
func ChannelsToImages(dst, src []float32, n, c, s int) {
	for i := 0; i < n; i++ {
		for ci := 0; ci < c; ci++ {
			copy(dst[(i*c+ci)*s:(i*c+ci+1)*s], src[(ci*n+i)*s:(ci*n+i+1)*s])
		}
	}
}
