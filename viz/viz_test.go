package viz

import (
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func fill(n int, v float32) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = v
	}
	return s
}

func TestGray(t *testing.T) {
	for _, tc := range []struct {
		x    float32
		want uint8
	}{
		{-1, 0}, {1, 255}, {0, 128}, {-2, 0}, {3, 255}, {float32(math.NaN()), 0}, {-0.5, 64},
	} {
		if got := Gray(tc.x); got != tc.want {
			t.Errorf("Gray(%v) = %d, want %d", tc.x, got, tc.want)
		}
	}
}

func TestGridSize(t *testing.T) {
	// the text style Grid uses for cells of the given side, and its title's
	text := func(cell int) textStyle { return newTextStyle(TextPixels(cell)) }
	title := func(cell int) textStyle { return newTextStyle(titleScale * TextPixels(cell)) }
	t10, t28, tt28, tt2 := text(10), text(28), title(28), title(2)
	for _, tc := range []struct {
		name       string
		n, side    int
		opt        GridOptions
		wantW, wan int
	}{
		{"one cell", 1, 28, GridOptions{}, 28, 28},
		{"row of 3 scaled", 3, 28, GridOptions{Cols: 3, Scale: 2, Gap: 1}, 3*56 + 4, 56 + 2},
		{"wraps", 7, 4, GridOptions{Cols: 3, Scale: 1, Gap: 2}, 3*4 + 4*2, 3*4 + 4*2},
		{"default cols 10", 25, 2, GridOptions{}, 20, 6},
		{"negative gap", 4, 5, GridOptions{Cols: 2, Gap: -3}, 10, 10},
		{"captions", 4, 10, GridOptions{Cols: 2, Gap: 1, Captions: []string{"1", "", "", ""}}, 23, 2*(10+t10.height+t10.pad) + 3},
		{"empty captions add nothing", 4, 10, GridOptions{Cols: 2, Gap: 1, Captions: []string{"", ""}}, 23, 23},
		{"row titles", 2, 28, GridOptions{Cols: 1, RowTitles: []string{"AE", "input"}}, 28 + t28.width("input") + 2*t28.pad, 56},
		{"title", 2, 28, GridOptions{Cols: 2, Title: "x"}, 56, 28 + tt28.height + 2*tt28.pad},
		{"long title widens", 1, 2, GridOptions{Title: "abcdef"}, tt2.width("abcdef") + 2*tt2.pad, 2 + tt2.height + 2*tt2.pad},
		{"col labels", 4, 3, GridOptions{Cols: 2, ColLabels: []string{"a", "b"}}, 6, 6 + text(3).height + text(3).pad},
		{"font size given", 1, 28, GridOptions{Captions: []string{"7"}, FontSize: 30}, 28, 28 + newTextStyle(30).height + newTextStyle(30).pad},
		{"no images", 0, 28, GridOptions{}, 28, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, h := GridSize(tc.n, tc.side, tc.opt)
			if w != tc.wantW || h != tc.wan {
				t.Errorf("GridSize = %d×%d, want %d×%d", w, h, tc.wantW, tc.wan)
			}
			imgs := make([][]float32, tc.n)
			img := Grid(imgs, tc.side, tc.opt)
			b := img.Bounds()
			if b.Dx() != max(tc.wantW, 1) || b.Dy() != max(tc.wan, 1) { // never an empty image
				t.Errorf("Grid image is %v, want %d×%d", b, tc.wantW, tc.wan)
			}
		})
	}
}

