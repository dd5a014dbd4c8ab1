package model

import (
	"math"
	"math/rand/v2"
	"testing"
)

// closeTo reports the first index where got and want differ by more than
// 1e-5 relative (floor 1e-6), or -1.
func closeTo(got, want []float32) int {
	if len(got) != len(want) {
		return 0
	}
	for i := range got {
		if d := math.Abs(float64(got[i] - want[i])); d > 1e-5*math.Abs(float64(want[i]))+1e-6 {
			return i
		}
	}
	return -1
}

func TestLerp(t *testing.T) {
	for _, c := range []struct {
		a, b  []float32
		steps int
		want  []float32
	}{
		{[]float32{0, 2}, []float32{4, -2}, 3, []float32{0, 2, 2, 0, 4, -2}},
		{[]float32{1}, []float32{2}, 2, []float32{1, 2}},
		{[]float32{1}, []float32{5}, 5, []float32{1, 2, 3, 4, 5}},
		{[]float32{3}, []float32{5}, 1, []float32{3}},
	} {
		if got := Lerp(c.a, c.b, c.steps); closeTo(got, c.want) >= 0 {
			t.Errorf("Lerp(%v, %v, %d) = %v, want %v", c.a, c.b, c.steps, got, c.want)
		}
	}
}

// TestInterpolate checks the walk's ends against decoding the two images'
// codes, for every kind of model; a conditional VAE walks its label from the
// first image's digit to the second's, or draws every step as a given digit.
func TestInterpolate(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := make([]float32, 2*Pixels)
	for i := range x {
		x[i] = float32(rng.Float64()*2 - 1)
	}
	labels := []uint8{3, 7}
	const steps = 70 // more than one decoding chunk
	for _, c := range []struct {
		kind  Kind
		digit int
	}{{AE, -1}, {VAE, -1}, {CVAE, -1}, {CVAE, 5}} {
		m, err := New(Seed(c.kind), 1)
		if err != nil {
			t.Fatal(err)
		}
		out := m.Interpolate(x, labels, c.digit, steps)
		if len(out) != steps*Pixels {
			t.Fatalf("%s: %d values, want %d", c.kind, len(out), steps*Pixels)
		}
		codes := m.EncodeLabeled(x, labels, 2, nil)
		d := m.CodeDim()
		endLabels := labels
		if c.digit >= 0 {
			endLabels = []uint8{uint8(c.digit), uint8(c.digit)}
		}
		ends := m.DecodeLabeled(codes, endLabels, 2)
		if i := closeTo(out[:Pixels], ends[:Pixels]); i >= 0 {
			t.Errorf("%s digit %d: the first step is not the first image's decode (pixel %d)", c.kind, c.digit, i)
		}
		if i := closeTo(out[(steps-1)*Pixels:], ends[Pixels:]); i >= 0 {
			t.Errorf("%s digit %d: the last step is not the second image's decode (pixel %d)", c.kind, c.digit, i)
		}
		// a middle step is the decode of the middle code
		mid := Lerp(codes[:d], codes[d:], steps)[35*d : 36*d]
		if c.kind != CVAE || c.digit >= 0 {
			want := m.DecodeLabeled(mid, endLabels[:1], 1)
			if i := closeTo(out[35*Pixels:36*Pixels], want); i >= 0 {
				t.Errorf("%s digit %d: step 35 is not the decode of the code on the line (pixel %d)", c.kind, c.digit, i)
			}
		} else {
			// the soft label: neither a's nor b's digit alone
			for _, y := range labels {
				if closeTo(out[35*Pixels:36*Pixels], m.DecodeLabeled(mid, []uint8{y}, 1)) < 0 {
					t.Errorf("cvae: step 35 of the walk from a 3 to a 7 is drawn as a %d alone", y)
				}
			}
		}
	}
}
