package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"latent/dataset"
	"latent/evaluate"
	"latent/internal/atomicfile"
	"latent/mnist"
	"latent/model"
	"latent/report"
	"latent/safetensors"
	"latent/train"
	"latent/tsne"
	"latent/viz"
)

// maxGridCells bounds a PNG grid: 1,024 digits (64 rows of 16, about
// 1400×5500 pixels) is as much as a person looks at; more goes to
// .safetensors.
const maxGridCells = 1024

// figureFlags are the flags of the single-figure verbs.
type figureFlags struct {
	data  dataFlags
	model string
	out   string
	force bool
	fs    *flagSet
	made  []string // folders checkNew created for the output files
}

// removeMadeDirs removes, when the verb failed (*err != nil), the folders
// checkNew created, so a failed figure leaves no empty folder behind
// (os.Remove keeps one that is not empty).
func (f *figureFlags) removeMadeDirs(err *error) {
	if *err == nil {
		return
	}
	removeEmptyDirs(f.made)
}

// register adds the flags; seedHelp says what --seed does in this verb.
func (f *figureFlags) register(fs *flagSet, outHelp, seedHelp string) {
	f.fs = fs
	f.data.register(fs)
	datasetHelp(fs)
	fs.Lookup("seed").Usage = seedHelp
	fs.StringVar(&f.model, "model", "", "checkpoint (required): a latent checkpoint or a PyTorch state_dict saved as safetensors")
	fs.StringVar(&f.out, "out", "", outHelp)
	fs.BoolVar(&f.force, "force", false, "replace the files --out (and --csv) name if they exist")
}

// check validates the flags and checks that --out (if required or given)
// ends in one of exts and can be written: everything that needs no file
// read, so that a bad command line fails at once.
func (f *figureFlags) check(required bool, exts ...string) error {
	if err := f.data.validate(); err != nil {
		return err
	}
	if f.model == "" {
		return usagef("--model is required: the checkpoint file")
	}
	if f.out == "" {
		if required {
			return usagef("--out is required (%s)", strings.Join(exts, " or "))
		}
		return nil
	}
	ext := strings.ToLower(filepath.Ext(f.out))
	ok := false
	for _, e := range exts {
		ok = ok || ext == e
	}
	if !ok {
		return usagef("--out %s: the file name must end in %s", f.out, strings.Join(exts, " or "))
	}
	return f.checkNew("out", f.out)
}

// checkNew checks that the file flag names may be written: never the
// checkpoint itself, an existing file only with --force, and in a folder that
// can be written.
func (f *figureFlags) checkNew(flag, path string) error {
	if _, err := os.Stat(path); err == nil && sameFile(path, f.model) {
		return usagef("--%s %s is the checkpoint --model reads; choose another file", flag, path)
	}
	if err := checkNew(flag, path, f.force); err != nil {
		return err
	}
	made := missingDirs(filepath.Dir(path))
	if err := atomicfile.CheckWritable(filepath.Dir(path)); err != nil {
		return err
	}
	f.made = append(made, f.made...) // deepest first: a later file's folders may lie inside an earlier one's
	return nil
}

// checkNew refuses a file flag that names an existing file unless force.
func checkNew(flag, path string, force bool) error {
	st, err := os.Stat(path)
	if err == nil && st.IsDir() {
		return usagef("--%s %s is a folder; name a file (inside it or elsewhere)", flag, path)
	}
	if err == nil && !force {
		return usagef("--%s %s already exists; replace it with --force, or choose another --%s", flag, path, flag)
	}
	return nil
}

