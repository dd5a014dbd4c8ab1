package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"latent/internal/atomicfile"
	"latent/model"
	"latent/train"
)

var errInterrupted = errors.New("interrupted")

func runTrain(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("train", "Train an AE or a VAE on MNIST and write DIR/model.safetensors,\nDIR/metrics.csv and DIR/metrics.json. After every epoch (and on Ctrl-C, after the\ncurrent step) it also writes DIR/state.safetensors, from which --resume DIR\ncontinues exactly where training stopped, and --resume DIR --epochs N trains a\nfinished run on to N epochs. A folder that already holds a run is refused\nunless --force. Epoch lines go to stdout, messages to stderr.",
		"latent train --model vae --epochs 10 --out runs/vae", stdout)
	var d dataFlags
	var t trainFlags
	d.register(fs)
	t.register(fs, true, false)
	out := fs.String("out", "", "output folder (required unless --resume)")
	resume := fs.String("resume", "", "continue the run in this folder (its settings are kept; --threads, --data and --epochs N,\nto train on to N epochs, apply)")
	force := fs.Bool("force", false, "replace the run that --out already holds (its model, state and metrics)")
	if err := parse(fs, args); err != nil {
		return err
	}
	mc, cfg, err := t.config(&d)
	if err != nil {
		return err
	}
	if *resume == "" {
		warnWarmup(cfg.KLWarmup, cfg.Beta, cfg.Epochs, stderr)
	}
	var from *resumePoint
	if *resume != "" {
		if *out != "" && *out != *resume {
			return usagef("--out and --resume name different folders; --resume writes into its own folder")
		}
		*out = *resume
		if err := onlyResumeFlags(fs); err != nil {
			return err
		}
		if err := checkResumeFolder(*resume); err != nil {
			return err
		}
		m, saved, st, err := train.LoadState(filepath.Join(*resume, stateFile))
		if err != nil {
			return fmt.Errorf("cannot resume: %w", err)
		}
		saved.Threads = d.threads
		if d.seed != 0 && d.seed != saved.Seed {
			return usagef("--seed %d differs from the interrupted run's %d; drop --seed to resume", d.seed, saved.Seed)
		}
		if d.dataset != "mnist" && d.dataset != saved.Dataset {
			return usagef("--dataset %s differs from the interrupted run's %s; drop it to resume", d.dataset, saved.Dataset)
		}
		if fs.wasSet("epochs") {
			if err := extend(&saved, cfg.Epochs); err != nil {
				return err
			}
		}
		if st.Epoch > saved.Epochs {
			fmt.Fprintf(stderr, "%s holds a finished run (%d of %d epochs): nothing to do, no file rewritten.\nTo train it longer: latent train --resume %s --epochs N (N > %d)\n",
				*resume, len(st.History), saved.Epochs, *resume, saved.Epochs)
			return nil
		}
		d.seed, d.dataset = saved.Seed, saved.Dataset
		mc, cfg, from = m.Config, saved, &resumePoint{m, st}
	}
	if *out == "" {
		return usagef("--out is required: the folder for the checkpoint and metrics")
	}
	if from == nil {
		if err := checkFresh(*out, "latent train --resume "+*out, *force); err != nil {
			return err
		}
	}
	data, _, ctx, stop, err := d.startRun(*out)
	if err != nil {
		return err
	}
	defer stop()
	_, _, err = trainModel(ctx, mc, cfg, data, *out, stdout, stderr, from, "latent train --resume "+*out)
	return err
}

// resumeFlags are the flags that may come with --resume: the rest of a run's
// settings are the run's own.
var resumeFlags = []string{"resume", "out", "threads", "data", "dataset", "seed", "epochs"}

// onlyResumeFlags refuses a setting that --resume would otherwise ignore.
func onlyResumeFlags(fs *flagSet) error {
	var bad string
	fs.Visit(func(f *flag.Flag) {
		if bad == "" && !slices.Contains(resumeFlags, f.Name) {
			bad = f.Name
		}
	})
	if bad != "" {
		return usagef("--%s cannot change a run being resumed: it keeps its own settings (only --threads, --data and --epochs apply); drop --%s", bad, bad)
	}
	return nil
}

