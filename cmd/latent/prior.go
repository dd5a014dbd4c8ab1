package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"latent/internal/atomicfile"
	"latent/internal/limits"
	"latent/train"
)

func runPrior(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("prior", "Fit a mixture prior to where a trained VAE's encoder puts the training images\n(its aggregate posterior) and store it in the model file, replacing any prior it\nhad: 'latent sample' then draws z from it instead of N(0, I). It rewrites --model in\nplace (a read-only file is refused: give a copy to keep the original).",
		"latent prior --model runs/vae/model.safetensors --components 100", stdout)
	var d dataFlags
	d.register(fs)
	path := fs.String("model", "", "VAE checkpoint to update (required)")
	k := fs.Int("components", 100, "Gaussians in the mixture")
	aggregate := fs.Bool("aggregate", false, "fit the aggregate posterior: add each image's posterior variance to the\ncomponents (default: fit the posterior means, which gives sharper samples)")
	iters := fs.Int("iterations", train.PriorIterations, "EM iterations")
	temp := fs.Float64("temperature", 1, "multiply the components' spreads by this (below 1: samples keep closer to clear digits)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := d.validate(); err != nil {
		return err
	}
	if *path == "" {
		return usagef("--model is required: the VAE checkpoint to give a prior")
	}
	if err := limits.Components.Check(*k); err != nil {
		return usagef("--%v", err)
	}
	if err := limits.Iterations.Check(*iters); err != nil {
		return usagef("--%v", err)
	}
	if limits.PriorTemperature.Check(*temp) != nil {
		return usagef("--temperature must be %s (the prior temperature), got %g", limits.PriorTemperature, *temp)
	}
	m, meta, err := loadModel(*path)
	if err != nil {
		return err
	}
	if !m.IsVAE() {
		return usagef("%s is an AE: only a VAE has a prior", *path)
	}
	target := *path // a symlink's target is updated; renaming over the link would replace it
	if t, err := filepath.EvalSymlinks(*path); err == nil {
		target = t
	}
	if err := checkUpdatable(target); err != nil {
		return err
	}
	if s := meta["latent.seed"]; s != "" && !fs.wasSet("seed") {
		fmt.Sscan(s, &d.seed)
	}
	data, _, err := d.loadForModel(fs, meta, stderr)
	if err != nil {
		return err
	}
	start := time.Now()
	note, err := train.SavePrior(m, data, train.PriorConfig{Components: *k, Iterations: *iters, Seed: d.seed, Threads: d.threads, Aggregate: *aggregate, Temperature: *temp}, target, meta)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s (%d training images) in %.1fs; stored in %s\n", note, len(data.Train), time.Since(start).Seconds(), *path)
	return nil
}

// checkUpdatable refuses, before the fit, a model file that latent prior
// must not rewrite: one without write permission (the rename that replaces
// it would succeed anyway, and as root even a plain write would), or one in
// a folder where its replacement cannot be created.
func checkUpdatable(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.Mode().Perm()&0o222 == 0 {
		return fmt.Errorf("--model %s is read-only and latent prior stores the prior in it; copy it and give the copy, or make it writable (chmod u+w %s)", path, path)
	}
	if err := atomicfile.CheckWritable(filepath.Dir(path)); err != nil {
		return fmt.Errorf("--model %s cannot be updated: %w", path, err)
	}
	return nil
}
