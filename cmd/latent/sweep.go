package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"

	"latent/evaluate"
	"latent/internal/atomicfile"
	"latent/internal/limits"
	"latent/model"
	"latent/report"
	"latent/train"
	"latent/viz"
)

// sweepRow is one trained setting and its scores.
type sweepRow struct {
	Name     string            `json:"name"`
	Beta     float64           `json:"beta"`
	KLWarmup float64           `json:"kl_warmup"`
	FreeBits float64           `json:"free_bits"`
	Latent   int               `json:"latent"`
	Eval     evaluate.Result   `json:"test"`
	Quality  *evaluate.Quality `json:"quality,omitempty"`
	Seconds  float64           `json:"train_seconds"`
}

// sweepFiles are the files of a sweep's folder (beside one folder per setting).
var sweepFiles = []string{"sweep.csv", "sweep.json", "tradeoff.png", "sweep.html"}

func runSweep(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sweep", "Train one VAE per setting (every combination of the listed values), score each on\nthe test images (reconstruction, KL, IWAE bound, active units, and its samples\njudged by latent's digit classifier), and write DIR/sweep.csv, DIR/sweep.json,\nDIR/tradeoff.png, a sample grid per setting and DIR/sweep.html. It says which\nsetting wins. A folder that already holds a sweep is refused unless --force.",
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
	force := fs.Bool("force", false, "replace the sweep that --out already holds")
	iwSamples := fs.Int("iw-samples", 200, "importance samples per image of the IWAE bound (0: not computed)")
	iwImages := fs.Int("iw-images", 200, "test images of the IWAE bound")
	nSamples := fs.Int("samples", 10000, "samples judged per setting")
	clf := fs.String("classifier", "", "digit classifier written by 'latent classifier train --out FILE' (default: latent's cache,\nwhere a missing classifier is trained)")
	asJSON := fs.Bool("json", false, "print the settings' scores and the winner as one JSON document on stdout (the\nepoch lines and messages go to stderr)")
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
		if l != math.Trunc(l) || limits.Latent.Check(int(l)) != nil {
			return usagef("--latent: %g is not a whole number in %d..%d", l, limits.Latent.Min, limits.Latent.Max)
		}
	}
	if err := checkScoring(*nSamples, *iwSamples, *iwImages); err != nil {
		return err
	}
	var rows []sweepRow
	for _, beta := range lists[0] {
		for _, warm := range lists[1] {
			for _, fb := range lists[2] {
				for _, lat := range lists[3] {
					rows = append(rows, sweepRow{Name: fmt.Sprintf("beta%g-warmup%g-freebits%g-latent%d", beta, warm, fb, int(lat)),
						Beta: beta, KLWarmup: warm, FreeBits: fb, Latent: int(lat)})
				}
			}
		}
	}
	warned := map[float64]bool{}
	for _, r := range rows {
		if !warned[r.KLWarmup] {
			warned[r.KLWarmup] = true
			warnWarmup(r.KLWarmup, r.Beta, cfg0.Epochs, stderr)
		}
	}
	if !*force {
		for _, f := range sweepFiles {
			if _, err := os.Stat(filepath.Join(*out, f)); err == nil {
				return usagef("%s already holds a sweep (%s); choose another --out, or replace it with --force", *out, f)
			}
		}
		for _, r := range rows {
			if err := checkFresh(filepath.Join(*out, r.Name), "latent train --resume "+filepath.Join(*out, r.Name), false); err != nil {
				return err
			}
		}
	}
	log := stdout // the record of the runs; with --json stdout holds the JSON alone
	if *asJSON {
		log = stderr
	}
	data, test, ctx, stop, err := d.startRun(*out)
	if err != nil {
		return err
	}
	defer stop()
	var j *evaluate.Judge
	if cfg0.Dataset == "mnist" {
		if j, err = loadJudge(ctx, *clf, d.threads, stderr); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(stderr, "dataset %s: samples are not judged (the judge is an MNIST digit classifier)\n", cfg0.Dataset)
		if *clf != "" {
			fmt.Fprintf(stderr, "--classifier %s is not used\n", *clf)
		}
	}

	for i := range rows {
		row := &rows[i]
		mc, cfg := mc0, cfg0
		cfg.Beta, cfg.KLWarmup, cfg.FreeBits, mc.Latent = row.Beta, row.KLWarmup, row.FreeBits, row.Latent
		if err := cfg.Validate(); err != nil {
			return usagef("%v", err)
		}
		dir := filepath.Join(*out, row.Name)
		fmt.Fprintf(log, "\n== %s: %s, β %g, KL warm-up %g, free bits %g ==\n", row.Name, describe(mc), row.Beta, row.KLWarmup, row.FreeBits)
		t0 := time.Now()
		m, _, err := trainModel(ctx, mc, cfg, data, dir, log, stderr, nil,
			"latent train --resume "+dir+"\n(that setting alone; a sweep does not resume: run it again with --force)")
		if err != nil {
			return err
		}
		row.Seconds = time.Since(t0).Seconds()
		row.Eval = evaluate.Test(m, test, d.seed, d.threads)
		if *iwSamples > 0 {
			row.Eval.ImportanceWeighted(m, test, *iwImages, *iwSamples, d.seed, d.threads)
		}
		fmt.Fprintln(log, row.Eval)
		if j != nil {
			q, err := j.Score(m, *nSamples, d.seed)
			if err != nil {
				return err
			}
			row.Quality = &q
			fmt.Fprint(log, q)
		}
		imgs, _ := evaluate.Sample(m, 100, -1, d.seed)
		if err := viz.SavePNG(filepath.Join(dir, "samples.png"), viz.Grid(report.Rows(imgs, 100), model.Side, viz.GridOptions{Cols: 10, Scale: 2, Gap: 2})); err != nil {
			return err
		}
	}
	iw := "not computed (--iw-samples 0)"
	if *iwSamples > 0 {
		iw = fmt.Sprintf("%d samples on the first %d test images", *iwSamples, *iwImages)
	}
	settings := [][2]string{{"model", describe(mc0) + " (latent as listed)"}, {"epochs", fmt.Sprint(cfg0.Epochs)}, {"batch", fmt.Sprint(cfg0.Batch)},
		{"learning rate", fmt.Sprintf("%g (%s)", cfg0.LR, cfg0.LRSchedule)}, {"mixture prior", fmt.Sprintf("%d components, temperature %g", cfg0.Prior, cfg0.PriorTemperature)},
		{"dataset", cfg0.Dataset}, {"seed", fmt.Sprint(cfg0.Seed)}, {"samples judged", fmt.Sprint(*nSamples)},
		{"IWAE", iw}}
	summary, err := writeSweep(*out, rows, settings, log)
	if err != nil || !*asJSON {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(summary)
}

// floatList parses "0.5,1,2" into distinct non-negative finite numbers.
func floatList(flag, s string) ([]float64, error) {
	var vs []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
			return nil, usagef("--%s: %q is not a non-negative number (want a comma-separated list such as 0.5,1,2)", flag, f)
		}
		if slices.Contains(vs, v) {
			return nil, usagef("--%s: %g is listed twice; each setting is trained once", flag, v)
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

// sweepSummary is what sweep --json prints.
type sweepSummary struct {
	Settings []sweepRow `json:"settings"`
	Winner   *string    `json:"winner"` // null when no setting was judged
	Files    []string   `json:"files"`
}

// writeSweep writes the table (CSV and JSON), the trade-off plot and
// sweep.html, and names the winner on w.
func writeSweep(dir string, rows []sweepRow, settings [][2]string, w io.Writer) (sweepSummary, error) {
	sum := sweepSummary{Settings: rows}
	header := []string{"setting", "beta", "kl_warmup", "free_bits", "latent", "rec_per_image", "se_per_image_z_mu", "kl_per_image",
		"iwae_nats", "active_units", "confident", "min_digit_share", "entropy", "digit_fd", "recon_confident", "recon_digit_fd", "train_seconds"}
	const iwaeCol = 8
	table := [][]string{header}
	f := func(v float64, p int) string { return strconv.FormatFloat(v, 'f', p, 64) }
	for _, r := range rows {
		iw := "" // not computed
		if r.Eval.IWAE != nil {
			iw = f(*r.Eval.IWAE, 2)
		}
		line := []string{r.Name, f(r.Beta, -1), f(r.KLWarmup, -1), f(r.FreeBits, -1), strconv.Itoa(r.Latent), f(r.Eval.Rec, 2), f(r.Eval.RecMu, 2),
			f(r.Eval.KL, 2), iw, strconv.Itoa(r.Eval.ActiveUnits)}
		if q := r.Quality; q != nil {
			line = append(line, f(q.Samples.Confident, 4), f(q.Samples.MinShare, 4), f(q.Samples.Entropy, 4), f(q.Samples.FD, 2),
				f(q.Reconstructions.Confident, 4), f(q.Reconstructions.FD, 2))
		} else {
			line = append(line, "", "", "", "", "", "")
		}
		table = append(table, append(line, f(r.Seconds, 1)))
	}
	var buf strings.Builder
	cw := csv.NewWriter(&buf)
	if err := cw.WriteAll(table); err != nil {
		return sum, err
	}
	csvPath, jsonPath := filepath.Join(dir, "sweep.csv"), filepath.Join(dir, "sweep.json")
	if err := atomicfile.WriteBytes(csvPath, []byte(buf.String())); err != nil {
		return sum, err
	}
	if err := train.WriteJSON(jsonPath, rows); err != nil {
		return sum, err
	}
	sum.Files = append(sum.Files, csvPath, jsonPath)

	// the trade-off: x is β (on a log scale, labelled with β's values) when
	// only β varies, else the setting's number
	x, xLabel := make([]float64, len(rows)), "setting"
	onlyBeta := true
	for i, r := range rows {
		x[i] = float64(i + 1)
		onlyBeta = onlyBeta && r.KLWarmup == rows[0].KLWarmup && r.FreeBits == rows[0].FreeBits && r.Latent == rows[0].Latent
	}
	var ticks []plot.Tick
	if onlyBeta && len(rows) > 1 {
		xLabel = "β (log scale)"
		x, ticks = betaAxis(rows)
	}
	col := func(get func(sweepRow) float64) []float64 {
		v := make([]float64, len(rows))
		for i, r := range rows {
			v[i] = get(r)
		}
		return v
	}
	panels := []viz.Panel{{Title: "reconstruction vs KL", XLabel: xLabel, YLabel: "nats or squared error per image", X: x, XTicks: ticks, Series: []viz.Series{
		{Name: "squared error (z = mu)", Y: col(func(r sweepRow) float64 { return r.Eval.RecMu })},
		{Name: "KL", Y: col(func(r sweepRow) float64 { return r.Eval.KL })}}}}
	if rows[0].Quality != nil {
		panels = append(panels,
			viz.Panel{Title: "confidently a digit (max p ≥ 0.9)", XLabel: xLabel, YLabel: "share", X: x, XTicks: ticks, Series: []viz.Series{
				{Name: "samples", Y: col(func(r sweepRow) float64 { return r.Quality.Samples.Confident })},
				{Name: "reconstructions", Y: col(func(r sweepRow) float64 { return r.Quality.Reconstructions.Confident })},
				{Name: "real test images", Y: col(func(r sweepRow) float64 { return r.Quality.Real.Confident })}}},
			viz.Panel{Title: "digit Fréchet distance (lower is better)", XLabel: xLabel, YLabel: "digit-FD", X: x, XTicks: ticks, Series: []viz.Series{
				{Name: "samples", Y: col(func(r sweepRow) float64 { return r.Quality.Samples.FD })},
				{Name: "reconstructions", Y: col(func(r sweepRow) float64 { return r.Quality.Reconstructions.FD })}}})
	}
	plotFile := "tradeoff.png"
	if len(rows) > 1 {
		if err := viz.LinesPanels(filepath.Join(dir, plotFile), "the reconstruction / KL trade-off", panels, 400*len(panels), 380); err != nil {
			return sum, err
		}
		sum.Files = append(sum.Files, filepath.Join(dir, plotFile))
	}

	verdict := "no setting was judged (the judge needs MNIST)"
	if best := winner(rows); best != nil {
		verdict = fmt.Sprintf("winner: %s, by the lowest digit Fréchet distance of its samples (%.1f; %.1f%% of them confidently a digit, smallest digit share %.1f%%)",
			best.Name, best.Quality.Samples.FD, 100*best.Quality.Samples.Confident, 100*best.Quality.Samples.MinShare)
		sum.Winner = &best.Name
	}
	figs := []report.Figure{}
	if len(rows) > 1 {
		figs = append(figs, report.Figure{File: plotFile, Title: "The trade-off", Caption: "Left: what each setting spends on reconstruction and on KL. Middle and right: how its samples from the prior fare with latent's digit classifier, against its reconstructions of the test images."})
	}
	for _, r := range rows {
		figs = append(figs, report.Figure{File: filepath.Join(r.Name, "samples.png"), Title: r.Name, Caption: "100 samples from the model's prior."})
	}
	shown := make([][]string, len(table)) // the page says what an empty cell means
	for i, line := range table {
		shown[i] = slices.Clone(line)
		if i > 0 && shown[i][iwaeCol] == "" {
			shown[i][iwaeCol] = "not computed"
		}
	}
	html := filepath.Join(dir, "sweep.html")
	if err := report.WriteHTML(html, dir, report.Report{Title: "latent sweep", Intro: []string{verdict}, Figures: figs, Metrics: shown, Settings: settings}); err != nil {
		return sum, err
	}
	sum.Files = append(sum.Files, html)
	fmt.Fprintf(w, "\n%s\nwrote %s\n", verdict, strings.Join(sum.Files, ", "))
	return sum, nil
}

// betaAxis places the rows at log2 β (β = 0 at two steps left of the
// smallest positive β) and labels the ticks with β's own values.
func betaAxis(rows []sweepRow) ([]float64, []plot.Tick) {
	low := math.Inf(1)
	for _, r := range rows {
		if r.Beta > 0 {
			low = math.Min(low, math.Log2(r.Beta))
		}
	}
	if math.IsInf(low, 1) {
		low = 0
	}
	x := make([]float64, len(rows))
	var ticks []plot.Tick
	for i, r := range rows {
		x[i] = low - 2
		if r.Beta > 0 {
			x[i] = math.Log2(r.Beta)
		}
		ticks = append(ticks, plot.Tick{Value: x[i], Label: strconv.FormatFloat(r.Beta, 'g', -1, 64)})
	}
	return x, ticks
}
