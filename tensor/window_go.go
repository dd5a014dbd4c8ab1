package tensor

// The fast pure-Go windows. Scalar code reads a stride-2 row as cheaply as a
// contiguous one, so the cost of Im2col and Col2imAdd is their loop overhead
// on rows of only 4, 7 or 14 floats: here one pass over a large-grid row
// serves its three column taps (kw = 0, 1, 2) at once. Their twins are
// im2colRef and col2imRef (window.go).

// im2colGo is Im2col for images n0 and on: for each channel, kernel row and
// small row, the three taps of the row 2·oh - 1 + kh of x.
func im2colGo(col, x []float32, g Window, n0 int) {
	small, hw, sw := g.Small(), g.H*g.W, g.Ho*g.Wo
	for c := 0; c < g.C; c++ {
		for kh := 0; kh < 3; kh++ {
			base := (c*9 + kh*3) * small
			r0 := col[base : base+small]
			r1 := col[base+small : base+2*small]
			r2 := col[base+2*small : base+3*small]
			for n := n0; n < g.N; n++ {
				img := x[(c*g.N+n)*hw : (c*g.N+n+1)*hw]
				for oh := 0; oh < g.Ho; oh++ {
					o := n*sw + oh*g.Wo
					d0 := r0[o : o+g.Wo]
					d1, d2 := r1[o:o+g.Wo], r2[o:o+g.Wo]
					ih := 2*oh - 1 + kh
					if ih < 0 || ih >= g.H {
						clear(d0)
						clear(d1)
						clear(d2)
						continue
					}
					rowTaps(d0, d1, d2, img[ih*g.W:(ih+1)*g.W])
				}
			}
		}
	}
}

// rowTaps sets d0[ow], d1[ow], d2[ow] to src[2·ow - 1], src[2·ow],
// src[2·ow + 1], or 0 where that column is outside src.
func rowTaps(d0, d1, d2, src []float32) {
	wo := len(d0)
	d1, d2 = d1[:wo], d2[:wo]
	full := min(wo, len(src)/2) // ow < full: 2·ow + 1 < len(src)
	ow := 0
	if full > 0 {
		d0[0], d1[0], d2[0] = 0, src[0], src[1]
		e0, e1, e2 := d0[1:full], d1[1:full], d2[1:full]
		e1, e2 = e1[:len(e0)], e2[:len(e0)]
		s := src[1 : 2*full]
		for t := range e0 {
			// ow = t + 1 reads columns 2t + 1, 2t + 2, 2t + 3 of src = s[2t:2t+3]
			v := (*[3]float32)(s[2*t:])
			e0[t], e1[t], e2[t] = v[0], v[1], v[2]
		}
		ow = full
	}
	for ; ow < wo; ow++ {
		d0[ow], d1[ow], d2[ow] = tapAt(src, 2*ow-1), tapAt(src, 2*ow), tapAt(src, 2*ow+1)
	}
}

// tapAt is src[i], or 0 outside src.
func tapAt(src []float32, i int) float32 {
	if i < 0 || i >= len(src) {
		return 0
	}
	return src[i]
}

// col2imGo is Col2imAdd as a gather: each row ih of the large grid adds the
// small rows whose windows cover it (kh = 1 at oh = ih/2 for even ih; kh = 2
// at (ih-1)/2 and kh = 0 at (ih+1)/2 for odd ih), all three column taps in
// one pass.
func col2imGo(x, col []float32, g Window) {
	small, hw, sw := g.Small(), g.H*g.W, g.Ho*g.Wo
	for c := 0; c < g.C; c++ {
		for n := 0; n < g.N; n++ {
			img := x[(c*g.N+n)*hw : (c*g.N+n+1)*hw]
			// the three column rows of kernel row kh, small row oh, image n
			// start at col[at(kh, oh)], col[at(kh, oh) + small], …
			at := (c*9)*small + n*sw
			for ih := 0; ih < g.H; ih++ {
				dst := img[ih*g.W : (ih+1)*g.W]
				if ih%2 == 0 {
					if oh := ih / 2; oh < g.Ho {
						addTaps(dst, col, at+3*small+oh*g.Wo, small, g.Wo)
					}
					continue
				}
				if oh := (ih - 1) / 2; oh < g.Ho {
					addTaps(dst, col, at+6*small+oh*g.Wo, small, g.Wo)
				}
				if oh := (ih + 1) / 2; oh < g.Ho {
					addTaps(dst, col, at+oh*g.Wo, small, g.Wo)
				}
			}
		}
	}
}

// addTaps adds r0, r1, r2 (the taps kw = 0, 1, 2 of one small row of wo:
// col[o:], col[o+small:], col[o+2·small:]) onto the large row dst:
// dst[2·ow - 1 + kw] += r_kw[ow] inside dst. Even columns take one tap, odd
// columns two.
func addTaps(dst, col []float32, o, small, wo int) {
	r0, r1, r2 := col[o:o+wo], col[o+small:o+small+wo], col[o+2*small:o+2*small+wo]
	full := min(wo-1, len(dst)/2) // b < full: 2b + 1 < len(dst) and b + 1 < wo
	b := 0
	if full > 0 {
		d := dst[:2*full]
		e1, e2, e0 := r1[:full], r2[:full], r0[1:full+1]
		e2, e0 = e2[:len(e1)], e0[:len(e1)]
		for t := range e1 {
			v := (*[2]float32)(d[2*t:])
			v[0] += e1[t]
			v[1] += e2[t] + e0[t]
		}
		b = full
	}
	for ; b < wo; b++ {
		if i := 2 * b; i < len(dst) {
			dst[i] += r1[b]
		}
		if i := 2*b + 1; i < len(dst) {
			v := r2[b]
			if b+1 < wo {
				v += r0[b+1]
			}
			dst[i] += v
		}
	}
}
