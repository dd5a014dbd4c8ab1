package tensor

// The pure-Go products with their epilogues fused: each row of C is set from
// its bias by the first pass over B (no clearing, no bias pass, no load of C),
// finished by smallLongGo's passes, and activated or gated while it is still
// in L1, instead of separate passes over the whole of C. Their twins are
// colProductRef and the column-matrix route of convTransposeRef.

// smallLongSetGo sets C[i·ldc + j] = bias[i] + Σ_kk A[i·ars + kk·acs]·B[kk·p + j]
// for i < m, j < p (bias nil: 0), then applies act to the row and zeroes it
// where gate (laid out as C, ldc = p) is not positive. k ≥ 1. On the neon
// path it is smallLongSetNeon.
func smallLongSetGo(c []float32, ldc int, a []float32, ars, acs int, b, bias []float32, act Act, gate []float32, m, k, p int) {
	if useNeon { // arm64: the same product in NEON tiles
		smallLongSetNeon(c, ldc, a, ars, acs, b, bias, act, gate, m, k, p)
		return
	}
	for i := range m {
		cr := c[i*ldc : i*ldc+p]
		var bi float32
		if bias != nil {
			bi = bias[i]
		}
		var gr []float32
		if gate != nil {
			gr = gate[i*ldc : i*ldc+p]
		}
		ai := a[i*ars:]
		if k == 9 || k == 8 {
			// one pass: the epilogue runs in it
			setPass98(cr, ai, acs, b, p, k, bi, act, gr)
			continue
		}
		if k >= 16 && act == ActReLU && gr == nil {
			// first and last eight rows of B in their own passes: the ReLU
			// runs in the last (a gate there measured slower than its own
			// pass)
			setPass(cr, ai, acs, b, p, 8, bi)
			if mid := k - 16; mid > 0 {
				smallLongGo(cr, 0, ai[8*acs:], 0, acs, b[8*p:], 0, 1, 0, p, mid, p)
			}
			lastPass8ReLU(cr, ai[(k-8)*acs:], acs, b[(k-8)*p:], p)
			continue
		}
		kk := setPass(cr, ai, acs, b, p, k, bi)
		if kk < k {
			// the remaining rows of B, added by the streaming passes
			smallLongGo(cr, 0, ai[kk*acs:], 0, acs, b[kk*p:], 0, 1, 0, p, k-kk, p)
		}
		activate(cr, act, gr)
	}
}

// setPass98 sets cr[j] = ep(bias + Σ_{kk < k} w[kk·acs]·b[kk·p + j]) for k
// = 9 or 8, where ep is act followed, when gate is not nil, by zeroing where
// gate[j] is 0: a whole product row and its epilogue in one pass.
func setPass98(cr, w []float32, acs int, b []float32, p, k int, bias float32, act Act, gate []float32) {
	if k == 8 {
		_ = w[7*acs]
	} else {
		_ = w[8*acs]
	}
	w0, w1, w2, w3 := w[0], w[acs], w[2*acs], w[3*acs]
	w4, w5, w6, w7 := w[4*acs], w[5*acs], w[6*acs], w[7*acs]
	_ = b[7*p+len(cr)-1]
	b0 := b[:len(cr)]
	b1 := b[p:][:len(cr)]
	b2 := b[2*p:][:len(cr)]
	b3 := b[3*p:][:len(cr)]
	b4 := b[4*p:][:len(cr)]
	b5 := b[5*p:][:len(cr)]
	b6 := b[6*p:][:len(cr)]
	b7 := b[7*p:][:len(cr)]
	if k == 8 {
		switch {
		case act == ActNone && gate == nil:
			for j := range cr {
				cr[j] = bias + (((w0*b0[j] + w1*b1[j]) + (w2*b2[j] + w3*b3[j])) +
					((w4*b4[j] + w5*b5[j]) + (w6*b6[j] + w7*b7[j])))
			}
			return
		case act == ActReLU && gate == nil:
			for j := range cr {
				cr[j] = relu32(bias + (((w0*b0[j] + w1*b1[j]) + (w2*b2[j] + w3*b3[j])) +
					((w4*b4[j] + w5*b5[j]) + (w6*b6[j] + w7*b7[j]))))
			}
			return
		}
		for j := range cr {
			cr[j] = bias + (((w0*b0[j] + w1*b1[j]) + (w2*b2[j] + w3*b3[j])) +
				((w4*b4[j] + w5*b5[j]) + (w6*b6[j] + w7*b7[j])))
		}
	} else {
		w8 := w[8*acs]
		b8 := b[8*p:][:len(cr)]
		switch {
		case act == ActNone && gate == nil:
			for j := range cr {
				cr[j] = bias + (((w0*b0[j] + w1*b1[j]) + (w2*b2[j] + w3*b3[j])) +
					((w4*b4[j] + w5*b5[j]) + (w6*b6[j] + w7*b7[j]) + w8*b8[j]))
			}
			return
		case act == ActReLU && gate == nil:
			for j := range cr {
				cr[j] = relu32(bias + (((w0*b0[j] + w1*b1[j]) + (w2*b2[j] + w3*b3[j])) +
					((w4*b4[j] + w5*b5[j]) + (w6*b6[j] + w7*b7[j]) + w8*b8[j])))
			}
			return
		case act == ActNone:
			g := gate[:len(cr)]
			for j := range cr {
				cr[j] = gated(bias+(((w0*b0[j]+w1*b1[j])+(w2*b2[j]+w3*b3[j]))+
					((w4*b4[j]+w5*b5[j])+(w6*b6[j]+w7*b7[j])+w8*b8[j])), g[j])
			}
			return
		}
		for j := range cr {
			cr[j] = bias + (((w0*b0[j] + w1*b1[j]) + (w2*b2[j] + w3*b3[j])) +
				((w4*b4[j] + w5*b5[j]) + (w6*b6[j] + w7*b7[j]) + w8*b8[j]))
		}
	}
	activate(cr, act, gate) // the rarer epilogues, as separate passes over the row
}

