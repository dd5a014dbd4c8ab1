package tsne

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// clusters makes c Gaussian clusters of m points in d dimensions, centres far apart.
func clusters(c, m, d int, spread float64, seed uint64) ([]float32, []uint8) {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := make([]float32, 0, c*m*d)
	labels := make([]uint8, 0, c*m)
	for k := range c {
		centre := make([]float64, d)
		for t := range centre {
			centre[t] = rng.NormFloat64() * 10
		}
		for range m {
			for t := range d {
				x = append(x, float32(centre[t]+rng.NormFloat64()*spread))
			}
			labels = append(labels, uint8(k))
		}
	}
	// interleave the clusters so order carries no information
	n := c * m
	perm := rng.Perm(n)
	xs, ls := make([]float32, len(x)), make([]uint8, n)
	for i, p := range perm {
		copy(xs[i*d:(i+1)*d], x[p*d:(p+1)*d])
		ls[i] = labels[p]
	}
	return xs, ls
}

func TestSeparatedClustersStaySeparated(t *testing.T) {
	x, labels := clusters(5, 200, 50, 1, 3)
	opt := DefaultOptions()
	opt.Iterations = 500
	y, err := Embed(x, 1000, 50, opt)
	if err != nil {
		t.Fatal(err)
	}
	if acc := KNNAccuracy(y, 2, labels, 10); acc < 0.95 {
		t.Errorf("10-NN accuracy %.3f < 0.95", acc)
	}
	// centroids farther apart than the clusters' spreads
	var cx, cy, spread [5]float64
	var cnt [5]float64
	for i, l := range labels {
		cx[l] += y[2*i]
		cy[l] += y[2*i+1]
		cnt[l]++
	}
	for l := range 5 {
		cx[l] /= cnt[l]
		cy[l] /= cnt[l]
	}
	for i, l := range labels {
		spread[l] = max(spread[l], math.Hypot(y[2*i]-cx[l], y[2*i+1]-cy[l]))
	}
	for a := range 5 {
		for b := a + 1; b < 5; b++ {
			if d := math.Hypot(cx[a]-cx[b], cy[a]-cy[b]); d < 0.5*(spread[a]+spread[b]) {
				t.Errorf("clusters %d and %d: centroids %.2f apart, spreads %.2f and %.2f", a, b, d, spread[a], spread[b])
			}
		}
	}
}

func TestThreadsDoNotChangeTheMap(t *testing.T) {
	x, _ := clusters(4, 100, 10, 2, 5)
	var first []float64
	for _, threads := range []int{1, 2, 4} {
		opt := DefaultOptions()
		opt.Iterations, opt.Threads = 300, threads
		y, err := Embed(x, 400, 10, opt)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = y
		} else if !slices.Equal(first, y) {
			t.Errorf("%d threads: map differs from 1 thread", threads)
		}
	}
}

func TestPerplexityCalibration(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, perp := range []float64{5, 30} {
		dist := make([]float64, 90)
		for i := range dist {
			dist[i] = float64(i)*0.3 + rng.Float64()
		}
		slices.Sort(dist)
		p := make([]float64, len(dist))
		conditional(p, dist, math.Log(perp))
		var h, sum float64
		for _, v := range p {
			sum += v
			if v > 0 {
				h -= v * math.Log(v)
			}
		}
		if math.Abs(h-math.Log(perp)) > 1e-3 || math.Abs(sum-1) > 1e-9 {
			t.Errorf("perplexity %g: entropy %.5f, want %.5f (sum %g)", perp, h, math.Log(perp), sum)
		}
	}
}

func TestBadInput(t *testing.T) {
	nan := float32(math.NaN())
	for _, c := range []struct {
		x    []float32
		n, d int
		perp float64
	}{
		{[]float32{1}, 1, 1, 30},
		{[]float32{1, 2}, 2, 0, 30},
		{[]float32{1, 2, 3}, 2, 2, 1},
		{[]float32{1, nan, 3, 4}, 2, 2, 1},
		{make([]float32, 20), 10, 2, 10},
		{make([]float32, 20), 10, 2, -1},
	} {
		opt := DefaultOptions()
		opt.Perplexity = c.perp
		if _, err := Embed(c.x, c.n, c.d, opt); err == nil {
			t.Errorf("Embed(n=%d d=%d perplexity %g) accepted bad input", c.n, c.d, c.perp)
		}
	}
}

func TestKNNAccuracy(t *testing.T) {
	// two tight groups on a line; one point labelled 0 sits inside group 1
	y := []float64{0, 0, 0.1, 0, 0.2, 0, 10, 0, 10.1, 0, 10.2, 0}
	labels := []uint8{0, 0, 0, 1, 1, 0}
	// points 3, 4, 5 see one vote each way (ties go to label 0) or two 1s
	if got := KNNAccuracy(y, 2, labels, 2); math.Abs(got-3.0/6) > 1e-12 {
		t.Errorf("accuracy %v, want 3/6", got)
	}
}

func BenchmarkEmbed10k(b *testing.B) {
	x, labels := clusters(10, 1000, 128, 3, 9)
	for b.Loop() {
		start := time.Now()
		y, err := Embed(x, 10000, 128, DefaultOptions())
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/map")
		b.ReportMetric(KNNAccuracy(y, 2, labels, 10), "knn-acc")
	}
}
