package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"latent/evaluate"
	"latent/model"
	"latent/report"
	"latent/samplequality"
	"latent/train"
)

const version = "0.1.0"

// demoRecord is DIR/demo.json: the command line that started the demo in
// DIR, from which --resume DIR continues it.
type demoRecord struct {
	Args []string `json:"args"`
}

// demoFiles are the files of a demo's folder besides its two runs.
var demoFiles = []string{"demo.json", "summary.json", "report.html"}

func runDemo(args []string, stdout, stderr io.Writer) error {
	return demo(args, false, stdout, stderr)
}

// demo runs the demo; resuming continues the runs already in --out.
func demo(args []string, resuming bool, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "Run the whole tutorial with its seed settings: train the AE, then the VAE\n(10 epochs each, batch 64, Adam 1e-3), evaluate both on the test set, draw\nevery figure (PNG) and write one self-contained report.html under --out.\nAfter Ctrl-C, --resume DIR continues the demo where it stopped.",
		"latent demo --out latent-demo", stdout)
	var d dataFlags
	var t trainFlags
	d.register(fs)
	t.register(fs, false, false)
	out := fs.String("out", "latent-demo", "output folder")
	judged := fs.Bool("quality", false, "judge the VAE's samples and reconstructions with latent's digit classifier\n(trained once, about 2 minutes, when missing; on by default with --preset)")
	resume := fs.String("resume", "", "continue the interrupted demo in this folder with its own settings (--threads applies)")
	force := fs.Bool("force", false, "replace the demo that --out already holds")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *resume != "" {
		return resumeDemo(fs, *resume, d.threads, stdout, stderr)
	}
	t.kind = string(model.VAE)
	vaeCfg, vaeTrain, err := t.config(&d)
	if err != nil {
		return err
	}
	warnWarmup(vaeTrain.KLWarmup, vaeTrain.Beta, vaeTrain.Epochs, stderr)
	// The AE: the seed's layers and schedule; a preset is a VAE recipe, so
	// the AE takes only what the command line gives explicitly.
	aeCfg, aeTrain := model.Seed(model.AE), vaeTrain
	if t.preset != "" {
		aeTrain = train.SeedConfig()
		aeTrain.Seed, aeTrain.Threads, aeTrain.Dataset = vaeTrain.Seed, vaeTrain.Threads, vaeTrain.Dataset
		if t.given("epochs") {
			aeTrain.Epochs = vaeTrain.Epochs
		}
		if t.given("batch") {
			aeTrain.Batch = vaeTrain.Batch
		}
		if t.given("lr") {
			aeTrain.LR = vaeTrain.LR
		}
	}
	if t.given("width") {
		aeCfg.Width = vaeCfg.Width
	}
	aeTrain.Prior = 0
	cfgs := map[model.Kind]train.Config{model.AE: aeTrain, model.VAE: vaeTrain}
	cfg := vaeTrain
	cont := "latent demo --resume " + *out
	if !resuming && !*force {
		for _, f := range demoFiles {
			if _, err := os.Stat(filepath.Join(*out, f)); err == nil {
				return usagef("%s already holds a demo (%s); continue it with '%s', or replace it with --force", *out, f, cont)
			}
		}
		for _, k := range []model.Kind{model.AE, model.VAE} {
			if err := checkFresh(filepath.Join(*out, string(k)), cont, false); err != nil {
				return err
			}
		}
	}
	start := time.Now()
	data, test, ctx, stop, err := d.startRun(*out)
	if err != nil {
		return err
	}
	defer stop()
	if !resuming {
		if err := train.WriteJSON(filepath.Join(*out, "demo.json"), demoRecord{Args: args}); err != nil {
			return err
		}
	}
	interrupted := func() error {
		if ctx.Err() == nil {
			return nil
		}
		return fmt.Errorf("%w: the finished steps are saved in %s; continue with:\n  %s", errInterrupted, *out, cont)
	}

	type result struct {
		Eval    evaluate.Result `json:"test"`
		Metrics []train.Metrics `json:"epochs"`
		Seconds float64         `json:"train_seconds"`
	}
	if *judged && vaeTrain.Dataset != "mnist" {
		fmt.Fprintf(stderr, "dataset %s: samples are not judged (the judge is an MNIST digit classifier)\n", vaeTrain.Dataset)
		*judged = false
	}
	results := map[string]result{}
	models := map[model.Kind]*model.Model{}
	for _, mc := range []model.Config{aeCfg, vaeCfg} {
		dir := filepath.Join(*out, string(mc.Kind))
		fmt.Fprintf(stdout, "\n== %s ==\n", describe(mc))
		t0 := time.Now()
		m, history, err := demoModel(ctx, mc, cfgs[mc.Kind], data, dir, resuming, stdout, stderr, cont)
		if err != nil {
			return err
		}
		if err := interrupted(); err != nil {
			return err
		}
		secs := time.Since(t0).Seconds()
		r := evaluate.Test(m, test, d.seed, d.threads)
		fmt.Fprintln(stdout, r)
		results[string(mc.Kind)] = result{Eval: r, Metrics: history, Seconds: secs}
		models[mc.Kind] = m
	}

	fmt.Fprintf(stdout, "\n== figures ==\n")
	t0 := time.Now()
	bar := newProgress(stderr)
	tsneNotes := map[string][2]float64{}
	figs, err := report.Draw(report.Inputs{
		Dir: *out, AE: models[model.AE], VAE: models[model.VAE],
		AEHistory: results["ae"].Metrics, VAEHistory: results["vae"].Metrics,
		Train: data.Set, Test: test, ValImages: len(data.Val), Seed: d.seed, Threads: d.threads,
		Progress:     func(fig string) { bar.update("figures: "+fig, 0, 1) },
		TSNEProgress: func(name string, iter, total int) { bar.update("t-SNE of the "+name+" codes", iter, total) },
		TSNE: func(name string, acc, secs float64) {
			tsneNotes[name] = [2]float64{acc, secs}
			fmt.Fprintf(stdout, "t-SNE of the %s codes: %.1fs, 10-NN label accuracy %.3f\n", name, secs, acc)
		},
	})
	bar.done()
	if err != nil {
		return err
	}
	if err := interrupted(); err != nil {
		return err
	}
	for _, f := range figs {
		fmt.Fprintf(stdout, "  %-40s %s\n", filepath.Join(*out, f.File), f.Title)
	}
	figSecs := time.Since(t0).Seconds()
	var q *evaluate.Quality
	if *judged {
		j, err := loadJudge(ctx, "", d.threads, stderr)
		if err != nil {
			if ierr := interrupted(); ierr != nil {
				return ierr
			}
			return err
		}
		s, err := j.Score(models[model.VAE], 10000, d.seed)
		if err != nil {
			return err
		}
		q = &s
		fmt.Fprint(stdout, s)
	}

	ae, vae := results["ae"].Eval, results["vae"].Eval
	rep := report.Report{
		Title: "latent: what an autoencoder and a VAE learn from MNIST",
		Intro: []string{
			"This report was written by `latent demo`: it trained the tutorial's convolutional autoencoder (AE) and variational autoencoder (VAE) on 48,000 MNIST training images, checked them on 12,000 held-out validation images, and drew everything below from the 10,000 test images, which neither model saw.",
			"Both models squeeze a 28×28 digit through a narrow code and rebuild it. The AE only learns to rebuild; the VAE also keeps its codes close to a standard normal distribution, and that is what lets it make new digits.",
		},
		Figures: figs,
		Metrics: [][]string{
			{"model", "test images", "MSE per pixel", "reconstruction per image", "KL per image", "loss per image", "loss, z = mu"},
			{"AE", fmt.Sprint(ae.Images), fmt.Sprintf("%.5f", ae.MSEPerPixel), fmt.Sprintf("%.2f", ae.MSEPerPixel*model.Pixels), "–", "–", "–"},
			{"VAE", fmt.Sprint(vae.Images), fmt.Sprintf("%.5f", vae.MSEPerPixel), fmt.Sprintf("%.2f", vae.Rec), fmt.Sprintf("%.2f", vae.KL), fmt.Sprintf("%.2f", vae.Loss), fmt.Sprintf("%.2f", vae.RecMu+vae.KL)},
		},
		Settings: [][2]string{
			{"epochs", fmt.Sprint(cfg.Epochs)}, {"batch", fmt.Sprint(cfg.Batch)}, {"learning rate (Adam)", fmt.Sprint(cfg.LR)},
			{"VAE", describe(vaeCfg)}, {"KL weight β", fmt.Sprint(cfg.Beta)},
			{"seed", fmt.Sprint(d.seed)}, {"threads", fmt.Sprint(d.threads)}, {"latent version", version},
		},
		Timings: [][2]string{
			{"AE training", fmt.Sprintf("%.1f s", results["ae"].Seconds)},
			{"VAE training", fmt.Sprintf("%.1f s", results["vae"].Seconds)},
			{"figures (with both t-SNE maps)", fmt.Sprintf("%.1f s", figSecs)},
		},
	}
	for _, name := range []string{"AE", "VAE"} {
		if n, ok := tsneNotes[name]; ok {
			rep.Timings = append(rep.Timings, [2]string{"t-SNE of the " + name + " codes", fmt.Sprintf("%.1f s, 10-NN label accuracy %.3f", n[1], n[0])})
		}
	}
	if q != nil {
		rep.QualityNote = "latent's own MNIST classifier judges 10,000 samples from the VAE's prior, its reconstructions of the 10,000 test images, and the test images themselves (the ceiling). Confident: the classifier's top probability is at least 0.9. Digit-FD: the Fréchet distance between the classifier's penultimate-layer features of the images and of the real test images (FID's method with an MNIST network)."
		rep.Quality = [][]string{{"images", "confidently a digit", "smallest digit share", "digit entropy (1 = uniform)", "digit-FD"}}
		for _, r := range []struct {
			name string
			s    samplequality.Report
		}{{"VAE samples", q.Samples}, {"VAE reconstructions", q.Reconstructions}, {"real test images", q.Real}} {
			rep.Quality = append(rep.Quality, []string{r.name, fmt.Sprintf("%.1f%%", 100*r.s.Confident), fmt.Sprintf("%.1f%%", 100*r.s.MinShare),
				fmt.Sprintf("%.3f", r.s.Entropy), fmt.Sprintf("%.1f", r.s.FD)})
		}
	}
	html := filepath.Join(*out, "report.html")
	if err := report.WriteHTML(html, *out, rep); err != nil {
		return err
	}
	summary := filepath.Join(*out, "summary.json")
	if err := train.WriteJSON(summary, map[string]any{
		"results": results, "quality": q, "seconds": time.Since(start).Seconds(), "seed": d.seed, "threads": d.threads, "tsne": tsneNotes}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\ndemo finished in %.0fs; numbers in %s\nopen the report: %s\n", time.Since(start).Seconds(), summary, html)
	return nil
}

