package hll

import "math"

// alphaInf is the bias-correction constant 0.5/ln(2) of Redis's estimator.
const alphaInf = 0.721347520444481703680

// estimate turns a register histogram into Redis 7.0's cardinality estimate,
// the improved estimator of Otmar Ertl, "New cardinality estimation
// algorithms for HyperLogLog sketches" (arXiv:1702.01284). The floating-point
// operations are done one at a time in the same order as Redis, so that the
// results are identical; explicit float64 conversions keep the compiler from
// fusing multiply-adds on platforms that have them.
func estimate(hist *histogram) uint64 {
	m := float64(numRegisters)
	z := float64(m * tau((m-float64(hist[hllQ+1]))/m))
	for j := hllQ; j >= 1; j-- {
		z += float64(hist[j])
		z *= 0.5
	}
	z += float64(m * sigma(float64(hist[0])/m))
	e := alphaInf * m * m / z
	// Redis rounds with llroundl and converts through a double to uint64.
	// On x86-64 an estimate out of the long long range, or infinite, comes
	// out as 1<<63. Only forged registers get there (for instance all of
	// them at 50 or more).
	if !(e < 0x1p63) {
		return 1 << 63
	}
	return uint64(math.Round(e))
}

// sigma is the helper function σ of Ertl's paper.
func sigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y := 1.0
	z := x
	for {
		x *= x
		prev := z
		z += float64(x * y)
		y += y
		if prev == z {
			return z
		}
	}
}

// tau is the helper function τ of Ertl's paper.
func tau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y := 1.0
	z := 1 - x
	for {
		x = math.Sqrt(x)
		prev := z
		y *= 0.5
		d := 1 - x
		z -= float64(float64(d*d) * y)
		if prev == z {
			return z / 3
		}
	}
}
