package main

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"time"
)

// An entry is one store's implementation of one workload.
//
// op runs the operations lo..hi-1 of goroutine w (indices into the
// workload's precomputed key tables) and returns how many found what they
// looked for (hits), so a workload can check that a GET-hit run really hit.
// after, if set, runs untimed after each measurement with the same n (for
// instance to delete the keys a SET-new run created), so that every round
// starts from the same state.
type entry struct {
	store string
	op    func(w, lo, hi int) int
	after func(n int)
	maxN  int    // cap on total operations per measurement (0: no cap)
	note  string // carried into the result row
}

// A cell is one workload under one configuration, measured for several
// stores interleaved: round 1 runs A B C…, round 2 B C… A, and so on, and
// each store's median round is reported.
type cell struct {
	section  string
	workload string
	config   string
	threads  int // goroutines
	target   time.Duration
	// sameN gives every store the same operation count (the smallest
	// calibrated one, at 3 × target) for workloads whose per-operation cost
	// grows with the data they add (SET new, LPUSH, SADD, ZADD): each store
	// then does exactly the same work.
	sameN   bool
	entries []entry
}

type sample struct {
	ops     float64 // ops/s
	cpu     float64 // process CPU ns/op (all threads, GC included)
	allocs  float64 // allocs/op
	hitRate float64
}

// runOnce measures n operations spread over g goroutines.
func runOnce(e *entry, g, n int) sample {
	per := n / g
	n = per * g
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	hits := make([]int, g)
	var wg sync.WaitGroup
	var ready sync.WaitGroup
	ready.Add(1)
	wg.Add(g)
	for w := 0; w < g; w++ {
		go func(w int) {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					stopLiveRedis() // a panic here skips main's defers
					panic(r)
				}
			}()
			ready.Wait()
			hits[w] = e.op(w, w*per, (w+1)*per)
		}(w)
	}
	cpu0 := processCPU()
	start := time.Now()
	ready.Done()
	wg.Wait()
	d := time.Since(start)
	cpu := processCPU() - cpu0
	runtime.ReadMemStats(&ms1)
	if e.after != nil {
		e.after(n)
	}
	h := 0
	for _, x := range hits {
		h += x
	}
	return sample{
		ops:     float64(n) / d.Seconds(),
		cpu:     float64(cpu.Nanoseconds()) / float64(n),
		allocs:  float64(ms1.Mallocs-ms0.Mallocs) / float64(n),
		hitRate: float64(h) / float64(n),
	}
}

// calibrate finds n such that one measurement takes about target; it
// doubles as the warm-up. A first sample taken cold (page faults, a GC
// that the prefill left due) underestimates the rate, so the estimate is
// checked once at its own size and the larger of the two is kept.
func calibrate(e *entry, g int, target time.Duration) int {
	capN := func(n int) int {
		if e.maxN > 0 && n > e.maxN {
			n = e.maxN
		}
		return max(n, 64*g)
	}
	timed := func(n int) time.Duration {
		start := time.Now()
		runOnce(e, g, n)
		return max(time.Since(start), time.Microsecond)
	}
	n := capN(256 * g)
	for {
		d := timed(n)
		if d < target/4 && (e.maxN == 0 || n < e.maxN) {
			n = capN(n * 4)
			continue
		}
		want := capN(int(float64(n) * float64(target) / float64(d)))
		again := capN(int(float64(want) * float64(target) / float64(timed(want))))
		return max(want, again)
	}
}

// measure runs a cell and returns one row per entry.
func (c *cell) measure(rounds int) []Row {
	k := len(c.entries)
	ns := make([]int, k)
	t := c.target
	if c.sameN {
		t *= 3
	}
	for i := range c.entries {
		ns[i] = calibrate(&c.entries[i], c.threads, t)
	}
	if c.sameN {
		// the slowest store's count, but at least ~10 ms of the fastest's
		m := max(slices.Min(ns), slices.Max(ns)/9)
		for i := range ns {
			if e := c.entries[i]; e.maxN > 0 {
				m = min(m, e.maxN)
			}
		}
		for i := range ns {
			ns[i] = m
		}
	}
	samples := make([][]sample, k)
	for r := 0; r < rounds; r++ {
		for j := 0; j < k; j++ {
			i := (j + r) % k
			samples[i] = append(samples[i], runOnce(&c.entries[i], c.threads, ns[i]))
		}
	}
	rows := make([]Row, k)
	for i, e := range c.entries {
		ss := samples[i]
		ops := make([]float64, len(ss))
		for j, s := range ss {
			ops[j] = s.ops
		}
		slices.SortFunc(ss, func(a, b sample) int {
			switch {
			case a.ops < b.ops:
				return -1
			case a.ops > b.ops:
				return 1
			}
			return 0
		})
		med := ss[len(ss)/2]
		cpus := make([]float64, len(ss))
		for j, s := range ss {
			cpus[j] = s.cpu
		}
		slices.Sort(cpus)
		minHit := 1.0
		for _, s := range ss {
			minHit = math.Min(minHit, s.hitRate)
		}
		rows[i] = Row{
			Section:     c.section,
			Workload:    c.workload,
			Config:      c.config,
			Threads:     c.threads,
			Store:       e.store,
			OpsPerSec:   med.ops,
			NsPerOp:     1e9 / med.ops,
			CPUNsPerOp:  cpus[len(cpus)/2],
			AllocsPerOp: med.allocs,
			HitRate:     minHit,
			OpsPerRound: ns[i],
			Rounds:      ops,
			Note:        e.note,
		}
	}
	return rows
}

// zipf returns n key indices in [0, items) drawn from a Zipfian
// distribution with exponent theta (YCSB's generator, which, unlike
// math/rand's, accepts theta < 1), with ranks scattered over the key space
// by a fixed permutation so that hot keys are not neighbours.
func zipf(rng *rand.Rand, items, n int, theta float64) []int32 {
	zeta := func(m int) float64 {
		s := 0.0
		for i := 1; i <= m; i++ {
			s += 1 / math.Pow(float64(i), theta)
		}
		return s
	}
	zetan, zeta2 := zeta(items), zeta(2)
	alpha := 1 / (1 - theta)
	eta := (1 - math.Pow(2/float64(items), 1-theta)) / (1 - zeta2/zetan)
	perm := rng.Perm(items)
	out := make([]int32, n)
	for i := range out {
		u := rng.Float64()
		uz := u * zetan
		var rank int
		switch {
		case uz < 1:
			rank = 0
		case uz < 1+math.Pow(0.5, theta):
			rank = 1
		default:
			rank = int(float64(items) * math.Pow(eta*u-eta+1, alpha))
		}
		if rank >= items {
			rank = items - 1
		}
		out[i] = int32(perm[rank])
	}
	return out
}

func uniform(rng *rand.Rand, items, n int) []int32 {
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(rng.IntN(items))
	}
	return out
}
