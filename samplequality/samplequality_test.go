package samplequality

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"latent/classifier"
	"latent/mnist"
)

// onehot returns [n][10] rows with probability p on class k and the rest
// spread evenly.
func row(k int, p float32) []float32 {
	r := make([]float32, Classes)
	for j := range r {
		r[j] = (1 - p) / (Classes - 1)
	}
	r[k] = p
	return r
}

func cat(rs ...[]float32) []float32 {
	var out []float32
	for _, r := range rs {
		out = append(out, r...)
	}
	return out
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestDigitScores(t *testing.T) {
	uniform := make([]float32, 0)
	for k := range Classes {
		uniform = append(uniform, row(k, 0.95)...)
	}
	half := [Classes]float64{0.5, 0.5}
	for _, c := range []struct {
		name      string
		probs     []float32
		confident float64
		shares    [Classes]float64
		entropy   float64
		minShare  float64
	}{
		{"empty", nil, 0, [Classes]float64{}, 0, 0},
		{"one sure 3", row(3, 0.99), 1, [Classes]float64{3: 1}, 0, 0},
		{"threshold inclusive", cat(row(1, 0.9), row(1, 0.89), row(0, 0.5), row(0, 0.1)),
			0.25, [Classes]float64{0.5, 0.5}, math.Ln2 / math.Ln10, 0},
		{"all ten", uniform, 1, [Classes]float64{0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1}, 1, 0.1},
		{"tie goes to the first class", make([]float32, Classes), 0, [Classes]float64{0: 1}, 0, 0},
		{"halves", cat(row(0, 1), row(1, 1)), 1, half, math.Ln2 / math.Ln10, 0},
	} {
		if got := ConfidentFraction(c.probs); !near(got, c.confident, 1e-12) {
			t.Errorf("%s: ConfidentFraction %g, want %g", c.name, got, c.confident)
		}
		shares := ClassShares(c.probs)
		for k := range shares {
			if !near(shares[k], c.shares[k], 1e-12) {
				t.Errorf("%s: ClassShares %v, want %v", c.name, shares, c.shares)
				break
			}
		}
		if got := NormalisedEntropy(shares); !near(got, c.entropy, 1e-12) {
			t.Errorf("%s: NormalisedEntropy %g, want %g", c.name, got, c.entropy)
		}
		if got := MinShare(shares); !near(got, c.minShare, 1e-12) {
			t.Errorf("%s: MinShare %g, want %g", c.name, got, c.minShare)
		}
	}
}

func TestNewStats(t *testing.T) {
	// the corners of a square of side 2: mean (1, 1), covariance (4/3)·I
	st, err := NewStats([]float32{0, 0, 2, 0, 0, 2, 2, 2}, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float64{{4.0 / 3, 0}, {0, 4.0 / 3}}
	if st.N != 4 || st.Mean[0] != 1 || st.Mean[1] != 1 {
		t.Errorf("n %d, mean %v", st.N, st.Mean)
	}
	for i := range 2 {
		for j := range 2 {
			if !near(st.Cov.At(i, j), want[i][j], 1e-12) {
				t.Errorf("cov %v, want %v", mat.Formatted(st.Cov), want)
			}
		}
	}
	for _, c := range []struct {
		f []float32
		d int
	}{{[]float32{1, 2}, 2}, {[]float32{1, 2, 3}, 2}, {nil, 0}} {
		if _, err := NewStats(c.f, c.d); err == nil {
			t.Errorf("NewStats(%v, %d): no error", c.f, c.d)
		}
	}
}

func sym(d int, v ...float64) *mat.SymDense { return mat.NewSymDense(d, v) }

// rotated returns R diag(l) Rᵀ for the rotation by theta.
func rotated(theta float64, l0, l1 float64) *mat.SymDense {
	c, s := math.Cos(theta), math.Sin(theta)
	return sym(2, c*c*l0+s*s*l1, c*s*(l0-l1), c*s*(l0-l1), s*s*l0+c*c*l1)
}

// fd2 is the closed form for 2×2 covariances: Tr (S1 S2)^½ =
// sqrt(Tr(S1 S2) + 2 sqrt(det S1 · det S2)), since S1 S2 has two non-negative
// eigenvalues whose square roots sum to that.
func fd2(m1, m2 []float64, s1, s2 *mat.SymDense) float64 {
	var p mat.Dense
	p.Mul(s1, s2)
	tr := math.Sqrt(mat.Trace(&p) + 2*math.Sqrt(mat.Det(s1)*mat.Det(s2)))
	d := 0.0
	for i := range m1 {
		d += (m1[i] - m2[i]) * (m1[i] - m2[i])
	}
	return d + mat.Trace(s1) + mat.Trace(s2) - 2*tr
}

func TestFrechetDistanceClosedForms(t *testing.T) {
	for _, c := range []struct {
		name   string
		m1, m2 []float64
		s1, s2 *mat.SymDense
		want   float64
	}{
		{"same", []float64{1, 2}, []float64{1, 2}, sym(2, 2, 1, 1, 3), sym(2, 2, 1, 1, 3), 0},
		{"means only", []float64{0, 0}, []float64{3, 4}, sym(2, 1, 0, 0, 1), sym(2, 1, 0, 0, 1), 25},
		// diagonal: Σ (√a - √b)²
		{"diagonal", []float64{0, 0, 0}, []float64{1, 0, 0}, sym(3, 1, 0, 0, 0, 4, 0, 0, 0, 9), sym(3, 4, 0, 0, 0, 1, 0, 0, 0, 9), 1 + 1 + 1 + 0},
		// I against [[2,1],[1,2]] (eigenvalues 3, 1): (1-√3)² + 0
		{"identity vs correlated", []float64{0, 0}, []float64{0, 0}, sym(2, 1, 0, 0, 1), sym(2, 2, 1, 1, 2), (1 - math.Sqrt(3)) * (1 - math.Sqrt(3))},
		// commuting, rotated: the diagonal formula in the shared eigenbasis
		{"commuting rotated", []float64{0, 1}, []float64{1, 1}, rotated(0.7, 4, 1), rotated(0.7, 1, 9), 1 + 1 + 4},
		// non-commuting: the 2×2 closed form
		{"non-commuting", []float64{0, 0}, []float64{0, 0}, sym(2, 1, 0, 0, 4), sym(2, 2, 1, 1, 2), 9 - 2*math.Sqrt(10+2*math.Sqrt(12))},
		{"singular", []float64{0, 0}, []float64{0, 0}, sym(2, 1, 1, 1, 1), sym(2, 0, 0, 0, 0), 2},
	} {
		got, err := FrechetDistance(Stats{Mean: c.m1, Cov: c.s1}, Stats{Mean: c.m2, Cov: c.s2})
		if err != nil {
			t.Fatal(err)
		}
		if !near(got, c.want, 1e-9*(1+c.want)) {
			t.Errorf("%s: %.12g, want %.12g", c.name, got, c.want)
		}
		back, _ := FrechetDistance(Stats{Mean: c.m2, Cov: c.s2}, Stats{Mean: c.m1, Cov: c.s1})
		if !near(back, got, 1e-9*(1+got)) {
			t.Errorf("%s: not symmetric: %.12g one way, %.12g the other", c.name, got, back)
		}
	}
	// random 2×2 pairs against the closed form
	rng := rand.New(rand.NewPCG(7, 7))
	for range 50 {
		s := func() *mat.SymDense {
			return rotated(rng.Float64()*math.Pi, rng.Float64()*5, rng.Float64()*5)
		}
		m1, m2 := []float64{rng.NormFloat64(), rng.NormFloat64()}, []float64{rng.NormFloat64(), rng.NormFloat64()}
		s1, s2 := s(), s()
		got, _ := FrechetDistance(Stats{Mean: m1, Cov: s1}, Stats{Mean: m2, Cov: s2})
		if want := fd2(m1, m2, s1, s2); !near(got, want, 1e-8*(1+want)) {
			t.Errorf("random pair: %.12g, closed form %.12g", got, want)
		}
	}
	if _, err := FrechetDistance(Stats{Mean: []float64{0}, Cov: sym(1, 1)}, Stats{Mean: []float64{0, 0}, Cov: sym(2, 1, 0, 0, 1)}); err == nil {
		t.Error("sizes 1 and 2: no error")
	}
}

// features draws n vectors of a d-dimensional Gaussian with mean m and
// covariance L·Lᵀ.
func features(rng *rand.Rand, n, d int, m []float64, l *mat.Dense) []float32 {
	out := make([]float32, n*d)
	z := make([]float64, d)
	for i := range n {
		for j := range z {
			z[j] = rng.NormFloat64()
		}
		for r := range d {
			v := m[r]
			for c := range d {
				v += l.At(r, c) * z[c]
			}
			out[i*d+r] = float32(v)
		}
	}
	return out
}

func TestFrechetDistanceOfSamples(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const d = 128
	x := make([]float32, 600*d)
	for i := range x {
		x[i] = float32(math.Abs(rng.NormFloat64())) // ReLU-like, and n > d
	}
	st, _ := NewStats(x, d)
	self, err := FrechetDistanceOf(x, x, d)
	if err != nil {
		t.Fatal(err)
	}
	if tr := mat.Trace(st.Cov); self > 1e-6*tr {
		t.Errorf("distance of a set to itself %g (trace of its covariance %g)", self, tr)
	}
	// a shift of both sets changes nothing; a shift of one adds ||c||²
	y := make([]float32, 300*d)
	for i := range y {
		y[i] = float32(rng.NormFloat64())
	}
	base, _ := FrechetDistanceOf(x, y, d)
	xs, ys := append([]float32(nil), x...), append([]float32(nil), y...)
	// ||m1 + c - m2||² = ||m1 - m2||² + 2 c·(m1 - m2) + ||c||²
	sy, _ := NewStats(y, d)
	c2 := 0.0
	for j := range d {
		c := float32(j%7) - 3
		c2 += float64(c*c) + 2*float64(c)*(st.Mean[j]-sy.Mean[j])
		for i := j; i < len(xs); i += d {
			xs[i] += c
		}
		for i := j; i < len(ys); i += d {
			ys[i] += c
		}
	}
	shifted, _ := FrechetDistanceOf(xs, ys, d)
	if !near(shifted, base, 1e-4*base) {
		t.Errorf("shifting both sets: %g, unshifted %g", shifted, base)
	}
	one, _ := FrechetDistanceOf(xs, y, d)
	if !near(one, base+c2, 1e-4*(base+c2)) {
		t.Errorf("shifting one set by c: %g, want %g + %g = %g", one, base, c2, base+c2)
	}
	// fewer vectors than dimensions: singular covariances still give a number
	if v, err := FrechetDistanceOf(x[:10*d], y[:20*d], d); err != nil || math.IsNaN(v) || v <= 0 {
		t.Errorf("singular covariances: %g, %v", v, err)
	}
	// two sampled Gaussians approach their closed form
	l1 := mat.NewDense(2, 2, []float64{1, 0, 0.5, 1})
	l2 := mat.NewDense(2, 2, []float64{2, 0, -0.3, 0.7})
	m1, m2 := []float64{0, 1}, []float64{0.5, -1}
	var s1, s2 mat.Dense
	s1.Mul(l1, l1.T())
	s2.Mul(l2, l2.T())
	sd := func(a *mat.Dense) *mat.SymDense {
		return sym(2, a.At(0, 0), a.At(0, 1), a.At(1, 0), a.At(1, 1))
	}
	want := fd2(m1, m2, sd(&s1), sd(&s2))
	got, _ := FrechetDistanceOf(features(rng, 40000, 2, m1, l1), features(rng, 40000, 2, m2, l2), 2)
	if !near(got, want, 0.03*want) {
		t.Errorf("sampled Gaussians: %g, closed form %g", got, want)
	}
}

// TestEvaluate scores real test digits against other real test digits with an
// untrained-but-valid network: the report must be well formed, and a set
// scored against its own features has distance zero.
func TestEvaluate(t *testing.T) {
	_, test, err := mnist.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	net, err := classifier.New(classifier.Arch{Width: [3]int{4, 8, 8}, Hidden: 16}, 1)
	if err != nil {
		t.Fatal(err)
	}
	idx := make([]int, 300)
	for i := range idx {
		idx[i] = i
	}
	images := make([]float32, len(idx)*classifier.Pixels)
	test.Fill(images, nil, idx)
	ref := make([]float32, len(idx)*net.Hidden)
	probs := make([]float32, len(idx)*Classes)
	net.Predict(images, probs, ref)
	r, err := Evaluate(net, images, ref)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, s := range r.Shares {
		sum += s
	}
	if r.Images != 300 || !near(sum, 1, 1e-12) || r.FD > 1e-6 || r.Entropy < 0 || r.Entropy > 1 ||
		r.Confident != ConfidentFraction(probs) || r.MinShare != MinShare(r.Shares) {
		t.Errorf("report %+v", r)
	}
	st, err := RealStats(net, test, idx)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := EvaluateStats(net, images, st)
	if err != nil || r2 != r {
		t.Errorf("EvaluateStats with RealStats: %+v, %v; Evaluate: %+v", r2, err, r)
	}
	if _, err := Evaluate(net, images[:100], ref); err == nil {
		t.Error("a partial image: no error")
	}
}