// extend sets a resumed run's epochs to n. A run is never shortened, and a
// schedule that depends on the run's length (a cosine learning rate, KL
// cycles) cannot be extended: the epochs already trained followed the old
// length, so the result would not be the run trained to n in one go.
func extend(cfg *train.Config, n int) error {
	switch {
	case n == cfg.Epochs:
		return nil
	case n < cfg.Epochs:
		return usagef("--epochs %d: the run was set up for %d epochs and cannot be shortened", n, cfg.Epochs)
	case cfg.LRSchedule == "cosine":
		return usagef("--epochs %d: this run's learning rate follows a cosine over its %d epochs, so training on would not give the run trained to %d epochs in one go; train a new run with --epochs %d --lr-schedule cosine", n, cfg.Epochs, n, n)
	case cfg.KLCycles > 0:
		return usagef("--epochs %d: this run's %d KL cycles are spread over its %d epochs, so training on would not give the run trained to %d epochs in one go; train a new run with --epochs %d", n, cfg.KLCycles, cfg.Epochs, n, n)
	}
	cfg.Epochs = n
	return nil
}

// runFiles are the files a training run writes into its folder.
var runFiles = []string{"model.safetensors", stateFile, "metrics.csv", "metrics.json"}

// checkFresh refuses to train into dir when it already holds a run (unless
// force): how to continue it is cont.
func checkFresh(dir, cont string, force bool) error {
	if force {
		return nil
	}
	for _, f := range runFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return usagef("%s already holds a training run (%s); continue it with '%s', or replace it with --force", dir, f, cont)
		}
	}
	return nil
}

// stateFile is the training state written beside the model.
const stateFile = "state.safetensors"

// resumePoint is an interrupted run to continue.
type resumePoint struct {
	m  *model.Model
	st *train.State
}

// trainModel trains one model (or continues from) with progress and
// messages on stderr and a line per epoch on stdout. After each epoch it
// writes DIR/model.safetensors, DIR/state.safetensors and the metrics; on
// Ctrl-C it writes the state after the current step and says that the command
// cont continues it.
func trainModel(ctx context.Context, mc model.Config, cfg train.Config, data train.Data, dir string,
	stdout, stderr io.Writer, from *resumePoint, cont string) (*model.Model, []train.Metrics, error) {
	if err := atomicfile.CheckWritable(dir); err != nil {
		return nil, nil, err
	}
	var m *model.Model
	var st *train.State
	if from != nil {
		m, st = from.m, from.st
		fmt.Fprintf(stderr, "resuming %s at epoch %d, batch %d\n", describe(mc), st.Epoch, st.Batch)
	} else {
		var err error
		if m, err = model.New(mc, cfg.Seed); err != nil {
			return nil, nil, usagef("%v", err)
		}
	}
	fmt.Fprintf(stderr, "training %s (%d parameters) on %d images, validating on %d: %d epochs, batch %d, lr %g, %d threads\n",
		describe(mc), m.Params.Size, len(data.Train), len(data.Val), cfg.Epochs, cfg.Batch, cfg.LR, cfg.Threads)
	meta := map[string]string{
		"latent.dataset": cfg.Dataset,
		"latent.seed":    strconv.FormatUint(cfg.Seed, 10),
		"latent.batch":   strconv.Itoa(cfg.Batch),
		"latent.lr":      strconv.FormatFloat(cfg.LR, 'g', -1, 64),
		"latent.beta":    strconv.FormatFloat(cfg.Beta, 'g', -1, 64),
		"latent.version": version,
	}
	modelPath, statePath := filepath.Join(dir, "model.safetensors"), filepath.Join(dir, stateFile)
	// save writes the model, its metrics and the training state: each file
	// atomically, so a crash leaves the previous epoch's files whole.
	save := func(st *train.State) error {
		meta["latent.epochs"] = strconv.Itoa(len(st.History))
		if err := m.Save(modelPath, meta); err != nil {
			return err
		}
		if err := train.WriteCSV(filepath.Join(dir, "metrics.csv"), st.History); err != nil {
			return err
		}
		if err := train.WriteJSON(filepath.Join(dir, "metrics.json"), map[string]any{
			"model": mc, "config": cfg, "epochs": st.History}); err != nil {
			return err
		}
		return train.SaveState(statePath, m, cfg, st)
	}
	bar := newProgress(stderr)
	hooks := train.Hooks{
		Batch: func(epoch, done, total int) {
			bar.update(fmt.Sprintf("%s epoch %d/%d", mc.Kind, epoch, cfg.Epochs), done, total)
		},
		Epoch: func(met train.Metrics) {
			bar.done()
			fmt.Fprintln(stdout, epochLine(mc.Kind, met))
		},
		Checkpoint: save,
	}
	history, err := train.Resume(ctx, m, data, cfg, hooks, st)
	bar.done()
	switch {
	case errors.Is(err, train.ErrInterrupted):
		return nil, history, fmt.Errorf("%w: the state after the last step is in %s; continue with:\n  %s",
			errInterrupted, statePath, cont)
	case err != nil:
		// a diverged model is not saved: the files of the last good epoch stay
		if len(history) > 0 {
			err = fmt.Errorf("%w\nthe last good epoch (%d) is saved in %s", err, len(history), modelPath)
		}
		return nil, history, err
	}
	if cfg.Prior > 0 {
		if err := storePrior(m, data, cfg, meta, modelPath, stderr); err != nil {
			return nil, history, err
		}
	}
	fmt.Fprintf(stderr, "wrote %s, %s, %s and %s\n", modelPath, filepath.Join(dir, "metrics.csv"), filepath.Join(dir, "metrics.json"), statePath)
	return m, history, nil
}

