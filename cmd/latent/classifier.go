package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"latent/classifier"
	"latent/dataset"
	"latent/internal/atomicfile"
	"latent/internal/limits"
	"latent/mnist"
)

const classifierSummary = `Train or evaluate the MNIST digit classifier that judges generated samples (a
small CNN: 3 convolutions, 128 features, 10 classes). 'latent classifier train'
trains it on the 60,000 training images and writes it, by default, to latent's
cache folder, where the commands that score samples look for it;
'latent classifier eval' prints a classifier's accuracy on the 10,000 test images.

Usage:
  latent classifier train [--out FILE] [--epochs N] [--seed S] [--threads N]
  latent classifier eval [--model FILE]

Run 'latent classifier train --help' or 'latent classifier eval --help' for the flags.`

func runClassifier(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("want 'train' or 'eval'")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintf(stdout, "%s\n\nExample:\n  latent classifier train && latent classifier eval\n", classifierSummary)
		return flag.ErrHelp
	case "train":
		return subUsage(runClassifierTrain(args[1:], stdout, stderr), "classifier train")
	case "eval":
		return subUsage(runClassifierEval(args[1:], stdout, stderr), "classifier eval")
	}
	return usagef("unknown classifier command %q: want train or eval", args[0])
}

// subUsage makes a usage error of a sub-command point to its own --help.
func subUsage(err error, verb string) error {
	var ue usageError
	if errors.As(err, &ue) && ue.verb == "" {
		ue.verb = verb
		return ue
	}
	return err
}

// classifierData loads MNIST (or the idx folder dir).
func classifierData(dir string) (train, test *mnist.Set, err error) {
	spec := "mnist"
	if dir != "" {
		spec = "idx:" + dir
	}
	return dataset.Load(spec)
}

// defaultClassifier is the cache path, or "" when there is no cache folder.
func defaultClassifier() string {
	p, err := classifier.DefaultPath()
	if err != nil {
		return ""
	}
	return p
}

