package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"latent/internal/limits"
	"latent/mnist"
	"latent/model"
	"latent/nn"
	"latent/tensor"
)

// PriorConfig sets the mixture prior fitted after training.
type PriorConfig struct {
	Components int // K
	Iterations int // EM iterations
	Seed       uint64
	Threads    int
	// Aggregate adds each image's posterior variance σ_i² to the components
	// (a fit to the aggregate posterior itself); without it the mixture fits
	// the posterior means mu_i: tighter components, samples closer to the
	// decodes of z = mu (the reconstructions), which measured better.
	Aggregate bool
	// Temperature multiplies every component's standard deviation after the
	// fit (0 or 1: unchanged). Below 1 the samples keep closer to the
	// component means, where the decoder's digits are clearest: a sampling
	// temperature, as in Kingma & Dhariwal's Glow.
	Temperature float64
}

// priorTemperature is a prior temperature as set (0: unset, which is 1),
// checked against its range.
func priorTemperature(t float64) (float64, error) {
	if t == 0 {
		return 1, nil
	}
	return t, limits.PriorTemperature.Check(t)
}

// FitPrior fits a K-component diagonal Gaussian mixture, by EM, to the
// posterior means mu_i of the images set[idx] or (Aggregate) to the aggregate
// posterior q(z) = (1/N) Σ_i N(mu_i, diag(σ_i²)), each image's own variance
// σ_i² added to the component variances it is assigned to. Sampling from it draws codes where the encoder
// actually puts the data, instead of from N(0, I) (Tomczak & Welling 2018 call
// the mismatch the "holes" of the prior). The EM runs as float32 matrix
// products (gramEM); the result depends on Seed and the kernel path, not on
// the number of threads.
func FitPrior(m *model.Model, set *mnist.Set, idx []int, pc PriorConfig) (*model.Mixture, error) {
	if !m.IsVAE() {
		return nil, fmt.Errorf("a mixture prior needs a VAE, not a %s", m.Kind)
	}
	k, l := pc.Components, m.Latent
	if k < 1 || k > len(idx) {
		return nil, fmt.Errorf("%d prior components for %d images", k, len(idx))
	}
	temp, err := priorTemperature(pc.Temperature)
	if err != nil {
		return nil, err
	}
	mu, lv := encodeCodes(m, set, idx, max(pc.Threads, 1))
	n := len(idx)
	vars := make([]float64, n*l)
	if pc.Aggregate {
		for i, v := range lv {
			vars[i] = math.Exp(float64(v))
		}
	}

	rng := rand.New(rand.NewPCG(pc.Seed, 0x9a1e))
	p := initMixture(mu, n, l, k, rng)
	em := newGramEM(mu, vars, n, l, k, max(pc.Threads, 1))
	for range pc.Iterations {
		em.iterate(p, rng)
	}
	if temp != 1 {
		for i := range p.Logvars {
			p.Logvars[i] += float32(2 * math.Log(temp))
		}
	}
	return p, p.Validate(l)
}

// encodePiece is how many images encodeCodes gives a thread at a time: a
// multiple of the model's own encoding batch (64), so the codes are the same
// bits as one call over all images.
const encodePiece = 4096

// encodeCodes returns the posterior means and log-variances [N][L] of the
// images set[idx], encoded in pieces on threads goroutines: a piece's images
// at a time (13 MB) instead of all of them (150 MB for MNIST's 48,000).
func encodeCodes(m *model.Model, set *mnist.Set, idx []int, threads int) (mu, lv []float32) {
	n, l := len(idx), m.Latent
	mu, lv = make([]float32, n*l), make([]float32, n*l)
	pieces := (n + encodePiece - 1) / encodePiece
	var wg sync.WaitGroup
	for t := range min(threads, pieces) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			images := make([]float32, encodePiece*model.Pixels)
			labels := make([]uint8, encodePiece)
			for p := t; p < pieces; p += threads {
				lo, hi := p*encodePiece, min(n, (p+1)*encodePiece)
				set.Fill(images[:(hi-lo)*model.Pixels], labels[:hi-lo], idx[lo:hi])
				codes := m.EncodeLabeled(images[:(hi-lo)*model.Pixels], labels[:hi-lo], hi-lo, lv[lo*l:hi*l])
				copy(mu[lo*l:hi*l], codes)
			}
		}()
	}
	wg.Wait()
	return mu, lv
}

