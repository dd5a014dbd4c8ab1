package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"latent/internal/limits"
	"latent/mnist"
	"latent/model"
	"latent/nn"
)

// Config is what a training run needs beyond the model.
type Config struct {
	Dataset string // the --dataset trained on, recorded so that a resumed run reads the same images
	Epochs  int
	Batch   int
	LR      float64
	Beta    float64 // VAE: weight of the KL term (seed 1)
	// KLWarmup ramps the KL weight linearly from 0 to Beta over this many
	// epochs; KLCycles instead repeats a ramp-then-hold cycle that many times
	// over the run (cyclical annealing, Fu et al. 2019). Zero: constant Beta.
	KLWarmup float64
	KLCycles int
	// FreeBits floors each latent dimension's batch-mean KL at this many nats
	// (zero: off).
	FreeBits float64
	// LRSchedule is "constant" (or "") or "cosine": the learning rate decays
	// from LR to 0 along half a cosine over the run.
	LRSchedule string
	// Prior, when positive, fits a mixture prior of this many components to
	// the training images' codes after training (FitPrior) and stores it in
	// the model; sampling then draws from it instead of N(0, I).
	Prior int
	// PriorTemperature scales the prior components' standard deviations
	// (see PriorConfig.Temperature; 0 means 1).
	PriorTemperature float64
	Seed             uint64
	Threads          int // ≤ 0: all cores
}

// SeedConfig is the tutorial's setting: 10 epochs, batch 64, Adam 1e-3.
func SeedConfig() Config {
	return Config{Epochs: 10, Batch: 64, LR: 1e-3, Beta: 1}
}

// Validate reports the first value that cannot work. The ranges are
// latent/internal/limits', the ones the command line checks its flags with.
func (c Config) Validate() error {
	for _, r := range []struct {
		l limits.Int
		v int
	}{{limits.Epochs, c.Epochs}, {limits.Batch, c.Batch}, {limits.KLCycles, c.KLCycles}, {limits.Prior, c.Prior}} {
		if err := r.l.Check(r.v); err != nil {
			return err
		}
	}
	if _, err := priorTemperature(c.PriorTemperature); err != nil {
		return err
	}
	for _, r := range []struct {
		l limits.Float
		v float64
	}{{limits.LR, c.LR}, {limits.Beta, c.Beta}, {limits.KLWarmup, c.KLWarmup}, {limits.FreeBits, c.FreeBits}} {
		if err := r.l.Check(r.v); err != nil {
			return err
		}
	}
	switch {
	case c.KLWarmup > 0 && c.KLCycles > 0:
		return fmt.Errorf("choose a KL warm-up or KL cycles, not both")
	case c.LRSchedule != "" && c.LRSchedule != "constant" && c.LRSchedule != "cosine":
		return fmt.Errorf("unknown learning-rate schedule %q (want constant or cosine)", c.LRSchedule)
	}
	return nil
}

// LRAt is the learning rate for batch b (0-based) of nb in epoch (1-based).
func (c Config) LRAt(epoch, b, nb int) float64 {
	if c.LRSchedule != "cosine" {
		return c.LR
	}
	t := (float64(epoch-1) + float64(b)/float64(max(nb, 1))) / float64(c.Epochs)
	return c.LR * 0.5 * (1 + math.Cos(math.Pi*t))
}

// BetaAt is the KL weight for batch b (0-based) of nb in epoch (1-based).
// Cycles ramp from 0 to Beta over the first half of each cycle and hold it
// over the second.
func (c Config) BetaAt(epoch, b, nb int) float64 {
	t := float64(epoch-1) + float64(b)/float64(max(nb, 1)) // epochs done
	switch {
	case c.KLCycles > 0:
		period := float64(c.Epochs) / float64(c.KLCycles)
		tau := math.Mod(t, period) / period
		return c.Beta * math.Min(1, tau/0.5)
	case c.KLWarmup > 0:
		return c.Beta * math.Min(1, t/c.KLWarmup)
	}
	return c.Beta
}

// Data is a training set with its train/validation split.
type Data struct {
	Set        *mnist.Set
	Train, Val []int // indices into Set
}

// Metrics are one epoch's figures. Losses follow the seed: the AE's is the
// mean squared error per pixel, the VAE's is summed squared error + KL per image.
type Metrics struct {
	Epoch        int     `json:"epoch"`
	TrainLoss    float64 `json:"train_loss"`
	ValLoss      float64 `json:"val_loss"`
	TrainRec     float64 `json:"train_rec"` // VAE: per image
	TrainKL      float64 `json:"train_kl"`
	ValRec       float64 `json:"val_rec"`
	ValKL        float64 `json:"val_kl"`
	Seconds      float64 `json:"seconds"` // training phase only
	ImagesPerSec float64 `json:"images_per_sec"`
	// VAE, on the validation images: each latent dimension's KL per image, and
	// how many dimensions are active (Var_x(mu_j) > 0.01).
	ValKLDim    []float64 `json:"val_kl_dim,omitempty"`
	ActiveUnits int       `json:"active_units,omitempty"`
}

