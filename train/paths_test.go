package train

import (
	"bytes"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"latent/model"
	"latent/tensor"
)

// vectorPaths is tensor.Paths() without the pure-Go one (which has no FMA,
// so it rounds differently by design).
func vectorPaths() []string {
	return slices.DeleteFunc(tensor.Paths(), func(p string) bool { return p == tensor.PathGo })
}

// TestKernelPathsGiveIdenticalWeights trains the AE and the VAE a few steps
// on each x86 kernel path (AVX-512, AVX2) and requires bit-identical weights
// and validation losses: the same seed gives the same model on any x86 CPU,
// and a run resumed on another CPU kind continues the same trajectory.
func TestKernelPathsGiveIdenticalWeights(t *testing.T) {
	paths := vectorPaths()
	if len(paths) < 2 {
		t.Skipf("this machine runs only %v: nothing to compare", paths)
	}
	defer tensor.SetPath(tensor.Path())
	data := smallData(t)
	bern := model.Seed(model.VAE)
	bern.Likelihood = model.Bernoulli
	for _, run := range []struct {
		name string
		mc   model.Config
	}{
		{"ae", model.Seed(model.AE)},
		{"vae", model.Seed(model.VAE)},
		{"vae bernoulli", bern},
	} {
		t.Run(run.name, func(t *testing.T) {
			var first []float32
			var firstLoss float64
			for _, p := range paths {
				if err := tensor.SetPath(p); err != nil {
					t.Fatal(err)
				}
				w, loss := fitTwoEpochs(t, run.mc, data, 2, 0)
				if first == nil {
					first, firstLoss = w, loss
					continue
				}
				if i := firstBitDifference(first, w); i >= 0 {
					t.Fatalf("path %s: weight %d is %g, %g on path %s", p, i, w[i], first[i], paths[0])
				}
				if loss != firstLoss {
					t.Errorf("path %s: validation loss %v, %v on path %s", p, loss, firstLoss, paths[0])
				}
			}
		})
	}
}

// BenchmarkStepPaths is BenchmarkStep on every kernel path of the machine:
// go test -run X -bench StepPaths ./train. cpu-ms/op is the process's CPU
// time per step (all threads, the worker pool's spinning included): on a
// shared machine it varies less than the wall time.
func BenchmarkStepPaths(b *testing.B) {
	defer tensor.SetPath(tensor.Path())
	for _, p := range tensor.Paths() {
		for _, kind := range []model.Kind{model.AE, model.VAE} {
			for _, threads := range []int{1, 2} {
				b.Run(p+"/"+string(kind)+"/threads="+string(rune('0'+threads)), func(b *testing.B) {
					if err := tensor.SetPath(p); err != nil {
						b.Fatal(err)
					}
					step := stepper(b, kind, threads)
					b.ReportAllocs()
					cpu0 := cpuSeconds()
					for b.Loop() {
						step()
					}
					b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N)*1e3, "cpu-ms/op")
					b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)*750, "s/epoch")
				})
			}
		}
	}
}

// TestStepAllocatesNothingOnEveryPath is TestStepAllocatesNothing on each
// kernel path of the machine.
func TestStepAllocatesNothingOnEveryPath(t *testing.T) {
	defer tensor.SetPath(tensor.Path())
	for _, p := range tensor.Paths() {
		if err := tensor.SetPath(p); err != nil {
			t.Fatal(err)
		}
		for _, kind := range []model.Kind{model.AE, model.VAE} {
			step := stepper(t, kind, 2)
			step()
			if n := testing.AllocsPerRun(10, step); n != 0 {
				t.Errorf("path %s, %s: %v allocations per step, want 0", p, kind, n)
			}
		}
	}
}

// cpuSeconds is the process's user + system CPU time from /proc/self/stat
// (Linux; 0 elsewhere, so the metric reads 0), in clock ticks of 1/100 s.
func cpuSeconds() float64 {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	// the fields after the command's closing parenthesis: utime and stime
	// are the 12th and 13th of them
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	s, _ := strconv.ParseFloat(f[12], 64)
	return (u + s) / 100
}
