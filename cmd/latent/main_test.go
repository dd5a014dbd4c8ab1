package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"latent/evaluate"
	"latent/model"
	"latent/safetensors"
)

// run1 runs the CLI in-process and returns its exit code, stdout and stderr.
func run1(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageErrorsExitTwo(t *testing.T) {
	out := t.TempDir()
	for _, c := range []struct {
		args []string
		want string // in stderr
	}{
		{[]string{"train", "--batch", "0", "--out", out}, "--batch"},
		{[]string{"train", "--epochs", "-1", "--out", out}, "--epochs"},
		{[]string{"train", "--model", "foo", "--out", out}, "--model"},
		{[]string{"train", "--latent", "0", "--out", out}, "--latent"},
		{[]string{"train", "--lr", "0", "--out", out}, "--lr"},
		{[]string{"train", "--lr", "NaN", "--out", out}, "--lr"},
		{[]string{"train", "--beta", "-1", "--out", out}, "--beta"},
		{[]string{"train", "--kl-warmup", "-1", "--out", out}, "--kl-warmup"},
		{[]string{"train", "--kl-cycles", "20", "--out", out}, "--kl-cycles"},
		{[]string{"train", "--kl-warmup", "2", "--kl-cycles", "2", "--out", out}, "choose one"},
		{[]string{"train", "--threads", "0", "--out", out}, "--threads"},
		{[]string{"train", "--model", "ae"}, "--out"},
		{[]string{"train", "--epochs", "ten"}, "epochs"},
		{[]string{"train", "--no-such-flag"}, "no-such-flag"},
		{[]string{"train", "--out", out, "extra"}, "extra"},
		{[]string{"eval"}, "--model"},
		{[]string{"train", "--likelihood", "poisson", "--out", out}, "--likelihood"},
		{[]string{"train", "--model", "ae", "--likelihood", "bernoulli", "--out", out}, "--likelihood"},
		{[]string{"train", "--free-bits", "-1", "--out", out}, "--free-bits"},
		{[]string{"train", "--lr-schedule", "linear", "--out", out}, "--lr-schedule"},
		{[]string{"train", "--width", "0", "--out", out}, "--width"},
		{[]string{"train", "--prior", "-3", "--out", out}, "--prior"},
		{[]string{"train", "--prior-temperature", "0", "--out", out}, "--prior-temperature must be in (0, 10]"},
		{[]string{"train", "--prior-temperature", "10.5", "--out", out}, "--prior-temperature must be in (0, 10]"},
		{[]string{"prior", "--model", "x", "--temperature", "0"}, "(0, 10]"},
		{[]string{"train", "--resume", out, "--model", "ae"}, "--model cannot change"},
		{[]string{"demo", "--resume", out, "--epochs", "3"}, "--epochs cannot change"},
		{[]string{"train", "--model", "ae", "--prior", "10", "--out", out}, "--prior"},
		{[]string{"train", "--preset", "sharp", "--out", out}, "--preset"},
		{[]string{"train", "--model", "ae", "--preset", "coherent", "--out", out}, "--preset"},
		{[]string{"sweep", "--beta", "1,x", "--out", out}, "--beta"},
		{[]string{"sweep", "--latent", "2.5", "--out", out}, "--latent"},
		{[]string{"sweep", "--model", "ae", "--out", out}, "vae"},
		{[]string{"demo", "--batch", "0"}, "--batch"},
		{[]string{"frobnicate"}, "frobnicate"},
		{[]string{"help", "help"}, "unknown command"},
		{[]string{"help", "frobnicate"}, "frobnicate"},
		{nil, "Usage"},
	} {
		code, stdout, stderr := run1(c.args...)
		if code != 2 || !strings.Contains(stderr+stdout, c.want) {
			t.Errorf("latent %v: exit %d, output %q; want exit 2 naming %q", c.args, code, stderr+stdout, c.want)
		}
	}
}

func TestHelpOnEveryVerb(t *testing.T) {
	for _, v := range verbs {
		code, stdout, _ := run1(v.name, "--help")
		if code != 0 || !strings.Contains(stdout, "Example:") || !strings.Contains(stdout, "latent "+v.name) {
			t.Errorf("latent %s --help: exit %d, output %q", v.name, code, stdout)
		}
	}
}

// writeIdx writes a small MNIST-shaped data folder of random digits.
func writeIdx(t *testing.T, dir string, nTrain, nTest int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 1))
	write := func(name string, dims []uint32, data []byte) {
		var b bytes.Buffer
		b.Write([]byte{0, 0, 8, byte(len(dims))})
		for _, d := range dims {
			binary.Write(&b, binary.BigEndian, d)
		}
		b.Write(data)
		if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []struct {
		prefix string
		n      int
	}{{"train", nTrain}, {"t10k", nTest}} {
		img := make([]byte, s.n*784)
		for i := range img {
			if rng.IntN(3) == 0 {
				img[i] = byte(rng.IntN(256))
			}
		}
		lab := make([]byte, s.n)
		for i := range lab {
			lab[i] = byte(i % 10)
		}
		write(s.prefix+"-images-idx3-ubyte", []uint32{uint32(s.n), 28, 28}, img)
		write(s.prefix+"-labels-idx1-ubyte", []uint32{uint32(s.n)}, lab)
	}
}

