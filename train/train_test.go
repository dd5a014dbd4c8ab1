package train

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"latent/mnist"
	"latent/model"
)

// synthetic makes a small MNIST-shaped set of random strokes: enough to
// train on for a few steps without the real data.
func synthetic(n int, seed uint64) *mnist.Set {
	rng := rand.New(rand.NewPCG(seed, 9))
	s := &mnist.Set{N: n, Rows: 28, Cols: 28, Images: make([]uint8, n*784), Labels: make([]uint8, n)}
	for i := range n {
		s.Labels[i] = uint8(i % 10)
		for j := 0; j < 784; j++ {
			if rng.IntN(4) == 0 {
				s.Images[i*784+j] = uint8(rng.IntN(256))
			}
		}
	}
	return s
}

func smallData(t *testing.T) Data {
	t.Helper()
	n := 200
	if testing.Short() {
		n = 120 // .ci/run's arm64 step runs the tests under emulation
	}
	set := synthetic(n, 1)
	tr, val := mnist.Split(set.N, 40, 3)
	return Data{Set: set, Train: tr, Val: val}
}

// TestThreadsDoNotChangeWeights trains the same model with 1, 2 and 4
// threads and requires bit-identical weights and metrics.
func TestThreadsDoNotChangeWeights(t *testing.T) {
	data := smallData(t)
	bern := model.Seed(model.VAE)
	bern.Likelihood = model.Bernoulli
	for _, run := range []struct {
		name     string
		mc       model.Config
		freeBits float64
	}{
		{"ae", model.Seed(model.AE), 0},
		{"vae", model.Seed(model.VAE), 0},
		{"cvae free bits", model.Seed(model.CVAE), 0.5},
		{"vae bernoulli", bern, 0},
	} {
		t.Run(run.name, func(t *testing.T) {
			var first []float32
			var firstLoss float64
			for _, threads := range []int{1, 2, 4} {
				w, loss := fitTwoEpochs(t, run.mc, data, threads, run.freeBits)
				if first == nil {
					first, firstLoss = w, loss
					continue
				}
				if i := firstBitDifference(first, w); i >= 0 {
					t.Errorf("%d threads: weight %d is %g, %g with 1 thread", threads, i, w[i], first[i])
				}
				if loss != firstLoss {
					t.Errorf("%d threads: validation loss %v, 1 thread %v", threads, loss, firstLoss)
				}
			}
		})
	}
}

