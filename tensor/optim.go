package tensor

import "math"

// AdamStep applies Adam's update to params from grads, with moments m and v
// updated in place (PyTorch's single-tensor order, see nn.Adam):
//
//	m = β1·m + (1-β1)·g;  v = β2·v + (1-β2)·g²
//	p -= step · m / (sqrt(v)/bc2sqrt + ε)
//
// The vector path computes exactly these float32 expressions (no fused
// multiply-add), so it gives the same bits as the scalar loop.
func AdamStep(params, grads, m, v []float32, b1, b2, c1, c2, step, bc2sqrt, eps float32) {
	n := len(params)
	grads, m, v = grads[:n], m[:n], v[:n]
	i := 0
	if n8 := n &^ 7; useAsm && n8 > 0 {
		k := [8]float32{b1, b2, c1, c2, step, bc2sqrt, eps}
		adam8(&params[0], &grads[0], &m[0], &v[0], n8, &k)
		i = n8
	}
	for ; i < n; i++ {
		g := grads[i]
		m[i] = m[i]*b1 + g*c1
		v[i] = v[i]*b2 + g*g*c2
		denom := float32(math.Sqrt(float64(v[i])))/bc2sqrt + eps
		params[i] -= step * (m[i] / denom)
	}
}

// SquaredErrorTanhGrad returns Σ (y[i] - x[i])² (in float64) and sets
// dy[i] = 2·scale·(y[i] - x[i])·(1 - y[i]²): the loss scale·Σ(y-x)² and its
// gradient through the tanh whose output is y, in one pass. The float32
// gradient is the same in both paths; the float64 sum's order differs.
func SquaredErrorTanhGrad(dy, y, x []float32, scale float32) float64 {
	x = x[:len(y)]
	dy = dy[:len(y)]
	s := 2 * scale
	var s0, s1, s2, s3 float64
	i := 0
	if n8 := len(y) &^ 7; useAsm && n8 > 0 {
		s0, i = sqErrTanh8(&dy[0], &y[0], &x[0], n8, s), n8
	}
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

// SquaredDiffSum returns Σ (y[i] - x[i])², the float32 differences squared
// and accumulated in float64 (independent partial sums).
func SquaredDiffSum(y, x []float32) float64 {
	x = x[:len(y)]
	var s0, s1, s2, s3 float64
	i := 0
	if n8 := len(y) &^ 7; useAsm && n8 > 0 {
		s0, i = sqDiff8(&y[0], &x[0], n8), n8
	}
	for ; i+4 <= len(y); i += 4 {
		d0, d1, d2, d3 := float64(y[i]-x[i]), float64(y[i+1]-x[i+1]), float64(y[i+2]-x[i+2]), float64(y[i+3]-x[i+3])
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; i < len(y); i++ {
		d := float64(y[i] - x[i])
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}
