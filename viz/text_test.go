package viz

import (
	"fmt"
	"image"
	"image/color"
	"testing"

	xdraw "golang.org/x/image/draw"
)

// captionInk returns the bounding box of the dark pixels (gray < 160) in
// rect of img.
func captionInk(img image.Image, rect image.Rectangle) image.Rectangle {
	var box image.Rectangle
	for y := rect.Min.Y; y < rect.Max.Y; y++ {
		for x := rect.Min.X; x < rect.Max.X; x++ {
			if color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y < 160 {
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return box
}

// oneCaption draws one white cell of scale×28 pixels with caption s under it
// and returns the image and the caption band.
func oneCaption(s string, scale int) (*image.RGBA, image.Rectangle) {
	opt := GridOptions{Cols: 1, Scale: scale, Gap: 2, Captions: []string{s}}
	img := Grid([][]float32{fill(784, 1)}, 28, opt)
	l := layoutGrid(1, 28, opt)
	o := l.cellOrigin(0)
	return img, image.Rect(o.X, o.Y+l.cell, o.X+l.cell, o.Y+l.cell+l.capH)
}

func TestGridTextIsAntialiased(t *testing.T) {
	img, band := oneCaption("8", 3)
	levels := map[uint8]bool{}
	for y := band.Min.Y; y < band.Max.Y; y++ {
		for x := band.Min.X; x < band.Max.X; x++ {
			levels[img.RGBAAt(x, y).G] = true
		}
	}
	// a bitmap font has two levels, ink and paper; smooth edges have many
	if len(levels) < 8 {
		t.Errorf("the caption has %d gray levels, want the many of anti-aliased text", len(levels))
	}
}

func TestGridTextScalesWithCell(t *testing.T) {
	for scale := 1; scale <= 5; scale++ {
		img, band := oneCaption("0", scale)
		cell := 28 * scale
		ink := captionInk(img, band)
		// a digit's height is ~0.7 of the font size: about a fifth of the
		// cell, and never below the 9 px a small screen needs
		if h := ink.Dy(); float64(h) < 0.18*float64(cell) || h < 9 {
			t.Errorf("scale %d: the caption is %d px tall under a %d px cell, want at least %.0f and 9", scale, h, cell, 0.18*float64(cell))
		}
		if ink.Dy() > band.Dy() || !ink.In(band) {
			t.Errorf("scale %d: the caption's ink %v leaves its band %v", scale, ink, band)
		}
	}
}

// closedOnTheRight reports whether the middle row of glyph's ink has dark
// pixels at both sides with paper between: true for "0" and "O", false
// for "C", which is what a broken-up "0" reads as.
func closedOnTheRight(img image.Image, band image.Rectangle) bool {
	ink := captionInk(img, band)
	if ink.Dx() < 3 {
		return false
	}
	y := (ink.Min.Y + ink.Max.Y) / 2
	dark := func(x int) bool { return color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y < 160 }
	q := max(ink.Dx()/4, 1)
	left, right, paper := false, false, false
	for x := ink.Min.X; x < ink.Max.X; x++ {
		switch {
		case dark(x) && x < ink.Min.X+q:
			left = true
		case dark(x) && x >= ink.Max.X-q:
			right = true
		case !dark(x) && left && !right:
			paper = true
		}
	}
	return left && right && paper
}

// TestZeroReadsAsZeroWhenShownSmaller draws the digit grid's caption "0" and
// scales the figure down as a browser does when the report's column is
// narrower than the figure (nearest neighbour, as with CSS "pixelated", and
// smooth): the "0" must stay closed, not read as "C".
func TestZeroReadsAsZeroWhenShownSmaller(t *testing.T) {
	shrink := func(img *image.RGBA, band image.Rectangle, f float64, k xdraw.Interpolator) (image.Image, image.Rectangle) {
		b := img.Bounds()
		dst := image.NewRGBA(image.Rect(0, 0, int(float64(b.Dx())*f), int(float64(b.Dy())*f)))
		k.Scale(dst, dst.Bounds(), img, b, xdraw.Src, nil)
		sc := func(v int) int { return int(float64(v) * f) }
		return dst, image.Rect(sc(band.Min.X), sc(band.Min.Y), sc(band.Max.X), sc(band.Max.Y))
	}
	for _, scale := range []int{2, 3} {
		for _, k := range []struct {
			name string
			k    xdraw.Interpolator
		}{{"nearest", xdraw.NearestNeighbor}, {"bilinear", xdraw.ApproxBiLinear}, {"catmull-rom", xdraw.CatmullRom}} {
			for _, f := range []float64{1, 0.85, 0.73, 0.6} {
				if k.name == "nearest" && f < 0.7 {
					continue // drops every other pixel row of any thin stroke: the report scales smoothly
				}
				t.Run(fmt.Sprintf("scale %d %s %.2f", scale, k.name, f), func(t *testing.T) {
					img, band := oneCaption("0", scale)
					small, sband := shrink(img, band, f, k.k)
					if !closedOnTheRight(small, sband) {
						t.Errorf("the caption \"0\" is open on the right: it reads as \"C\"")
					}
					// the check can fail: a "C" is open
					imgC, bandC := oneCaption("C", scale)
					if smallC, sbandC := shrink(imgC, bandC, f, k.k); closedOnTheRight(smallC, sbandC) {
						t.Errorf("a \"C\" passes as closed: the check cannot fail")
					}
				})
			}
		}
	}
}

func TestTextPixels(t *testing.T) {
	prev := 0.0
	for cell := 0; cell <= 400; cell += 7 {
		px := TextPixels(cell)
		if px < minTextPx || px > maxTextPx || px < prev {
			t.Fatalf("TextPixels(%d) = %v after %v: want a non-decreasing size in [%d, %d]", cell, px, prev, minTextPx, maxTextPx)
		}
		prev = px
	}
	// odd sizes do not break the layout
	for _, px := range []float64{-3, 0.2, 1e9} {
		img := Grid([][]float32{fill(784, 0)}, 28, GridOptions{Captions: []string{"7"}, Title: "t", FontSize: px})
		if img.Bounds().Empty() {
			t.Errorf("FontSize %v: empty image", px)
		}
	}
}
