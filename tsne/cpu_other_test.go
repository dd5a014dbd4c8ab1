//go:build !unix

package tsne

// cpuSeconds is not measured here.
func cpuSeconds() float64 { return 0 }