// lastPass8ReLU sets cr[j] = ReLU(cr[j] + Σ_{kk < 8} w[kk·acs]·b[kk·p + j]).
func lastPass8ReLU(cr, w []float32, acs int, b []float32, p int) {
	_ = w[7*acs]
	w0, w1, w2, w3 := w[0], w[acs], w[2*acs], w[3*acs]
	w4, w5, w6, w7 := w[4*acs], w[5*acs], w[6*acs], w[7*acs]
	_ = b[7*p+len(cr)-1]
	b0 := b[:len(cr)]
	b1 := b[p:][:len(cr)]
	b2 := b[2*p:][:len(cr)]
	b3 := b[3*p:][:len(cr)]
	b4 := b[4*p:][:len(cr)]
	b5 := b[5*p:][:len(cr)]
	b6 := b[6*p:][:len(cr)]
	b7 := b[7*p:][:len(cr)]
	for j := range cr {
		cr[j] = relu32(cr[j] + (((w0*b0[j] + w1*b1[j]) + (w2*b2[j] + w3*b3[j])) +
			((w4*b4[j] + w5*b5[j]) + (w6*b6[j] + w7*b7[j]))))
	}
}

// setPass sets cr[j] = bias + Σ_{kk < n} w[kk·acs]·b[kk·p + j] over the first
// n rows of B (eight, four, two or one: the widest pass that fits), and
// returns n.
func setPass(cr, w []float32, acs int, b []float32, p, k int, bias float32) int {
	switch {
	case k >= 8:
		_ = w[7*acs]
		w0, w1, w2, w3 := w[0], w[acs], w[2*acs], w[3*acs]
		w4, w5, w6, w7 := w[4*acs], w[5*acs], w[6*acs], w[7*acs]
		_ = b[7*p+len(cr)-1]
		b0 := b[:len(cr)]
		b1 := b[p:][:len(cr)]
		b2 := b[2*p:][:len(cr)]
		b3 := b[3*p:][:len(cr)]
		b4 := b[4*p:][:len(cr)]
		b5 := b[5*p:][:len(cr)]
		b6 := b[6*p:][:len(cr)]
		b7 := b[7*p:][:len(cr)]
		for j := range cr {
			cr[j] = bias + (((w0*b0[j] + w1*b1[j]) + (w2*b2[j] + w3*b3[j])) +
				((w4*b4[j] + w5*b5[j]) + (w6*b6[j] + w7*b7[j])))
		}
		return 8
	case k >= 4:
		_ = w[3*acs]
		w0, w1, w2, w3 := w[0], w[acs], w[2*acs], w[3*acs]
		_ = b[3*p+len(cr)-1]
		b0 := b[:len(cr)]
		b1 := b[p:][:len(cr)]
		b2 := b[2*p:][:len(cr)]
		b3 := b[3*p:][:len(cr)]
		for j := range cr {
			cr[j] = bias + ((w0*b0[j] + w1*b1[j]) + (w2*b2[j] + w3*b3[j]))
		}
		return 4
	case k >= 2:
		w0, w1 := w[0], w[acs]
		_ = b[p+len(cr)-1]
		b0 := b[:len(cr)]
		b1 := b[p:][:len(cr)]
		for j := range cr {
			cr[j] = bias + (w0*b0[j] + w1*b1[j])
		}
		return 2
	}
	w0 := w[0]
	b0 := b[:len(cr)]
	for j := range cr {
		cr[j] = bias + w0*b0[j]
	}
	return 1
}

// colProductGo is ColProduct's pure-Go path: y [m][p] = act(bias + W·col)
// with W [m][k] and col [k][p], gated where gate is not nil (all fused per
// row).
func colProductGo(y, w, bias, col []float32, relu bool, gate []float32, m, k, p int) {
	act := ActNone
	if relu {
		act = ActReLU
	}
	smallLongSetGo(y, p, w, k, 1, col, bias, act, gate, m, k, p)
}

// colProductRef is the twin of colProductGo: the separate passes (bias,
// product, ReLU, gate) over the whole of y.
func colProductRef(y, w, bias, col []float32, relu bool, gate []float32, m, k, p int) {
	if bias != nil {
		for i := range m {
			row := y[i*p : (i+1)*p]
			for j := range row {
				row[j] = bias[i]
			}
		}
	} else {
		clear(y[:m*p])
	}
	smallLongRef(y, p, w, k, 1, col, 0, m, 0, p, k, p)
	if relu {
		reluGo(y[:m*p])
	}
	if gate != nil {
		reluBackwardGo(y[:m*p], gate)
	}
}