// storePrior fits the mixture prior cfg asks for to m's training codes and
// saves m with it to modelPath.
func storePrior(m *model.Model, data train.Data, cfg train.Config, meta map[string]string, modelPath string, stderr io.Writer) error {
	start := time.Now()
	fmt.Fprintf(stderr, "fitting a %d-component mixture prior to the training images' codes…\n", cfg.Prior)
	if _, err := train.SavePrior(m, data, train.PriorOf(cfg), modelPath, meta); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "prior: %d-component mixture fitted in %.1fs, stored in %s\n", m.Prior.K(), time.Since(start).Seconds(), modelPath)
	return nil
}

func describe(mc model.Config) string {
	w := ""
	if mc.Width != model.SeedWidth(1) {
		w = fmt.Sprintf(", channels %d-%d-%d", mc.Width[0], mc.Width[1], mc.Width[2])
	}
	switch mc.Kind {
	case model.VAE, model.CVAE:
		lik := ""
		if mc.Lik() != model.MSESum {
			lik = ", " + string(mc.Lik()) + " likelihood"
		}
		return fmt.Sprintf("%s (latent %d%s%s)", strings.ToUpper(string(mc.Kind)), mc.Latent, w, lik)
	}
	s := mc.CodeShape()
	return fmt.Sprintf("AE (code %d×%d×%d%s)", s[0], s[1], s[2], w)
}

func epochLine(kind model.Kind, m train.Metrics) string {
	if kind == model.AE {
		return fmt.Sprintf("epoch %2d  train mse/pixel %.5f  val mse/pixel %.5f  %5.1fs  %6.0f img/s",
			m.Epoch, m.TrainLoss, m.ValLoss, m.Seconds, m.ImagesPerSec)
	}
	return fmt.Sprintf("epoch %2d  train loss/image %7.2f (rec %6.2f + kl %5.2f)  val %7.2f (rec %6.2f + kl %5.2f, %d active units)  %5.1fs  %6.0f img/s",
		m.Epoch, m.TrainLoss, m.TrainRec, m.TrainKL, m.ValLoss, m.ValRec, m.ValKL, m.ActiveUnits, m.Seconds, m.ImagesPerSec)
}

// checkResumeFolder says what is wrong with a --resume folder that holds no
// training state: none, a file, or a run whose state file is gone.
func checkResumeFolder(dir string) error {
	const what = "give the --out folder of an interrupted or finished 'latent train' run"
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, iofs.ErrNotExist):
		return fmt.Errorf("--resume %s: no such folder; %s", dir, what)
	case err != nil:
		return fmt.Errorf("--resume %s: %w", dir, err)
	case !st.IsDir():
		return fmt.Errorf("--resume %s is a file, not a run folder; %s", dir, what)
	}
	if _, err := os.Stat(filepath.Join(dir, stateFile)); errors.Is(err, iofs.ErrNotExist) {
		if _, err := os.Stat(filepath.Join(dir, "model.safetensors")); err == nil {
			return fmt.Errorf("--resume %s: its %s is gone, so the run cannot continue exactly; train it again with --out %s --force", dir, stateFile, dir)
		}
		return fmt.Errorf("--resume %s holds no training run (no %s); %s", dir, stateFile, what)
	}
	return nil
}

// warnWarmup says on stderr when --kl-warmup is longer than the run: the KL
// weight then never reaches --beta (legal, for a run to be extended with
// --resume --epochs, but most likely a slip).
func warnWarmup(warmup, beta float64, epochs int, stderr io.Writer) {
	if warmup > float64(epochs) {
		fmt.Fprintf(stderr, "warning: --kl-warmup %g is longer than the run (--epochs %d): the KL weight only reaches about %.3g × --beta %g\n",
			warmup, epochs, float64(epochs)/warmup, beta)
	}
}
