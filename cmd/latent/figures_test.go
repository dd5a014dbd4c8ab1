package main

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"latent/dataset"
	"latent/mnist"
	"latent/model"
	"latent/safetensors"
)

// saveFresh saves a freshly initialised model of kind whose metadata says it
// was trained on ds ("" : no dataset entry).
func saveFresh(t *testing.T, dir string, kind model.Kind, ds string) string {
	t.Helper()
	m, err := model.New(model.Seed(kind), 1)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, string(kind)+".safetensors")
	meta := map[string]string{}
	if ds != "" {
		meta[dataset.MetadataKey] = ds
	}
	if err := m.Save(path, meta); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestFigureVerbsEveryKind runs every figure verb on an AE, a VAE and a
// CVAE: no panic, exit 0, the file written and named on stdout.
func TestFigureVerbsEveryKind(t *testing.T) {
	data := t.TempDir()
	writeIdx(t, data, 20, 30) // test labels 0, 1, 2, …: --from 0 --to 1 are different digits
	dir := t.TempDir()
	for _, kind := range []model.Kind{model.AE, model.VAE, model.CVAE} {
		ckpt := saveFresh(t, dir, kind, "idx:"+data)
		out := func(name string) string { return filepath.Join(dir, string(kind)+"-"+name) }
		cases := [][]string{
			{"sample", "--model", ckpt, "-n", "12", "--out", out("s.png")},
			{"sample", "--model", ckpt, "-n", "3", "--out", out("s.safetensors")},
			{"reconstruct", "--model", ckpt, "-n", "5", "--out", out("r.png")},
			{"reconstruct", "--model", ckpt, "--out", out("r.safetensors")},
			{"interpolate", "--model", ckpt, "--from", "0", "--to", "1", "--steps", "25", "--out", out("i.png")},
			{"tsne", "--model", ckpt, "--out", out("t.png"), "--iterations", "50"},
			{"tsne", "--model", ckpt, "--csv", out("t.csv"), "--iterations", "50"},
		}
		if kind == model.CVAE {
			cases = append(cases,
				[]string{"interpolate", "--model", ckpt, "--digit", "4", "--out", out("i4.png")},
				[]string{"sample", "--model", ckpt, "--digit", "3", "-n", "4", "--out", out("s3.png")})
		}
		for _, args := range cases {
			code, stdout, stderr := run1(args...)
			file := args[len(args)-1]
			if args[0] == "tsne" {
				file = args[4]
			}
			if code != 0 || !strings.Contains(stdout, file) {
				t.Errorf("%s: latent %s: exit %d, stdout %q, stderr %q", kind, strings.Join(args, " "), code, stdout, stderr)
				continue
			}
			if st, err := os.Stat(file); err != nil || st.Size() == 0 {
				t.Errorf("%s: latent %s wrote no %s", kind, args[0], file)
			}
		}
		// --digit needs a conditional VAE
		if kind != model.CVAE {
			if code, _, stderr := run1("interpolate", "--model", ckpt, "--digit", "4", "--out", out("x.png")); code != 2 || !strings.Contains(stderr, "conditional") {
				t.Errorf("%s: interpolate --digit: exit %d, %q; want a usage error", kind, code, stderr)
			}
		}
	}
	// the CSV has one row per test image (the default -n is the whole, small, test set)
	b, err := os.ReadFile(filepath.Join(dir, "cvae-t.csv"))
	if err != nil || strings.Count(string(b), "\n") != 31 {
		t.Errorf("tsne --csv: %d lines (%v), want a header and 30 rows", strings.Count(string(b), "\n"), err)
	}
	// the reconstruct default -n shrinks to a test set smaller than 16? 30 ≥ 16: 16 images
	f, err := safetensors.ReadFile(filepath.Join(dir, "ae-r.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if in, err := f.Lookup("input"); err != nil || in.Shape[0] != 16 {
		t.Errorf("reconstruct's default: %v %v, want 16 images", in.Shape, err)
	}
}

// TestFiguresUseTheCheckpointsDataset: without --dataset a figure verb shows
// the images the checkpoint was trained on; an explicit other dataset is
// used with a note; a recorded dataset that is gone is an error that says
// where the name came from.
func TestFiguresUseTheCheckpointsDataset(t *testing.T) {
	data := t.TempDir()
	writeIdx(t, data, 20, 30)
	dir := t.TempDir()
	ckpt := saveFresh(t, dir, model.VAE, "idx:"+data)
	_, own, err := mnist.LoadDir(data)
	if err != nil {
		t.Fatal(err)
	}
	_, embedded, err := mnist.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	inputs := func(set *mnist.Set) []float32 {
		x := make([]float32, 3*model.Pixels)
		set.Fill(x, nil, []int{0, 1, 2})
		return x
	}
	for _, c := range []struct {
		extra []string
		want  *mnist.Set
		note  bool
	}{
		{nil, own, false},
		{[]string{"--dataset", "mnist"}, embedded, true},
		{[]string{"--data", data}, own, false},
	} {
		out := filepath.Join(dir, "r.safetensors")
		args := append([]string{"reconstruct", "--model", ckpt, "-n", "3", "--out", out, "--force"}, c.extra...)
		code, _, stderr := run1(args...)
		if code != 0 {
			t.Fatalf("latent %v: exit %d: %s", args, code, stderr)
		}
		if strings.Contains(stderr, "trained on idx:") != c.note {
			t.Errorf("latent %v: stderr %q; want a note that the model was trained on another dataset: %v", args, stderr, c.note)
		}
		f, err := safetensors.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		in, err := f.Lookup("input")
		if err != nil || !slices.Equal(in.Data, inputs(c.want)) {
			t.Errorf("latent %v: the inputs are not the expected dataset's test images", args)
		}
	}
	gone := saveFresh(t, t.TempDir(), model.AE, "idx:"+filepath.Join(dir, "moved"))
	code, _, stderr := run1("tsne", "--model", gone, "--csv", filepath.Join(dir, "x.csv"))
	if code != 1 || !strings.Contains(stderr, "checkpoint says") || !strings.Contains(stderr, "--dataset") {
		t.Errorf("a checkpoint whose dataset is gone: exit %d, %q; want exit 1 saying where the name came from", code, stderr)
	}
	// the default -n shrinks to the test images after --first (30 - 25 = 5)
	out := filepath.Join(dir, "last.safetensors")
	if code, _, stderr := run1("reconstruct", "--model", ckpt, "--first", "25", "--out", out); code != 0 {
		t.Errorf("reconstruct --first 25 of 30 images: exit %d: %s", code, stderr)
	} else if f, err := safetensors.ReadFile(out); err != nil {
		t.Error(err)
	} else if in, err := f.Lookup("input"); err != nil || in.Shape[0] != 5 {
		t.Errorf("reconstruct --first 25 of 30: %v %v, want 5 images", in.Shape, err)
	}
	// a checkpoint without the entry was trained on MNIST: no note
	old := saveFresh(t, t.TempDir(), model.AE, "")
	if code, _, stderr := run1("reconstruct", "--model", old, "-n", "2", "--out", filepath.Join(dir, "o.png")); code != 0 || stderr != "" {
		t.Errorf("a checkpoint without a dataset: exit %d, stderr %q", code, stderr)
	}
}

// TestFigureLimits: PNG grids are capped before anything is read (the model
// path does not exist), tsne's limits name their flags and follow the test
// set's real size.
func TestFigureLimits(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.safetensors")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"sample", "--model", missing, "-n", "100000", "--out", filepath.Join(dir, "x.png")}, ".safetensors"},
		{[]string{"sample", "--model", missing, "-n", "1025", "--out", filepath.Join(dir, "x.png")}, "1024"},
		{[]string{"reconstruct", "--model", missing, "-n", "513", "--out", filepath.Join(dir, "x.png")}, ".safetensors"},
		{[]string{"sample", "--model", missing, "--dataset", "fashion-mnist", "--out", filepath.Join(dir, "x.png")}, "reads no images"},
		{[]string{"tsne", "--model", missing}, "--csv"},
		{[]string{"tsne", "--model", missing, "--csv", filepath.Join(dir, "x.csv"), "-n", "5"}, "-n"},
		{[]string{"tsne", "--model", missing, "--csv", filepath.Join(dir, "x.csv"), "--theta", "0"}, "--theta"},
		{[]string{"tsne", "--model", missing, "--csv", filepath.Join(dir, "x.csv"), "--perplexity", "-1"}, "--perplexity"},
		{[]string{"tsne", "--model", missing, "--csv", filepath.Join(dir, "x.csv"), "--iterations", "0"}, "--iterations"},
		{[]string{"interpolate", "--model", missing, "--digit", "10", "--out", filepath.Join(dir, "x.png")}, "--digit"},
	} {
		code, stdout, stderr := run1(c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("latent %v: exit %d, %q; want exit 2 naming %q", c.args, code, stderr+stdout, c.want)
		}
	}

	data := t.TempDir()
	writeIdx(t, data, 20, 12)
	ckpt := saveFresh(t, dir, model.VAE, "idx:"+data)
	csv := filepath.Join(dir, "m.csv")
	for _, c := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"-n", "12"}, 0, "perplexity lowered"},
		{nil, 0, "perplexity lowered"}, // the default -n is the whole test set
		{[]string{"-n", "10", "--perplexity", "3"}, 0, ""},
		{[]string{"-n", "12", "--perplexity", "30"}, 2, "--perplexity"},
		{[]string{"-n", "13"}, 2, "10..12"},
	} {
		args := append([]string{"tsne", "--model", ckpt, "--csv", csv, "--iterations", "20", "--force"}, c.args...)
		code, _, stderr := run1(args...)
		if code != c.code || !strings.Contains(stderr, c.stderr) {
			t.Errorf("latent %v: exit %d, stderr %q; want exit %d and %q", args, code, stderr, c.code, c.stderr)
		}
	}
	// --json: one document on stdout, the perplexity note on stderr
	code, stdout, stderr := run1("tsne", "--model", ckpt, "--csv", csv, "--iterations", "20", "--json", "--force")
	var res struct {
		Points     int      `json:"points"`
		Perplexity float64  `json:"perplexity"`
		Files      []string `json:"files"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); code != 0 || err != nil || res.Points != 12 || res.Perplexity != 11.0/3 || len(res.Files) != 1 || !strings.Contains(stderr, "lowered") {
		t.Errorf("tsne --json: exit %d, %v, %+v, stdout %q, stderr %q", code, err, res, stdout, stderr)
	}
	tiny := t.TempDir()
	writeIdx(t, tiny, 20, 8)
	small := saveFresh(t, t.TempDir(), model.AE, "idx:"+tiny)
	if code, _, stderr := run1("tsne", "--model", small, "--csv", csv, "--force"); code != 1 || !strings.Contains(stderr, "8 images") {
		t.Errorf("tsne on 8 test images: exit %d, %q; want exit 1 saying the test set is too small", code, stderr)
	}
}

// TestSeedHelpSaysWhatItDoes: --seed's help on the inspection verbs says
// what the seed does there, not what it does in training.
func TestSeedHelpSaysWhatItDoes(t *testing.T) {
	for verb, want := range map[string]string{
		"sample": "random codes", "tsne": "t-SNE", "serve": "random codes",
		"reconstruct": "not used", "interpolate": "not used",
	} {
		_, stdout, _ := run1(verb, "--help")
		i := strings.Index(stdout, "-seed")
		if i < 0 {
			t.Errorf("%s --help has no --seed", verb)
			continue
		}
		line := stdout[i:]
		if j := strings.Index(line, "\n  -"); j > 0 {
			line = line[:j]
		}
		if strings.Contains(line, "initialisation") || !strings.Contains(line, want) {
			t.Errorf("%s --help: --seed says %q; want %q and nothing about training", verb, line, want)
		}
	}
}

// TestServeAddr: a bad --addr is a usage error before the model is read (the
// model path does not exist); the printed URL is one a person can open.
func TestServeAddr(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.safetensors")
	for _, addr := range []string{"127.0.0.1:99999", "127.0.0.1:-1", "localhost", "127.0.0.1:abc", ":"} {
		code, _, stderr := run1("serve", "--model", missing, "--addr", addr)
		if code != 2 || !strings.Contains(stderr, "--addr") {
			t.Errorf("serve --addr %s: exit %d, %q; want exit 2 naming --addr", addr, code, stderr)
		}
	}
	// a port in use fails before the (missing) model is read
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	code, _, stderr := run1("serve", "--model", missing, "--addr", ln.Addr().String())
	if code != 1 || !strings.Contains(stderr, "--addr") || strings.Contains(stderr, "missing.safetensors") {
		t.Errorf("serve on a port in use: exit %d, %q; want exit 1 naming --addr before reading the model", code, stderr)
	}
	host, _ := os.Hostname()
	for _, c := range []struct {
		host string
		want []string
		not  string
	}{
		{"0.0.0.0", []string{"http://127.0.0.1:8080/", "all interfaces", host}, "[::]"},
		{"::", []string{"http://127.0.0.1:8080/", "all interfaces"}, "[::]"},
		{"", []string{"http://127.0.0.1:8080/", "all interfaces"}, "[::]"},
		{"127.0.0.1", []string{"http://127.0.0.1:8080/"}, "all interfaces"},
		{"::1", []string{"http://[::1]:8080/"}, "all interfaces"},
		{"localhost", []string{"http://localhost:8080/"}, "all interfaces"},
	} {
		u := serveURL(c.host, 8080)
		for _, w := range c.want {
			if !strings.Contains(u, w) {
				t.Errorf("serveURL(%q) = %q, want %q in it", c.host, u, w)
			}
		}
		if strings.Contains(u, c.not) {
			t.Errorf("serveURL(%q) = %q, should not contain %q", c.host, u, c.not)
		}
	}
}

// TestFigureVerbsNeverReplaceAFile: a figure verb whose --out (or --csv)
// exists refuses (exit 2, the file untouched) unless --force, and never
// writes over the checkpoint it reads, --force or not.
func TestFigureVerbsNeverReplaceAFile(t *testing.T) {
	data := t.TempDir()
	writeIdx(t, data, 20, 30)
	dir := t.TempDir()
	ckpt := saveFresh(t, dir, model.VAE, "idx:"+data)
	before, err := os.ReadFile(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		flag string
		args []string // the verb and its flags, without the file flag
	}{
		{"out", []string{"sample", "--model", ckpt, "-n", "4"}},
		{"out", []string{"reconstruct", "--model", ckpt, "-n", "4"}},
		{"out", []string{"interpolate", "--model", ckpt, "--from", "0", "--to", "1", "--steps", "3"}},
		{"out", []string{"tsne", "--model", ckpt, "--iterations", "20"}},
		{"csv", []string{"tsne", "--model", ckpt, "--iterations", "20"}},
	} {
		ext := ".png"
		if c.flag == "csv" {
			ext = ".csv"
		}
		file := filepath.Join(dir, c.args[0]+"-"+c.flag+ext)
		if err := os.WriteFile(file, []byte("finished work"), 0o644); err != nil {
			t.Fatal(err)
		}
		args := append(slices.Clone(c.args), "--"+c.flag, file)
		code, _, stderr := run1(args...)
		if got, _ := os.ReadFile(file); code != 2 || string(got) != "finished work" || !strings.Contains(stderr, "--force") {
			t.Errorf("latent %s over an existing file: exit %d, stderr %q, file now %d bytes", strings.Join(args, " "), code, stderr, len(got))
		}
		if code, _, stderr := run1(append(args, "--force")...); code != 0 {
			t.Errorf("latent %s --force: exit %d, %q", strings.Join(args, " "), code, stderr)
		} else if got, _ := os.ReadFile(file); string(got) == "finished work" {
			t.Errorf("latent %s --force left the old file", strings.Join(args, " "))
		}
	}
	// the checkpoint itself, as a .safetensors output: refused even with --force
	for _, verb := range []string{"sample", "reconstruct"} {
		code, _, stderr := run1(verb, "--model", ckpt, "-n", "2", "--out", ckpt, "--force")
		if got, _ := os.ReadFile(ckpt); code != 2 || !slices.Equal(got, before) || !strings.Contains(stderr, "checkpoint") {
			t.Errorf("latent %s --out <the model> --force: exit %d, stderr %q, model changed %v", verb, code, stderr, !slices.Equal(got, before))
		}
	}
}
