package engine

import (
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/kevy-go/kevy/internal/keyspace"
)

// Memory limit and eviction, Redis's way.
//
// Each key carries an access stamp (keyspace.Entry.Access). Under the LRU
// policies it is a 24-bit clock in seconds; under the LFU policies it is
// Redis's 16-bit time of last decrement in minutes and an 8-bit
// logarithmic access counter that new keys start at 5 and that decays by
// one per lfu-decay-time minutes. Reads refresh the stamp with a plain
// atomic store, and only when it changes, so a hot read path writes nothing
// shared most of the time and never takes a lock for it.
//
// When a command that may grow memory finds the store over maxmemory, the
// evictor (one at a time) samples maxmemory-samples keys per shard into a
// pool of the 16 best candidates kept across rounds, deletes the best, and
// repeats until the store fits. noeviction, or a volatile policy with no
// key carrying a TTL, refuses the command with Redis's OOM error.

// Policy is a maxmemory-policy.
type Policy int32

// The eight Redis policies.
const (
	NoEviction Policy = iota
	AllKeysLRU
	AllKeysLFU
	AllKeysRandom
	VolatileLRU
	VolatileLFU
	VolatileRandom
	VolatileTTL
)

var policyNames = [...]string{"noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random",
	"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"}

// String returns the policy's Redis name.
func (p Policy) String() string {
	if p >= 0 && int(p) < len(policyNames) {
		return policyNames[p]
	}
	return "unknown"
}

// ParsePolicy reads a Redis policy name (case-insensitive).
func ParsePolicy(s string) (Policy, bool) {
	for i, n := range policyNames {
		if eq(s, n) {
			return Policy(i), true
		}
	}
	return 0, false
}

func (p Policy) lfu() bool      { return p == AllKeysLFU || p == VolatileLFU }
func (p Policy) volatile() bool { return p >= VolatileLRU }

const (
	lfuInitVal  = 5
	evpoolSize  = 16
	lfuMaxCount = 255
)

// memLimit holds the settings CONFIG SET may change at any time.
type memLimit struct {
	maxmemory    atomic.Int64
	policy       atomic.Int32
	samples      atomic.Int32
	lfuLogFactor atomic.Int32
	lfuDecayTime atomic.Int32 // minutes
}

// MemoryConfig is the memory-limit configuration.
type MemoryConfig struct {
	MaxMemory    int64 // bytes for the whole store; 0 = unlimited
	Policy       Policy
	Samples      int // keys sampled per shard per round (default 5)
	LFULogFactor int // default 10
	LFUDecayTime int // minutes, default 1
}

// SetMemoryConfig applies c (zero Samples/LFU fields keep their current
// values).
func (en *Engine) SetMemoryConfig(c MemoryConfig) {
	en.mem.maxmemory.Store(c.MaxMemory)
	en.mem.policy.Store(int32(c.Policy))
	if c.Samples > 0 {
		en.mem.samples.Store(int32(c.Samples))
	}
	if c.LFULogFactor > 0 {
		en.mem.lfuLogFactor.Store(int32(c.LFULogFactor))
	}
	if c.LFUDecayTime > 0 {
		en.mem.lfuDecayTime.Store(int32(c.LFUDecayTime))
	}
}

// MemoryConfig returns the current memory-limit configuration.
func (en *Engine) MemoryConfig() MemoryConfig {
	return MemoryConfig{
		MaxMemory: en.mem.maxmemory.Load(), Policy: Policy(en.mem.policy.Load()),
		Samples: int(en.mem.samples.Load()), LFULogFactor: int(en.mem.lfuLogFactor.Load()),
		LFUDecayTime: int(en.mem.lfuDecayTime.Load()),
	}
}

func (en *Engine) initMemory() {
	en.mem.samples.Store(5)
	en.mem.lfuLogFactor.Store(10)
	en.mem.lfuDecayTime.Store(1)
	for _, sh := range en.shards {
		sh.dict.InitAccess = en.newAccess
	}
}

// lruClock is the LRU clock: milliseconds, 32 bits, wrapping every 49.7
// days. Redis counts seconds in 24 bits; an in-process store evicts far
// more keys per second than a server does (hundreds of thousands), and with
// a clock ticking once a second every key sampled would look equally idle,
// LRU degrading to random eviction.
func (en *Engine) lruClock() uint32 { return uint32(en.stampNow()) }

func (en *Engine) lfuMinutes() uint32 { return uint32(en.stampNow()/60000) & 0xffff }

// newAccess is the stamp of a new key.
func (en *Engine) newAccess() uint32 {
	if Policy(en.mem.policy.Load()).lfu() {
		return en.lfuMinutes()<<8 | lfuInitVal
	}
	return en.lruClock()
}

// touchAccess records an access to e: refresh the LRU clock, or count an
// LFU access. Safe without the lock (an atomic store, made only on change).
func (en *Engine) touchAccess(e *keyspace.Entry) {
	old := e.Access.Load()
	var v uint32
	if Policy(en.mem.policy.Load()).lfu() {
		c := en.lfuDecr(old)
		if c < lfuMaxCount {
			base := float64(c) - lfuInitVal
			if base < 0 {
				base = 0
			}
			if rand.Float64() < 1/(base*float64(en.mem.lfuLogFactor.Load())+1) {
				c++
			}
		}
		v = en.lfuMinutes()<<8 | c
	} else {
		v = en.lruClock()
	}
	if v != old {
		e.Access.Store(v)
	}
}

