package viz

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// Ticks is the plot.Ticker of every axis latent draws, so that all plots
// number their axes alike: labelled ticks at the multiples of one step of
// 1, 2 or 5 × 10^k (four to seven of them), every label of an axis with the
// decimals that step needs ("0.05 0.10 0.15", "100 150 200"), never an
// exponent or "-0"; an unlabelled minor tick halfway between labels.
type Ticks struct {
	// Integer keeps the step at 1 or more, for counts such as epochs.
	Integer bool
}

var _ plot.Ticker = Ticks{}

// tickTarget is the number of intervals between labelled ticks aimed at.
const tickTarget = 5

// Ticks returns the ticks for the data range [lo, hi].
func (t Ticks) Ticks(lo, hi float64) []plot.Tick {
	if !finite(lo) || !finite(hi) {
		return nil
	}
	if !(hi > lo) { // one value: label it alone
		return []plot.Tick{{Value: lo, Label: TickLabel(lo, decimalsFor(lo))}}
	}
	step := niceStep((hi - lo) / tickTarget)
	if t.Integer {
		step = max(step, 1)
	}
	dec := decimalsOf(step)
	k0 := math.Ceil(lo/step - 1e-9)
	var ticks []plot.Tick
	if m := (k0 - 0.5) * step; m >= lo {
		ticks = append(ticks, plot.Tick{Value: m})
	}
	for k := k0; k*step <= hi+step*1e-9; k++ {
		v := k * step
		ticks = append(ticks, plot.Tick{Value: v, Label: TickLabel(v, dec)})
		if m := v + step/2; m <= hi {
			ticks = append(ticks, plot.Tick{Value: m})
		}
	}
	return ticks
}

// niceStep rounds raw to 1, 2 or 5 × 10^k.
func niceStep(raw float64) float64 {
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	switch f := raw / mag; {
	case f < 1.5:
		return mag
	case f < 3.5:
		return 2 * mag
	case f < 7.5:
		return 5 * mag
	}
	return 10 * mag
}

// decimalsOf is the number of decimals that writes every multiple of a step
// of 1, 2 or 5 × 10^k exactly: 2 for 0.05, 0 for 20.
func decimalsOf(step float64) int {
	return min(12, max(0, -int(math.Floor(math.Log10(step)+1e-9))))
}

// decimalsFor is the number of decimals that shows v to about 3 significant
// digits (for an axis with a single value).
func decimalsFor(v float64) int {
	if v == 0 {
		return 0
	}
	return min(12, max(0, 2-int(math.Floor(math.Log10(math.Abs(v))))))
}

// TickLabel writes v with dec decimals and no exponent, as every axis label
// of latent's plots is written; a value that rounds to zero is "0" with its
// decimals, never "-0".
func TickLabel(v float64, dec int) string {
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if s[0] == '-' {
		if z, err := strconv.ParseFloat(s, 64); err == nil && z == 0 {
			s = s[1:]
		}
	}
	return s
}
