package main

import (
	"fmt"
	"strconv"

	"github.com/alicebob/miniredis/v2"
	"github.com/kevy-go/kevy"
	"github.com/tidwall/buntdb"
)

// The Redis-semantics section: kevy's typed API and its Do path against
// miniredis's direct Go API (no network), on the same commands. buntdb (in
// memory) joins for GET/SET only.

const (
	nContainers = 1000 // hashes, lists, sets, sorted sets, counters
	nFields     = 16   // fields per hash, members per set, prefilled
	listPrefill = 300  // elements per list before LPOP runs
	zrangeSize  = 10   // members of each ZRANGE target
)

// rs is one store's implementation of the commands; a nil func means the
// store does not take part in that workload.
type rs struct {
	name                  string
	get, set              func(k, v string) bool
	hset, hget            func(k, f, v string) bool
	lpush, lpop           func(k, v string) bool
	sadd, sismember, srem func(k, m string) bool
	zadd, zrem            func(k, m string, score float64) bool
	zrange                func(k string) bool
	incr                  func(k string) bool
	close                 func()
	note                  string
}

func kevyTyped(s *kevy.Store) rs {
	r := rs{name: "kevy", close: func() { s.Close() }}
	r.get = func(k, _ string) bool { _, err := s.Get(k); return err == nil }
	r.set = func(k, v string) bool { return s.Set(k, v) == nil }
	r.hset = func(k, f, v string) bool { _, err := s.HSet(k, f, v); return err == nil }
	r.hget = func(k, f, _ string) bool { _, err := s.HGet(k, f); return err == nil }
	r.lpush = func(k, v string) bool { _, err := s.LPush(k, v); return err == nil }
	r.lpop = func(k, _ string) bool { v, err := s.LPop(k, 1); return err == nil && len(v) == 1 }
	r.sadd = func(k, m string) bool { _, err := s.SAdd(k, m); return err == nil }
	r.srem = func(k, m string) bool { _, err := s.SRem(k, m); return err == nil }
	// SIsMember is looked up dynamically so the program builds against a
	// kevy without it (it then goes through Do).
	if f, ok := any(s).(interface {
		SIsMember(key, member string) (bool, error)
	}); ok {
		r.sismember = func(k, m string) bool { ok, err := f.SIsMember(k, m); return err == nil && ok }
	} else {
		r.sismember = func(k, m string) bool {
			v, err := s.Do("SISMEMBER", k, m)
			n, _ := v.Int64()
			return err == nil && n == 1
		}
		r.note = "SISMEMBER through Do (no typed method in this build)"
	}
	r.zadd = func(k, m string, sc float64) bool {
		_, err := s.ZAdd(k, kevy.Z{Score: sc, Member: m})
		return err == nil
	}
	r.zrem = func(k, m string, _ float64) bool { _, err := s.ZRem(k, m); return err == nil }
	r.zrange = func(k string) bool { z, err := s.ZRange(k, 0, -1); return err == nil && len(z) == zrangeSize }
	r.incr = func(k string) bool { _, err := s.Incr(k); return err == nil }
	return r
}

func kevyDo(s *kevy.Store) rs {
	do := func(args ...string) bool { _, err := s.Do(args...); return err == nil }
	r := rs{name: "kevy Do", close: func() { s.Close() }}
	r.get = func(k, _ string) bool { v, err := s.Do("GET", k); return err == nil && !v.IsNil() }
	r.set = func(k, v string) bool { return do("SET", k, v) }
	r.hset = func(k, f, v string) bool { return do("HSET", k, f, v) }
	r.hget = func(k, f, _ string) bool { v, err := s.Do("HGET", k, f); return err == nil && !v.IsNil() }
	r.lpush = func(k, v string) bool { return do("LPUSH", k, v) }
	r.lpop = func(k, _ string) bool { v, err := s.Do("LPOP", k); return err == nil && !v.IsNil() }
	r.sadd = func(k, m string) bool { return do("SADD", k, m) }
	r.srem = func(k, m string) bool { return do("SREM", k, m) }
	r.sismember = func(k, m string) bool {
		v, err := s.Do("SISMEMBER", k, m)
		n, _ := v.Int64()
		return err == nil && n == 1
	}
	r.zadd = func(k, m string, sc float64) bool {
		return do("ZADD", k, strconv.FormatFloat(sc, 'g', -1, 64), m)
	}
	r.zrem = func(k, m string, _ float64) bool { return do("ZREM", k, m) }
	r.zrange = func(k string) bool {
		v, err := s.Do("ZRANGE", k, "0", "-1")
		return err == nil && len(v.Elems) == zrangeSize
	}
	r.incr = func(k string) bool { return do("INCR", k) }
	return r
}

