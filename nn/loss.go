package nn

import (
	"math"

	"latent/tensor"
)

// SquaredError returns Σ (y[i] - x[i])², accumulated in float64 (in
// independent partial sums, tensor.SquaredDiffSum).
func SquaredError(y, x []float32) float64 { return tensor.SquaredDiffSum(y, x) }

// SquaredErrorTanhBackward returns SquaredError(y, x) and sets dy to the
// gradient of scale·Σ(y-x)² with respect to the input of the tanh whose
// output is y: dy[i] = scale·2·(y[i] - x[i])·(1 - y[i]²). One pass instead of
// SquaredError, SquaredErrorBackward and tensor.TanhBackward; the float64 sum
// runs in independent partial sums (tensor.SquaredErrorTanhGrad).
func SquaredErrorTanhBackward(dy, y, x []float32, scale float32) float64 {
	return tensor.SquaredErrorTanhGrad(dy, y, x, scale)
}

// SquaredErrorBackward sets dy[i] = scale·2·(y[i] - x[i]): the gradient of
// scale·Σ(y-x)². scale is 1 for the summed loss and 1/count for the mean.
func SquaredErrorBackward(dy, y, x []float32, scale float32) {
	x = x[:len(y)]
	dy = dy[:len(y)]
	s := 2 * scale
	for i, v := range y {
		dy[i] = s * (v - x[i])
	}
}

// KL returns KL(N(mu, exp(logvar)) || N(0, I)) summed over all elements:
// -½ Σ (1 + logvar - mu² - exp(logvar)) (Kingma & Welling 2014, appendix B).
func KL(mu, logvar []float32) float64 {
	logvar = logvar[:len(mu)]
	var s float64
	for i, m := range mu {
		lv := float64(logvar[i])
		s += 1 + lv - float64(m)*float64(m) - math.Exp(lv)
	}
	return -0.5 * s
}

// KLBackward adds beta times the KL's gradient: dmu += β·mu, dlogvar += β·½(exp(logvar) - 1).
func KLBackward(dmu, dlogvar, mu, logvar []float32, beta float32) {
	logvar = logvar[:len(mu)]
	dmu = dmu[:len(mu)]
	dlogvar = dlogvar[:len(mu)]
	for i, m := range mu {
		dmu[i] += beta * m
		dlogvar[i] += beta * 0.5 * (exp32(logvar[i]) - 1)
	}
}

// Reparameterize sets z = mu + eps·exp(logvar/2).
func Reparameterize(z, mu, logvar, eps []float32) {
	logvar = logvar[:len(mu)]
	eps = eps[:len(mu)]
	z = z[:len(mu)]
	for i, m := range mu {
		z[i] = m + eps[i]*exp32(0.5*logvar[i])
	}
}

// ReparameterizeBackward sets dmu = dz and dlogvar = dz·eps·½exp(logvar/2).
func ReparameterizeBackward(dmu, dlogvar, dz, logvar, eps []float32) {
	logvar = logvar[:len(dz)]
	eps = eps[:len(dz)]
	dmu = dmu[:len(dz)]
	dlogvar = dlogvar[:len(dz)]
	for i, g := range dz {
		dmu[i] = g
		dlogvar[i] = g * eps[i] * 0.5 * exp32(0.5*logvar[i])
	}
}

func exp32(x float32) float32 { return tensor.Exp32(x) }
