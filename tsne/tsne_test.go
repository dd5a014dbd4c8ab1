package tsne

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// clusters makes c Gaussian clusters of m points in d dimensions, centres
// N(0, 10²) per coordinate, points spread around them, in shuffled order.
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
	n := c * m
	perm := rng.Perm(n)
	xs, ls := make([]float32, len(x)), make([]uint8, n)
	for i, p := range perm {
		copy(xs[i*d:(i+1)*d], x[p*d:(p+1)*d])
		ls[i] = labels[p]
	}
	return xs, ls
}

func TestSeparatedClusters(t *testing.T) {
	const c, m, d = 5, 200, 50
	x, labels := clusters(c, m, d, 1, 3)
	opt := DefaultOptions()
	opt.Iterations = 500
	y, err := Embed(x, c*m, d, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("non-finite coordinate %v", v)
		}
	}
	if acc := KNNAccuracy(y, 2, labels, 10); acc < 0.95 {
		t.Errorf("10-NN accuracy %.3f < 0.95", acc)
	}
	// centroids farther apart than the clusters' spreads (RMS radius)
	var cx, cy, rms, cnt [c]float64
	for i, l := range labels {
		cx[l] += y[2*i]
		cy[l] += y[2*i+1]
		cnt[l]++
	}
	for l := range c {
		cx[l] /= cnt[l]
		cy[l] /= cnt[l]
	}
	for i, l := range labels {
		rms[l] += (y[2*i]-cx[l])*(y[2*i]-cx[l]) + (y[2*i+1]-cy[l])*(y[2*i+1]-cy[l])
	}
	for l := range c {
		rms[l] = math.Sqrt(rms[l] / cnt[l])
	}
	for a := range c {
		for b := a + 1; b < c; b++ {
			if dist := math.Hypot(cx[a]-cx[b], cy[a]-cy[b]); dist < rms[a]+rms[b] {
				t.Errorf("clusters %d and %d: centroids %.2f apart, spreads %.2f and %.2f", a, b, dist, rms[a], rms[b])
			}
		}
	}
}

// TestThreadsDoNotChangeTheMap checks bit-identical maps for 1, 2, 4 and 7
// threads, on enough points for several kNN row blocks, repulsion tasks
// (subtrees of up to taskSize points) and renumberings.
func TestThreadsDoNotChangeTheMap(t *testing.T) {
	n, d, iterations := 3000, 20, 300
	if testing.Short() {
		n, iterations = 600, 100 // under emulation (.ci/run's arm64 step)
	}
	x, _ := clusters(6, n/6, d, 2, 5)
	var first []float64
	for _, threads := range []int{1, 2, 4, 7} {
		opt := DefaultOptions()
		opt.Iterations, opt.Threads = iterations, threads
		y, err := Embed(x, n, d, opt)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = y
			continue
		}
		for i := range y {
			if math.Float64bits(y[i]) != math.Float64bits(first[i]) {
				t.Fatalf("%d threads: coordinate %d is %v, 1 thread gave %v", threads, i, y[i], first[i])
			}
		}
	}
}

func TestPerplexityCalibration(t *testing.T) {
	// neighbour distances of real points, through knn
	rng := rand.New(rand.NewPCG(7, 7))
	const n, d = 300, 5
	x := make([]float32, n*d)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	for _, perp := range []float64{2, 5, 30, 50} {
		k := min(n-1, int(3*perp))
		_, dist := knn(x, n, d, k, 2)
		p := make([]float64, k)
		for i := range n {
			conditional(p, dist[i*k:(i+1)*k], math.Log(perp))
			var h, sum float64
			for _, v := range p {
				sum += v
				if v > 0 {
					h -= v * math.Log(v)
				}
			}
			if math.Abs(h-math.Log(perp)) > 1e-3 || math.Abs(sum-1) > 1e-9 {
				t.Fatalf("perplexity %g, row %d: entropy %.6f, want %.6f (sum %g)", perp, i, h, math.Log(perp), sum)
			}
		}
	}
}

func TestKNNIsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n, d, k = 301, 7, 9 // sizes off the tile grid
	x := make([]float32, n*d)
	for i := range x {
		x[i] = float32(rng.IntN(3)) // many ties
	}
	nbr, dist := knn(x, n, d, k, 3)
	for i := range n {
		type c struct {
			d float64
			j int
		}
		var all []c
		for j := range n {
			if j == i {
				continue
			}
			var s float64
			for u := range d {
				df := float64(x[i*d+u] - x[j*d+u])
				s += df * df
			}
			all = append(all, c{s, j})
		}
		slices.SortFunc(all, func(a, b c) int {
			if a.d != b.d {
				return int(math.Copysign(1, a.d-b.d))
			}
			return a.j - b.j
		})
		// small integers: the tile distances are exact, so the lists agree
		for u := range k {
			if int(nbr[i*k+u]) != all[u].j || dist[i*k+u] != all[u].d {
				t.Fatalf("point %d, neighbour %d: got %d at %v, want %d at %v", i, u, nbr[i*k+u], dist[i*k+u], all[u].j, all[u].d)
			}
		}
	}
}

func TestAffinitiesSymmetric(t *testing.T) {
	x, _ := clusters(3, 40, 6, 1, 11)
	n, d, perp := 120, 6, 10.0
	k := int(3 * perp)
	nbr, dist := knn(x, n, d, k, 2)
	p := affinities(nbr, dist, n, k, perp, 2)
	var total float64
	get := func(i, j int) float64 {
		cols := p.col[p.start[i]:p.start[i+1]]
		if t, ok := slices.BinarySearch(cols, int32(j)); ok {
			return p.val[p.start[i]+t]
		}
		return 0
	}
	for i := range n {
		cols := p.col[p.start[i]:p.start[i+1]]
		if !slices.IsSorted(cols) {
			t.Fatalf("row %d: columns not sorted", i)
		}
		for t2, j := range cols {
			v := p.val[p.start[i]+t2]
			total += v
			if int(j) == i || v <= 0 || get(int(j), i) != v {
				t.Fatalf("P[%d][%d] = %v, P[%d][%d] = %v", i, j, v, j, i, get(int(j), i))
			}
		}
	}
	if math.Abs(total-1) > 1e-12 {
		t.Errorf("P sums to %v", total)
	}
}