func mini() rs {
	m := miniredis.NewMiniRedis() // direct API only: no listener is started
	r := rs{name: "miniredis", close: func() { m.Close() }}
	r.get = func(k, _ string) bool { _, err := m.Get(k); return err == nil }
	r.set = func(k, v string) bool { return m.Set(k, v) == nil }
	r.hset = func(k, f, v string) bool { m.HSet(k, f, v); return true }
	r.hget = func(k, f, _ string) bool { return m.HGet(k, f) != "" }
	r.lpush = func(k, v string) bool { _, err := m.Lpush(k, v); return err == nil }
	r.lpop = func(k, _ string) bool { _, err := m.Lpop(k); return err == nil }
	r.sadd = func(k, mb string) bool { _, err := m.SetAdd(k, mb); return err == nil }
	r.srem = func(k, mb string) bool { _, err := m.SRem(k, mb); return err == nil }
	r.sismember = func(k, mb string) bool { ok, err := m.SIsMember(k, mb); return err == nil && ok }
	r.zadd = func(k, mb string, sc float64) bool { _, err := m.ZAdd(k, sc, mb); return err == nil }
	r.zrem = func(k, mb string, _ float64) bool { _, err := m.ZRem(k, mb); return err == nil }
	r.zrange = func(k string) bool { z, err := m.ZMembers(k); return err == nil && len(z) == zrangeSize }
	r.incr = func(k string) bool { _, err := m.Incr(k, 1); return err == nil }
	return r
}

func buntMem() rs {
	db, err := buntdb.Open(":memory:")
	if err != nil {
		panic(err)
	}
	r := rs{name: "buntdb", close: func() { db.Close() }, note: "in memory (:memory:)"}
	r.get = func(k, _ string) bool {
		err := db.View(func(tx *buntdb.Tx) error { _, err := tx.Get(k); return err })
		return err == nil
	}
	r.set = func(k, v string) bool {
		err := db.Update(func(tx *buntdb.Tx) error { _, _, err := tx.Set(k, v, nil); return err })
		return err == nil
	}
	return r
}

