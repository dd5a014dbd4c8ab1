package viz

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Palette is the tab10 palette (matplotlib's default): ten colours that stay
// distinguishable, used for digit labels 0..9 and for line series in order.
var Palette = [10]color.RGBA{
	{0x1f, 0x77, 0xb4, 0xff}, // blue
	{0xff, 0x7f, 0x0e, 0xff}, // orange
	{0x2c, 0xa0, 0x2c, 0xff}, // green
	{0xd6, 0x27, 0x28, 0xff}, // red
	{0x94, 0x67, 0xbd, 0xff}, // purple
	{0x8c, 0x56, 0x4b, 0xff}, // brown
	{0xe3, 0x77, 0xc2, 0xff}, // pink
	{0x7f, 0x7f, 0x7f, 0xff}, // gray
	{0xbc, 0xbd, 0x22, 0xff}, // olive
	{0x17, 0xbe, 0xcf, 0xff}, // cyan
}

// dpi of the plots: fonts in points come out at 4/3 pixels per point.
const dpi = 96

// Default sizes in pixels when a width or height of 0 is passed.
const (
	DefaultScatterSize = 800
	DefaultLinesWidth  = 900
	DefaultLinesHeight = 500
)

const (
	pointRadius  = 1.2 // points: small enough for 10,000 points
	legendRadius = 4   // points: legend markers must be visible
	margin       = 8   // points of white around a figure
)

// size resolves 0 to a default and rejects negative sizes.
func size(w, h, dw, dh int) (int, int, error) {
	if w < 0 || h < 0 {
		return 0, 0, fmt.Errorf("viz: negative image size %d×%d", w, h)
	}
	if w == 0 {
		w = dw
	}
	if h == 0 {
		h = dh
	}
	return w, h, nil
}

// render draws onto a white width×height canvas and writes it to path as a
// PNG, atomically.
func render(path string, width, height int, paint func(dc draw.Canvas)) error {
	c := vgimg.NewWith(vgimg.UseImage(image.NewRGBA(image.Rect(0, 0, width, height))), vgimg.UseDPI(dpi))
	paint(draw.New(c))
	var buf bytes.Buffer
	if err := png.Encode(&buf, c.Image()); err != nil {
		return fmt.Errorf("viz: encode %s: %w", path, err)
	}
	return writeAtomic(path, buf.Bytes())
}

// Text sizes of the plots in points (4/3 pixels each at 96 dpi).
const (
	titlePoints    = 14
	labelPoints    = 12 // axis labels
	tickPoints     = 11 // tick labels and legend entries
	suptitlePoints = 15 // the common title of LinesPanels
	legendPoints   = tickPoints
)

// newPlot returns a plot with latent's common style: Go fonts, and both axes
// numbered by Ticks.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = titlePoints
	p.Title.Padding = 6
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = labelPoints
		a.Tick.Label.Font.Size = tickPoints
		a.Tick.Marker = Ticks{}
	}
	p.Add(&plotter.Grid{
		Vertical:   draw.LineStyle{Color: color.Gray{0xe4}, Width: vg.Points(0.5)},
		Horizontal: draw.LineStyle{Color: color.Gray{0xe4}, Width: vg.Points(0.5)},
	})
	return p
}

// drawWithLegend draws p in dc and leg in a strip on the right of dc, so
// the legend never hides data. It returns nothing; leg.Left and leg.Top are
// set so the entries read top-down, icons first.
func drawWithLegend(dc draw.Canvas, p *plot.Plot, leg plot.Legend) {
	leg.Top, leg.Left = true, true
	r := leg.Rectangle(dc)
	legW := r.Max.X - r.Min.X + 2*margin
	pc := dc
	pc.Max.X -= legW
	p.Draw(pc)

	lc := dc
	lc.Min.X = pc.Max.X + margin
	// line the legend's top up with the top of the data area
	if p.Title.Text != "" {
		lc.Max.Y -= p.Title.TextStyle.Height(p.Title.Text) + p.Title.Padding
	}
	leg.Draw(lc)
}

// dot is a legend thumbnail: a filled circle.
type dot struct{ c color.Color }

func (d dot) Thumbnail(c *draw.Canvas) {
	ctr := c.Center()
	c.DrawGlyphNoClip(draw.GlyphStyle{Color: d.c, Radius: vg.Points(legendRadius), Shape: draw.CircleGlyph{}}, ctr)
}

// labelledPoints draws points in input order (so no digit's colour is
// painted over all others), each coloured by its label.
type labelledPoints struct {
	xy     []float64
	labels []uint8
}

