// Package train runs the training loop of latent's models: batches split into
// fixed chunks computed in parallel, gradients reduced in a fixed order, Adam,
// evaluation, and per-epoch metrics.
package train

import (
	"math"
	"math/rand/v2"
	"runtime"

	"latent/internal/workers"
	"latent/mnist"
	"latent/model"
	"latent/nn"
)

// ChunkSize is how many images one worker computes at a time. A batch is cut
// into chunks of this size whatever the number of threads, and the chunks'
// gradients are summed in chunk order, so the weights after training do not
// depend on the number of cores.
const ChunkSize = 16

// Engine computes forward and backward passes of one model over batches, on
// several cores, with buffers allocated once.
type Engine struct {
	Model   *model.Model
	Threads int
	chunks  []*model.Workspace // one per chunk of the largest batch
	eps     [][]float32        // per chunk, its noise (VAE; chunk c's own Eps buffer)
	cgrads  [][]float32        // per chunk, its parameter gradient (its own Grads buffer)
	used    int                // chunks of the current pass
	grads   []float32          // the batch's gradient, reduced over chunks
	losses  []model.Loss       // per chunk, of the last Gradient
	parts   []Totals           // per chunk, of the last Evaluate pass
	dims    []DimStats         // per chunk, of the last Evaluate pass (VAE)
	set     *mnist.Set         // the images of the current pass
	idx     [][]int            // per chunk, its images in set
	labels  [][]uint8          // per chunk, its images' labels (conditional VAE)
	klDim   [][]float64        // per chunk, each latent dimension's KL (free bits)
	gate    []float32          // per latent dimension, the KL gradient's gate (free bits)

	// the tasks of the parallel passes, and what they read
	gradTask   func(chunk int)
	evalTask   func(chunk int)
	fwdTask    func(chunk int)
	backTask   func(chunk int)
	reconTask  func(chunk int)
	reduceTask func(part int)
	adam       bool // the reduction also applies update
	update     nn.AdamUpdate
	weights    model.Weights
	pool       *workers.Pool
}

// NewEngine sizes an engine for batches of up to maxBatch images. threads ≤ 0
// means all cores.
func NewEngine(m *model.Model, maxBatch, threads int) *Engine {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	e := &Engine{Model: m, Threads: threads, grads: make([]float32, m.Params.Size)}
	for range (maxBatch + ChunkSize - 1) / ChunkSize {
		ws := m.NewWorkspace(ChunkSize)
		e.chunks = append(e.chunks, ws)
		e.eps = append(e.eps, ws.Eps)
		e.cgrads = append(e.cgrads, ws.Grads)
	}
	e.losses = make([]model.Loss, len(e.chunks))
	e.parts = make([]Totals, len(e.chunks))
	e.idx = make([][]int, len(e.chunks))
	e.labels = make([][]uint8, len(e.chunks))
	e.klDim = make([][]float64, len(e.chunks))
	e.dims = make([]DimStats, len(e.chunks))
	for c := range e.dims {
		e.dims[c] = newDimStats(m.Latent)
		e.labels[c] = make([]uint8, ChunkSize)
		e.klDim[c] = make([]float64, m.Latent)
	}
	e.gate = make([]float32, m.Latent)
	e.gradTask, e.evalTask = e.gradChunk, e.evalChunk
	e.fwdTask, e.backTask, e.reconTask = e.forwardChunk, e.backwardChunk, e.reconChunk
	e.reduceTask = e.reducePart
	// workers 1..threads-1 are persistent goroutines; the caller is worker 0
	e.pool = workers.New(threads)
	return e
}

// Close stops the engine's worker goroutines.
func (e *Engine) Close() { e.pool.Close() }

// MaxBatch is the largest batch the engine holds.
func (e *Engine) MaxBatch() int { return len(e.chunks) * ChunkSize }

// load assigns the images set[idx...] to the chunks and, for a VAE, draws
// their noise from rng (nil: zero noise, z = mu), in chunk order so that the
// noise does not depend on the number of threads. The pixels themselves are
// filled by each chunk's task (fill), in parallel. It returns the chunks used.
func (e *Engine) load(set *mnist.Set, idx []int, rng *rand.Rand) int {
	used := 0
	e.set = set
	for lo := 0; lo < len(idx); lo += ChunkSize {
		hi := min(lo+ChunkSize, len(idx))
		e.idx[used] = idx[lo:hi]
		if e.Model.IsVAE() {
			fillNormal(e.eps[used][:e.Model.Latent*(hi-lo)], rng)
		}
		used++
	}
	e.used = used
	return used
}

