package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"latent/classifier"
	"latent/dataset"
	"latent/mnist"
	"latent/model"
	"latent/samplequality"
)

// judge scores generated digits with latent's own MNIST classifier, against
// the features of the 10,000 real test images.
type judge struct {
	net  *classifier.Net
	ref  samplequality.Stats
	test *mnist.Set
	real samplequality.Report // the real test images' own scores: the ceiling
}

// newJudge loads the classifier from path ("": latent's cache), training it
// on MNIST first when it is missing (about 2 minutes, with a progress bar).
func newJudge(ctx context.Context, path string, threads int, stdout, stderr io.Writer) (*judge, error) {
	trainSet, test, err := dataset.Load("mnist")
	if err != nil {
		return nil, err
	}
	cfg := classifier.DefaultConfig()
	cfg.Threads = threads
	bar := newProgress(stderr)
	start := time.Now()
	net, trained, err := classifier.LoadOrTrain(ctx, path, trainSet, test, cfg, func(p classifier.Progress) {
		bar.update(fmt.Sprintf("training the digit classifier, epoch %d/%d", p.Epoch, p.Epochs), p.Batch, p.Batches)
	})
	bar.done()
	if err != nil {
		return nil, fmt.Errorf("the digit classifier that judges samples: %w", err)
	}
	if trained {
		fmt.Fprintf(stdout, "trained the digit classifier in %.0fs: %.2f%% test accuracy (kept in %s)\n",
			time.Since(start).Seconds(), 100*net.TestAccuracy, orDefault(path))
	}
	net.Threads = threads
	j := &judge{net: net, test: test}
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

func orDefault(path string) string {
	if path == "" {
		return defaultClassifier()
	}
	return path
}

// quality is a generative model's sample quality beside its reconstructions'.
type quality struct {
	Samples         samplequality.Report `json:"samples"`         // n draws from the model's prior
	Reconstructions samplequality.Report `json:"reconstructions"` // of the 10,000 test images (z = mu)
	Real            samplequality.Report `json:"real_test_images"`
	// DigitAccuracy (conditional VAE): for each digit, the share of its
	// samples that the classifier reads as that digit.
	DigitAccuracy []float64 `json:"digit_accuracy,omitempty"`
}

// score judges n samples of m and its reconstructions of the test images.
func (j *judge) score(m *model.Model, n int, seed uint64) (quality, error) {
	q := quality{Real: j.real}
	samples, _ := sampleImages(m, n, -1, seed)
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
		const per = 1000
		probs := make([]float32, per*model.Classes)
		for d := range model.Classes {
			imgs, _ := sampleImages(m, per, d, seed+uint64(d)+1)
			j.net.Predict(imgs, probs, nil)
			right := 0
			for i := range per {
				if samplequality.Argmax(probs[i*model.Classes:(i+1)*model.Classes]) == d {
					right++
				}
			}
			q.DigitAccuracy = append(q.DigitAccuracy, float64(right)/per)
		}
	}
	return q, nil
}

func (q quality) String() string {
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
