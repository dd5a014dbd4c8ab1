package classifier

import (
	"fmt"
	"runtime"
	"sync"

	"latent/mnist"
)

// inferChunk is how many images one inference pass holds. It is fixed, so
// that the results do not depend on the number of threads.
const inferChunk = 64

// workspacePool recycles inference workspaces.
type workspacePool struct{ sync.Pool }

func (net *Net) getWorkspace() *workspace {
	if ws, ok := net.pool.Get().(*workspace); ok {
		return ws
	}
	return net.newWorkspace(inferChunk, false)
}

// each runs fn over the chunks [lo, hi) of n images, in parallel on
// net.Threads cores. fn must write only to its chunk's part of the results.
func (net *Net) each(n int, fn func(ws *workspace, chunk, lo, hi int)) {
	chunks := (n + inferChunk - 1) / inferChunk
	threads := net.Threads
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	workers := min(threads, chunks)
	var wg sync.WaitGroup
	work := func(w int) {
		ws := net.getWorkspace()
		defer net.pool.Put(ws)
		for c := w; c < chunks; c += workers {
			lo := c * inferChunk
			fn(ws, c, lo, min(lo+inferChunk, n))
		}
	}
	for w := 1; w < workers; w++ {
		wg.Go(func() { work(w) })
	}
	if workers > 0 {
		work(0)
	}
	wg.Wait()
}

// Predict classifies images ([n][784], normalised as mnist.Fill does: [-1, 1])
// and writes their class probabilities into probs ([n][10]) and, unless
// features is nil, their penultimate-layer activations into features
// ([n][Hidden]). It runs on net.Threads cores; the results do not depend on
// that number. It is safe to call from several goroutines at once.
func (net *Net) Predict(images, probs, features []float32) {
	if len(images)%Pixels != 0 {
		panic(fmt.Sprintf("classifier: Predict: %d floats is not a whole number of 28×28 images", len(images)))
	}
	n := len(images) / Pixels
	_ = probs[:n*Classes]
	if features != nil {
		_ = features[:n*net.Hidden]
	}
	net.each(n, func(ws *workspace, _, lo, hi int) {
		m := hi - lo
		copy(ws.input(m), images[lo*Pixels:hi*Pixels])
		net.forward(ws)
		// [10][m] → rows lo..hi of [n][10]
		for i := range m {
			for k := range Classes {
				probs[(lo+i)*Classes+k] = ws.P[k*m+i]
			}
		}
		if features != nil {
			h := net.Hidden
			for i := range m {
				row := features[(lo+i)*h : (lo+i+1)*h]
				for j := range row {
					row[j] = ws.F[j*m+i]
				}
			}
		}
	})
}

// Accuracy is the share of the images set[idx] (all of them if idx is nil)
// whose most probable class is their label.
func (net *Net) Accuracy(set *mnist.Set, idx []int) (float64, error) {
	if err := checkSet(set); err != nil {
		return 0, err
	}
	if idx == nil {
		idx = mnist.Indices(set.N)
	}
	if len(idx) == 0 {
		return 0, fmt.Errorf("classifier: no images to score")
	}
	correct := make([]int, (len(idx)+inferChunk-1)/inferChunk)
	net.each(len(idx), func(ws *workspace, c, lo, hi int) {
		m := hi - lo
		set.Fill(ws.input(m), ws.Labels, idx[lo:hi])
		net.forward(ws)
		correct[c] = countCorrect(ws.P[:Classes*m], ws.Labels[:m], m)
	})
	sum := 0
	for _, c := range correct {
		sum += c
	}
	return float64(sum) / float64(len(idx)), nil
}