// resumeDemo continues the demo in dir with the command line that started it
// (DIR/demo.json); only --threads may change.
func resumeDemo(fs *flagSet, dir string, threads int, stdout, stderr io.Writer) error {
	var bad string
	fs.Visit(func(f *flag.Flag) {
		if bad == "" && f.Name != "resume" && f.Name != "threads" && (f.Name != "out" || f.Value.String() != dir) {
			bad = f.Name
		}
	})
	if bad != "" {
		return usagef("--%s cannot change a demo being resumed: it keeps its own settings (only --threads applies); drop --%s", bad, bad)
	}
	path := filepath.Join(dir, "demo.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("cannot resume the demo: %w (a folder written by 'latent demo --out %s' has it)", err, dir)
	}
	var rec demoRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return fmt.Errorf("cannot resume the demo: %s: %v", path, err)
	}
	for _, a := range rec.Args {
		if a == "--resume" || a == "-resume" || strings.HasPrefix(a, "--resume=") || strings.HasPrefix(a, "-resume=") {
			return fmt.Errorf("cannot resume the demo: %s: its command line has --resume", path)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "summary.json")); err == nil { // written last
		fmt.Fprintf(stderr, "the demo in %s is finished: nothing to do, no file rewritten (its report: %s)\n", dir, filepath.Join(dir, "report.html"))
		return nil
	}
	args := append(slices.Clone(rec.Args), "--out", dir)
	if fs.wasSet("threads") {
		args = append(args, "--threads", strconv.Itoa(threads))
	}
	fmt.Fprintf(stderr, "resuming the demo in %s (latent demo %s)\n", dir, strings.Join(rec.Args, " "))
	return demo(args, true, stdout, stderr)
}

