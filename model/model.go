// Package model defines the seed autoencoder (AE) and variational autoencoder
// (VAE) of the tutorial: their layers, PyTorch state_dict names and layouts,
// and one explicit forward and backward pass over a chunk of images.
package model

import (
	"fmt"
	"math/rand/v2"

	"latent/internal/limits"
	"latent/mnist"
	"latent/nn"
	"latent/tensor"
)

// Image geometry: MNIST's, one channel of 28×28 (mnist.Side). Every other
// size of the models follows from it (Grid).
const (
	Side   = mnist.Side
	Pixels = Side * Side
)

// Grid holds the sides of the square grids the encoder passes through: the
// image, then each 3×3 stride-2 padding-1 convolution's output, (s-1)/2 + 1
// (MNIST: 28, 14, 7, 4). The decoder walks them back: transposed convolution
// i maps Grid[3-i] to Grid[2-i] with output padding outPad(3-i).
var Grid = nn.ConvSides(Side)

// outPad is the output padding of the transposed convolution that maps
// Grid[i] back to Grid[i-1]: 2·small - 1 + outPad = large.
func outPad(i int) int { return Grid[i-1] - (2*Grid[i] - 1) }

// codeArea is the number of pixels of one code channel, Grid[3]².
var codeArea = area(3)

// area is the number of pixels of grid i.
func area(i int) int { return Grid[i] * Grid[i] }

// Kind names a model family.
type Kind string

// The model families.
const (
	AE   Kind = "ae"
	VAE  Kind = "vae"
	CVAE Kind = "cvae" // conditional VAE: the digit's label joins the encoder features and z
)

// Classes is the number of labels a conditional VAE is conditioned on.
const Classes = mnist.Classes

// ParseKind checks a --model value.
func ParseKind(s string) (Kind, error) {
	switch Kind(s) {
	case AE, VAE, CVAE:
		return Kind(s), nil
	}
	return "", fmt.Errorf("unknown model %q (want ae, vae or cvae)", s)
}

// Likelihood is the decoder's observation model p(x|z) of a VAE.
type Likelihood string

// The likelihoods. MSESum is the seed's summed squared error (a Gaussian of
// variance ½ up to a constant); Bernoulli reads the pixels mapped to [0, 1]
// as probabilities and the decoder's last layer as logits; Gaussian learns
// one σ shared by all pixels (parameter log_sigma).
const (
	MSESum    Likelihood = "mse-sum"
	Bernoulli Likelihood = "bernoulli"
	Gaussian  Likelihood = "gaussian"
)

// ParseLikelihood checks a --likelihood value.
func ParseLikelihood(s string) (Likelihood, error) {
	switch Likelihood(s) {
	case MSESum, Bernoulli, Gaussian:
		return Likelihood(s), nil
	}
	return "", fmt.Errorf("unknown likelihood %q (want mse-sum, bernoulli or gaussian)", s)
}

// Config fixes a model's architecture.
type Config struct {
	Kind       Kind
	Latent     int        // VAE latent size (seed: 8); unused by the AE
	Width      [3]int     // encoder channels (seed: 16, 8, 8); the decoder mirrors them
	Likelihood Likelihood // VAE: the observation model ("" is MSESum)
}

// Seed returns the tutorial's configuration for kind.
func Seed(kind Kind) Config {
	return Config{Kind: kind, Latent: 8, Width: [3]int{16, 8, 8}, Likelihood: MSESum}
}

// SeedWidth is the seed's channel pattern times w (w = 1 is the seed).
func SeedWidth(w int) [3]int { return [3]int{16 * w, 8 * w, 8 * w} }

// Lik is the likelihood, MSESum when unset.
func (c Config) Lik() Likelihood {
	if c.Likelihood == "" {
		return MSESum
	}
	return c.Likelihood
}

// Cond is the number of label inputs: Classes for the conditional VAE, else 0.
func (c Config) Cond() int {
	if c.Kind == CVAE {
		return Classes
	}
	return 0
}

