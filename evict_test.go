package kevy

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

const evictLimit = 64 << 10 // 64 KiB: about 600 small keys

func openLimited(t *testing.T, p EvictionPolicy, shards int) (*Store, *fakeClock) {
	t.Helper()
	clk := newFakeClock()
	s := open(t, &Options{Shards: shards, Reaper: ReaperManual, Clock: clk, MaxMemory: evictLimit, Eviction: p})
	return s, clk
}

// fill writes keys prefix0.. until n keys were written; every write must
// succeed (the policy makes room).
func fill(t *testing.T, s *Store, prefix string, n int, ttl time.Duration) {
	t.Helper()
	for i := 0; i < n; i++ {
		k := fmt.Sprintf("%s%05d", prefix, i)
		var err error
		if ttl > 0 {
			err = s.SetWithTTL(k, "0123456789abcdef", ttl)
		} else {
			err = s.Set(k, "0123456789abcdef")
		}
		if err != nil {
			t.Fatalf("write %d (%s): %v", i, k, err)
		}
	}
}

func countPrefix(s *Store, prefix string) int {
	ks, _ := s.Keys(prefix+"*", 0)
	return len(ks)
}

func TestNoEvictionRefusesWrites(t *testing.T) {
	s, _ := openLimited(t, NoEviction, 1)
	var err error
	for i := 0; err == nil && i < 10000; i++ {
		err = s.Set(fmt.Sprint("k", i), "0123456789abcdef")
	}
	if !errors.Is(err, ErrOOM) || err.Error() != "OOM command not allowed when used memory > 'maxmemory'." {
		t.Fatalf("write past the limit: error = %v, want Redis's OOM error", err)
	}
	if _, err := s.Do("SET", "x", "y"); !errors.Is(err, ErrOOM) {
		t.Errorf("Do(SET) past the limit: %v, want ErrOOM", err)
	}
	// Reads and deletes keep working.
	if _, err := s.Get("k1"); err != nil {
		t.Errorf("Get over the limit: %v", err)
	}
	if _, err := s.Do("DEL", "k1", "k2"); err != nil {
		t.Errorf("Do(DEL) over the limit: %v", err)
	}
	if s.EvictionsTotal() != 0 {
		t.Errorf("noeviction evicted %d keys", s.EvictionsTotal())
	}
}

func TestAllKeysLRUEvictsIdleKeys(t *testing.T) {
	s, clk := openLimited(t, AllKeysLRU, 4)
	fill(t, s, "old", 300, 0)
	clk.Advance(100 * time.Second)
	fill(t, s, "hot", 100, 0)
	for i := 0; i < 10; i++ { // keep the hot keys recently used
		clk.Advance(time.Second)
		for j := 0; j < 100; j++ {
			s.Get(fmt.Sprintf("hot%05d", j))
		}
	}
	fill(t, s, "new", 450, 0) // about 250 keys must go: the idle ones
	if hot := countPrefix(s, "hot"); hot < 90 {
		t.Errorf("allkeys-lru kept %d of 100 recently used keys, want nearly all", hot)
	}
	// Exact LRU would keep 50; random eviction about 210. Sampling 5 keys
	// per round into the pool, as Redis does, keeps 60-75.
	if old := countPrefix(s, "old"); old > 90 {
		t.Errorf("allkeys-lru kept %d of 300 idle keys, want most evicted", old)
	}
	checkLimit(t, s)
	if s.EvictionsTotal() == 0 || s.Info().EvictedKeys != s.EvictionsTotal() {
		t.Errorf("EvictionsTotal = %d, Info.EvictedKeys = %d", s.EvictionsTotal(), s.Info().EvictedKeys)
	}
}

