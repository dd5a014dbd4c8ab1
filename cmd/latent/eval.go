package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"latent/evaluate"
	"latent/internal/limits"
)

func runEval(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("eval", "Evaluate a checkpoint on the test images of the dataset it was trained on (or\n--dataset). AE: mean squared error per pixel. VAE: reconstruction (summed\nsquared error per image), KL per image and their sum, with z sampled as in\ntraining and with z = mu. Writes no file (results go to stdout); only --quality may\ntrain the digit classifier once into latent's cache folder.",
		"latent eval --model runs/vae/model.safetensors --json", stdout)
	var d dataFlags
	d.register(fs)
	path := fs.String("model", "", "checkpoint to evaluate (required): a latent checkpoint or a PyTorch state_dict saved as safetensors")
	asJSON := fs.Bool("json", false, "print the result as one JSON document on stdout (messages stay on stderr)")
	iwSamples := fs.Int("iw-samples", 1000, "VAE: importance samples per image of the log-likelihood bound (IWAE); 0 skips it")
	iwImages := fs.Int("iw-images", 500, "VAE: the IWAE bound is computed on this many test images (the first ones)")
	judged := fs.Bool("quality", true, "VAE on MNIST: judge samples and reconstructions with latent's digit classifier\n(trained once, about 2 minutes, into latent's cache folder, when missing)")
	nSamples := fs.Int("samples", 10000, "samples from the prior that are judged")
	clf := fs.String("classifier", "", "digit classifier written by 'latent classifier train --out FILE' (default: latent's cache,\nwhere a missing classifier is trained)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := checkScoring(*nSamples, *iwSamples, *iwImages); err != nil {
		return err
	}
	if err := d.validate(); err != nil {
		return err
	}
	if *path == "" {
		return usagef("--model is required: the checkpoint file to evaluate")
	}
	m, meta, err := loadModel(*path)
	if err != nil {
		return err
	}
	if !m.IsVAE() {
		var unused []string
		for _, name := range []string{"iw-samples", "iw-images", "samples", "quality"} {
			if fs.wasSet(name) {
				unused = append(unused, "--"+name)
			}
		}
		if len(unused) > 0 {
			fmt.Fprintf(stderr, "%s not used: %s is an AE (no likelihood bound, no samples to judge)\n", strings.Join(unused, ", "), *path)
		}
	}
	_, test, err := d.loadForModel(fs, meta, stderr)
	if err != nil {
		return err
	}
	var j *evaluate.Judge
	switch {
	case m.IsVAE() && *judged && d.dataset == "mnist":
		// first: a wrong --classifier fails before minutes of work
		if j, err = loadJudge(context.Background(), *clf, d.threads, stderr); err != nil {
			return err
		}
	case *clf != "":
		why := "only a VAE's samples on MNIST are judged"
		if m.IsVAE() && d.dataset == "mnist" {
			why = "--quality=false turns the judging off"
		}
		fmt.Fprintf(stderr, "--classifier %s is not used: %s\n", *clf, why)
	}
	r := evaluate.Test(m, test, d.seed, d.threads)
	if m.IsVAE() && *iwSamples > 0 {
		r.ImportanceWeighted(m, test, *iwImages, *iwSamples, d.seed, d.threads)
	}
	if j != nil {
		q, err := j.Score(m, *nSamples, d.seed)
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

// checkScoring checks the flags of the scoring that eval and sweep share.
func checkScoring(samples, iwSamples, iwImages int) error {
	for _, c := range []struct {
		r limits.Int
		v int
	}{{limits.Samples, samples}, {limits.IWSamples, iwSamples}, {limits.IWImages, iwImages}} {
		if err := c.r.Check(c.v); err != nil {
			return usagef("--%v", err)
		}
	}
	return nil
}