// Validate reports a configuration that cannot be built.
func (c Config) Validate() error {
	if _, err := ParseKind(string(c.Kind)); err != nil {
		return err
	}
	if _, err := ParseLikelihood(string(c.Lik())); err != nil {
		return err
	}
	if c.Kind == AE && c.Lik() != MSESum {
		return fmt.Errorf("the AE is trained with the mean squared error; --likelihood %s needs a VAE", c.Likelihood)
	}
	if c.Kind != AE {
		if err := limits.Latent.Check(c.Latent); err != nil {
			return err
		}
	}
	for i, w := range c.Width {
		if err := limits.LayerWidth.Check(w); err != nil {
			return fmt.Errorf("encoder layer %d: %w", i, err)
		}
	}
	return nil
}

// CodeSize is the number of features of the encoder's output: Width[2]·Grid[3]².
func (c Config) CodeSize() int { return c.Width[2] * codeArea }

// CodeShape is the encoder's output [channels, height, width]: the seed's 8×4×4.
func (c Config) CodeShape() [3]int { return [3]int{c.Width[2], Grid[3], Grid[3]} }

// Model holds the layers and the flat parameter buffer of an AE or a VAE.
//
//	encoder:  x [1,28,28] → Conv ReLU [W0,14,14] → Conv ReLU [W1,7,7] → Conv [W2,4,4]
//	VAE only: flatten [W2·16] (CVAE: ⊕ one-hot label [10]) → fc_mu, fc_logvar [L];
//	          z = mu + eps·exp(logvar/2);
//	          decoder_fc: Linear ([L], CVAE: ⊕ label) → [W2·16] ReLU → reshape [W2,4,4]
//	decoder:  ConvT(op 0) ReLU [W1,7,7] → ConvT(op 1) ReLU [W0,14,14] → ConvT(op 1) Tanh [1,28,28]
//
// With the Bernoulli likelihood the last ConvT gives logits l and the image is
// tanh(l/2) = 2·sigmoid(l) - 1, the pixel probabilities in [-1, 1] scale.
type Model struct {
	Config
	Params nn.Params
	Data   []float32 // every parameter, laid out as Params says
	// Prior is the learned prior p(z) stored in the checkpoint; nil is N(0, I).
	Prior *Mixture

	enc            [3]nn.Conv2d
	fcMu, fcLogvar nn.Linear
	decFC          nn.Linear
	dec            [3]nn.ConvTranspose2d
	logSigma       nn.Param // Gaussian likelihood: log σ, one value
}

// New builds a model with parameters initialised as PyTorch's defaults,
// drawn from a generator seeded with seed.
func New(cfg Config, seed uint64) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Likelihood = cfg.Lik()
	m := &Model{Config: cfg}
	w := cfg.Width
	encName, decName := "encoder", "decoder"
	if m.IsVAE() {
		encName, decName = "encoder_conv", "decoder_conv"
	}
	ps := &m.Params
	m.enc[0] = nn.NewConv2d(ps, encName+".0", 1, w[0])
	m.enc[1] = nn.NewConv2d(ps, encName+".2", w[0], w[1])
	m.enc[2] = nn.NewConv2d(ps, encName+".4", w[1], w[2])
	if m.IsVAE() {
		m.fcMu = nn.NewLinear(ps, "fc_mu", cfg.CodeSize()+cfg.Cond(), cfg.Latent)
		m.fcLogvar = nn.NewLinear(ps, "fc_logvar", cfg.CodeSize()+cfg.Cond(), cfg.Latent)
		m.decFC = nn.NewLinear(ps, "decoder_fc.0", cfg.Latent+cfg.Cond(), cfg.CodeSize())
	}
	m.dec[0] = nn.NewConvTranspose2d(ps, decName+".0", w[2], w[1], outPad(3))
	m.dec[1] = nn.NewConvTranspose2d(ps, decName+".2", w[1], w[0], outPad(2))
	m.dec[2] = nn.NewConvTranspose2d(ps, decName+".4", w[0], 1, outPad(1))
	if cfg.Likelihood == Gaussian {
		m.logSigma = ps.Add("log_sigma", 1) // starts at σ = 1
	}
	m.Data = make([]float32, ps.Size)

	rng := rand.New(rand.NewPCG(seed, 0x1a7e27))
	for _, l := range m.enc {
		l.Init(m.Data, rng)
	}
	if m.IsVAE() {
		m.fcMu.Init(m.Data, rng)
		m.fcLogvar.Init(m.Data, rng)
		m.decFC.Init(m.Data, rng)
	}
	for _, l := range m.dec {
		l.Init(m.Data, rng)
	}
	return m, nil
}

