package limits

import (
	"math"
	"strings"
	"testing"
)

func TestChecks(t *testing.T) {
	for _, c := range []struct {
		r  Float
		v  float64
		ok bool
	}{
		{PriorTemperature, 0.7, true}, {PriorTemperature, 10, true}, {PriorTemperature, 0, false}, {PriorTemperature, 10.01, false},
		{PriorTemperature, math.NaN(), false}, {Beta, 0, true}, {Beta, -1e-9, false}, {Beta, math.Inf(1), false},
		{LR, 0, false}, {LR, 1e-3, true}, {LR, math.MaxFloat64, true},
	} {
		err := c.r.Check(c.v)
		if (err == nil) != c.ok || (err != nil && !strings.HasPrefix(err.Error(), c.r.Name+" must be")) {
			t.Errorf("%s %g: %v, want ok %v", c.r.Name, c.v, err, c.ok)
		}
	}
	for _, c := range []struct {
		r  Int
		v  int
		ok bool
	}{{Epochs, 0, false}, {Epochs, 1, true}, {Epochs, 100000, true}, {Epochs, 100001, false}, {Prior, 0, true}, {Prior, -1, false}} {
		if err := c.r.Check(c.v); (err == nil) != c.ok {
			t.Errorf("%s %d: %v, want ok %v", c.r.Name, c.v, err, c.ok)
		}
	}
	if got := PriorTemperature.String(); got != "in (0, 10]" {
		t.Errorf("prior temperature range reads %q", got)
	}
}