// TestTrainWritesWhatEvalReads trains on a small folder, then checks that
// eval of the checkpoint gives exactly the numbers of the model in memory.
func TestTrainWritesWhatEvalReads(t *testing.T) {
	data := t.TempDir()
	writeIdx(t, data, 120, 40)
	for _, run := range []struct{ kind, lik string }{{"ae", "mse-sum"}, {"vae", "mse-sum"}, {"vae", "bernoulli"}, {"vae", "gaussian"}, {"cvae", "mse-sum"}} {
		kind := run.kind
		out := filepath.Join(t.TempDir(), kind)
		d := dataFlags{dir: data, threads: 2}
		tf := trainFlags{kind: kind, latent: 4, width: 1, likelihood: run.lik}
		tf.cfg.Epochs, tf.cfg.Batch, tf.cfg.LR, tf.cfg.Beta, tf.cfg.LRSchedule, tf.cfg.PriorTemperature = 2, 16, 1e-3, 1, "cosine", 1
		mc, cfg, err := tf.config(&d)
		if err != nil {
			t.Fatal(err)
		}
		trainData, test, err := d.load()
		if err != nil {
			t.Fatal(err)
		}
		var stdout bytes.Buffer
		m, hist, err := trainModel(t.Context(), mc, cfg, trainData, out, &stdout, &stdout, nil, "")
		if err != nil || len(hist) != 2 {
			t.Fatalf("%s: %v (%d epochs)", kind, err, len(hist))
		}
		if !strings.Contains(stdout.String(), "epoch  2") {
			t.Errorf("%s: no line for epoch 2 in %q", kind, stdout.String())
		}
		inMemory := evaluate.Test(m, test, 0, 2)
		if m.IsVAE() {
			inMemory.ImportanceWeighted(m, test, 10, 50, 0, 2)
		}

		code, js, stderr := run1("eval", "--model", filepath.Join(out, "model.safetensors"), "--data", data, "--json", "--iw-samples", "50", "--iw-images", "10", "--quality=false")
		if code != 0 {
			t.Fatalf("eval: exit %d: %s", code, stderr)
		}
		var fromFile evaluate.Result
		if err := json.Unmarshal([]byte(js), &fromFile); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fromFile, inMemory) {
			t.Errorf("%s: eval of the checkpoint %+v, of the trained model %+v", kind, fromFile, inMemory)
		}
		for _, f := range []string{"metrics.csv", "metrics.json"} {
			if _, err := os.Stat(filepath.Join(out, f)); err != nil {
				t.Error(err)
			}
		}
		loaded, meta, err := model.Load(filepath.Join(out, "model.safetensors"))
		if err != nil || meta["latent.epochs"] != "2" || loaded.Config != m.Config {
			t.Errorf("%s: checkpoint config %+v meta %v err %v", kind, loaded.Config, meta, err)
		}
	}
}

