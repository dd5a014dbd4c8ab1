package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"latent/internal/atomicfile"
	"latent/model"
	"latent/train"
)

const version = "0.1.0"

func runDemo(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "Run the whole tutorial with its seed settings: train the AE, then the VAE\n(10 epochs each, batch 64, Adam 1e-3), and evaluate both on the test set.\nEverything is written under --out.",
		"latent demo --out latent-demo", stdout)
	var d dataFlags
	var t trainFlags
	d.register(fs)
	t.register(fs, false)
	out := fs.String("out", "latent-demo", "output folder")
	if err := parse(fs, args); err != nil {
		return err
	}
	t.kind = string(model.AE)
	aeCfg, cfg, err := t.config(&d)
	if err != nil {
		return err
	}
	vaeCfg := model.Seed(model.VAE)
	vaeCfg.Latent = t.latent
	if err := atomicfile.CheckWritable(*out); err != nil {
		return err
	}
	start := time.Now()
	data, test, err := d.load()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	type result struct {
		Eval    evalResult      `json:"test"`
		Metrics []train.Metrics `json:"epochs"`
	}
	results := map[string]result{}
	for _, mc := range []model.Config{aeCfg, vaeCfg} {
		dir := filepath.Join(*out, string(mc.Kind))
		fmt.Fprintf(stdout, "\n== %s ==\n", describe(mc))
		m, history, err := trainModel(ctx, mc, cfg, data, dir, stdout, stderr)
		if err != nil {
			return err
		}
		r := evaluate(m, test, d.seed, d.threads)
		fmt.Fprintln(stdout, r)
		results[string(mc.Kind)] = result{Eval: r, Metrics: history}
	}
	summary := filepath.Join(*out, "summary.json")
	if err := train.WriteJSON(summary, map[string]any{
		"results": results, "seconds": time.Since(start).Seconds(), "seed": d.seed, "threads": d.threads}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\ndemo finished in %.0fs; results in %s\n", time.Since(start).Seconds(), summary)
	return nil
}
