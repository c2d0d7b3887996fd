package main

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"unsafe"

	"github.com/coocood/freecache"
	"github.com/dgraph-io/ristretto/v2"
	"github.com/kevy-go/kevy"
	"github.com/maypok86/otter/v2"
	gocache "github.com/patrickmn/go-cache"
)

// kv is the common shape of the cache peers. Each store gets the same
// precomputed string keys; the value is precomputed once in whatever form
// its API takes (string, []byte, any). Conversions that an API forces on
// every call (a string key to interface{} for sync.Map) are the API's cost
// and are counted.
type kv interface {
	get(k string) bool
	set(k string) bool // false: the write was dropped (ristretto)
	del(k string)
	close()
}

// worker lets a store keep per-goroutine state (freecache's read buffer).
type workerer interface {
	worker() kv
}

func workerOf(s kv) kv {
	if w, ok := s.(workerer); ok {
		return w.worker()
	}
	return s
}

type storeMaker struct {
	name string
	make func(val string, capacity int) kv
}

func cacheStores(shards int) []storeMaker {
	return []storeMaker{
		{"kevy", func(v string, c int) kv { return newKevyKV(v, 1) }},
		{fmt.Sprintf("kevy-%d", shards), func(v string, c int) kv { return newKevyKV(v, shards) }},
		{"otter", newOtter},
		{"ristretto", newRistretto},
		{"freecache", newFreecache},
		{"go-cache", newGoCache},
		{"sync.Map", func(v string, c int) kv { return &syncMapKV{val: v} }},
		{"map+RWMutex", func(v string, c int) kv { return &mapKV{m: make(map[string]string), val: v} }},
	}
}

// --- kevy

type kevyKV struct {
	s   *kevy.Store
	val string
}

func newKevyKV(v string, shards int) kv {
	s, err := kevy.Open(&kevy.Options{Shards: shards})
	if err != nil {
		panic(err)
	}
	return &kevyKV{s: s, val: v}
}

func (k *kevyKV) get(key string) bool { _, err := k.s.Get(key); return err == nil }
func (k *kevyKV) set(key string) bool {
	if err := k.s.Set(key, k.val); err != nil {
		panic(err)
	}
	return true
}
func (k *kevyKV) del(key string) { k.s.Del(key) }
func (k *kevyKV) close()         { k.s.Close() }

// --- otter v2

type otterKV struct {
	c   *otter.Cache[string, string]
	val string
}

func newOtter(v string, capacity int) kv {
	c, err := otter.New(&otter.Options[string, string]{MaximumSize: capacity})
	if err != nil {
		panic(err)
	}
	return &otterKV{c: c, val: v}
}

func (o *otterKV) get(k string) bool { _, ok := o.c.GetIfPresent(k); return ok }
func (o *otterKV) set(k string) bool { o.c.Set(k, o.val); return true }
func (o *otterKV) del(k string)      { o.c.Invalidate(k) }
func (o *otterKV) close()            { o.c.StopAllGoroutines() }

// --- ristretto v2

type ristrettoKV struct {
	c   *ristretto.Cache[string, string]
	val string
}

func newRistretto(v string, capacity int) kv {
	c, err := ristretto.NewCache(&ristretto.Config[string, string]{
		NumCounters:        int64(capacity) * 10,
		MaxCost:            int64(capacity),
		BufferItems:        64,
		IgnoreInternalCost: true,
	})
	if err != nil {
		panic(err)
	}
	return &ristrettoKV{c: c, val: v}
}

func (r *ristrettoKV) get(k string) bool { _, ok := r.c.Get(k); return ok }
func (r *ristrettoKV) set(k string) bool { return r.c.Set(k, r.val, 1) }
func (r *ristrettoKV) del(k string)      { r.c.Del(k) }
func (r *ristrettoKV) close()            { r.c.Close() }

