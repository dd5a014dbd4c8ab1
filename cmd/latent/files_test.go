package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"latent/classifier"
	"latent/model"
)

// emptyCache points latent's cache (os.UserCacheDir) at a fresh folder and
// makes the classifier trained into it tiny, so that a test sees what a new
// user without a cached classifier sees, in a few seconds.
func emptyCache(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", dir)
	t.Setenv("HOME", dir)
	old := judgeTraining
	judgeTraining = func() classifier.Config {
		c := classifier.DefaultConfig()
		c.Epochs, c.Arch = 1, classifier.Arch{Width: [3]int{4, 8, 8}, Hidden: 16}
		return c
	}
	t.Cleanup(func() { judgeTraining = old })
	return dir
}

// saveVAE writes an untrained seed VAE (no dataset recorded: MNIST).
func saveVAE(t *testing.T, path string) {
	t.Helper()
	m, err := model.New(model.Seed(model.VAE), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Save(path, nil); err != nil {
		t.Fatal(err)
	}
}

// TestExplicitClassifierIsOnlyRead: eval and sweep given a --classifier that
// is missing or is not a classifier (an AE checkpoint) fail naming the path
// and saying how to make one, before any work, and write nothing there.
func TestExplicitClassifierIsOnlyRead(t *testing.T) {
	cache := emptyCache(t)
	dir := t.TempDir()
	vae := filepath.Join(dir, "vae.safetensors")
	saveVAE(t, vae)
	ae := filepath.Join(dir, "ae.safetensors")
	m, _ := model.New(model.Seed(model.AE), 0)
	if err := m.Save(ae, nil); err != nil {
		t.Fatal(err)
	}
	aeBytes, _ := os.ReadFile(ae)
	missing := filepath.Join(dir, "typo.safetensors")
	sweepOut := filepath.Join(dir, "sweep")
	for _, args := range [][]string{
		{"eval", "--model", vae, "--classifier", missing, "--iw-samples", "0"},
		{"eval", "--model", vae, "--classifier", ae, "--iw-samples", "0"},
		{"sweep", "--classifier", missing, "--beta", "1", "--epochs", "1", "--out", sweepOut},
		{"sweep", "--classifier", ae, "--beta", "1", "--epochs", "1", "--out", sweepOut},
	} {
		clf := args[slices.Index(args, "--classifier")+1]
		code, _, stderr := run1(args...)
		if code != 1 || !strings.Contains(stderr, clf) || !strings.Contains(stderr, "latent classifier train --out") {
			t.Errorf("latent %v: exit %d, %q; want exit 1 naming %s and how to make a classifier", args, code, stderr, clf)
		}
		if strings.Contains(stderr, "training") {
			t.Errorf("latent %v trained something: %q", args, stderr)
		}
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("a missing --classifier path was written")
	}
	if b, _ := os.ReadFile(ae); !bytes.Equal(b, aeBytes) {
		t.Error("an AE checkpoint given as --classifier was overwritten")
	}
	if _, err := os.Stat(filepath.Join(sweepOut, "beta1-warmup0-freebits0-latent8", "model.safetensors")); err == nil {
		t.Error("sweep trained a setting before finding that its classifier is missing")
	}
	if entries, _ := os.ReadDir(cache); len(entries) != 0 {
		t.Errorf("the cache was written to: %v", entries)
	}
}

// TestJSONIsAloneOnStdout: with no cached classifier, eval --json trains one
// into the cache (saying so on stderr) and prints one JSON document on
// stdout; classifier eval --json and sweep --json likewise.
func TestJSONIsAloneOnStdout(t *testing.T) {
	emptyCache(t)
	dir := t.TempDir()
	vae := filepath.Join(dir, "vae.safetensors")
	saveVAE(t, vae)
	code, stdout, stderr := run1("eval", "--model", vae, "--json", "--samples", "20", "--iw-samples", "2", "--iw-images", "2", "--threads", "2")
	if code != 0 {
		t.Fatalf("eval: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "trained the digit classifier") {
		t.Errorf("no word on stderr of training the classifier: %q", stderr)
	}
	var r struct {
		Model   string
		Quality *struct{ Samples struct{ Images int } }
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil || r.Quality == nil || r.Quality.Samples.Images != 20 {
		t.Fatalf("eval --json stdout is not the one JSON result (%v): %q", err, stdout)
	}
	clf, err := classifier.DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = run1("classifier", "eval", "--json", "--model", clf)
	var c struct {
		Model        string  `json:"model"`
		TestAccuracy float64 `json:"test_accuracy"`
		Images       int     `json:"images"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &c) != nil || c.Model != clf || c.Images != 10000 || !(c.TestAccuracy > 0.1) {
		t.Errorf("classifier eval --json: exit %d, %q %s", code, stdout, stderr)
	}

	data := t.TempDir()
	writeIdx(t, data, 100, 20)
	out := filepath.Join(dir, "sweep")
	code, stdout, stderr = run1("sweep", "--json", "--data", data, "--beta", "0.5,1", "--epochs", "1", "--batch", "32", "--iw-samples", "0", "--out", out)
	if code != 0 {
		t.Fatalf("sweep: exit %d: %s", code, stderr)
	}
	var s struct {
		Settings []struct {
			Name string
			Test map[string]any
		}
		Winner *string
		Files  []string
	}
	if err := json.Unmarshal([]byte(stdout), &s); err != nil || len(s.Settings) != 2 || s.Winner != nil {
		t.Fatalf("sweep --json stdout (%v): %q", err, stdout)
	}
	if !slices.Contains(s.Files, filepath.Join(out, "sweep.json")) || !strings.Contains(stderr, filepath.Join(out, "sweep.json")) {
		t.Errorf("sweep.json is not among the files named: %v, %q", s.Files, stderr)
	}
	// --iw-samples 0: not computed, never 0.00
	for _, row := range s.Settings {
		if v, ok := row.Test["iwae_nats_per_image"]; !ok || v != nil {
			t.Errorf("%s: iwae_nats_per_image %v (present %v); want null", row.Name, v, ok)
		}
	}
	f, _ := os.Open(filepath.Join(out, "sweep.csv"))
	table, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(table[0], "iwae_nats")
	for _, line := range table[1:] {
		if line[col] != "" {
			t.Errorf("sweep.csv: IWAE %q for a bound not computed; want empty", line[col])
		}
	}
	html, _ := os.ReadFile(filepath.Join(out, "sweep.html"))
	if !strings.Contains(string(html), "not computed") || strings.Contains(string(html), "<td>0.00</td>") {
		t.Error("sweep.html does not say the IWAE bound was not computed")
	}
}

// TestTrainNeverReplacesARun: --out on a folder with a run is refused (exit
// 2, saying --resume and --force) and leaves its files alone; --force
// replaces it.
func TestTrainNeverReplacesARun(t *testing.T) {
	data := t.TempDir()
	writeIdx(t, data, 60, 20)
	out := filepath.Join(t.TempDir(), "run")
	args := []string{"train", "--model", "ae", "--epochs", "1", "--batch", "16", "--data", data, "--out", out}
	if code, _, stderr := run1(args...); code != 0 {
		t.Fatalf("train: %s", stderr)
	}
	before, _ := os.ReadFile(filepath.Join(out, "model.safetensors"))
	code, _, stderr := run1(append(args, "--seed", "3")...)
	if code != 2 || !strings.Contains(stderr, "--resume "+out) || !strings.Contains(stderr, "--force") {
		t.Errorf("second train into %s: exit %d, %q; want exit 2 naming --resume and --force", out, code, stderr)
	}
	if after, _ := os.ReadFile(filepath.Join(out, "model.safetensors")); !bytes.Equal(before, after) {
		t.Error("the refused run changed model.safetensors")
	}
	if code, _, stderr := run1(append(args, "--seed", "3", "--force")...); code != 0 {
		t.Errorf("--force: exit %d: %s", code, stderr)
	}
	if after, _ := os.ReadFile(filepath.Join(out, "model.safetensors")); bytes.Equal(before, after) {
		t.Error("--force did not replace the run")
	}
}

// TestResumeFinishedAndExtended: a finished run resumed rewrites nothing;
// --epochs N extends a constant-rate run to exactly the weights of a run
// trained to N epochs in one go; a cosine run refuses to be extended; other
// settings cannot change on resume.
func TestResumeFinishedAndExtended(t *testing.T) {
	data := t.TempDir()
	writeIdx(t, data, 100, 20)
	base := t.TempDir()
	common := []string{"--epochs", "1", "--batch", "16", "--data", data, "--threads", "2"}
	train := func(dir string, extra ...string) {
		t.Helper()
		if code, _, stderr := run1(append(append([]string{"train", "--out", dir}, common...), extra...)...); code != 0 {
			t.Fatalf("train %s: %s", dir, stderr)
		}
	}
	short, cosine := filepath.Join(base, "short"), filepath.Join(base, "cosine")
	train(short)
	train(cosine, "--lr-schedule", "cosine")
	whole := filepath.Join(base, "whole")
	train(whole, "--epochs", "3")

	stat := func(dir string) map[string]string {
		m := map[string]string{}
		for _, f := range runFiles {
			b, _ := os.ReadFile(filepath.Join(dir, f))
			m[f] = string(b)
		}
		return m
	}
	before := stat(short)
	code, _, stderr := run1("train", "--resume", short)
	if code != 0 || !strings.Contains(stderr, "finished") {
		t.Errorf("resume of a finished run: exit %d, %q", code, stderr)
	}
	for _, args := range [][]string{
		{"train", "--resume", short, "--beta", "3"},
		{"train", "--resume", short, "--epochs", "0"},
		{"train", "--resume", cosine, "--epochs", "3"},
	} {
		if code, _, stderr := run1(args...); code != 2 {
			t.Errorf("latent %v: exit %d, %q; want 2", args, code, stderr)
		} else if args[3] == "--epochs" && args[2] == cosine && !strings.Contains(stderr, "cosine") {
			t.Errorf("a cosine run's refusal does not say why: %q", stderr)
		}
	}
	if !maps.Equal(before, stat(short)) {
		t.Error("a resume that did nothing rewrote the run's files")
	}
	if code, stdout, stderr := run1("train", "--resume", short, "--epochs", "3"); code != 0 || !strings.Contains(stdout, "epoch  3") {
		t.Fatalf("resume --epochs 3: exit %d, %s %s", code, stdout, stderr)
	}
	a, _, err := model.Load(filepath.Join(whole, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	b, meta, err := model.Load(filepath.Join(short, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Data, b.Data) || meta["latent.epochs"] != "3" {
		t.Errorf("1 epoch extended to 3 (%s epochs) differs from 3 epochs in one go", meta["latent.epochs"])
	}
}

// TestAERefusesVAEFlags: every flag of the VAE-only table is refused for an
// AE with exit 2 naming it.
func TestAERefusesVAEFlags(t *testing.T) {
	value := map[string]string{"latent": "4", "beta": "2", "kl-warmup": "1", "kl-cycles": "1", "free-bits": "0.5",
		"likelihood": "bernoulli", "prior": "10", "prior-temperature": "0.5"}
	out := t.TempDir()
	for _, name := range vaeOnly {
		v, ok := value[name]
		if !ok {
			t.Errorf("no test value for --%s", name)
			continue
		}
		code, _, stderr := run1("train", "--model", "ae", "--"+name, v, "--out", out)
		if code != 2 || !strings.Contains(stderr, "--"+name) {
			t.Errorf("train --model ae --%s %s: exit %d, %q; want exit 2 naming it", name, v, code, stderr)
		}
		// the same flag is fine for a VAE (it fails later, on --epochs 0)
		if code, _, stderr := run1("train", "--model", "vae", "--"+name, v, "--epochs", "0", "--out", out); !strings.Contains(stderr, "--epochs") {
			t.Errorf("train --model vae --%s %s: exit %d, %q", name, v, code, stderr)
		}
	}
}

// TestSweepRefusesDuplicates: a value listed twice is refused naming the flag.
func TestSweepRefusesDuplicates(t *testing.T) {
	for _, args := range [][]string{{"--beta", "1,1"}, {"--latent", "8,4,8"}, {"--free-bits", "0,0.0"}} {
		code, _, stderr := run1(append([]string{"sweep", "--out", t.TempDir()}, args...)...)
		if code != 2 || !strings.Contains(stderr, args[0]) || !strings.Contains(stderr, "twice") {
			t.Errorf("sweep %v: exit %d, %q", args, code, stderr)
		}
	}
}

// TestBetaAxisShowsBeta: the trade-off plot places β on a log scale and
// labels the ticks with β's values.
func TestBetaAxisShowsBeta(t *testing.T) {
	var rows []sweepRow
	for _, b := range []float64{0.25, 0.5, 1, 2, 4} {
		rows = append(rows, sweepRow{Beta: b})
	}
	x, ticks := betaAxis(rows)
	want := []string{"0.25", "0.5", "1", "2", "4"}
	for i, tk := range ticks {
		if tk.Label != want[i] || tk.Value != x[i] || x[i] != float64(i-2) {
			t.Errorf("tick %d: %+v at x %g; want label %s at %d", i, tk, x[i], want[i], i-2)
		}
	}
}

// TestPresetByModelKind: --preset coherent gives a CVAE the recipe that
// conditions (β 6) and a VAE its own recipe (β 0.5); explicit flags win.
func TestPresetByModelKind(t *testing.T) {
	for _, c := range []struct {
		args       []string
		beta       float64
		epochs     int
		prior      int
		kind       model.Kind
		latent     int
		temp       float64
		width      int
		lrSchedule string
	}{
		{[]string{"--model", "cvae", "--preset", "coherent"}, 6, 30, 1000, model.CVAE, 16, 0.7, 4, "cosine"},
		{[]string{"--model", "vae", "--preset", "coherent"}, 0.5, 30, 1000, model.VAE, 16, 0.7, 4, "cosine"},
		{[]string{"--model", "cvae", "--preset", "coherent", "--beta", "3", "--epochs", "2"}, 3, 2, 1000, model.CVAE, 16, 0.7, 4, "cosine"},
		{[]string{"--model", "cvae"}, 1, 10, 0, model.CVAE, 8, 1, 1, "constant"},
	} {
		fs := newFlags("train", "", "", &bytes.Buffer{})
		var d dataFlags
		var tf trainFlags
		d.register(fs)
		tf.register(fs, true, false)
		fs.Bool("quality", false, "")
		if err := parse(fs, c.args); err != nil {
			t.Fatal(err)
		}
		mc, cfg, err := tf.config(&d)
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if mc.Kind != c.kind || cfg.Beta != c.beta || cfg.Epochs != c.epochs || cfg.Prior != c.prior || mc.Latent != c.latent ||
			cfg.PriorTemperature != c.temp || mc.Width != model.SeedWidth(c.width) || cfg.LRSchedule != c.lrSchedule {
			t.Errorf("%v: %+v %+v", c.args, mc, cfg)
		}
	}
	code, stdout, _ := run1("train", "--help")
	if code != 0 || !strings.Contains(stdout, "coherent with --model cvae: --width 4 --latent 16 --epochs 30 --lr-schedule cosine --beta 6 --prior 1000 --prior-temperature 0.7") {
		t.Errorf("train --help does not give the CVAE preset:\n%s", stdout)
	}
}

// TestCommonFlagsAsREADMESays: the README says which commands take --seed,
// --threads and --dataset; their help lists them.
func TestCommonFlagsAsREADMESays(t *testing.T) {
	for _, v := range []string{"demo", "train", "eval", "sweep", "prior", "sample", "reconstruct", "interpolate", "tsne", "serve"} {
		_, stdout, _ := run1(v, "--help")
		for _, f := range []string{"-seed", "-threads", "-dataset"} {
			if !strings.Contains(stdout, "  "+f+" ") {
				t.Errorf("latent %s --help lacks %s", v, f)
			}
		}
	}
	for _, v := range []string{"eval", "sample", "tsne", "serve", "reconstruct", "interpolate"} {
		_, stdout, _ := run1(v, "--help")
		if strings.Contains(stdout, "initialisation") {
			t.Errorf("latent %s --help describes --seed as a training seed", v)
		}
	}
}
