// Package evaluate scores a trained model on test images: its reconstruction
// error and KL (Test), the importance-weighted bound on log p(x)
// (Result.ImportanceWeighted), and the quality of its samples as judged by
// latent's digit classifier (Judge).
package evaluate

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"latent/mnist"
	"latent/model"
	"latent/train"
)

// Result is a model's score on the test set. AE: mean squared error per
// pixel. VAE: per image, the summed squared error and the KL, with z sampled
// as in training and with z = mu.
type Result struct {
	Model       string    `json:"model"`
	Likelihood  string    `json:"likelihood,omitempty"`
	Images      int       `json:"images"`
	MSEPerPixel float64   `json:"mse_per_pixel"`
	Rec         float64   `json:"rec_per_image,omitempty"` // the likelihood's -log p(x|z) as trained (mse-sum: summed squared error)
	SE          float64   `json:"se_per_image,omitempty"`  // summed squared error, z sampled
	KL          float64   `json:"kl_per_image,omitempty"`
	Loss        float64   `json:"loss_per_image,omitempty"`
	RecMu       float64   `json:"se_per_image_z_mu,omitempty"` // summed squared error with z = mu
	KLPerDim    []float64 `json:"kl_per_dim,omitempty"`
	ActiveUnits int       `json:"active_units,omitempty"`
	// IWAE: the importance-weighted bound on log p(x), nats per image, over
	// the first IWImages test images with IWSamples samples each; nil (JSON
	// null) when it was not computed.
	IWAE      *float64 `json:"iwae_nats_per_image"`
	IWImages  int      `json:"iw_images,omitempty"`
	IWSamples int      `json:"iw_samples,omitempty"`
	ELBONats  *float64 `json:"elbo_nats_per_image"` // the ELBO on the same images and scale, for comparison
	// Quality: samples and reconstructions judged by latent's digit classifier.
	Quality *Quality `json:"quality,omitempty"`
}

// Test scores m on every image of test; seed draws the VAE's noise.
func Test(m *model.Model, test *mnist.Set, seed uint64, threads int) Result {
	idx := mnist.Indices(test.N)
	e := train.NewEngine(m, 64, threads) // 4 chunks: enough for 2 cores, 8 MB of buffers
	defer e.Close()
	tot := e.Evaluate(test, idx, rand.New(rand.NewPCG(seed, 0xe7a1)))
	n := float64(tot.Images)
	r := Result{Model: string(m.Kind), Images: tot.Images, MSEPerPixel: tot.SquaredError / (n * model.Pixels)}
	if m.IsVAE() {
		r.Likelihood = string(m.Lik())
		r.Rec, r.SE, r.KL = tot.Rec/n, tot.SquaredError/n, tot.KL/n
		r.Loss = r.Rec + r.KL
		r.RecMu = tot.SquaredErrMu / n
		r.KLPerDim, r.ActiveUnits = tot.Dims.KLPerImage(tot.Images), tot.Dims.ActiveUnits(tot.Images)
	}
	return r
}

// ImportanceWeighted adds the IWAE bound with k samples on the first images
// test images (and, for comparison, the single-sample bound, the ELBO).
func (r *Result) ImportanceWeighted(m *model.Model, test *mnist.Set, images, k int, seed uint64, threads int) {
	idx := mnist.Indices(min(images, test.N))
	e := train.NewEngine(m, 256, threads)
	defer e.Close()
	iwae := mean(e.LogLikelihoodBound(test, idx, k, rand.New(rand.NewPCG(seed, 0x1ae))))
	elbo := mean(e.LogLikelihoodBound(test, idx, 1, rand.New(rand.NewPCG(seed, 0x1af))))
	r.IWAE, r.ELBONats = &iwae, &elbo
	r.IWImages, r.IWSamples = len(idx), k
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// String is the result as the CLI prints it.
func (r Result) String() string {
	if r.Model == string(model.AE) {
		return fmt.Sprintf("AE  test (%d images): mse/pixel %.5f", r.Images, r.MSEPerPixel)
	}
	s := fmt.Sprintf("%s test (%d images, %s likelihood): loss/image %.2f (rec %.2f + kl %.2f); squared error/image %.2f, with z = mu %.2f; %d of %d latent dimensions active",
		strings.ToUpper(r.Model), r.Images, r.Likelihood, r.Loss, r.Rec, r.KL, r.SE, r.RecMu, r.ActiveUnits, len(r.KLPerDim))
	if r.IWAE != nil {
		s += fmt.Sprintf("\nlog p(x) ≥ %.2f nats/image (IWAE, %d samples, first %d test images; ELBO on them %.2f)", *r.IWAE, r.IWSamples, r.IWImages, *r.ELBONats)
	} else {
		s += "\nlog p(x): IWAE bound not computed"
	}
	if r.Quality != nil {
		s += "\n" + strings.TrimRight(r.Quality.String(), "\n")
	}
	return s
}
