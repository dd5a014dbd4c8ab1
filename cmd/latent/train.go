package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"

	"latent/internal/atomicfile"
	"latent/model"
	"latent/train"
)

var errInterrupted = errors.New("interrupted")

func runTrain(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("train", "Train an AE or a VAE on MNIST and write DIR/model.safetensors,\nDIR/metrics.csv and DIR/metrics.json.",
		"latent train --model vae --epochs 10 --out runs/vae", stdout)
	var d dataFlags
	var t trainFlags
	d.register(fs)
	t.register(fs, true)
	out := fs.String("out", "", "output folder (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	mc, cfg, err := t.config(&d)
	if err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out is required: the folder for the checkpoint and metrics")
	}
	if err := atomicfile.CheckWritable(*out); err != nil {
		return err
	}
	data, _, err := d.load()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	_, _, err = trainModel(ctx, mc, cfg, data, *out, stdout, stderr)
	return err
}

// trainModel trains one model with progress on stderr and a line per epoch on
// stdout, then writes DIR/model.safetensors and the metrics. On Ctrl-C it
// still writes what it has, and says so.
func trainModel(ctx context.Context, mc model.Config, cfg train.Config, data train.Data, dir string,
	stdout, stderr io.Writer) (*model.Model, []train.Metrics, error) {
	if err := atomicfile.CheckWritable(dir); err != nil {
		return nil, nil, err
	}
	m, err := model.New(mc, cfg.Seed)
	if err != nil {
		return nil, nil, usagef("%v", err)
	}
	fmt.Fprintf(stdout, "training %s (%d parameters) on %d images, validating on %d: %d epochs, batch %d, lr %g, %d threads\n",
		describe(mc), m.Params.Size, len(data.Train), len(data.Val), cfg.Epochs, cfg.Batch, cfg.LR, cfg.Threads)
	bar := newProgress(stderr)
	hooks := train.Hooks{
		Batch: func(epoch, done, total int) {
			bar.update(fmt.Sprintf("%s epoch %d/%d", mc.Kind, epoch, cfg.Epochs), done, total)
		},
		Epoch: func(met train.Metrics) {
			bar.done()
			fmt.Fprintln(stdout, epochLine(mc.Kind, met))
		},
	}
	history, fitErr := train.Fit(ctx, m, data, cfg, hooks)
	bar.done()
	meta := map[string]string{
		"latent.epochs":  strconv.Itoa(len(history)),
		"latent.seed":    strconv.FormatUint(cfg.Seed, 10),
		"latent.batch":   strconv.Itoa(cfg.Batch),
		"latent.lr":      strconv.FormatFloat(cfg.LR, 'g', -1, 64),
		"latent.beta":    strconv.FormatFloat(cfg.Beta, 'g', -1, 64),
		"latent.version": version,
	}
	interrupted := fitErr != nil && errors.Is(fitErr, context.Canceled)
	if fitErr != nil && !interrupted {
		// a diverged model is not worth keeping; the metrics so far are
		if len(history) > 0 {
			_ = train.WriteCSV(filepath.Join(dir, "metrics.csv"), history)
		}
		return nil, history, fitErr
	}
	path := filepath.Join(dir, "model.safetensors")
	if err := m.Save(path, meta); err != nil {
		return nil, history, err
	}
	if err := train.WriteCSV(filepath.Join(dir, "metrics.csv"), history); err != nil {
		return nil, history, err
	}
	if err := train.WriteJSON(filepath.Join(dir, "metrics.json"), map[string]any{
		"model": mc, "config": cfg, "epochs": history}); err != nil {
		return nil, history, err
	}
	if interrupted {
		return nil, history, fmt.Errorf("%w after %d complete epochs; the model as it was is in %s", errInterrupted, len(history), path)
	}
	fmt.Fprintf(stdout, "wrote %s, %s and %s\n", path, filepath.Join(dir, "metrics.csv"), filepath.Join(dir, "metrics.json"))
	return m, history, nil
}

func describe(mc model.Config) string {
	if mc.Kind == model.VAE {
		return fmt.Sprintf("VAE (latent %d)", mc.Latent)
	}
	return "AE (code 8×4×4)"
}

func epochLine(kind model.Kind, m train.Metrics) string {
	if kind == model.AE {
		return fmt.Sprintf("epoch %2d  train mse/pixel %.5f  val mse/pixel %.5f  %5.1fs  %6.0f img/s",
			m.Epoch, m.TrainLoss, m.ValLoss, m.Seconds, m.ImagesPerSec)
	}
	return fmt.Sprintf("epoch %2d  train loss/image %7.2f (rec %6.2f + kl %5.2f)  val %7.2f (rec %6.2f + kl %5.2f)  %5.1fs  %6.0f img/s",
		m.Epoch, m.TrainLoss, m.TrainRec, m.TrainKL, m.ValLoss, m.ValRec, m.ValKL, m.Seconds, m.ImagesPerSec)
}
