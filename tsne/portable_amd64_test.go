//go:build !noasm

package tsne

import (
	"math"
	"slices"
	"testing"
)

// TestPortableKernels runs the pure-Go kernels (used without AVX2/FMA or off
// amd64) against the assembly ones.
func TestPortableKernels(t *testing.T) {
	if !useAVX {
		t.Skip("no AVX2/FMA: the portable kernels are the ones under test everywhere")
	}
	x, labels := clusters(5, 100, 13, 1, 21)
	n, d := 500, 13
	nbrA, distA := knn(x, n, d, 30, 2)
	opt := DefaultOptions()
	opt.Iterations = 400
	yA, err := Embed(x, n, d, opt)
	if err != nil {
		t.Fatal(err)
	}
	useAVX = false
	defer func() { useAVX = true }()
	nbrG, distG := knn(x, n, d, 30, 2)
	if !slices.Equal(nbrA, nbrG) {
		t.Error("neighbour lists differ between the kernels")
	}
	for i := range distA {
		if math.Abs(distA[i]-distG[i]) > 1e-9*(1+distA[i]) {
			t.Fatalf("distance %d: %v vs %v", i, distA[i], distG[i])
		}
	}
	yG, err := Embed(x, n, d, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, y := range [][]float64{yA, yG} {
		if acc := KNNAccuracy(y, 2, labels, 10); acc < 0.95 {
			t.Errorf("10-NN accuracy %.3f < 0.95", acc)
		}
	}
}
