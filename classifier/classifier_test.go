package classifier

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"latent/mnist"
	"latent/safetensors"
)

var (
	mnistOnce             sync.Once
	mnistTrain, mnistTest *mnist.Set
	mnistErr              error
)

// loadMNIST decodes the embedded MNIST once per test binary.
func loadMNIST(t testing.TB) (train, test *mnist.Set) {
	t.Helper()
	mnistOnce.Do(func() { mnistTrain, mnistTest, mnistErr = mnist.LoadEmbedded() })
	if mnistErr != nil {
		t.Fatal(mnistErr)
	}
	return mnistTrain, mnistTest
}

// subset is the first n images of s, as a set of its own.
func subset(s *mnist.Set, n int) *mnist.Set {
	return &mnist.Set{Images: s.Images[:n*Pixels], Labels: s.Labels[:n], N: n, Rows: Side, Cols: Side}
}

func iota(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// tinyArch keeps gradient checks and round trips small.
var tinyArch = Arch{Width: [3]int{2, 3, 4}, Hidden: 5}

func TestSoftmaxCrossEntropyGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 3
	z := make([]float64, Classes*n)
	for i := range z {
		z[i] = 3 * rng.NormFloat64()
	}
	labels := []uint8{0, 7, 3}
	p := make([]float64, len(z))
	dz := make([]float64, len(z))
	Softmax(p, z, n)
	const scale = 0.5
	CrossEntropyBackward(dz, p, labels, n, scale)
	const h = 1e-6
	for j := range z {
		orig := z[j]
		z[j] = orig + h
		up := CrossEntropy(z, labels, n)
		z[j] = orig - h
		down := CrossEntropy(z, labels, n)
		z[j] = orig
		fd := scale * (up - down) / (2 * h)
		if math.Abs(fd-dz[j]) > 1e-8+1e-6*math.Abs(fd) {
			t.Errorf("dz[%d] = %.10g, finite difference %.10g", j, dz[j], fd)
		}
	}
	// the loss equals -Σ log p[y]
	want := 0.0
	for i, y := range labels {
		want -= math.Log(p[int(y)*n+i])
	}
	if got := CrossEntropy(z, labels, n); math.Abs(got-want) > 1e-12*want {
		t.Errorf("cross-entropy %.15g, -Σ log p %.15g", got, want)
	}
}

func TestSoftmaxExtremeLogits(t *testing.T) {
	// one image (n = 1): huge, tiny and equal logits must neither overflow nor
	// give NaN, and the probabilities must sum to 1
	for _, z := range [][]float32{
		{1000, -1000, 0, 0, 0, 0, 0, 0, 0, 0},
		{-1e30, -1e30, -1e30, -1e30, -1e30, -1e30, -1e30, -1e30, -1e30, 88},
		{5, 5, 5, 5, 5, 5, 5, 5, 5, 5},
	} {
		p := make([]float32, Classes)
		Softmax(p, z, 1)
		s := float32(0)
		for _, v := range p {
			if math.IsNaN(float64(v)) {
				t.Fatalf("softmax(%v) has NaN: %v", z, p)
			}
			s += v
		}
		if math.Abs(float64(s)-1) > 1e-6 {
			t.Errorf("softmax(%v) sums to %g", z, s)
		}
		loss := CrossEntropy(z, []uint8{1}, 1)
		if math.IsNaN(loss) || math.IsInf(loss, 0) || loss < 0 {
			t.Errorf("cross-entropy of %v for class 1 = %g", z, loss)
		}
	}
}

// TestNetGradient compares the network's backward pass with central finite
// differences of its summed loss, for parameters of every layer.
func TestNetGradient(t *testing.T) {
	net, err := New(tinyArch, 3)
	if err != nil {
		t.Fatal(err)
	}
	const n = 3
	ws := net.newWorkspace(n, true)
	rng := rand.New(rand.NewPCG(4, 5))
	for i := range ws.input(n) {
		ws.X[i] = float32(2*rng.Float64() - 1)
	}
	copy(ws.Labels, []uint8{2, 9, 4})
	lossOf := func() float64 {
		net.forward(ws)
		return CrossEntropy(ws.Z[:Classes*n], ws.Labels[:n], n)
	}
	net.forward(ws)
	clear(ws.Grads)
	net.backward(ws, 1)
	grads := slices.Clone(ws.Grads)
	const h = 1e-3
	checked, bad := 0, 0
	for _, p := range net.Params.List {
		// every bias, and up to 12 weights spread over each weight tensor
		step := max(1, p.Len()/12)
		for j := 0; j < p.Len(); j += step {
			k := p.Off + j
			orig := net.Data[k]
			net.Data[k] = orig + h
			up := lossOf()
			net.Data[k] = orig - h
			down := lossOf()
			net.Data[k] = orig
			fd := (up - down) / (2 * h)
			g := float64(grads[k])
			checked++
			if math.Abs(fd-g) > 2e-3+1e-2*math.Abs(fd) {
				bad++
				t.Errorf("%s[%d]: backward %.6g, finite difference %.6g", p.Name, j, g, fd)
			}
		}
	}
	t.Logf("%d parameters checked", checked)
}

