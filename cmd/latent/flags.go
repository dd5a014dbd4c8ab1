package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"latent/dataset"
	"latent/internal/atomicfile"
	"latent/internal/limits"
	"latent/mnist"
	"latent/model"
	"latent/train"
)

// newFlags makes a verb's flag set whose --help prints the summary, an
// example and the flags to stdout, and whose parse errors become usage errors.
func newFlags(name, summary, example string, stdout io.Writer) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet("latent "+name, flag.ContinueOnError)}
	fs.help = func() {
		fs.SetOutput(stdout)
		fmt.Fprintf(stdout, "Usage: latent %s [flags]\n\n%s\n\nExample:\n  %s\n\nFlags:\n", name, summary, example)
		fs.PrintDefaults()
	}
	fs.Usage = func() {} // the flag package calls it on every error; we print help only for --help
	return fs
}

// flagSet is a verb's flags and its help text.
type flagSet struct {
	*flag.FlagSet
	help func()
}

// wasSet reports whether the command line gave the flag name.
func (fs *flagSet) wasSet(name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// parse parses args; a bad flag is a usage error, --help is flag.ErrHelp.
func parse(fs *flagSet, args []string) error {
	fs.SetOutput(io.Discard) // the caller prints the error, once
	err := fs.Parse(args)
	if err == flag.ErrHelp {
		fs.help()
		return err
	}
	if err != nil {
		return usageError{msg: flagError(fs.FlagSet, err)}
	}
	if fs.NArg() > 0 {
		return unexpectedArg(fs)
	}
	return nil
}

// unexpectedArg is the error for words left after the flags. Since the
// flag package stops at the first word, flags after it were never read: the
// message says so, and suggests the flag a file name was probably meant for.
func unexpectedArg(fs *flagSet) error {
	arg := fs.Arg(0)
	msg := fmt.Sprintf("unexpected argument %q: %s takes flags only", arg, fs.Name())
	ext := strings.ToLower(filepath.Ext(arg))
	for _, c := range []struct{ flag, ext string }{{"model", ".safetensors"}, {"out", ".png"}, {"out", ".safetensors"}, {"csv", ".csv"}} {
		if ext == c.ext && fs.Lookup(c.flag) != nil && !fs.wasSet(c.flag) {
			msg += fmt.Sprintf("; did you mean --%s %s?", c.flag, arg)
			break
		}
	}
	for _, a := range fs.Args()[1:] {
		if strings.HasPrefix(a, "-") && a != "-" {
			msg += fmt.Sprintf(" (flags after %q, such as %s, were not read: put every flag before it, or drop it)", arg, a)
			break
		}
	}
	return usageError{msg: msg}
}

// dataFlags are the flags every verb that reads MNIST shares.
type dataFlags struct {
	dir     string
	dataset string
	seed    uint64
	threads int
}

func (d *dataFlags) register(fs *flagSet) {
	fs.StringVar(&d.dataset, "dataset", "mnist", "images to use: "+dataset.Names+" (a folder of PNG/JPEG files, one subfolder per label)")
	fs.StringVar(&d.dir, "data", "", "shorthand for --dataset idx:DIR: a folder with the four MNIST-format idx files (plain or .gz)")
	fs.Uint64Var(&d.seed, "seed", 0, "seed of the random draws: sampled codes, the VAE's noise, t-SNE's start")
	fs.IntVar(&d.threads, "threads", runtime.NumCPU(), "worker threads")
}

func (d *dataFlags) validate() error {
	if err := limits.Threads.Check(d.threads); err != nil {
		return usagef("--%v", err)
	}
	if d.dir != "" && d.dataset != "idx:"+d.dir {
		if d.dataset != "" && d.dataset != "mnist" {
			return usagef("--data and --dataset both name the images; use one")
		}
		d.dataset = "idx:" + d.dir
	}
	if _, err := dataset.Parse(d.dataset); err != nil {
		return usagef("--dataset: %v", err)
	}
	return nil
}

// load reads MNIST and splits the training images 48,000/12,000.
func (d *dataFlags) load() (data train.Data, test *mnist.Set, err error) {
	trainSet, test, err := dataset.Load(d.dataset)
	if err != nil {
		return train.Data{}, nil, err
	}
	for _, s := range []*mnist.Set{trainSet, test} {
		if s.Rows != model.Side || s.Cols != model.Side {
			return train.Data{}, nil, fmt.Errorf("%s: images are %d×%d; the models need 28×28", d.dataset, s.Rows, s.Cols)
		}
	}
	if trainSet.N < 5 {
		return train.Data{}, nil, fmt.Errorf("%s: %d training images; at least 5 are needed for a train/validation split", d.dataset, trainSet.N)
	}
	nVal := trainSet.N / 5
	tr, val := mnist.Split(trainSet.N, nVal, d.seed)
	return train.Data{Set: trainSet, Train: tr, Val: val}, test, nil
}

// trainFlags are the flags of a training run.
type trainFlags struct {
	kind       string
	latent     int
	width      int
	likelihood string
	preset     string
	cfg        train.Config
	fs         *flagSet
	explicit   map[string]bool // flags the command line gave (not the preset)
}

// given reports whether the command line itself set the flag name.
func (t *trainFlags) given(name string) bool {
	if t.explicit == nil {
		return t.fs != nil && t.fs.wasSet(name)
	}
	return t.explicit[name]
}

// vaeOnly are the training flags that mean something for a VAE only (its
// latent distribution, KL term, likelihood and prior): an AE refuses them.
var vaeOnly = []string{"latent", "beta", "kl-warmup", "kl-cycles", "free-bits", "likelihood", "prior", "prior-temperature"}

func (t *trainFlags) register(fs *flagSet, withModel, swept bool) {
	seed := train.SeedConfig()
	t.fs = fs
	if f := fs.Lookup("seed"); f != nil { // a training run draws more than codes
		f.Usage = "seed of the train/validation split, the batch order, the initialisation and the noise"
	}
	if withModel {
		fs.StringVar(&t.kind, "model", "vae", "model to train: ae, vae or cvae (a VAE conditioned on the digit's label). Plain cvae is the\nseed's size for a quick look at conditioning (55–95 % of --digit d samples read as d);\n--model cvae --preset coherent is the recipe whose samples are the digit asked for (≥ 99 %)")
	}
	fs.StringVar(&t.preset, "preset", "", "VAE or CVAE: start from a named recipe; flags given explicitly override it.\n"+presetHelp())
	t.registerCommon(fs)
	if swept {
		return
	}
	fs.IntVar(&t.latent, "latent", 8, "VAE: latent dimensions")
	fs.Float64Var(&t.cfg.Beta, "beta", seed.Beta, "VAE: weight of the KL term")
	fs.Float64Var(&t.cfg.KLWarmup, "kl-warmup", 0, "VAE: ramp the KL weight from 0 to --beta over this many epochs")
	fs.Float64Var(&t.cfg.FreeBits, "free-bits", 0, "VAE: floor each latent dimension's KL (batch mean) at this many nats")
}

func (t *trainFlags) registerCommon(fs *flagSet) {
	seed := train.SeedConfig()
	fs.IntVar(&t.width, "width", 1, "channel multiplier of the seed's layers (1: 16, 8, 8 channels; 4: 64, 32, 32)")
	fs.StringVar(&t.likelihood, "likelihood", string(model.MSESum), "VAE: p(x|z): mse-sum (the seed's summed squared error), bernoulli (cross-entropy on pixels in [0,1]) or gaussian (learned σ)")
	fs.IntVar(&t.cfg.Epochs, "epochs", seed.Epochs, "passes over the 48,000 training images")
	fs.IntVar(&t.cfg.Batch, "batch", seed.Batch, "images per batch")
	fs.Float64Var(&t.cfg.LR, "lr", seed.LR, "Adam learning rate")
	fs.IntVar(&t.cfg.KLCycles, "kl-cycles", 0, "VAE: cyclical KL annealing, this many ramp-and-hold cycles over the run")
	fs.StringVar(&t.cfg.LRSchedule, "lr-schedule", "constant", "learning rate over the run: constant or cosine (half a cosine from --lr to 0)")
	fs.IntVar(&t.cfg.Prior, "prior", 0, "VAE: after training, fit a mixture of this many Gaussians to where the encoder puts the\ntraining images and store it in the model as its prior (0: the standard normal N(0, I))")
	fs.Float64Var(&t.cfg.PriorTemperature, "prior-temperature", 1, "VAE with --prior: multiply the mixture components' spreads by this (below 1: samples\nkeep closer to where digits are clearest)")
}

// config checks the values and returns the model and training settings.
// Each value is checked against its range in latent/internal/limits, the
// table train.Config and model.Config validate with too.
func (t *trainFlags) config(d *dataFlags) (model.Config, train.Config, error) {
	t.cfg.Seed, t.cfg.Threads = d.seed, d.threads
	if err := d.validate(); err != nil {
		return model.Config{}, train.Config{}, err
	}
	t.cfg.Dataset = d.dataset
	kind, err := model.ParseKind(strings.ToLower(t.kind))
	if err != nil {
		return model.Config{}, train.Config{}, usagef("--model: %v", err)
	}
	if err := t.applyPreset(kind); err != nil {
		return model.Config{}, train.Config{}, err
	}
	mc := model.Seed(kind)
	if kind == model.AE {
		for _, name := range vaeOnly {
			if t.given(name) {
				return mc, t.cfg, usagef("--%s is a VAE setting: the AE has no latent distribution, KL term or prior; drop it, or train --model vae", name)
			}
		}
	} else {
		mc.Latent = t.latent
	}
	flagErr := func(err error) error { return usagef("--%v", err) }
	for _, c := range []struct {
		r limits.Int
		v int
	}{{limits.Latent, t.latent}, {limits.Width, t.width}, {limits.Prior, t.cfg.Prior}, {limits.Epochs, t.cfg.Epochs}, {limits.Batch, t.cfg.Batch}} {
		if err := c.r.Check(c.v); err != nil {
			return mc, t.cfg, flagErr(err)
		}
	}
	for _, c := range []struct {
		r limits.Float
		v float64
	}{{limits.FreeBits, t.cfg.FreeBits}, {limits.PriorTemperature, t.cfg.PriorTemperature}, {limits.LR, t.cfg.LR}, {limits.Beta, t.cfg.Beta}, {limits.KLWarmup, t.cfg.KLWarmup}} {
		if err := c.r.Check(c.v); err != nil {
			return mc, t.cfg, flagErr(err)
		}
	}
	mc.Width = model.SeedWidth(t.width)
	if mc.Likelihood, err = model.ParseLikelihood(t.likelihood); err != nil {
		return mc, t.cfg, usagef("--likelihood: %v", err)
	}
	if t.cfg.LRSchedule != "constant" && t.cfg.LRSchedule != "cosine" {
		return mc, t.cfg, usagef("--lr-schedule must be constant or cosine, got %q", t.cfg.LRSchedule)
	}
	if t.cfg.KLCycles < 0 || t.cfg.KLCycles > t.cfg.Epochs {
		return mc, t.cfg, usagef("--kl-cycles must be in 0..--epochs (%d), got %d", t.cfg.Epochs, t.cfg.KLCycles)
	}
	if t.cfg.KLWarmup > 0 && t.cfg.KLCycles > 0 {
		return mc, t.cfg, usagef("--kl-warmup and --kl-cycles are two schedules: choose one")
	}
	if err := t.cfg.Validate(); err != nil { // what the flags do not cover
		return mc, t.cfg, usagef("%v", err)
	}
	return mc, t.cfg, mc.Validate()
}

// presets are named recipes per model kind: flag values used unless the
// command line gives the flag. README.md explains what each stands for.
var presets = map[string]map[model.Kind]map[string]string{
	"coherent": {
		// every sample a recognisable digit (issue 6): a 4× wider seed, 16
		// latent dimensions, β 0.5, 30 epochs with a cosine learning rate,
		// and a 1000-component mixture prior fitted to the training codes
		// after training, sampled at temperature 0.7
		model.VAE: {"width": "4", "latent": "16", "epochs": "30", "lr-schedule": "cosine", "beta": "0.5", "prior": "1000", "prior-temperature": "0.7", "quality": "true"},
		// every sample the digit asked for (issue 13: 99.9 %, each digit
		// ≥ 99.2 %): the same size with β 6, which makes the decoder lean
		// on the label instead of the code
		model.CVAE: {"width": "4", "latent": "16", "epochs": "30", "lr-schedule": "cosine", "beta": "6", "prior": "1000", "prior-temperature": "0.7", "quality": "true"},
	},
}

// presetFlagOrder is the order in which help lists a preset's flags.
var presetFlagOrder = []string{"width", "latent", "epochs", "lr-schedule", "beta", "prior", "prior-temperature"}

// presetHelp describes each preset for each model kind, from presets.
func presetHelp() string {
	var lines []string
	for _, name := range slices.Sorted(maps.Keys(presets)) {
		for _, kind := range []model.Kind{model.VAE, model.CVAE} {
			p, ok := presets[name][kind]
			if !ok {
				continue
			}
			line := fmt.Sprintf("%s with --model %s:", name, kind)
			for _, f := range presetFlagOrder {
				if v, ok := p[f]; ok {
					line += fmt.Sprintf(" --%s %s", f, v)
				}
			}
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n")
}

// applyPreset sets the preset's flags for kind that the command line did not set.
func (t *trainFlags) applyPreset(kind model.Kind) error {
	if t.preset == "" {
		return nil
	}
	t.explicit = map[string]bool{}
	if t.fs != nil {
		t.fs.Visit(func(f *flag.Flag) { t.explicit[f.Name] = true })
	}
	byKind, ok := presets[t.preset]
	if !ok {
		return usagef("--preset: unknown preset %q (want %s)", t.preset, strings.Join(slices.Sorted(maps.Keys(presets)), ", "))
	}
	p, ok := byKind[kind]
	if !ok {
		return usagef("--preset %s is a VAE recipe; use it with --model vae or cvae", t.preset)
	}
	for _, name := range slices.Sorted(maps.Keys(p)) {
		if t.fs == nil || t.fs.Lookup(name) == nil || t.explicit[name] {
			continue
		}
		if err := t.fs.Set(name, p[name]); err != nil {
			return fmt.Errorf("preset %s: %s=%s: %w", t.preset, name, p[name], err)
		}
	}
	return nil
}

// startRun checks that the output folder out can be written, loads the
// images and returns a context that Ctrl-C (or SIGTERM) cancels: the common
// start of the verbs that train.
func (d *dataFlags) startRun(out string) (train.Data, *mnist.Set, context.Context, context.CancelFunc, error) {
	made := missingDirs(out)
	if err := atomicfile.CheckWritable(out); err != nil {
		return train.Data{}, nil, nil, nil, err
	}
	data, test, err := d.load()
	if err != nil {
		removeEmptyDirs(made) // leave no empty folder behind
		return train.Data{}, nil, nil, nil, err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	return data, test, ctx, stop, nil
}

// removeEmptyDirs removes the folders dirs (deepest first, as missingDirs
// lists them) that are still empty: os.Remove keeps a folder that is not.
func removeEmptyDirs(dirs []string) {
	for _, dir := range dirs {
		os.Remove(dir)
	}
}

// missingDirs lists dir and those of its parents that do not exist yet,
// deepest first: the folders that creating dir would make.
func missingDirs(dir string) []string {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); !os.IsNotExist(err) {
			return missing
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			return missing
		}
	}
}

// flagError rewrites the flag package's parse errors in the words of the
// command line: what kind of value a flag takes, and that an unknown flag is
// unknown ("flag provided but not defined" reads like a missing definition).
func flagError(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return fmt.Sprintf("unknown flag %s%s", dashes(name), name)
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return fmt.Sprintf("%s%s needs a value", dashes(name), name)
	}
	var val, name string
	if n, _ := fmt.Sscanf(msg, "invalid value %q for flag -%s", &val, &name); n != 2 {
		if n, _ := fmt.Sscanf(msg, "invalid boolean value %q for -%s", &val, &name); n != 2 {
			return msg
		}
	}
	name = strings.TrimSuffix(name, ":")
	kind := "a value"
	if f := fs.Lookup(name); f != nil {
		if g, ok := f.Value.(flag.Getter); ok {
			switch g.Get().(type) {
			case int, int64:
				kind = "a whole number"
			case uint, uint64:
				kind = "a whole number ≥ 0"
			case float64:
				kind = "a number"
			case bool:
				kind = "true or false"
			case time.Duration:
				kind = "a duration such as 30s or 2m"
			}
		}
	}
	if strings.HasSuffix(msg, "value out of range") {
		return fmt.Sprintf("%s%s %q is out of range (want %s of sensible size)", dashes(name), name, val, kind)
	}
	return fmt.Sprintf("%s%s %q: want %s", dashes(name), name, val, kind)
}

// dashes is how the help and the messages write flag name: -n, --model.
func dashes(name string) string {
	if len(name) == 1 {
		return "-"
	}
	return "--"
}
