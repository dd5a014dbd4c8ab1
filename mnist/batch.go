package mnist

import "math/rand/v2"

// splitStream is the fixed PCG stream constant used by Split.
const splitStream = 0x5eed5

// Split returns a seeded random permutation of 0..n-1 cut into the first
// n-nVal indices (train) and the last nVal indices (validation). It is
// deterministic for a given (n, nVal, seed). It panics unless 0 <= nVal <= n.
func Split(n, nVal int, seed uint64) (train, val []int) {
	if n < 0 || nVal < 0 || nVal > n {
		panic("mnist: Split: need 0 <= nVal <= n")
	}
	perm := rand.New(rand.NewPCG(seed, splitStream)).Perm(n)
	return perm[: n-nVal : n-nVal], perm[n-nVal:]
}

// EpochOrder returns a new slice holding a permutation of idx for the given
// epoch, deterministic from (seed, epoch) and different from epoch to epoch.
func EpochOrder(idx []int, seed uint64, epoch int) []int {
	order := append([]int(nil), idx...)
	r := rand.New(rand.NewPCG(seed, uint64(epoch)+1<<32))
	r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	return order
}

// Batches cuts order into consecutive sub-slices of at most size elements;
// the last, partial batch is kept. Nothing is copied. It panics if size <= 0.
func Batches(order []int, size int) [][]int {
	if size <= 0 {
		panic("mnist: Batches: size must be positive")
	}
	out := make([][]int, 0, (len(order)+size-1)/size)
	for i := 0; i < len(order); i += size {
		j := min(i+size, len(order))
		out = append(out, order[i:j:j])
	}
	return out
}

// normTable maps each pixel byte to its normalised value.
var normTable = func() (t [256]float32) {
	for p := range t {
		v := float32(p) / float32(255)
		v = float32(v-float32(0.5)) / float32(0.5)
		t[p] = v
	}
	return t
}()

// Normalize maps a pixel byte to the float32 the models use, computed in
// float32 exactly as PyTorch's ToTensor followed by Normalize((0.5,), (0.5,)):
// v = p/255; v = (v-0.5)/0.5. Pixel 0 maps to -1 and 255 to 1.
func Normalize(p uint8) float32 { return normTable[p] }

// Fill writes the images s[idx[0]], s[idx[1]], ... normalised into dst
// (len(dst) >= len(idx)*s.Pixels(), laid out image after image) and their
// labels into labels if labels != nil (len(labels) >= len(idx)). It
// allocates nothing.
func (s *Set) Fill(dst []float32, labels []uint8, idx []int) {
	p := s.Pixels()
	dst = dst[:len(idx)*p]
	for k, i := range idx {
		src := s.Images[i*p : (i+1)*p]
		d := dst[k*p : (k+1)*p]
		d = d[:len(src)]
		j := 0
		for ; j+8 <= len(src); j += 8 {
			b, o := src[j:j+8:j+8], d[j:j+8:j+8]
			o[0], o[1], o[2], o[3] = normTable[b[0]], normTable[b[1]], normTable[b[2]], normTable[b[3]]
			o[4], o[5], o[6], o[7] = normTable[b[4]], normTable[b[5]], normTable[b[6]], normTable[b[7]]
		}
		for ; j < len(src); j++ {
			d[j] = normTable[src[j]]
		}
	}
	if labels != nil {
		labels = labels[:len(idx)]
		for k, i := range idx {
			labels[k] = s.Labels[i]
		}
	}
}

// Indices returns 0, 1, …, n-1: the indices of a whole set, or of its first n images.
func Indices(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}
