package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"

	"latent/dataset"
	"latent/internal/atomicfile"
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
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
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
	fs.Uint64Var(&d.seed, "seed", 0, "seed of the train/validation split, the batch order, the initialisation and the noise")
	fs.IntVar(&d.threads, "threads", runtime.NumCPU(), "worker threads")
}

func (d *dataFlags) validate() error {
	if d.threads < 1 || d.threads > 1024 {
		return usagef("--threads must be in 1..1024, got %d", d.threads)
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

// Flags a sweep takes as comma-separated lists instead (trainFlags.register
// with swept = true leaves them out).
var sweptFlags = []string{"beta", "kl-warmup", "free-bits", "latent"}

func (t *trainFlags) register(fs *flagSet, withModel, swept bool) {
	seed := train.SeedConfig()
	t.fs = fs
	if withModel {
		fs.StringVar(&t.kind, "model", "vae", "model to train: ae, vae or cvae (a VAE conditioned on the digit's label)")
	}
	fs.StringVar(&t.preset, "preset", "", "VAE: start from a named recipe; flags given explicitly override it.\n"+presetHelp)
	t.registerCommon(fs)
	if swept {
		return
	}
	fs.IntVar(&t.latent, "latent", 8, "VAE latent dimensions")
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
func (t *trainFlags) config(d *dataFlags) (model.Config, train.Config, error) {
	t.cfg.Seed, t.cfg.Threads = d.seed, d.threads
	if err := d.validate(); err != nil {
		return model.Config{}, train.Config{}, err
	}
	t.cfg.Dataset = d.dataset
	if err := t.applyPreset(); err != nil {
		return model.Config{}, train.Config{}, err
	}
	kind, err := model.ParseKind(strings.ToLower(t.kind))
	if err != nil {
		return model.Config{}, train.Config{}, usagef("--model: %v", err)
	}
	mc := model.Seed(kind)
	mc.Latent = t.latent
	if t.latent < 1 || t.latent > 4096 {
		return mc, t.cfg, usagef("--latent must be in 1..4096, got %d", t.latent)
	}
	if t.width < 1 || t.width > 16 {
		return mc, t.cfg, usagef("--width must be in 1..16, got %d", t.width)
	}
	mc.Width = model.SeedWidth(t.width)
	if mc.Likelihood, err = model.ParseLikelihood(t.likelihood); err != nil {
		return mc, t.cfg, usagef("--likelihood: %v", err)
	}
	if kind == model.AE && mc.Likelihood != model.MSESum {
		return mc, t.cfg, usagef("--likelihood %s is for VAEs; the AE is trained with the mean squared error", mc.Likelihood)
	}
	if !(t.cfg.FreeBits >= 0) || math.IsInf(t.cfg.FreeBits, 0) {
		return mc, t.cfg, usagef("--free-bits must be a non-negative number of nats, got %g", t.cfg.FreeBits)
	}
	if t.cfg.Prior < 0 || t.cfg.Prior > 4096 {
		return mc, t.cfg, usagef("--prior must be in 0..4096 mixture components, got %d", t.cfg.Prior)
	}
	if !(t.cfg.PriorTemperature > 0 && t.cfg.PriorTemperature <= 10) {
		return mc, t.cfg, usagef("--prior-temperature must be in (0, 10], got %g", t.cfg.PriorTemperature)
	}
	if t.cfg.Prior > 0 && kind == model.AE {
		return mc, t.cfg, usagef("--prior is for VAEs: an AE has no prior to learn")
	}
	if t.cfg.LRSchedule != "constant" && t.cfg.LRSchedule != "cosine" {
		return mc, t.cfg, usagef("--lr-schedule must be constant or cosine, got %q", t.cfg.LRSchedule)
	}
	if t.cfg.Epochs < 1 || t.cfg.Epochs > 100000 {
		return mc, t.cfg, usagef("--epochs must be in 1..100000, got %d", t.cfg.Epochs)
	}
	if t.cfg.Batch < 1 || t.cfg.Batch > 65536 {
		return mc, t.cfg, usagef("--batch must be in 1..65536, got %d", t.cfg.Batch)
	}
	if !(t.cfg.LR > 0) || math.IsInf(t.cfg.LR, 0) {
		return mc, t.cfg, usagef("--lr must be a positive number, got %g", t.cfg.LR)
	}
	if !(t.cfg.Beta >= 0) || math.IsInf(t.cfg.Beta, 0) {
		return mc, t.cfg, usagef("--beta must be a non-negative number, got %g", t.cfg.Beta)
	}
	if !(t.cfg.KLWarmup >= 0) || math.IsInf(t.cfg.KLWarmup, 0) || t.cfg.KLCycles < 0 || t.cfg.KLCycles > t.cfg.Epochs {
		return mc, t.cfg, usagef("--kl-warmup must be ≥ 0 epochs and --kl-cycles in 0..--epochs")
	}
	if t.cfg.KLWarmup > 0 && t.cfg.KLCycles > 0 {
		return mc, t.cfg, usagef("--kl-warmup and --kl-cycles are two schedules: choose one")
	}
	return mc, t.cfg, d.validate()
}

// presets are named recipes: flag values used unless the command line gives
// the flag. README.md explains what each stands for.
var presets = map[string]map[string]string{
	// every sample a recognisable digit (issue 6): a 4× wider seed, 16 latent
	// dimensions, β 0.5, 30 epochs with a cosine learning rate, and a
	// 1000-component mixture prior fitted to the training codes after
	// training, sampled at temperature 0.7
	"coherent": {"width": "4", "latent": "16", "epochs": "30", "lr-schedule": "cosine", "prior": "1000", "prior-temperature": "0.7", "beta": "0.5", "quality": "true"},
}

const presetHelp = "coherent: --width 4 --latent 16 --epochs 30 --lr-schedule cosine --beta 0.5 --prior 1000 --prior-temperature 0.7"

// applyPreset sets the preset's flags that the command line did not set.
func (t *trainFlags) applyPreset() error {
	if t.preset == "" {
		return nil
	}
	t.explicit = map[string]bool{}
	if t.fs != nil {
		t.fs.Visit(func(f *flag.Flag) { t.explicit[f.Name] = true })
	}
	p, ok := presets[t.preset]
	if !ok {
		return usagef("--preset: unknown preset %q (want coherent)", t.preset)
	}
	if t.kind == string(model.AE) {
		return usagef("--preset %s is a VAE recipe; use it with --model vae (or cvae)", t.preset)
	}
	for name, v := range p {
		if t.fs == nil || t.fs.Lookup(name) == nil || t.explicit[name] {
			continue
		}
		if err := t.fs.Set(name, v); err != nil {
			return fmt.Errorf("preset %s: %s=%s: %w", t.preset, name, v, err)
		}
	}
	return nil
}

// startRun checks that the output folder out can be written, loads the
// images and returns a context that Ctrl-C (or SIGTERM) cancels: the common
// start of the verbs that train.
func (d *dataFlags) startRun(out string) (train.Data, *mnist.Set, context.Context, context.CancelFunc, error) {
	if err := atomicfile.CheckWritable(out); err != nil {
		return train.Data{}, nil, nil, nil, err
	}
	data, test, err := d.load()
	if err != nil {
		return train.Data{}, nil, nil, nil, err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	return data, test, ctx, stop, nil
}
