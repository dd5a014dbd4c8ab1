// Package report turns trained models into the tutorial's pictures: PNG
// figures of the data, reconstructions, latent maps, samples, interpolations
// and training curves, and one self-contained report.html that tells the story.
package report

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strconv"

	"latent/mnist"
	"latent/model"
	"latent/train"
	"latent/tsne"
	"latent/viz"
)

// Figure is one PNG of the report.
type Figure struct {
	File    string // base name inside the output folder
	Title   string
	Caption string
}

// Inputs is everything the figures are drawn from.
type Inputs struct {
	Dir         string
	AE, VAE     *model.Model
	AEHistory   []train.Metrics
	VAEHistory  []train.Metrics
	Train, Test *mnist.Set
	Seed        uint64
	Threads     int
	// Progress, if not nil, hears about each figure as it starts.
	Progress func(figure string)
	// TSNE, if not nil, receives each t-SNE's 10-NN label accuracy and seconds.
	TSNE func(model string, knnAccuracy, seconds float64)
	// TSNEProgress, if not nil, hears the iterations of each t-SNE.
	TSNEProgress func(model string, iter, total int)
	// TSNEPoints limits the t-SNE maps to the first n test images (0: all 10,000).
	TSNEPoints int
	// ValImages is the number of held-out validation images, for the
	// training curves' caption (0: the caption gives no number).
	ValImages int
}

// scale is the largest number of pixels per image pixel in the digit
// grids; fitGrid lowers it until the grid fits DisplayWidth.
const scale = 3

// fitGrid draws cells with opt at the largest scale up to opt.Scale (at
// least 1) whose grid is no wider than DisplayWidth, so that report.html
// shows it at its own size, its text unscaled.
func fitGrid(cells [][]float32, opt viz.GridOptions) *image.RGBA {
	for opt.Scale > 1 {
		if w, _ := viz.GridSize(len(cells), model.Side, opt); w <= DisplayWidth {
			break
		}
		opt.Scale--
	}
	return viz.Grid(cells, model.Side, opt)
}

// codeShape describes the AE's code from its configuration: "8×4×4 = 128"
// for the seed, channels × the encoder's output grid.
func codeShape(m *model.Model) string {
	s := m.CodeShape()
	return fmt.Sprintf("%d×%d×%d = %d", s[0], s[1], s[2], m.CodeSize())
}

// codeWords says what the t-SNE maps of m's codes are made of.
func codeWords(m *model.Model) string {
	if m.IsVAE() {
		return fmt.Sprintf("the means mu (%d numbers)", m.Latent)
	}
	return fmt.Sprintf("the %d-number codes", m.CodeSize())
}

// images returns the normalised test images idx as [][]float32 rows and one
// flat buffer.
func images(set *mnist.Set, idx []int) ([][]float32, []float32) {
	flat := make([]float32, len(idx)*model.Pixels)
	set.Fill(flat, nil, idx)
	return Rows(flat, len(idx)), flat
}

// Rows cuts a flat [n][784] buffer into n images (sharing its memory).
func Rows(flat []float32, n int) [][]float32 {
	out := make([][]float32, n)
	for i := range out {
		out[i] = flat[i*model.Pixels : (i+1)*model.Pixels]
	}
	return out
}

func labelsOf(set *mnist.Set, idx []int) []string {
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = strconv.Itoa(int(set.Labels[j]))
	}
	return out
}

