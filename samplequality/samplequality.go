// Package samplequality scores a set of generated digits with the MNIST
// classifier (package classifier): how many it recognises confidently, how
// evenly they spread over the ten classes, and the Fréchet distance between
// their classifier features and those of real digits (the FID of Heusel et
// al. 2017, with latent's own classifier in place of Inception). All but
// Evaluate and RealStats are pure functions of the probabilities and features.
package samplequality

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"latent/classifier"
	"latent/mnist"
)

// Classes is the number of digit classes.
const Classes = classifier.Classes

// ConfidentAt is the probability above which (inclusive) a digit counts as
// confidently recognised.
const ConfidentAt = 0.9

// rows checks that probs is [n][10] and returns n.
func rows(probs []float32) int {
	if len(probs)%Classes != 0 {
		panic(fmt.Sprintf("samplequality: %d probabilities is not [n][%d]", len(probs), Classes))
	}
	return len(probs) / Classes
}

// Argmax is the most probable class of a row (the first, on a tie).
func Argmax(row []float32) int {
	best := 0
	for k, p := range row {
		if p > row[best] {
			best = k
		}
	}
	return best
}

// ConfidentFraction is the share of the images whose most probable class has
// probability ≥ ConfidentAt. probs is [n][10]; an empty set gives 0.
func ConfidentFraction(probs []float32) float64 {
	n := rows(probs)
	if n == 0 {
		return 0
	}
	c := 0
	for i := range n {
		row := probs[i*Classes : (i+1)*Classes]
		if row[Argmax(row)] >= float32(ConfidentAt) { // float32: a stored 0.9 counts
			c++
		}
	}
	return float64(c) / float64(n)
}

// ClassShares is the share of the images assigned to each class (by their
// most probable class). probs is [n][10]; an empty set gives zeros.
func ClassShares(probs []float32) [Classes]float64 {
	var s [Classes]float64
	n := rows(probs)
	if n == 0 {
		return s
	}
	for i := range n {
		s[Argmax(probs[i*Classes:(i+1)*Classes])]++
	}
	for k := range s {
		s[k] /= float64(n)
	}
	return s
}

// NormalisedEntropy is the entropy of the class shares divided by ln 10: 1
// when every class is equally frequent, 0 when all images fall in one class.
func NormalisedEntropy(shares [Classes]float64) float64 {
	h := 0.0
	for _, p := range shares {
		if p > 0 {
			h -= p * math.Log(p)
		}
	}
	return h / math.Log(Classes)
}

// MinShare is the smallest class share (0.1 for a perfectly even set, 0 when
// a digit never appears).
func MinShare(shares [Classes]float64) float64 {
	m := shares[0]
	for _, p := range shares[1:] {
		m = min(m, p)
	}
	return m
}

// Stats are the mean and covariance of a set of feature vectors.
type Stats struct {
	N    int           // vectors they were computed from (0 when given directly)
	Mean []float64     // [d]
	Cov  *mat.SymDense // d×d, unbiased (divided by N-1)
}