// IsVAE reports whether the model is variational (VAE or CVAE).
func (m *Model) IsVAE() bool { return m.Kind == VAE || m.Kind == CVAE }

// LogSigma is the Gaussian likelihood's log σ (0 for the other likelihoods).
func (m *Model) LogSigma() float32 {
	if m.Likelihood != Gaussian {
		return 0
	}
	return m.Data[m.logSigma.Off]
}

// Workspace holds every activation, column matrix and gradient of one forward
// and backward pass over up to Cap images, allocated once. Activations are
// channel-major ([C][n·H·W], see package tensor).
type Workspace struct {
	Cap  int // images it can hold
	n    int // images in the current pass
	cond int // label rows of a conditional VAE (0 or Classes)

	X      []float32    // [1][n·784] input
	A      [3][]float32 // encoder outputs after ReLU (A[2]: the code, no ReLU)
	Col    [3][]float32 // encoder column matrices
	H      []float32    // VAE: code flattened [W2·16][n] (CVAE: then the one-hot labels [10][n])
	Mu     []float32    // VAE: [L][n]
	Logvar []float32    // VAE: [L][n]
	Eps    []float32    // VAE: [L][n] noise, filled by the caller (zero gives z = mu)
	Z      []float32    // VAE: [L][n] (CVAE: then the one-hot labels [10][n])
	D      []float32    // VAE: decoder_fc output after ReLU [W2·16][n]
	DC     []float32    // VAE: D reshaped to channels [W2][n·16]
	T      [3][]float32 // decoder outputs (T[2]: the reconstruction, after Tanh)
	TCol   [3][]float32 // decoder column matrices
	Logits []float32    // Bernoulli likelihood: the last layer's output before tanh(l/2)

	// Gradients of the activations, and of the parameters (accumulated).
	dT                       [3][]float32
	dA                       [3][]float32
	dH, dMu, dLogvar, dZ, dD []float32
	dCol                     []float32 // scratch for the largest column matrix
	Grads                    []float32 // [Params.Size], the parameter gradients
}

// NewWorkspace allocates a workspace for up to capacity images.
func (m *Model) NewWorkspace(capacity int) *Workspace {
	w := m.Width
	n := capacity
	f := func(k int) []float32 { return make([]float32, k) }
	ws := &Workspace{Cap: n, cond: m.Cond()}
	ws.X = f(n * Pixels)
	// encoder: A[i] [W_i][n·Grid[i+1]²], Col[i] [in_i·9][n·Grid[i+1]²]
	in := [3]int{1, w[0], w[1]}
	for i := range 3 {
		ws.A[i] = f(w[i] * n * area(i+1))
		ws.dA[i] = f(w[i] * n * area(i+1))
		ws.Col[i] = f(in[i] * 9 * n * area(i+1))
	}
	// decoder: T[i] [out_i][n·Grid[2-i]²] (MNIST: [W1][n·49], [W0][n·196],
	// [1][n·784]); a column matrix [out_i·9][n·Grid[3-i]²]
	outC := [3]int{w[1], w[0], 1}
	maxCol := 0
	for i := range 3 {
		ws.T[i] = f(outC[i] * n * area(2-i))
		ws.dT[i] = f(outC[i] * n * area(2-i))
		tg := m.dec[i].Window(n, Grid[3-i], Grid[3-i])
		maxCol = max(maxCol, outC[i]*9*n*area(3-i), m.dec[i].ForwardScratch(tg))
		eg := m.enc[i].Window(n, Grid[i], Grid[i])
		maxCol = max(maxCol, m.enc[i].BackwardScratch(eg))
	}
	ws.dCol = f(maxCol)
	if m.IsVAE() {
		c, l, k := m.CodeSize(), m.Latent, m.Cond()
		ws.H, ws.dH = f((c+k)*n), f((c+k)*n)
		ws.Mu, ws.dMu = f(l*n), f(l*n)
		ws.Logvar, ws.dLogvar = f(l*n), f(l*n)
		ws.Eps = f(l * n)
		ws.Z, ws.dZ = f((l+k)*n), f((l+k)*n)
		ws.D, ws.dD = f(c*n), f(c*n)
		ws.DC = f(c * n)
	}
	if m.Lik() == Bernoulli {
		ws.Logits = f(n * Pixels)
	}
	ws.Grads = f(m.Params.Size)
	return ws
}