// TestBadFilesGiveOneLineErrors feeds eval a truncated checkpoint and a
// truncated idx folder: exit 1 and a single line naming the file.
func TestBadFilesGiveOneLineErrors(t *testing.T) {
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "model.safetensors")
	m, _ := model.New(model.Seed(model.VAE), 0)
	if err := m.Save(ckpt, nil); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(ckpt)
	os.WriteFile(ckpt, b[:len(b)-100], 0o644)
	data := t.TempDir()
	writeIdx(t, data, 20, 10)
	img := filepath.Join(data, "t10k-images-idx3-ubyte")
	b, _ = os.ReadFile(img)
	os.WriteFile(img, b[:len(b)-5], 0o644)
	good := filepath.Join(dir, "good.safetensors")
	m.Save(good, nil)

	for _, c := range []struct {
		args []string
		file string
	}{
		{[]string{"eval", "--model", ckpt}, ckpt},
		{[]string{"eval", "--model", good, "--data", data}, img},
		{[]string{"eval", "--model", filepath.Join(dir, "missing.safetensors")}, "missing.safetensors"},
	} {
		code, _, stderr := run1(c.args...)
		var errLines []string // notes (e.g. "a dataset other than the model's") are not the error
		for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
			if !strings.HasPrefix(l, "note: ") {
				errLines = append(errLines, l)
			}
		}
		if code != 1 || len(errLines) != 1 || !strings.Contains(stderr, c.file) {
			t.Errorf("latent %v: exit %d, stderr %q; want exit 1 and one line naming %s", c.args, code, stderr, c.file)
		}
	}
}

// TestFigureVerbs runs sample, reconstruct and interpolate on a checkpoint
// and checks their files; bad values are usage errors.
func TestFigureVerbs(t *testing.T) {
	data := t.TempDir()
	writeIdx(t, data, 20, 30)
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "vae.safetensors")
	m, _ := model.New(model.Seed(model.VAE), 0)
	if err := m.Save(ckpt, nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		file string
	}{
		{[]string{"sample", "--model", ckpt, "-n", "12", "--out", filepath.Join(dir, "s.png")}, "s.png"},
		{[]string{"sample", "--model", ckpt, "-n", "5", "--out", filepath.Join(dir, "s.safetensors")}, "s.safetensors"},
		{[]string{"reconstruct", "--model", ckpt, "--data", data, "-n", "20", "--out", filepath.Join(dir, "r.png")}, "r.png"},
		{[]string{"reconstruct", "--model", ckpt, "--data", data, "-n", "3", "--out", filepath.Join(dir, "r.safetensors")}, "r.safetensors"},
		{[]string{"interpolate", "--model", ckpt, "--data", data, "--from", "2", "--to", "7", "--out", filepath.Join(dir, "i.png")}, "i.png"},
	} {
		code, _, stderr := run1(c.args...)
		if code != 0 {
			t.Fatalf("latent %v: exit %d: %s", c.args, code, stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, c.file)); err != nil {
			t.Errorf("latent %v: %v", c.args, err)
		}
	}
	f, err := safetensors.ReadFile(filepath.Join(dir, "s.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if x, err := f.Lookup("images"); err != nil || !slices.Equal(x.Shape, []int{5, 1, 28, 28}) {
		t.Errorf("samples tensor: %v %v", x.Shape, err)
	}
	r, _ := safetensors.ReadFile(filepath.Join(dir, "r.safetensors"))
	in, _ := r.Lookup("input")
	out, _ := r.Lookup("output")
	if want := m.Reconstruct(in.Data, nil, 3); !slices.Equal(out.Data, want) {
		t.Error("reconstruct's output tensor differs from the model's reconstruction")
	}
	for _, args := range [][]string{
		{"sample", "--model", ckpt, "-n", "0", "--out", filepath.Join(dir, "x.png")},
		{"sample", "--model", ckpt, "--out", filepath.Join(dir, "x.jpg")},
		{"sample", "--model", ckpt},
		{"reconstruct", "--model", ckpt, "--data", data, "--first", "29", "-n", "5", "--out", filepath.Join(dir, "x.png")},
		{"interpolate", "--model", ckpt, "--data", data, "--to", "30", "--out", filepath.Join(dir, "x.png")},
		{"interpolate", "--model", ckpt, "--data", data, "--steps", "1", "--out", filepath.Join(dir, "x.png")},
		{"tsne", "--model", ckpt, "--data", data, "-n", "5", "--out", filepath.Join(dir, "x.png")},
	} {
		if code, _, stderr := run1(args...); code != 2 {
			t.Errorf("latent %v: exit %d (%s), want 2", args, code, stderr)
		}
	}
}

