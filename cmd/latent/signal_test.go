package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"latent/model"
)

// TestMain lets a test run this binary as the latent command itself: with
// LATENT_RUN_MAIN=1 the process is `latent` and its arguments follow "--".
// With LATENT_PAUSE_AT=PREFIX as well, the first line the command prints on
// stdout that starts with PREFIX is written, then the command waits there
// until it receives SIGINT: a test sends the signal when it reads that line,
// so the interrupt lands at that point however fast the machine is.
func TestMain(m *testing.M) {
	if os.Getenv("LATENT_RUN_MAIN") == "1" {
		i := slices.Index(os.Args, "--")
		os.Args = append([]string{"latent"}, os.Args[i+1:]...)
		if prefix := os.Getenv("LATENT_PAUSE_AT"); prefix != "" {
			p := &pauser{w: os.Stdout, prefix: []byte(prefix), sig: make(chan os.Signal, 1)}
			signal.Notify(p.sig, os.Interrupt) // before the line can reach the test
			os.Exit(run(os.Args[1:], p, os.Stderr))
		}
		main()
		return
	}
	os.Exit(m.Run())
}

// pauser passes writes through to w; the first write that holds a line
// starting with prefix blocks, once written, until a signal arrives on sig.
// The command's own handler hears the same signal.
type pauser struct {
	w      io.Writer
	prefix []byte
	sig    chan os.Signal
	done   bool
}

func (p *pauser) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	if err != nil || p.done {
		return n, err
	}
	for line := range bytes.Lines(b) {
		if bytes.HasPrefix(line, p.prefix) {
			p.done = true
			<-p.sig
			signal.Stop(p.sig) // returns once the signal was handed to every handler
			break
		}
	}
	return n, err
}

// latentProcess starts the latent command as a child process.
func latentProcess(t *testing.T, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), "LATENT_RUN_MAIN=1")
	return cmd
}

// TestCtrlCThenResume sends SIGINT to a real training process at the end of
// its first epoch (the process waits there for it: LATENT_PAUSE_AT), checks
// that it saves its state, says how to resume and exits 130, resumes it, and
// compares the final weights with a run that was never interrupted.
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
	cmd.Env = append(cmd.Env, "LATENT_PAUSE_AT=epoch  1")
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() }) // a child left waiting for its signal must not outlive the test
	sc := bufio.NewScanner(stdout)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.HasPrefix(sc.Text(), "epoch  1") { // one epoch done, the process waits: interrupt it
			if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	err := cmd.Wait()
	for _, l := range lines {
		if strings.HasPrefix(l, "epoch  2") || strings.HasPrefix(l, "epoch  3") {
			t.Errorf("the interrupted run went on to print %q", l)
		}
	}
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
	if !strings.Contains(string(out), "at epoch 2,") {
		t.Errorf("the interrupt did not land in epoch 2, where the run waited for it:\n%s", out)
	}
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