// prefill sets reliably: ristretto's Set is asynchronous and may drop a
// write when its buffer is full, so the prefill retries and waits.
func (r *ristrettoKV) setSync(k string) {
	for !r.c.Set(k, r.val, 1) {
		r.c.Wait()
	}
}

// --- freecache

type freecacheKV struct {
	c   *freecache.Cache
	val []byte
	buf []byte
}

func newFreecache(v string, capacity int) kv {
	// freecache preallocates its ring buffers; give it twice what the
	// entries need (24 B header + key + value each) so nothing is evicted.
	size := capacity * (24 + 16 + len(v)) * 2
	if size < 32<<20 {
		size = 32 << 20
	}
	return &freecacheKV{c: freecache.NewCache(size), val: []byte(v)}
}

func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

func (f *freecacheKV) worker() kv {
	return &freecacheKV{c: f.c, val: f.val, buf: make([]byte, 0, len(f.val)+64)}
}
func (f *freecacheKV) get(k string) bool {
	// GetWithBuf: freecache's allocation-free read (Get copies the value).
	_, err := f.c.GetWithBuf(bytesOf(k), f.buf)
	return err == nil
}
func (f *freecacheKV) set(k string) bool {
	if err := f.c.Set(bytesOf(k), f.val, 0); err != nil {
		panic(err)
	}
	return true
}
func (f *freecacheKV) del(k string) { f.c.Del(bytesOf(k)) }
func (f *freecacheKV) close()       {}

// --- go-cache

type goCacheKV struct {
	c   *gocache.Cache
	val any
}

func newGoCache(v string, capacity int) kv {
	return &goCacheKV{c: gocache.New(gocache.NoExpiration, 0), val: v}
}

func (g *goCacheKV) get(k string) bool { _, ok := g.c.Get(k); return ok }
func (g *goCacheKV) set(k string) bool { g.c.Set(k, g.val, gocache.NoExpiration); return true }
func (g *goCacheKV) del(k string)      { g.c.Delete(k) }
func (g *goCacheKV) close()            {}

// --- sync.Map

type syncMapKV struct {
	m   sync.Map
	val any
}

func (s *syncMapKV) get(k string) bool { _, ok := s.m.Load(k); return ok }
func (s *syncMapKV) set(k string) bool { s.m.Store(k, s.val); return true }
func (s *syncMapKV) del(k string)      { s.m.Delete(k) }
func (s *syncMapKV) close()            {}

// --- map + sync.RWMutex: the floor

type mapKV struct {
	mu  sync.RWMutex
	m   map[string]string
	val string
}

func (m *mapKV) get(k string) bool {
	m.mu.RLock()
	_, ok := m.m[k]
	m.mu.RUnlock()
	return ok
}
func (m *mapKV) set(k string) bool {
	m.mu.Lock()
	m.m[k] = m.val
	m.mu.Unlock()
	return true
}
func (m *mapKV) del(k string) {
	m.mu.Lock()
	delete(m.m, k)
	m.mu.Unlock()
}
func (m *mapKV) close() {}

// --- the cache section

type cacheOpts struct {
	keys    int // resident keys
	shards  int
	rounds  int
	seqLen  int // precomputed key-index sequence length
	newKeys int // pool of never-seen keys for SET new
}