// sameFile reports whether paths a and b name one file: the same path
// once cleaned, or (when both exist) the same file on disk.
func sameFile(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	if absA, err := filepath.Abs(a); err == nil {
		if absB, err := filepath.Abs(b); err == nil && absA == absB {
			return true
		}
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

// png reports whether --out is a PNG file.
func (f *figureFlags) png() bool { return strings.EqualFold(filepath.Ext(f.out), ".png") }

// load reads the model and the test images of the dataset it was trained on
// (or of --dataset, with a note on stderr).
func (f *figureFlags) load(stderr io.Writer) (*model.Model, map[string]string, *mnist.Set, error) {
	m, meta, err := loadModel(f.model)
	if err != nil {
		return nil, nil, nil, err
	}
	_, test, err := f.data.loadForModel(f.fs, meta, stderr)
	if err != nil {
		return nil, nil, nil, err
	}
	return m, meta, test, nil
}

// checkDigit validates a --digit flag (-1: not given) for model m.
func checkDigit(m *model.Model, path string, digit int) error {
	if digit < -1 || digit > model.Classes-1 {
		return usagef("--digit must be in 0..%d, got %d", model.Classes-1, digit)
	}
	if digit >= 0 && m.Cond() == 0 {
		return usagef("--digit needs a conditional VAE (latent train --model cvae); %s is a %s", path, m.Kind)
	}
	return nil
}

func runSample(args []string, stdout, _ io.Writer) (err error) {
	fs := newFlags("sample", "Decode random codes: z from the VAE's prior (N(0, I), or the mixture stored in\nthe model file), N(0, 1) codes for an AE (noise: an AE cannot generate). A\nconditional VAE draws --digit (default: 0..9 in turn). Writes a PNG grid (at\nmost 1,024 images), or a safetensors file with one tensor \"images\" [n,1,28,28]\nin the model's [-1, 1] scale (and \"labels\" [n] for a conditional VAE).\nSampling reads no images: --dataset and --data do not apply.",
		"latent sample --model runs/vae/model.safetensors -n 64 --out samples.png", stdout)
	var f figureFlags
	defer f.removeMadeDirs(&err)
	f.register(fs, "output file: .png (a grid of at most 1,024 images) or .safetensors (the images)",
		"seed of the random codes: the same seed draws the same samples")
	fs.Lookup("dataset").Usage = "not used: sample reads no images (it decodes codes drawn from the model)"
	fs.Lookup("data").Usage = "not used: sample reads no images"
	n := fs.Int("n", 64, "number of samples (a .png holds at most 1,024; .safetensors up to 100,000)")
	digit := fs.Int("digit", -1, "conditional VAE: the digit to draw, 0..9 (default: all ten in turn)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.wasSet("dataset") || fs.wasSet("data") {
		return usagef("sample reads no images (it decodes codes drawn from the model); drop --dataset/--data")
	}
	if *n < 1 || *n > 100000 {
		return usagef("-n must be in 1..100000, got %d", *n)
	}
	if err := f.check(true, ".png", ".safetensors"); err != nil {
		return err
	}
	if f.png() && *n > maxGridCells {
		return usagef("-n %d: a PNG grid holds at most %d images; write --out FILE.safetensors for more", *n, maxGridCells)
	}
	if *digit < -1 || *digit > model.Classes-1 {
		return usagef("--digit must be in 0..%d, got %d", model.Classes-1, *digit)
	}
	m, meta, err := loadModel(f.model)
	if err != nil {
		return err
	}
	if err := checkDigit(m, f.model, *digit); err != nil {
		return err
	}
	imgs, labels := evaluate.Sample(m, *n, *digit, f.data.seed)
	if !f.png() {
		ts := []safetensors.Tensor{{Name: "images", Shape: []int{*n, 1, model.Side, model.Side}, Data: imgs}}
		if labels != nil {
			l := make([]float32, *n)
			for i, y := range labels {
				l[i] = float32(y)
			}
			ts = append(ts, safetensors.Tensor{Name: "labels", Shape: []int{*n}, Data: l})
		}
		ds, _ := dataset.ForModel(meta, "")
		err = safetensors.WriteFile(f.out, ts, map[string]string{"latent.seed": strconv.FormatUint(f.data.seed, 10),
			"latent.model": f.model, dataset.MetadataKey: ds})
	} else {
		err = viz.SavePNG(f.out, viz.Grid(report.Rows(imgs, *n), model.Side, viz.GridOptions{Cols: gridCols(*n), Scale: 3, Gap: 2}))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d samples to %s\n", *n, f.out)
	return nil
}

func runReconstruct(args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlags("reconstruct", "Show test images above their reconstructions (the VAE decodes z = mu), from the\ndataset the model was trained on (or --dataset). A conditional VAE is given each\nimage's label. With a .safetensors output, write the tensors \"input\" and\n\"output\" [n,1,28,28] instead.",
		"latent reconstruct --model runs/ae/model.safetensors --out recon.png", stdout)
	var f figureFlags
	defer f.removeMadeDirs(&err)
	f.register(fs, "output file: .png (a figure of at most 512 images) or .safetensors (the tensors)",
		"not used: reconstruct draws nothing at random")
	n := fs.Int("n", 16, "number of test images, from --first (unless given, at most the test images from --first on)")
	first := fs.Int("first", 0, "index of the first test image")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *n < 1 || *n > 1000 {
		return usagef("-n must be in 1..1000, got %d", *n)
	}
	if err := f.check(true, ".png", ".safetensors"); err != nil {
		return err
	}
	if f.png() && 2**n > maxGridCells {
		return usagef("-n %d: a PNG figure holds at most %d images and their reconstructions; write --out FILE.safetensors for more", *n, maxGridCells/2)
	}
	m, _, test, err := f.load(stderr)
	if err != nil {
		return err
	}
	if !fs.wasSet("n") && *first >= 0 && *first < test.N {
		*n = min(*n, test.N-*first) // the default shrinks to the images there are
	}
	switch {
	case *first < 0 || *first >= test.N:
		return usagef("--first %d is outside the test images 0..%d of %s", *first, test.N-1, f.data.dataset)
	case *first+*n > test.N:
		return usagef("-n %d from --first %d runs past the %d test images of %s: give -n %d or less (or a smaller --first)", *n, *first, test.N, f.data.dataset, test.N-*first)
	}
	idx := make([]int, *n)
	for i := range idx {
		idx[i] = *first + i
	}
	in := make([]float32, *n*model.Pixels)
	labels := make([]uint8, *n)
	test.Fill(in, labels, idx)
	out := m.Reconstruct(in, labels, *n)
	if !f.png() {
		shape := []int{*n, 1, model.Side, model.Side}
		if err := safetensors.WriteFile(f.out, []safetensors.Tensor{{Name: "input", Shape: shape, Data: in}, {Name: "output", Shape: shape, Data: out}},
			map[string]string{"latent.model": f.model, "latent.first": strconv.Itoa(*first), dataset.MetadataKey: f.data.dataset}); err != nil {
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

func runInterpolate(args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlags("interpolate", "Decode evenly spaced points on the line between the codes of two test images\n(a VAE's means) of the dataset the model was trained on (or --dataset). A\nconditional VAE walks its label too, from the first image's digit to the\nsecond's (half way it is told \"half one digit, half the other\"); --digit draws\nevery step as one digit instead. Writes one PNG strip (--out).",
		"latent interpolate --model runs/vae/model.safetensors --from 0 --to 1 --steps 10 --out interp.png", stdout)
	var f figureFlags
	defer f.removeMadeDirs(&err)
	f.register(fs, "output PNG", "not used: interpolate draws nothing at random")
	from := fs.Int("from", 0, "index of the first test image")
	to := fs.Int("to", 1, "index of the second test image")
	steps := fs.Int("steps", 10, "points on the line, ends included (2..200; rows of 20)")
	digit := fs.Int("digit", -1, "conditional VAE: draw every step as this digit, 0..9 (default: walk from the first image's digit to the second's)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *steps < 2 || *steps > 200 {
		return usagef("--steps must be in 2..200, got %d", *steps)
	}
	if *digit < -1 || *digit > model.Classes-1 {
		return usagef("--digit must be in 0..%d, got %d", model.Classes-1, *digit)
	}
	if err := f.check(true, ".png"); err != nil {
		return err
	}
	m, _, test, err := f.load(stderr)
	if err != nil {
		return err
	}
	if err := checkDigit(m, f.model, *digit); err != nil {
		return err
	}
	for _, c := range []struct {
		flag string
		i    int
	}{{"--from", *from}, {"--to", *to}} {
		if c.i < 0 || c.i >= test.N {
			return usagef("%s %d is outside the test images 0..%d of %s", c.flag, c.i, test.N-1, f.data.dataset)
		}
	}
	x := make([]float32, 2*model.Pixels)
	labels := make([]uint8, 2)
	test.Fill(x, labels, []int{*from, *to})
	imgs := m.Interpolate(x, labels, *digit, *steps)
	cols := min(*steps, 20)
	if err := viz.SavePNG(f.out, viz.Grid(report.Rows(imgs, *steps), model.Side, viz.GridOptions{Cols: cols, Scale: 3, Gap: 2})); err != nil {
		return err
	}
	drawn := ""
	if m.Cond() > 0 && *digit >= 0 {
		drawn = fmt.Sprintf(", every step drawn as a %d", *digit)
	}
	fmt.Fprintf(stdout, "wrote the interpolation from test image %d (a %d) to %d (a %d)%s to %s\n",
		*from, labels[0], *to, labels[1], drawn, f.out)
	return nil
}

func runTSNE(args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlags("tsne", "Map the test set's codes (AE) or means (VAE) to 2-D with t-SNE and draw them\ncoloured by digit, and/or write the coordinates as CSV. The test images are\nthose of the dataset the model was trained on (or --dataset).",
		"latent tsne --model runs/vae/model.safetensors --out map.png --csv coords.csv", stdout)
	var f figureFlags
	defer f.removeMadeDirs(&err)
	f.register(fs, "output PNG (--out, --csv or both)",
		"seed of the noise t-SNE adds only when the codes vary in fewer than 2 directions (otherwise the map does not depend on it)")
	csv := fs.String("csv", "", "write index,label,x,y rows to this CSV file (--out, --csv or both)")
	asJSON := fs.Bool("json", false, "print the result (points, seconds, 10-NN accuracy, perplexity, files) as one JSON document")
	n := fs.Int("n", 10000, "number of test images to map, from the first: 10 up to the test set's size\n(a smaller test set is mapped whole unless -n is given)")
	opt := tsne.DefaultOptions()
	fs.Float64Var(&opt.Perplexity, "perplexity", opt.Perplexity, "t-SNE perplexity (effective number of neighbours), at most (n-1)/3;\nunless given, lowered to (n-1)/3 for small -n")
	fs.IntVar(&opt.Iterations, "iterations", opt.Iterations, "gradient steps, 1..100000, the first 250 with early exaggeration")
	fs.Float64Var(&opt.Theta, "theta", opt.Theta, "Barnes-Hut accuracy, in (0, 2]: smaller is more exact and slower")
	if err := parse(fs, args); err != nil {
		return err
	}
	if f.out == "" && *csv == "" {
		return usagef("--out (a PNG map) or --csv (the coordinates) is required")
	}
	if err := f.check(false, ".png"); err != nil {
		return err
	}
	if *csv != "" {
		if sameFile(*csv, f.out) {
			return usagef("--csv %s and --out %s name the same file: the coordinates would replace the map; give the CSV its own name", *csv, f.out)
		}
		if err := f.checkNew("csv", *csv); err != nil {
			return err
		}
	}
	switch {
	case fs.wasSet("n") && *n < 10:
		return usagef("-n must be at least 10 test images, got %d", *n)
	case !(opt.Perplexity > 0) || opt.Perplexity > 1e6:
		return usagef("--perplexity must be a positive number of neighbours, got %g", opt.Perplexity)
	case opt.Iterations < 1 || opt.Iterations > 100000:
		return usagef("--iterations must be in 1..100000, got %d", opt.Iterations)
	case !(opt.Theta > 0 && opt.Theta <= 2):
		return usagef("--theta must be in (0, 2], got %g", opt.Theta)
	}
	m, _, test, err := f.load(stderr)
	if err != nil {
		return err
	}
	if test.N < 10 {
		return fmt.Errorf("the test set of %s has %d images; t-SNE needs at least 10", f.data.dataset, test.N)
	}
	if !fs.wasSet("n") {
		*n = min(*n, test.N)
	}
	if *n > test.N {
		return usagef("-n must be in 10..%d (the test images of %s), got %d", test.N, f.data.dataset, *n)
	}
	if limit := float64(*n-1) / 3; opt.Perplexity > limit {
		if fs.wasSet("perplexity") {
			return usagef("--perplexity %g is too large for -n %d: t-SNE needs at least 3×perplexity+1 points; use --perplexity ≤ %.4g or -n ≥ %d",
				opt.Perplexity, *n, limit, int(3*opt.Perplexity)+2)
		}
		fmt.Fprintf(stderr, "note: perplexity lowered from %g to %.4g for %d points (at most (n-1)/3)\n", opt.Perplexity, limit, *n)
		opt.Perplexity = limit
	}
	codes := train.EncodeSet(m, test, *n, f.data.threads)
	opt.Seed, opt.Threads = f.data.seed, f.data.threads
	xy, acc, secs, err := tsne.EmbedScored(codes, *n, m.CodeDim(), test.Labels[:*n], opt)
	if err != nil {
		return err
	}
	var wrote []string
	if f.out != "" {
		title := fmt.Sprintf("t-SNE of %s test codes (10-NN accuracy %.3f)", strings.ToUpper(string(m.Kind)), acc)
		if err := viz.Scatter(f.out, xy, test.Labels[:*n], title, 900, 800); err != nil {
			return err
		}
		wrote = append(wrote, f.out)
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
		wrote = append(wrote, *csv)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"model": f.model, "dataset": f.data.dataset, "points": *n, "seconds": secs,
			"knn10_accuracy": acc, "perplexity": opt.Perplexity, "iterations": opt.Iterations, "files": wrote})
	}
	fmt.Fprintf(stdout, "t-SNE of %d codes in %.1fs, 10-NN label accuracy %.3f; wrote %s\n", *n, secs, acc, strings.Join(wrote, " and "))
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
