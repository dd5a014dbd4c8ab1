package evaluate

import (
	"fmt"
	"math/rand/v2"

	"latent/classifier"
	"latent/mnist"
	"latent/model"
	"latent/samplequality"
)

// Judge scores generated digits with latent's own MNIST classifier, against
// the features of the real test images.
type Judge struct {
	net  *classifier.Net
	ref  samplequality.Stats
	test *mnist.Set
	real samplequality.Report // the real test images' own scores: the ceiling
}

// NewJudge computes the reference features of test (the MNIST test images)
// with net and scores the real images themselves.
func NewJudge(net *classifier.Net, test *mnist.Set) (*Judge, error) {
	j := &Judge{net: net, test: test}
	var err error
	if j.ref, err = samplequality.RealStats(net, test, nil); err != nil {
		return nil, err
	}
	images := make([]float32, test.N*model.Pixels)
	test.Fill(images, nil, mnist.Indices(test.N))
	if j.real, err = samplequality.EvaluateStats(net, images, j.ref); err != nil {
		return nil, err
	}
	return j, nil
}

// Quality is a generative model's sample quality beside its reconstructions'.
type Quality struct {
	Samples         samplequality.Report `json:"samples"`         // n draws from the model's prior
	Reconstructions samplequality.Report `json:"reconstructions"` // of the test images (z = mu)
	Real            samplequality.Report `json:"real_test_images"`
	// DigitAccuracy (conditional VAE): for each digit, the share of its
	// samples that the classifier reads as that digit.
	DigitAccuracy []float64 `json:"digit_accuracy,omitempty"`
}

// Sample decodes n codes drawn from m's prior (an AE: N(0, 1) codes) with
// the seed's sampling stream. A conditional VAE draws digit, or (digit < 0)
// the digits 0..9 in turn; labels are nil for an unconditional model.
func Sample(m *model.Model, n, digit int, seed uint64) ([]float32, []uint8) {
	rng := rand.New(rand.NewPCG(seed, 0x5a3))
	z := make([]float32, n*m.CodeDim())
	if m.IsVAE() {
		m.SamplePrior(z, n, rng)
	} else {
		for i := range z {
			z[i] = float32(rng.NormFloat64())
		}
	}
	var labels []uint8
	if m.Cond() > 0 {
		labels = make([]uint8, n)
		for i := range labels {
			labels[i] = uint8(i % model.Classes)
			if digit >= 0 {
				labels[i] = uint8(digit)
			}
		}
	}
	return m.DecodeLabeled(z, labels, n), labels
}

// PerDigit is the number of samples per digit of a conditional VAE's
// DigitAccuracy.
const PerDigit = 1000

// Score judges n samples of m and its reconstructions of the test images.
func (j *Judge) Score(m *model.Model, n int, seed uint64) (Quality, error) {
	q := Quality{Real: j.real}
	samples, _ := Sample(m, n, -1, seed)
	var err error
	if q.Samples, err = samplequality.EvaluateStats(j.net, samples, j.ref); err != nil {
		return q, err
	}
	images := make([]float32, j.test.N*model.Pixels)
	labels := make([]uint8, j.test.N)
	j.test.Fill(images, labels, mnist.Indices(j.test.N))
	if q.Reconstructions, err = samplequality.EvaluateStats(j.net, m.Reconstruct(images, labels, j.test.N), j.ref); err != nil {
		return q, err
	}
	if m.Cond() > 0 {
		probs := make([]float32, PerDigit*model.Classes)
		for d := range model.Classes {
			imgs, _ := Sample(m, PerDigit, d, seed+uint64(d)+1)
			j.net.Predict(imgs, probs, nil)
			right := 0
			for i := range PerDigit {
				if samplequality.Argmax(probs[i*model.Classes:(i+1)*model.Classes]) == d {
					right++
				}
			}
			q.DigitAccuracy = append(q.DigitAccuracy, float64(right)/PerDigit)
		}
	}
	return q, nil
}

// String is the quality as the CLI prints it.
func (q Quality) String() string {
	line := func(name string, r samplequality.Report) string {
		return fmt.Sprintf("  %-26s confident %5.1f%%  smallest digit share %4.1f%%  entropy %.3f  digit-FD %7.2f\n",
			name, 100*r.Confident, 100*r.MinShare, r.Entropy, r.FD)
	}
	s := "sample quality (latent's digit classifier; confident = max p ≥ 0.9):\n" +
		line(fmt.Sprintf("%d samples", q.Samples.Images), q.Samples) +
		line("test reconstructions", q.Reconstructions) +
		line("real test images", q.Real)
	if q.DigitAccuracy != nil {
		s += "  conditional samples read as the requested digit:"
		mean := 0.0
		for d, a := range q.DigitAccuracy {
			s += fmt.Sprintf(" %d:%.1f%%", d, 100*a)
			mean += a / float64(len(q.DigitAccuracy))
		}
		s += fmt.Sprintf("; all digits %.2f%%\n", 100*mean)
	}
	return s
}
