package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// auditFiles trains a tiny AE, VAE and classifier on a small idx folder and
// returns the folder and the files a careless user might pass around.
type auditFiles struct {
	data, ae, vae, vaeState, classifier string
}

func newAuditFiles(t *testing.T) auditFiles {
	t.Helper()
	dir := t.TempDir()
	f := auditFiles{data: filepath.Join(dir, "data")}
	if err := os.Mkdir(f.data, 0o755); err != nil {
		t.Fatal(err)
	}
	writeIdx(t, f.data, 80, 20)
	for _, kind := range []string{"ae", "vae"} {
		out := filepath.Join(dir, kind)
		if code, _, stderr := run1("train", "--model", kind, "--epochs", "1", "--threads", "1", "--data", f.data, "--out", out); code != 0 {
			t.Fatalf("train %s: exit %d: %s", kind, code, stderr)
		}
	}
	f.ae = filepath.Join(dir, "ae", "model.safetensors")
	f.vae = filepath.Join(dir, "vae", "model.safetensors")
	f.vaeState = filepath.Join(dir, "vae", stateFile)
	f.classifier = filepath.Join(dir, "classifier.safetensors")
	if code, _, stderr := run1("classifier", "train", "--data", f.data, "--epochs", "1", "--images", "32", "--batch", "32",
		"--width", "4,8,8", "--hidden", "16", "--threads", "1", "--out", f.classifier); code != 0 {
		t.Fatalf("classifier train: exit %d: %s", code, stderr)
	}
	return f
}

// TestWrongModelFileSaysWhatItIs: a missing file, the classifier or a run's
// training state given as --model gets an error that names the flag, says
// what the file is and what to give instead, on every verb that reads one.
func TestWrongModelFileSaysWhatItIs(t *testing.T) {
	f := newAuditFiles(t)
	out := t.TempDir()
	verbArgs := map[string][]string{
		"eval":        {"eval", "--data", f.data, "--quality=false", "--iw-samples", "0"},
		"prior":       {"prior", "--data", f.data, "--components", "2"},
		"sample":      {"sample", "-n", "4", "--out", filepath.Join(out, "s.png")},
		"reconstruct": {"reconstruct", "--data", f.data, "-n", "4", "--out", filepath.Join(out, "r.png")},
		"interpolate": {"interpolate", "--data", f.data, "--out", filepath.Join(out, "i.png")},
		"tsne":        {"tsne", "--data", f.data, "-n", "20", "--out", filepath.Join(out, "t.png")},
		"serve":       {"serve", "--data", f.data, "--addr", "127.0.0.1:0"},
	}
	for _, c := range []struct {
		model string
		want  []string
	}{
		{filepath.Join(out, "nosuch.safetensors"), []string{"--model", "does not exist", "latent train"}},
		{f.classifier, []string{"--model", "digit classifier", "--classifier"}},
		{f.vaeState, []string{"--model", "training state", "model.safetensors"}},
	} {
		for verb, args := range verbArgs {
			code, _, stderr := run1(append(args, "--model", c.model)...)
			ok := code == 1
			for _, w := range c.want {
				ok = ok && strings.Contains(stderr, w)
			}
			if !ok {
				t.Errorf("latent %s --model %s: exit %d, stderr %q; want exit 1 naming %q", verb, filepath.Base(c.model), code, stderr, c.want)
			}
		}
	}
}

// TestPriorRefusesReadOnlyModel: latent prior rewrites its --model; a file
// without write permission is refused before the fit (as root too, where the
// rename would succeed) and left byte for byte as it was.
func TestPriorRefusesReadOnlyModel(t *testing.T) {
	f := newAuditFiles(t)
	for _, c := range []struct {
		name string
		mode os.FileMode
		code int
	}{
		{"read-only", 0o444, 1},
		{"owner read-only", 0o400, 1},
		{"writable", 0o644, 0},
	} {
		path := filepath.Join(t.TempDir(), "model.safetensors")
		orig, err := os.ReadFile(f.vae)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, orig, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, c.mode); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := run1("prior", "--model", path, "--data", f.data, "--components", "2", "--threads", "1")
		if code != c.code {
			t.Errorf("%s: latent prior exit %d (stderr %q), want %d", c.name, code, stderr, c.code)
		}
		after, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		changed := string(after) != string(orig)
		if c.code != 0 && (changed || !strings.Contains(stderr, "read-only") || !strings.Contains(stderr, "--model")) {
			t.Errorf("%s: changed %v, stderr %q; want the file untouched and an error naming --model and read-only", c.name, changed, stderr)
		}
		if c.code == 0 && !changed {
			t.Errorf("%s: latent prior did not store the prior", c.name)
		}
	}
}