func (s *labelledPoints) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	var sty [10]draw.GlyphStyle
	for i := range sty {
		sty[i] = draw.GlyphStyle{Color: Palette[i], Radius: vg.Points(pointRadius), Shape: draw.CircleGlyph{}}
	}
	for i, l := range s.labels {
		c.DrawGlyph(sty[l%10], vg.Point{X: trX(s.xy[2*i]), Y: trY(s.xy[2*i+1])})
	}
}

func (s *labelledPoints) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = s.xy[0], s.xy[1]
	xmax, ymax = xmin, ymin
	for i := 0; i < len(s.xy); i += 2 {
		xmin, xmax = min(xmin, s.xy[i]), max(xmax, s.xy[i])
		ymin, ymax = min(ymin, s.xy[i+1]), max(ymax, s.xy[i+1])
	}
	return
}

// GlyphBoxes keeps points on the plot's edge inside the axes.
func (s *labelledPoints) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	r := vg.Points(pointRadius)
	box := vg.Rectangle{Min: vg.Point{X: -r, Y: -r}, Max: vg.Point{X: r, Y: r}}
	xmin, xmax, ymin, ymax := s.DataRange()
	var b []plot.GlyphBox
	for _, pt := range [][2]float64{{xmin, ymin}, {xmax, ymax}} {
		b = append(b, plot.GlyphBox{X: p.X.Norm(pt[0]), Y: p.Y.Norm(pt[1]), Rectangle: box})
	}
	return b
}

// Scatter draws a 2-D scatter of points (xy is row-major n×2) coloured by
// label with the tab10 palette, a legend of the labels present ("0".."9")
// to the right of the axes, and title on top; it writes a PNG of
// width×height pixels (800×800 where 0) to path, atomically. Points are
// drawn in input order with a 1.2 pt radius, which suits 10,000 points.
// Mismatched lengths, no points and non-finite coordinates are errors.
func Scatter(path string, xy []float64, labels []uint8, title string, width, height int) error {
	if len(labels) == 0 {
		return errors.New("viz: scatter of no points")
	}
	if len(xy) != 2*len(labels) {
		return fmt.Errorf("viz: scatter: %d coordinates for %d labels, want %d", len(xy), len(labels), 2*len(labels))
	}
	for i, v := range xy {
		if !finite(v) {
			return fmt.Errorf("viz: scatter: point %d has a non-finite coordinate %v", i/2, v)
		}
	}
	w, h, err := size(width, height, DefaultScatterSize, DefaultScatterSize)
	if err != nil {
		return err
	}
	p := newPlot(title, "", "")
	p.Add(&labelledPoints{xy: xy, labels: labels})

	var present [256]bool
	for _, l := range labels {
		present[l] = true
	}
	leg := plot.NewLegend()
	leg.TextStyle.Font.Size = legendPoints
	leg.Padding = vg.Points(2.5)
	for l, ok := range present {
		if ok {
			leg.Add(fmt.Sprint(l), dot{Palette[l%10]})
		}
	}
	return render(path, w, h, func(dc draw.Canvas) {
		drawWithLegend(draw.Crop(dc, margin, -margin, margin, -margin), p, leg)
	})
}

// Series is one named curve of a line plot; Y has one value per x.
type Series struct {
	Name string
	Y    []float64
}

// Panel is one set of axes of LinesPanels.
type Panel struct {
	Title, XLabel, YLabel string
	X                     []float64
	Series                []Series
	XTicks                []plot.Tick // fixed x-axis ticks and their labels (nil: automatic)
}

// lineStyle returns the colour and dashes of the i-th distinct series name.
func lineStyle(i int) draw.LineStyle {
	ls := draw.LineStyle{Color: Palette[i%10], Width: vg.Points(1.6)}
	if i >= 10 {
		ls.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	}
	return ls
}

func checkPanel(pn Panel) error {
	if len(pn.X) == 0 {
		return fmt.Errorf("viz: lines %q: no x values", pn.Title)
	}
	if len(pn.Series) == 0 {
		return fmt.Errorf("viz: lines %q: no series", pn.Title)
	}

	for _, s := range pn.Series {
		if len(s.Y) != len(pn.X) {
			return fmt.Errorf("viz: lines %q: series %q has %d values for %d x values", pn.Title, s.Name, len(s.Y), len(pn.X))
		}
	}
	return nil
}

