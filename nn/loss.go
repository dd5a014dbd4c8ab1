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

// BernoulliNLL returns -Σ log p(x | logits) for pixels x in [-1, 1] read as
// probabilities t = (x+1)/2: Σ softplus(l) - t·l (binary cross-entropy on
// logits, in nats), accumulated in float64.
func BernoulliNLL(logits, x []float32) float64 {
	x = x[:len(logits)]
	var s float64
	for i, l := range logits {
		lf := float64(l)
		t := (float64(x[i]) + 1) / 2
		// softplus(l) = max(l, 0) + log1p(exp(-|l|)), stable for any l
		s += math.Max(lf, 0) + math.Log1p(math.Exp(-math.Abs(lf))) - t*lf
	}
	return s
}

// BernoulliNLLBackward sets dl = scale·(sigmoid(l) - t) from the decoded image
// y = tanh(l/2) = 2·sigmoid(l) - 1, so that sigmoid(l) - t = (y - x)/2.
func BernoulliNLLBackward(dl, y, x []float32, scale float32) {
	x = x[:len(y)]
	dl = dl[:len(y)]
	s := scale / 2
	for i, v := range y {
		dl[i] = s * (v - x[i])
	}
}

// HalfLog2Pi is ½·log(2π), the constant of a unit Gaussian's log-density.
const HalfLog2Pi = 0.91893853320467274178

// GaussianNLL returns -Σ log N(x; y, σ²) with one σ = exp(logSigma) shared by
// all pixels: Σ (x-y)²/(2σ²) + count·(logσ + ½log 2π).
func GaussianNLL(y, x []float32, logSigma float32) float64 {
	ls := float64(logSigma)
	se := SquaredError(y, x)
	return se/(2*math.Exp(2*ls)) + float64(len(y))*(ls+HalfLog2Pi)
}

// GaussianNLLBackward sets dy = scale·(y-x)/σ² and returns the gradient of
// scale·GaussianNLL with respect to logσ: scale·(count - Σ(x-y)²/σ²).
func GaussianNLLBackward(dy, y, x []float32, logSigma, scale float32) float32 {
	x = x[:len(y)]
	dy = dy[:len(y)]
	inv := math.Exp(-2 * float64(logSigma))
	s := scale * float32(inv)
	for i, v := range y {
		dy[i] = s * (v - x[i])
	}
	return scale * float32(float64(len(y))-SquaredError(y, x)*inv)
}
