package mnist

import (
	"bytes"
	"math"
	"slices"
	"testing"
)

func isPerm(t *testing.T, got, of []int) {
	t.Helper()
	a, b := slices.Clone(got), slices.Clone(of)
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		t.Fatalf("not a permutation (len %d vs %d)", len(got), len(of))
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		n, nVal int
		seed    uint64
	}{
		{60000, 12000, 1},
		{60000, 12000, 42},
		{10, 0, 3},
		{10, 10, 3},
		{0, 0, 0},
	}
	for _, tt := range tests {
		train, val := Split(tt.n, tt.nVal, tt.seed)
		if len(train) != tt.n-tt.nVal || len(val) != tt.nVal {
			t.Fatalf("Split(%d,%d): sizes %d/%d", tt.n, tt.nVal, len(train), len(val))
		}
		seen := make([]bool, tt.n)
		for _, i := range append(slices.Clone(train), val...) {
			if i < 0 || i >= tt.n || seen[i] {
				t.Fatalf("Split(%d,%d): index %d out of range or repeated", tt.n, tt.nVal, i)
			}
			seen[i] = true
		}
		// Appending to train must not clobber val.
		if len(train) > 0 && len(val) > 0 {
			v0 := val[0]
			_ = append(train, -1)
			if val[0] != v0 {
				t.Fatal("train aliases val")
			}
		}
		t2, v2 := Split(tt.n, tt.nVal, tt.seed)
		if !slices.Equal(train, t2) || !slices.Equal(val, v2) {
			t.Errorf("Split(%d,%d,%d) not deterministic", tt.n, tt.nVal, tt.seed)
		}
	}
	a, _ := Split(60000, 12000, 1)
	b, _ := Split(60000, 12000, 2)
	if slices.Equal(a, b) {
		t.Error("different seeds give the same split")
	}
	if slices.IsSorted(a) {
		t.Error("split is not shuffled")
	}
}

func TestEpochOrder(t *testing.T) {
	idx, _ := Split(60000, 12000, 7)
	orig := slices.Clone(idx)
	e0 := EpochOrder(idx, 7, 0)
	e1 := EpochOrder(idx, 7, 1)
	if !slices.Equal(idx, orig) {
		t.Fatal("EpochOrder modified its input")
	}
	isPerm(t, e0, idx)
	isPerm(t, e1, idx)
	if slices.Equal(e0, e1) || slices.Equal(e0, idx) {
		t.Error("epoch orders do not differ")
	}
	if !slices.Equal(e0, EpochOrder(idx, 7, 0)) || !slices.Equal(e1, EpochOrder(idx, 7, 1)) {
		t.Error("EpochOrder not deterministic")
	}
	if slices.Equal(e0, EpochOrder(idx, 8, 0)) {
		t.Error("different seeds give the same order")
	}
	if got := EpochOrder(nil, 1, 0); len(got) != 0 {
		t.Errorf("EpochOrder(nil) = %v", got)
	}
}

func TestBatches(t *testing.T) {
	tests := []struct {
		n, size int
		want    []int // batch sizes; nil means check count only
		count   int
	}{
		{48000, 64, nil, 750},
		{10, 4, []int{4, 4, 2}, 3},
		{8, 4, []int{4, 4}, 2},
		{3, 10, []int{3}, 1},
		{0, 4, []int{}, 0},
	}
	for _, tt := range tests {
		order := make([]int, tt.n)
		for i := range order {
			order[i] = i
		}
		bs := Batches(order, tt.size)
		if len(bs) != tt.count {
			t.Fatalf("Batches(%d, %d): %d batches, want %d", tt.n, tt.size, len(bs), tt.count)
		}
		var sizes, flat []int
		for _, b := range bs {
			sizes = append(sizes, len(b))
			flat = append(flat, b...)
			if len(b) > tt.size || len(b) == 0 {
				t.Fatalf("batch of size %d", len(b))
			}
		}
		if tt.want != nil && !slices.Equal(sizes, tt.want) && !(len(sizes) == 0 && len(tt.want) == 0) {
			t.Errorf("Batches(%d, %d) sizes %v, want %v", tt.n, tt.size, sizes, tt.want)
		}
		if !slices.Equal(flat, order) && tt.n > 0 {
			t.Errorf("Batches(%d, %d) does not cover order in sequence", tt.n, tt.size)
		}
		if tt.n > 0 && &bs[0][0] != &order[0] {
			t.Error("batches copy instead of sub-slicing")
		}
	}
}