// demoModel trains one of the demo's models into dir. Resuming, it continues
// the run dir holds (or takes its model when the run is finished), and trains
// from the start when dir holds none.
func demoModel(ctx context.Context, mc model.Config, cfg train.Config, data train.Data, dir string, resuming bool,
	stdout, stderr io.Writer, cont string) (*model.Model, []train.Metrics, error) {
	if resuming {
		m, saved, st, err := train.LoadState(filepath.Join(dir, stateFile))
		switch {
		case errors.Is(err, iofs.ErrNotExist): // not started yet
		case err != nil:
			return nil, nil, fmt.Errorf("cannot resume the demo: %w", err)
		case st.Epoch > saved.Epochs: // finished before the interruption
			modelPath := filepath.Join(dir, "model.safetensors")
			fm, meta, err := model.Load(modelPath)
			if err != nil {
				return nil, nil, fmt.Errorf("cannot resume the demo: %w", err)
			}
			fmt.Fprintf(stderr, "%s: finished earlier (%d epochs)\n", dir, len(st.History))
			if saved.Prior > 0 && fm.Prior == nil { // stopped while fitting the prior
				saved.Threads = cfg.Threads
				if err := storePrior(fm, data, saved, meta, modelPath, stderr); err != nil {
					return nil, nil, err
				}
			}
			return fm, st.History, nil
		default:
			saved.Threads = cfg.Threads
			return trainModel(ctx, m.Config, saved, data, dir, stdout, stderr, &resumePoint{m, st}, cont)
		}
	}
	return trainModel(ctx, mc, cfg, data, dir, stdout, stderr, nil, cont)
}
