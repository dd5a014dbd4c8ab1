package tensor

import "math"

// Exp32 is e^x in float32: Cody–Waite reduction x = n·ln2 + r, |r| ≤ ln2/2,
// and a degree-6 polynomial for e^r (relative error below 3e-7, about two ulps, over the
// float32 range; the tests check the bound). It saturates to 0 and +Inf.
func Exp32(x float32) float32 {
	switch {
	case x > 88.72283:
		return float32(math.Inf(1))
	case x < -87.33654:
		return 0
	case x != x:
		return x
	}
	const (
		log2e = 1.44269504088896341
		ln2hi = 0.693359375
		ln2lo = -2.12194440e-4
	)
	n := float32(math.Floor(float64(x*log2e + 0.5)))
	r := x - n*ln2hi - n*ln2lo
	p := ExpPoly(r)
	if n > 127 { // 2^128 is not a float32; e^x still is
		return 2 * p * math.Float32frombits(uint32(int32(n)+126)<<23)
	}
	return p * math.Float32frombits(uint32(int32(n)+127)<<23)
}

// Tanh32 is tanh(x) in float32 as 1 - 2/(e^{2|x|} + 1) with the sign of x:
// absolute error below 3e-7 everywhere (the tests check it), which is all an
// activation needs. Branch-free but for the range tests (which data rarely
// flips): e^{2|x|} is expMid, Exp32's formula specialised to
// 0.0008 ≤ 2|x| ≤ 18.2 (no saturation, floor = truncation), same bits.
func Tanh32(x float32) float32 {
	const sign = 1 << 31
	bits := math.Float32bits(x)
	a := math.Float32frombits(bits &^ sign)
	if a > 9.1 { // tanh rounds to 1 in float32
		a = 1
	} else if a < 0.0004 { // tanh(x) = x - x³/3 + …, and x³/3 < 2.2e-11
		a = a - a*a*a/3
	} else if a == a { // not NaN
		a = 1 - 2/(expMid(2*a)+1)
	}
	// a ≥ 0 (or NaN): copy x's sign bit onto it
	return math.Float32frombits(math.Float32bits(a) | bits&sign)
}

// ExpPoly is e^r ≈ 1 + r + r²/2! + … + r⁶/6! in Horner form, for
// |r| ≤ ln2/2: Exp32's polynomial, small enough to inline (also into the
// exponentials of other packages that must give Exp32's bits).
func ExpPoly(r float32) float32 {
	p := float32(1.0 / 720)
	p = p*r + 1.0/120
	p = p*r + 1.0/24
	p = p*r + 1.0/6
	p = p*r + 0.5
	p = p*r + 1
	return p*r + 1
}

// expMid is Exp32 for 0 < x < 88 (no saturation, x·log2e + 0.5 > 0, so its
// floor is a truncation): the same bits.
func expMid(x float32) float32 {
	const (
		log2e = 1.44269504088896341
		ln2hi = 0.693359375
		ln2lo = -2.12194440e-4
	)
	n := float32(int32(x*log2e + 0.5))
	r := x - n*ln2hi - n*ln2lo
	return ExpPoly(r) * math.Float32frombits(uint32(int32(n)+127)<<23)
}
