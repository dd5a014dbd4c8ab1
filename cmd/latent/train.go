package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"latent/internal/atomicfile"
	"latent/model"
	"latent/train"
)

var errInterrupted = errors.New("interrupted")

func runTrain(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("train", "Train an AE or a VAE on MNIST and write DIR/model.safetensors,\nDIR/metrics.csv and DIR/metrics.json. After every epoch (and on Ctrl-C, after the\ncurrent step) it also writes DIR/state.safetensors, from which --resume DIR\ncontinues exactly where training stopped.",
		"latent train --model vae --epochs 10 --out runs/vae", stdout)
	var d dataFlags
	var t trainFlags
	d.register(fs)
	t.register(fs, true, false)
	out := fs.String("out", "", "output folder (required unless --resume)")
	resume := fs.String("resume", "", "continue the interrupted run in this folder (its settings are kept; --threads and --data apply)")
	if err := parse(fs, args); err != nil {
		return err
	}
	mc, cfg, err := t.config(&d)
	if err != nil {
		return err
	}
	var from *resumePoint
	if *resume != "" {
		if *out != "" && *out != *resume {
			return usagef("--out and --resume name different folders; --resume writes into its own folder")
		}
		*out = *resume
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
		d.seed, d.dataset = saved.Seed, saved.Dataset
		mc, cfg, from = m.Config, saved, &resumePoint{m, st}
	}
	if *out == "" {
		return usagef("--out is required: the folder for the checkpoint and metrics")
	}
	data, _, ctx, stop, err := d.startRun(*out)
	if err != nil {
		return err
	}
	defer stop()
	_, _, err = trainModel(ctx, mc, cfg, data, *out, stdout, stderr, from)
	return err
}

// priorIterations is the number of EM iterations of a mixture prior.
const priorIterations = 50

// stateFile is the training state written beside the model.
const stateFile = "state.safetensors"

// resumePoint is an interrupted run to continue.
type resumePoint struct {
	m  *model.Model
	st *train.State
}

// trainModel trains one model (or continues from) with progress on stderr and
// a line per epoch on stdout. After each epoch it writes DIR/model.safetensors,
// DIR/state.safetensors and the metrics; on Ctrl-C it writes the state after the
// current step and says how to resume.
func trainModel(ctx context.Context, mc model.Config, cfg train.Config, data train.Data, dir string,
	stdout, stderr io.Writer, from *resumePoint) (*model.Model, []train.Metrics, error) {
	if err := atomicfile.CheckWritable(dir); err != nil {
		return nil, nil, err
	}
	var m *model.Model
	var st *train.State
	if from != nil {
		m, st = from.m, from.st
		fmt.Fprintf(stdout, "resuming %s at epoch %d, batch %d\n", describe(mc), st.Epoch, st.Batch)
	} else {
		var err error
		if m, err = model.New(mc, cfg.Seed); err != nil {
			return nil, nil, usagef("%v", err)
		}
	}
	fmt.Fprintf(stdout, "training %s (%d parameters) on %d images, validating on %d: %d epochs, batch %d, lr %g, %d threads\n",
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
		return nil, history, fmt.Errorf("%w: the state after the last step is in %s; continue with:\n  latent train --resume %s",
			errInterrupted, statePath, dir)
	case err != nil:
		// a diverged model is not saved: the files of the last good epoch stay
		if len(history) > 0 {
			err = fmt.Errorf("%w\nthe last good epoch (%d) is saved in %s", err, len(history), modelPath)
		}
		return nil, history, err
	}
	if cfg.Prior > 0 {
		start := time.Now()
		fmt.Fprintf(stderr, "fitting a %d-component mixture prior to the training images' codes…\n", cfg.Prior)
		p, err := train.FitPrior(m, data.Set, data.Train, train.PriorConfig{Components: cfg.Prior, Iterations: priorIterations, Seed: cfg.Seed, Threads: cfg.Threads, Temperature: cfg.PriorTemperature})
		if err != nil {
			return nil, history, err
		}
		m.Prior = p
		meta["latent.prior"] = fmt.Sprintf("mixture of %d Gaussians fitted to the posterior means, temperature %g", p.K(), cfg.PriorTemperature)
		if err := m.Save(modelPath, meta); err != nil {
			return nil, history, err
		}
		fmt.Fprintf(stdout, "prior: %d-component mixture fitted in %.1fs, stored in %s\n", p.K(), time.Since(start).Seconds(), modelPath)
	}
	fmt.Fprintf(stdout, "wrote %s, %s, %s and %s\n", modelPath, filepath.Join(dir, "metrics.csv"), filepath.Join(dir, "metrics.json"), statePath)
	return m, history, nil
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
	return fmt.Sprintf("AE (code %d×4×4%s)", mc.Width[2], w)
}

func epochLine(kind model.Kind, m train.Metrics) string {
	if kind == model.AE {
		return fmt.Sprintf("epoch %2d  train mse/pixel %.5f  val mse/pixel %.5f  %5.1fs  %6.0f img/s",
			m.Epoch, m.TrainLoss, m.ValLoss, m.Seconds, m.ImagesPerSec)
	}
	return fmt.Sprintf("epoch %2d  train loss/image %7.2f (rec %6.2f + kl %5.2f)  val %7.2f (rec %6.2f + kl %5.2f, %d active units)  %5.1fs  %6.0f img/s",
		m.Epoch, m.TrainLoss, m.TrainRec, m.TrainKL, m.ValLoss, m.ValRec, m.ValKL, m.ActiveUnits, m.Seconds, m.ImagesPerSec)
}