func TestGridPixels(t *testing.T) {
	const side = 4
	for _, tc := range []struct {
		name string
		opt  GridOptions
	}{
		{"plain", GridOptions{Cols: 2, Scale: 1, Gap: 1}},
		{"scaled", GridOptions{Cols: 2, Scale: 3, Gap: 2}},
		{"no gap", GridOptions{Cols: 2, Scale: 2}},
		{"all text", GridOptions{Cols: 2, Scale: 3, Gap: 2, Captions: []string{"0", "1", "2", "3"}, RowTitles: []string{"input", "VAE"}, Title: "T", ColLabels: []string{"a", "b"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// black, white / gray, half-and-half
			half := fill(side*side, -1)
			for i := range side * side / 2 {
				half[i] = 1 // top half white
			}
			imgs := [][]float32{fill(side*side, -1), fill(side*side, 1), fill(side*side, 0), half}
			img := Grid(imgs, side, tc.opt)
			l := layoutGrid(len(imgs), side, tc.opt)
			scale := max(tc.opt.Scale, 1)
			for i, im := range imgs {
				o := l.cellOrigin(i)
				for y := range side * scale {
					for x := range side * scale {
						want := Gray(im[(y/scale)*side+x/scale])
						got := img.RGBAAt(o.X+x, o.Y+y)
						if got != (color.RGBA{want, want, want, 255}) {
							t.Fatalf("cell %d pixel (%d,%d) = %v, want gray %d", i, x, y, got, want)
						}
					}
				}
				// the pixel just left of each cell is background when there is a gap
				if tc.opt.Gap > 0 {
					if got := img.RGBAAt(o.X-1, o.Y); got != gridBackground {
						t.Errorf("cell %d: gap pixel = %v, want background", i, got)
					}
				}
			}
			if tc.opt.Gap > 0 && tc.opt.Title == "" {
				if got := img.RGBAAt(0, 0); got != gridBackground {
					t.Errorf("corner = %v, want background", got)
				}
			}
		})
	}
}

func TestGridPlacement(t *testing.T) {
	// cell 4 of a 3-column grid sits in row 1, column 1
	opt := GridOptions{Cols: 3, Scale: 2, Gap: 3}
	imgs := make([][]float32, 6)
	for i := range imgs {
		imgs[i] = fill(9, -1)
	}
	imgs[4] = fill(9, 1)
	img := Grid(imgs, 3, opt)
	cell := 6
	x0, y0 := 3+1*(cell+3), 3+1*(cell+3)
	white := color.RGBA{255, 255, 255, 255}
	black := color.RGBA{0, 0, 0, 255}
	for y := range img.Bounds().Dy() {
		for x := range img.Bounds().Dx() {
			in4 := x >= x0 && x < x0+cell && y >= y0 && y < y0+cell
			inCell := (x-3)%(cell+3) < cell && (y-3)%(cell+3) < cell && x >= 3 && y >= 3 && x < img.Bounds().Dx()-3 && y < img.Bounds().Dy()-3
			got := img.RGBAAt(x, y)
			switch {
			case in4 && got != white:
				t.Fatalf("(%d,%d) in the white cell = %v", x, y, got)
			case inCell && !in4 && got != black:
				t.Fatalf("(%d,%d) in a black cell = %v", x, y, got)
			case !inCell && got != gridBackground:
				t.Fatalf("(%d,%d) in a gap = %v", x, y, got)
			}
		}
	}
}

func TestGridTextDoesNotPanic(t *testing.T) {
	imgs := [][]float32{fill(784, 0), nil, fill(10, 1), fill(900, -1)}
	for _, opt := range []GridOptions{
		{Captions: nil, RowTitles: nil},
		{Cols: 2, Captions: []string{"7"}, RowTitles: []string{"a", "b", "c", "extra"}},
		{Cols: 4, Captions: []string{"a very long caption that overflows", "", "x", "y", "z"}, Title: "a title wider than everything else"},
		{Cols: 3, RowTitles: []string{"", "second"}, ColLabels: []string{"-2", "0", "2", "4"}},
	} {
		img := Grid(imgs, 28, opt)
		if img.Bounds().Empty() {
			t.Errorf("%+v: empty image", opt)
		}
	}
	// text actually draws something dark in the caption band
	opt := GridOptions{Cols: 1, Gap: 2, Scale: 2, Captions: []string{"8"}}
	img := Grid([][]float32{fill(784, -1)}, 28, opt)
	l := layoutGrid(1, 28, opt)
	o := l.cellOrigin(0)
	dark := 0
	for y := o.Y + l.cell; y < o.Y+l.cell+l.capH; y++ {
		for x := o.X; x < o.X+l.cell; x++ {
			if img.RGBAAt(x, y).R < 128 {
				dark++
			}
		}
	}
	if dark == 0 {
		t.Error("caption drew no dark pixel")
	}
}

func TestManifold(t *testing.T) {
	imgs := make([][]float32, 6)
	for i := range imgs {
		imgs[i] = fill(4, float32(i%2)*2-1)
	}
	img := Manifold(imgs, 2, 2, 3, ManifoldOptions{Scale: 2})
	if b := img.Bounds(); b.Dx() != 12 || b.Dy() != 8 {
		t.Fatalf("size %v, want 12×8", b)
	}
	// cells touch: (4,0) is the first pixel of cell 1 (white), (3,0) the last of cell 0 (black)
	if img.RGBAAt(3, 0).R != 0 || img.RGBAAt(4, 0).R != 255 {
		t.Errorf("cells are not edge to edge: %v %v", img.RGBAAt(3, 0), img.RGBAAt(4, 0))
	}
	ticks := Manifold(imgs[:4], 2, 2, 3, ManifoldOptions{Scale: 2, XTicks: []string{"-1", "0", "1"}, YTicks: []string{"1", "-1"}, Title: "z"})
	if b := ticks.Bounds(); b.Dx() <= 12 || b.Dy() <= 8 {
		t.Errorf("ticks did not add margins: %v", b)
	}
}

func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

func noTemps(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestSavePNG(t *testing.T) {
	dir := t.TempDir()
	img := Grid([][]float32{fill(784, 1)}, 28, GridOptions{Scale: 2, Gap: 1})
	p := filepath.Join(dir, "grid.png")
	for range 2 { // the second write replaces the first
		if err := SavePNG(p, img); err != nil {
			t.Fatal(err)
		}
	}
	got := decodePNG(t, p)
	if got.Bounds() != img.Bounds() {
		t.Errorf("decoded %v, want %v", got.Bounds(), img.Bounds())
	}
	if r, _, _, _ := got.At(10, 10).RGBA(); r != 0xffff {
		t.Errorf("pixel (10,10) red = %#x, want white", r)
	}
	noTemps(t, dir)

	missing := filepath.Join(dir, "no", "such", "folder", "x.png")
	err := SavePNG(missing, img)
	if err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("SavePNG into a missing folder: err = %v, want one naming %s", err, missing)
	}
}

// blobs returns n points in each of 10 Gaussian blobs on a circle.
func blobs(n int, seed uint64) ([]float64, []uint8) {
	rng := rand.New(rand.NewPCG(seed, 1))
	xy := make([]float64, 0, 20*n)
	labels := make([]uint8, 0, 10*n)
	for i := range 10 * n {
		l := uint8(rng.IntN(10))
		a := 2 * math.Pi * float64(l) / 10
		xy = append(xy, 30*math.Cos(a)+4*rng.NormFloat64(), 30*math.Sin(a)+4*rng.NormFloat64())
		labels = append(labels, l)
		_ = i
	}
	return xy, labels
}

func curves(n int) ([]float64, []Series) {
	x := make([]float64, n)
	tr, va, kl := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		e := float64(i + 1)
		x[i] = e
		tr[i] = 0.02 + 0.3*math.Exp(-e/2)
		va[i] = 0.025 + 0.28*math.Exp(-e/2.5)
		kl[i] = 0.1 - 0.06*math.Exp(-e/3)
	}
	return x, []Series{{"train", tr}, {"validation", va}, {"KL", kl}}
}

