package tensor

// The fast pure-Go windows. Scalar code reads a stride-2 row as cheaply as a
// contiguous one, so the cost of Im2col and Col2imAdd is their loop overhead
// on rows of only 4, 7 or 14 floats. Im2col therefore splits each channel's
// large grid once into its four parity classes (one loop per pair of rows),
// which are the column matrix's unshifted taps, and makes the other five taps
// as whole-plane shifted copies of them (a memmove and a few zeros);
// Col2imAdd's gather serves a large row's three column taps in one pass.
// Their twins are im2colRef and col2imRef (window.go).

// im2colGo is Im2col: per channel, the parity classes of x into the rows
// (1,1) (1,2) (2,1) (2,2) of its nine, then the shifted taps: kh = 0 reads
// class row a-1 and kw = 0 class column b-1 (0 off the grid).
func im2colGo(col, x []float32, g Window) {
	small, large := g.Small(), g.Large()
	for c := range g.C {
		rows := col[c*9*small : (c+1)*9*small]
		row := func(tap int) []float32 { return rows[tap*small : (tap+1)*small] }
		splitGo(row(4), row(5), row(7), row(8), x[c*large:(c+1)*large], g)
		shiftBack(row(0), row(8), g.Ho, g.Wo, 1, 1)
		shiftBack(row(1), row(7), g.Ho, g.Wo, 1, 0)
		shiftBack(row(2), row(8), g.Ho, g.Wo, 1, 0)
		shiftBack(row(3), row(5), g.Ho, g.Wo, 0, 1)
		shiftBack(row(6), row(8), g.Ho, g.Wo, 0, 1)
	}
}

// splitGo writes the parity classes of one channel x [N·H·W] onto the small
// grid [N·Ho·Wo]: p[r][s] at (n, a, b) is x at (n, 2a+r, 2b+s), 0 outside x.
// Each pair of large rows fills a row of all four classes in one loop.
func splitGo(p00, p01, p10, p11, x []float32, g Window) {
	hw, sw := g.H*g.W, g.Ho*g.Wo
	rows := min(g.Ho, g.H/2) // a < rows: rows 2a and 2a+1 are inside x
	cols := min(g.Wo, g.W/2) // b < cols: columns 2b and 2b+1 are inside x
	for n := range g.N {
		img := x[n*hw : (n+1)*hw]
		for a := range rows {
			o := n*sw + a*g.Wo
			e0, e1, e2, e3 := p00[o:o+g.Wo], p01[o:o+g.Wo], p10[o:o+g.Wo], p11[o:o+g.Wo]
			r0 := img[2*a*g.W : (2*a+1)*g.W]
			r1 := img[(2*a+1)*g.W : (2*a+2)*g.W]
			splitPair(e0[:cols], e1[:cols], e2[:cols], e3[:cols], r0[:2*cols], r1[:2*cols])
			for b := cols; b < g.Wo; b++ { // columns past the large grid's edge
				e0[b], e1[b] = tapAt(r0, 2*b), tapAt(r0, 2*b+1)
				e2[b], e3[b] = tapAt(r1, 2*b), tapAt(r1, 2*b+1)
			}
		}
		for a := rows; a < g.Ho; a++ { // rows past the large grid's edge
			o := n*sw + a*g.Wo
			splitRow(p00[o:o+g.Wo], p01[o:o+g.Wo], img, 2*a, g.W)
			splitRow(p10[o:o+g.Wo], p11[o:o+g.Wo], img, 2*a+1, g.W)
		}
	}
}

// splitPair sets e0[b], e1[b], e2[b], e3[b] to r0[2b], r0[2b+1], r1[2b],
// r1[2b+1] (len(r0) = len(r1) = 2·len(e0)). Its own function, so that the
// loop keeps its slices in registers.
func splitPair(e0, e1, e2, e3, r0, r1 []float32) {
	e1, e2, e3 = e1[:len(e0)], e2[:len(e0)], e3[:len(e0)]
	r0, r1 = r0[:2*len(e0)], r1[:2*len(e0)]
	for b := range e0 {
		e0[b], e1[b] = r0[2*b], r0[2*b+1]
		e2[b], e3[b] = r1[2*b], r1[2*b+1]
	}
}

// splitRow deinterleaves row ih of img (rows of w) into e and d, or clears
// them when img has no such row.
func splitRow(e, d, img []float32, ih, w int) {
	if (ih+1)*w > len(img) {
		clear(e)
		clear(d)
		return
	}
	deinterleave(e, d, img[ih*w:(ih+1)*w])
}

// deinterleave sets e[b] = src[2b] and d[b] = src[2b+1], 0 past src.
func deinterleave(e, d, src []float32) {
	d = d[:len(e)]
	full := min(len(e), len(src)/2) // b < full: 2b + 1 < len(src)
	s := src[:2*full]
	for b := range e[:full] {
		v := (*[2]float32)(s[2*b:])
		e[b], d[b] = v[0], v[1]
	}
	for b := full; b < len(e); b++ {
		e[b], d[b] = tapAt(src, 2*b), tapAt(src, 2*b+1)
	}
}

// shiftBack sets dst[q] = src[q - dh·wo - dw] over images of ho×wo (dh, dw
// in {0, 1}): pixel (a, b) reads (a-dh, b-dw), 0 where that is off the grid.
func shiftBack(dst, src []float32, ho, wo, dh, dw int) {
	dst = dst[:len(src)]
	if d := dh*wo + dw; d < len(src) {
		copy(dst[d:], src[:len(src)-d])
	}
	if dh == 1 {
		for o := 0; o < len(dst); o += ho * wo {
			clear(dst[o : o+wo])
		}
	}
	if dw == 1 {
		for o := 0; o < len(dst); o += wo {
			dst[o] = 0
		}
	}
}

// shiftFwd sets dst[i] = src[q + dh·wo + dw] for the pixels q = j0 + i
// (images of ho×wo; dh, dw in {0, 1}): pixel (a, b) reads (a+dh, b+dw), 0
// where that is off the grid. dst covers a range of columns of src's grid.
func shiftFwd(dst, src []float32, j0, ho, wo, dh, dw int) {
	n, d := len(dst), dh*wo+dw
	lo, hi := min(j0+d, len(src)), min(j0+n+d, len(src))
	m := copy(dst, src[lo:hi])
	clear(dst[m:])
	if dw == 1 { // b = wo-1
		for q := j0 + (wo-1-j0%wo)%wo; q < j0+n; q += wo {
			dst[q-j0] = 0
		}
	}
	if dh == 1 { // a = ho-1: the last row of each image
		hw := ho * wo
		for base := j0 / hw * hw; base < j0+n; base += hw {
			if lo, hi := max(base+(ho-1)*wo, j0), min(base+hw, j0+n); lo < hi {
				clear(dst[lo-j0 : hi-j0])
			}
		}
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
