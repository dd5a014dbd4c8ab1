// Package cpupeak measures what one core of this machine can do: its
// float32 fused multiply-add throughput (GFLOP/s) from a short loop of
// independent FMAs, and names the CPU model. `latent bench` divides its
// measured rates by it to show the share of the peak each row reaches.
package cpupeak

import (
	"bufio"
	"bytes"
	"math"
	"os"
	"runtime"
	"strings"
	"time"
)

// Lanes is the number of float32 accumulators the loop updates per
// iteration: 12 vectors of 8 lanes in the AVX2 loop (FMA latency 4 on two
// pipes needs at least 8 independent chains), the same 96 values in Go.
const Lanes = 96

// State holds the loop's accumulators.
type State [Lanes]float32

// StateZ holds the wide loop's accumulators: twelve zmm registers.
type StateZ [2 * Lanes]float32

// LoopWide is Loop on 512-bit vectors where the CPU has AVX-512 (the peak of
// the avx512 kernel path), else Loop on each half of acc.
func LoopWide(acc *StateZ, m, c float32, n int) (kind string) {
	if n > 0 && hasWide {
		fmaAsmZ(acc, m, c, n)
	} else {
		Loop((*State)(acc[:Lanes]), m, c, n)
		Loop((*State)(acc[Lanes:]), m, c, n)
	}
	return Kind(true)
}

// Loop runs n iterations of acc[i] = acc[i]·m + c for every accumulator with
// the fastest loop this build and CPU can run (AVX2 FMA on amd64, Go
// otherwise) and reports which one ran. Each iteration is 2·Lanes FLOPs.
func Loop(acc *State, m, c float32, n int) (kind string) {
	if !hasAsm {
		LoopGo(acc, m, c, n)
		return "go"
	}
	if n > 0 {
		fmaAsm(acc, m, c, n)
	}
	return Kind(false)
}

// LoopAdd runs n iterations of acc[i] += x·y for every accumulator: on arm64
// the NEON loop (FMLA adds a product into its destination, so a chain of
// FMAs has to run through the addend, unlike Loop's a·m + c), elsewhere
// LoopAddGo. Each iteration is 2·Lanes FLOPs.
func LoopAdd(acc *State, x, y float32, n int) (kind string) {
	if n > 0 {
		fmlaAsm(acc, x, y, n)
	}
	if hasNeon {
		return Kind(false)
	}
	return "go"
}

// LoopAddGo is LoopAdd in Go.
func LoopAddGo(acc *State, x, y float32, n int) {
	for i := range acc {
		a := acc[i]
		for range n {
			a += x * y
		}
		acc[i] = a
	}
}

// Kind names the loop that Peak times (wide: the zmm one): "avx512-fma",
// "avx2-fma", "neon-fma" or "go".
func Kind(wide bool) string {
	switch {
	case wide && hasWide:
		return "avx512-fma"
	case hasAsm:
		return "avx2-fma"
	case hasNeon:
		return "neon-fma"
	}
	return "go"
}

// LoopGo is the pure-Go loop: the accumulators in groups of twelve local
// float32 values, which the compiler keeps in registers (on arm64 it fuses
// x*y + z into one FMA; on amd64 it does not, so this measures separate
// multiplies and adds there).
func LoopGo(acc *State, m, c float32, n int) {
	for g := 0; g < Lanes; g += 12 {
		a := acc[g : g+12 : g+12]
		a0, a1, a2, a3, a4, a5 := a[0], a[1], a[2], a[3], a[4], a[5]
		a6, a7, a8, a9, a10, a11 := a[6], a[7], a[8], a[9], a[10], a[11]
		for range n {
			a0 = a0*m + c
			a1 = a1*m + c
			a2 = a2*m + c
			a3 = a3*m + c
			a4 = a4*m + c
			a5 = a5*m + c
			a6 = a6*m + c
			a7 = a7*m + c
			a8 = a8*m + c
			a9 = a9*m + c
			a10 = a10*m + c
			a11 = a11*m + c
		}
		a[0], a[1], a[2], a[3], a[4], a[5] = a0, a1, a2, a3, a4, a5
		a[6], a[7], a[8], a[9], a[10], a[11] = a6, a7, a8, a9, a10, a11
	}
}

// Peak measures one core's float32 FMA throughput in GFLOP/s: the best of
// several repetitions of Loop, together lasting about budget (0.15 s is
// enough; at least 10 ms). The result is positive and finite.
//
// With wide, it times LoopWide: the zmm peak, for the AVX-512 kernels; on
// arm64 LoopAdd, the NEON loop.
func Peak(budget time.Duration, wide bool) float64 {
	budget = max(budget, 10*time.Millisecond)
	// stay on one OS thread, so one core runs the whole measurement
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var acc StateZ
	for i := range acc {
		acc[i] = float32(i) / Lanes
	}
	lanes := Lanes
	loop := func(n int) { Loop((*State)(acc[:Lanes]), m, c, n) }
	switch {
	case wide:
		lanes = 2 * Lanes
		loop = func(n int) { LoopWide(&acc, m, c, n) }
	case hasNeon:
		loop = func(n int) { LoopAdd((*State)(acc[:Lanes]), m, c, n) }
	}
	// calibrate: double the count until one run takes 1/8 of the budget
	n := 1 << 10
	for {
		start := time.Now()
		loop(n)
		if time.Since(start) >= budget/8 || n >= 1<<40 {
			break
		}
		n *= 2
	}
	best := math.Inf(1)
	end := time.Now().Add(budget)
	for r := 0; r < 3 || time.Now().Before(end); r++ {
		start := time.Now()
		loop(n)
		best = math.Min(best, time.Since(start).Seconds())
		if r >= 20 {
			break
		}
	}
	best = math.Max(best, 1e-9)
	return 2 * float64(lanes) * float64(n) / best / 1e9
}

// m slightly below 1 and c small: Peak's values stay finite and normal.
const m, c = 0.999999, 1e-6

// Model returns the CPU model name: /proc/cpuinfo's "model name" on Linux,
// runtime.GOARCH and "unknown" elsewhere or when it cannot be read.
func Model() string {
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if name := ParseModelName(b); name != "" {
			return name
		}
	}
	return runtime.GOARCH + " unknown"
}

// ParseModelName returns the value of the first "model name" line of a
// /proc/cpuinfo text (arm64 kernels have no such line; then "CPU part" is
// not a name, so it returns ""), trimmed and limited to 200 bytes. Where the
// text also gives the x86 "cpu family" and "model" numbers it appends them,
// since virtual machines often name only the brand ("AMD EPYC": family 25 is
// Zen 3, 26 Zen 5, and those differ twofold in AVX-512 speed).
func ParseModelName(cpuinfo []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(cpuinfo))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	var name, family, model string
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		switch strings.TrimSpace(key) {
		case "model name":
			if name == "" {
				name = val
			}
		case "cpu family":
			if family == "" {
				family = val
			}
		case "model":
			if model == "" {
				model = val
			}
		}
	}
	if name == "" {
		return ""
	}
	if len(name) > 200 {
		name = name[:200]
	}
	if isNumber(family) && isNumber(model) {
		name += " (family " + family + ", model " + model + ")"
	}
	return strings.ToValidUTF8(name, "?")
}

// isNumber reports whether s is a short decimal number.
func isNumber(s string) bool {
	if s == "" || len(s) > 4 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
