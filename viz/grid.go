// Package viz draws latent's figures as PNG files: digit grids with the
// standard image packages, and scatter and line plots with gonum/plot.
package viz

import (
	"image"
	"image/color"
	"image/draw"
	"math"
)

// GridOptions controls how Grid lays out images.
//
// The zero value is usable: Cols <= 0 means min(len(images), 10), Scale <= 0
// means 1 and a negative Gap means 0. Gap is also the margin around the
// whole grid, so Gap 0 packs the cells edge to edge with no border.
type GridOptions struct {
	// Cols is the number of cells per row.
	Cols int
	// Scale magnifies each pixel to Scale×Scale pixels (nearest neighbour).
	Scale int
	// Gap is the number of background pixels between cells and around the grid.
	Gap int
	// Captions, if not nil, are drawn under each cell (index i under image i);
	// missing or empty entries draw nothing.
	Captions []string
	// RowTitles, if not nil, are drawn to the left of each row.
	RowTitles []string
	// ColLabels, if not nil, are drawn once under each column, below the
	// last row (tick labels for Manifold).
	ColLabels []string
	// Title, if not empty, is drawn centred above the grid.
	Title string
	// FontSize is the size of the text in pixels; 0 means TextPixels of the
	// cell (Scale times the image side), so text keeps its proportion to
	// the digits when the figure is shown scaled. The title is 1.2 times
	// larger.
	FontSize float64
}

// Colours of the grid's frame and text. Cells themselves are black where a
// pixel is -1 and white where it is +1.
var (
	gridBackground = color.RGBA{255, 255, 255, 255}
	gridText       = color.RGBA{0, 0, 0, 255}
)

// titleScale is the title's font size relative to the other text.
const titleScale = 1.2

// gridLayout is the geometry of one Grid call; every position is in pixels.
type gridLayout struct {
	n, cols, rows int
	cell          int // side*scale
	gap           int
	left          int // width of the row-title column (0 without titles)
	top           int // height of the title band (0 without a title)
	capH          int // height of each caption band (0 without captions)
	bottom        int // height of the column-label band (0 without)
	w, h          int
	text, title   textStyle
}

func anyText(ss []string) bool {
	for _, s := range ss {
		if s != "" {
			return true
		}
	}
	return false
}

func layoutGrid(n, side int, opt GridOptions) gridLayout {
	l := gridLayout{n: n}
	l.cols = opt.Cols
	if l.cols <= 0 {
		l.cols = min(n, 10)
	}
	if l.cols <= 0 {
		l.cols = 1
	}
	l.rows = (n + l.cols - 1) / l.cols
	scale := max(opt.Scale, 1)
	l.cell = max(side, 0) * scale
	l.gap = max(opt.Gap, 0)
	px := opt.FontSize
	if px == 0 {
		px = TextPixels(l.cell)
	}
	l.text, l.title = newTextStyle(px), newTextStyle(titleScale*px)
	t := l.text
	if anyText(opt.RowTitles) {
		for i, s := range opt.RowTitles {
			if i < l.rows {
				l.left = max(l.left, t.width(s))
			}
		}
		l.left += 2 * t.pad
	}
	if opt.Title != "" {
		l.top = l.title.height + 2*l.title.pad
	}
	if anyText(opt.Captions) {
		l.capH = t.height + t.pad
	}
	if anyText(opt.ColLabels) {
		l.bottom = t.height + t.pad
	}
	l.w = l.left + l.cols*l.cell + (l.cols+1)*l.gap
	l.h = l.top + l.rows*(l.cell+l.capH) + (l.rows+1)*l.gap + l.bottom
	if opt.Title != "" {
		l.w = max(l.w, l.title.width(opt.Title)+2*l.title.pad)
	}
	return l
}

// cellOrigin is the top-left pixel of cell i.
func (l gridLayout) cellOrigin(i int) image.Point {
	r, c := i/l.cols, i%l.cols
	return image.Point{
		X: l.left + l.gap + c*(l.cell+l.gap),
		Y: l.top + l.gap + r*(l.cell+l.capH+l.gap),
	}
}

// GridSize returns the width and height in pixels of the image that Grid
// draws for n images of side×side pixels with opt.
func GridSize(n, side int, opt GridOptions) (w, h int) {
	l := layoutGrid(n, side, opt)
	return l.w, l.h
}

