package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"latent/model"
)

// TestDemoCtrlCThenResume interrupts a real demo once the AE has finished its
// first epoch: it exits 130 naming 'latent demo --resume DIR', which then
// finishes the demo (both models, figures, report) with the weights of a demo
// never interrupted; starting a demo over the folder again is refused.
func TestDemoCtrlCThenResume(t *testing.T) {
	data := t.TempDir()
	writeIdx(t, data, 3000, 100)
	args := []string{"demo", "--data", data, "--epochs", "3", "--batch", "16", "--threads", "2"}
	whole := filepath.Join(t.TempDir(), "whole")
	if out, err := latentProcess(t, append(args, "--out", whole)...).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted demo: %v\n%s", err, out)
	}

	cut := filepath.Join(t.TempDir(), "cut")
	cmd := latentProcess(t, append(args, "--out", cut)...)
	cmd.Env = append(cmd.Env, "LATENT_PAUSE_AT=epoch  1") // it waits there for the signal
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "epoch  1") { // the AE's first epoch is done
			if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	for sc.Scan() {
	}
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Fatalf("interrupted demo: %v (want exit 130)\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "latent demo --resume "+cut) {
		t.Fatalf("the message does not say 'latent demo --resume %s': %q", cut, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(cut, "report.html")); err == nil {
		t.Fatal("the interrupted demo wrote its report")
	}
	out, err := latentProcess(t, "demo", "--resume", cut, "--threads", "1").CombinedOutput()
	if err != nil {
		t.Fatalf("demo --resume: %v\n%s", err, out)
	}
	t.Logf("resumed:\n%s", out)
	for _, f := range []string{"report.html", "summary.json"} {
		if _, err := os.Stat(filepath.Join(cut, f)); err != nil {
			t.Errorf("the resumed demo did not write %s: %v", f, err)
		}
	}
	for _, kind := range []string{"ae", "vae"} {
		a, _, err := model.Load(filepath.Join(whole, kind, "model.safetensors"))
		if err != nil {
			t.Fatal(err)
		}
		b, meta, err := model.Load(filepath.Join(cut, kind, "model.safetensors"))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a.Data, b.Data) || meta["latent.epochs"] != "3" {
			t.Errorf("%s: the resumed demo's weights (%s epochs) differ from the uninterrupted demo's", kind, meta["latent.epochs"])
		}
	}
	report, _ := os.ReadFile(filepath.Join(cut, "report.html"))
	if out, err := latentProcess(t, "demo", "--resume", cut).CombinedOutput(); err != nil || !strings.Contains(string(out), "finished") {
		t.Errorf("demo --resume of a finished demo: %v, %s; want exit 0 saying it is finished", err, out)
	}
	if after, _ := os.ReadFile(filepath.Join(cut, "report.html")); string(after) != string(report) {
		t.Error("demo --resume of a finished demo rewrote its report")
	}
	again, err := latentProcess(t, append(args, "--out", cut)...).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(again), "--resume "+cut) {
		t.Errorf("a new demo over a finished one: %v, %s; want exit 2 naming --resume", err, again)
	}
}