func TestScatter(t *testing.T) {
	dir := t.TempDir()
	xy, labels := blobs(50, 1)
	for _, tc := range []struct {
		name         string
		w, h         int
		wantW, wantH int
	}{
		{"default", 0, 0, DefaultScatterSize, DefaultScatterSize},
		{"sized", 640, 480, 640, 480},
		{"one dimension default", 300, 0, 300, DefaultScatterSize},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name+".png")
			if err := Scatter(p, xy, labels, "blobs", tc.w, tc.h); err != nil {
				t.Fatal(err)
			}
			b := decodePNG(t, p).Bounds()
			if b.Dx() != tc.wantW || b.Dy() != tc.wantH {
				t.Errorf("size %v, want %d×%d", b, tc.wantW, tc.wantH)
			}
		})
	}
	// a single point and a single label still draw
	if err := Scatter(filepath.Join(dir, "one.png"), []float64{1, 2}, []uint8{3}, "", 200, 200); err != nil {
		t.Error(err)
	}
	noTemps(t, dir)
}

func TestScatterErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name   string
		xy     []float64
		labels []uint8
		w, h   int
		want   string
	}{
		{"empty", nil, nil, 0, 0, "no points"},
		{"short xy", []float64{1, 2, 3}, []uint8{1, 2}, 0, 0, "3 coordinates for 2 labels"},
		{"long xy", []float64{1, 2, 3, 4}, []uint8{1}, 0, 0, "4 coordinates for 1 labels"},
		{"labels without xy", nil, []uint8{1}, 0, 0, "0 coordinates"},
		{"NaN", []float64{1, math.NaN()}, []uint8{1}, 0, 0, "non-finite"},
		{"Inf", []float64{math.Inf(1), 0}, []uint8{1}, 0, 0, "non-finite"},
		{"negative size", []float64{1, 2}, []uint8{1}, -1, 10, "negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, "s.png")
			err := Scatter(p, tc.xy, tc.labels, "t", tc.w, tc.h)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
			if _, err := os.Stat(p); !os.IsNotExist(err) {
				t.Errorf("a file was written: %v", err)
			}
		})
	}
}

