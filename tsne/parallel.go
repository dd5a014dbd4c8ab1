package tsne

import (
	"sync"
	"sync/atomic"
)

// parallelFor runs f over [0, n) in chunks of the given size, handed out to
// up to threads goroutines. f must write only the slots of its own range, so
// the result does not depend on the number of goroutines or the schedule.
func parallelFor(n, chunk, threads int, f func(lo, hi int)) {
	if n <= 0 {
		return
	}
	chunk = max(chunk, 1)
	chunks := (n + chunk - 1) / chunk
	workers := min(threads, chunks)
	if workers <= 1 {
		f(0, n)
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c := int(next.Add(1)) - 1
				if c >= chunks {
					return
				}
				f(c*chunk, min(n, (c+1)*chunk))
			}
		}()
	}
	wg.Wait()
}

// parallelForWith runs side once alongside parallelFor(n, chunk, threads,
// f): side takes one of the threads and then joins in f's chunks. With one
// thread, side runs first.
func parallelForWith(side func(), n, chunk, threads int, f func(lo, hi int)) {
	if threads <= 1 || n <= 0 {
		side()
		parallelFor(n, chunk, threads, f)
		return
	}
	chunk = max(chunk, 1)
	chunks := (n + chunk - 1) / chunk
	var next atomic.Int64
	work := func() {
		for {
			c := int(next.Add(1)) - 1
			if c >= chunks {
				return
			}
			f(c*chunk, min(n, (c+1)*chunk))
		}
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		side()
		work()
	}()
	for range min(threads, chunks+1) - 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
}
