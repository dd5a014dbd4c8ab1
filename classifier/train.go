package classifier

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"time"

	"latent/internal/limits"
	"latent/internal/workers"
	"latent/mnist"
	"latent/nn"
)

// ChunkSize is how many images one worker computes at a time (as in package
// train). A batch is cut into chunks of this size whatever the number of
// threads, and the chunks' gradients are summed in chunk order, so the
// weights after training do not depend on the number of cores.
const ChunkSize = 16

// Config is a training run.
type Config struct {
	Arch   Arch
	Epochs int
	Batch  int
	// LR is Adam's initial rate; it decays to zero along a half cosine over
	// the run, step by step.
	LR float64
	// Shift is the augmentation: each training image is translated by a
	// random whole number of pixels in -Shift..Shift along each axis (0: none).
	Shift   int
	Seed    uint64
	Threads int // ≤ 0: all cores
}

// DefaultConfig is the run that gives the cached classifier.
func DefaultConfig() Config {
	return Config{Arch: DefaultArch(), Epochs: 5, Batch: 64, LR: 2e-3, Shift: 2}
}

// Validate reports the first value that cannot work.
func (c Config) Validate() error {
	if err := c.Arch.Validate(); err != nil {
		return err
	}
	for _, r := range []struct {
		l limits.Int
		v int
	}{{limits.Epochs, c.Epochs}, {limits.Batch, c.Batch}, {limits.Shift, c.Shift}} {
		if err := r.l.Check(r.v); err != nil {
			return fmt.Errorf("classifier: %w", err)
		}
	}
	if err := limits.LR.Check(c.LR); err != nil {
		return fmt.Errorf("classifier: %w", err)
	}
	return nil
}

// LRAt is the learning rate of step t (0-based) of a run of total steps.
func (c Config) LRAt(t, total int) float64 {
	return c.LR * 0.5 * (1 + math.Cos(math.Pi*float64(t)/float64(max(total, 1))))
}

// Progress is reported after every batch, and once more at the end of each
// epoch with EpochDone set.
type Progress struct {
	Epoch, Epochs  int // 1-based
	Batch, Batches int // batches done in this epoch, and its total
	EpochDone      bool
	Loss           float64       // mean cross-entropy per image so far in this epoch
	Accuracy       float64       // share of this epoch's (augmented) images classified correctly so far
	Images         int           // training images processed since the start of the run
	Elapsed        time.Duration // wall time since the start of the run
	CPU            time.Duration // CPU time of the whole process since the start of the run (0: unknown)
}

// Train trains a network on the images set[idx] (all of them if idx is nil).
// Inputs are normalised as the models' (mnist.Fill: [-1, 1]). The result
// depends on cfg (seed included) but not on cfg.Threads. Cancelling ctx stops
// it after the current batch, with ctx's error.
func Train(ctx context.Context, set *mnist.Set, idx []int, cfg Config, progress func(Progress)) (*Net, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := checkSet(set); err != nil {
		return nil, err
	}
	if idx == nil {
		idx = mnist.Indices(set.N)
	}
	if len(idx) == 0 {
		return nil, fmt.Errorf("classifier: no training images")
	}
	net, err := New(cfg.Arch, cfg.Seed)
	if err != nil {
		return nil, err
	}
	tr := newTrainer(net, min(cfg.Batch, len(idx)), cfg.Threads)
	defer tr.close()
	shiftRNG := rand.New(rand.NewPCG(cfg.Seed, 0x5417f7))
	start, cpu0 := time.Now(), processCPU()
	nb := (len(idx) + cfg.Batch - 1) / cfg.Batch
	total, step, seen := nb*cfg.Epochs, 0, 0
	for epoch := 1; epoch <= cfg.Epochs; epoch++ {
		order := mnist.EpochOrder(idx, cfg.Seed, epoch)
		var loss float64
		correct, images := 0, 0
		for b, batch := range mnist.Batches(order, cfg.Batch) {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			l, c := tr.step(set, batch, shiftRNG, cfg.Shift, cfg.LRAt(step, total))
			if math.IsNaN(l) || math.IsInf(l, 0) {
				return nil, fmt.Errorf("classifier: training diverged at epoch %d, batch %d (loss %g)", epoch, b+1, l)
			}
			step++
			loss, correct, images, seen = loss+l, correct+c, images+len(batch), seen+len(batch)
			if progress != nil {
				p := Progress{Epoch: epoch, Epochs: cfg.Epochs, Batch: b + 1, Batches: nb,
					Loss: loss / float64(images), Accuracy: float64(correct) / float64(images),
					Images: seen, Elapsed: time.Since(start), CPU: processCPU() - cpu0}
				progress(p)
				if b+1 == nb {
					p.EpochDone = true
					progress(p)
				}
			}
		}
	}
	net.Meta = map[string]string{
		"latent.seed":   strconv.FormatUint(cfg.Seed, 10),
		"latent.epochs": strconv.Itoa(cfg.Epochs),
		"latent.batch":  strconv.Itoa(cfg.Batch),
		"latent.lr":     strconv.FormatFloat(cfg.LR, 'g', -1, 64),
		"latent.shift":  strconv.Itoa(cfg.Shift),
		"latent.images": strconv.Itoa(len(idx)),
	}
	return net, nil
}

// checkSet reports a set the network cannot read.
func checkSet(set *mnist.Set) error {
	if set.Rows != Side || set.Cols != Side {
		return fmt.Errorf("classifier: images are %d×%d; the classifier needs %d×%d", set.Rows, set.Cols, Side, Side)
	}
	for i, y := range set.Labels {
		if y >= Classes {
			return fmt.Errorf("classifier: label %d of image %d is not a digit 0..9", y, i)
		}
	}
	return nil
}

