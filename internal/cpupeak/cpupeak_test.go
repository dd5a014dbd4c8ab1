package cpupeak

import (
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestPeakIsPositiveAndFinite(t *testing.T) {
	for _, wide := range []bool{false, true} {
		g := Peak(20*time.Millisecond, wide)
		if !(g > 0) || math.IsInf(g, 0) {
			t.Fatalf("Peak(wide %v) = %v GFLOP/s, want a positive finite figure", wide, g)
		}
		t.Logf("%s loop: %.1f GFLOP/s", Kind(wide), g)
	}
}

// TestLoopWideMatchesGo: the zmm loop (where the CPU has AVX-512) gives the
// Go loop's bits on each half of its accumulators.
func TestLoopWideMatchesGo(t *testing.T) {
	for _, tc := range []struct {
		m, c float32
		n    int
	}{{1, 1, 1}, {1, -2, 100}, {0.5, 1, 13}, {2, -1, 9}} {
		var fast StateZ
		var lo, hi State
		for i := range fast {
			fast[i] = float32(i) - 90
		}
		copy(lo[:], fast[:Lanes])
		copy(hi[:], fast[Lanes:])
		kind := LoopWide(&fast, tc.m, tc.c, tc.n)
		LoopGo(&lo, tc.m, tc.c, tc.n)
		LoopGo(&hi, tc.m, tc.c, tc.n)
		for i := range fast {
			want := lo[i%Lanes]
			if i >= Lanes {
				want = hi[i-Lanes]
			}
			if fast[i] != want {
				t.Fatalf("m %g c %g n %d: accumulator %d is %g in the %s loop, %g in Go", tc.m, tc.c, tc.n, i, fast[i], kind, want)
			}
		}
	}
}

// TestLoopMatchesGo: the loop Loop runs (the AVX2 one on amd64) computes the
// same accumulators, bit for bit, as the Go loop. The multipliers are powers
// of two, so a·m is exact and a fused and an unfused multiply-add round the
// same way; with m = 1 and integer-valued c the sums count the iterations.
func TestLoopMatchesGo(t *testing.T) {
	for _, tc := range []struct {
		m, c float32
		n    int
	}{
		{1, 1, 1}, {1, 3, 7}, {1, -2, 100}, {0.5, 1, 13}, {2, -1, 9}, {0.25, 0.75, 40},
	} {
		var fast, slow State
		for i := range fast {
			fast[i] = float32(i) - 40
			slow[i] = fast[i]
		}
		Loop(&fast, tc.m, tc.c, tc.n)
		LoopGo(&slow, tc.m, tc.c, tc.n)
		for i := range fast {
			if fast[i] != slow[i] {
				t.Fatalf("m %g c %g n %d: accumulator %d is %g in the %s loop, %g in Go", tc.m, tc.c, tc.n, i, fast[i], Kind(false), slow[i])
			}
		}
		if tc.m == 1 { // the closed form: start + n·c
			for i, v := range slow {
				if want := float32(i) - 40 + float32(tc.n)*tc.c; v != want {
					t.Fatalf("m 1 c %g n %d: accumulator %d is %g, want %g", tc.c, tc.n, i, v, want)
				}
			}
		}
	}
}

func TestParseModelName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\nflags\t: fpu\n\nprocessor\t: 1\nmodel name\t: other\n", "AMD EPYC 7B13"},
		{"model name:Intel(R) Core(TM) i7-1260P  \n", "Intel(R) Core(TM) i7-1260P"},
		{"processor : 0\nBogoMIPS : 50.00\nCPU part : 0xd0c\n", ""},
		{"", ""},
		{"processor\t: 0\ncpu family\t: 26\nmodel\t\t: 2\nmodel name\t: AMD EPYC\n", "AMD EPYC (family 26, model 2)"},
		{"model name\t: AMD EPYC\ncpu family\t: 25\nmodel\t\t: x1\n", "AMD EPYC"},
		{"model name\n", ""},
		{"model names : x\n", ""},
		{"model name : " + strings.Repeat("x", 300) + "\n", strings.Repeat("x", 200)},
		{"model name : \xff\xfe\n", "?"},
	} {
		if got := ParseModelName([]byte(tc.in)); got != tc.want {
			t.Errorf("ParseModelName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestModelNamesSomething(t *testing.T) {
	if Model() == "" {
		t.Fatal("Model() is empty")
	}
}

func FuzzParseModelName(f *testing.F) {
	f.Add([]byte("model name\t: AMD EPYC\n"))
	f.Add([]byte("CPU part : 0xd0c\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s := ParseModelName(b)
		if len(s) > 200 || !utf8.ValidString(s) || strings.TrimSpace(s) != s && len(s) < 200 {
			t.Fatalf("ParseModelName = %q", s)
		}
	})
}

func BenchmarkLoop(b *testing.B) {
	var acc State
	const n = 1 << 16
	for range b.N {
		Loop(&acc, 0.999999, 1e-6, n)
	}
	b.ReportMetric(2*Lanes*n*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkLoopGo(b *testing.B) {
	var acc State
	const n = 1 << 14
	for range b.N {
		LoopGo(&acc, 0.999999, 1e-6, n)
	}
	b.ReportMetric(2*Lanes*n*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// TestLoopAddMatchesGo: the loop LoopAdd runs (NEON on arm64) gives the Go
// loop's bits and the closed form start + n·x·y. x·y is a power of two and the
// sums stay integers below 2²⁴, so every addition is exact, fused or not.
func TestLoopAddMatchesGo(t *testing.T) {
	for _, tc := range []struct {
		x, y float32
		n    int
	}{{1, 1, 1}, {2, 0.5, 7}, {-4, 0.25, 100}, {0.5, 2, 13}, {1, 1, 0}} {
		var fast, slow State
		for i := range fast {
			fast[i] = float32(i) - 40
			slow[i] = fast[i]
		}
		kind := LoopAdd(&fast, tc.x, tc.y, tc.n)
		LoopAddGo(&slow, tc.x, tc.y, tc.n)
		for i := range fast {
			want := float32(i) - 40 + float32(tc.n)*tc.x*tc.y
			if fast[i] != slow[i] || slow[i] != want {
				t.Fatalf("x %g y %g n %d: accumulator %d is %g in the %s loop, %g in Go, want %g", tc.x, tc.y, tc.n, i, fast[i], kind, slow[i], want)
			}
		}
	}
}