func TestAllKeysLFUEvictsRareKeys(t *testing.T) {
	s, _ := openLimited(t, AllKeysLFU, 1)
	fill(t, s, "freq", 100, 0)
	for i := 0; i < 200; i++ {
		for j := 0; j < 100; j++ {
			s.Get(fmt.Sprintf("freq%05d", j))
		}
	}
	fill(t, s, "once", 1000, 0)
	if n := countPrefix(s, "freq"); n < 90 {
		t.Errorf("allkeys-lfu kept %d of 100 frequently used keys, want nearly all", n)
	}
	r, err := s.Do("OBJECT", "FREQ", "freq00001")
	if err != nil || r.Int < 6 {
		t.Errorf("OBJECT FREQ of a hot key = %v, %v; want a counter above the initial 5", r, err)
	}
}

func TestVolatilePoliciesSparePersistentKeys(t *testing.T) {
	for _, p := range []EvictionPolicy{VolatileLRU, VolatileLFU, VolatileRandom, VolatileTTL} {
		t.Run(string(p), func(t *testing.T) {
			s, _ := openLimited(t, p, 2)
			fill(t, s, "keep", 200, 0)
			fill(t, s, "temp", 600, time.Hour)
			if n := countPrefix(s, "keep"); n != 200 {
				t.Errorf("%s evicted %d persistent keys", p, 200-n)
			}
			if s.EvictionsTotal() == 0 {
				t.Errorf("%s evicted nothing", p)
			}
			// With only persistent keys left to evict, writes fail.
			s.FlushAll()
			fill(t, s, "keep", 0, 0)
			var err error
			for i := 0; err == nil && i < 10000; i++ {
				err = s.Set(fmt.Sprint("p", i), "0123456789abcdef")
			}
			if !errors.Is(err, ErrOOM) {
				t.Errorf("%s with no volatile keys: error = %v, want ErrOOM", p, err)
			}
		})
	}
}

func TestVolatileTTLEvictsSoonestExpiring(t *testing.T) {
	s, _ := openLimited(t, VolatileTTL, 1)
	for i := 0; i < 300; i++ {
		s.SetWithTTL(fmt.Sprintf("short%05d", i), "0123456789abcdef", time.Minute)
	}
	for i := 0; i < 100; i++ {
		s.SetWithTTL(fmt.Sprintf("long%05d", i), "0123456789abcdef", 24*time.Hour)
	}
	fill(t, s, "more", 500, 2*time.Hour) // about 300 keys must go: the soonest expiring
	if n := countPrefix(s, "long"); n < 95 {
		t.Errorf("volatile-ttl kept %d of 100 long-lived keys, want nearly all", n)
	}
	if n := countPrefix(s, "short"); n > 60 {
		t.Errorf("volatile-ttl kept %d of 300 soon-expiring keys, want most evicted", n)
	}
}

func TestAllKeysRandomStaysUnderLimit(t *testing.T) {
	s, _ := openLimited(t, AllKeysRandom, 3)
	fill(t, s, "k", 3000, 0)
	checkLimit(t, s)
	if n, _ := s.DBSize(); n < 300 || n > 700 {
		t.Errorf("DBSize = %d after 3000 writes under a 64 KiB limit", n)
	}
}

func TestObjectIdleTime(t *testing.T) {
	s, clk := openClock(t, 1)
	s.Set("k", "v")
	clk.Advance(42 * time.Second)
	r, err := s.Do("OBJECT", "IDLETIME", "k")
	if err != nil || r.Int < 41 || r.Int > 43 {
		t.Errorf("OBJECT IDLETIME after 42s = %v, %v", r, err)
	}
	s.Get("k")
	if r, _ := s.Do("OBJECT", "IDLETIME", "k"); r.Int > 1 {
		t.Errorf("OBJECT IDLETIME after a GET = %v, want 0", r)
	}
}

// checkLimit allows the last write's key above the limit: as in Redis,
// eviction runs before a write, so the write itself may overshoot.
func checkLimit(t *testing.T, s *Store) {
	t.Helper()
	if used := s.UsedMemory(); used > evictLimit+256 {
		t.Errorf("UsedMemory %d over the limit %d by more than one key", used, evictLimit)
	}
}