// initMixture places the K means at K distinct codes chosen by rng, gives
// every component the data's variances and equal weights.
func initMixture(mu []float32, n, l, k int, rng *rand.Rand) *model.Mixture {
	p := &model.Mixture{Weights: make([]float32, k), Means: make([]float32, k*l), Logvars: make([]float32, k*l)}
	perm := rng.Perm(n)
	var mean, sq = make([]float64, l), make([]float64, l)
	for i := range n {
		for d := range l {
			v := float64(mu[i*l+d])
			mean[d] += v / float64(n)
			sq[d] += v * v / float64(n)
		}
	}
	for c := range k {
		p.Weights[c] = 1 / float32(k)
		copy(p.Means[c*l:(c+1)*l], mu[perm[c]*l:(perm[c]+1)*l])
		for d := range l {
			p.Logvars[c*l+d] = float32(math.Log(math.Max(sq[d]-mean[d]*mean[d], 1e-4)))
		}
	}
	return p
}

// emBlock is how many points one reduction block holds: fixed, so that the
// sums do not depend on the number of threads.
const emBlock = 1024

// emSub is how many points of a block gramEM scores at a time (a multiple of
// 4, the products' row block): 64 × 1056 scores are 270 KB.
const emSub = 64

// emStats are one block's (or the whole set's) sufficient statistics, per
// component c: Σ_i r_ic, Σ_i r_ic·x_i and Σ_i r_ic·(x_i² + σ_i²), and Σ_i
// log p(x_i) under the mixture the E step used.
type emStats struct {
	r, rx, rxx []float64 // [K], [K][L], [K][L]
	ll         float64
}

func newEMStats(k, l int) emStats {
	return emStats{r: make([]float64, k), rx: make([]float64, k*l), rxx: make([]float64, k*l)}
}

func (s *emStats) clear() {
	clear(s.r)
	clear(s.rx)
	clear(s.rxx)
	s.ll = 0
}

// add adds o to s.
func (s *emStats) add(o *emStats) {
	for c, v := range o.r {
		s.r[c] += v
	}
	for j := range s.rx {
		s.rx[j] += o.rx[j]
		s.rxx[j] += o.rxx[j]
	}
	s.ll += o.ll
}

// mStep sets p's parameters from the statistics tot of codes standardised
// as x' = (x - shift)/scale (shift 0 and scale 1: the codes themselves).
// A component that lost all its points restarts at a code drawn by rng.
func mStep(p *model.Mixture, tot *emStats, mu []float32, n, l int, shift, scale []float64, rng *rand.Rand) {
	for c := range p.K() {
		r := tot.r[c]
		if r < 1e-6 { // an empty component: restart it at a data point
			i := rng.IntN(n)
			copy(p.Means[c*l:(c+1)*l], mu[i*l:(i+1)*l])
			p.Weights[c] = 1 / float32(n)
			continue
		}
		p.Weights[c] = float32(r / float64(n))
		for d := range l {
			s := scale[d]
			m := tot.rx[c*l+d] / r
			v := math.Max(tot.rxx[c*l+d]/r-m*m, 1e-4/(s*s))
			p.Means[c*l+d] = float32(shift[d] + s*m)
			p.Logvars[c*l+d] = float32(math.Log(s * s * v))
		}
	}
	var sum float32
	for _, w := range p.Weights {
		sum += w
	}
	for c := range p.Weights {
		p.Weights[c] /= sum
	}
}

// gramEM runs EM iterations with the E step as a matrix product. For a
// diagonal Gaussian,
//
//	log N(x; μ_c, σ_c²) = k_c − ½ Σ_d x_d²/σ_cd² + Σ_d x_d·μ_cd/σ_cd²,
//	k_c = −½ Σ_d (log σ_cd² + μ_cd²/σ_cd²) − L·½ log 2π,
//
// so the scores of a block of points against all components are one product
// [points][x², x, 1] · [−½/σ², μ/σ², k + log w][K] (float32, tensor.MatMulAdd),
// followed by a log-sum-exp per point (AVX2 max and exp, prior_amd64.s); the
// M step's sums Σ_i r_ic·[x, x² + σ², 1] are a second product,
// ([x, x² + σ², 1]/Σ_c e_ic)ᵀ · E with E the exponentials: dividing the short
// rows instead of E (tensor.MatTMulAdd). Products, not the exponentials, are
// 75 % of the time; 1000 components, 48,000 codes of 16 dimensions: about
// 0.15 s of one core per iteration, the scalar twin about 1.3 s. The codes are
// standardised per dimension first (x' = (x − mean)/std over the data, which
// changes every log-density by the same constant, so not the responsibilities)
// so that the float32 terms stay of order 1–1000 and their rounding below
// 1e-4 nats; TestGramEMMatchesScalar compares with the float64 scalar twin
// (emScalar). Blocks of emBlock points are computed in parallel and reduced in
// block order: the result does not depend on the number of threads.
type gramEM struct {
	n, l, k, threads int
	kp               int       // K rounded up to an odd multiple of 32 (padK)
	mu               []float32 // [N][L] the codes, for restarts
	shift, scale     []float64 // [L] the standardisation
	logScale         float64   // Σ_d log scale_d
	a                []float32 // [N][2L+1]: x'², x', 1
	y                []float32 // [N][2L]: x', x'² + σ'²
	b                []float32 // [2L+1][Kp]: the E step's coefficients (padding: score -1e30)
	parts            []emStats // per block
	tot              emStats
	work             []gramWork // per thread
}

