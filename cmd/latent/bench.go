package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"time"

	"latent/internal/cpupeak"
	"latent/mnist"
	"latent/model"
	"latent/nn"
	"latent/tensor"
	"latent/train"
)

// benchReport is what `latent bench --json` prints.
type benchReport struct {
	CPU         string     `json:"cpu"`
	GOARCH      string     `json:"goarch"`
	Kernels     string     `json:"kernels"`          // the kernel path measured (tensor.Path)
	KernelPaths []string   `json:"kernel_paths"`     // those this machine and build can run, fastest first
	PeakLoop    string     `json:"peak_loop"`        // the FMA loop that measured the peak: avx512-fma, avx2-fma or go
	PeakGFLOPs  float64    `json:"peak_gflop_per_s"` // one core's peak used for percent_of_peak
	PeakSource  string     `json:"peak_source"`      // measured, or --peak
	Rows        []benchRow `json:"rows"`
}

// benchRow is one measured configuration.
type benchRow struct {
	Model        string  `json:"model"`
	Phase        string  `json:"phase"` // train or inference
	Threads      int     `json:"threads"`
	MsPerStep    float64 `json:"ms_per_step,omitempty"`
	SecPerEpoch  float64 `json:"s_per_epoch,omitempty"`
	Seconds10k   float64 `json:"s_per_10k_images,omitempty"`
	ImagesPerSec float64 `json:"images_per_s"`
	GFLOPs       float64 `json:"gflop_per_s"`
	PeakPercent  float64 `json:"percent_of_peak"`
}

