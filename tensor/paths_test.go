package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// x86Paths returns the vector paths of this machine (avx512 and avx2 where
// it has them).
func x86Paths() []string {
	var p []string
	for _, name := range Paths() {
		if name != PathGo {
			p = append(p, name)
		}
	}
	return p
}

// windowOutputs runs every parity-class kernel once on one random geometry
// and returns their outputs, to be compared bit for bit between paths.
func windowOutputs(seed uint64) (geom string, outs map[string][]float32) {
	rng := rand.New(rand.NewPCG(seed, 99))
	ho, wo := 1+rng.IntN(16), 1+rng.IntN(16)
	n := 1 + rng.IntN(20)
	if rng.IntN(3) == 0 { // whole vectors of 16, as ColClasses' class-only path wants
		n = 16
	}
	g := Window{C: 1 + rng.IntN(20), N: n, Ho: ho, Wo: wo, H: 2*ho - rng.IntN(2), W: 2*wo - rng.IntN(2)}
	if rng.IntN(4) == 0 {
		g.C = 1
	}
	outs = map[string][]float32{}
	x := randSlice(rng, g.C*g.Large())
	col := randSlice(rng, g.ColRows()*g.Small())
	ColClasses(col, x, g)
	out := 1 + rng.IntN(20)
	w, bias := randSlice(rng, out*g.ColRows()), randSlice(rng, out)
	y := make([]float32, out*g.Small())
	var gate []float32
	if rng.IntN(2) == 0 {
		gate = randSlice(rng, len(y))
		ReLU(gate)
	}
	ColProduct(y, w, bias, col, rng.IntN(2) == 0, out, g, gate)
	outs["ColProduct"] = y
	dy := randSlice(rng, out*g.Small())
	dw := randSlice(rng, out*g.ColRows())
	ColReduce(dw, dy, col, out, g)
	outs["ColReduce"] = dw
	cs := 1 + rng.IntN(17)
	a := randSlice(rng, cs*g.C*9)
	src := randSlice(rng, cs*g.Small())
	ct := make([]float32, g.C*g.Large())
	var ctGate []float32
	if rng.IntN(2) == 0 {
		ctGate = randSlice(rng, len(ct))
		ReLU(ctGate)
	}
	ConvTransposeAct(ct, a, src, randSlice(rng, g.C), Act(rng.IntN(3)), make([]float32, ConvTransposeScratch(g, cs)), cs, g, ctGate)
	outs["ConvTransposeAct"] = ct
	th := randSlice(rng, 1+rng.IntN(300))
	for i := range th {
		th[i] *= 6
	}
	Tanh(th)
	outs["Tanh"] = th
	return fmt.Sprintf("%+v out %d cs %d", g, out, cs), outs
}

// TestVectorPathsGiveIdenticalBits: the AVX2 and AVX-512 kernels compute every
// output element with the same float32 operations, so on random geometries
// their results agree bit for bit.
func TestVectorPathsGiveIdenticalBits(t *testing.T) {
	paths := x86Paths()
	if len(paths) < 2 {
		t.Skipf("this machine runs only %v: nothing to compare", paths)
	}
	defer SetPath(Path())
	for seed := range uint64(300) {
		var ref map[string][]float32
		var geom string
		for _, p := range paths {
			if err := SetPath(p); err != nil {
				t.Fatal(err)
			}
			gm, outs := windowOutputs(seed)
			if ref == nil {
				ref, geom = outs, gm
				continue
			}
			for name, want := range ref {
				got := outs[name]
				if i := firstBitDiff(got, want); i >= 0 {
					t.Fatalf("%s %s: element %d is %g (%#x) on %s, %g (%#x) on %s", name, geom, i,
						got[i], math.Float32bits(got[i]), p, want[i], math.Float32bits(want[i]), paths[0])
				}
			}
		}
	}
}

// firstBitDiff is the first index where a and b differ in bits (or length), or -1.
func firstBitDiff(a, b []float32) int {
	for i := range min(len(a), len(b)) {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

func TestFirstBitDiffCanFail(t *testing.T) {
	a := []float32{1, 0, 2}
	b := slices.Clone(a)
	if firstBitDiff(a, b) != -1 {
		t.Fatal("equal slices reported different")
	}
	b[1] = float32(math.Copysign(0, -1)) // -0 == +0 as numbers, not as bits
	if firstBitDiff(a, b) != 1 {
		t.Fatal("firstBitDiff missed -0 against +0")
	}
}
