package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"latent/internal/atomicfile"
	"latent/model"
	"latent/report"
	"latent/train"
	"latent/viz"
)

// sweepRow is one trained setting and its scores.
type sweepRow struct {
	Name     string     `json:"name"`
	Beta     float64    `json:"beta"`
	KLWarmup float64    `json:"kl_warmup"`
	FreeBits float64    `json:"free_bits"`
	Latent   int        `json:"latent"`
	Eval     evalResult `json:"test"`
	Quality  *quality   `json:"quality,omitempty"`
	Seconds  float64    `json:"train_seconds"`
}

func runSweep(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sweep", "Train one VAE per setting (every combination of the listed values), score each on\nthe test images (reconstruction, KL, IWAE bound, active units, and its samples\njudged by latent's digit classifier), and write DIR/sweep.csv, DIR/tradeoff.png,\na sample grid per setting and DIR/sweep.html. It says which setting wins.",
		"latent sweep --beta 0.25,0.5,1,2,4 --out sweep", stdout)
	var d dataFlags
	var t trainFlags
	d.register(fs)
	t.register(fs, true, true)
	betas := fs.String("beta", "0.25,0.5,1,2,4", "KL weights to try, comma-separated")
	warmups := fs.String("kl-warmup", "0", "KL warm-up lengths (epochs) to try")
	freeBits := fs.String("free-bits", "0", "free-bits floors (nats per dimension) to try")
	latents := fs.String("latent", "8", "latent sizes to try")
	out := fs.String("out", "latent-sweep", "output folder")
	iwSamples := fs.Int("iw-samples", 200, "importance samples per image of the IWAE bound (0: skip)")
	iwImages := fs.Int("iw-images", 200, "test images of the IWAE bound")
	nSamples := fs.Int("samples", 10000, "samples judged per setting")
	clf := fs.String("classifier", "", "digit classifier checkpoint (default: latent's cache; trained there when missing)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if t.kind == string(model.AE) {
		return usagef("sweep trains VAEs: --model vae or cvae")
	}
	t.latent = 8                   // checked per setting below
	mc0, cfg0, err := t.config(&d) // applies --preset to the lists too, unless given
	if err != nil {
		return err
	}
	var lists [4][]float64
	for i, s := range []struct{ name, v string }{{"beta", *betas}, {"kl-warmup", *warmups}, {"free-bits", *freeBits}, {"latent", *latents}} {
		vs, err := floatList(s.name, s.v)
		if err != nil {
			return err
		}
		lists[i] = vs
	}
	for _, l := range lists[3] {
		if l != math.Trunc(l) || l < 1 || l > 4096 {
			return usagef("--latent: %g is not a whole number in 1..4096", l)
		}
	}
	if *iwSamples < 0 || *iwImages < 1 || *nSamples < 2 || *nSamples > 100000 {
		return usagef("--iw-samples must be ≥ 0, --iw-images ≥ 1 and --samples in 2..100000")
	}
	data, test, ctx, stop, err := d.startRun(*out)
	if err != nil {
		return err
	}
	defer stop()
	var j *judge
	if cfg0.Dataset == "mnist" {
		if j, err = newJudge(ctx, *clf, d.threads, stdout, stderr); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(stdout, "dataset %s: samples are not judged (the judge is an MNIST digit classifier)\n", cfg0.Dataset)
	}

	var rows []sweepRow
	for _, beta := range lists[0] {
		for _, warm := range lists[1] {
			for _, fb := range lists[2] {
				for _, lat := range lists[3] {
					mc, cfg := mc0, cfg0
					cfg.Beta, cfg.KLWarmup, cfg.FreeBits, mc.Latent = beta, warm, fb, int(lat)
					if err := cfg.Validate(); err != nil {
						return usagef("%v", err)
					}
					row := sweepRow{Name: fmt.Sprintf("beta%g-warmup%g-freebits%g-latent%d", beta, warm, fb, mc.Latent),
						Beta: beta, KLWarmup: warm, FreeBits: fb, Latent: mc.Latent}
					dir := filepath.Join(*out, row.Name)
					fmt.Fprintf(stdout, "\n== %s: %s, β %g, KL warm-up %g, free bits %g ==\n", row.Name, describe(mc), beta, warm, fb)
					t0 := time.Now()
					m, _, err := trainModel(ctx, mc, cfg, data, dir, stdout, stderr, nil)
					if err != nil {
						return err
					}
					row.Seconds = time.Since(t0).Seconds()
					row.Eval = evaluate(m, test, d.seed, d.threads)
					if *iwSamples > 0 {
						row.Eval.importanceWeighted(m, test, *iwImages, *iwSamples, d.seed, d.threads)
					}
					fmt.Fprintln(stdout, row.Eval)
					if j != nil {
						q, err := j.score(m, *nSamples, d.seed)
						if err != nil {
							return err
						}
						row.Quality = &q
						fmt.Fprint(stdout, q)
					}
					imgs, _ := sampleImages(m, 100, -1, d.seed)
					if err := viz.SavePNG(filepath.Join(dir, "samples.png"), viz.Grid(report.Rows(imgs, 100), model.Side, viz.GridOptions{Cols: 10, Scale: 2, Gap: 2})); err != nil {
						return err
					}
					rows = append(rows, row)
				}
			}
		}
	}
	settings := [][2]string{{"model", describe(mc0) + " (latent as listed)"}, {"epochs", fmt.Sprint(cfg0.Epochs)}, {"batch", fmt.Sprint(cfg0.Batch)},
		{"learning rate", fmt.Sprintf("%g (%s)", cfg0.LR, cfg0.LRSchedule)}, {"mixture prior", fmt.Sprintf("%d components, temperature %g", cfg0.Prior, cfg0.PriorTemperature)},
		{"dataset", cfg0.Dataset}, {"seed", fmt.Sprint(cfg0.Seed)}, {"samples judged", fmt.Sprint(*nSamples)},
		{"IWAE", fmt.Sprintf("%d samples on the first %d test images", *iwSamples, *iwImages)}}
	return writeSweep(*out, rows, settings, stdout)
}

