package workers

import "testing"

// BenchmarkRunEmpty is the cost of one parallel pass that does nothing: the
// wake-up and wait of the workers.
func BenchmarkRunEmpty(b *testing.B) {
	p := New(2)
	defer p.Close()
	task := func(int) {}
	for b.Loop() {
		p.Run(4, task)
	}
}

// BenchmarkRunAfterGap adds 30 µs of serial work between passes, as a
// training step's reduction and Adam update do.
func BenchmarkRunAfterGap(b *testing.B) {
	p := New(2)
	defer p.Close()
	task := func(int) {}
	x := make([]float32, 20000)
	for b.Loop() {
		for i := range x {
			x[i] = x[i]*0.999 + 1
		}
		p.Run(4, task)
	}
}

// BenchmarkGapOnly is the serial work alone: RunAfterGap minus this is the
// wake-up cost of a pass after a pause (measured: ~11 µs with blocking
// hand-offs, ~0.5 µs since workers spin before they block).
func BenchmarkGapOnly(b *testing.B) {
	x := make([]float32, 20000)
	for b.Loop() {
		for i := range x {
			x[i] = x[i]*0.999 + 1
		}
	}
}
