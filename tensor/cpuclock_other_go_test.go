//go:build !linux

package tensor

import "time"

// threadCPU is not measured off Linux: benchmarks report no cpu-ns/op.
func threadCPU() time.Duration { return 0 }
