package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"

	"latent/mnist"
	"latent/model"
	"latent/train"
)

// evalResult is a model's score on the test set. AE: mean squared error per
// pixel. VAE: per image, the summed squared error and the KL, with z sampled
// as in training and with z = mu.
type evalResult struct {
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
	// the first IWImages test images with IWSamples samples each.
	IWAE      float64 `json:"iwae_nats_per_image,omitempty"`
	IWImages  int     `json:"iw_images,omitempty"`
	IWSamples int     `json:"iw_samples,omitempty"`
	ELBONats  float64 `json:"elbo_nats_per_image,omitempty"` // the ELBO on the same images and scale, for comparison
	// Quality: samples and reconstructions judged by latent's digit classifier.
	Quality *quality `json:"quality,omitempty"`
}

func evaluate(m *model.Model, test *mnist.Set, seed uint64, threads int) evalResult {
	idx := mnist.Indices(test.N)
	e := train.NewEngine(m, 64, threads) // 4 chunks: enough for 2 cores, 8 MB of buffers
	defer e.Close()
	tot := e.Evaluate(test, idx, rand.New(rand.NewPCG(seed, 0xe7a1)))
	n := float64(tot.Images)
	r := evalResult{Model: string(m.Kind), Images: tot.Images, MSEPerPixel: tot.SquaredError / (n * model.Pixels)}
	if m.IsVAE() {
		r.Likelihood = string(m.Lik())
		r.Rec, r.SE, r.KL = tot.Rec/n, tot.SquaredError/n, tot.KL/n
		r.Loss = r.Rec + r.KL
		r.RecMu = tot.SquaredErrMu / n
		r.KLPerDim, r.ActiveUnits = tot.Dims.KLPerImage(tot.Images), tot.Dims.ActiveUnits(tot.Images)
	}
	return r
}

// importanceWeighted adds the IWAE bound with k samples on the first images
// test images (and, for comparison, the single-sample bound, the ELBO).
func (r *evalResult) importanceWeighted(m *model.Model, test *mnist.Set, images, k int, seed uint64, threads int) {
	idx := mnist.Indices(min(images, test.N))
	e := train.NewEngine(m, 256, threads)
	defer e.Close()
	r.IWAE = mean(e.LogLikelihoodBound(test, idx, k, rand.New(rand.NewPCG(seed, 0x1ae))))
	r.ELBONats = mean(e.LogLikelihoodBound(test, idx, 1, rand.New(rand.NewPCG(seed, 0x1af))))
	r.IWImages, r.IWSamples = len(idx), k
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func (r evalResult) String() string {
	if r.Model == string(model.AE) {
		return fmt.Sprintf("AE  test (%d images): mse/pixel %.5f", r.Images, r.MSEPerPixel)
	}
	s := fmt.Sprintf("%s test (%d images, %s likelihood): loss/image %.2f (rec %.2f + kl %.2f); squared error/image %.2f, with z = mu %.2f; %d of %d latent dimensions active",
		strings.ToUpper(r.Model), r.Images, r.Likelihood, r.Loss, r.Rec, r.KL, r.SE, r.RecMu, r.ActiveUnits, len(r.KLPerDim))
	if r.IWSamples > 0 {
		s += fmt.Sprintf("\nlog p(x) ≥ %.2f nats/image (IWAE, %d samples, first %d test images; ELBO on them %.2f)", r.IWAE, r.IWSamples, r.IWImages, r.ELBONats)
	}
	if r.Quality != nil {
		s += "\n" + strings.TrimRight(r.Quality.String(), "\n")
	}
	return s
}

func runEval(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("eval", "Evaluate a checkpoint on the test images of the dataset it was trained on (or\n--dataset). AE: mean squared error per pixel. VAE: reconstruction (summed\nsquared error per image), KL per image and their sum, with z sampled as in\ntraining and with z = mu.",
		"latent eval --model runs/vae/model.safetensors --json", stdout)
	var d dataFlags
	d.register(fs)
	path := fs.String("model", "", "checkpoint to evaluate (required): a latent checkpoint or a PyTorch state_dict saved as safetensors")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	iwSamples := fs.Int("iw-samples", 1000, "VAE: importance samples per image of the log-likelihood bound (IWAE); 0 skips it")
	iwImages := fs.Int("iw-images", 500, "VAE: the IWAE bound is computed on this many test images (the first ones)")
	judged := fs.Bool("quality", true, "VAE on MNIST: judge samples and reconstructions with latent's digit classifier\n(trained once, about 2 minutes, into latent's cache folder, when missing)")
	nSamples := fs.Int("samples", 10000, "samples from the prior that are judged")
	clf := fs.String("classifier", "", "digit classifier checkpoint (default: latent's cache)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *nSamples < 2 || *nSamples > 100000 {
		return usagef("--samples must be in 2..100000, got %d", *nSamples)
	}
	if *iwSamples < 0 || *iwSamples > 1000000 {
		return usagef("--iw-samples must be in 0..1000000, got %d", *iwSamples)
	}
	if *iwImages < 1 {
		return usagef("--iw-images must be at least 1, got %d", *iwImages)
	}
	if err := d.validate(); err != nil {
		return err
	}
	if *path == "" {
		return usagef("--model is required: the checkpoint file to evaluate")
	}
	m, meta, err := model.Load(*path)
	if err != nil {
		return err
	}
	if ds := meta["latent.dataset"]; ds != "" && !fs.wasSet("dataset") && !fs.wasSet("data") {
		d.dataset = ds // the images the model was trained on, unless told otherwise
	}
	_, test, err := d.load()
	if err != nil {
		return err
	}
	r := evaluate(m, test, d.seed, d.threads)
	if m.IsVAE() && *iwSamples > 0 {
		r.importanceWeighted(m, test, *iwImages, *iwSamples, d.seed, d.threads)
	}
	if m.IsVAE() && *judged && d.dataset == "mnist" {
		j, err := newJudge(context.Background(), *clf, d.threads, stdout, stderr)
		if err != nil {
			return err
		}
		q, err := j.score(m, *nSamples, d.seed)
		if err != nil {
			return err
		}
		r.Quality = &q
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	_, err = fmt.Fprintln(stdout, r)
	return err
}