func TestLines(t *testing.T) {
	dir := t.TempDir()
	x, series := curves(10)
	withNaN := append([]Series{}, series...)
	withNaN = append(withNaN, Series{"gappy", []float64{1, math.NaN(), 0.5, 0.4, math.Inf(1), 0.3, 0.2, 0.1, 0.1, 0.1}},
		Series{"all NaN", fill64(10, math.NaN())})
	for _, tc := range []struct {
		name         string
		x            []float64
		series       []Series
		w, h         int
		wantW, wantH int
	}{
		{"default", x, series, 0, 0, DefaultLinesWidth, DefaultLinesHeight},
		{"sized", x, series[:1], 400, 300, 400, 300},
		{"one epoch", x[:1], []Series{{"a", []float64{1}}}, 300, 200, 300, 200},
		{"NaN gaps", x, withNaN, 600, 400, 600, 400},
		{"many series", x, manySeries(x, 12), 700, 500, 700, 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name+".png")
			if err := Lines(p, "loss", "epoch", "MSE", tc.x, tc.series, tc.w, tc.h); err != nil {
				t.Fatal(err)
			}
			b := decodePNG(t, p).Bounds()
			if b.Dx() != tc.wantW || b.Dy() != tc.wantH {
				t.Errorf("size %v, want %d×%d", b, tc.wantW, tc.wantH)
			}
		})
	}
	p := filepath.Join(dir, "panels.png")
	panels := []Panel{
		{Title: "loss", XLabel: "epoch", YLabel: "per image", X: x, Series: series[:2]},
		{Title: "KL", XLabel: "epoch", X: x, Series: series[2:]},
	}
	if err := LinesPanels(p, "VAE", panels, 0, 0); err != nil {
		t.Fatal(err)
	}

	if b := decodePNG(t, p).Bounds(); b.Dx() != 900 || b.Dy() != 450 {
		t.Errorf("panels size %v, want 900×450", b)
	}
	noTemps(t, dir)
}

func fill64(n int, v float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = v
	}
	return s
}

func manySeries(x []float64, k int) []Series {
	s := make([]Series, k)
	for i := range s {
		s[i].Name = string(rune('a' + i))
		s[i].Y = make([]float64, len(x))
		for j := range x {
			s[i].Y[j] = float64(i) + math.Sin(x[j])
		}
	}
	return s
}

