package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"latent/tensor"
)

// TestSquaredErrorTanhBackwardMatchesParts checks the fused pass against
// SquaredError, SquaredErrorBackward and tensor.TanhBackward.
func TestSquaredErrorTanhBackwardMatchesParts(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 3, 4, 7, 784, 12545} {
		y, x := make([]float32, n), make([]float32, n)
		for i := range y {
			y[i] = float32(math.Tanh(rng.NormFloat64()))
			x[i] = float32(rng.Float64()*2 - 1)
		}
		want := make([]float32, n)
		loss := SquaredError(y, x)
		SquaredErrorBackward(want, y, x, 0.25)
		tensor.TanhBackward(want, y)
		got := make([]float32, n)
		l := SquaredErrorTanhBackward(got, y, x, 0.25)
		if math.Abs(l-loss) > 1e-12*(1+loss) {
			t.Errorf("n %d: loss %v, want %v", n, l, loss)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("n %d: dy[%d] = %g, want %g", n, i, got[i], want[i])
			}
		}
	}
}
