//go:build !noasm

package tsne

import "golang.org/x/sys/cpu"

// useAVX selects the assembly kernels (AVX2 with FMA).
var useAVX = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// repulseAVX sums, over the n (a positive multiple of 16) masses m at (x, y),
// q = 1/(1 + ‖p − (x, y)‖²): out = [Σ m·q, Σ m·q²·(px − x), Σ m·q²·(py − y)].
//
//go:noescape
func repulseAVX(p *[2]float32, x, y, m *float32, n int, out *[3]float32)

// attractAVX sums, over t < n (a positive multiple of 8), with j = cols[t]
// and (dx, dy) = yi − (y[2j], y[2j+1]): out = [Σ vals[t]·dx/(1 + dx² +
// dy²), Σ vals[t]·dy/(1 + dx² + dy²)].
//
//go:noescape
func attractAVX(yi *[2]float32, y *float32, cols *int32, vals *float32, n int, out *[2]float32)

// sqDistAVX returns Σ_{t<n} (a[t] − b[t])² in float64, n a positive
// multiple of 8.
//
//go:noescape
func sqDistAVX(a, b *float32, n int) float64

// scanBelowAVX sets row[t] = (ni + nc[t]) − 2·row[t] for t < n (a positive
// multiple of 8), eight at a time, and returns the start of the first group
// of eight holding values below bound and the mask of those (bit u for
// t+u); the values up to the group's end are stored. Without one it
// returns n and 0.
//
//go:noescape
func scanBelowAVX(row, nc *float32, n int, ni, bound float32) (t int, mask uint32)
