// Package workers runs a task over numbered items on a fixed set of
// persistent goroutines: item c always goes to worker c mod workers, and the
// caller's goroutine is worker 0. Starting no goroutine per call keeps a
// training step free of allocations; the fixed assignment lets callers give
// each item its own buffers and reduce the results in item order, so that
// what they compute does not depend on the number of threads.
package workers

import "sync"

// Pool is a set of persistent workers.
type Pool struct {
	threads int
	task    func(item int)
	jobs    chan job
	wg      sync.WaitGroup
	once    sync.Once
}

// job asks a worker to run the current task on items w, w+stride, … < count.
type job struct{ w, stride, count int }

// New starts threads-1 worker goroutines (threads ≥ 1).
func New(threads int) *Pool {
	p := &Pool{threads: max(threads, 1)}
	p.jobs = make(chan job, p.threads)
	for range p.threads - 1 {
		go func() {
			for j := range p.jobs {
				for c := j.w; c < j.count; c += j.stride {
					p.task(c)
				}
				p.wg.Done()
			}
		}()
	}
	return p
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
	p.task = task
	p.wg.Add(workers - 1)
	for w := 1; w < workers; w++ {
		p.jobs <- job{w: w, stride: workers, count: count}
	}
	for c := 0; c < count; c += workers {
		task(c)
	}
	p.wg.Wait()
}

// Close stops the worker goroutines; the pool must not be used afterwards.
func (p *Pool) Close() { p.once.Do(func() { close(p.jobs) }) }