func runInProc(nkeys, rounds int, emit func([]Row)) {
	open := func() *kevy.Store {
		s, err := kevy.Open(nil)
		if err != nil {
			panic(err)
		}
		return s
	}
	stores := []rs{kevyTyped(open()), kevyDo(open()), mini(), buntMem()}
	defer func() {
		for _, s := range stores {
			s.close()
		}
	}()
	val := makeValue(16)
	keys := make([]string, nkeys)
	for i := range keys {
		keys[i] = "key:" + strconv.Itoa(i)
	}
	// GET and SET draw keys uniformly at random, as the cache section does
	// (walking them in insertion order would be kinder to every store's
	// caches than real traffic is).
	const maxN = 1 << 20
	idx := uniform(newRng(), nkeys, maxN)
	ck := func(p string) []string {
		out := make([]string, nContainers)
		for i := range out {
			out[i] = p + strconv.Itoa(i)
		}
		return out
	}
	hk, lk, sk, zk, zrk, cnt := ck("h:"), ck("l:"), ck("s:"), ck("z:"), ck("zr:"), ck("c:")
	fields := make([]string, nFields)
	for i := range fields {
		fields[i] = "f" + strconv.Itoa(i)
	}
	members := make([]string, maxN/nContainers+1)
	for i := range members {
		members[i] = "m" + strconv.Itoa(i)
	}
	for _, s := range stores {
		for _, k := range keys {
			s.set(k, val)
		}
		if s.hset == nil {
			continue
		}
		for i := 0; i < nContainers; i++ {
			for j := 0; j < nFields; j++ {
				s.hset(hk[i], fields[j], val)
				s.sadd(sk[i], fields[j])
			}
			for j := 0; j < listPrefill; j++ {
				s.lpush(lk[i], val)
			}
			for j := 0; j < zrangeSize; j++ {
				s.zadd(zrk[i], fields[j], float64(j))
			}
		}
	}

	type wl struct {
		name string
		has  func(s rs) bool
		op   func(s rs, i int) bool
		undo func(s rs, i int)
		maxN int
	}
	wls := []wl{
		{"GET", func(s rs) bool { return s.get != nil }, func(s rs, i int) bool { return s.get(keys[idx[i]], "") }, nil, maxN},
		{"SET", func(s rs) bool { return s.set != nil }, func(s rs, i int) bool { return s.set(keys[idx[i]], val) }, nil, maxN},
		{"HSET", func(s rs) bool { return s.hset != nil }, func(s rs, i int) bool {
			return s.hset(hk[i%nContainers], fields[(i/nContainers)%nFields], val)
		}, nil, 0},
		{"HGET", func(s rs) bool { return s.hget != nil }, func(s rs, i int) bool {
			return s.hget(hk[i%nContainers], fields[(i/nContainers)%nFields], "")
		}, nil, 0},
		{"LPUSH", func(s rs) bool { return s.lpush != nil }, func(s rs, i int) bool { return s.lpush(lk[i%nContainers], val) },
			func(s rs, i int) { s.lpop(lk[i%nContainers], "") }, 0},
		{"LPOP", func(s rs) bool { return s.lpop != nil }, func(s rs, i int) bool { return s.lpop(lk[i%nContainers], "") },
			func(s rs, i int) { s.lpush(lk[i%nContainers], val) }, nContainers * listPrefill},
		{"SADD", func(s rs) bool { return s.sadd != nil }, func(s rs, i int) bool { return s.sadd(sk[i%nContainers], members[i/nContainers]) },
			func(s rs, i int) { s.srem(sk[i%nContainers], members[i/nContainers]) }, maxN},
		{"SISMEMBER", func(s rs) bool { return s.sismember != nil }, func(s rs, i int) bool {
			return s.sismember(sk[i%nContainers], fields[(i/nContainers)%nFields])
		}, nil, 0},
		{"ZADD", func(s rs) bool { return s.zadd != nil }, func(s rs, i int) bool { return s.zadd(zk[i%nContainers], members[i/nContainers], float64(i)) },
			func(s rs, i int) { s.zrem(zk[i%nContainers], members[i/nContainers], 0) }, maxN},
		{"ZRANGE 0 -1", func(s rs) bool { return s.zrange != nil }, func(s rs, i int) bool { return s.zrange(zrk[i%nContainers]) }, nil, 0},
		{"INCR", func(s rs) bool { return s.incr != nil }, func(s rs, i int) bool { return s.incr(cnt[i%nContainers]) }, nil, 0},
	}
	config := fmt.Sprintf("1 goroutine, 16 B values; GET/SET: %d keys, uniform; others: 1,000 containers", nkeys)
	for _, w := range wls {
		c := cell{section: "redis", workload: w.name, config: config, threads: 1, target: *target,
			sameN: w.name == "LPUSH" || w.name == "LPOP" || w.name == "SADD" || w.name == "ZADD"}
		for _, s := range stores {
			if !w.has(s) {
				continue
			}
			e := entry{store: s.name, maxN: w.maxN, note: s.note}
			if w.name != "SISMEMBER" && s.name == "kevy" {
				e.note = ""
			}
			e.op = func(_, lo, hi int) int {
				h := 0
				for i := lo; i < hi; i++ {
					if w.op(s, i) {
						h++
					}
				}
				return h
			}
			if w.undo != nil {
				e.after = func(n int) {
					for i := 0; i < n; i++ {
						w.undo(s, i)
					}
				}
			}
			c.entries = append(c.entries, e)
		}
		emit(c.measure(rounds))
	}
}