// Draw writes every figure into in.Dir and returns them in story order.
func Draw(in Inputs) ([]Figure, error) {
	var figs []Figure
	step := func(f Figure, draw func(path string) error) error {
		if in.Progress != nil {
			in.Progress(f.Title)
		}
		if err := draw(filepath.Join(in.Dir, f.File)); err != nil {
			return fmt.Errorf("drawing %s: %w", f.File, err)
		}
		figs = append(figs, f)
		return nil
	}
	rng := rand.New(rand.NewPCG(in.Seed, 0xf16))

	// 1. the data
	trainIdx := mnist.Indices(64)
	trainImgs, _ := images(in.Train, trainIdx)
	if err := step(Figure{"data.png", "The data", fmt.Sprintf("%d training images with their labels, as the models see them: %d×%d pixels scaled to [-1, 1].", len(trainIdx), in.Train.Rows, in.Train.Cols)},
		func(p string) error {
			return viz.SavePNG(p, fitGrid(trainImgs, viz.GridOptions{Cols: 16, Scale: scale, Gap: 2, Captions: labelsOf(in.Train, trainIdx)}))
		}); err != nil {
		return nil, err
	}

	testIdx := mnist.Indices(16)
	testImgs, testFlat := images(in.Test, testIdx)
	nMap := in.Test.N
	if in.TSNEPoints > 0 {
		nMap = min(nMap, in.TSNEPoints)
	}
	for _, m := range []*model.Model{in.AE, in.VAE} {
		if m == nil {
			continue
		}
		name := upper(m.Kind)
		// 2 and 5. reconstructions
		caption := fmt.Sprintf("Top: test images the AE never saw. Bottom: its reconstructions through the %s-number code.", codeShape(m))
		if m.IsVAE() {
			caption = fmt.Sprintf("Top: test images. Bottom: the VAE's reconstructions from z = mu (%d numbers): blurrier than the AE's, the price of a smooth latent space.", m.Latent)
		}
		rec := Rows(m.Reconstruct(testFlat, in.Test.Labels[:len(testIdx)], len(testIdx)), len(testIdx))
		if err := step(Figure{string(m.Kind) + "_reconstructions.png", name + " reconstructions", caption}, func(p string) error {
			return viz.SavePNG(p, fitGrid(append(append([][]float32{}, testImgs...), rec...),
				viz.GridOptions{Cols: len(testIdx), Scale: scale, Gap: 2, RowTitles: []string{"input", name}}))
		}); err != nil {
			return nil, err
		}

		// 3 and 6. t-SNE maps of the test codes
		what := codeWords(m)
		var acc, secs float64
		if err := step(Figure{string(m.Kind) + "_tsne.png", "t-SNE of the " + name + "'s latent space",
			fmt.Sprintf("%s test images placed by t-SNE from %s, coloured by their true digit. No labels were used in training: digits cluster because the code keeps what tells them apart.", thousands(nMap), what)},
			func(p string) error {
				codes := train.EncodeSet(m, in.Test, nMap, in.Threads)
				opt := tsne.DefaultOptions()
				opt.Seed, opt.Threads = in.Seed, in.Threads
				if in.TSNEProgress != nil {
					opt.Progress = func(iter, total int) { in.TSNEProgress(name, iter, total) }
				}
				xy, a, s, err := tsne.EmbedScored(codes, nMap, m.CodeDim(), in.Test.Labels[:nMap], opt)
				if err != nil {
					return err
				}
				acc, secs = a, s
				return viz.Scatter(p, xy, in.Test.Labels[:nMap], fmt.Sprintf("t-SNE of %s test codes (10-NN accuracy %.3f)", name, a), 900, 800)
			}); err != nil {
			return nil, err
		}
		if in.TSNE != nil {
			in.TSNE(name, acc, secs)
		}

		// 4 and 7. decoding random codes: noise for the AE, digits for the VAE
		f := Figure{"ae_random_codes.png", "An AE cannot generate",
			fmt.Sprintf("The AE's decoder fed random N(0, 1) codes of shape %s: noise, not digits. Nothing in its training asked the codes of real digits to fill any particular region, so a random point lands where no digit lives.", codeShape(m))}
		n, cols := 32, 16
		if m.IsVAE() {
			n, cols = 100, 10
			f = Figure{"vae_samples.png", "A VAE can",
				fmt.Sprintf("%d digits decoded from z ~ N(0, I). The KL term pulled the codes of real digits towards the standard normal, so random points land among them.", n)}
			if m.Prior != nil {
				f.Caption = fmt.Sprintf("%d digits decoded from z drawn from the model's learned prior, a %d-component Gaussian mixture fitted to where the encoder puts the training images (the aggregate posterior), instead of N(0, I).", n, m.Prior.K())
			}
		}
		z := normal(rng, n*m.CodeDim())
		if m.IsVAE() {
			m.SamplePrior(z, n, rng)
		}
		out := Rows(m.DecodeCodes(z, n), n)
		if err := step(f, func(p string) error {
			return viz.SavePNG(p, fitGrid(out, viz.GridOptions{Cols: cols, Scale: scale, Gap: 2}))
		}); err != nil {
			return nil, err
		}
	}

	// 8. interpolation
	if in.AE != nil && in.VAE != nil {
		pairs := [][2]int{{0, 1}, {2, 3}, {4, 5}, {6, 7}}
		var cells [][]float32
		var titles []string
		for _, pr := range pairs {
			for _, m := range []*model.Model{in.AE, in.VAE} {
				_, ends := images(in.Test, pr[:])
				cells = append(cells, Rows(m.Interpolate(ends, []uint8{in.Test.Labels[pr[0]], in.Test.Labels[pr[1]]}, -1, 10), 10)...)
				titles = append(titles, fmt.Sprintf("%s %d to %d", upper(m.Kind), in.Test.Labels[pr[0]], in.Test.Labels[pr[1]]))
			}
		}
		if err := step(Figure{"interpolation.png", "Walking between two digits",
			"Each pair of rows decodes 10 evenly spaced points on the straight line between the codes of two test digits, AE above VAE. The AE passes through shapes that are no digit; the VAE's path stays among digits, because its latent space is smooth."},
			func(p string) error {
				return viz.SavePNG(p, fitGrid(cells, viz.GridOptions{Cols: 10, Scale: scale, Gap: 2, RowTitles: titles}))
			}); err != nil {
			return nil, err
		}
	}

	// 9. training curves
	for _, h := range []struct {
		kind    model.Kind
		history []train.Metrics
	}{{model.AE, in.AEHistory}, {model.VAE, in.VAEHistory}} {
		if len(h.history) == 0 {
			continue
		}
		col := func(get func(train.Metrics) float64) []float64 {
			out := make([]float64, len(h.history))
			for i, m := range h.history {
				out[i] = get(m)
			}
			return out
		}
		x := col(func(m train.Metrics) float64 { return float64(m.Epoch) })
		name := upper(h.kind)
		val := "held-out validation images"
		if in.ValImages > 0 {
			val = fmt.Sprintf("%s %s", thousands(in.ValImages), val)
		}
		f := Figure{string(h.kind) + "_curves.png", name + " training curves",
			fmt.Sprintf("The AE's mean squared error per pixel on the training images and on the %s, after each epoch.", val)}
		draw := func(p string) error {
			return viz.Lines(p, "AE loss per epoch", "epoch", "MSE per pixel", x, []viz.Series{
				{Name: "train", Y: col(func(m train.Metrics) float64 { return m.TrainLoss })},
				{Name: "validation", Y: col(func(m train.Metrics) float64 { return m.ValLoss })}}, 900, 500)
		}
		if h.kind == model.VAE {
			f.Caption = "The VAE's loss per image (summed squared error + KL) and its two terms, on training and validation images. Reconstruction falls while the KL rises a little: the trade-off the KL weight β controls."
			pair := func(title string, tr, va func(train.Metrics) float64) viz.Panel {
				return viz.Panel{Title: title, XLabel: "epoch", YLabel: "per image", X: x,
					Series: []viz.Series{{Name: "train", Y: col(tr)}, {Name: "validation", Y: col(va)}}}
			}
			draw = func(p string) error {
				return viz.LinesPanels(p, "VAE loss per epoch", []viz.Panel{
					pair("loss", func(m train.Metrics) float64 { return m.TrainLoss }, func(m train.Metrics) float64 { return m.ValLoss }),
					pair("reconstruction", func(m train.Metrics) float64 { return m.TrainRec }, func(m train.Metrics) float64 { return m.ValRec }),
					pair("KL", func(m train.Metrics) float64 { return m.TrainKL }, func(m train.Metrics) float64 { return m.ValKL }),
				}, DisplayWidth, 420)
			}
		}
		if err := step(f, draw); err != nil {
			return nil, err
		}
	}

	// 10. a 2-D latent space can be drawn directly
	if in.VAE != nil && in.VAE.Latent == 2 {
		const side = 16 // at 2 pixels per pixel, 16 columns fit DisplayWidth
		if err := step(Figure{"vae_manifold.png", "The 2-D manifold",
			fmt.Sprintf("Decodes of a %d×%d grid of latent points at Gaussian quantiles (from 5 %% to 95 %% in each dimension): the whole generative model on one page.", side, side)},
			func(p string) error { return viz.SavePNG(p, Manifold(in.VAE, side)) }); err != nil {
			return nil, err
		}
		if err := step(Figure{"vae_mu_scatter.png", "The means, directly",
			"With two latent dimensions no t-SNE is needed: each test image's mu, coloured by digit."},
			func(p string) error {
				mu := train.EncodeSet(in.VAE, in.Test, nMap, in.Threads)
				xy := make([]float64, len(mu))
				for i, v := range mu {
					xy[i] = float64(v)
				}
				return viz.Scatter(p, xy, in.Test.Labels[:nMap], "VAE means mu of the test images", 900, 800)
			}); err != nil {
			return nil, err
		}
	}
	return figs, nil
}