// gramWork is one thread's scratch: a piece's scores, then their exponentials
// [emSub][Kp]; the M step's right operand [emSub][2L+1]; its sums [2L+1][Kp].
type gramWork struct{ s, y, c []float32 }

func newGramEM(mu []float32, vars []float64, n, l, k, threads int) *gramEM {
	e := &gramEM{n: n, l: l, k: k, kp: padK(k), threads: threads, mu: mu, shift: make([]float64, l), scale: make([]float64, l)}
	for d := range l {
		var m, v float64
		for i := range n {
			m += float64(mu[i*l+d])
		}
		m /= float64(n)
		for i := range n {
			x := float64(mu[i*l+d]) - m
			v += x * x
		}
		e.shift[d], e.scale[d] = m, math.Sqrt(math.Max(v/float64(n), 1e-4))
		e.logScale += math.Log(e.scale[d])
	}
	w := 2*l + 1
	e.a, e.y = make([]float32, n*w), make([]float32, n*2*l)
	for i := range n {
		for d := range l {
			x := (float64(mu[i*l+d]) - e.shift[d]) / e.scale[d]
			e.a[i*w+d] = float32(x * x)
			e.a[i*w+l+d] = float32(x)
			e.y[i*2*l+d] = float32(x)
			e.y[i*2*l+l+d] = float32(x*x + vars[i*l+d]/(e.scale[d]*e.scale[d]))
		}
		e.a[i*w+2*l] = 1
	}
	e.b = make([]float32, w*e.kp)
	for c := k; c < e.kp; c++ {
		e.b[2*l*e.kp+c] = -1e30 // e^(-87) after the shift: adds nothing
	}
	e.parts = make([]emStats, (n+emBlock-1)/emBlock)
	for b := range e.parts {
		e.parts[b] = newEMStats(k, l)
	}
	e.tot = newEMStats(k, l)
	e.work = make([]gramWork, threads)
	for t := range e.work {
		e.work[t] = gramWork{s: make([]float32, emSub*e.kp), y: make([]float32, emSub*w), c: make([]float32, w*e.kp)}
	}
	return e
}

// padK rounds the row length of the blocks' score matrices up to a multiple
// of 32, so that the products need no scalar tail, and an odd one: rows 4 KB
// apart (K = 1024) fall into the same few cache sets, and the M step's
// product, which walks down columns, then ran 2.4 times slower.
func padK(k int) int {
	kp := (k + 31) &^ 31
	if kp%64 == 0 {
		kp += 32
	}
	return kp
}

// coefficients fills b from the mixture p, in standardised coordinates.
func (e *gramEM) coefficients(p *model.Mixture) {
	l, k := e.l, e.kp
	for c := range e.k {
		kc := math.Log(float64(p.Weights[c]))
		for d := range l {
			s := e.scale[d]
			m := (float64(p.Means[c*l+d]) - e.shift[d]) / s
			lv := float64(p.Logvars[c*l+d]) - 2*math.Log(s)
			inv := math.Exp(-lv)
			e.b[d*k+c] = float32(-0.5 * inv)
			e.b[(l+d)*k+c] = float32(m * inv)
			kc -= 0.5 * (lv + m*m*inv)
		}
		e.b[2*l*k+c] = float32(kc)
	}
}