// TestFileFlagNamingAFolder: a file flag that names an existing folder is a
// usage error saying so, with or without --force (which would otherwise be
// suggested, and could not replace a folder).
func TestFileFlagNamingAFolder(t *testing.T) {
	f := newAuditFiles(t)
	folder := t.TempDir()
	for _, args := range [][]string{
		{"classifier", "train", "--data", f.data, "--epochs", "1", "--out", folder},
		{"classifier", "train", "--data", f.data, "--epochs", "1", "--out", folder, "--force"},
		{"tsne", "--model", f.vae, "--data", f.data, "-n", "20", "--csv", folder},
		{"tsne", "--model", f.vae, "--data", f.data, "-n", "20", "--csv", folder, "--force"},
	} {
		code, _, stderr := run1(args...)
		if code != 2 || !strings.Contains(stderr, "is a folder") || strings.Contains(stderr, "--force,") {
			t.Errorf("latent %v: exit %d, stderr %q; want exit 2 saying the path is a folder", args, code, stderr)
		}
	}
}

// TestStrayArgumentHints: a word where a flag was expected says that the
// verb takes flags only, suggests the flag a file name was meant for, and
// says when flags after the word were not read.
func TestStrayArgumentHints(t *testing.T) {
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"eval", "runs/vae/model.safetensors", "--json"}, []string{"flags only", "--model runs/vae/model.safetensors", "--json", "not read"}},
		{[]string{"sample", "--model", "m.safetensors", "s.png"}, []string{"--out s.png"}},
		{[]string{"tsne", "--model", "m.safetensors", "map.csv"}, []string{"--csv map.csv"}},
		{[]string{"train", "--out", "x", "extra"}, []string{"unexpected argument \"extra\"", "flags only"}},
		{[]string{"reconstruct", "--model", "m.safetensors", "--out", "r.png", "more.png"}, []string{"unexpected argument \"more.png\""}},
	} {
		code, _, stderr := run1(c.args...)
		ok := code == 2
		for _, w := range c.want {
			ok = ok && strings.Contains(stderr, w)
		}
		if !ok {
			t.Errorf("latent %v: exit %d, stderr %q; want exit 2 with %q", c.args, code, stderr, c.want)
		}
	}
	// an --out already given is not suggested again
	if _, _, stderr := run1("reconstruct", "--model", "m.safetensors", "--out", "r.png", "more.png"); strings.Contains(stderr, "did you mean") {
		t.Errorf("reconstruct with --out given suggests it again: %q", stderr)
	}
}

// TestHelpSaysWhatItWrites: every verb's help (before its flag list) says
// which files it writes, or that it writes none.
func TestHelpSaysWhatItWrites(t *testing.T) {
	helps := [][]string{{"classifier", "--help"}, {"classifier", "train", "--help"}, {"classifier", "eval", "--help"}}
	for _, v := range verbs {
		if v.name != "classifier" {
			helps = append(helps, []string{v.name, "--help"})
		}
	}
	for _, args := range helps {
		code, stdout, _ := run1(args...)
		text, _, _ := strings.Cut(stdout, "\nFlags")
		lower := strings.ToLower(text)
		if code != 0 || !(strings.Contains(lower, "writ") || strings.Contains(lower, "store") || strings.Contains(lower, "download")) {
			t.Errorf("latent %v: exit %d; its help does not say what it writes:\n%s", args, code, text)
		}
	}
}

