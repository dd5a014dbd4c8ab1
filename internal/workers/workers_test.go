package workers

import (
	"sync/atomic"
	"testing"
)

func TestRunVisitsEveryItemOnItsWorker(t *testing.T) {
	for _, threads := range []int{1, 2, 3, 8} {
		p := New(threads)
		for _, count := range []int{0, 1, 2, 5, 17} {
			seen := make([]int32, count)
			var calls atomic.Int32
			p.Run(count, func(c int) {
				atomic.AddInt32(&seen[c], 1)
				calls.Add(1)
			})
			for c, n := range seen {
				if n != 1 {
					t.Errorf("threads %d, count %d: item %d ran %d times", threads, count, c, n)
				}
			}
			if int(calls.Load()) != count {
				t.Errorf("threads %d, count %d: %d calls", threads, count, calls.Load())
			}
		}
		p.Close()
		p.Close() // twice is fine
	}
}

func TestRunAllocatesNothing(t *testing.T) {
	p := New(2)
	defer p.Close()
	sum := make([]int, 8)
	task := func(c int) { sum[c]++ }
	if a := testing.AllocsPerRun(100, func() { p.Run(8, task) }); a != 0 {
		t.Errorf("Run allocates %v times per call", a)
	}
}