// lfuDecr returns stamp's counter decayed by the minutes since its last
// decrement.
func (en *Engine) lfuDecr(stamp uint32) uint32 {
	ldt, c := stamp>>8, stamp&0xff
	period := uint32(en.mem.lfuDecayTime.Load())
	if period == 0 {
		return c
	}
	now := en.lfuMinutes()
	var elapsed uint32
	if now >= ldt {
		elapsed = now - ldt
	} else {
		elapsed = 65535 - ldt + now
	}
	n := elapsed / period
	if n > c {
		return 0
	}
	return c - n
}

// IdleMillis estimates how long e has not been accessed (OBJECT IDLETIME).
func (en *Engine) IdleMillis(e *keyspace.Entry) int64 {
	return int64(en.lruClock() - e.Access.Load()) // wraps
}

// Freq returns e's decayed LFU counter (OBJECT FREQ).
func (en *Engine) Freq(e *keyspace.Entry) int64 { return int64(en.lfuDecr(e.Access.Load())) }

// LFUPolicy reports whether an LFU policy is selected.
func (en *Engine) LFUPolicy() bool { return Policy(en.mem.policy.Load()).lfu() }

// candidate is an entry of the eviction pool.
type candidate struct {
	score uint64 // higher = evict sooner
	key   string
	shard int
	e     *keyspace.Entry
}

// evictor serializes evictions and keeps the pool across rounds.
type evictor struct {
	mu   sync.Mutex // protects pool; held for a whole freeMemory call
	pool []candidate
	next int // shard where the next sampling round starts
}

// overLimit reports whether the store uses more than maxmemory.
func (en *Engine) overLimit() bool {
	max := en.mem.maxmemory.Load()
	return max > 0 && en.UsedMemory() > max
}

// freeMemory evicts keys until the store fits maxmemory, or returns
// ErrOOM. No shard lock may be held.
func (en *Engine) freeMemory() error {
	if en.loading.Load() || !en.overLimit() {
		return nil
	}
	p := Policy(en.mem.policy.Load())
	if p == NoEviction {
		return ErrOOM
	}
	en.ev.mu.Lock()
	defer en.ev.mu.Unlock()
	en.Now() // with the manual reaper, refreshes the clock of access stamps
	for en.overLimit() {
		if !en.evictOne(p) {
			return ErrOOM
		}
	}
	return nil
}

// evictOne deletes one key chosen by policy p, reporting false when there
// is no candidate.
func (en *Engine) evictOne(p Policy) bool {
	n := len(en.shards)
	if p == AllKeysRandom || p == VolatileRandom {
		for k := 0; k < n; k++ {
			sh := en.shards[(en.ev.next+k)%n]
			sh.mu.Lock()
			var e *keyspace.Entry
			if p == AllKeysRandom {
				e = sh.dict.Random()
			} else {
				e = sh.dict.RandomVolatile()
			}
			if e != nil {
				sh.evict(e)
			}
			evs := sh.takeEvents(nil)
			sh.mu.Unlock()
			en.deliver(evs)
			if e != nil {
				en.ev.next = (en.ev.next + k + 1) % n
				return true
			}
		}
		return false
	}
	// Each round samples one shard, in turn, into the pool kept across
	// rounds, as Redis samples its one keyspace: the work per eviction
	// does not grow with the shard count.
	for attempt := 0; attempt < 4*n; attempt++ {
		en.sample(en.shards[en.ev.next], p)
		en.ev.next = (en.ev.next + 1) % n
		for len(en.ev.pool) > 0 {
			c := en.ev.pool[len(en.ev.pool)-1]
			en.ev.pool = en.ev.pool[:len(en.ev.pool)-1]
			sh := en.shards[c.shard]
			sh.mu.Lock()
			live := sh.dict.Lookup(c.key, c.e.Hash()) == c.e && (!p.volatile() || c.e.Exp() != 0)
			if live {
				sh.evict(c.e)
			}
			evs := sh.takeEvents(nil)
			sh.mu.Unlock()
			en.deliver(evs)
			if live {
				return true
			}
		}
	}
	return false
}

// sample adds up to maxmemory-samples keys of sh to the pool.
func (en *Engine) sample(sh *Shard, p Policy) {
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	k := int(en.mem.samples.Load())
	if p.volatile() {
		k = min(k, sh.dict.Volatile())
	} else {
		k = min(k, sh.dict.Len())
	}
	for i := 0; i < k; i++ {
		var e *keyspace.Entry
		if p.volatile() {
			e = sh.dict.RandomVolatile()
		} else {
			e = sh.dict.Random()
		}
		if e == nil {
			return
		}
		var score uint64
		switch {
		case p == VolatileTTL:
			score = math.MaxUint64 - uint64(e.Exp())
		case p.lfu():
			score = lfuMaxCount - uint64(en.lfuDecr(e.Access.Load()))
		default:
			score = uint64(en.IdleMillis(e))
		}
		en.ev.insert(candidate{score: score, key: e.Key, shard: sh.idx, e: e})
	}
}

// insert keeps the pool sorted by score (best last), at most evpoolSize.
func (ev *evictor) insert(c candidate) {
	for _, x := range ev.pool {
		if x.e == c.e {
			return
		}
	}
	if len(ev.pool) == evpoolSize {
		if c.score <= ev.pool[0].score {
			return
		}
		ev.pool = ev.pool[1:]
	}
	i := 0
	for i < len(ev.pool) && ev.pool[i].score < c.score {
		i++
	}
	ev.pool = append(ev.pool, candidate{})
	copy(ev.pool[i+1:], ev.pool[i:])
	ev.pool[i] = c
}

// evict deletes e to free memory, logging it as DEL. Exclusive lock held.
func (sh *Shard) evict(e *keyspace.Entry) {
	sh.used.Add(-entrySize(e))
	sh.remove(e)
	sh.evicted.Add(1)
	sh.log("DEL", e.Key)
	sh.notify(ClassEvicted, "evicted", e.Key)
}