// NewStats computes the mean and the unbiased covariance of features
// ([n][d], n ≥ 2) in float64.
func NewStats(features []float32, d int) (Stats, error) {
	if d < 1 || len(features)%d != 0 {
		return Stats{}, fmt.Errorf("samplequality: %d features is not [n][%d]", len(features), d)
	}
	n := len(features) / d
	if n < 2 {
		return Stats{}, fmt.Errorf("samplequality: a covariance needs at least 2 feature vectors, got %d", n)
	}
	mean := make([]float64, d)
	for i := range n {
		for j, v := range features[i*d : (i+1)*d] {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	// centred features, transposed: x [d][n]
	x := mat.NewDense(d, n, nil)
	raw := x.RawMatrix()
	for i := range n {
		for j, v := range features[i*d : (i+1)*d] {
			raw.Data[j*raw.Stride+i] = float64(v) - mean[j]
		}
	}
	cov := mat.NewSymDense(d, nil)
	cov.SymOuterK(1/float64(n-1), x) // x·xᵀ/(n-1)
	return Stats{N: n, Mean: mean, Cov: cov}, nil
}

// FrechetDistance is the Fréchet (2-Wasserstein) distance between the
// Gaussians N(a.Mean, a.Cov) and N(b.Mean, b.Cov):
//
//	||m1 - m2||² + Tr(S1 + S2 - 2 (S1 S2)^½)
//
// computed in float64 without a non-symmetric square root: Tr (S1 S2)^½ is
// the sum of the square roots of the eigenvalues of the symmetric
// S1^½ S2 S1^½ (similar to S1 S2), where S1^½ comes from S1's symmetric
// eigendecomposition. Eigenvalues below zero (rounding, or a singular
// covariance) count as zero, and so does a result below zero.
func FrechetDistance(a, b Stats) (float64, error) {
	d := len(a.Mean)
	if d == 0 || len(b.Mean) != d || a.Cov == nil || b.Cov == nil || a.Cov.SymmetricDim() != d || b.Cov.SymmetricDim() != d {
		return 0, fmt.Errorf("samplequality: Fréchet distance of statistics of different or zero sizes")
	}
	diff := 0.0
	for j := range d {
		t := a.Mean[j] - b.Mean[j]
		diff += t * t
	}
	root, err := symSqrt(a.Cov)
	if err != nil {
		return 0, err
	}
	var t, m mat.Dense
	t.Mul(root, b.Cov)
	m.Mul(&t, root)
	// symmetrise away the rounding before the symmetric eigensolver
	sym := mat.NewSymDense(d, nil)
	for i := range d {
		for j := i; j < d; j++ {
			sym.SetSym(i, j, 0.5*(m.At(i, j)+m.At(j, i)))
		}
	}
	var es mat.EigenSym
	if !es.Factorize(sym, false) {
		return 0, errors.New("samplequality: the eigendecomposition of S1^½ S2 S1^½ did not converge")
	}
	trRoot := 0.0
	for _, l := range es.Values(nil) {
		trRoot += math.Sqrt(max(l, 0))
	}
	fd := diff + mat.Trace(a.Cov) + mat.Trace(b.Cov) - 2*trRoot
	return max(fd, 0), nil
}

// symSqrt is the symmetric square root V diag(√max(λ, 0)) Vᵀ of s.
func symSqrt(s *mat.SymDense) (*mat.Dense, error) {
	var es mat.EigenSym
	if !es.Factorize(s, true) {
		return nil, errors.New("samplequality: the eigendecomposition of a covariance did not converge")
	}
	vals := es.Values(nil)
	var v mat.Dense
	es.VectorsTo(&v)
	d := len(vals)
	vs := mat.NewDense(d, d, nil)
	for i := range d {
		for j := range d {
			vs.Set(i, j, v.At(i, j)*math.Sqrt(max(vals[j], 0)))
		}
	}
	root := mat.NewDense(d, d, nil)
	root.Mul(vs, v.T())
	return root, nil
}

// FrechetDistanceOf is FrechetDistance between the statistics of two sets of
// feature vectors, x and y, both [·][d].
func FrechetDistanceOf(x, y []float32, d int) (float64, error) {
	a, err := NewStats(x, d)
	if err != nil {
		return 0, err
	}
	b, err := NewStats(y, d)
	if err != nil {
		return 0, err
	}
	return FrechetDistance(a, b)
}

// Report is the score of a set of generated digits.
type Report struct {
	Images    int              `json:"images"`
	Confident float64          `json:"confident"` // ConfidentFraction
	Shares    [Classes]float64 `json:"shares"`    // ClassShares
	MinShare  float64          `json:"min_share"`
	Entropy   float64          `json:"entropy"` // NormalisedEntropy of Shares
	FD        float64          `json:"fd"`      // Fréchet distance of the classifier features to the reference's
}

// Evaluate classifies images ([n][784] in [-1, 1], n ≥ 2) with net and scores
// them against the features of real digits, refFeatures ([m][net.Hidden],
// from net.Predict).
func Evaluate(net *classifier.Net, images, refFeatures []float32) (Report, error) {
	ref, err := NewStats(refFeatures, net.Hidden)
	if err != nil {
		return Report{}, err
	}
	return EvaluateStats(net, images, ref)
}

// EvaluateStats is Evaluate with the reference's statistics computed once
// (NewStats or RealStats).
func EvaluateStats(net *classifier.Net, images []float32, ref Stats) (Report, error) {
	if len(images)%classifier.Pixels != 0 {
		return Report{}, fmt.Errorf("samplequality: %d floats is not a whole number of %d×%d images", len(images), classifier.Side, classifier.Side)
	}
	n := len(images) / classifier.Pixels
	probs := make([]float32, n*Classes)
	features := make([]float32, n*net.Hidden)
	net.Predict(images, probs, features)
	st, err := NewStats(features, net.Hidden)
	if err != nil {
		return Report{}, err
	}
	fd, err := FrechetDistance(st, ref)
	if err != nil {
		return Report{}, err
	}
	r := Report{Images: n, Confident: ConfidentFraction(probs), Shares: ClassShares(probs), FD: fd}
	r.MinShare, r.Entropy = MinShare(r.Shares), NormalisedEntropy(r.Shares)
	return r, nil
}

// RealStats are the statistics of net's features of the real images set[idx]
// (all of them if idx is nil): the usual reference is the 10,000 test images.
func RealStats(net *classifier.Net, set *mnist.Set, idx []int) (Stats, error) {
	if set.Rows != classifier.Side || set.Cols != classifier.Side {
		return Stats{}, fmt.Errorf("samplequality: images are %d×%d; the classifier needs 28×28", set.Rows, set.Cols)
	}
	if idx == nil {
		idx = mnist.Indices(set.N)
	}
	const step = 1024 // convert and classify in slices, to bound the memory
	features := make([]float32, len(idx)*net.Hidden)
	images := make([]float32, min(step, len(idx))*classifier.Pixels)
	probs := make([]float32, min(step, len(idx))*Classes)
	for lo := 0; lo < len(idx); lo += step {
		hi := min(lo+step, len(idx))
		m := hi - lo
		set.Fill(images, nil, idx[lo:hi])
		net.Predict(images[:m*classifier.Pixels], probs[:m*Classes], features[lo*net.Hidden:hi*net.Hidden])
	}
	return NewStats(features, net.Hidden)
}
