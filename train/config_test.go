package train

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"latent/internal/limits"
	"latent/model"
)

// TestValidateUsesTheLimits: Config.Validate refuses exactly what the limits
// table refuses (the same table the flags are checked with), naming the
// setting; a prior temperature of 0 means "unset" (1).
func TestValidateUsesTheLimits(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(*Config)
		ok   bool
	}{
		{"prior-temperature", func(c *Config) { c.PriorTemperature = 10 }, true},
		{"prior-temperature", func(c *Config) { c.PriorTemperature = 10.5 }, false},
		{"prior-temperature", func(c *Config) { c.PriorTemperature = -1 }, false},
		{"prior-temperature", func(c *Config) { c.PriorTemperature = 0 }, true},
		{"epochs", func(c *Config) { c.Epochs = limits.Epochs.Max + 1 }, false},
		{"batch", func(c *Config) { c.Batch = 0 }, false},
		{"lr", func(c *Config) { c.LR = math.Inf(1) }, false},
		{"beta", func(c *Config) { c.Beta = math.NaN() }, false},
		{"free-bits", func(c *Config) { c.FreeBits = -0.1 }, false},
		{"prior", func(c *Config) { c.Prior = limits.Prior.Max + 1 }, false},
		{"kl-cycles", func(c *Config) { c.KLCycles = -1 }, false},
	} {
		cfg := SeedConfig()
		c.edit(&cfg)
		err := cfg.Validate()
		if (err == nil) != c.ok || (err != nil && !strings.HasPrefix(err.Error(), c.name+" must be")) {
			t.Errorf("%s: %v (want ok %v)", c.name, err, c.ok)
		}
	}
}

// TestSavePrior: the prior is fitted, stored in the model and in the file,
// and the note says what it is.
func TestSavePrior(t *testing.T) {
	data := smallData(t)
	m := trainedVAE(t, data)
	path := filepath.Join(t.TempDir(), "model.safetensors")
	meta := map[string]string{"latent.seed": "1"}
	note, err := SavePrior(m, data, PriorConfig{Components: 3, Iterations: 5, Seed: 2, Threads: 2, Temperature: 0.5}, path, meta)
	if err != nil {
		t.Fatal(err)
	}
	if m.Prior == nil || m.Prior.K() != 3 || meta[MetaPrior] != note || !strings.Contains(note, "3 Gaussians") || !strings.Contains(note, "temperature 0.5") {
		t.Errorf("prior %v, note %q, meta %v", m.Prior, note, meta)
	}
	loaded, lmeta, err := model.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Prior == nil || !slices.Equal(loaded.Prior.Means, m.Prior.Means) || lmeta[MetaPrior] != note {
		t.Errorf("the saved model lacks the prior or its note: %v", lmeta)
	}
	if _, err := SavePrior(m, data, PriorConfig{Components: 0, Iterations: 5}, path, meta); err == nil {
		t.Error("0 components accepted")
	}
}

// TestFitPriorUsesTheLimits: FitPrior checks its temperature against the same
// range as Config.Validate (0 is unset), before any encoding.
func TestFitPriorUsesTheLimits(t *testing.T) {
	data := smallData(t)
	m := trainedVAE(t, data)
	for _, c := range []struct {
		temp float64
		ok   bool
	}{{0, true}, {0.7, true}, {limits.PriorTemperature.Max, true}, {limits.PriorTemperature.Max * 1.01, false}, {-0.5, false}, {math.NaN(), false}} {
		_, err := FitPrior(m, data.Set, data.Train[:40], PriorConfig{Components: 2, Iterations: 2, Seed: 1, Threads: 1, Temperature: c.temp})
		if (err == nil) != c.ok || (err != nil && !strings.HasPrefix(err.Error(), "prior-temperature must be")) {
			t.Errorf("temperature %g: %v (want ok %v)", c.temp, err, c.ok)
		}
	}
}