// TestResumeFromTheCommandLine interrupts nothing but resumes a finished
// epoch's state: --resume continues from state.safetensors and keeps the
// run's settings.
func TestResumeFromTheCommandLine(t *testing.T) {
	data := t.TempDir()
	writeIdx(t, data, 100, 20)
	out := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := run1("train", "--model", "ae", "--epochs", "1", "--batch", "16", "--data", data, "--out", out); code != 0 {
		t.Fatalf("train: %s", stderr)
	}
	// the state after epoch 1 says "epoch 2 next"; a resumed run with the
	// saved config (1 epoch) has nothing left to do: it says so and ends
	code, stdout, stderr := run1("train", "--resume", out, "--data", data)
	if code != 0 || !strings.Contains(stderr, "finished run (1 of 1 epochs)") || !strings.Contains(stderr, "--epochs N") {
		t.Fatalf("resume: exit %d, %s %s", code, stdout, stderr)
	}
	if code, _, stderr := run1("train", "--resume", t.TempDir()); code != 1 || !strings.Contains(stderr, "state.safetensors") {
		t.Errorf("resume from an empty folder: exit %d, %s", code, stderr)
	}
}

// FuzzFlags feeds arbitrary command lines to the CLI: it may refuse them,
// but never panic, and a refusal of a flag is exit code 2.
func FuzzFlags(f *testing.F) {
	for _, seed := range []string{
		"train --batch 0", "train --epochs -1 --out /nonexistent/x", "eval --model", "demo --lr NaN",
		"sample -n 99999999999999999999", "train --model vae --latent 0", "bench --seconds 0", "tsne -n -1",
		"interpolate --steps 1e9", "train --beta -inf", "eval --json=maybe", "--help", "help train",
		"sweep --beta 1,,2", "train --likelihood gauss", "sample --digit 11", "prior --components 0", "classifier eval --model",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Fields(line)
		if len(args) == 0 {
			return
		}
		switch args[0] {
		case "demo", "train", "bench", "tsne", "serve", "data", "sweep", "classifier", "prior": // could run for minutes, listen or download
			// first, so that no flag can take it as its value
			args = append([]string{args[0], "--no-such-flag-so-it-stops"}, args[1:]...)
		}
		code, _, _ := run1(args...)
		if code != 0 && code != 1 && code != 2 {
			t.Fatalf("latent %q: exit %d", line, code)
		}
	})
}

// TestDivergenceStopsTraining: --lr 50 makes the VAE's loss overflow; train
// stops with a message naming the epoch, the step and the learning rate,
// exit 1, and writes no model for the diverged epoch.
func TestDivergenceStopsTraining(t *testing.T) {
	data := t.TempDir()
	writeIdx(t, data, 200, 20)
	out := filepath.Join(t.TempDir(), "run")
	code, _, stderr := run1("train", "--lr", "50", "--epochs", "3", "--batch", "16", "--data", data, "--out", out)
	if code != 1 || !strings.Contains(stderr, "epoch 1, step") || !strings.Contains(stderr, "learning rate (50)") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "model.safetensors")); err == nil {
		t.Error("a diverged first epoch left a model behind")
	}
}