// TestResumeFolderErrors: --resume of something that is not a run folder
// says what it is and what to give instead.
func TestResumeFolderErrors(t *testing.T) {
	f := newAuditFiles(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	stateless := filepath.Join(dir, "stateless") // a run whose state file was deleted
	if err := os.Mkdir(stateless, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(f.vae)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(stateless, "model.safetensors"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		folder string
		want   []string
	}{
		{filepath.Join(dir, "nosuch"), []string{"--resume", "no such folder", "latent train"}},
		{file, []string{"--resume", "is a file", "latent train"}},
		{t.TempDir(), []string{"--resume", "holds no training run", "latent train"}},
		{stateless, []string{"--resume", "state.safetensors is gone", "--force"}},
	} {
		code, _, stderr := run1("train", "--resume", c.folder, "--epochs", "2")
		ok := code == 1
		for _, w := range c.want {
			ok = ok && strings.Contains(stderr, w)
		}
		if !ok {
			t.Errorf("latent train --resume %s: exit %d, stderr %q; want exit 1 with %q", c.folder, code, stderr, c.want)
		}
	}
}

// TestSubcommandUsagePointsToItsHelp: a usage error of 'latent classifier
// train/eval' points to that sub-command's --help, where its flags are.
func TestSubcommandUsagePointsToItsHelp(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"classifier", "train", "--width", "4"}, "'latent classifier train --help'"},
		{[]string{"classifier", "train", "--bogus"}, "'latent classifier train --help'"},
		{[]string{"classifier", "eval", "--bogus"}, "'latent classifier eval --help'"},
		{[]string{"classifier", "frob"}, "'latent classifier --help'"},
	} {
		code, _, stderr := run1(c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("latent %v: exit %d, stderr %q; want exit 2 pointing to %s", c.args, code, stderr, c.want)
		}
	}
}

// TestTSNEOutAndCSVDiffer: --out and --csv naming one file would leave only
// the CSV under the PNG's name; it is refused, --force or not.
func TestTSNEOutAndCSVDiffer(t *testing.T) {
	f := newAuditFiles(t)
	dir := t.TempDir()
	same := filepath.Join(dir, "map.png")
	for _, c := range []struct {
		out, csv string
		force    bool
		code     int
	}{
		{same, same, false, 2},
		{same, same, true, 2},
		{same, filepath.Join(dir, ".", "map.png"), false, 2},
		{same, filepath.Join(dir, "map.csv"), false, 0},
	} {
		args := []string{"tsne", "--model", f.vae, "--data", f.data, "-n", "20", "--iterations", "10", "--out", c.out, "--csv", c.csv}
		if c.force {
			args = append(args, "--force")
		}
		code, _, stderr := run1(args...)
		if code != c.code || (c.code == 2 && !strings.Contains(stderr, "same file")) {
			t.Errorf("latent %v: exit %d, stderr %q; want exit %d", args, code, stderr, c.code)
		}
		if c.code == 0 {
			b, err := os.ReadFile(c.out)
			if err != nil || !strings.HasPrefix(string(b), "\x89PNG") {
				t.Errorf("--out %s is not a PNG after the run (err %v)", c.out, err)
			}
		}
	}
}

// TestFailedStartLeavesNoFolder: a training verb whose images cannot be read
// removes the output folders it created for the run, and only those.
func TestFailedStartLeavesNoFolder(t *testing.T) {
	base := t.TempDir()
	bad := t.TempDir() // an idx folder without files
	existing := filepath.Join(base, "existing")
	if err := os.Mkdir(existing, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args       []string
		gone, kept string
	}{
		{[]string{"train", "--model", "ae", "--epochs", "1", "--data", bad, "--out", filepath.Join(base, "a", "b", "run")}, filepath.Join(base, "a"), base},
		{[]string{"train", "--model", "ae", "--epochs", "1", "--data", bad, "--out", filepath.Join(existing, "run")}, filepath.Join(existing, "run"), existing},
		{[]string{"demo", "--epochs", "1", "--data", bad, "--out", filepath.Join(base, "demo")}, filepath.Join(base, "demo"), base},
		{[]string{"sweep", "--beta", "1", "--epochs", "1", "--data", bad, "--out", filepath.Join(base, "sweep")}, filepath.Join(base, "sweep"), base},
	} {
		code, _, stderr := run1(c.args...)
		if code != 1 {
			t.Errorf("latent %v: exit %d (%q), want 1", c.args, code, stderr)
		}
		if _, err := os.Stat(c.gone); !os.IsNotExist(err) {
			t.Errorf("latent %v left %s behind", c.args, c.gone)
		}
		if _, err := os.Stat(c.kept); err != nil {
			t.Errorf("latent %v removed %s, which existed before", c.args, c.kept)
		}
	}
}