// Gray maps a pixel in the models' scale [-1, 1] to an 8-bit gray level:
// -1 is black, +1 white; values outside are clamped and NaN is black.
func Gray(x float32) uint8 {
	v := (float64(x) + 1) / 2
	if !(v > 0) { // also NaN
		v = 0
	}
	if v > 1 {
		v = 1
	}
	return uint8(v*255 + 0.5)
}

// Grid lays out images (each side×side, row-major float32 in [-1,1]) in rows
// of opt.Cols, with opt.Gap pixels between cells, each digit scaled up by the
// integer factor opt.Scale (nearest neighbour). Captions are drawn under each
// cell, row titles to the left of each row, column labels under the last row
// and the title on top, all anti-aliased in Go Regular (opt.FontSize) on a
// white background.
// An image shorter than side*side is padded with black; extra values are
// ignored; a nil image is an all-black cell.
func Grid(images [][]float32, side int, opt GridOptions) *image.RGBA {
	l := layoutGrid(len(images), side, opt)
	img := image.NewRGBA(image.Rect(0, 0, max(l.w, 1), max(l.h, 1)))
	draw.Draw(img, img.Bounds(), image.NewUniform(gridBackground), image.Point{}, draw.Src)
	scale := max(opt.Scale, 1)
	if side < 0 {
		side = 0
	}
	t := l.text
	for i, im := range images {
		o := l.cellOrigin(i)
		for y := range side {
			for x := range side {
				g := uint8(0)
				if k := y*side + x; k < len(im) {
					g = Gray(im[k])
				}
				fillSquare(img, o.X+x*scale, o.Y+y*scale, scale, color.RGBA{g, g, g, 255})
			}
		}
		if i < len(opt.Captions) && opt.Captions[i] != "" {
			// centred under the cell, inside the caption band
			s := opt.Captions[i]
			t.draw(img, s, o.X+(l.cell-t.width(s))/2, o.Y+l.cell+t.pad/2, gridText)
		}
	}
	for r := 0; r < l.rows && r < len(opt.RowTitles); r++ {
		s := opt.RowTitles[r]
		if s == "" {
			continue
		}
		o := l.cellOrigin(r * l.cols)
		// right-aligned against the grid, centred on the cell
		t.draw(img, s, l.left-t.pad-t.width(s), o.Y+(l.cell-t.height)/2, gridText)
	}
	if l.bottom > 0 {
		// the band follows the last row, inside the outer margin
		y := l.h - l.gap - l.bottom + t.pad/2
		for c := 0; c < l.cols && c < len(opt.ColLabels); c++ {
			s := opt.ColLabels[c]
			o := l.cellOrigin(c)
			t.draw(img, s, o.X+(l.cell-t.width(s))/2, y, gridText)
		}
	}
	if opt.Title != "" {
		l.title.draw(img, opt.Title, (l.w-l.title.width(opt.Title))/2, l.title.pad, gridText)
	}
	return img
}

func fillSquare(img *image.RGBA, x0, y0, s int, c color.RGBA) {
	for y := y0; y < y0+s; y++ {
		off := img.PixOffset(x0, y)
		for x := 0; x < s; x++ {
			img.Pix[off+0], img.Pix[off+1], img.Pix[off+2], img.Pix[off+3] = c.R, c.G, c.B, c.A
			off += 4
		}
	}
}

// ManifoldOptions controls Manifold.
type ManifoldOptions struct {
	// Scale magnifies each pixel (default 1).
	Scale int
	// XTicks, if not nil, label the columns (under the last row); YTicks
	// label the rows (to their left).
	XTicks, YTicks []string
	// Title, if not empty, is drawn above the manifold.
	Title string
}

// Manifold arranges the decoded images of a rows×cols grid of latent points
// (row-major) as one image without gaps, with optional tick labels. It is Grid
// with Gap 0; images beyond rows*cols are ignored and missing ones are black.
func Manifold(images [][]float32, side, rows, cols int, opt ManifoldOptions) *image.RGBA {
	cells := make([][]float32, max(rows*cols, 0))
	copy(cells, images)
	return Grid(cells, side, GridOptions{
		Cols:      cols,
		Scale:     opt.Scale,
		RowTitles: opt.YTicks,
		ColLabels: opt.XTicks,
		Title:     opt.Title,
	})
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