// N is the number of images of the current pass.
func (ws *Workspace) N() int { return ws.n }

// Input returns the input buffer for n images, [n][784] (= [1][n·784]).
func (ws *Workspace) Input(n int) []float32 {
	if n < 1 || n > ws.Cap {
		panic(fmt.Sprintf("model: %d images in a workspace for %d", n, ws.Cap))
	}
	ws.n = n
	return ws.X[:n*Pixels]
}

// SetLabels gives a conditional VAE the labels (0..9) of the current pass's
// n images, as one-hot rows after the code features (H) and after z (Z).
// Call it after Input; other models ignore it.
func (ws *Workspace) SetLabels(labels []uint8) {
	if ws.cond == 0 {
		return
	}
	n := ws.n
	// H is [W2·16 + cond][n] and Z [L + cond][n]: the labels are the last rows
	h := ws.H[(len(ws.H)/ws.Cap-ws.cond)*n:]
	z := ws.Z[(len(ws.Z)/ws.Cap-ws.cond)*n:]
	clear(h[:ws.cond*n])
	clear(z[:ws.cond*n])
	for i, y := range labels[:n] {
		if int(y) >= ws.cond {
			panic(fmt.Sprintf("model: label %d of a %d-class conditional VAE", y, ws.cond))
		}
		h[int(y)*n+i] = 1
		z[int(y)*n+i] = 1
	}
}

// Output is the reconstruction of the current pass, [n][784] in [-1, 1].
func (ws *Workspace) Output() []float32 { return ws.T[2][:ws.n*Pixels] }

// Code is the encoder output [W2][n·16] (channel-major) of the current pass.
func (ws *Workspace) Code() []float32 { return ws.A[2] }

// Encode runs the convolutional encoder over the n images in ws.X, and for a
// VAE the heads: ws.Mu, ws.Logvar.
func (m *Model) Encode(ws *Workspace) {
	n := ws.n
	x := ws.X
	h, w := Side, Side
	for i, l := range m.enc {
		g := l.Window(n, h, w)
		l.ForwardAct(m.Data, ws.A[i], x, ws.Col[i], g, i < 2) // ReLU fused
		x, h, w = ws.A[i], g.Ho, g.Wo
	}
	if m.IsVAE() {
		tensor.ChannelsToFeatures(ws.H, ws.A[2], m.Width[2], n, codeArea)
		m.fcMu.Forward(m.Data, ws.Mu, ws.H, n)
		m.fcLogvar.Forward(m.Data, ws.Logvar, ws.H, n)
	}
}

// Sample sets z = mu + eps·exp(logvar/2) from ws.Eps.
func (m *Model) Sample(ws *Workspace) {
	l := m.Latent * ws.n
	nn.Reparameterize(ws.Z[:l], ws.Mu[:l], ws.Logvar[:l], ws.Eps[:l])
}

// Decode maps the codes of the current pass to images in ws.T[2]: for the AE
// from ws.A[2] ([W2][n·16]), for the VAE from ws.Z ([L][n]).
func (m *Model) Decode(ws *Workspace) {
	n := ws.n
	code := ws.A[2]
	if m.IsVAE() {
		c := m.CodeSize()
		m.decFC.Forward(m.Data, ws.D, ws.Z, n)
		tensor.ReLU(ws.D[:c*n])
		tensor.FeaturesToChannels(ws.DC, ws.D, m.Width[2], n, codeArea)
		code = ws.DC
	}
	x, h, w := code, Grid[3], Grid[3]
	for i, l := range m.dec {
		g := l.Window(n, h, w)
		act := tensor.ActReLU
		if i == 2 {
			act = tensor.ActTanh
			if ws.Logits != nil {
				act = tensor.ActNone
			}
		}
		l.ForwardAct(m.Data, ws.T[i], x, ws.dCol, g, act) // activation fused
		if i == 2 && ws.Logits != nil {
			// Bernoulli: keep the logits, show tanh(l/2) = 2·sigmoid(l) - 1
			out := ws.T[i][:g.Large()]
			copy(ws.Logits, out)
			for j := range out {
				out[j] *= 0.5
			}
			tensor.Tanh(out)
		}
		x, h, w = ws.T[i], g.H, g.W
	}
}

