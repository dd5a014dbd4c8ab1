//go:build !noasm

package tsne

import (
	"math"
	"math/rand/v2"
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

// TestKernelTwins compares each assembly kernel with its pure-Go twin on
// random input, to float32 (or float64) rounding of the sum of |terms|.
func TestKernelTwins(t *testing.T) {
	if !useAVX {
		t.Skip("no AVX2/FMA")
	}
	rng := rand.New(rand.NewPCG(4, 4))
	agree := func(what string, a, b, scale float64, tol float64) {
		t.Helper()
		if math.Abs(a-b) > tol*scale {
			t.Errorf("%s: assembly %v, Go %v (scale %v)", what, a, b, scale)
		}
	}
	for _, n := range []int{16, 48, 512} {
		x, y, m := kernelInput(n)
		px, py := float32(rng.NormFloat64()), float32(rng.NormFloat64())
		z, fx, fy := repulsePoint(px, py, x, y, m)
		gz, gx, gy := repulseGo(px, py, x, y, m)
		var sz, sf float64 // sums of |terms|
		for u := range x {
			dx, dy := float64(px-x[u]), float64(py-y[u])
			q := 1 / (1 + dx*dx + dy*dy)
			sz += float64(m[u]) * q
			sf += float64(m[u]) * q * q * math.Hypot(dx, dy)
		}
		agree("repulsion z", float64(z), float64(gz), sz, 1e-5)
		agree("repulsion fx", float64(fx), float64(gx), sf, 1e-5)
		agree("repulsion fy", float64(fy), float64(gy), sf, 1e-5)

		// attraction: n neighbours among 1000 points
		pts := make([]float32, 2000)
		for u := range pts {
			pts[u] = float32(rng.NormFloat64() * 3)
		}
		cols, vals := make([]int32, n+3), make([]float32, n+3) // a tail too
		var sa float64
		for u := range cols {
			cols[u], vals[u] = int32(rng.IntN(1000)), float32(rng.Float64()*1e-4)
			j := cols[u]
			dx, dy := float64(px-pts[2*j]), float64(py-pts[2*j+1])
			sa += float64(vals[u]) * math.Hypot(dx, dy) / (1 + dx*dx + dy*dy)
		}
		ax, ay := attractRow(px, py, pts, cols, vals)
		gax, gay := attractGo(px, py, pts, cols, vals)
		agree("attraction x", float64(ax), float64(gax), sa, 1e-5)
		agree("attraction y", float64(ay), float64(gay), sa, 1e-5)

		// squared distances
		a, b := pts[:n], pts[1000:1000+n]
		var sd float64
		for u := range a {
			e := float64(a[u]) - float64(b[u])
			sd += e * e
		}
		agree("squared distance", sqDistAVX(&a[0], &b[0], n), sqDistGo(a, b), sd, 1e-14)

		// the kNN scan: estimates exactly as the Go formula, first group below
		row, nc := slices.Clone(pts[:n]), pts[1000:1000+n]
		ni := float32(2.5)
		want, wantMask := n, uint32(0)
		for u := range row {
			if ni+nc[u]-2*row[u] < -3 {
				if want == n {
					want = u &^ 7
				}
				if u < want+8 {
					wantMask |= 1 << (u - want)
				}
			}
		}
		est := make([]float32, n)
		for u := range est {
			est[u] = ni + nc[u] - 2*row[u]
		}
		if got, mask := scanBelowAVX(&row[0], &nc[0], n, ni, -3); got != want || mask != wantMask {
			t.Errorf("scan: first group below the bound at %d, mask %b, want %d, %b", got, mask, want, wantMask)
		}
		for u := range min(want+8, n) {
			if row[u] != est[u] {
				t.Fatalf("scan: estimate %d is %v, want %v", u, row[u], est[u])
			}
		}
	}
}
