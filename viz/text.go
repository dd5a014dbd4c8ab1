package viz

import (
	"image"
	"image/color"
	"math"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	plotfont "gonum.org/v1/plot/font"

	"gonum.org/v1/plot"
)

// Every figure's text is set in the Go fonts (golang.org/x/image/font/gofont):
// the digit grids draw it anti-aliased through x/image/font/opentype, and the
// plots use the same typeface through gonum/plot's font cache.

// goRegular is the parsed Go Regular font; parsing the embedded TTF cannot
// fail, so an error is a broken build.
var goRegular = sync.OnceValue(func() *opentype.Font {
	f, err := opentype.Parse(goregular.TTF)
	if err != nil {
		panic("viz: the embedded Go Regular font does not parse: " + err.Error())
	}
	return f
})

func init() {
	var coll plotfont.Collection
	for _, f := range []struct {
		font plotfont.Font
		ttf  []byte
	}{
		{plotfont.Font{Typeface: "Go"}, goregular.TTF},
		{plotfont.Font{Typeface: "Go", Weight: font.WeightBold}, gobold.TTF},
		{plotfont.Font{Typeface: "Go", Style: font.StyleItalic}, goitalic.TTF},
	} {
		face, err := opentype.Parse(f.ttf)
		if err != nil {
			panic("viz: an embedded Go font does not parse: " + err.Error())
		}
		coll = append(coll, plotfont.Face{Font: f.font, Face: face})
	}
	plotfont.DefaultCache.Add(coll)
	plot.DefaultFont = plotfont.Font{Typeface: "Go"}
}

// Text sizes of the digit grids, in pixels: relative to the cell so that a
// figure shown smaller than its pixel size (a report column, a phone) keeps
// its labels in proportion with the digits they name.
const (
	textPerCell = 0.3 // font size (em height) per cell side
	minTextPx   = 13  // never smaller than this, however small the cells
	maxTextPx   = 48
)

// TextPixels is the font size in pixels that Grid uses for cells of cell×cell
// pixels when GridOptions.FontSize is 0.
func TextPixels(cell int) float64 {
	return math.Min(maxTextPx, math.Max(minTextPx, math.Round(textPerCell*float64(cell))))
}

// textStyle is one font face at one size with its metrics in whole pixels.
// A face keeps glyph buffers, so each Grid call makes its own.
type textStyle struct {
	face   font.Face
	ascent int // baseline to the top of the tallest glyph
	height int // ascent + descent: the height of a line of text
	pad    int // pixels around a line of text
}

func newTextStyle(px float64) textStyle {
	px = min(max(px, 1), 4*maxTextPx)                                                                             // NaN becomes 1
	face, _ := opentype.NewFace(goRegular(), &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingFull}) // never fails
	m := face.Metrics()
	return textStyle{
		face:   face,
		ascent: m.Ascent.Ceil(),
		height: m.Ascent.Ceil() + m.Descent.Ceil(),
		pad:    max(2, int(math.Round(px/4))),
	}
}

func (t textStyle) width(s string) int { return font.MeasureString(t.face, s).Ceil() }

// draw draws s anti-aliased with its top-left corner at (x, y); the image
// clips it.
func (t textStyle) draw(img *image.RGBA, s string, x, y int, c color.Color) {
	d := font.Drawer{
		Dst:  img,
		Src:  image.NewUniform(c),
		Face: t.face,
		Dot:  fixed.P(x, y+t.ascent),
	}
	d.DrawString(s)
}