func runBench(args []string, stdout, _ io.Writer) error {
	fs := newFlags("bench", "Measure training and inference speed of the seed AE and VAE on this machine:\nms per step (batch 64), seconds per epoch (48,000 images), images/s, GFLOP/s\n(from the layers' multiply-add counts) and the share of one core's peak FMA rate,\nmeasured first with a short loop (times the threads a row uses). Writes no file.",
		"latent bench --threads 2 --json", stdout)
	threads := fs.Int("threads", runtime.NumCPU(), "largest thread count to measure (1 is always measured)")
	secs := fs.Float64("seconds", 2, "time to spend per measurement")
	peak := fs.Float64("peak", 0, "peak GFLOP/s of one core for the %peak column (default: measured with a short FMA loop)")
	kernels := fs.String("kernels", "", "kernel path to measure, one of "+strings.Join(tensor.Paths(), ", ")+" (default: the fastest, "+tensor.Paths()[0]+")")
	asJSON := fs.Bool("json", false, "print the machine and the rows as one JSON document")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *threads < 1 || *threads > 1024 {
		return usagef("--threads must be in 1..1024, got %d", *threads)
	}
	if !(*secs > 0 && *secs <= 600) {
		return usagef("--seconds must be in (0, 600], got %g", *secs)
	}
	if *peak < 0 || math.IsNaN(*peak) || math.IsInf(*peak, 0) {
		return usagef("--peak must be a positive GFLOP/s figure (or 0: measure it), got %g", *peak)
	}
	path, err := benchPath(*kernels)
	if err != nil {
		return err
	}
	if err := tensor.SetPath(path); err != nil {
		return err
	}
	rep := benchReport{CPU: cpupeak.Model(), GOARCH: runtime.GOARCH, Kernels: tensor.Path(), KernelPaths: tensor.Paths(),
		PeakGFLOPs: *peak, PeakSource: "--peak"}
	// the AVX-512 kernels are measured against the zmm FMA peak (twice the
	// ymm one where the FMA pipes are 512 bits wide, as on Zen 5)
	wide := path == tensor.PathAVX512
	rep.PeakLoop = cpupeak.Kind(wide)
	// the peak is measured before and after the rows and the better figure
	// kept: another process on the core lowers one measurement, rarely both
	measure := func() {
		if *peak == 0 {
			rep.PeakGFLOPs, rep.PeakSource = max(rep.PeakGFLOPs, cpupeak.Peak(150*time.Millisecond, wide)), "measured"
		}
	}
	measure()
	if !*asJSON {
		fmt.Fprintf(stdout, "cpu: %s (%s)\nkernels: %s (this machine and build: %s)\n",
			rep.CPU, rep.GOARCH, rep.Kernels, strings.Join(rep.KernelPaths, ", "))
	}
	d := dataFlags{threads: *threads}
	data, test, err := d.load()
	if err != nil {
		return err
	}
	budget := time.Duration(*secs * float64(time.Second))
	counts := []int{1}
	if *threads > 1 {
		counts = append(counts, *threads)
	}
	var rows []benchRow
	for _, kind := range []model.Kind{model.AE, model.VAE} {
		m, err := model.New(model.Seed(kind), 1)
		if err != nil {
			return err
		}
		fwd, dx, dw := m.MACs()
		trainFlop := 2 * float64(fwd+dx+dw)
		for _, t := range counts {
			e := train.NewEngine(m, 64, t)
			opt := nn.NewAdam(m.Params.Size, 1e-3)
			rng := rand.New(rand.NewPCG(1, 1))
			obj := train.Objective{MeanPixels: kind == model.AE, Beta: 1}
			batches := 0
			perStep := timeIt(budget, func() {
				lo := (batches * 64) % (len(data.Train) - 64)
				e.Step(opt, data.Set, data.Train[lo:lo+64], rng, obj)
				batches++
			})
			e.Close()
			ips := 64 / perStep
			rows = append(rows, benchRow{Model: string(kind), Phase: "train", Threads: t,
				MsPerStep: perStep * 1e3, SecPerEpoch: perStep * 750, ImagesPerSec: ips,
				GFLOPs: ips * trainFlop / 1e9})
		}
		// inference: encode the 10,000 test images and decode them back (a
		// VAE from z = mu)
		idx := mnist.Indices(test.N)
		e := train.NewEngine(m, 256, *threads)
		per := timeIt(budget, func() { e.Reconstruct(test, idx) })
		e.Close()
		inferFlop := 2 * float64(fwd)
		ips := float64(test.N) / per
		rows = append(rows, benchRow{Model: string(kind), Phase: "inference", Threads: *threads,
			Seconds10k: per * 10000 / float64(test.N), ImagesPerSec: ips, GFLOPs: ips * inferFlop / 1e9})
	}
	measure()
	for i := range rows {
		rows[i].PeakPercent = 100 * rows[i].GFLOPs / (rep.PeakGFLOPs * float64(rows[i].Threads))
	}
	if *asJSON {
		rep.Rows = rows
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(stdout, "%-5s %-9s %7s %9s %9s %10s %8s %7s\n", "model", "phase", "threads", "ms/step", "s/epoch", "images/s", "GFLOP/s", "%peak")
	for _, r := range rows {
		step, epoch := fmt.Sprintf("%.3f", r.MsPerStep), fmt.Sprintf("%.2f", r.SecPerEpoch)
		if r.Phase == "inference" {
			step, epoch = "-", fmt.Sprintf("%.3f/10k", r.Seconds10k)
		}
		fmt.Fprintf(stdout, "%-5s %-9s %7d %9s %9s %10.0f %8.1f %6.1f%%\n", r.Model, r.Phase, r.Threads, step, epoch, r.ImagesPerSec, r.GFLOPs, r.PeakPercent)
	}
	how := "measured before and after the rows, the better kept; " + rep.PeakLoop + " loop"
	if rep.PeakSource != "measured" {
		how = "given by --peak"
	}
	fmt.Fprintf(stdout, "peak: %.1f GFLOP/s per core (%s)\n%%peak = GFLOP/s / (threads × peak); epoch = 750 steps of 64 images\n", rep.PeakGFLOPs, how)
	return nil
}

// benchPath checks --kernels: empty means the fastest path this machine can
// run; anything else must be one of tensor.Paths().
func benchPath(name string) (string, error) {
	paths := tensor.Paths()
	if name == "" {
		return paths[0], nil
	}
	for _, p := range paths {
		if p == name {
			return p, nil
		}
	}
	return "", usagef("--kernels %q: this machine and build can run %s", name, strings.Join(paths, ", "))
}

// timeIt runs f a few times to warm up, then for about budget, and returns
// the mean seconds per call.
func timeIt(budget time.Duration, f func()) float64 {
	for range 3 {
		f()
	}
	n := 0
	start := time.Now()
	for time.Since(start) < budget || n < 3 {
		f()
		n++
	}
	return time.Since(start).Seconds() / float64(n)
}
