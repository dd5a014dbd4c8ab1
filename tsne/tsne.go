// Package tsne embeds high-dimensional points in 2-D with t-SNE (van der
// Maaten 2014, Barnes–Hut), deterministically and independently of the
// number of cores.
//
// The pipeline follows sklearn and openTSNE: exact k nearest neighbours
// (k = 3·perplexity), Gaussian conditional affinities calibrated to the
// perplexity (sklearn's bracket and tolerance, Newton steps), symmetrised
// into a sparse P; PCA initialisation scaled to standard deviation 1e-4;
// gradient descent with momentum, delta-bar-delta gains and early
// exaggeration; attraction over the sparse P and Barnes–Hut repulsion over a
// quadtree rebuilt every iteration.
//
// Speed: the neighbours are ranked by float32 Gram tiles (tensor.MatMulAdd)
// and re-ranked exactly in float64; the optimiser renumbers the points in
// the quadtree's Morton order so that P's rows read the map from cache,
// builds the tree while the attraction runs, shares one interaction list
// among the points of a cell (built top down, summaries inherited from the
// cell's ancestors) and runs both forces in float32 AVX2 kernels. Every
// assembly kernel has a pure-Go twin, the only code under the build tag
// noasm or off amd64.
//
// Every parallel step writes per-point slots only and every sum runs in a
// fixed order, so the result is bit-identical for any Options.Threads.
package tsne

import (
	"fmt"
	"math"
	"runtime"
	"time"
)

// Options tune an embedding; DefaultOptions gives the usual values. Zero
// fields take their defaults, so Options{} is valid too.
type Options struct {
	Perplexity   float64               // effective number of neighbours (default 30)
	Iterations   int                   // gradient steps in all, including early exaggeration (default 500)
	Exaggeration float64               // early exaggeration (default 12), for the first 250 steps
	LearningRate float64               // 0: auto, max(N/Exaggeration, 50) as openTSNE/sklearn "auto"
	Theta        float64               // Barnes–Hut accuracy (default 0.5)
	Seed         uint64                // only for degenerate PCA components (e.g. d = 1), which get seeded noise
	Threads      int                   // ≤ 0: runtime.GOMAXPROCS(0); the result does not depend on it
	Progress     func(iter, total int) // optional, called every 10 iterations and at the end
}

// DefaultOptions are perplexity 30, 500 iterations of which the first 250
// use exaggeration 12, automatic learning rate and θ = 0.5. On the MNIST
// test codes 500, 750 (openTSNE's 250 + 500) and 1000 (sklearn's)
// iterations give the same 10-NN accuracy; more iterations only spread the
// clusters further apart.
func DefaultOptions() Options {
	return Options{Perplexity: 30, Iterations: 500, Exaggeration: 12, Theta: 0.5}
}

// exaggerationSteps is the length of the early-exaggeration phase (momentum
// 0.5); the rest uses momentum 0.8 and no exaggeration.
const exaggerationSteps = 250

// Timings are the wall times of the stages of one embedding.
type Timings struct {
	Neighbours time.Duration // exact k nearest neighbours
	Affinities time.Duration // perplexity calibration and symmetric P
	Init       time.Duration // PCA initialisation
	Optimise   time.Duration // gradient descent
}

// Embed maps n points of dimension d (x row-major [n][d]) to 2-D, returned
// row-major [n][2].
func Embed(x []float32, n, d int, opt Options) ([]float64, error) {
	y, _, err := EmbedTimed(x, n, d, opt)
	return y, err
}

// EmbedTimed is Embed that also reports how long each stage took.
func EmbedTimed(x []float32, n, d int, opt Options) ([]float64, Timings, error) {
	var tm Timings
	opt, err := check(x, n, d, opt)
	if err != nil {
		return nil, tm, err
	}
	threads := opt.Threads
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	k := min(n-1, max(1, int(math.Floor(3*opt.Perplexity))))

	t0 := time.Now()
	nbr, dist := knn(x, n, d, k, threads)
	t1 := time.Now()
	p := affinities(nbr, dist, n, k, opt.Perplexity, threads)
	t2 := time.Now()
	y := pcaInit(x, n, d, opt.Seed, threads)
	t3 := time.Now()
	lr := opt.LearningRate
	if lr == 0 {
		lr = max(float64(n)/opt.Exaggeration, 50)
	}
	optimise(y, p, n, opt, lr, threads)
	t4 := time.Now()
	tm = Timings{t1.Sub(t0), t2.Sub(t1), t3.Sub(t2), t4.Sub(t3)}
	return y, tm, nil
}

// check validates the input and fills in defaults.
func check(x []float32, n, d int, opt Options) (Options, error) {
	switch {
	case n < 2:
		return opt, fmt.Errorf("tsne: need at least 2 points, got %d", n)
	case d < 1:
		return opt, fmt.Errorf("tsne: dimension must be at least 1, got %d", d)
	case len(x) != n*d:
		return opt, fmt.Errorf("tsne: got %d values for %d points of dimension %d (want %d)", len(x), n, d, n*d)
	case n > math.MaxInt32:
		return opt, fmt.Errorf("tsne: too many points (%d)", n)
	}
	def := DefaultOptions()
	if opt.Perplexity == 0 {
		opt.Perplexity = def.Perplexity
	}
	if opt.Iterations == 0 {
		opt.Iterations = def.Iterations
	}
	if opt.Exaggeration == 0 {
		opt.Exaggeration = def.Exaggeration
	}
	if opt.Theta == 0 {
		opt.Theta = def.Theta
	}
	switch {
	case !(opt.Perplexity > 0) || math.IsInf(opt.Perplexity, 0):
		return opt, fmt.Errorf("tsne: perplexity must be positive and finite, got %g", opt.Perplexity)
	case opt.Perplexity >= float64(n):
		return opt, fmt.Errorf("tsne: perplexity %g must be less than the number of points (%d)", opt.Perplexity, n)
	case opt.Iterations < 0:
		return opt, fmt.Errorf("tsne: iterations must be positive, got %d", opt.Iterations)
	case !(opt.Exaggeration >= 1) || math.IsInf(opt.Exaggeration, 0):
		return opt, fmt.Errorf("tsne: exaggeration must be at least 1 and finite, got %g", opt.Exaggeration)
	case !(opt.LearningRate >= 0) || math.IsInf(opt.LearningRate, 0):
		return opt, fmt.Errorf("tsne: learning rate must be positive and finite (0 for auto), got %g", opt.LearningRate)
	case !(opt.Theta > 0) || math.IsInf(opt.Theta, 0):
		return opt, fmt.Errorf("tsne: theta must be positive and finite, got %g", opt.Theta)
	}
	for i, v := range x {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			return opt, fmt.Errorf("tsne: value %d (point %d, coordinate %d) is %g", i, i/d, i%d, v)
		}
	}
	return opt, nil
}
