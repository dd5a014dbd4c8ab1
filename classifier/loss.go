package classifier

import "math"

// The softmax cross-entropy over feature-major logits: z, p and dz are
// [10][n] (class k of image i at k·n + i), labels is [n]. Generic so that the
// gradient test can run the same code in float64.

// Softmax sets p[k,i] = exp(z[k,i] - m_i) / Σ_j exp(z[j,i] - m_i), with m_i the
// image's largest logit (so no exp overflows), computed in float64.
func Softmax[T float32 | float64](p, z []T, n int) {
	_, _ = p[Classes*n-1], z[Classes*n-1]
	var e [Classes]float64
	for i := range n {
		m := float64(z[i])
		for k := 1; k < Classes; k++ {
			m = max(m, float64(z[k*n+i]))
		}
		s := 0.0
		for k := range Classes {
			e[k] = math.Exp(float64(z[k*n+i]) - m)
			s += e[k]
		}
		for k := range Classes {
			p[k*n+i] = T(e[k] / s)
		}
	}
}

// CrossEntropy returns Σ_i -log softmax(z)[y_i, i] = Σ_i (logsumexp_k z[k,i] -
// z[y_i, i]), from the logits (not the rounded probabilities, which can be 0),
// in float64.
func CrossEntropy[T float32 | float64](z []T, labels []uint8, n int) float64 {
	_ = z[Classes*n-1]
	var loss float64
	for i, y := range labels[:n] {
		m := float64(z[i])
		for k := 1; k < Classes; k++ {
			m = max(m, float64(z[k*n+i]))
		}
		s := 0.0
		for k := range Classes {
			s += math.Exp(float64(z[k*n+i]) - m)
		}
		loss += m + math.Log(s) - float64(z[int(y)*n+i])
	}
	return loss
}

// CrossEntropyBackward sets dz = scale·(p - onehot(y)): the gradient of
// scale·CrossEntropy(z) with p = Softmax(z).
func CrossEntropyBackward[T float32 | float64](dz, p []T, labels []uint8, n int, scale T) {
	_, _ = dz[Classes*n-1], p[Classes*n-1]
	for k := range Classes {
		for i := range n {
			dz[k*n+i] = scale * p[k*n+i]
		}
	}
	for i, y := range labels[:n] {
		dz[int(y)*n+i] -= scale
	}
}
