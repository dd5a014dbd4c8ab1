// Package workers runs a task over numbered items on a fixed set of
// persistent goroutines: item c always goes to worker c mod workers, and the
// caller's goroutine is worker 0. Starting no goroutine per call keeps a
// training step free of allocations; the fixed assignment lets callers give
// each item its own buffers and reduce the results in item order, so that
// what they compute does not depend on the number of threads.
//
// Waiting spins for a short while before it blocks: a training step makes one
// pass after ~30 µs of serial work, and waking a parked worker (or the
// caller) through the scheduler costs far more than that on a virtual
// machine (measured: a 2-thread pass of two 250 µs chunks took 380 µs with
// blocking hand-offs).
package workers

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// How long a worker spins for the next pass, and the caller for the workers
// to finish, before they block.
const (
	idleSpin = 200 * time.Microsecond
	waitSpin = 2 * time.Millisecond
)

// Pool is a set of persistent workers.
type Pool struct {
	threads int
	spin    bool // threads ≤ GOMAXPROCS at New: waiting spins before it blocks

	// the current pass, written by Run before it bumps gen; read only by
	// the workers it waits for
	task  func(item int)
	count int

	// gen>>16 counts the passes (and Close); gen&0xffff is the current
	// pass's number of workers, so that workers outside it need read nothing
	// else (Run does not wait for them)
	gen     atomic.Uint64
	pending atomic.Int32 // workers of the current pass not done yet
	closed  atomic.Bool

	mu   sync.Mutex
	jobs sync.Cond // a new pass (or Close), for blocked workers
	done sync.Cond // pending reached 0, for a blocked caller
	once sync.Once
}

// New starts threads-1 worker goroutines (threads ≥ 1).
func New(threads int) *Pool {
	p := &Pool{threads: min(max(threads, 1), 0xffff)}
	// more workers than processors: a spinning one would hold a processor
	// that another one needs
	p.spin = p.threads <= runtime.GOMAXPROCS(0)
	p.jobs.L, p.done.L = &p.mu, &p.mu
	for w := 1; w < p.threads; w++ {
		go p.worker(w)
	}
	return p
}

// worker runs its items of each pass.
func (p *Pool) worker(w int) {
	var seen uint64
	for {
		g := p.next(seen)
		if p.closed.Load() {
			return
		}
		seen = g
		workers := int(g & 0xffff)
		if w >= workers {
			continue
		}
		for c := w; c < p.count; c += workers {
			p.task(c)
		}
		if p.pending.Add(-1) == 0 {
			p.mu.Lock()
			p.done.Broadcast()
			p.mu.Unlock()
		}
	}
}

// next waits until gen differs from seen and returns it.
func (p *Pool) next(seen uint64) uint64 {
	var start time.Time
	for i := 0; p.spin; i++ {
		if g := p.gen.Load(); g != seen {
			return g
		}
		if i&255 == 255 {
			runtime.Gosched()
			if start.IsZero() {
				start = time.Now()
			} else if time.Since(start) > idleSpin {
				break
			}
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.gen.Load() == seen {
		p.jobs.Wait()
	}
	return p.gen.Load()
}

// Threads is the number of workers, the caller's included.
func (p *Pool) Threads() int { return p.threads }

// Run calls task(c) for c = 0..count-1, item c on worker c mod
// min(threads, count), and returns when all are done. task must only write
// what belongs to its item.
func (p *Pool) Run(count int, task func(item int)) {
	workers := min(p.threads, count)
	if workers < 1 {
		return
	}
	if workers > 1 {
		p.task, p.count = task, count
		// only workers 1..workers-1 report; the others skip the pass
		p.pending.Store(int32(workers - 1))
		p.gen.Store((p.gen.Load()>>16+1)<<16 | uint64(workers))
		p.mu.Lock()
		p.jobs.Broadcast()
		p.mu.Unlock()
	}
	for c := 0; c < count; c += workers {
		task(c)
	}
	if workers > 1 {
		p.wait()
		p.task = nil
	}
}

// wait returns when the workers of the current pass are done.
func (p *Pool) wait() {
	if p.spin {
		var start time.Time
		for i := 0; p.pending.Load() != 0; i++ {
			if i&255 == 255 {
				runtime.Gosched()
				if start.IsZero() {
					start = time.Now()
				} else if time.Since(start) > waitSpin {
					break
				}
			}
		}
	}
	p.mu.Lock()
	for p.pending.Load() != 0 {
		p.done.Wait()
	}
	p.mu.Unlock()
}

// Close stops the worker goroutines; the pool must not be used afterwards.
func (p *Pool) Close() {
	p.once.Do(func() {
		p.closed.Store(true)
		p.gen.Store((p.gen.Load()>>16 + 1) << 16)
		p.mu.Lock()
		p.jobs.Broadcast()
		p.mu.Unlock()
	})
}