// fill normalises chunk c's images into the input buffer of the workspace it
// is computed in (and gives a conditional VAE their labels), and gives that
// workspace chunk c's noise and gradient buffers. A pass that runs forward and
// backward of a chunk in one task computes it in its worker's workspace (the
// first chunk's of that worker), so that a worker's activations stay in its
// cache across its chunks; the result does not depend on the workspace.
func (e *Engine) fill(c int) *model.Workspace {
	return e.fillIn(c, e.chunks[c%min(e.Threads, e.used)])
}

// fillIn is fill into workspace ws.
func (e *Engine) fillIn(c int, ws *model.Workspace) *model.Workspace {
	ws.Eps, ws.Grads = e.eps[c], e.cgrads[c]
	ws.Input(len(e.idx[c]))
	if e.Model.Cond() == 0 {
		e.set.Fill(ws.X, nil, e.idx[c])
		return ws
	}
	e.set.Fill(ws.X, e.labels[c], e.idx[c])
	ws.SetLabels(e.labels[c])
	return ws
}

// fillNormal draws N(0,1) noise, or zeros when rng is nil.
func fillNormal(x []float32, rng *rand.Rand) {
	if rng == nil {
		clear(x)
		return
	}
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
}

// parallel runs task on chunks 0..used-1, chunk c on worker c mod workers.
// Each chunk writes only its own workspace and result slot.
func (e *Engine) parallel(used int, task func(chunk int)) { e.pool.Run(used, task) }

// Objective weighs the loss terms: the reconstruction term + Beta·KL.
type Objective struct {
	// MeanPixels divides the squared error by the batch's pixel count (the AE's
	// mean squared error); otherwise it is summed (the seed VAE).
	MeanPixels bool
	Beta       float32 // weight of the KL term (VAE; seed 1)
	// FreeBits floors each latent dimension's KL, averaged over the batch, at
	// this many nats per image (Kingma et al. 2016): a dimension below its
	// floor gets no KL gradient. Zero: off.
	FreeBits float32
}

// Gradient runs forward and backward over the batch set[idx] and leaves the
// summed gradient in Grads. rng draws the VAE's noise. It returns the loss
// terms summed over the batch.
func (e *Engine) Gradient(set *mnist.Set, idx []int, rng *rand.Rand, obj Objective) model.Loss {
	return e.gradient(set, idx, rng, obj, nil)
}

// gradient is Gradient, then, if opt is not nil, Adam's update from the
// gradient (in the same pass as the reduction, over the same parts).
func (e *Engine) gradient(set *mnist.Set, idx []int, rng *rand.Rand, obj Objective, opt *nn.Adam) model.Loss {
	used := e.load(set, idx, rng)
	e.weights = model.Weights{Rec: 1, Beta: obj.Beta}
	if obj.MeanPixels {
		e.weights.Rec = 1 / float32(len(idx)*model.Pixels)
	}
	if obj.FreeBits > 0 && e.Model.IsVAE() {
		// the gate needs the whole batch's KL per dimension: forward every
		// chunk, reduce in chunk order, then backward every chunk
		e.parallel(used, e.fwdTask)
		for d := range e.gate {
			kl := 0.0
			for c := range used {
				kl += e.klDim[c][d]
			}
			e.gate[d] = 1
			if kl/float64(len(idx)) < float64(obj.FreeBits) {
				e.gate[d] = 0
			}
		}
		e.weights.KLGate = e.gate
		e.parallel(used, e.backTask)
	} else {
		e.parallel(used, e.gradTask)
	}
	// reduce in chunk order, each worker over its part of the parameters
	// (when the workers spin between passes; otherwise the extra hand-off
	// costs more than it saves): the result does not depend on Threads
	e.adam = opt != nil
	if e.adam {
		e.update = opt.Begin()
	}
	if e.Threads > 1 && e.Threads <= runtime.GOMAXPROCS(0) {
		e.parallel(e.Threads, e.reduceTask)
	} else {
		sumInOrder(e.grads, e.cgrads[:used], 0)
		if e.adam {
			e.update.Apply(e.Model.Data, e.grads, 0, len(e.grads))
		}
	}
	return sumLosses(e.losses[:used])
}

// reducePart sums part p of Threads parts of the chunks' gradients into
// grads, in chunk order, and applies Adam's update to that part.
func (e *Engine) reducePart(p int) {
	n := len(e.grads)
	lo, hi := p*n/e.Threads&^15, (p+1)*n/e.Threads&^15
	if p == e.Threads-1 {
		hi = n
	}
	sumInOrder(e.grads[lo:hi], e.cgrads[:e.used], lo)
	if e.adam {
		e.update.Apply(e.Model.Data, e.grads, lo, hi)
	}
}

