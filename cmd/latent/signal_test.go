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
	"time"

	"latent/model"
)

// TestMain lets a test run this binary as the latent command itself: with
// LATENT_RUN_MAIN=1 the process is `latent` and its arguments follow "--".
func TestMain(m *testing.M) {
	if os.Getenv("LATENT_RUN_MAIN") == "1" {
		i := slices.Index(os.Args, "--")
		os.Args = append([]string{"latent"}, os.Args[i+1:]...)
		main()
		return
	}
	os.Exit(m.Run())
}

// latentProcess starts the latent command as a child process.
func latentProcess(t *testing.T, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), "LATENT_RUN_MAIN=1")
	return cmd
}

// TestCtrlCThenResume sends SIGINT to a real training process in its second
// epoch, checks that it saves its state, says how to resume and exits
// non-zero, resumes it, and compares the final weights with a run that was
// never interrupted.
func TestCtrlCThenResume(t *testing.T) {
	data := t.TempDir()
	writeIdx(t, data, 2000, 50)
	args := []string{"--model", "vae", "--epochs", "3", "--batch", "16", "--data", data, "--threads", "2"}
	whole := filepath.Join(t.TempDir(), "whole")
	if out, err := latentProcess(t, append([]string{"train", "--out", whole}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, out)
	}

	cut := filepath.Join(t.TempDir(), "cut")
	cmd := latentProcess(t, append([]string{"train", "--out", cut}, args...)...)
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "epoch  1") { // one epoch done: interrupt the next
			time.Sleep(20 * time.Millisecond)
			cmd.Process.Signal(syscall.SIGINT)
			break
		}
	}
	for sc.Scan() {
	}
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Fatalf("interrupted run: %v (want exit 130)\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "latent train --resume "+cut) {
		t.Fatalf("no resume hint in %q", stderr.String())
	}
	out, err := latentProcess(t, "train", "--resume", cut, "--threads", "1").CombinedOutput()
	if err != nil {
		t.Fatalf("resume: %v\n%s", err, out)
	}
	t.Logf("resumed:\n%s", out)
	a, _, err := model.Load(filepath.Join(whole, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	b, meta, err := model.Load(filepath.Join(cut, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Data, b.Data) || meta["latent.epochs"] != "3" {
		t.Errorf("resumed run (%s epochs) ends with weights different from the uninterrupted run", meta["latent.epochs"])
	}
}
