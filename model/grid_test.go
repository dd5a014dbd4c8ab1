package model

import (
	"testing"

	"latent/nn"
)

// The grids and output paddings follow from the image side alone: for MNIST
// they are the seed's 28 → 14 → 7 → 4 and output paddings 0, 1, 1 (ConvT1..3).
func TestGridFollowsFromTheImage(t *testing.T) {
	for _, c := range []struct {
		side int
		want [4]int
	}{{28, [4]int{28, 14, 7, 4}}, {32, [4]int{32, 16, 8, 4}}, {64, [4]int{64, 32, 16, 8}}, {27, [4]int{27, 14, 7, 4}}} {
		g := nn.ConvSides(c.side)
		if g != c.want {
			t.Errorf("grids(%d) = %v, want %v", c.side, g, c.want)
		}
		for i := 1; i < 4; i++ {
			op := g[i-1] - (2*g[i] - 1)
			if op != 0 && op != 1 {
				t.Errorf("side %d: grid %d → %d needs output padding %d", c.side, g[i], g[i-1], op)
			}
		}
	}
	if Grid != [4]int{28, 14, 7, 4} || outPad(3) != 0 || outPad(2) != 1 || outPad(1) != 1 {
		t.Fatalf("MNIST grid %v, output paddings %d %d %d: want the seed's 28 14 7 4 and 0 1 1", Grid, outPad(3), outPad(2), outPad(1))
	}
	if c := Seed(VAE).CodeSize(); c != 128 {
		t.Fatalf("seed code size %d, want 8·4·4 = 128", c)
	}
	wide := Config{Kind: AE, Width: SeedWidth(2)}
	if s := wide.CodeShape(); s != [3]int{16, 4, 4} || s[0]*s[1]*s[2] != wide.CodeSize() {
		t.Fatalf("width-2 code shape %v (size %d), want 16×4×4 = 256", s, wide.CodeSize())
	}
}