func runClassifierTrain(args []string, stdout, stderr io.Writer) error {
	def := classifier.DefaultConfig()
	fs := newFlags("classifier train", "Train the digit classifier on the MNIST training images (random shifts of up to\n--shift pixels, Adam with a cosine-decayed rate), print its accuracy on the test\nimages and write it as safetensors.",
		"latent classifier train --epochs 5 --threads 2", stdout)
	out := fs.String("out", defaultClassifier(), "file to write")
	cfg := def
	fs.IntVar(&cfg.Epochs, "epochs", def.Epochs, "passes over the training images")
	fs.IntVar(&cfg.Batch, "batch", def.Batch, "images per batch")
	fs.Float64Var(&cfg.LR, "lr", def.LR, "initial Adam learning rate (decays to 0 along a half cosine)")
	fs.IntVar(&cfg.Shift, "shift", def.Shift, "augmentation: random translation of up to this many pixels (0: none)")
	fs.Uint64Var(&cfg.Seed, "seed", 0, "seed of the initialisation, the batch order and the shifts")
	fs.IntVar(&cfg.Threads, "threads", runtime.NumCPU(), "worker threads (the result does not depend on it)")
	width := fs.String("width", fmt.Sprintf("%d,%d,%d", def.Arch.Width[0], def.Arch.Width[1], def.Arch.Width[2]), "channels of the three convolutions")
	fs.IntVar(&cfg.Arch.Hidden, "hidden", def.Arch.Hidden, "size of the penultimate layer (the features)")
	dir := fs.String("data", "", "a folder with the four MNIST-format idx files (plain or .gz) instead of the built-in MNIST")
	images := fs.Int("images", 0, "train on the first N training images only (0: all)")
	force := fs.Bool("force", false, "replace the classifier that --out already holds")
	if err := parse(fs, args); err != nil {
		return err
	}
	if n, err := fmt.Sscanf(*width, "%d,%d,%d", &cfg.Arch.Width[0], &cfg.Arch.Width[1], &cfg.Arch.Width[2]); n != 3 || err != nil ||
		limits.LayerWidth.Check(min(cfg.Arch.Width[0], cfg.Arch.Width[1], cfg.Arch.Width[2])) != nil ||
		limits.LayerWidth.Check(max(cfg.Arch.Width[0], cfg.Arch.Width[1], cfg.Arch.Width[2])) != nil {
		return usagef("--width must be three channel counts in %d..%d such as 32,64,128, got %q", limits.LayerWidth.Min, limits.LayerWidth.Max, *width)
	}
	switch {
	case *out == "":
		return usagef("--out is required: there is no cache folder on this system")
	case limits.Epochs.Check(cfg.Epochs) != nil:
		return usagef("--%v", limits.Epochs.Check(cfg.Epochs))
	case limits.Batch.Check(cfg.Batch) != nil:
		return usagef("--%v", limits.Batch.Check(cfg.Batch))
	case limits.LR.Check(cfg.LR) != nil:
		return usagef("--%v", limits.LR.Check(cfg.LR))
	case limits.Shift.Check(cfg.Shift) != nil:
		return usagef("--%v", limits.Shift.Check(cfg.Shift))
	case limits.Threads.Check(cfg.Threads) != nil:
		return usagef("--%v", limits.Threads.Check(cfg.Threads))
	case limits.Hidden.Check(cfg.Arch.Hidden) != nil:
		return usagef("--%v", limits.Hidden.Check(cfg.Arch.Hidden))
	case *images < 0:
		return usagef("--images must not be negative, got %d", *images)
	}
	if err := checkNew("out", *out, *force); err != nil {
		return err
	}
	trainSet, test, err := classifierData(*dir)
	if err != nil {
		return err
	}
	var idx []int // nil: all
	if *images > 0 && *images < trainSet.N {
		idx = mnist.Indices(*images)
	}
	n := trainSet.N
	if idx != nil {
		n = len(idx)
	}
	if err := atomicfile.CheckWritable(filepath.Dir(*out)); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(stderr, "training the classifier (widths %s, %d features) on %d images: %d epochs, batch %d, lr %g, shift ±%d, %d threads\n",
		*width, cfg.Arch.Hidden, n, cfg.Epochs, cfg.Batch, cfg.LR, cfg.Shift, cfg.Threads)
	bar := newProgress(stderr)
	var last classifier.Progress
	epochStart := time.Duration(0)
	net, err := classifier.Train(ctx, trainSet, idx, cfg, func(p classifier.Progress) {
		last = p
		if !p.EpochDone {
			bar.update(fmt.Sprintf("classifier epoch %d/%d", p.Epoch, p.Epochs), p.Batch, p.Batches)
			return
		}
		bar.done()
		secs := (p.Elapsed - epochStart).Seconds()
		epochStart = p.Elapsed
		fmt.Fprintf(stdout, "epoch %2d  loss %.4f  train accuracy %.2f%%  %5.1fs  %6.0f img/s\n",
			p.Epoch, p.Loss, 100*p.Accuracy, secs, float64(n)/secs)
	})
	bar.done()
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%w: nothing written", errInterrupted)
		}
		return err
	}
	if net.TestAccuracy, err = net.Accuracy(test, nil); err != nil {
		return err
	}
	wall, cpu := last.Elapsed.Seconds(), last.CPU.Seconds()
	fmt.Fprintf(stdout, "test accuracy %.2f%% (%d images)\n", 100*net.TestAccuracy, test.N)
	fmt.Fprintf(stdout, "training took %.1fs wall, %.1fs CPU (%.2f cores busy): %.0f img/s, %.0f img per CPU-second\n",
		wall, cpu, cpu/wall, float64(last.Images)/wall, float64(last.Images)/cpu)
	if err := net.Save(*out); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s\n", *out)
	return nil
}

func runClassifierEval(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("classifier eval", "Print a classifier's accuracy on the MNIST test images. Writes no file.",
		"latent classifier eval --model classifier.safetensors", stdout)
	path := fs.String("model", defaultClassifier(), "classifier file (written by 'latent classifier train')")
	dir := fs.String("data", "", "a folder with the four MNIST-format idx files (plain or .gz) instead of the built-in MNIST")
	threads := fs.Int("threads", runtime.NumCPU(), "worker threads")
	asJSON := fs.Bool("json", false, "print the result as one JSON document on stdout")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *path == "" {
		return usagef("--model is required: there is no cache folder on this system")
	}
	if err := limits.Threads.Check(*threads); err != nil {
		return usagef("--%v", err)
	}
	net, err := classifier.Load(*path)
	if err != nil {
		if os.IsNotExist(err) {
			return fmt.Errorf("%s does not exist; train it with 'latent classifier train'", *path)
		}
		return err
	}
	net.Threads = *threads
	_, test, err := classifierData(*dir)
	if err != nil {
		return err
	}
	acc, err := net.Accuracy(test, nil)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"model": *path, "test_accuracy": acc, "images": test.N})
	}
	_, err = fmt.Fprintf(stdout, "%s: test accuracy %.2f%% (%d images)\n", *path, 100*acc, test.N)
	return err
}
