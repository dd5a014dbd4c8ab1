package train

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"latent/mnist"
	"latent/model"
	"latent/nn"
)

// Config is what a training run needs beyond the model.
type Config struct {
	Epochs  int
	Batch   int
	LR      float64
	Beta    float64 // VAE: weight of the KL term (seed 1)
	Seed    uint64
	Threads int // ≤ 0: all cores
}

// SeedConfig is the tutorial's setting: 10 epochs, batch 64, Adam 1e-3.
func SeedConfig() Config {
	return Config{Epochs: 10, Batch: 64, LR: 1e-3, Beta: 1}
}

// Validate reports the first value that cannot work.
func (c Config) Validate() error {
	switch {
	case c.Epochs < 1:
		return fmt.Errorf("epochs must be at least 1, got %d", c.Epochs)
	case c.Batch < 1 || c.Batch > 65536:
		return fmt.Errorf("batch must be in 1..65536, got %d", c.Batch)
	case !(c.LR > 0) || math.IsInf(c.LR, 0):
		return fmt.Errorf("learning rate must be a positive number, got %g", c.LR)
	case !(c.Beta >= 0) || math.IsInf(c.Beta, 0):
		return fmt.Errorf("beta must be a non-negative number, got %g", c.Beta)
	}
	return nil
}

// Data is a training set with its train/validation split.
type Data struct {
	Set        *mnist.Set
	Train, Val []int // indices into Set
}

// Metrics are one epoch's figures. Losses follow the seed: the AE's is the
// mean squared error per pixel, the VAE's is summed squared error + KL per image.
type Metrics struct {
	Epoch                 int
	TrainLoss, ValLoss    float64
	TrainRec, TrainKL     float64 // VAE: per image
	ValRec, ValKL         float64 // VAE: per image
	Seconds, ImagesPerSec float64 // training phase only
}

// Loss turns totals into the reported loss (and for a VAE its two terms).
func Loss(kind model.Kind, t Totals) (loss, rec, kl float64) {
	n := float64(t.Images)
	if kind == model.AE {
		mse := t.SquaredError / (n * model.Pixels)
		return mse, mse, 0
	}
	rec, kl = t.SquaredError/n, t.KL/n
	return rec + kl, rec, kl
}

// Hooks receive progress; any may be nil.
type Hooks struct {
	Batch func(epoch, done, total int) // after each training batch
	Epoch func(Metrics)                // after each epoch (with validation)
}

// Fit trains m on data for cfg.Epochs epochs and returns each epoch's metrics.
// It stops early, with the metrics so far, when ctx is cancelled (after the
// current step) or when the loss stops being a finite number.
func Fit(ctx context.Context, m *model.Model, data Data, cfg Config, hooks Hooks) ([]Metrics, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	e := NewEngine(m, cfg.Batch, cfg.Threads)
	defer e.Close()
	opt := nn.NewAdam(m.Params.Size, cfg.LR)
	obj := Objective{MeanPixels: m.Kind == model.AE, Beta: float32(cfg.Beta)}
	var history []Metrics
	for epoch := 1; epoch <= cfg.Epochs; epoch++ {
		start := time.Now()
		order := mnist.EpochOrder(data.Train, cfg.Seed, epoch)
		batches := mnist.Batches(order, cfg.Batch)
		rng := rand.New(rand.NewPCG(cfg.Seed, uint64(epoch)<<8|1))
		tot := Totals{Images: len(order)}
		for b, idx := range batches {
			if err := ctx.Err(); err != nil {
				return history, err
			}
			l := e.Step(opt, data.Set, idx, rng, obj)
			if math.IsNaN(l.SquaredError+l.KL) || math.IsInf(l.SquaredError+l.KL, 0) {
				return history, fmt.Errorf("epoch %d, step %d: the loss is not a finite number (%g); the learning rate (%g) is probably too high", epoch, b+1, l.SquaredError+l.KL, cfg.LR)
			}
			tot.SquaredError += l.SquaredError
			tot.KL += l.KL
			if hooks.Batch != nil {
				hooks.Batch(epoch, b+1, len(batches))
			}
		}
		secs := time.Since(start).Seconds()
		met := Metrics{Epoch: epoch, Seconds: secs, ImagesPerSec: float64(len(order)) / secs}
		met.TrainLoss, met.TrainRec, met.TrainKL = Loss(m.Kind, tot)
		val := e.Evaluate(data.Set, data.Val, rand.New(rand.NewPCG(cfg.Seed, uint64(epoch)<<8|2)))
		met.ValLoss, met.ValRec, met.ValKL = Loss(m.Kind, val)
		history = append(history, met)
		if hooks.Epoch != nil {
			hooks.Epoch(met)
		}
	}
	return history, nil
}