// TestFailedFigureLeavesNoFolder: a figure verb that fails after checking
// its output (here: --model is missing) removes the folders it created.
func TestFailedFigureLeavesNoFolder(t *testing.T) {
	f := newAuditFiles(t)
	missing := filepath.Join(t.TempDir(), "nosuch.safetensors")
	for _, c := range []struct {
		args []string
		gone string
	}{
		{[]string{"sample", "--model", missing}, "sample/s.png"},
		{[]string{"reconstruct", "--model", missing, "--data", f.data}, "recon/r.png"},
		{[]string{"interpolate", "--model", missing, "--data", f.data}, "interp/deep/i.png"},
		{[]string{"tsne", "--model", missing, "--data", f.data, "--csv", "CSV"}, "map/m.png"},
	} {
		base := t.TempDir()
		out := filepath.Join(base, c.gone)
		args := append(c.args, "--out", out)
		for i, a := range args {
			if a == "CSV" {
				args[i] = filepath.Join(base, "map", "coords", "c.csv")
			}
		}
		code, _, stderr := run1(args...)
		if code != 1 {
			t.Errorf("latent %v: exit %d (%q), want 1", args, code, stderr)
		}
		entries, err := os.ReadDir(base)
		if err != nil || len(entries) != 0 {
			t.Errorf("latent %v left %v in its output's parent (err %v)", args, entries, err)
		}
	}
}

// TestWarmupLongerThanRunWarns: a KL warm-up longer than the run never
// reaches --beta; train, demo and sweep say so on stderr (and only then).
func TestWarmupLongerThanRunWarns(t *testing.T) {
	bad := t.TempDir() // no images: each verb stops right after its checks
	for _, c := range []struct {
		args []string
		warn bool
	}{
		{[]string{"train", "--epochs", "2", "--kl-warmup", "5"}, true},
		{[]string{"train", "--epochs", "2", "--kl-warmup", "2"}, false},
		{[]string{"demo", "--epochs", "2", "--kl-warmup", "3"}, true},
		{[]string{"demo", "--epochs", "3", "--kl-warmup", "3"}, false},
		{[]string{"sweep", "--epochs", "2", "--kl-warmup", "0,8"}, true},
		{[]string{"sweep", "--epochs", "2", "--kl-warmup", "0,1"}, false},
	} {
		args := append(c.args, "--data", bad, "--out", filepath.Join(t.TempDir(), "out"))
		code, _, stderr := run1(args...)
		if code != 1 {
			t.Errorf("latent %v: exit %d (%q), want 1 (no images)", args, code, stderr)
		}
		if got := strings.Contains(stderr, "--kl-warmup") && strings.Contains(stderr, "longer than the run"); got != c.warn {
			t.Errorf("latent %v: warned %v, want %v; stderr %q", args, got, c.warn, stderr)
		}
	}
}

// TestPriorUpdatesThroughASymlink: --model naming a symlink updates the file
// it points to and leaves the link a link (renaming over it replaced the link
// with a copy and left the real checkpoint without its prior).
func TestPriorUpdatesThroughASymlink(t *testing.T) {
	f := newAuditFiles(t)
	dir := t.TempDir()
	target := filepath.Join(dir, "model.safetensors")
	b, err := os.ReadFile(f.vae)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(target, b, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.safetensors")
	if err := os.Symlink("model.safetensors", link); err != nil {
		t.Skip("no symlinks here:", err)
	}
	if code, _, stderr := run1("prior", "--model", link, "--data", f.data, "--components", "2", "--threads", "1"); code != 0 {
		t.Fatalf("latent prior: exit %d: %s", code, stderr)
	}
	st, err := os.Lstat(link)
	if err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("--model %s is no longer a symlink (err %v)", link, err)
	}
	after, err := os.ReadFile(target)
	if err != nil || string(after) == string(b) {
		t.Errorf("the link's target was not updated (err %v)", err)
	}
}