func TestBadInput(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	def := DefaultOptions()
	with := func(f func(*Options)) Options { o := def; f(&o); return o }
	for _, c := range []struct {
		name string
		x    []float32
		n, d int
		opt  Options
		want string
	}{
		{"one point", []float32{1}, 1, 1, def, "at least 2 points"},
		{"no points", nil, 0, 1, def, "at least 2 points"},
		{"zero dim", []float32{1, 2}, 2, 0, def, "dimension"},
		{"short x", []float32{1, 2, 3}, 2, 2, with(func(o *Options) { o.Perplexity = 1 }), "values"},
		{"NaN", []float32{1, nan, 3, 4}, 2, 2, with(func(o *Options) { o.Perplexity = 1 }), "NaN"},
		{"Inf", []float32{1, 2, inf, 4}, 2, 2, with(func(o *Options) { o.Perplexity = 1 }), "Inf"},
		{"perplexity ≥ n", make([]float32, 20), 10, 2, with(func(o *Options) { o.Perplexity = 10 }), "perplexity"},
		{"negative perplexity", make([]float32, 20), 10, 2, with(func(o *Options) { o.Perplexity = -1 }), "perplexity"},
		{"NaN perplexity", make([]float32, 20), 10, 2, with(func(o *Options) { o.Perplexity = math.NaN() }), "perplexity"},
		{"negative iterations", make([]float32, 20), 10, 2, with(func(o *Options) { o.Perplexity, o.Iterations = 3, -1 }), "iterations"},
		{"exaggeration < 1", make([]float32, 20), 10, 2, with(func(o *Options) { o.Perplexity, o.Exaggeration = 3, 0.5 }), "exaggeration"},
		{"negative learning rate", make([]float32, 20), 10, 2, with(func(o *Options) { o.Perplexity, o.LearningRate = 3, -1 }), "learning rate"},
		{"negative theta", make([]float32, 20), 10, 2, with(func(o *Options) { o.Perplexity, o.Theta = 3, -0.5 }), "theta"},
	} {
		t.Run(c.name, func(t *testing.T) {
			y, err := Embed(c.x, c.n, c.d, c.opt)
			if err == nil {
				t.Fatalf("accepted bad input, returned %d values", len(y))
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

func TestDegenerateInputs(t *testing.T) {
	for _, c := range []struct {
		name string
		x    []float32
		n, d int
		perp float64
	}{
		{"two points", []float32{0, 0, 1, 1}, 2, 2, 1},
		{"all equal", make([]float32, 3*40), 40, 3, 5},
		{"one dimension", []float32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 10, 1, 2},
		{"duplicates", []float32{1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2}, 12, 1, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			opt := DefaultOptions()
			opt.Perplexity, opt.Iterations = c.perp, 300
			y, err := Embed(c.x, c.n, c.d, opt)
			if err != nil {
				t.Fatal(err)
			}
			if len(y) != 2*c.n {
				t.Fatalf("got %d values, want %d", len(y), 2*c.n)
			}
			for _, v := range y {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("non-finite coordinate in %v", y)
				}
			}
		})
	}
}

func TestKNNAccuracy(t *testing.T) {
	// two groups on a line; point 5 (label 0) sits inside group 1
	y := []float64{0, 0, 0.25, 0, 0.5, 0, 10, 0, 10.25, 0, 10.5, 0} // exact ties
	for _, c := range []struct {
		name   string
		y      []float64
		dim    int
		labels []uint8
		k      int
		want   float64
	}{
		// k=2: 0,1,2 right; 3 sees {4:1, 5:0} tie → 0, wrong; 4 sees {3:1, 5:0}
		// tie → 0, wrong; 5 sees {4, 3} → 1, wrong
		{"ties to smallest label", y, 2, []uint8{0, 0, 0, 1, 1, 0}, 2, 3.0 / 6},
		// k=1: 4 is as far from 3 as from 5 and takes 3 (smaller index): only 5 is wrong
		{"k=1", y, 2, []uint8{0, 0, 0, 1, 1, 0}, 1, 5.0 / 6},
		{"all right", y, 2, []uint8{0, 0, 0, 1, 1, 1}, 2, 1},
		{"k capped at n-1", []float64{0, 1, 2}, 1, []uint8{3, 3, 3}, 10, 1},
		{"one-d, distance ties to smaller index", []float64{0, 1, 2}, 1, []uint8{5, 7, 9}, 1, 0},
		{"mismatched length", y, 2, []uint8{0, 0}, 2, 0},
		{"bad k", y, 2, []uint8{0, 0, 0, 1, 1, 1}, 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := KNNAccuracy(c.y, c.dim, c.labels, c.k); math.Abs(got-c.want) > 1e-12 {
				t.Errorf("accuracy %v, want %v", got, c.want)
			}
		})
	}
}

// BenchmarkEmbed10k maps 10,000 points of 128 dimensions (10 noisy Gaussian
// clusters), the size of the MNIST test codes, with the default options.
// s-cpu is the CPU time (all threads): on a shared machine it varies less
// than the wall time.
func BenchmarkEmbed10k(b *testing.B) {
	const c, m, d = 10, 1000, 128
	x, labels := clusters(c, m, d, 3, 9)
	for b.Loop() {
		cpu0 := cpuSeconds()
		y, tm, err := EmbedTimed(x, c*m, d, DefaultOptions())
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(cpuSeconds()-cpu0, "s-cpu")
		b.ReportMetric((tm.Neighbours + tm.Affinities).Seconds(), "s-knn+P")
		b.ReportMetric(tm.Init.Seconds(), "s-init")
		b.ReportMetric(tm.Optimise.Seconds(), "s-optimise")
		b.ReportMetric((tm.Neighbours + tm.Affinities + tm.Init + tm.Optimise).Seconds(), "s-total")
		b.ReportMetric(KNNAccuracy(y, 2, labels, 10), "knn-acc")
	}
}

// BenchmarkOptimise10k is the gradient descent of BenchmarkEmbed10k alone.
func BenchmarkOptimise10k(b *testing.B) {
	const c, m, d, k = 10, 1000, 128, 90
	x, _ := clusters(c, m, d, 3, 9)
	n, threads := c*m, runtime.GOMAXPROCS(0)
	nbr, dist := knn(x, n, d, k, threads)
	p := affinities(nbr, dist, n, k, 30, threads)
	y0 := pcaInit(x, n, d, 0, threads)
	opt := DefaultOptions()
	for b.Loop() {
		cpu0 := cpuSeconds()
		y := slices.Clone(y0)
		optimise(y, p, n, opt, float64(n)/opt.Exaggeration, threads)
		b.ReportMetric(cpuSeconds()-cpu0, "s-cpu")
	}
}

// BenchmarkKNN10k finds the 90 nearest neighbours of 10,000 points of 128
// dimensions.
func BenchmarkKNN10k(b *testing.B) {
	const c, m, d = 10, 1000, 128
	x, _ := clusters(c, m, d, 3, 9)
	for b.Loop() {
		cpu0 := cpuSeconds()
		knn(x, c*m, d, 90, runtime.GOMAXPROCS(0))
		b.ReportMetric(cpuSeconds()-cpu0, "s-cpu")
	}
}

// benchMap is a 10k-point map after 400 iterations of BenchmarkEmbed10k's
// data, with its P, for the kernel benchmarks.
var benchMap struct {
	y []float64
	p *csr
}

func loadBenchMap() ([]float64, *csr) {
	if benchMap.y == nil {
		const c, m, d, k = 10, 1000, 128, 90
		x, _ := clusters(c, m, d, 3, 9)
		n := c * m
		nbr, dist := knn(x, n, d, k, runtime.GOMAXPROCS(0))
		p := affinities(nbr, dist, n, k, 30, runtime.GOMAXPROCS(0))
		y := pcaInit(x, n, d, 0, runtime.GOMAXPROCS(0))
		opt := DefaultOptions()
		opt.Iterations = 400
		optimise(y, p, n, opt, float64(n)/opt.Exaggeration, runtime.GOMAXPROCS(0))
		benchMap.y, benchMap.p = y, p
	}
	return benchMap.y, benchMap.p
}

// BenchmarkTreeBuild builds the quadtree of the 10k map (one thread).
func BenchmarkTreeBuild(b *testing.B) {
	y, _ := loadBenchMap()
	var tree bhTree
	for b.Loop() {
		tree.build(y, len(y)/2, 0.5)
	}
}

// BenchmarkRepulsion is one iteration's repulsion on the 10k map (one
// thread, tree built once).
func BenchmarkRepulsion(b *testing.B) {
	y, _ := loadBenchMap()
	n := len(y) / 2
	var tree bhTree
	tree.build(y, n, 0.5)
	rep, z := make([]float64, 2*n), make([]float64, n)
	wk := &walker{t: &tree}
	for b.Loop() {
		for _, c := range tree.tasks {
			wk.repulseTask(c, rep, z)
		}
	}
}

// BenchmarkAttraction is one iteration's attraction on the 10k map (one
// thread), in the map's Morton order as the optimiser renumbers it.
func BenchmarkAttraction(b *testing.B) {
	y, p := loadBenchMap()
	n := len(y) / 2
	w := newWork(y, p, n)
	var tree bhTree
	tree.build(y, n, 0.5)
	w.renumber(tree.perm, 1)
	b.ResetTimer()
	for b.Loop() {
		pw, y32 := &w.p, w.y32
		for i := range n {
			a, c := pw.start[i], pw.start[i+1]
			ax, ay := attractRow(y32[2*i], y32[2*i+1], y32, pw.col[a:c], pw.val[a:c])
			w.attr[2*i], w.attr[2*i+1] = float64(ax), float64(ay)
		}
	}
}

// TestRepulsionMatchesExact compares the Barnes–Hut repulsion (forces and
// the normalisation Z) with the exact O(n²) sums on a clustered map.
func TestRepulsionMatchesExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	const n = 3000
	y := make([]float64, 2*n)
	for i := range n {
		c := float64(i % 7)
		y[2*i] = 10*math.Cos(c) + rng.NormFloat64()
		y[2*i+1] = 10*math.Sin(c) + rng.NormFloat64()*2
	}
	y[2], y[3] = y[0], y[1] // a duplicate point
	ex, ey := make([]float64, n), make([]float64, n)
	var ez float64
	for i := range n {
		for j := range n {
			if i == j {
				continue
			}
			dx, dy := y[2*i]-y[2*j], y[2*i+1]-y[2*j+1]
			q := 1 / (1 + dx*dx + dy*dy)
			ez += q
			ex[i] += q * q * dx
			ey[i] += q * q * dy
		}
	}
	for _, c := range []struct{ theta, zTol, fTol float64 }{{0.1, 5e-4, 1e-3}, {0.5, 5e-3, 2e-2}} {
		var tree bhTree
		tree.build(y, n, c.theta)
		rep, z := make([]float64, 2*n), make([]float64, n)
		wk := &walker{t: &tree}
		for _, task := range tree.tasks {
			wk.repulseTask(task, rep, z)
		}
		var bz float64
		for _, v := range z {
			bz += v
		}
		if e := math.Abs(bz-ez) / ez; e > c.zTol {
			t.Errorf("θ %g: Z %v, exact %v (relative error %.2g)", c.theta, bz, ez, e)
		}
		// force errors relative to the typical force
		var num, den float64
		for i := range n {
			dx, dy := rep[2*i]-ex[i], rep[2*i+1]-ey[i]
			num += dx*dx + dy*dy
			den += ex[i]*ex[i] + ey[i]*ey[i]
		}
		if e := math.Sqrt(num / den); e > c.fTol {
			t.Errorf("θ %g: RMS force error %.2g of the RMS force", c.theta, e)
		} else {
			t.Logf("θ %g: Z error %.2g, RMS force error %.2g", c.theta, math.Abs(bz-ez)/ez, e)
		}
	}
}

// BenchmarkAffinities10k calibrates and symmetrises P for BenchmarkKNN10k's
// neighbours.
func BenchmarkAffinities10k(b *testing.B) {
	const c, m, d, k = 10, 1000, 128, 90
	x, _ := clusters(c, m, d, 3, 9)
	threads := runtime.GOMAXPROCS(0)
	nbr, dist := knn(x, c*m, d, k, threads)
	for b.Loop() {
		cpu0 := cpuSeconds()
		affinities(nbr, dist, c*m, k, 30, threads)
		b.ReportMetric(cpuSeconds()-cpu0, "s-cpu")
	}
}

// kernelInput is a random interaction list of n masses and a point.
func kernelInput(n int) (x, y, m []float32) {
	rng := rand.New(rand.NewPCG(5, 5))
	x, y, m = make([]float32, n), make([]float32, n), make([]float32, n)
	for u := range n {
		x[u], y[u] = float32(rng.NormFloat64()*5), float32(rng.NormFloat64()*5)
		m[u] = float32(1 + rng.IntN(40))
	}
	return x, y, m
}

// BenchmarkRepulseKernel runs the repulsion kernel over a list of 512.
func BenchmarkRepulseKernel(b *testing.B) {
	x, y, m := kernelInput(512)
	var s float32
	for b.Loop() {
		z, fx, fy := repulsePoint(0.5, -0.25, x, y, m)
		s += z + fx + fy
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/512, "ns/interaction")
}

// TestKNNExactWhenEstimatesAreCoarse makes the float32 estimates too coarse
// to trust (two clusters far apart, points inside each a tiny distance
// apart, many ties), so that rows fall back to the exact search, and
// checks the lists against brute force.
func TestKNNExactWhenEstimatesAreCoarse(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	const n, d, k = 200, 16, 20
	x := make([]float32, n*d)
	for i := range n {
		off := float32(0)
		if i%2 == 1 {
			off = 3e4
		}
		for u := range d {
			x[i*d+u] = off + float32(rng.IntN(3))*0.01
		}
	}
	nbr, dist := knn(x, n, d, k, 2)
	for i := range n {
		type c struct {
			d float64
			j int
		}
		var all []c
		for j := range n {
			if j != i {
				all = append(all, c{exactDist(x, d, i, j), j})
			}
		}
		slices.SortFunc(all, func(a, b c) int {
			if a.d != b.d {
				return int(math.Copysign(1, a.d-b.d))
			}
			return a.j - b.j
		})
		for u := range k {
			if int(nbr[i*k+u]) != all[u].j || dist[i*k+u] != all[u].d {
				t.Fatalf("point %d, neighbour %d: got %d at %v, want %d at %v", i, u, nbr[i*k+u], dist[i*k+u], all[u].j, all[u].d)
			}
		}
	}
}

func TestSelectSmallest(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 3))
	for _, n := range []int{1, 2, 3, 10, 100, 392} {
		for _, k := range []int{0, 1, n / 3, n - 1, n} {
			a := make([]uint64, n)
			for u := range a {
				a[u] = uint64(rng.IntN(20))<<32 | uint64(u) // many equal estimates
			}
			want := slices.Clone(a)
			slices.Sort(want)
			selectSmallest(a, k)
			got := slices.Clone(a[:k])
			slices.Sort(got)
			if !slices.Equal(got, want[:k]) {
				t.Fatalf("n %d, k %d: kept %v, want %v", n, k, got, want[:k])
			}
		}
	}
	// sortable keeps the order of floats, negative ones included
	vs := []float32{float32(math.Inf(-1)), -3, -1e-30, 0, 1e-30, 2, 1e30, float32(math.Inf(1))}
	for u := 1; u < len(vs); u++ {
		if !(sortable(vs[u-1]) < sortable(vs[u])) || unsortable(sortable(vs[u])) != vs[u] {
			t.Errorf("sortable(%v) = %#x, sortable(%v) = %#x", vs[u-1], sortable(vs[u-1]), vs[u], sortable(vs[u]))
		}
	}
}