func TestShiftFill(t *testing.T) {
	img := make([]uint8, Pixels)
	img[5*Side+7] = 255 // one white pixel at row 5, column 7
	dst := make([]float32, Pixels)
	for _, c := range []struct{ dy, dx, r, col int }{{0, 0, 5, 7}, {2, -1, 7, 6}, {-2, 2, 3, 9}} {
		shiftFill(dst, img, c.dy, c.dx)
		for i, v := range dst {
			want := float32(-1)
			if i == c.r*Side+c.col {
				want = 1
			}
			if v != want {
				t.Fatalf("shift (%d, %d): pixel (%d, %d) = %g, want %g", c.dy, c.dx, i/Side, i%Side, v, want)
			}
		}
	}
	// without a shift it is mnist.Fill
	train, _ := loadMNIST(t)
	want := make([]float32, Pixels)
	train.Fill(want, nil, []int{17})
	shiftFill(dst, train.Image(17), 0, 0)
	if !slices.Equal(dst, want) {
		t.Error("shiftFill(0, 0) differs from mnist.Fill")
	}
}

func TestTrainLearns(t *testing.T) {
	train, test := loadMNIST(t)
	cfg := DefaultConfig()
	// a narrower network keeps the test quick under -tags noasm too
	cfg.Arch, cfg.Epochs, cfg.Batch, cfg.LR = Arch{Width: [3]int{16, 32, 32}, Hidden: 64}, 1, 32, 4e-3 // 63 steps
	var last Progress
	calls := 0
	net, err := Train(t.Context(), train, iota(2000), cfg, func(p Progress) { last, calls = p, calls+1 })
	if err != nil {
		t.Fatal(err)
	}
	batches := (2000 + cfg.Batch - 1) / cfg.Batch
	if calls != batches+1 || !last.EpochDone || last.Images != 2000 || last.Batch != batches {
		t.Errorf("%d progress calls, last %+v; want %d, the last marking the epoch's end", calls, last, batches+1)
	}
	acc, err := net.Accuracy(test, iota(1000))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("1 epoch on 2,000 images: train loss %.3f, test accuracy %.3f (%.1fs)", last.Loss, acc, last.Elapsed.Seconds())
	if acc < 0.5 {
		t.Errorf("test accuracy %.3f after 1 epoch on 2,000 images; want ≥ 0.5 (chance is 0.1)", acc)
	}
}