// estep computes the statistics of block b with thread t's scratch.
func (e *gramEM) estep(b, t int) {
	l, k, w := e.l, e.kp, 2*e.l+1
	i0, i1 := b*emBlock, min(e.n, (b+1)*emBlock)
	st, ct := &e.parts[b], e.work[t].c
	st.clear()
	clear(ct)
	// in pieces of emSub points, so that the scores stay in L2 between the
	// passes and the M step's columns in L1; the product adds each piece's
	// terms to ct in point order, the same FMAs as one product over the block
	for j0 := i0; j0 < i1; j0 += emSub {
		j1 := min(i1, j0+emSub)
		nb := j1 - j0
		s, yw := e.work[t].s[:nb*k], e.work[t].y[:nb*w]
		clear(s)
		tensor.MatMulAdd(s, e.a[j0*w:j1*w], e.b, nb, w, k)
		// log-sum-exp per point: s becomes exp(score - best), and point i's
		// row of the M step's right operand is [x', x'² + σ'², 1] / Σ_c
		// exp(…), so that the product sums the responsibilities without a
		// pass dividing them
		for i := range nb {
			row := s[i*k : (i+1)*k]
			best := rowMaxFast(row)
			sum := expShiftedFast(row, best)
			st.ll += float64(best) + math.Log(sum)
			inv := 1 / sum
			y, dst := e.y[(j0+i)*2*l:(j0+i+1)*2*l], yw[i*w:(i+1)*w]
			for j, v := range y {
				dst[j] = float32(float64(v) * inv)
			}
			dst[2*l] = float32(inv)
		}
		// [x', x'² + σ'², 1]ᵀ · R: per component Σ r·x', Σ r·(x'² + σ'²), Σ r
		tensor.MatTMulAdd(ct, yw, s, w, nb, k)
	}
	st.ll -= float64(i1-i0) * (e.logScale + float64(l)*nn.HalfLog2Pi)
	for c := range e.k {
		for d := range l {
			st.rx[c*l+d] = float64(ct[d*k+c])
			st.rxx[c*l+d] = float64(ct[(l+d)*k+c])
		}
		st.r[c] = float64(ct[2*l*k+c])
	}
}

// rowMax is the largest value of x (len(x) ≥ 1), with four running maxima.
func rowMax(x []float32) float32 {
	m0, m1, m2, m3 := x[0], x[0], x[0], x[0]
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v := x[i : i+4 : i+4]
		m0, m1, m2, m3 = max(m0, v[0]), max(m1, v[1]), max(m2, v[2]), max(m3, v[3])
	}
	for ; i < len(x); i++ {
		m0 = max(m0, x[i])
	}
	return max(max(m0, m1), max(m2, m3))
}

// expShifted replaces every x[i] by e^(x[i] - shift) (x[i] ≤ shift, so the
// values are in (0, 1]; below e^-87 they stay e^-87, in a float32's normal
// range and nothing next to the largest, 1) and returns their sum. It is e^x
// in float32 without branches and without calls (a call per value cost as
// much as the arithmetic): x = n·ln2 + r with n rounded by adding 1.5·2²³,
// and tensor.ExpPoly, Exp32's degree-6 polynomial, inlined, for e^r
// (relative error below 3e-7; TestExpShifted).
func expShifted(x []float32, shift float32) float64 {
	const (
		log2e = 1.44269504088896341
		ln2hi = 0.693359375
		ln2lo = -2.12194440e-4
		magic = 12582912 // 1.5·2²³: t = y + magic holds round(y) in its low bits
	)
	mbits := int32(math.Float32bits(magic)) - 127
	var s0, s1 float64
	for i, v := range x {
		d := v - shift
		if d < -87 {
			d = -87
		}
		t := d*log2e + magic
		n := t - magic
		r := d - n*ln2hi - n*ln2lo
		e := tensor.ExpPoly(r) * math.Float32frombits(uint32(int32(math.Float32bits(t))-mbits)<<23)
		x[i] = e
		if i&1 == 0 {
			s0 += float64(e)
		} else {
			s1 += float64(e)
		}
	}
	return s0 + s1
}

// iterate runs one EM iteration on p and returns the mean log-likelihood of
// the codes under p before the update.
func (e *gramEM) iterate(p *model.Mixture, rng *rand.Rand) float64 {
	e.coefficients(p)
	var wg sync.WaitGroup
	for t := range e.threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := t; b < len(e.parts); b += e.threads {
				e.estep(b, t)
			}
		}()
	}
	wg.Wait()
	e.tot.clear()
	for b := range e.parts {
		e.tot.add(&e.parts[b])
	}
	mStep(p, &e.tot, e.mu, e.n, e.l, e.shift, e.scale, rng)
	return e.tot.ll / float64(e.n)
}