// Forward runs encoder, sampling (VAE) and decoder over the current pass.
func (m *Model) Forward(ws *Workspace) {
	m.Encode(ws)
	if m.IsVAE() {
		m.Sample(ws)
	}
	m.Decode(ws)
}

// Loss is one pass's loss terms, summed over its images.
type Loss struct {
	SquaredError float64 // Σ (reconstruction - input)²
	Rec          float64 // the likelihood's -log p(x|z) (MSESum and the AE: SquaredError)
	KL           float64 // VAE: Σ KL(q(z|x) || N(0, I))
}

// RecLoss is -log p(x|z) of the current pass under the model's likelihood,
// summed over its images (for MSESum and the AE: the summed squared error).
// Call it after Decode.
func (m *Model) RecLoss(ws *Workspace) float64 {
	out, x := ws.Output(), ws.X[:ws.n*Pixels]
	switch m.Lik() {
	case Bernoulli:
		return nn.BernoulliNLL(ws.Logits[:len(out)], x)
	case Gaussian:
		return nn.GaussianNLL(out, x, m.LogSigma())
	}
	return nn.SquaredError(out, x)
}

// Weights weigh the terms of the training objective
// Rec·(reconstruction term) + Beta·Σ_d KLGate[d]·KL_d.
type Weights struct {
	// Rec scales the reconstruction term: the AE's mean squared error uses
	// 1/(batch·784), the VAEs 1 (summed over pixels).
	Rec  float32
	Beta float32 // the KL term's weight (seed 1)
	// KLGate multiplies each latent dimension's KL gradient (free bits: 0 for
	// a dimension whose batch KL is below its floor); nil means all 1.
	KLGate []float32
}

// Backward computes the loss of the current pass (after Forward) and
// accumulates the parameter gradients into ws.Grads (zero them first).
func (m *Model) Backward(ws *Workspace, wt Weights) Loss {
	n := ws.n
	out, x := ws.Output(), ws.X[:n*Pixels]
	var loss Loss
	// the loss and its gradient with respect to the last layer's output
	switch m.Lik() {
	case MSESum: // with the output tanh's gradient, in one pass
		loss.SquaredError = nn.SquaredErrorTanhBackward(ws.dT[2], out, x, wt.Rec)
		loss.Rec = loss.SquaredError
	case Bernoulli: // with respect to the logits: no tanh gradient
		loss.SquaredError, loss.Rec = nn.SquaredError(out, x), m.RecLoss(ws)
		nn.BernoulliNLLBackward(ws.dT[2], out, x, wt.Rec)
	case Gaussian:
		loss.SquaredError, loss.Rec = nn.SquaredError(out, x), m.RecLoss(ws)
		ws.Grads[m.logSigma.Off] += nn.GaussianNLLBackward(ws.dT[2], out, x, m.LogSigma(), wt.Rec)
		tensor.TanhBackward(ws.dT[2][:len(out)], out)
	}

	// decoder, from the image back to the code
	inputs := [3][]float32{ws.A[2], ws.T[0], ws.T[1]}
	if m.IsVAE() {
		inputs[0] = ws.DC
	}
	dCode := ws.dA[2]
	for i := 2; i >= 0; i-- {
		l := m.dec[i]
		g := l.Window(n, Grid[3-i], Grid[3-i])
		// dT[2] holds the tanh's gradient already; dT[i-1] is gated by layer
		// i-1's ReLU as it is computed
		dy := ws.dT[i][:l.Out*g.Large()]
		dx, gate := dCode, []float32(nil)
		if i > 0 {
			dx, gate = ws.dT[i-1], ws.T[i-1]
		}
		l.BackwardGated(m.Data, ws.Grads, dx, gate, dy, inputs[i], ws.dCol, g)
	}

	if m.IsVAE() {
		c, lat, k := m.CodeSize(), m.Latent*n, m.Cond()
		// decoder_fc: reshape back, ReLU, Linear
		tensor.ChannelsToFeatures(ws.dD, dCode, m.Width[2], n, codeArea)
		tensor.ReLUBackward(ws.dD[:c*n], ws.D)
		clear(ws.dZ[:lat+k*n])
		m.decFC.Backward(m.Data, ws.Grads, ws.dZ, ws.dD, ws.Z, n)
		// z = mu + eps·exp(logvar/2), then the KL term
		nn.ReparameterizeBackward(ws.dMu[:lat], ws.dLogvar[:lat], ws.dZ[:lat], ws.Logvar, ws.Eps)
		loss.KL = nn.KL(ws.Mu[:lat], ws.Logvar[:lat])
		if wt.KLGate == nil {
			nn.KLBackward(ws.dMu[:lat], ws.dLogvar[:lat], ws.Mu, ws.Logvar, wt.Beta)
		} else {
			// [L][n]: dimension d is the n values from d·n
			for d, gate := range wt.KLGate[:m.Latent] {
				r := d * n
				nn.KLBackward(ws.dMu[r:r+n], ws.dLogvar[r:r+n], ws.Mu[r:r+n], ws.Logvar[r:r+n], wt.Beta*gate)
			}
		}
		// the two heads share their input
		clear(ws.dH[:c*n+k*n])
		m.fcMu.Backward(m.Data, ws.Grads, ws.dH, ws.dMu, ws.H, n)
		m.fcLogvar.Backward(m.Data, ws.Grads, ws.dH, ws.dLogvar, ws.H, n)
		tensor.FeaturesToChannels(dCode, ws.dH, m.Width[2], n, codeArea)
	}

	// encoder, from the code back to the first layer (no input gradient)
	for i := 2; i >= 0; i-- {
		l := m.enc[i]
		g := l.Window(n, Grid[i], Grid[i])
		// dA[i-1] is gated by layer i-1's ReLU as it is computed
		dy := ws.dA[i][:l.Out*g.Small()]
		var dx, gate []float32
		if i > 0 {
			dx, gate = ws.dA[i-1], ws.A[i-1]
		}
		l.BackwardGated(m.Data, ws.Grads, dx, gate, dy, ws.Col[i], ws.dCol, g)
	}
	return loss
}

