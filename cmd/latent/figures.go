package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"

	"latent/internal/atomicfile"
	"latent/mnist"
	"latent/model"
	"latent/report"
	"latent/safetensors"
	"latent/tsne"
	"latent/viz"
)

// figureFlags are the flags of the single-figure verbs.
type figureFlags struct {
	data  dataFlags
	model string
	out   string
}

func (f *figureFlags) register(fs *flagSet, outHelp string) {
	f.data.register(fs)
	fs.StringVar(&f.model, "model", "", "checkpoint (required): a latent checkpoint or a PyTorch state_dict saved as safetensors")
	fs.StringVar(&f.out, "out", "", outHelp)
}

// check validates the flags, checks that out can be written with one of exts,
// and loads the model.
func (f *figureFlags) check(exts ...string) (*model.Model, error) {
	if err := f.data.validate(); err != nil {
		return nil, err
	}
	if f.model == "" {
		return nil, usagef("--model is required: the checkpoint file")
	}
	if f.out == "" {
		return nil, usagef("--out is required (%s)", strings.Join(exts, " or "))
	}
	ext := strings.ToLower(filepath.Ext(f.out))
	ok := false
	for _, e := range exts {
		ok = ok || ext == e
	}
	if !ok {
		return nil, usagef("--out %s: the file name must end in %s", f.out, strings.Join(exts, " or "))
	}
	if err := atomicfile.CheckWritable(filepath.Dir(f.out)); err != nil {
		return nil, err
	}
	m, _, err := model.Load(f.model)
	return m, err
}

// testSet loads the test images of --data (or the built-in MNIST).
func (f *figureFlags) testSet() (*mnist.Set, error) {
	_, test, err := f.data.load()
	return test, err
}