// sumInOrder sets dst to the sum of the slices src[k][lo:lo+len(dst)], added
// one after another (((src[0] + src[1]) + src[2]) + …, the same bits as one
// pass per slice), in one pass over dst per three slices.
func sumInOrder(dst []float32, src [][]float32, lo int) {
	n := len(dst)
	copy(dst, src[0][lo:lo+n])
	rest := src[1:]
	for ; len(rest) >= 3; rest = rest[3:] {
		a, b, c := rest[0][lo:lo+n], rest[1][lo:lo+n], rest[2][lo:lo+n]
		for i := range dst {
			dst[i] = dst[i] + a[i] + b[i] + c[i]
		}
	}
	for _, a := range rest {
		a = a[lo : lo+n]
		for i := range dst {
			dst[i] += a[i]
		}
	}
}

// gradChunk is forward and backward over one chunk, in its worker's workspace.
func (e *Engine) gradChunk(c int) {
	ws := e.fill(c)
	e.Model.Forward(ws)
	e.backwardIn(c, ws)
}

// forwardChunk is the forward pass over one chunk, in its own workspace (the
// backward pass follows in another parallel pass), with each latent
// dimension's KL summed over its images (for free bits).
func (e *Engine) forwardChunk(c int) {
	ws := e.fillIn(c, e.chunks[c])
	e.Model.Forward(ws)
	n := ws.N()
	for d := range e.klDim[c] {
		e.klDim[c][d] = nn.KL(ws.Mu[d*n:(d+1)*n], ws.Logvar[d*n:(d+1)*n])
	}
}

// backwardChunk is the backward pass over one chunk, after forwardChunk.
func (e *Engine) backwardChunk(c int) { e.backwardIn(c, e.chunks[c]) }

// backwardIn is the backward pass over chunk c in ws, after its forward pass.
func (e *Engine) backwardIn(c int, ws *model.Workspace) {
	clear(ws.Grads)
	e.losses[c] = e.Model.Backward(ws, e.weights)
}

func sumLosses(ls []model.Loss) model.Loss {
	var s model.Loss
	for _, l := range ls {
		s.SquaredError += l.SquaredError
		s.Rec += l.Rec
		s.KL += l.KL
	}
	return s
}

// Step is one optimisation step: Gradient, then Adam.
func (e *Engine) Step(opt *nn.Adam, set *mnist.Set, idx []int, rng *rand.Rand, obj Objective) model.Loss {
	return e.gradient(set, idx, rng, obj, opt)
}

// DimStats are per-latent-dimension sums over a set of images (VAE): the
// KL of each dimension and the first two moments of its mean mu.
type DimStats struct {
	KL, Mu, MuSq []float64
}

func newDimStats(latent int) DimStats {
	return DimStats{KL: make([]float64, latent), Mu: make([]float64, latent), MuSq: make([]float64, latent)}
}

func (d DimStats) clear() {
	clear(d.KL)
	clear(d.Mu)
	clear(d.MuSq)
}

func (d DimStats) add(o DimStats) {
	for j := range d.KL {
		d.KL[j] += o.KL[j]
		d.Mu[j] += o.Mu[j]
		d.MuSq[j] += o.MuSq[j]
	}
}

// KLPerImage is each dimension's mean KL per image, over n images.
func (d DimStats) KLPerImage(n int) []float64 {
	out := make([]float64, len(d.KL))
	for j, v := range d.KL {
		out[j] = v / float64(n)
	}
	return out
}

// ActiveUnits counts the dimensions whose mean varies across images:
// Cov_x(E[z|x])_jj = Var(mu_j) > 0.01 (Burda et al. 2016).
func (d DimStats) ActiveUnits(n int) int {
	active := 0
	for j := range d.Mu {
		m := d.Mu[j] / float64(n)
		if d.MuSq[j]/float64(n)-m*m > 0.01 {
			active++
		}
	}
	return active
}

// Totals are loss terms summed over a set of images.
type Totals struct {
	Images       int
	SquaredError float64 // with z sampled (VAE) or the AE's code
	Rec          float64 // the likelihood's -log p(x|z), z sampled (MSESum: SquaredError)
	KL           float64 // VAE
	SquaredErrMu float64 // VAE: with z = mu
	// Dims are the VAE's per-dimension sums (Evaluate only).
	Dims DimStats `json:"-"`
}

// Evaluate runs the model over set[idx] without training. For a VAE it decodes
// both a sampled z (noise from rng) and z = mu.
func (e *Engine) Evaluate(set *mnist.Set, idx []int, rng *rand.Rand) Totals {
	tot := Totals{Images: len(idx)}
	if e.Model.IsVAE() {
		tot.Dims = newDimStats(e.Model.Latent)
	}
	step := e.MaxBatch()
	for lo := 0; lo < len(idx); lo += step {
		hi := min(lo+step, len(idx))
		used := e.load(set, idx[lo:hi], rng)
		e.parallel(used, e.evalTask)
		for c, p := range e.parts[:used] {
			tot.SquaredError += p.SquaredError
			tot.Rec += p.Rec
			tot.KL += p.KL
			tot.SquaredErrMu += p.SquaredErrMu
			if tot.Dims.KL != nil {
				tot.Dims.add(e.dims[c])
			}
		}
	}
	return tot
}