func TestNormalize(t *testing.T) {
	if Normalize(0) != -1 || Normalize(255) != 1 {
		t.Fatalf("Normalize(0)=%v Normalize(255)=%v, want -1, 1", Normalize(0), Normalize(255))
	}
	for p := range 256 {
		v := float32(p) / 255
		v = (v - 0.5) / 0.5
		if got := Normalize(uint8(p)); math.Float32bits(got) != math.Float32bits(v) {
			t.Errorf("Normalize(%d) = %v, want %v", p, got, v)
		}
		// Check against an independent float64 computation: within 1 ulp-ish.
		if d := math.Abs(float64(Normalize(uint8(p))) - (float64(p)/255-0.5)/0.5); d > 1e-6 {
			t.Errorf("Normalize(%d) off by %g", p, d)
		}
	}
	// Known float32 bit patterns from PyTorch for a few pixel values:
	// torch.tensor([1,128],dtype=uint8) -> ToTensor -> Normalize(0.5,0.5).
	for _, tt := range []struct {
		p    uint8
		want float32
	}{
		{1, -0.99215686}, {128, 0.003921628}, {127, -0.0039215684},
	} {
		if got := Normalize(tt.p); math.Abs(float64(got-tt.want)) > 1e-7 {
			t.Errorf("Normalize(%d) = %.9g, want %.9g", tt.p, got, tt.want)
		}
	}
}

func TestFill(t *testing.T) {
	s := &Set{N: 3, Rows: 2, Cols: 2,
		Images: []uint8{0, 255, 1, 2, 10, 20, 30, 40, 128, 127, 255, 0},
		Labels: []uint8{7, 8, 9},
	}
	idx := []int{2, 0, 2}
	dst := make([]float32, len(idx)*s.Pixels()+1)
	dst[len(dst)-1] = 42
	labels := make([]uint8, len(idx))
	s.Fill(dst, labels, idx)
	for k, i := range idx {
		for j := range s.Pixels() {
			if got, want := dst[k*4+j], Normalize(s.Images[i*4+j]); got != want {
				t.Errorf("dst[%d] = %v, want %v", k*4+j, got, want)
			}
		}
	}
	if dst[len(dst)-1] != 42 {
		t.Error("Fill wrote past len(idx)*Pixels()")
	}
	if !bytes.Equal(labels, []uint8{9, 7, 9}) {
		t.Errorf("labels = %v", labels)
	}
	if dst[2] != 1 || dst[3] != -1 || dst[4] != -1 || dst[5] != 1 || dst[0] != Normalize(128) {
		t.Errorf("dst = %v", dst)
	}
	s.Fill(dst, nil, []int{1}) // nil labels allowed

	train, _ := loadEmbedded(t)
	order := EpochOrder([]int{5, 17, 1000, 59999}, 1, 0)
	batch := make([]float32, 64*train.Pixels())
	lbl := make([]uint8, 64)
	allocs := testing.AllocsPerRun(100, func() { train.Fill(batch, lbl, order) })
	if allocs != 0 {
		t.Errorf("Fill allocates %v times per call", allocs)
	}
}

func BenchmarkFill(b *testing.B) {
	train, _ := loadEmbedded(b)
	order := EpochOrder(make([]int, 64), 1, 0)
	for i := range order {
		order[i] = i * 937 % train.N
	}
	dst := make([]float32, 64*train.Pixels())
	labels := make([]uint8, 64)
	b.SetBytes(int64(64 * train.Pixels()))
	b.ReportAllocs()
	for b.Loop() {
		train.Fill(dst, labels, order)
	}
}

func BenchmarkLoadEmbedded(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := LoadEmbedded(); err != nil {
			b.Fatal(err)
		}
	}
}
