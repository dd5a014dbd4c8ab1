package classifier

import (
	"math"
	"strings"
	"testing"

	"latent/internal/limits"
)

// TestValidateUsesTheLimits: the classifier's settings are refused by the
// same table the flags use, and the error names the setting.
func TestValidateUsesTheLimits(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(*Config)
		ok   bool
	}{
		{"default", func(*Config) {}, true},
		{"epochs", func(c *Config) { c.Epochs = 0 }, false},
		{"epochs", func(c *Config) { c.Epochs = limits.Epochs.Max }, true},
		{"batch", func(c *Config) { c.Batch = limits.Batch.Max + 1 }, false},
		{"lr", func(c *Config) { c.LR = 0 }, false},
		{"lr", func(c *Config) { c.LR = math.NaN() }, false},
		{"shift", func(c *Config) { c.Shift = limits.Shift.Max + 1 }, false},
		{"shift", func(c *Config) { c.Shift = -1 }, false},
		{"shift", func(c *Config) { c.Shift = 0 }, true},
		{"hidden", func(c *Config) { c.Arch.Hidden = 0 }, false},
		{"layer width", func(c *Config) { c.Arch.Width[1] = limits.LayerWidth.Max + 1 }, false},
	} {
		cfg := DefaultConfig()
		c.edit(&cfg)
		err := cfg.Validate()
		if (err == nil) != c.ok || (err != nil && !strings.Contains(err.Error(), c.name+" must be")) {
			t.Errorf("%s: %v (want ok %v)", c.name, err, c.ok)
		}
	}
}
