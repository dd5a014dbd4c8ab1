package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"

	"latent/mnist"
	"latent/model"
	"latent/train"
)

// evalResult is a model's score on the test set. AE: mean squared error per
// pixel. VAE: per image, the summed squared error and the KL, with z sampled
// as in training and with z = mu.
type evalResult struct {
	Model       string    `json:"model"`
	Images      int       `json:"images"`
	MSEPerPixel float64   `json:"mse_per_pixel"`
	Rec         float64   `json:"rec_per_image,omitempty"`
	KL          float64   `json:"kl_per_image,omitempty"`
	Loss        float64   `json:"loss_per_image,omitempty"`
	RecMu       float64   `json:"rec_per_image_z_mu,omitempty"`
	LossMu      float64   `json:"loss_per_image_z_mu,omitempty"`
	KLPerDim    []float64 `json:"kl_per_dim,omitempty"`
	ActiveUnits int       `json:"active_units,omitempty"`
}

func evaluate(m *model.Model, test *mnist.Set, seed uint64, threads int) evalResult {
	idx := make([]int, test.N)
	for i := range idx {
		idx[i] = i
	}
	e := train.NewEngine(m, 64, threads) // 4 chunks: enough for 2 cores, 8 MB of buffers
	defer e.Close()
	tot := e.Evaluate(test, idx, rand.New(rand.NewPCG(seed, 0xe7a1)))
	n := float64(tot.Images)
	r := evalResult{Model: string(m.Kind), Images: tot.Images, MSEPerPixel: tot.SquaredError / (n * model.Pixels)}
	if m.IsVAE() {
		r.Rec, r.KL = tot.SquaredError/n, tot.KL/n
		r.Loss = r.Rec + r.KL
		r.RecMu = tot.SquaredErrMu / n
		r.LossMu = r.RecMu + r.KL
		r.KLPerDim, r.ActiveUnits = tot.Dims.KLPerImage(tot.Images), tot.Dims.ActiveUnits(tot.Images)
	}
	return r
}

func (r evalResult) String() string {
	if r.Model == string(model.AE) {
		return fmt.Sprintf("AE  test (%d images): mse/pixel %.5f", r.Images, r.MSEPerPixel)
	}
	return fmt.Sprintf("VAE test (%d images): loss/image %.2f (rec %.2f + kl %.2f); with z = mu: rec %.2f, loss %.2f; %d of %d latent dimensions active",
		r.Images, r.Loss, r.Rec, r.KL, r.RecMu, r.LossMu, r.ActiveUnits, len(r.KLPerDim))
}

func runEval(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("eval", "Evaluate a checkpoint on the test images of the dataset it was trained on (or\n--dataset). AE: mean squared error per pixel. VAE: reconstruction (summed\nsquared error per image), KL per image and their sum, with z sampled as in\ntraining and with z = mu.",
		"latent eval --model runs/vae/model.safetensors --json", stdout)
	var d dataFlags
	d.register(fs)
	path := fs.String("model", "", "checkpoint to evaluate (required): a latent checkpoint or a PyTorch state_dict saved as safetensors")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := parse(fs, args); err != nil {
		return err
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
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	_, err = fmt.Fprintln(stdout, r)
	return err
}