func TestThreadsDoNotChangeResults(t *testing.T) {
	train, test := loadMNIST(t)
	cfg := DefaultConfig()
	cfg.Arch, cfg.Epochs, cfg.Batch = Arch{Width: [3]int{8, 8, 16}, Hidden: 16}, 2, 40 // 40: a partial chunk
	idx := iota(150)                                                                   // and a partial batch
	images := make([]float32, 130*Pixels)
	test.Fill(images, nil, iota(130))
	var ref *Net
	var refProbs, refFeatures []float32
	for _, threads := range []int{1, 2, 3} {
		cfg.Threads = threads
		net, err := Train(t.Context(), train, idx, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		net.Threads = threads
		probs, features := make([]float32, 130*Classes), make([]float32, 130*net.Hidden)
		net.Predict(images, probs, features)
		if ref == nil {
			ref, refProbs, refFeatures = net, probs, features
			continue
		}
		if !slices.Equal(net.Data, ref.Data) {
			t.Errorf("%d threads: weights differ from 1 thread's", threads)
		}
		if !slices.Equal(probs, refProbs) || !slices.Equal(features, refFeatures) {
			t.Errorf("%d threads: predictions differ from 1 thread's", threads)
		}
	}
}

func TestStepAllocatesNothing(t *testing.T) {
	train, _ := loadMNIST(t)
	net, _ := New(Arch{Width: [3]int{4, 4, 4}, Hidden: 8}, 1)
	tr := newTrainer(net, 64, 2)
	defer tr.close()
	rng := rand.New(rand.NewPCG(1, 1))
	idx := iota(64)
	tr.step(train, idx, rng, 2, 1e-3)
	if a := testing.AllocsPerRun(5, func() { tr.step(train, idx, rng, 2, 1e-3) }); a != 0 {
		t.Errorf("a training step allocates %v times", a)
	}
}

func TestPredict(t *testing.T) {
	train, test := loadMNIST(t)
	cfg := DefaultConfig()
	cfg.Arch, cfg.Epochs = Arch{Width: [3]int{8, 16, 16}, Hidden: 32}, 1
	net, err := Train(t.Context(), train, iota(1000), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	const n = 150 // two full inference chunks and a partial one
	images := make([]float32, n*Pixels)
	test.Fill(images, nil, iota(n))
	probs, features := make([]float32, n*Classes), make([]float32, n*net.Hidden)
	net.Predict(images, probs, features)
	correct := 0
	for i := range n {
		row := probs[i*Classes : (i+1)*Classes]
		s := float32(0)
		for _, v := range row {
			s += v
		}
		if math.Abs(float64(s)-1) > 1e-5 {
			t.Fatalf("image %d: probabilities sum to %g", i, s)
		}
		if k := slices.Index(row, slices.Max(row)); k == int(test.Labels[i]) {
			correct++
		}
		for _, v := range features[i*net.Hidden : (i+1)*net.Hidden] {
			if v < 0 {
				t.Fatalf("image %d: negative feature %g after ReLU", i, v)
			}
		}
	}
	acc, err := net.Accuracy(test, iota(n))
	if err != nil {
		t.Fatal(err)
	}
	if want := float64(correct) / n; acc != want {
		t.Errorf("Accuracy %.4f, from Predict's probabilities %.4f", acc, want)
	}
	// one image alone gives the same answer, up to rounding
	one := make([]float32, Classes)
	net.Predict(images[77*Pixels:78*Pixels], one, nil)
	for k, v := range one {
		if math.Abs(float64(v-probs[77*Classes+k])) > 1e-5 {
			t.Errorf("image 77 class %d: alone %g, in a batch %g", k, v, probs[77*Classes+k])
		}
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	net, _ := New(tinyArch, 9)
	net.TestAccuracy = 0.9912
	net.Meta["latent.seed"] = "9"
	path := filepath.Join(t.TempDir(), "c.safetensors")
	if err := net.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Arch != net.Arch || !slices.Equal(got.Data, net.Data) || got.TestAccuracy != 0.9912 || got.Meta["latent.seed"] != "9" {
		t.Errorf("loaded %+v (accuracy %g, meta %v); saved %+v", got.Arch, got.TestAccuracy, got.Meta, net.Arch)
	}
	f, err := safetensors.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Metadata[MetaKind] != "classifier" || f.Metadata[MetaTestAccuracy] != "0.9912" {
		t.Errorf("metadata %v", f.Metadata)
	}
	// a network that was never scored has no accuracy
	fresh, _ := New(tinyArch, 1)
	fresh.Save(path)
	if got, err := Load(path); err != nil || got.TestAccuracy >= 0 {
		t.Errorf("unscored: accuracy %g, %v", got.TestAccuracy, err)
	}
}

func TestLoadRejects(t *testing.T) {
	dir := t.TempDir()
	net, _ := New(tinyArch, 1)
	tensors := func() []safetensors.Tensor {
		var ts []safetensors.Tensor
		for _, p := range net.Params.List {
			ts = append(ts, safetensors.Tensor{Name: p.Name, Shape: p.Shape, Data: p.Of(net.Data)})
		}
		return ts
	}
	meta := func(kv ...string) map[string]string {
		m := map[string]string{MetaKind: "classifier", MetaWidth: "2,3,4", MetaHidden: "5"}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, c := range []struct {
		name    string
		tensors []safetensors.Tensor
		meta    map[string]string
		want    string
	}{
		{"ae", tensors(), meta(MetaKind, "ae"), "not a classifier"},
		{"width", tensors(), meta(MetaWidth, "2,3"), MetaWidth},
		{"hidden", tensors(), meta(MetaHidden, "x"), MetaHidden},
		{"arch", tensors(), meta(MetaHidden, "0"), "hidden must be"},
		{"shape", tensors(), meta(MetaHidden, "6"), "shape"},
		{"missing", tensors()[1:], meta(), "no tensor named"},
		{"extra", append(tensors(), safetensors.Tensor{Name: "x", Shape: []int{1}, Data: []float32{0}}), meta(), `unexpected tensor "x"`},
		{"accuracy", tensors(), meta(MetaTestAccuracy, "1.5"), MetaTestAccuracy},
	} {
		path := filepath.Join(dir, c.name+".safetensors")
		if err := safetensors.WriteFile(path, c.tensors, c.meta); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v; want one naming %s and %q", c.name, err, path, c.want)
		}
	}
}

func TestLoadOrTrain(t *testing.T) {
	train, test := loadMNIST(t)
	small, smallTest := subset(train, 300), subset(test, 200)
	cfg := DefaultConfig()
	cfg.Arch, cfg.Epochs = Arch{Width: [3]int{4, 8, 8}, Hidden: 16}, 1
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache) // os.UserCacheDir on Unix
	t.Setenv("HOME", cache)           // and on macOS
	path, err := DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	first, trained, err := LoadOrTrain(t.Context(), "", small, smallTest, cfg, func(Progress) { calls++ })
	if err != nil || !trained || calls == 0 {
		t.Fatalf("first call: trained %v, %d progress calls, %v", trained, calls, err)
	}
	if first.TestAccuracy < 0 {
		t.Error("the trained classifier was not scored")
	}
	second, trained, err := LoadOrTrain(t.Context(), "", small, smallTest, cfg, nil)
	if err != nil || trained || !slices.Equal(second.Data, first.Data) || second.TestAccuracy != math.Round(first.TestAccuracy*1e4)/1e4 {
		t.Fatalf("second call: trained %v, %v; want the saved classifier", trained, err)
	}
	// an unreadable file is replaced
	if err := os.WriteFile(path, []byte("not safetensors"), 0o644); err != nil {
		t.Fatal(err)
	}
	third, trained, err := LoadOrTrain(t.Context(), "", small, smallTest, cfg, nil)
	if err != nil || !trained || !slices.Equal(third.Data, first.Data) {
		t.Fatalf("after corruption: trained %v, %v; want the same classifier again", trained, err)
	}
	if _, err := Load(path); err != nil {
		t.Errorf("the replaced file does not load: %v", err)
	}
	// an explicit path is only read: loaded when it holds a classifier, an
	// error naming it (and how to make one) otherwise, and never written
	if fourth, trained, err := LoadOrTrain(t.Context(), path, small, smallTest, cfg, nil); err != nil || trained || !slices.Equal(fourth.Data, first.Data) {
		t.Errorf("explicit good path: trained %v, %v", trained, err)
	}
	dir := t.TempDir()
	missing, other := filepath.Join(dir, "typo.safetensors"), filepath.Join(dir, "model.safetensors")
	junk := []byte("an AE checkpoint, say")
	if err := os.WriteFile(other, junk, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{missing, other} {
		net, trained, err := LoadOrTrain(t.Context(), p, small, smallTest, cfg, func(Progress) { t.Errorf("%s: training started", p) })
		if err == nil || net != nil || trained || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "latent classifier train --out") {
			t.Errorf("explicit path %s: net %v, trained %v, error %v; want an error naming it and saying how to make one", p, net != nil, trained, err)
		}
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("a missing explicit path was written")
	}
	if b, _ := os.ReadFile(other); !slices.Equal(b, junk) {
		t.Error("an explicit path that is not a classifier was overwritten")
	}
}

func TestTrainRejects(t *testing.T) {
	train, _ := loadMNIST(t)
	cfg := DefaultConfig()
	for _, c := range []struct {
		name string
		edit func(*Config)
	}{
		{"epochs", func(c *Config) { c.Epochs = 0 }},
		{"batch", func(c *Config) { c.Batch = 0 }},
		{"lr", func(c *Config) { c.LR = math.NaN() }},
		{"shift", func(c *Config) { c.Shift = -1 }},
		{"width", func(c *Config) { c.Arch.Width[1] = 0 }},
	} {
		bad := cfg
		c.edit(&bad)
		if _, err := Train(t.Context(), train, iota(10), bad, nil); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	odd := &mnist.Set{Images: make([]uint8, 2*30*30), Labels: []uint8{1, 2}, N: 2, Rows: 30, Cols: 30}
	if _, err := Train(t.Context(), odd, nil, cfg, nil); err == nil || !strings.Contains(err.Error(), "30×30") {
		t.Errorf("30×30 images: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Train(ctx, train, iota(100), cfg, nil); err == nil {
		t.Error("a cancelled context did not stop training")
	}
}
