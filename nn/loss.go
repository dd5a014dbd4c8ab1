package nn

import (
	"math"

	"latent/tensor"
)

// SquaredError returns Σ (y[i] - x[i])², accumulated in float64.
func SquaredError(y, x []float32) float64 {
	x = x[:len(y)]
	var s float64
	for i, v := range y {
		d := float64(v - x[i])
		s += d * d
	}
	return s
}

// SquaredErrorTanhBackward returns SquaredError(y, x) and sets dy to the
// gradient of scale·Σ(y-x)² with respect to the input of the tanh whose
// output is y: dy[i] = scale·2·(y[i] - x[i])·(1 - y[i]²). One pass instead of
// SquaredError, SquaredErrorBackward and tensor.TanhBackward; the float64 sum
// runs in four independent partial sums.
func SquaredErrorTanhBackward(dy, y, x []float32, scale float32) float64 {
	x = x[:len(y)]
	dy = dy[:len(y)]
	s := 2 * scale
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(y); i += 4 {
		v0, v1, v2, v3 := y[i], y[i+1], y[i+2], y[i+3]
		d0, d1, d2, d3 := v0-x[i], v1-x[i+1], v2-x[i+2], v3-x[i+3]
		s0 += float64(d0) * float64(d0)
		s1 += float64(d1) * float64(d1)
		s2 += float64(d2) * float64(d2)
		s3 += float64(d3) * float64(d3)
		dy[i] = s * d0 * (1 - v0*v0)
		dy[i+1] = s * d1 * (1 - v1*v1)
		dy[i+2] = s * d2 * (1 - v2*v2)
		dy[i+3] = s * d3 * (1 - v3*v3)
	}
	for ; i < len(y); i++ {
		v := y[i]
		d := v - x[i]
		s0 += float64(d) * float64(d)
		dy[i] = s * d * (1 - v*v)
	}
	return (s0 + s1) + (s2 + s3)
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