func runCaches(o cacheOpts, threadsList []int, emit func([]Row)) {
	rng := rand.New(rand.NewPCG(1, 2))
	keys := make([]string, o.keys)
	miss := make([]string, o.keys)
	for i := range keys {
		keys[i] = "key:" + strconv.Itoa(i)
		miss[i] = "miss:" + strconv.Itoa(i)
	}
	fresh := make([]string, o.newKeys)
	for i := range fresh {
		fresh[i] = "new:" + strconv.Itoa(i)
	}
	dists := []struct {
		name string
		idx  []int32
	}{
		{"uniform", uniform(rng, o.keys, o.seqLen)},
		{"zipf 0.99", zipf(rng, o.keys, o.seqLen, 0.99)},
	}
	capacity := o.keys + o.newKeys + o.keys/4

	for _, size := range []int{16, 1024} {
		val := makeValue(size)
		makers := cacheStores(o.shards)
		stores := make([]kv, len(makers))
		for i, m := range makers {
			s := m.make(val, capacity)
			for _, k := range keys {
				if r, ok := s.(*ristrettoKV); ok {
					r.setSync(k)
				} else {
					s.set(k)
				}
			}
			if r, ok := s.(*ristrettoKV); ok {
				r.c.Wait()
			}
			stores[i] = s
		}
		for _, d := range dists {
			for _, g := range threadsList {
				config := fmt.Sprintf("%d keys, %s values, %s, %d goroutine%s", o.keys, sizeName(size), d.name, g, plural(g))
				idx := d.idx
				type wl struct {
					name string
					mk   func(s kv, ws []kv) entry
				}
				wls := []wl{
					{"GET hit", func(s kv, ws []kv) entry {
						return entry{op: func(w, lo, hi int) int {
							h, kvw := 0, ws[w]
							for i := lo; i < hi; i++ {
								if kvw.get(keys[idx[i]]) {
									h++
								}
							}
							return h
						}, maxN: len(idx)}
					}},
					{"GET miss", func(s kv, ws []kv) entry {
						return entry{op: func(w, lo, hi int) int {
							h, kvw := 0, ws[w]
							for i := lo; i < hi; i++ {
								if !kvw.get(miss[idx[i]]) {
									h++
								}
							}
							return h
						}, maxN: len(idx)}
					}},
					{"SET new", func(s kv, ws []kv) entry {
						return entry{op: func(w, lo, hi int) int {
							h, kvw := 0, ws[w]
							for i := lo; i < hi; i++ {
								if kvw.set(fresh[i]) {
									h++
								}
							}
							return h
						}, after: func(n int) {
							for i := 0; i < n; i++ {
								s.del(fresh[i])
							}
						}, maxN: len(fresh)}
					}},
					{"SET overwrite", func(s kv, ws []kv) entry {
						return entry{op: func(w, lo, hi int) int {
							h, kvw := 0, ws[w]
							for i := lo; i < hi; i++ {
								if kvw.set(keys[idx[i]]) {
									h++
								}
							}
							return h
						}, maxN: len(idx)}
					}},
					{"90/10 GET/SET", func(s kv, ws []kv) entry {
						return entry{op: func(w, lo, hi int) int {
							h, kvw := 0, ws[w]
							for i := lo; i < hi; i++ {
								k := keys[idx[i]]
								if i%10 == 0 {
									if kvw.set(k) {
										h++
									}
								} else if kvw.get(k) {
									h++
								}
							}
							return h
						}, maxN: len(idx)}
					}},
				}
				for _, w := range wls {
					if w.name == "SET new" && d.name != "uniform" {
						continue // new keys have no distribution: measured once, under uniform
					}
					c := cell{section: "cache", workload: w.name, config: config, threads: g, target: *target, sameN: w.name == "SET new"}
					for i, s := range stores {
						ws := make([]kv, g)
						for j := range ws {
							ws[j] = workerOf(s)
						}
						e := w.mk(s, ws)
						e.store = makers[i].name
						if makers[i].name == "ristretto" && (w.name == "SET new" || w.name == "SET overwrite" || w.name == "90/10 GET/SET") {
							e.note = "asynchronous Set: a write may be dropped (see hit/accepted rate)"
						}
						c.entries = append(c.entries, e)
					}
					emit(c.measure(o.rounds))
				}
			}
		}
		for _, s := range stores {
			s.close()
		}
	}
}

func makeValue(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = "0123456789abcdef"[i%16]
	}
	return string(b)
}

func sizeName(n int) string {
	if n >= 1024 && n%1024 == 0 {
		return fmt.Sprintf("%d KiB", n/1024)
	}
	return fmt.Sprintf("%d B", n)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