// evalChunk scores one chunk without training.
func (e *Engine) evalChunk(c int) {
	ws, m := e.fill(c), e.Model
	var t Totals
	n := ws.N()
	x := ws.X[:n*model.Pixels]
	m.Encode(ws)
	if m.IsVAE() {
		l := m.Latent * n
		m.Sample(ws)
		m.Decode(ws)
		t.SquaredError = nn.SquaredError(ws.Output(), x)
		t.Rec = m.RecLoss(ws)
		// per dimension (mu and logvar are [L][n]); the total is their sum
		d := e.dims[c]
		d.clear()
		for j := range m.Latent {
			mu, lv := ws.Mu[j*n:(j+1)*n], ws.Logvar[j*n:(j+1)*n]
			d.KL[j] = nn.KL(mu, lv)
			t.KL += d.KL[j]
			for _, v := range mu {
				d.Mu[j] += float64(v)
				d.MuSq[j] += float64(v) * float64(v)
			}
		}
		copy(ws.Z[:l], ws.Mu[:l])
		m.Decode(ws)
		t.SquaredErrMu = nn.SquaredError(ws.Output(), x)
	} else {
		m.Decode(ws)
		t.SquaredError = nn.SquaredError(ws.Output(), x)
		t.Rec = t.SquaredError
	}
	e.parts[c] = t
}

// LogLikelihoodBound returns, for each image set[idx[i]], the importance-
// weighted bound (Burda et al. 2016) on log p(x) with k samples from q(z|x):
// log (1/k) Σ_s p(x|z_s) p(z_s) / q(z_s|x), in nats, under the model's
// likelihood and prior. rng draws the noise. For a conditional VAE it bounds
// log p(x | label).
func (e *Engine) LogLikelihoodBound(set *mnist.Set, idx []int, k int, rng *rand.Rand) []float64 {
	out := make([]float64, len(idx))
	logw := make([]float64, k)
	rep := make([]int, min(k, e.MaxBatch()))
	logPrior := e.Model.PriorLogPdf()
	for i, im := range idx {
		for lo := 0; lo < k; lo += len(rep) {
			hi := min(lo+len(rep), k)
			for j := range rep {
				rep[j] = im
			}
			used := e.load(set, rep[:hi-lo], rng)
			e.parallel(used, func(c int) { e.logWeights(c, logw[lo+c*ChunkSize:], logPrior) })
		}
		out[i] = logMeanExp(logw)
	}
	return out
}

// logWeights sets w[s] = log p(x|z_s) + log p(z_s) - log q(z_s|x) for the
// samples of chunk c.
func (e *Engine) logWeights(c int, w []float64, logPrior func(z []float32) float64) {
	ws, m := e.fill(c), e.Model
	n, l := ws.N(), m.Latent
	m.Forward(ws)
	m.LogLikelihoods(ws, w)
	z := make([]float32, l)
	for s := range n {
		var logq float64
		for d := range l {
			z[d] = ws.Z[d*n+s]
			eps := float64(ws.Eps[d*n+s])
			logq -= nn.HalfLog2Pi + 0.5*float64(ws.Logvar[d*n+s]) + 0.5*eps*eps
		}
		w[s] += logPrior(z) - logq
	}
}

// logMeanExp is log((1/n) Σ exp(v_i)), computed stably.
func logMeanExp(v []float64) float64 {
	best := math.Inf(-1)
	for _, x := range v {
		best = math.Max(best, x)
	}
	var s float64
	for _, x := range v {
		s += math.Exp(x - best)
	}
	return best + math.Log(s/float64(len(v)))
}

// Reconstruct encodes and decodes the images set[idx] (a VAE decodes
// z = mu) on all workers and returns the summed squared error: the bare
// inference pass, without the loss terms Evaluate adds.
func (e *Engine) Reconstruct(set *mnist.Set, idx []int) float64 {
	var se float64
	step := e.MaxBatch()
	for lo := 0; lo < len(idx); lo += step {
		hi := min(lo+step, len(idx))
		used := e.load(set, idx[lo:hi], nil)
		e.parallel(used, e.reconTask)
		for _, p := range e.parts[:used] {
			se += p.SquaredError
		}
	}
	return se
}

// reconChunk encodes and decodes one chunk.
func (e *Engine) reconChunk(c int) {
	ws, m := e.fill(c), e.Model
	m.Encode(ws)
	if m.IsVAE() {
		l := m.Latent * ws.N()
		copy(ws.Z[:l], ws.Mu[:l])
	}
	m.Decode(ws)
	e.parts[c] = Totals{SquaredError: nn.SquaredError(ws.Output(), ws.X[:ws.N()*model.Pixels])}
}