// linePlot builds the plot of one panel; names maps a series name to its
// style index, shared by all panels of a figure.
func linePlot(pn Panel, names []string) *plot.Plot {
	p := newPlot(pn.Title, pn.XLabel, pn.YLabel)
	if pn.XTicks != nil {
		p.X.Tick.Marker = plot.ConstantTicks(pn.XTicks)
	}
	for _, s := range pn.Series {
		var pts plotter.XYs
		for i, y := range s.Y {
			if finite(pn.X[i]) && finite(y) { // gaps (NaN) are skipped
				pts = append(pts, plotter.XY{X: pn.X[i], Y: y})
			}
		}
		if len(pts) == 0 {
			continue
		}
		ls := lineStyle(slices.Index(names, s.Name))
		l, err := plotter.NewLine(pts)
		if err != nil { // cannot happen: the points are finite
			continue
		}
		l.LineStyle = ls
		p.Add(l)
		if len(pts) <= 40 { // few epochs: mark each one
			sc, err := plotter.NewScatter(pts)
			if err == nil {
				sc.GlyphStyle = draw.GlyphStyle{Color: ls.Color, Radius: vg.Points(2.2), Shape: draw.CircleGlyph{}}
				p.Add(sc)
			}
		}
	}
	if pn.XTicks == nil && integers(pn.X) { // epochs: no 2.5
		p.X.Tick.Marker = Ticks{Integer: true}
	}
	return p
}

// integers reports whether every finite x is a whole number.
func integers(x []float64) bool {
	for _, v := range x {
		if finite(v) && v != math.Trunc(v) {
			return false
		}
	}
	return true
}

// legendOf lists the distinct series names in order of first appearance and
// the legend that shows them.
func legendOf(panels []Panel) ([]string, plot.Legend) {
	var names []string
	for _, pn := range panels {
		for _, s := range pn.Series {
			if !slices.Contains(names, s.Name) {
				names = append(names, s.Name)
			}
		}
	}
	leg := plot.NewLegend()
	leg.TextStyle.Font.Size = legendPoints
	leg.ThumbnailWidth = vg.Points(24)
	leg.Padding = vg.Points(2)
	for i, n := range names {
		ls := lineStyle(i)
		l := &plotter.Line{LineStyle: ls}
		leg.Add(n, l)
	}
	return names, leg
}

// Lines draws one or more named series against x (e.g. epochs) with axis
// labels, a title and a legend to the right of the axes, and writes a PNG of
// width×height pixels (900×500 where 0) to path, atomically. Non-finite
// values are left out of their line. No x values, no series, or a series
// whose length differs from len(x) are errors.
func Lines(path string, title, xLabel, yLabel string, x []float64, series []Series, width, height int) error {
	pn := Panel{Title: title, XLabel: xLabel, YLabel: yLabel, X: x, Series: series}
	if err := checkPanel(pn); err != nil {
		return err
	}
	w, h, err := size(width, height, DefaultLinesWidth, DefaultLinesHeight)
	if err != nil {
		return err
	}
	names, leg := legendOf([]Panel{pn})
	p := linePlot(pn, names)
	return render(path, w, h, func(dc draw.Canvas) {
		drawWithLegend(draw.Crop(dc, margin, -margin, margin, -margin), p, leg)
	})
}

// LinesPanels draws several line plots side by side in one PNG (e.g. loss,
// reconstruction and KL) under a common title, with one legend on the right:
// a series name has the same colour in every panel. width 0 means 450 pixels
// per panel, height 0 means 450.
func LinesPanels(path, title string, panels []Panel, width, height int) error {
	if len(panels) == 0 {
		return errors.New("viz: lines panels: no panels")
	}
	for _, pn := range panels {
		if err := checkPanel(pn); err != nil {
			return err
		}
	}
	w, h, err := size(width, height, 450*len(panels), 450)
	if err != nil {
		return err
	}
	names, leg := legendOf(panels)
	plots := make([]*plot.Plot, len(panels))
	for i, pn := range panels {
		plots[i] = linePlot(pn, names)
	}
	return render(path, w, h, func(dc draw.Canvas) {
		dc = draw.Crop(dc, margin, -margin, margin, -margin)
		if title != "" {
			sty := plot.New().Title.TextStyle
			sty.Font.Size = suptitlePoints
			sty.XAlign = draw.XCenter
			sty.YAlign = draw.YTop
			dc.FillText(sty, vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: dc.Max.Y}, title)
			dc.Max.Y -= sty.Height(title) + 8
		}
		leg.Top, leg.Left = true, true
		r := leg.Rectangle(dc)
		legW := r.Max.X - r.Min.X + 2*margin
		pc := dc
		pc.Max.X -= legW
		tiles := draw.Tiles{Rows: 1, Cols: len(panels), PadX: vg.Points(14)}
		for i, p := range plots {
			p.Draw(tiles.At(pc, i, 0))
		}
		lc := dc
		lc.Min.X = pc.Max.X + margin
		if t := plots[0].Title; t.Text != "" {
			lc.Max.Y -= t.TextStyle.Height(t.Text) + t.Padding
		}
		leg.Draw(lc)
	})
}
