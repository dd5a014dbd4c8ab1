package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"latent/model"
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
		{[]string{"train", "--threads", "0", "--out", out}, "--threads"},
		{[]string{"train", "--model", "ae"}, "--out"},
		{[]string{"train", "--epochs", "ten"}, "epochs"},
		{[]string{"train", "--no-such-flag"}, "no-such-flag"},
		{[]string{"train", "--out", out, "extra"}, "extra"},
		{[]string{"eval"}, "--model"},
		{[]string{"demo", "--batch", "0"}, "--batch"},
		{[]string{"frobnicate"}, "frobnicate"},
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
	for _, kind := range []string{"ae", "vae"} {
		out := filepath.Join(t.TempDir(), kind)
		d := dataFlags{dir: data, threads: 2}
		tf := trainFlags{kind: kind, latent: 4}
		tf.cfg.Epochs, tf.cfg.Batch, tf.cfg.LR, tf.cfg.Beta = 2, 16, 1e-3, 1
		mc, cfg, err := tf.config(&d)
		if err != nil {
			t.Fatal(err)
		}
		trainData, test, err := d.load()
		if err != nil {
			t.Fatal(err)
		}
		var stdout bytes.Buffer
		m, hist, err := trainModel(t.Context(), mc, cfg, trainData, out, &stdout, &stdout)
		if err != nil || len(hist) != 2 {
			t.Fatalf("%s: %v (%d epochs)", kind, err, len(hist))
		}
		if !strings.Contains(stdout.String(), "epoch  2") {
			t.Errorf("%s: no line for epoch 2 in %q", kind, stdout.String())
		}
		inMemory := evaluate(m, test, 0, 2)

		code, js, stderr := run1("eval", "--model", filepath.Join(out, "model.safetensors"), "--data", data, "--json")
		if code != 0 {
			t.Fatalf("eval: exit %d: %s", code, stderr)
		}
		var fromFile evalResult
		if err := json.Unmarshal([]byte(js), &fromFile); err != nil {
			t.Fatal(err)
		}
		if fromFile != inMemory {
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
		if code != 1 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, c.file) {
			t.Errorf("latent %v: exit %d, stderr %q; want exit 1 and one line naming %s", c.args, code, stderr, c.file)
		}
	}
}
