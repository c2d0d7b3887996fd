package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// zipfTrace returns n key indexes in [0, items) drawn from Zipf(s): rank r
// (1-based) has probability r^-s / H(items, s). It works for any s > 0, in
// particular s = 0.99, which math/rand's Zipf (s > 1 only) cannot do.
//
// Sampler: exact inverse CDF. The cumulative harmonic weights
// cdf[r] = sum_{i<=r} i^-s are precomputed once (items float64s); a draw is
// u*H with u uniform in [0,1), and the rank is the first r with
// cdf[r] >= u*H, found by binary search (O(log items) per draw, no
// approximation beyond float64 rounding). Ranks are mapped to key indexes
// through a seeded permutation so the hot keys are not key:0, key:1, ...
// (which would put them next to each other in every hash/shard layout).
//
// It also returns the probability of each key index (for the theoretical
// reference rows).
func zipfTrace(rng *rand.Rand, items, n int, s float64) (trace []int32, prob []float64) {
	cdf := make([]float64, items)
	sum := 0.0
	for r := 1; r <= items; r++ {
		sum += math.Pow(float64(r), -s)
		cdf[r-1] = sum
	}
	perm := rng.Perm(items)
	prob = make([]float64, items)
	for r := range items {
		w := math.Pow(float64(r+1), -s)
		prob[perm[r]] = w / sum
	}
	trace = make([]int32, n)
	for i := range trace {
		x := rng.Float64() * sum
		r, _ := slices.BinarySearch(cdf, x) // first rank with cdf >= x
		if r >= items {
			r = items - 1
		}
		trace[i] = int32(perm[r])
	}
	return trace, prob
}

// occupancyFit finds T with sum_i occ(p_i, T) = c and returns
// sum_i p_i occ(p_i, T): the hit ratio of a cache whose per-key occupancy
// probability is occ (increasing in T).
func occupancyFit(p []float64, c int, occ func(x, t float64) float64) float64 {
	total := func(t float64) float64 {
		s := 0.0
		for _, x := range p {
			s += occ(x, t)
		}
		return s
	}
	lo, hi := 0.0, 1.0
	for total(hi) < float64(c) {
		hi *= 2
	}
	for range 60 {
		mid := (lo + hi) / 2
		if total(mid) < float64(c) {
			lo = mid
		} else {
			hi = mid
		}
	}
	t := (lo + hi) / 2
	h := 0.0
	for _, x := range p {
		h += x * occ(x, t)
	}
	return h
}

// randomRepl is the hit ratio of random replacement (evict a uniformly
// random resident key) under the independent reference model: key i is
// resident with probability p_i T / (1 + p_i T) (Gelenbe / Fagin's
// approximation, the random-eviction analogue of Che's).
func randomRepl(p []float64, c int) float64 {
	return occupancyFit(p, c, func(x, t float64) float64 { return x * t / (1 + x*t) })
}

// cheLRU is Che's approximation of the hit ratio of an exact LRU cache of c
// entries under the independent reference model with probabilities p: find
// the characteristic time T with sum_i (1 - exp(-p_i T)) = c, then the hit
// ratio is sum_i p_i (1 - exp(-p_i T)). It is known to be accurate to about
// a percent for Zipf popularity.
func cheLRU(p []float64, c int) float64 {
	return occupancyFit(p, c, func(x, t float64) float64 { return -math.Expm1(-x * t) })
}

// topC is the hit ratio of a cache that always holds the c most popular
// keys: the best any online policy can do in expectation under the
// independent reference model (what an ideal LFU converges to).
func topC(p []float64, c int) float64 {
	q := slices.Clone(p)
	slices.SortFunc(q, func(a, b float64) int {
		switch {
		case a > b:
			return -1
		case a < b:
			return 1
		}
		return 0
	})
	h := 0.0
	for _, x := range q[:min(c, len(q))] {
		h += x
	}
	return h
}

// keyName is the fixed-width key for index i, so every entry has the same
// size and a byte budget means the same number of entries everywhere.
func keyName(i int) string { return fmt.Sprintf("key:%08d", i) }

func makeValue(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = "0123456789abcdef"[i%16]
	}
	return string(b)
}