func TestLinesErrors(t *testing.T) {
	dir := t.TempDir()
	x, series := curves(5)
	for _, tc := range []struct {
		name   string
		x      []float64
		series []Series
		w      int
		want   string
	}{
		{"no x", nil, series, 0, "no x values"},
		{"no series", x, nil, 0, "no series"},
		{"short series", x, []Series{series[0], {"short", []float64{1, 2}}}, 0, `"short" has 2 values for 5`},
		{"long series", x[:3], series, 0, "has 5 values for 3"},
		{"negative size", x, series, -5, "negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, "l.png")
			err := Lines(p, "t", "x", "y", tc.x, tc.series, tc.w, 0)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
			if _, err := os.Stat(p); !os.IsNotExist(err) {
				t.Errorf("a file was written: %v", err)
			}
		})
	}
	if err := LinesPanels(filepath.Join(dir, "p.png"), "t", nil, 0, 0); err == nil {
		t.Error("LinesPanels with no panels: no error")
	}
	if err := LinesPanels(filepath.Join(dir, "p.png"), "t", []Panel{{X: x, Series: series}, {X: x[:2], Series: series}}, 0, 0); err == nil {
		t.Error("LinesPanels with a bad panel: no error")
	}
	missing := filepath.Join(dir, "missing", "l.png")
	if err := Lines(missing, "t", "x", "y", x, series, 0, 0); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("Lines into a missing folder: err = %v", err)
	}
}

// synthetic returns a 28×28 digit-like stroke: a ring, a bar or a diagonal.
func synthetic(k int) []float32 {
	im := fill(28*28, -1)
	for y := range 28 {
		for x := range 28 {
			dx, dy := float64(x)-13.5, float64(y)-13.5
			var d float64
			switch k % 3 {
			case 0:
				d = math.Abs(math.Hypot(dx, dy*0.8) - 8)
			case 1:
				d = math.Abs(dx - float64(k%5-2))
				if math.Abs(dy) > 10 {
					d = 99
				}
			case 2:
				d = math.Abs(dx+dy) / math.Sqrt2
				if math.Abs(dx-dy) > 18 {
					d = 99
				}
			}
			im[y*28+x] = float32(max(-1, 1-d))
		}
	}
	return im
}

// TestVisual writes sample figures into $VIZ_OUT for a person to look at.
func TestVisual(t *testing.T) {
	out := os.Getenv("VIZ_OUT")
	if out == "" {
		t.Skip("set VIZ_OUT to a folder to write sample figures")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	var imgs [][]float32
	var caps []string
	for i := range 20 {
		imgs = append(imgs, synthetic(i))
		caps = append(caps, string(rune('0'+i%10)))
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(SavePNG(filepath.Join(out, "grid.png"), Grid(imgs, 28, GridOptions{Cols: 10, Scale: 3, Gap: 2, Captions: caps})))
	must(SavePNG(filepath.Join(out, "rows.png"), Grid(imgs[:15], 28, GridOptions{Cols: 5, Scale: 3, Gap: 2, RowTitles: []string{"input", "AE", "VAE"}, Title: "reconstructions"})))
	must(SavePNG(filepath.Join(out, "manifold.png"), Manifold(imgs[:16], 28, 4, 4, ManifoldOptions{Scale: 2, XTicks: []string{"-1.6", "-0.5", "0.5", "1.6"}, YTicks: []string{"1.6", "0.5", "-0.5", "-1.6"}, Title: "2-D manifold"})))
	xy, labels := blobs(1000, 7)
	must(Scatter(filepath.Join(out, "scatter.png"), xy, labels, "t-SNE of VAE test codes (10-NN accuracy 0.943)", 900, 800))
	x, series := curves(20)
	must(Lines(filepath.Join(out, "lines.png"), "VAE loss per epoch", "epoch", "per image", x, series, 900, 500))
	six := append(append([]Series{}, series[:2]...), manySeries(x, 4)...)
	for i, n := range []string{"train reconstruction", "train KL", "validation reconstruction", "validation KL"} {
		six[2+i].Name = n
	}
	must(Lines(filepath.Join(out, "lines6.png"), "VAE loss per epoch", "epoch", "per image", x, six, 900, 500))
	must(LinesPanels(filepath.Join(out, "panels.png"), "VAE training", []Panel{
		{Title: "loss", XLabel: "epoch", YLabel: "per image", X: x, Series: series[:2]},
		{Title: "reconstruction", XLabel: "epoch", X: x, Series: series[:2]},
		{Title: "KL", XLabel: "epoch", X: x, Series: series[2:]},
	}, 1200, 400))

}
