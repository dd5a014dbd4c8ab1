package report

import (
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"latent/mnist"
	"latent/model"
	"latent/train"
)

// strokes is a set of n 28×28 images, each a bright bar whose place
// depends on its label.
func strokes(n int, seed uint64) *mnist.Set {
	rng := rand.New(rand.NewPCG(seed, 3))
	s := &mnist.Set{N: n, Rows: model.Side, Cols: model.Side, Images: make([]uint8, n*model.Pixels), Labels: make([]uint8, n)}
	for i := range n {
		l := uint8(i % 10)
		s.Labels[i] = l
		img := s.Image(i)
		for y := 4; y < 24; y++ {
			for x := 2 + 2*int(l); x < 5+2*int(l); x++ {
				img[y*model.Side+x] = uint8(200 + rng.IntN(56))
			}
		}
	}
	return s
}

func history(epochs int) []train.Metrics {
	h := make([]train.Metrics, epochs)
	for i := range h {
		e := float64(i + 1)
		h[i] = train.Metrics{Epoch: i + 1, TrainLoss: 100 / e, ValLoss: 110 / e, TrainRec: 90 / e, ValRec: 95 / e, TrainKL: 10 + e, ValKL: 11 + e}
	}
	return h
}

func newModel(t *testing.T, cfg model.Config) *model.Model {
	t.Helper()
	m, err := model.New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// drawSmall draws every figure of the report for untrained models with cfg.
func drawSmall(t *testing.T, ae, vae model.Config) (string, []Figure) {
	t.Helper()
	dir := t.TempDir()
	figs, err := Draw(Inputs{
		Dir: dir, AE: newModel(t, ae), VAE: newModel(t, vae),
		AEHistory: history(3), VAEHistory: history(3),
		Train: strokes(100, 1), Test: strokes(120, 2), Seed: 1, Threads: 1,
		TSNEPoints: 120, ValImages: 12000,
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir, figs
}

// TestCaptionsFollowTheModel draws the report for a --width 2 --latent 16
// pair of models: every caption that names the code's shape or size says
// what these models have, not the seed's 8×4×4 = 128 and 8.
func TestCaptionsFollowTheModel(t *testing.T) {
	ae := model.Config{Kind: model.AE, Width: model.SeedWidth(2)}
	vae := model.Config{Kind: model.VAE, Latent: 16, Width: model.SeedWidth(2)}
	_, figs := drawSmall(t, ae, vae)
	captions := map[string]string{}
	for _, f := range figs {
		captions[f.File] = f.Caption
		for _, seed := range []string{"8×4×4", "128", "(8 numbers)"} {
			if strings.Contains(f.Caption, seed) {
				t.Errorf("%s: caption %q names the seed model's %q", f.File, f.Caption, seed)
			}
		}
	}
	for file, want := range map[string]string{
		"ae_reconstructions.png":  "16×4×4 = 256-number code",
		"ae_random_codes.png":     "codes of shape 16×4×4 = 256",
		"ae_tsne.png":             "the 256-number codes",
		"vae_reconstructions.png": "(16 numbers)",
		"vae_tsne.png":            "the means mu (16 numbers)",
		"vae_samples.png":         "100 digits",
		"data.png":                "64 training images",
		"ae_curves.png":           "12,000 held-out validation images",
	} {
		if c, ok := captions[file]; !ok {
			t.Errorf("no figure %s", file)
		} else if !strings.Contains(c, want) {
			t.Errorf("%s: caption %q does not say %q", file, c, want)
		}
	}
	// the seed's shape is derived the same way
	if got := codeShape(newModel(t, model.Seed(model.AE))); got != "8×4×4 = 128" {
		t.Errorf("seed code shape %q, want 8×4×4 = 128", got)
	}
}

// TestFiguresFitTheColumn checks that report.html can show every figure at
// its own size: none is wider than DisplayWidth, so no text is shrunk.
func TestFiguresFitTheColumn(t *testing.T) {
	dir, figs := drawSmall(t, model.Seed(model.AE), model.Seed(model.VAE))
	if len(figs) < 10 {
		t.Fatalf("%d figures, want the 10 of the report", len(figs))
	}
	for _, f := range figs {
		r, err := os.Open(filepath.Join(dir, f.File))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(r)
		r.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.File, err)
		}
		if cfg.Width > DisplayWidth {
			t.Errorf("%s is %d px wide; report.html shows at most %d", f.File, cfg.Width, DisplayWidth)
		}
		if cfg.Width < DisplayWidth/2 {
			t.Errorf("%s is only %d px wide: fitting the column shrank it too far", f.File, cfg.Width)
		}
	}
	if w := Manifold(newModel(t, model.Config{Kind: model.VAE, Latent: 2, Width: model.SeedWidth(1)}), 16).Bounds().Dx(); w > DisplayWidth {
		t.Errorf("the 2-D manifold is %d px wide, more than %d", w, DisplayWidth)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 12000: "12,000", 1234567: "1,234,567", -12000: "-12,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