// TestEvalNotesVAEOnlyFlagsOnAnAE: eval of an AE says which VAE-only flags
// it ignores, instead of dropping them silently.
func TestEvalNotesVAEOnlyFlagsOnAnAE(t *testing.T) {
	f := newAuditFiles(t)
	for _, c := range []struct {
		model string
		args  []string
		note  string // "" : no note
	}{
		{f.ae, []string{"--iw-samples", "5"}, "--iw-samples"},
		{f.ae, []string{"--samples", "10", "--iw-images", "3"}, "--iw-images"},
		{f.ae, nil, ""},
		{f.vae, []string{"--iw-samples", "2", "--iw-images", "2"}, ""},
	} {
		args := append([]string{"eval", "--model", c.model, "--data", f.data, "--threads", "1"}, c.args...)
		code, _, stderr := run1(args...)
		noted := strings.Contains(stderr, "not used")
		if code != 0 || noted != (c.note != "") || !strings.Contains(stderr, c.note) {
			t.Errorf("latent %v: exit %d, stderr %q; want a note naming %q", args, code, stderr, c.note)
		}
	}
}

// TestFlagParseErrorsInPlainWords: the flag package's parse errors are
// rewritten to name the flag as the help writes it and the kind of value it
// takes.
func TestFlagParseErrorsInPlainWords(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"sample", "-n", "1e999"}, `-n "1e999": want a whole number`},
		{[]string{"sample", "-n", "99999999999999999999"}, `-n "99999999999999999999" is out of range`},
		{[]string{"sample", "--seed", "-1"}, `--seed "-1": want a whole number ≥ 0`},
		{[]string{"tsne", "--perplexity", "1e999"}, `--perplexity "1e999" is out of range (want a number`},
		{[]string{"tsne", "--theta", "x"}, `--theta "x": want a number`},
		{[]string{"eval", "--quality=maybe"}, `--quality "maybe": want true or false`},
		{[]string{"data", "fetch", "fashion-mnist", "--stall", "5"}, `--stall "5": want a duration`},
		{[]string{"train", "--bogus"}, "unknown flag --bogus"},
		{[]string{"classifier", "train", "-x"}, "unknown flag -x"},
		{[]string{"train", "--model"}, "--model needs a value"},
	} {
		code, _, stderr := run1(c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Contains(stderr, "provided but not defined") || strings.Contains(stderr, "parse error") {
			t.Errorf("latent %v: exit %d, stderr %q; want exit 2 with %q", c.args, code, stderr, c.want)
		}
	}
}

// TestReconstructRangeMessages: -n past the end of the test set blames -n
// and says how many fit; a bad --first blames --first.
func TestReconstructRangeMessages(t *testing.T) {
	f := newAuditFiles(t) // 20 test images
	for _, c := range []struct {
		extra []string
		want  string
	}{
		{[]string{"-n", "100"}, "give -n 20 or less"},
		{[]string{"--first", "15", "-n", "10"}, "give -n 5 or less"},
		{[]string{"--first", "20"}, "--first 20 is outside the test images 0..19"},
		{[]string{"--first", "-1"}, "--first -1 is outside"},
	} {
		args := append([]string{"reconstruct", "--model", f.vae, "--data", f.data, "--out", filepath.Join(t.TempDir(), "r.png")}, c.extra...)
		code, _, stderr := run1(args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("latent %v: exit %d, stderr %q; want exit 2 with %q", args, code, stderr, c.want)
		}
	}
}

