package main

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/ristretto/v2"
	"github.com/kevy-go/kevy"
	"github.com/maypok86/otter/v2"
)

// cache is one in-process system under the cache-aside replay.
type cache interface {
	get(k string) bool
	set(k string)
	resident() int
	close()
}

// replayResult is one system's outcome on the trace.
type replayResult struct {
	hits, hitsAfter int // all requests, and requests after the warm-up
	requests, after int
	elapsed         time.Duration
}

// replay runs the cache-aside loop in trace order: GET the key; on a miss,
// SET it. tick, if not nil, is called before request i (it advances a
// virtual clock).
func replay(c cache, keys []string, trace []int32, warm int, tick func(i int)) replayResult {
	runtime.GC()
	var hits, hitsAfter int
	start := time.Now()
	for i, ix := range trace {
		if tick != nil {
			tick(i)
		}
		k := keys[ix]
		if c.get(k) {
			hits++
			if i >= warm {
				hitsAfter++
			}
		} else {
			c.set(k)
		}
	}
	return replayResult{hits: hits, hitsAfter: hitsAfter, requests: len(trace), after: len(trace) - warm, elapsed: time.Since(start)}
}

// --- kevy

// vclock is a virtual clock for kevy's Options.Clock: the replay moves it
// so that LRU idle times and LFU decay advance with the request count
// rather than with this machine's speed.
type vclock struct{ ms atomic.Int64 }

func (c *vclock) Now() time.Time { return time.UnixMilli(c.ms.Load()) }

type kevyCache struct {
	s   *kevy.Store
	val string
}

func (k *kevyCache) get(key string) bool {
	_, err := k.s.Get(key)
	if err == nil {
		return true
	}
	if !errors.Is(err, kevy.ErrNotFound) {
		panic(err)
	}
	return false
}

func (k *kevyCache) set(key string) {
	if err := k.s.Set(key, k.val); err != nil {
		panic(err) // allkeys-* never refuses a write
	}
}

func (k *kevyCache) resident() int { n, _ := k.s.DBSize(); return n }
func (k *kevyCache) close()        { k.s.Close() }

// kevyBudget measures kevy's own accounting: UsedMemory of an empty store
// with the given shard count, and its growth per key after n keys of the
// benchmark's shape (fixed-width key, 16-byte value) with no limit.
func kevyBudget(shards, n int, val string) (empty int64, perKey float64) {
	s, err := kevy.Open(&kevy.Options{Shards: shards})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	empty = s.UsedMemory()
	for i := range n {
		if err := s.Set(keyName(i), val); err != nil {
			panic(err)
		}
	}
	return empty, float64(s.UsedMemory()-empty) / float64(n)
}

func openKevy(shards int, policy kevy.EvictionPolicy, samples int, maxMemory int64, clk kevy.Clock, val string) *kevyCache {
	s, err := kevy.Open(&kevy.Options{Shards: shards, MaxMemory: maxMemory, Eviction: policy, MaxMemorySamples: samples, Clock: clk})
	if err != nil {
		panic(err)
	}
	return &kevyCache{s: s, val: val}
}

// --- otter v2 (W-TinyLFU)

type otterCache struct {
	c   *otter.Cache[string, string]
	val string
}

func newOtter(capacity int, val string) *otterCache {
	c, err := otter.New(&otter.Options[string, string]{MaximumSize: capacity})
	if err != nil {
		panic(err)
	}
	return &otterCache{c: c, val: val}
}

func (o *otterCache) get(k string) bool { _, ok := o.c.GetIfPresent(k); return ok }
func (o *otterCache) set(k string)      { o.c.Set(k, o.val) }
func (o *otterCache) resident() int     { o.c.CleanUp(); return o.c.EstimatedSize() }
func (o *otterCache) close()            { o.c.StopAllGoroutines() }

// --- ristretto v2 (TinyLFU admission, sampled LFU eviction)

type ristrettoCache struct {
	c       *ristretto.Cache[string, string]
	val     string
	keys    []string
	dropped int // Set returned false (buffer full or refused up front)
}

func newRistretto(capacity int, val string, keys []string) *ristrettoCache {
	c, err := ristretto.NewCache(&ristretto.Config[string, string]{
		NumCounters:        int64(capacity) * 10,
		MaxCost:            int64(capacity),
		BufferItems:        64,
		IgnoreInternalCost: true,
		Metrics:            true, // for SetsRejected (admission refusals)
	})
	if err != nil {
		panic(err)
	}
	return &ristrettoCache{c: c, val: val, keys: keys}
}

func (r *ristrettoCache) get(k string) bool { _, ok := r.c.Get(k); return ok }

// set waits for the asynchronous Set to be applied, so the next request
// sees its outcome (admitted, or rejected by TinyLFU) as it would with a
// synchronous cache.
func (r *ristrettoCache) set(k string) {
	if !r.c.Set(k, r.val, 1) {
		r.dropped++
	}
	r.c.Wait()
}

// resident probes every key (ristretto keeps no exact count).
func (r *ristrettoCache) resident() int {
	r.c.Wait()
	n := 0
	for _, k := range r.keys {
		if _, ok := r.c.Get(k); ok {
			n++
		}
	}
	return n
}
func (r *ristrettoCache) close() { r.c.Close() }

// --- SET flood

// floodResult is the throughput of SETs of distinct new keys.
type floodResult struct {
	Shards      int     `json:"shards"`
	Limited     bool    `json:"limited"`
	MaxMemory   int64   `json:"max_memory"`
	Keys        int     `json:"keys"`
	OpsPerSec   float64 `json:"ops_per_sec"` // best of the runs
	AllOps      []float64
	ResidentEnd int `json:"resident_end"`
	Evicted     uint64
}

// flood pre-fills capacity keys (untimed), then times one goroutine SETting
// fresh distinct keys with 16-byte values, best of runs. With a limit the
// store is full after the pre-fill, so every timed SET evicts one key
// (allkeys-lru, 5 samples); without one the store just grows.
func flood(shards int, maxMemory int64, prefill, fresh []string, val string, runs int) floodResult {
	res := floodResult{Shards: shards, Limited: maxMemory > 0, MaxMemory: maxMemory, Keys: len(fresh)}
	for range runs {
		opts := &kevy.Options{Shards: shards}
		if maxMemory > 0 {
			opts.MaxMemory, opts.Eviction, opts.MaxMemorySamples = maxMemory, kevy.AllKeysLRU, 5
		}
		s, err := kevy.Open(opts)
		if err != nil {
			panic(err)
		}
		for _, k := range prefill {
			if err := s.Set(k, val); err != nil {
				panic(err)
			}
		}
		runtime.GC()
		start := time.Now()
		for _, k := range fresh {
			if err := s.Set(k, val); err != nil {
				panic(err)
			}
		}
		el := time.Since(start)
		ops := float64(len(fresh)) / el.Seconds()
		res.AllOps = append(res.AllOps, math.Round(ops))
		if ops > res.OpsPerSec {
			res.OpsPerSec = ops
		}
		res.ResidentEnd, _ = s.DBSize()
		res.Evicted = s.EvictionsTotal()
		s.Close()
		runtime.GC()
	}
	return res
}

func (f floodResult) label() string {
	if f.Limited {
		return fmt.Sprintf("kevy shards=%d, maxmemory %d B (allkeys-lru, 5 samples)", f.Shards, f.MaxMemory)
	}
	return fmt.Sprintf("kevy shards=%d, no limit", f.Shards)
}
