package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"latent/classifier"
)

// TestClassifierTrainThenEval trains on a tiny folder for one epoch, then
// checks that eval of the file prints the accuracy train printed.
func TestClassifierTrainThenEval(t *testing.T) {
	data := t.TempDir()
	writeIdx(t, data, 100, 30)
	out := filepath.Join(t.TempDir(), "sub", "c.safetensors")
	code, stdout, stderr := run1("classifier", "train", "--data", data, "--epochs", "2", "--images", "64",
		"--batch", "32", "--threads", "2", "--width", "4,8,8", "--hidden", "16", "--out", out)
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	for _, c := range []struct{ want, in string }{{"widths 4,8,8, 16 features) on 64 images", stderr}, {"epoch  2", stdout}, {"test accuracy", stdout}, {"img/s", stdout}, {"wrote " + out, stderr}} {
		if !strings.Contains(c.in, c.want) {
			t.Errorf("train output lacks %q:\n%s", c.want, c.in)
		}
	}
	acc := regexp.MustCompile(`test accuracy [0-9.]+% \(30 images\)`).FindString(stdout)
	if acc == "" {
		t.Fatalf("no test accuracy line in %q", stdout)
	}
	net, err := classifier.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if net.TestAccuracy < 0 || net.Meta["latent.images"] != "64" || net.Meta["latent.epochs"] != "2" {
		t.Errorf("metadata: accuracy %g, %v", net.TestAccuracy, net.Meta)
	}
	code, stdout, stderr = run1("classifier", "eval", "--model", out, "--data", data)
	if code != 0 || !strings.Contains(stdout, acc) {
		t.Errorf("eval: exit %d, %q%s; want %q", code, stdout, stderr, acc)
	}
	// the file is never replaced without --force
	before, _ := os.ReadFile(out)
	again := []string{"classifier", "train", "--data", data, "--epochs", "1", "--images", "32", "--batch", "32", "--width", "4,8,8", "--hidden", "16", "--out", out}
	if code, _, stderr := run1(again...); code != 2 || !strings.Contains(stderr, out) || !strings.Contains(stderr, "--force") {
		t.Errorf("train over %s: exit %d, %q; want exit 2 naming it and --force", out, code, stderr)
	}
	if after, _ := os.ReadFile(out); string(after) != string(before) {
		t.Error("a refused classifier train changed the file")
	}
	if code, _, stderr := run1(append(again, "--force")...); code != 0 {
		t.Errorf("train --force: exit %d: %s", code, stderr)
	}
}

func TestClassifierUsage(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "none.safetensors")
	notClassifier := filepath.Join(dir, "x.safetensors")
	os.WriteFile(notClassifier, []byte("garbage!garbage!"), 0o644)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"classifier"}, 2, "train' or 'eval"},
		{[]string{"classifier", "frob"}, 2, "frob"},
		{[]string{"classifier", "train", "--epochs", "0"}, 2, "--epochs"},
		{[]string{"classifier", "train", "--batch", "0"}, 2, "--batch"},
		{[]string{"classifier", "train", "--lr", "-1"}, 2, "--lr"},
		{[]string{"classifier", "train", "--shift", "9"}, 2, "--shift"},
		{[]string{"classifier", "train", "--threads", "0"}, 2, "--threads"},
		{[]string{"classifier", "train", "--images", "-1"}, 2, "--images"},
		{[]string{"classifier", "train", "--width", "8,8"}, 2, "--width"},
		{[]string{"classifier", "train", "--width", "8,0,8"}, 2, "--width"},
		{[]string{"classifier", "train", "--hidden", "0"}, 2, "--hidden"},
		{[]string{"classifier", "train", "--no-such"}, 2, "no-such"},
		{[]string{"classifier", "eval", "--threads", "0"}, 2, "--threads"},
		{[]string{"classifier", "eval", "--model", missing}, 1, missing},
		{[]string{"classifier", "eval", "--model", notClassifier}, 1, notClassifier},
	} {
		code, stdout, stderr := run1(c.args...)
		if code != c.code || !strings.Contains(stderr+stdout, c.want) {
			t.Errorf("latent %v: exit %d, output %q; want exit %d naming %q", c.args, code, stderr+stdout, c.code, c.want)
		}
	}
	for _, args := range [][]string{{"classifier", "train", "--help"}, {"classifier", "eval", "--help"}, {"help", "classifier"}} {
		code, stdout, _ := run1(args...)
		if code != 0 || !strings.Contains(stdout, "Example:") || !strings.Contains(stdout, "latent classifier") {
			t.Errorf("latent %v: exit %d, %q", args, code, stdout)
		}
	}
}
