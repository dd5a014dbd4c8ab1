package main

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"latent/tensor"
)

// TestBenchFlagErrors: a bad --kernels or --peak is a usage error (exit 2)
// that names the flag, and for --kernels lists the paths this machine runs.
func TestBenchFlagErrors(t *testing.T) {
	paths := strings.Join(tensor.Paths(), ", ")
	for _, c := range []struct {
		args []string
		want []string // all of them in stderr
	}{
		{[]string{"--kernels", "avx1024"}, []string{"--kernels", `"avx1024"`, paths}},
		{[]string{"--kernels", "AVX2"}, []string{"--kernels", paths}},
		{[]string{"--peak", "-1"}, []string{"--peak"}},
		{[]string{"--peak", "NaN"}, []string{"--peak"}},
		{[]string{"--peak", "+Inf"}, []string{"--peak"}},
	} {
		args := append([]string{"bench"}, c.args...)
		code, _, stderr := run1(args...)
		if code != 2 {
			t.Errorf("latent %q: exit %d, want 2 (%s)", args, code, stderr)
		}
		for _, w := range c.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("latent %q: stderr %q does not say %q", args, stderr, w)
			}
		}
	}
}

func TestBenchPath(t *testing.T) {
	paths := tensor.Paths()
	if got, err := benchPath(""); err != nil || got != paths[0] {
		t.Errorf(`benchPath("") = %q, %v; want the fastest, %q`, got, err, paths[0])
	}
	for _, p := range paths {
		if got, err := benchPath(p); err != nil || got != p {
			t.Errorf("benchPath(%q) = %q, %v", p, got, err)
		}
	}
	for _, bad := range []string{"fast", "Go", " go", "avx2,go"} {
		if _, err := benchPath(bad); err == nil {
			t.Errorf("benchPath(%q): no error", bad)
		}
	}
}

// TestBenchJSON runs a very short bench: --json prints one document with the
// machine's fields and rows whose percent of peak follows from the peak.
func TestBenchJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for a few steps")
	}
	defer tensor.SetPath(tensor.Paths()[0])
	for _, peak := range []string{"0", "50"} {
		code, stdout, stderr := run1("bench", "--json", "--threads", "1", "--seconds", "0.01", "--peak", peak)
		if code != 0 {
			t.Fatalf("bench: exit %d, %s", code, stderr)
		}
		var rep benchReport
		dec := json.NewDecoder(strings.NewReader(stdout))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rep); err != nil {
			t.Fatalf("bench --json: %v\n%s", err, stdout)
		}
		if dec.More() {
			t.Fatalf("bench --json printed more than one document:\n%s", stdout)
		}
		if rep.CPU == "" || rep.Kernels != tensor.Paths()[0] || len(rep.KernelPaths) == 0 || rep.PeakLoop == "" {
			t.Errorf("bench --json: machine fields missing: %+v", rep)
		}
		if !(rep.PeakGFLOPs > 0) || math.IsInf(rep.PeakGFLOPs, 0) {
			t.Errorf("peak %v", rep.PeakGFLOPs)
		}
		if want := map[string]string{"0": "measured", "50": "--peak"}[peak]; rep.PeakSource != want || (peak == "50" && rep.PeakGFLOPs != 50) {
			t.Errorf("--peak %s: peak %g from %q", peak, rep.PeakGFLOPs, rep.PeakSource)
		}
		if len(rep.Rows) != 4 {
			t.Fatalf("%d rows, want 4 (AE, VAE × train, inference)", len(rep.Rows))
		}
		for _, r := range rep.Rows {
			want := 100 * r.GFLOPs / (rep.PeakGFLOPs * float64(r.Threads))
			if !(r.GFLOPs > 0) || math.Abs(r.PeakPercent-want) > 1e-9*want {
				t.Errorf("row %+v: percent of peak %g, want %g", r, r.PeakPercent, want)
			}
		}
	}
}
