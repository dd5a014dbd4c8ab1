// Package limits is the one table of the values latent accepts for its
// settings: the command line's flag checks and the validation of train.Config
// and model.Config both read it, so a range is written once.
package limits

import (
	"fmt"
	"math"
)

// Int is the closed range Min..Max of a whole-number setting called Name
// (its flag's name).
type Int struct {
	Name     string
	Min, Max int
}

// Check reports v outside the range, naming the setting.
func (r Int) Check(v int) error {
	if v < r.Min || v > r.Max {
		return fmt.Errorf("%s must be in %d..%d, got %d", r.Name, r.Min, r.Max, v)
	}
	return nil
}

// Float is the range of a real-valued setting: from Min (excluded when
// MinOpen) to Max (included; +Inf: any finite number). NaN and infinities are
// always refused.
type Float struct {
	Name     string
	Min, Max float64
	MinOpen  bool
}

// Check reports v outside the range, naming the setting.
func (r Float) Check(v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < r.Min || (r.MinOpen && v == r.Min) || v > r.Max {
		return fmt.Errorf("%s must be %s, got %g", r.Name, r.String(), v)
	}
	return nil
}

// String is the range as the messages write it: "in (0, 10]", "a finite number ≥ 0".
func (r Float) String() string {
	if math.IsInf(r.Max, 1) {
		if r.MinOpen {
			return fmt.Sprintf("a finite number > %g", r.Min)
		}
		return fmt.Sprintf("a finite number ≥ %g", r.Min)
	}
	open := "["
	if r.MinOpen {
		open = "("
	}
	return fmt.Sprintf("in %s%g, %g]", open, r.Min, r.Max)
}

// The settings' ranges.
var (
	Epochs     = Int{"epochs", 1, 100000}
	Batch      = Int{"batch", 1, 65536}
	Threads    = Int{"threads", 1, 1024}
	Latent     = Int{"latent", 1, 4096}
	Width      = Int{"width", 1, 16}         // the multiplier of the seed's channels
	LayerWidth = Int{"layer width", 1, 1024} // one layer's channels
	Prior      = Int{"prior", 0, 4096}       // mixture components fitted after training (0: none)
	Components = Int{"components", 1, 4096}  // of a mixture prior fitted on its own
	Iterations = Int{"iterations", 1, 10000} // EM iterations of a prior
	KLCycles   = Int{"kl-cycles", 0, 100000} // and at most the epochs
	Samples    = Int{"samples", 2, 100000}   // judged samples
	IWSamples  = Int{"iw-samples", 0, 1000000}
	IWImages   = Int{"iw-images", 1, 1 << 30}
	Shift      = Int{"shift", 0, 8}     // the classifier's augmentation, in pixels
	Hidden     = Int{"hidden", 1, 4096} // the classifier's feature layer

	LR               = Float{Name: "lr", Min: 0, Max: math.Inf(1), MinOpen: true}
	Beta             = Float{Name: "beta", Min: 0, Max: math.Inf(1)}
	KLWarmup         = Float{Name: "kl-warmup", Min: 0, Max: math.Inf(1)}
	FreeBits         = Float{Name: "free-bits", Min: 0, Max: math.Inf(1)}
	PriorTemperature = Float{Name: "prior-temperature", Min: 0, Max: 10, MinOpen: true}
)