// Loss turns totals into the reported loss (and for a VAE its two terms).
func Loss(kind model.Kind, t Totals) (loss, rec, kl float64) {
	n := float64(t.Images)
	if kind == model.AE {
		mse := t.SquaredError / (n * model.Pixels)
		return mse, mse, 0
	}
	rec, kl = t.Rec/n, t.KL/n
	return rec + kl, rec, kl
}

// Hooks receive progress; any may be nil.
type Hooks struct {
	Batch func(epoch, done, total int) // after each training batch
	Epoch func(Metrics)                // after each epoch (with validation)
	// Checkpoint receives the state to save after each epoch and when training
	// is interrupted; an error stops training.
	Checkpoint func(*State) error
}

// ErrInterrupted is returned (wrapping the context's error) when training
// stopped because its context was cancelled; the state was checkpointed.
var ErrInterrupted = errors.New("training interrupted")

// Fit trains m on data for cfg.Epochs epochs and returns each epoch's metrics.
// It stops early, with the metrics so far, when ctx is cancelled (after the
// current step, with a checkpoint) or when the loss stops being a finite number.
func Fit(ctx context.Context, m *model.Model, data Data, cfg Config, hooks Hooks) ([]Metrics, error) {
	return Resume(ctx, m, data, cfg, hooks, nil)
}

// Resume continues training from st (nil: from the start). m must hold the
// weights saved with st. The result is bit-identical to an uninterrupted run.
func Resume(ctx context.Context, m *model.Model, data Data, cfg Config, hooks Hooks, st *State) ([]Metrics, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	e := NewEngine(m, cfg.Batch, cfg.Threads)
	defer e.Close()
	obj := Objective{MeanPixels: m.Kind == model.AE, Beta: float32(cfg.Beta), FreeBits: float32(cfg.FreeBits)}
	if st == nil {
		st = &State{Epoch: 1, Adam: nn.NewAdam(m.Params.Size, cfg.LR)}
	}
	if len(st.Adam.M) != m.Params.Size {
		return nil, fmt.Errorf("training state has %d optimiser values for a model of %d parameters", len(st.Adam.M), m.Params.Size)
	}
	st.Adam.LR = cfg.LR
	checkpoint := func() error {
		if hooks.Checkpoint == nil {
			return nil
		}
		return hooks.Checkpoint(st)
	}
	for ; st.Epoch <= cfg.Epochs; st.nextEpoch() {
		epoch := st.Epoch
		start := time.Now()
		order := mnist.EpochOrder(data.Train, cfg.Seed, epoch)
		batches := mnist.Batches(order, cfg.Batch)
		noise := rand.NewPCG(cfg.Seed, uint64(epoch)<<8|1)
		if st.Noise != nil {
			if err := noise.UnmarshalBinary(st.Noise); err != nil {
				return st.History, fmt.Errorf("training state: noise generator: %w", err)
			}
		}
		rng := rand.New(noise)
		for ; st.Batch < len(batches); st.Batch++ {
			if err := ctx.Err(); err != nil {
				st.Noise, _ = noise.MarshalBinary()
				st.Seconds += time.Since(start).Seconds()
				if cerr := checkpoint(); cerr != nil {
					return st.History, cerr
				}
				return st.History, fmt.Errorf("%w: %w", ErrInterrupted, err)
			}
			obj.Beta = float32(cfg.BetaAt(epoch, st.Batch, len(batches)))
			st.Adam.LR = cfg.LRAt(epoch, st.Batch, len(batches))
			l := e.Step(st.Adam, data.Set, batches[st.Batch], rng, obj)
			if math.IsNaN(l.Rec+l.KL) || math.IsInf(l.Rec+l.KL, 0) {
				return st.History, fmt.Errorf("epoch %d, step %d: the loss is not a finite number (%g); the learning rate (%g) is probably too high", epoch, st.Batch+1, l.Rec+l.KL, cfg.LR)
			}
			st.Partial.SquaredError += l.SquaredError
			st.Partial.Rec += l.Rec
			st.Partial.KL += l.KL
			if hooks.Batch != nil {
				hooks.Batch(epoch, st.Batch+1, len(batches))
			}
		}
		secs := st.Seconds + time.Since(start).Seconds()
		st.Seconds = 0
		met := Metrics{Epoch: epoch, Seconds: secs, ImagesPerSec: float64(len(order)) / secs}
		st.Partial.Images = len(order)
		met.TrainLoss, met.TrainRec, met.TrainKL = Loss(m.Kind, st.Partial)
		val := e.Evaluate(data.Set, data.Val, rand.New(rand.NewPCG(cfg.Seed, uint64(epoch)<<8|2)))
		met.ValLoss, met.ValRec, met.ValKL = Loss(m.Kind, val)
		if m.IsVAE() {
			met.ValKLDim, met.ActiveUnits = val.Dims.KLPerImage(val.Images), val.Dims.ActiveUnits(val.Images)
		}
		st.History = append(st.History, met)
		if hooks.Epoch != nil {
			hooks.Epoch(met)
		}
		// the state after a finished epoch starts the next one
		next := *st
		next.nextEpoch()
		if hooks.Checkpoint != nil {
			if err := hooks.Checkpoint(&next); err != nil {
				return st.History, err
			}
		}
	}
	return st.History, nil
}
