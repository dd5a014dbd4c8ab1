package viz

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot"
)

// labelled returns the labelled ticks.
func labelled(ticks []plot.Tick) []plot.Tick {
	var out []plot.Tick
	for _, t := range ticks {
		if !t.IsMinor() {
			out = append(out, t)
		}
	}
	return out
}

// decimals is the number of digits after the point in a label.
func decimals(s string) int {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}

func TestTicksOneFormat(t *testing.T) {
	for _, tc := range []struct {
		name    string
		lo, hi  float64
		integer bool
	}{
		{"AE loss", 0.016, 0.36, false}, // gonum's default labels this 0.05 0.2 0.35
		{"KL", 12.4, 17.1, false},
		{"VAE loss", 98, 235, false},
		{"tiny", 1e-6, 4e-5, false},
		{"large", 0, 48000, false},
		{"around zero", -0.3, 0.2, false},
		{"t-SNE", -43.2, 41.7, false},
		{"share", 0, 1, false},
		{"epochs", 1, 10, true},
		{"few epochs", 1, 3, true},
		{"many epochs", 1, 200, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ticks := Ticks{Integer: tc.integer}.Ticks(tc.lo, tc.hi)
			lab := labelled(ticks)
			if len(lab) < 2 || len(lab) > 8 {
				t.Fatalf("%d labelled ticks (%v), want 2..8", len(lab), lab)
			}
			dec := decimals(lab[0].Label)
			step := lab[1].Value - lab[0].Value
			for i, tk := range lab {
				if tk.Value < tc.lo-1e-12 || tk.Value > tc.hi+1e-12 {
					t.Errorf("tick %v outside the data range [%v, %v]", tk.Value, tc.lo, tc.hi)
				}
				if strings.ContainsAny(tk.Label, "eE") || tk.Label == "-0" || strings.HasPrefix(tk.Label, "-0.") && strings.Trim(tk.Label, "-0.") == "" {
					t.Errorf("label %q: exponent or negative zero", tk.Label)
				}
				if d := decimals(tk.Label); d != dec {
					t.Errorf("labels %q and %q have different decimals", lab[0].Label, tk.Label)
				}
				v, err := strconv.ParseFloat(tk.Label, 64)
				if err != nil || math.Abs(v-tk.Value) > 1e-9*math.Max(1, math.Abs(tk.Value)) {
					t.Errorf("label %q does not read back as its value %v", tk.Label, tk.Value)
				}
				if i > 0 && math.Abs(tk.Value-lab[i-1].Value-step) > 1e-9*step {
					t.Errorf("uneven steps: %v", lab)
				}
				if tc.integer && tk.Value != math.Trunc(tk.Value) {
					t.Errorf("integer axis labelled %q", tk.Label)
				}
			}
			// the step is 1, 2 or 5 × 10^k
			m := step / math.Pow(10, math.Floor(math.Log10(step)+1e-9))
			if math.Abs(m-1) > 1e-6 && math.Abs(m-2) > 1e-6 && math.Abs(m-5) > 1e-6 {
				t.Errorf("step %v is not 1, 2 or 5 × 10^k", step)
			}
			if len(ticks) == len(lab) {
				t.Errorf("no minor ticks")
			}
		})
	}
	// degenerate ranges give one label or none, never a panic
	if got := (Ticks{}).Ticks(3, 3); len(got) != 1 || got[0].Label != "3.00" {
		t.Errorf("one value: %v", got)
	}
	if got := (Ticks{}).Ticks(math.NaN(), 1); got != nil {
		t.Errorf("NaN range: %v", got)
	}
}

func TestTickLabel(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		dec  int
		want string
	}{
		{0.05, 2, "0.05"}, {0.2, 2, "0.20"}, {100, 0, "100"}, {-1e-17, 1, "0.0"}, {math.Copysign(0, -1), 0, "0"},
		{-0.5, 1, "-0.5"}, {48000, 0, "48000"}, {1e-5, 5, "0.00001"},
	} {
		if got := TickLabel(tc.v, tc.dec); got != tc.want {
			t.Errorf("TickLabel(%v, %d) = %q, want %q", tc.v, tc.dec, got, tc.want)
		}
	}
}

// TestPlotsUseOneTicker checks that every axis of the plots is numbered by
// Ticks (whole numbers for epochs), unless the panel fixes its x ticks.
func TestPlotsUseOneTicker(t *testing.T) {
	p := newPlot("t", "x", "y")
	for name, a := range map[string]plot.Axis{"x": p.X, "y": p.Y} {
		if _, ok := a.Tick.Marker.(Ticks); !ok {
			t.Errorf("%s axis ticker %T, want viz.Ticks", name, a.Tick.Marker)
		}
	}
	x, series := curves(5)
	lp := linePlot(Panel{X: x, Series: series}, []string{"train", "validation", "KL"})
	if m, ok := lp.X.Tick.Marker.(Ticks); !ok || !m.Integer {
		t.Errorf("epoch axis ticker %#v, want viz.Ticks{Integer: true}", lp.X.Tick.Marker)
	}
	lp = linePlot(Panel{X: []float64{0.5, 1, 2.5}, Series: []Series{{"train", []float64{3, 2, 1}}}}, []string{"train"})
	if m, ok := lp.X.Tick.Marker.(Ticks); !ok || m.Integer {
		t.Errorf("fractional x axis ticker %#v, want viz.Ticks{}", lp.X.Tick.Marker)
	}
	fixed := []plot.Tick{{Value: 0, Label: "0"}, {Value: 1, Label: "2"}}
	lp = linePlot(Panel{X: []float64{0, 1}, Series: []Series{{"train", []float64{3, 2}}}, XTicks: fixed}, []string{"train"})
	if m, ok := lp.X.Tick.Marker.(plot.ConstantTicks); !ok || len(m) != 2 {
		t.Errorf("XTicks given: ticker %#v, want those ticks", lp.X.Tick.Marker)
	}
}