// TestNoArgumentsIsAUsageError: plain 'latent' is a usage error (exit 2,
// the command list on stderr); 'latent --help' is not (exit 0, stdout).
func TestNoArgumentsIsAUsageError(t *testing.T) {
	if code, stdout, stderr := run1(); code != 2 || stdout != "" || !strings.Contains(stderr, "Commands:") {
		t.Errorf("latent: exit %d, stdout %q, stderr %q; want exit 2 with the commands on stderr", code, stdout, stderr)
	}
	if code, stdout, stderr := run1("--help"); code != 0 || stderr != "" || !strings.Contains(stdout, "Commands:") {
		t.Errorf("latent --help: exit %d, stdout %q, stderr %q; want exit 0 with the commands on stdout", code, stdout, stderr)
	}
}

// TestUnusedClassifierNoteGivesTheReason: eval's note about an unused
// --classifier names the actual reason.
func TestUnusedClassifierNoteGivesTheReason(t *testing.T) {
	f := newAuditFiles(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		// a VAE on MNIST (the built-in set) with judging off
		{[]string{"eval", "--model", f.vae, "--dataset", "mnist", "--quality=false", "--iw-samples", "0", "--classifier", f.classifier}, "--quality=false"},
		// a VAE on other images
		{[]string{"eval", "--model", f.vae, "--data", f.data, "--iw-samples", "0", "--classifier", f.classifier}, "on MNIST"},
		{[]string{"eval", "--model", f.ae, "--data", f.data, "--classifier", f.classifier}, "only a VAE"},
	} {
		code, _, stderr := run1(c.args...)
		if code != 0 || !strings.Contains(stderr, "is not used: ") || !strings.Contains(stderr, c.want) {
			t.Errorf("latent %v: exit %d, stderr %q; want a note with %q", c.args, code, stderr, c.want)
		}
	}
}

// TestEmptyIdxFolderSaysWhatBelongsThere: --data naming a folder without the
// idx files lists the four files it needs.
func TestEmptyIdxFolderSaysWhatBelongsThere(t *testing.T) {
	empty := t.TempDir()
	for _, args := range [][]string{
		{"train", "--data", empty, "--out", filepath.Join(t.TempDir(), "run")},
		{"classifier", "train", "--data", empty, "--out", filepath.Join(t.TempDir(), "c.safetensors")},
	} {
		code, _, stderr := run1(args...)
		if code != 1 || !strings.Contains(stderr, empty) || !strings.Contains(stderr, "t10k-labels-idx1-ubyte") {
			t.Errorf("latent %v: exit %d, stderr %q; want exit 1 naming the folder and the files it needs", args, code, stderr)
		}
	}
}

// TestShortModelFileSaysWhatItMayBe: an empty or tiny --model says it is not
// (or no longer) a safetensors file, naming the file.
func TestShortModelFileSaysWhatItMayBe(t *testing.T) {
	dir := t.TempDir()
	for _, content := range []string{"", "hello"} {
		path := filepath.Join(dir, "m.safetensors")
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := run1("sample", "--model", path, "--out", filepath.Join(dir, "s.png"))
		if code != 1 || !strings.Contains(stderr, path) || !strings.Contains(stderr, "not a safetensors file?") {
			t.Errorf("--model of %d bytes: exit %d, stderr %q", len(content), code, stderr)
		}
	}
}

// TestUnwritableCacheFailsBeforeTrainingTheJudge: with latent's cache under
// a regular file, eval and sweep fail at once with what to do, instead of
// training the digit classifier and then failing to store it.
func TestUnwritableCacheFailsBeforeTrainingTheJudge(t *testing.T) {
	f := newAuditFiles(t)
	emptyCache(t)
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CACHE_HOME", filepath.Join(file, "cache"))
	for _, args := range [][]string{
		{"eval", "--model", f.vae, "--dataset", "mnist", "--iw-samples", "0", "--samples", "10"},
	} {
		code, _, stderr := run1(args...)
		if code != 1 || strings.Contains(stderr, "training one") || !strings.Contains(stderr, "--quality=false") || !strings.Contains(stderr, "XDG_CACHE_HOME") {
			t.Errorf("latent %v: exit %d, stderr %q; want exit 1 before any training, saying what to do", args, code, stderr)
		}
	}
}
