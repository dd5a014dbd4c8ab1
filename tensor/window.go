package tensor

// Window describes the 3×3, stride-2, padding-1 windows that join a large grid
// H×W to a small grid Ho×Wo, for C channels over N images. A Conv2d maps the
// large grid to the small one (Ho = (H-1)/2 + 1); a ConvTranspose2d maps the
// small grid back to the large one (H = 2·Ho - 1 + output_padding). Both use the
// same gather (Im2col) and its adjoint scatter (Col2imAdd).
//
// Small-grid pixel (oh, ow) sees large-grid pixel (2·oh-1+kh, 2·ow-1+kw) through
// kernel tap (kh, kw); taps that fall outside the large grid read zero.
type Window struct {
	C, N   int // channels, images
	H, W   int // large grid
	Ho, Wo int // small grid
}

// ColRows is the number of rows of the column matrix: C·9.
func (g Window) ColRows() int { return g.C * 9 }

// Small is the length of one column-matrix row: N·Ho·Wo.
func (g Window) Small() int { return g.N * g.Ho * g.Wo }

// Large is the length of one channel of the large grid: N·H·W.
func (g Window) Large() int { return g.N * g.H * g.W }

// inside returns the range [lo, hi) of small-grid indices o whose tap k lands
// inside a large grid of size n: 0 ≤ 2·o - 1 + k < n.
func inside(k, small, n int) (lo, hi int) {
	if k == 0 {
		lo = 1
	}
	hi = min(small, (n-k+2)/2)
	return lo, max(hi, lo)
}

// Im2col gathers the windows of x into col.
// x is [C][N·H·W]; col is [C·9][N·Ho·Wo], row (c·9 + kh·3 + kw).
func Im2col(col, x []float32, g Window) {
	small := g.Small()
	_ = col[g.ColRows()*small-1]
	_ = x[g.C*g.Large()-1]
	switch {
	case rowsFit(g):
		im2colRows(col, x, g)
	default:
		im2colGo(col, x, g)
	}
}

// im2colRef is the simple Im2col (one pass per tap and small row): the twin
// of im2colGo.
func im2colRef(col, x []float32, g Window) {
	small := g.Small()
	for c := 0; c < g.C; c++ {
		for kh := 0; kh < 3; kh++ {
			ohLo, ohHi := inside(kh, g.Ho, g.H)
			for kw := 0; kw < 3; kw++ {
				owLo, owHi := inside(kw, g.Wo, g.W)
				row := col[(c*9+kh*3+kw)*small : (c*9+kh*3+kw+1)*small]
				for n := range g.N {
					// image n of channel c of x, and its rows of col
					img := x[(c*g.N+n)*g.H*g.W : (c*g.N+n+1)*g.H*g.W]
					out := row[n*g.Ho*g.Wo : (n+1)*g.Ho*g.Wo]
					clear(out[:ohLo*g.Wo])
					clear(out[ohHi*g.Wo:])
					for oh := ohLo; oh < ohHi; oh++ {
						dst := out[oh*g.Wo : (oh+1)*g.Wo]
						ih := 2*oh - 1 + kh
						// src[t] is large-grid column 2·(owLo+t) - 1 + kw
						src := img[ih*g.W+2*owLo-1+kw : (ih+1)*g.W]
						dst[0], dst[len(dst)-1] = 0, 0
						for t := range owHi - owLo {
							dst[owLo+t] = src[2*t]
						}
					}
				}
			}
		}
	}
}

// Col2imAdd scatters col back onto the large grid, adding: the adjoint of Im2col.
// col is [C·9][N·Ho·Wo]; x is [C][N·H·W] and is accumulated into.
func Col2imAdd(x, col []float32, g Window) {
	small := g.Small()
	_ = col[g.ColRows()*small-1]
	_ = x[g.C*g.Large()-1]
	col2imGo(x, col, g)
}

// col2imRef is the simple Col2imAdd (one scatter pass per tap and small
// row): the twin of col2imGo.
func col2imRef(x, col []float32, g Window) {
	small := g.Small()
	for c := 0; c < g.C; c++ {
		for kh := 0; kh < 3; kh++ {
			ohLo, ohHi := inside(kh, g.Ho, g.H)
			for kw := 0; kw < 3; kw++ {
				owLo, owHi := inside(kw, g.Wo, g.W)
				row := col[(c*9+kh*3+kw)*small : (c*9+kh*3+kw+1)*small]
				for n := range g.N {
					img := x[(c*g.N+n)*g.H*g.W : (c*g.N+n+1)*g.H*g.W]
					in := row[n*g.Ho*g.Wo : (n+1)*g.Ho*g.Wo]
					for oh := ohLo; oh < ohHi; oh++ {
						src := in[oh*g.Wo+owLo : oh*g.Wo+owHi]
						ih := 2*oh - 1 + kh
						dst := img[ih*g.W+2*owLo-1+kw : (ih+1)*g.W]
						for t, v := range src {
							dst[2*t] += v
						}
					}
				}
			}
		}
	}
}