// floatList parses "0.5,1,2" into non-negative finite numbers.
func floatList(flag, s string) ([]float64, error) {
	var vs []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
			return nil, usagef("--%s: %q is not a non-negative number (want a comma-separated list such as 0.5,1,2)", flag, f)
		}
		vs = append(vs, v)
	}
	return vs, nil
}

// winner is the row with the lowest digit-FD of its samples (nil without a judge).
func winner(rows []sweepRow) *sweepRow {
	var best *sweepRow
	for i := range rows {
		if q := rows[i].Quality; q != nil && (best == nil || q.Samples.FD < best.Quality.Samples.FD) {
			best = &rows[i]
		}
	}
	return best
}

// writeSweep writes the table (CSV), the trade-off plot and sweep.html, and
// names the winner.
func writeSweep(dir string, rows []sweepRow, settings [][2]string, stdout io.Writer) error {
	header := []string{"setting", "beta", "kl_warmup", "free_bits", "latent", "rec_per_image", "se_per_image_z_mu", "kl_per_image",
		"iwae_nats", "active_units", "confident", "min_digit_share", "entropy", "digit_fd", "recon_confident", "recon_digit_fd", "train_seconds"}
	table := [][]string{header}
	f := func(v float64, p int) string { return strconv.FormatFloat(v, 'f', p, 64) }
	for _, r := range rows {
		line := []string{r.Name, f(r.Beta, -1), f(r.KLWarmup, -1), f(r.FreeBits, -1), strconv.Itoa(r.Latent), f(r.Eval.Rec, 2), f(r.Eval.RecMu, 2),
			f(r.Eval.KL, 2), f(r.Eval.IWAE, 2), strconv.Itoa(r.Eval.ActiveUnits)}
		if q := r.Quality; q != nil {
			line = append(line, f(q.Samples.Confident, 4), f(q.Samples.MinShare, 4), f(q.Samples.Entropy, 4), f(q.Samples.FD, 2),
				f(q.Reconstructions.Confident, 4), f(q.Reconstructions.FD, 2))
		} else {
			line = append(line, "", "", "", "", "", "")
		}
		table = append(table, append(line, f(r.Seconds, 1)))
	}
	var buf strings.Builder
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(table); err != nil {
		return err
	}
	csvPath := filepath.Join(dir, "sweep.csv")
	if err := atomicfile.WriteBytes(csvPath, []byte(buf.String())); err != nil {
		return err
	}
	if err := train.WriteJSON(filepath.Join(dir, "sweep.json"), rows); err != nil {
		return err
	}

	// the trade-off: x is β when only β varies, else the setting's number
	x, xLabel := make([]float64, len(rows)), "setting"
	onlyBeta := true
	for i, r := range rows {
		x[i] = float64(i + 1)
		onlyBeta = onlyBeta && r.KLWarmup == rows[0].KLWarmup && r.FreeBits == rows[0].FreeBits && r.Latent == rows[0].Latent
	}
	if onlyBeta && len(rows) > 1 {
		xLabel = "β (log2)"
		for i, r := range rows {
			x[i] = math.Log2(math.Max(r.Beta, 1e-3))
		}
	}
	col := func(get func(sweepRow) float64) []float64 {
		v := make([]float64, len(rows))
		for i, r := range rows {
			v[i] = get(r)
		}
		return v
	}
	panels := []viz.Panel{{Title: "reconstruction vs KL", XLabel: xLabel, YLabel: "nats or squared error per image", X: x, Series: []viz.Series{
		{Name: "squared error (z = mu)", Y: col(func(r sweepRow) float64 { return r.Eval.RecMu })},
		{Name: "KL", Y: col(func(r sweepRow) float64 { return r.Eval.KL })}}}}
	if rows[0].Quality != nil {
		panels = append(panels,
			viz.Panel{Title: "confidently a digit (max p ≥ 0.9)", XLabel: xLabel, YLabel: "share", X: x, Series: []viz.Series{
				{Name: "samples", Y: col(func(r sweepRow) float64 { return r.Quality.Samples.Confident })},
				{Name: "reconstructions", Y: col(func(r sweepRow) float64 { return r.Quality.Reconstructions.Confident })},
				{Name: "real test images", Y: col(func(r sweepRow) float64 { return r.Quality.Real.Confident })}}},
			viz.Panel{Title: "digit Fréchet distance (lower is better)", XLabel: xLabel, YLabel: "digit-FD", X: x, Series: []viz.Series{
				{Name: "samples", Y: col(func(r sweepRow) float64 { return r.Quality.Samples.FD })},
				{Name: "reconstructions", Y: col(func(r sweepRow) float64 { return r.Quality.Reconstructions.FD })}}})
	}
	plot := "tradeoff.png"
	if len(rows) > 1 {
		if err := viz.LinesPanels(filepath.Join(dir, plot), "the reconstruction / KL trade-off", panels, 400*len(panels), 380); err != nil {
			return err
		}
	}

	verdict := "no setting was judged (the judge needs MNIST)"
	if best := winner(rows); best != nil {
		verdict = fmt.Sprintf("winner: %s, by the lowest digit Fréchet distance of its samples (%.1f; %.1f%% of them confidently a digit, smallest digit share %.1f%%)",
			best.Name, best.Quality.Samples.FD, 100*best.Quality.Samples.Confident, 100*best.Quality.Samples.MinShare)
	}
	figs := []report.Figure{}
	if len(rows) > 1 {
		figs = append(figs, report.Figure{File: plot, Title: "The trade-off", Caption: "Left: what each setting spends on reconstruction and on KL. Middle and right: how its samples from the prior fare with latent's digit classifier, against its reconstructions of the test images."})
	}
	for _, r := range rows {
		figs = append(figs, report.Figure{File: filepath.Join(r.Name, "samples.png"), Title: r.Name, Caption: "100 samples from the model's prior."})
	}
	html := filepath.Join(dir, "sweep.html")
	if err := report.WriteHTML(html, dir, report.Report{Title: "latent sweep", Intro: []string{verdict}, Figures: figs, Metrics: table, Settings: settings}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n%s\nwrote %s, %s and %s\n", verdict, csvPath, filepath.Join(dir, plot), html)
	return nil
}