// EncoderMACs counts the multiply-adds per image of the encoder (with the VAE's
// two heads).
func (m *Model) EncoderMACs() int {
	n := 0
	for i, l := range m.enc {
		n += l.Out * l.In * 9 * area(i+1)
	}
	if m.IsVAE() {
		n += m.fcMu.In*m.fcMu.Out + m.fcLogvar.In*m.fcLogvar.Out
	}
	return n
}

// MACs counts the multiply-adds per image of a forward pass, of the input
// gradients (dX) and of the weight gradients (dW), layer by layer as in PERF.md.
func (m *Model) MACs() (fwd, dx, dw int) {
	for i, l := range m.enc {
		f := l.Out * l.In * 9 * area(i+1)
		fwd, dw = fwd+f, dw+f
		if i > 0 { // the first layer needs no input gradient
			dx += f
		}
	}
	for i, l := range m.dec {
		f := l.In * l.Out * 9 * area(3-i)
		fwd, dx, dw = fwd+f, dx+f, dw+f
	}
	if m.IsVAE() {
		for _, l := range []nn.Linear{m.fcMu, m.fcLogvar, m.decFC} {
			f := l.In * l.Out
			fwd, dx, dw = fwd+f, dx+f, dw+f
		}
	}
	return fwd, dx, dw
}

// halfLogPi is ½·log(π): the MSESum loss Σ(x-y)² is -log N(x; y, ½) up to
// this constant per pixel.
const halfLogPi = 0.57236494292470008707

// LogLikelihoods sets dst[i] = log p(x_i | z_i) for each image of the current
// pass (after Decode), normalised: MSESum is read as a Gaussian of variance ½
// per pixel, Bernoulli and Gaussian as themselves (pixels are continuous, so
// the values are densities).
func (m *Model) LogLikelihoods(ws *Workspace, dst []float64) {
	out, x := ws.Output(), ws.X[:ws.n*Pixels]
	for i := range ws.n {
		o, xi := out[i*Pixels:(i+1)*Pixels], x[i*Pixels:(i+1)*Pixels]
		switch m.Lik() {
		case Bernoulli:
			dst[i] = -nn.BernoulliNLL(ws.Logits[i*Pixels:(i+1)*Pixels], xi)
		case Gaussian:
			dst[i] = -nn.GaussianNLL(o, xi, m.LogSigma())
		default:
			dst[i] = -nn.SquaredError(o, xi) - Pixels*halfLogPi
		}
	}
}