func runSample(args []string, stdout, _ io.Writer) error {
	fs := newFlags("sample", "Decode random codes: z from the VAE's prior (N(0, I), or the mixture stored in\nthe model file), N(0, 1) codes of shape 8×4×4 for an AE (noise: an AE cannot\ngenerate). A conditional VAE draws --digit (default: 0..9 in turn). Writes a PNG\ngrid, or a safetensors file with one tensor \"images\" [n,1,28,28] in the model's\n[-1, 1] scale (and \"labels\" [n] for a conditional VAE).",
		"latent sample --model runs/vae/model.safetensors -n 64 --out samples.png", stdout)
	var f figureFlags
	f.register(fs, "output file: .png (a grid) or .safetensors (the images)")
	n := fs.Int("n", 64, "number of samples")
	digit := fs.Int("digit", -1, "conditional VAE: the digit to draw, 0..9 (default: all ten in turn)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *n < 1 || *n > 100000 {
		return usagef("-n must be in 1..100000, got %d", *n)
	}
	m, err := f.check(".png", ".safetensors")
	if err != nil {
		return err
	}
	if *digit < -1 || *digit > 9 {
		return usagef("--digit must be in 0..9, got %d", *digit)
	}
	if *digit >= 0 && m.Cond() == 0 {
		return usagef("--digit needs a conditional VAE (latent train --model cvae); %s is a %s", f.model, m.Kind)
	}
	imgs, labels := sampleImages(m, *n, *digit, f.data.seed)
	if strings.EqualFold(filepath.Ext(f.out), ".safetensors") {
		ts := []safetensors.Tensor{{Name: "images", Shape: []int{*n, 1, model.Side, model.Side}, Data: imgs}}
		if labels != nil {
			l := make([]float32, *n)
			for i, y := range labels {
				l[i] = float32(y)
			}
			ts = append(ts, safetensors.Tensor{Name: "labels", Shape: []int{*n}, Data: l})
		}
		err = safetensors.WriteFile(f.out, ts,
			map[string]string{"latent.seed": strconv.FormatUint(f.data.seed, 10), "latent.model": f.model})
	} else {
		err = viz.SavePNG(f.out, viz.Grid(report.Rows(imgs, *n), model.Side, viz.GridOptions{Cols: gridCols(*n), Scale: 3, Gap: 2}))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d samples to %s\n", *n, f.out)
	return nil
}

func runReconstruct(args []string, stdout, _ io.Writer) error {
	fs := newFlags("reconstruct", "Show test images above their reconstructions (the VAE decodes z = mu). With a\n.safetensors output, write the tensors \"input\" and \"output\" [n,1,28,28] instead.",
		"latent reconstruct --model runs/ae/model.safetensors --out recon.png", stdout)
	var f figureFlags
	f.register(fs, "output file: .png (a figure) or .safetensors (the tensors)")
	n := fs.Int("n", 16, "number of test images, from --first")
	first := fs.Int("first", 0, "index of the first test image")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *n < 1 || *n > 1000 {
		return usagef("-n must be in 1..1000, got %d", *n)
	}
	m, err := f.check(".png", ".safetensors")
	if err != nil {
		return err
	}
	test, err := f.testSet()
	if err != nil {
		return err
	}
	if *first < 0 || *first+*n > test.N {
		return usagef("--first %d with -n %d is outside the %d test images", *first, *n, test.N)
	}
	idx := make([]int, *n)
	for i := range idx {
		idx[i] = *first + i
	}
	in := make([]float32, *n*model.Pixels)
	test.Fill(in, nil, idx)
	labels := make([]uint8, *n)
	test.Fill(in, labels, idx)
	out := m.Reconstruct(in, labels, *n)
	if strings.EqualFold(filepath.Ext(f.out), ".safetensors") {
		shape := []int{*n, 1, model.Side, model.Side}
		if err := safetensors.WriteFile(f.out, []safetensors.Tensor{{Name: "input", Shape: shape, Data: in}, {Name: "output", Shape: shape, Data: out}},
			map[string]string{"latent.model": f.model, "latent.first": strconv.Itoa(*first)}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %d inputs and reconstructions to %s\n", *n, f.out)
		return nil
	}
	cols := gridCols(*n)
	var cells [][]float32
	var titles []string
	for lo := 0; lo < *n; lo += cols {
		hi := min(lo+cols, *n)
		cells = append(cells, pad(report.Rows(in[lo*model.Pixels:hi*model.Pixels], hi-lo), cols)...)
		cells = append(cells, pad(report.Rows(out[lo*model.Pixels:hi*model.Pixels], hi-lo), cols)...)
		titles = append(titles, "input", strings.ToUpper(string(m.Kind)))
	}
	if err := viz.SavePNG(f.out, viz.Grid(cells, model.Side, viz.GridOptions{Cols: cols, Scale: 3, Gap: 2, RowTitles: titles})); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d reconstructions to %s\n", *n, f.out)
	return nil
}

func runInterpolate(args []string, stdout, _ io.Writer) error {
	fs := newFlags("interpolate", "Decode evenly spaced points on the line between the codes of two test images.",
		"latent interpolate --model runs/vae/model.safetensors --from 0 --to 1 --steps 10 --out interp.png", stdout)
	var f figureFlags
	f.register(fs, "output PNG")
	from := fs.Int("from", 0, "index of the first test image")
	to := fs.Int("to", 1, "index of the second test image")
	steps := fs.Int("steps", 10, "points on the line, ends included")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *steps < 2 || *steps > 200 {
		return usagef("--steps must be in 2..200, got %d", *steps)
	}
	m, err := f.check(".png")
	if err != nil {
		return err
	}
	test, err := f.testSet()
	if err != nil {
		return err
	}
	for _, i := range []int{*from, *to} {
		if i < 0 || i >= test.N {
			return usagef("test index %d is outside 0..%d", i, test.N-1)
		}
	}
	cells := report.Interpolate(m, test, *from, *to, *steps)
	if err := viz.SavePNG(f.out, viz.Grid(cells, model.Side, viz.GridOptions{Cols: *steps, Scale: 3, Gap: 2})); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote the interpolation from test image %d (a %d) to %d (a %d) to %s\n",
		*from, test.Labels[*from], *to, test.Labels[*to], f.out)
	return nil
}

func runTSNE(args []string, stdout, _ io.Writer) error {
	fs := newFlags("tsne", "Map the test set's codes (AE) or means (VAE) to 2-D with t-SNE and draw them\ncoloured by digit; optionally write the coordinates as CSV.",
		"latent tsne --model runs/vae/model.safetensors --out map.png --csv coords.csv", stdout)
	var f figureFlags
	f.register(fs, "output PNG")
	csv := fs.String("csv", "", "also write index,label,x,y rows to this CSV file")
	n := fs.Int("n", 10000, "number of test images to map, from the first")
	opt := tsne.DefaultOptions()
	fs.Float64Var(&opt.Perplexity, "perplexity", opt.Perplexity, "t-SNE perplexity (effective number of neighbours)")
	fs.IntVar(&opt.Iterations, "iterations", opt.Iterations, "gradient steps, the first 250 with early exaggeration")
	fs.Float64Var(&opt.Theta, "theta", opt.Theta, "Barnes-Hut accuracy: smaller is more exact and slower")
	if err := parse(fs, args); err != nil {
		return err
	}
	m, err := f.check(".png")
	if err != nil {
		return err
	}
	if *csv != "" {
		if err := atomicfile.CheckWritable(filepath.Dir(*csv)); err != nil {
			return err
		}
	}
	test, err := f.testSet()
	if err != nil {
		return err
	}
	if *n < 10 || *n > test.N {
		return usagef("-n must be in 10..%d, got %d", test.N, *n)
	}
	codes := report.EncodeSet(m, test, *n)
	opt.Seed, opt.Threads = f.data.seed, f.data.threads
	if !(opt.Perplexity > 0) || opt.Perplexity*3 >= float64(*n) || opt.Iterations < 1 || opt.Iterations > 100000 || !(opt.Theta >= 0 && opt.Theta <= 2) {
		return usagef("need perplexity > 0 and < n/3, iterations in 1..100000, theta in [0, 2]")
	}
	xy, acc, secs, err := report.Embed(codes, *n, m.CodeDim(), test.Labels[:*n], opt)
	if err != nil {
		return err
	}
	title := fmt.Sprintf("t-SNE of %s test codes (10-NN accuracy %.3f)", strings.ToUpper(string(m.Kind)), acc)
	if err := viz.Scatter(f.out, xy, test.Labels[:*n], title, 900, 800); err != nil {
		return err
	}
	if *csv != "" {
		var b strings.Builder
		b.WriteString("index,label,x,y\n")
		for i := range *n {
			fmt.Fprintf(&b, "%d,%d,%g,%g\n", i, test.Labels[i], xy[2*i], xy[2*i+1])
		}
		if err := atomicfile.WriteBytes(*csv, []byte(b.String())); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "t-SNE of %d codes in %.1fs, 10-NN label accuracy %.3f; wrote %s\n", *n, secs, acc, f.out)
	return nil
}

// pad fills a grid row up to cols with blank (black) cells.
func pad(row [][]float32, cols int) [][]float32 {
	for len(row) < cols {
		blank := make([]float32, model.Pixels)
		for i := range blank {
			blank[i] = -1
		}
		row = append(row, blank)
	}
	return row
}

// gridCols picks a pleasant number of columns for n cells.
func gridCols(n int) int {
	switch {
	case n <= 16:
		return n
	case n <= 100:
		return 10
	}
	return 16
}

// sampleImages draws n images [n][784] from the model's generative process:
// z from its prior (an AE: N(0, 1) codes), decoded. A conditional VAE draws
// digit, or the digits 0..9 in turn when digit < 0, and returns the labels.
func sampleImages(m *model.Model, n, digit int, seed uint64) ([]float32, []uint8) {
	rng := rand.New(rand.NewPCG(seed, 0x5a3))
	z := make([]float32, n*m.CodeDim())
	if m.IsVAE() {
		m.SamplePrior(z, n, rng)
	} else {
		for i := range z {
			z[i] = float32(rng.NormFloat64())
		}
	}
	var labels []uint8
	if m.Cond() > 0 {
		labels = make([]uint8, n)
		for i := range labels {
			labels[i] = uint8(i % model.Classes)
			if digit >= 0 {
				labels[i] = uint8(digit)
			}
		}
	}
	return m.DecodeLabeled(z, labels, n), labels
}
