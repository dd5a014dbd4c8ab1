package tsne

import (
	"math"
	"math/rand/v2"

	"latent/tensor"
)

// Power iteration limits for the principal components.
const (
	powerSteps = 5000
	powerTol   = 1e-12
)

// pcaInit projects the centred points on their top two principal components
// (power iteration on the d×d covariance, each component's sign fixed so that
// its largest-magnitude coordinate is positive) and scales the map so that
// the first coordinate has standard deviation 1e-4, as openTSNE. A component
// with no variance (d = 1, or all points equal) is replaced by noise drawn
// from seed.
func pcaInit(x []float32, n, d int, seed uint64, threads int) []float64 {
	// centred columns: xt[t*n + i] = x[i][t] − mean_t
	xt := make([]float64, d*n)
	parallelFor(d, 1, threads, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			col := xt[t*n : (t+1)*n]
			var m float64
			for i := range n {
				col[i] = float64(x[i*d+t])
				m += col[i]
			}
			m /= float64(n)
			for i := range col {
				col[i] -= m
			}
		}
	})
	cov := make([]float64, d*d)
	parallelFor(d, 1, threads, func(lo, hi int) {
		for a := lo; a < hi; a++ {
			for b := a; b < d; b++ {
				cov[a*d+b] = tensor.Dot(xt[a*n:(a+1)*n], xt[b*n:(b+1)*n]) / float64(n)
			}
		}
	})
	for a := range d {
		for b := range a {
			cov[a*d+b] = cov[b*d+a]
		}
	}
	v1, l1 := powerIteration(cov, d, nil)
	v2, l2 := powerIteration(cov, d, v1)

	y := make([]float64, 2*n)
	rng := rand.New(rand.NewPCG(seed, 0x7453_4e45))
	for c, v := range [][]float64{v1, v2} {
		l := []float64{l1, l2}[c]
		if !(l > 1e-12*math.Max(l1, 0)) || l <= 0 {
			for i := range n {
				y[2*i+c] = rng.NormFloat64()
			}
			continue
		}
		proj := make([]float64, n)
		for t, w := range v {
			col := xt[t*n : (t+1)*n]
			for i, xv := range col {
				proj[i] += w * xv
			}
		}
		for i, p := range proj {
			y[2*i+c] = p
		}
	}
	var m, ss float64
	for i := range n {
		m += y[2*i]
	}
	m /= float64(n)
	for i := range n {
		ss += (y[2*i] - m) * (y[2*i] - m)
	}
	std := math.Sqrt(ss / float64(n))
	if !(std > 0) {
		std = 1
	}
	for i := range y {
		y[i] *= 1e-4 / std
	}
	return y
}

// powerIteration returns the unit leading eigenvector of the symmetric d×d
// matrix a restricted to the complement of orth (if not nil), with its sign
// fixed (largest-magnitude coordinate positive), and its eigenvalue.
func powerIteration(a []float64, d int, orth []float64) ([]float64, float64) {
	v := make([]float64, d)
	w := make([]float64, d)
	rng := rand.New(rand.NewPCG(1, 2)) // a fixed, generic start
	for t := range v {
		v[t] = 1 + 0.5*rng.Float64()
	}
	project := func(u []float64) {
		if orth == nil {
			return
		}
		s := tensor.Dot(u, orth)
		for t := range u {
			u[t] -= s * orth[t]
		}
	}
	normalise := func(u []float64) float64 {
		s := math.Sqrt(tensor.Dot(u, u))
		if s > 0 {
			for t := range u {
				u[t] /= s
			}
		}
		return s
	}
	project(v)
	if normalise(v) == 0 {
		return v, 0
	}
	var lambda float64
	for range powerSteps {
		for r := range d {
			w[r] = tensor.Dot(a[r*d:(r+1)*d], v)
		}
		project(w)
		lambda = normalise(w)
		if lambda == 0 {
			return w, 0
		}
		var diff float64
		for t := range v {
			diff = math.Max(diff, math.Abs(w[t]-v[t]))
		}
		v, w = w, v
		if diff < powerTol {
			break
		}
	}
	big := 0
	for t := range v {
		if math.Abs(v[t]) > math.Abs(v[big]) {
			big = t
		}
	}
	if v[big] < 0 {
		for t := range v {
			v[t] = -v[t]
		}
	}
	return v, lambda
}