// TestPresetAndSweep: --preset coherent sets its recipe unless a flag
// overrides it, the prior lands in the checkpoint and drives sampling, and a
// sweep writes its table, plot and page.
func TestPresetAndSweep(t *testing.T) {
	data := t.TempDir()
	writeIdx(t, data, 120, 40)
	out := filepath.Join(t.TempDir(), "coherent")
	code, stdout, stderr := run1("train", "--data", data, "--preset", "coherent", "--epochs", "1", "--prior", "3", "--batch", "32", "--out", out)
	if code != 0 {
		t.Fatalf("train --preset coherent: exit %d: %s", code, stderr)
	}
	m, _, err := model.Load(filepath.Join(out, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Width != model.SeedWidth(4) || m.Latent != 16 || m.Prior == nil || m.Prior.K() != 3 {
		t.Errorf("preset model: width %v latent %d prior %v; want width ×4, latent 16, a 3-component prior (--prior overrides the preset's 100)\n%s", m.Width, m.Latent, m.Prior, stdout)
	}
	samples := filepath.Join(out, "s.safetensors")
	if code, _, stderr := run1("sample", "--model", filepath.Join(out, "model.safetensors"), "-n", "5", "--out", samples); code != 0 {
		t.Fatalf("sample: exit %d: %s", code, stderr)
	}

	sweep := filepath.Join(t.TempDir(), "sweep")
	code, _, stderr = run1("sweep", "--data", data, "--beta", "0.5,2", "--epochs", "1", "--batch", "32",
		"--iw-samples", "4", "--iw-images", "3", "--out", sweep)
	if code != 0 {
		t.Fatalf("sweep: exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(filepath.Join(sweep, "sweep.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "beta0.5-") || !strings.HasPrefix(lines[2], "beta2-") {
		t.Errorf("sweep.csv: %q", lines)
	}
	for _, f := range []string{"tradeoff.png", "sweep.html", "beta0.5-warmup0-freebits0-latent8/samples.png"} {
		if _, err := os.Stat(filepath.Join(sweep, f)); err != nil {
			t.Error(err)
		}
	}
	if !strings.Contains(stderr, "not judged") {
		t.Errorf("a sweep on an idx folder should say its samples are not judged: %s", stderr)
	}
}

// TestConditionalSampling: a CVAE draws the digit asked for (the labels saved
// beside the images say so), and --digit on a plain VAE is a usage error.
func TestConditionalSampling(t *testing.T) {
	data := t.TempDir()
	writeIdx(t, data, 120, 40)
	dir := t.TempDir()
	for _, kind := range []string{"cvae", "vae"} {
		if code, _, stderr := run1("train", "--data", data, "--model", kind, "--epochs", "1", "--out", filepath.Join(dir, kind)); code != 0 {
			t.Fatalf("train %s: exit %d: %s", kind, code, stderr)
		}
	}
	out := filepath.Join(dir, "sevens.safetensors")
	if code, _, stderr := run1("sample", "--model", filepath.Join(dir, "cvae", "model.safetensors"), "--digit", "7", "-n", "6", "--out", out); code != 0 {
		t.Fatalf("sample --digit 7: exit %d: %s", code, stderr)
	}
	f, err := safetensors.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	labels, err := f.Lookup("labels")
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range labels.Data {
		if l != 7 {
			t.Errorf("sample %d: label %v, want 7", i, l)
		}
	}
	if code, _, stderr := run1("sample", "--model", filepath.Join(dir, "vae", "model.safetensors"), "--digit", "7", "--out", out, "--force"); code != 2 || !strings.Contains(stderr, "conditional") {
		t.Errorf("--digit on a VAE: exit %d, %q; want a usage error", code, stderr)
	}
	if code, _, stderr := run1("reconstruct", "--model", filepath.Join(dir, "cvae", "model.safetensors"), "--data", data, "-n", "4", "--out", filepath.Join(dir, "r.png")); code != 0 {
		t.Errorf("reconstruct with a CVAE: exit %d: %s", code, stderr)
	}
}

// TestDemoPresetKeepsTheSeedAE: with --preset coherent the demo's VAE takes the
// recipe and the AE keeps the seed's layers; the report is written.
func TestDemoPresetKeepsTheSeedAE(t *testing.T) {
	data := t.TempDir()
	writeIdx(t, data, 200, 120)
	out := filepath.Join(t.TempDir(), "demo")
	code, _, stderr := run1("demo", "--data", data, "--preset", "coherent", "--epochs", "1", "--prior", "2", "--out", out)
	if code != 0 {
		t.Fatalf("demo: exit %d: %s", code, stderr)
	}
	ae, _, err := model.Load(filepath.Join(out, "ae", "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	vae, _, err := model.Load(filepath.Join(out, "vae", "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if ae.Width != model.SeedWidth(1) || vae.Width != model.SeedWidth(4) || vae.Latent != 16 || vae.Prior == nil {
		t.Errorf("AE width %v, VAE width %v latent %d prior %v: want the seed AE and the preset's VAE", ae.Width, vae.Width, vae.Latent, vae.Prior != nil)
	}
	if _, err := os.Stat(filepath.Join(out, "report.html")); err != nil {
		t.Error(err)
	}
	if !strings.Contains(stderr, "not judged") {
		t.Errorf("an idx folder's samples are not judged, and the demo should say so:\n%s", stderr)
	}
}