// Manifold decodes a side×side grid of 2-D latent points at Gaussian
// quantiles (5 % to 95 %), z1 along the columns and z2 up the rows, with the
// z values as tick labels.
func Manifold(m *model.Model, side int) *image.RGBA {
	q := make([]float64, side)
	for i := range q {
		q[i] = normalQuantile(0.05 + 0.9*float64(i)/float64(side-1))
	}
	z := make([]float32, 0, side*side*2)
	var xt, yt []string
	for r := range side {
		yt = append(yt, fmt.Sprintf("%.1f", q[side-1-r])) // top row is high z2
		for c := range side {
			z = append(z, float32(q[c]), float32(q[side-1-r]))
		}
	}
	for c := range side {
		xt = append(xt, fmt.Sprintf("%.1f", q[c]))
	}
	return viz.Manifold(Rows(m.DecodeCodes(z, side*side), side*side), model.Side, side, side,
		viz.ManifoldOptions{Scale: 2, XTicks: xt, YTicks: yt, Title: "decoded latent grid: z1 along the columns, z2 up the rows"})
}

// thousands writes n with a comma between groups of three digits: 12,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func normal(rng *rand.Rand, n int) []float32 {
	z := make([]float32, n)
	for i := range z {
		z[i] = float32(rng.NormFloat64())
	}
	return z
}

func upper(k model.Kind) string {
	if k == model.AE {
		return "AE"
	}
	return "VAE"
}

// normalQuantile is the standard normal's inverse CDF.
func normalQuantile(p float64) float64 { return math.Sqrt2 * math.Erfinv(2*p-1) }