// fitTwoEpochs trains a fresh model of mc (init seed 7, training seed 5) for
// two epochs of data on threads workers and returns its weights and the last
// validation loss.
func fitTwoEpochs(t *testing.T, mc model.Config, data Data, threads int, freeBits float64) ([]float32, float64) {
	t.Helper()
	m, err := model.New(mc, 7)
	if err != nil {
		t.Fatal(err)
	}
	cfg := SeedConfig()
	cfg.Epochs, cfg.Threads, cfg.Seed, cfg.FreeBits = 2, threads, 5, freeBits
	hist, err := Fit(context.Background(), m, data, cfg, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	return m.Data, hist[len(hist)-1].ValLoss
}

// firstBitDifference is the first index where a and b differ in their bits
// (so -0 and +0, or two NaNs, count as they are), or -1.
func firstBitDifference(a, b []float32) int {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	return -1
}

// TestTrainingReducesLoss checks that a few epochs on a fixed small set lower
// the validation loss: the loop, the gradients and Adam work together.
func TestTrainingReducesLoss(t *testing.T) {
	data := smallData(t)
	for _, kind := range []model.Kind{model.AE, model.VAE} {
		m, _ := model.New(model.Seed(kind), 1)
		cfg := SeedConfig()
		cfg.Epochs, cfg.Batch = 8, 16
		hist, err := Fit(context.Background(), m, data, cfg, Hooks{})
		if err != nil {
			t.Fatal(err)
		}
		if first, last := hist[0].TrainLoss, hist[len(hist)-1].TrainLoss; !(last < 0.9*first) {
			t.Errorf("%s: train loss went from %g to %g", kind, first, last)
		}
	}
}

// TestDivergenceIsReported trains with an absurd learning rate and expects an
// error that names the epoch, the step and the learning rate.
func TestDivergenceIsReported(t *testing.T) {
	data := smallData(t)
	m, _ := model.New(model.Seed(model.VAE), 1)
	cfg := SeedConfig()
	cfg.Epochs, cfg.LR = 5, 1e6
	_, err := Fit(context.Background(), m, data, cfg, Hooks{})
	if err == nil {
		t.Fatal("training with lr 1e6 did not report a non-finite loss")
	}
	t.Log(err)
}

func TestCancelStopsTraining(t *testing.T) {
	data := smallData(t)
	m, _ := model.New(model.Seed(model.AE), 1)
	ctx, cancel := context.WithCancel(context.Background())
	cfg := SeedConfig()
	cfg.Batch = 16
	steps := 0
	hist, err := Fit(ctx, m, data, cfg, Hooks{Batch: func(epoch, done, total int) {
		steps++
		if epoch == 2 && done == 3 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) || len(hist) != 1 {
		t.Fatalf("got %d epochs and error %v, want 1 epoch and context.Canceled", len(hist), err)
	}
	if want := len(mnist.Batches(data.Train, cfg.Batch)) + 3; steps != want {
		t.Fatalf("%d steps ran, want %d", steps, want)
	}
}

// TestResumeIsBitIdentical interrupts a run in the middle of epoch 2, saves
// the state to a file, resumes from it and requires the same final weights
// and metrics as a run never interrupted.
func TestResumeIsBitIdentical(t *testing.T) {
	data := smallData(t)
	for _, kind := range []model.Kind{model.AE, model.VAE} {
		t.Run(string(kind), func(t *testing.T) {
			cfg := SeedConfig()
			cfg.Epochs, cfg.Batch, cfg.Seed, cfg.Threads = 3, 16, 4, 2
			whole, _ := model.New(model.Seed(kind), 3)
			want, err := Fit(context.Background(), whole, data, cfg, Hooks{})
			if err != nil {
				t.Fatal(err)
			}

			m, _ := model.New(model.Seed(kind), 3)
			ctx, cancel := context.WithCancel(context.Background())
			path := filepath.Join(t.TempDir(), "state.safetensors")
			_, err = Fit(ctx, m, data, cfg, Hooks{
				Batch: func(epoch, done, total int) {
					if epoch == 2 && done == 4 {
						cancel()
					}
				},
				Checkpoint: func(st *State) error { return SaveState(path, m, cfg, st) },
			})
			if !errors.Is(err, ErrInterrupted) || !errors.Is(err, context.Canceled) {
				t.Fatalf("interrupted run: %v", err)
			}
			m2, cfg2, st, err := LoadState(path)
			if err != nil {
				t.Fatal(err)
			}
			if st.Epoch != 2 || st.Batch != 4 || cfg2 != cfg {
				t.Fatalf("state at epoch %d batch %d, config %+v", st.Epoch, st.Batch, cfg2)
			}
			got, err := Resume(context.Background(), m2, data, cfg2, Hooks{}, st)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(m2.Data, whole.Data) {
				t.Error("resumed weights differ from the uninterrupted run's")
			}
			if len(got) != len(want) {
				t.Fatalf("%d epochs of metrics, want %d", len(got), len(want))
			}
			for i := range want {
				if got[i].TrainLoss != want[i].TrainLoss || got[i].ValLoss != want[i].ValLoss {
					t.Errorf("epoch %d: losses %v/%v, uninterrupted %v/%v", i+1, got[i].TrainLoss, got[i].ValLoss, want[i].TrainLoss, want[i].ValLoss)
				}
			}
		})
	}
}

// TestLatentDimensionStats: the per-dimension KLs add up to the KL, and
// active units count dimensions whose mean varies across images.
func TestLatentDimensionStats(t *testing.T) {
	data := smallData(t)
	m, _ := model.New(model.Seed(model.VAE), 1)
	cfg := SeedConfig()
	cfg.Epochs, cfg.Batch = 2, 16
	hist, err := Fit(context.Background(), m, data, cfg, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hist {
		if len(h.ValKLDim) != m.Latent || h.ActiveUnits < 0 || h.ActiveUnits > m.Latent {
			t.Fatalf("epoch %d: %d KL dims, %d active units", h.Epoch, len(h.ValKLDim), h.ActiveUnits)
		}
		var sum float64
		for _, v := range h.ValKLDim {
			sum += v
		}
		if math.Abs(sum-h.ValKL) > 1e-9*math.Abs(h.ValKL)+1e-12 {
			t.Errorf("epoch %d: per-dimension KLs sum to %g, KL %g", h.Epoch, sum, h.ValKL)
		}
	}
	// hand-made: dimension 0 varies (values ±1), dimension 1 is constant
	d := newDimStats(2)
	for _, v := range []float64{1, -1, 1, -1} {
		d.Mu[0] += v
		d.MuSq[0] += v * v
		d.Mu[1] += 0.5
		d.MuSq[1] += 0.25
	}
	if au := d.ActiveUnits(4); au != 1 {
		t.Errorf("active units %d, want 1", au)
	}
}

func TestBetaSchedules(t *testing.T) {
	for _, c := range []struct {
		cfg      Config
		epoch, b int
		want     float64
	}{
		{Config{Epochs: 10, Beta: 2}, 3, 5, 2},
		{Config{Epochs: 10, Beta: 2, KLWarmup: 4}, 1, 0, 0},
		{Config{Epochs: 10, Beta: 2, KLWarmup: 4}, 2, 50, 0.75}, // 1.5 of 4 epochs
		{Config{Epochs: 10, Beta: 2, KLWarmup: 4}, 6, 0, 2},
		{Config{Epochs: 10, Beta: 1, KLCycles: 2}, 1, 0, 0},    // period 5: ramp over 2.5 epochs
		{Config{Epochs: 10, Beta: 1, KLCycles: 2}, 2, 25, 0.5}, // 1.25 epochs into the cycle
		{Config{Epochs: 10, Beta: 1, KLCycles: 2}, 4, 0, 1},    // holding
		{Config{Epochs: 10, Beta: 1, KLCycles: 2}, 6, 0, 0},    // the second cycle starts again
	} {
		if got := c.cfg.BetaAt(c.epoch, c.b, 100); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%+v epoch %d batch %d: β %g, want %g", c.cfg, c.epoch, c.b, got, c.want)
		}
	}
	bad := SeedConfig()
	bad.KLWarmup, bad.KLCycles = 2, 2
	if bad.Validate() == nil {
		t.Error("warm-up and cycles together were accepted")
	}
}

// TestReconstructMatchesEvaluate: the bare inference pass gives the squared
// error Evaluate reports for z = mu (VAE) or the code (AE), on any thread count.
func TestReconstructMatchesEvaluate(t *testing.T) {
	data := smallData(t)
	for _, kind := range []model.Kind{model.AE, model.VAE} {
		m, err := model.New(model.Seed(kind), 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, threads := range []int{1, 2} {
			e := NewEngine(m, 64, threads)
			tot := e.Evaluate(data.Set, data.Val, nil)
			want := tot.SquaredError
			if kind == model.VAE {
				want = tot.SquaredErrMu
			}
			if got := e.Reconstruct(data.Set, data.Val); got != want || got == 0 {
				t.Errorf("%s, %d threads: Reconstruct %v, Evaluate %v", kind, threads, got, want)
			}
			e.Close()
		}
	}
}