// trainer computes a batch's gradient in fixed chunks on persistent workers
// (the caller is worker 0), sums it in chunk order and takes an Adam step;
// everything is allocated once, so a step allocates nothing.
type trainer struct {
	net     *Net
	threads int
	chunks  []*workspace
	shifts  [][]int8 // per chunk, (dy, dx) per image
	idx     [][]int  // per chunk, its images in set
	losses  []float64
	correct []int
	set     *mnist.Set
	scale   float32
	used    int

	// The gradient reduction and Adam run in parallel over fixed ranges of
	// the parameters: each element is still summed over chunks in chunk
	// order, and Adam is elementwise, so the split changes nothing.
	grads  []float32
	ranges [][2]int
	adams  []*nn.Adam
	lr     float64

	chunkTask, stepTask func(int)
	pool                *workers.Pool
}

func newTrainer(net *Net, maxBatch, threads int) *trainer {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	tr := &trainer{net: net, threads: threads, grads: make([]float32, net.Params.Size)}
	nc := (maxBatch + ChunkSize - 1) / ChunkSize
	for range nc {
		tr.chunks = append(tr.chunks, net.newWorkspace(ChunkSize, true))
		tr.shifts = append(tr.shifts, make([]int8, 2*ChunkSize))
	}
	tr.idx = make([][]int, nc)
	tr.losses, tr.correct = make([]float64, nc), make([]int, nc)
	// one parameter range per thread, cut at multiples of 64 floats
	size := net.Params.Size
	m, v := make([]float32, size), make([]float32, size)
	per := (size/threads + 63) &^ 63
	for lo := 0; lo < size; lo += per {
		hi := min(lo+per, size)
		tr.ranges = append(tr.ranges, [2]int{lo, hi})
		a := nn.NewAdam(0, 0)
		a.M, a.V = m[lo:hi], v[lo:hi]
		tr.adams = append(tr.adams, a)
	}
	tr.chunkTask, tr.stepTask = tr.gradChunk, tr.reduceAndStep
	tr.pool = workers.New(threads)
	return tr
}

func (tr *trainer) close() { tr.pool.Close() }

// parallel runs task on items 0..count-1, item c on worker c mod workers.
func (tr *trainer) parallel(count int, task func(int)) { tr.pool.Run(count, task) }

// step is one optimisation step over set[idx] with rate lr; the shifts are
// drawn from rng in image order. It returns the summed loss and the number
// of images classified correctly (before the step).
func (tr *trainer) step(set *mnist.Set, idx []int, rng *rand.Rand, shift int, lr float64) (float64, int) {
	tr.set, tr.scale, tr.lr = set, 1/float32(len(idx)), lr
	used := 0
	for lo := 0; lo < len(idx); lo += ChunkSize {
		hi := min(lo+ChunkSize, len(idx))
		tr.idx[used] = idx[lo:hi]
		s := tr.shifts[used]
		for k := range 2 * (hi - lo) {
			s[k] = 0
			if shift > 0 {
				s[k] = int8(rng.IntN(2*shift+1) - shift)
			}
		}
		used++
	}
	tr.used = used
	tr.parallel(used, tr.chunkTask)
	tr.parallel(len(tr.ranges), tr.stepTask)
	var loss float64
	correct := 0
	for c := range used {
		loss += tr.losses[c]
		correct += tr.correct[c]
	}
	return loss, correct
}

// gradChunk fills chunk c's images (shifted), runs forward and backward.
func (tr *trainer) gradChunk(c int) {
	ws := tr.chunks[c]
	idx := tr.idx[c]
	x := ws.input(len(idx))
	s := tr.shifts[c]
	for k, i := range idx {
		shiftFill(x[k*Pixels:(k+1)*Pixels], tr.set.Image(i), int(s[2*k]), int(s[2*k+1]))
		ws.Labels[k] = tr.set.Labels[i]
	}
	tr.net.forward(ws)
	clear(ws.Grads)
	tr.losses[c], tr.correct[c] = tr.net.backward(ws, tr.scale)
}

// reduceAndStep sums the chunks' gradients over parameter range r, in chunk
// order, and applies Adam to that range.
func (tr *trainer) reduceAndStep(r int) {
	lo, hi := tr.ranges[r][0], tr.ranges[r][1]
	g := tr.grads[lo:hi]
	copy(g, tr.chunks[0].Grads[lo:hi])
	for _, ws := range tr.chunks[1:tr.used] {
		for i, v := range ws.Grads[lo:hi] {
			g[i] += v
		}
	}
	a := tr.adams[r]
	a.LR = tr.lr
	a.Step(tr.net.Data[lo:hi], g)
}

// shiftFill writes img ([28·28] bytes) normalised into dst, translated by dy
// rows and dx columns; the pixels shifted in are background (-1).
func shiftFill(dst []float32, img []uint8, dy, dx int) {
	bg := mnist.Normalize(0)
	for r := range Side {
		row := dst[r*Side : (r+1)*Side]
		sr := r - dy
		if sr < 0 || sr >= Side {
			for c := range row {
				row[c] = bg
			}
			continue
		}
		src := img[sr*Side : (sr+1)*Side]
		for c := range row {
			v := bg
			if sc := c - dx; sc >= 0 && sc < Side {
				v = mnist.Normalize(src[sc])
			}
			row[c] = v
		}
	}
}
