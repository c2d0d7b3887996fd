package kevy

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// Micro-benchmarks of the typed API. Compare two commits with benchstat:
//
//	go test -run '^$' -bench . -count 10 > old.txt   (on the old commit)
//	go test -run '^$' -bench . -count 10 > new.txt   (on the new commit)
//	go run golang.org/x/perf/cmd/benchstat@latest old.txt new.txt

const benchValue = "0123456789abcdef"

func benchKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "key:" + strconv.Itoa(i)
	}
	return keys
}

func benchStore(b *testing.B, n int) (*Store, []string) {
	s := open(b, nil)
	keys := benchKeys(n)
	for _, k := range keys {
		s.Set(k, benchValue)
	}
	b.ReportAllocs()
	return s, keys
}

func BenchmarkGet(b *testing.B) {
	s, keys := benchStore(b, 4096)
	for i := 0; b.Loop(); i++ {
		if _, err := s.Get(keys[i&4095]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetTTL(b *testing.B) {
	s, keys := benchStore(b, 4096)
	for _, k := range keys {
		s.SetWithTTL(k, benchValue, time.Hour)
	}
	for i := 0; b.Loop(); i++ {
		if _, err := s.Get(keys[i&4095]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetParallel(b *testing.B) {
	s, keys := benchStore(b, 4096)
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			s.Get(keys[i&4095])
			i += 7
		}
	})
}

func BenchmarkSetExisting(b *testing.B) {
	s, keys := benchStore(b, 4096)
	for i := 0; b.Loop(); i++ {
		s.Set(keys[i&4095], benchValue)
	}
}

func BenchmarkSetNew(b *testing.B) {
	s := open(b, nil)
	keys := benchKeys(1 << 20)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i&(1<<20-1) == 0 {
			s.FlushAll()
		}
		s.Set(keys[i&(1<<20-1)], benchValue)
	}
}

func BenchmarkSetWithTTL(b *testing.B) {
	s, keys := benchStore(b, 4096)
	for i := 0; b.Loop(); i++ {
		s.SetWithTTL(keys[i&4095], benchValue, time.Hour)
	}
}

func BenchmarkDoGet(b *testing.B) {
	s, keys := benchStore(b, 4096)
	for i := 0; b.Loop(); i++ {
		if _, err := s.Do("GET", keys[i&4095]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDoSet(b *testing.B) {
	s, keys := benchStore(b, 4096)
	for i := 0; b.Loop(); i++ {
		if _, err := s.Do("SET", keys[i&4095], benchValue); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIncr(b *testing.B) {
	s, keys := benchStore(b, 64)
	for i := 0; b.Loop(); i++ {
		s.Del(keys[i&63])
		s.Incr(keys[i&63])
	}
}

func BenchmarkDel(b *testing.B) {
	s, keys := benchStore(b, 4096)
	for i := 0; b.Loop(); i++ {
		k := keys[i&4095]
		s.Del(k)
		s.Set(k, benchValue)
	}
}

func BenchmarkExists(b *testing.B) {
	s, keys := benchStore(b, 4096)
	for i := 0; b.Loop(); i++ {
		s.Exists(keys[i&4095])
	}
}

func BenchmarkExpireTTL(b *testing.B) {
	s, keys := benchStore(b, 4096)
	for i := 0; b.Loop(); i++ {
		s.Expire(keys[i&4095], time.Hour)
		s.PTTL(keys[i&4095])
	}
}

func BenchmarkHSetHGet(b *testing.B) {
	s, keys := benchStore(b, 0)
	keys = benchKeys(64)
	for i := 0; b.Loop(); i++ {
		f := keys[i&63]
		s.HSet("h", f, benchValue)
		s.HGet("h", f)
	}
}

func BenchmarkHDel(b *testing.B) {
	s, _ := benchStore(b, 0)
	keys := benchKeys(64)
	for i := 0; b.Loop(); i++ {
		f := keys[i&63]
		s.HSet("h", f, benchValue)
		s.HDel("h", f)
	}
}

func BenchmarkLPushLPop(b *testing.B) {
	s, _ := benchStore(b, 0)
	for b.Loop() {
		s.LPush("l", benchValue)
		s.LPop("l", 1)
	}
}

func BenchmarkRPushRPopLLen(b *testing.B) {
	s, _ := benchStore(b, 0)
	s.RPush("l", benchValue)
	for b.Loop() {
		s.RPush("l", benchValue)
		s.RPop("l", 1)
		s.LLen("l")
	}
}

func BenchmarkSAddSRem(b *testing.B) {
	s, _ := benchStore(b, 0)
	keys := benchKeys(64)
	for i := 0; b.Loop(); i++ {
		s.SAdd("s", keys[i&63])
		s.SRem("s", keys[(i+32)&63])
	}
}

func BenchmarkSCardSMembers(b *testing.B) {
	s, _ := benchStore(b, 0)
	s.SAdd("s", benchKeys(16)...)
	for b.Loop() {
		s.SCard("s")
		s.SMembers("s")
	}
}

func BenchmarkZAddZScore(b *testing.B) {
	s, _ := benchStore(b, 0)
	keys := benchKeys(1024)
	for i := 0; b.Loop(); i++ {
		m := keys[i&1023]
		s.ZAdd("z", Z{Score: float64(i & 4095), Member: m})
		s.ZScore("z", m)
	}
}

func BenchmarkZRemZCard(b *testing.B) {
	s, _ := benchStore(b, 0)
	keys := benchKeys(1024)
	for i := 0; b.Loop(); i++ {
		m := keys[i&1023]
		s.ZAdd("z", Z{Score: 1, Member: m})
		s.ZRem("z", m)
		s.ZCard("z")
	}
}

func BenchmarkKeys(b *testing.B) {
	s, _ := benchStore(b, 4096)
	for b.Loop() {
		s.Keys("key:1*", 0)
	}
}

func BenchmarkTick(b *testing.B) {
	s, keys := benchStore(b, 4096)
	for _, k := range keys {
		s.SetWithTTL(k, benchValue, time.Hour)
	}
	for b.Loop() {
		s.Tick()
	}
}

func BenchmarkWithKey(b *testing.B) {
	s, _ := benchStore(b, 0)
	for b.Loop() {
		s.WithKey("{u}", func(tx *Tx) error {
			tx.Set("{u}a", benchValue)
			tx.IncrBy("{u}n", 1)
			return nil
		})
	}
}

// BenchmarkGetParallelLRU is BenchmarkGetParallel with a memory limit and
// allkeys-lru: reads refresh an access stamp, without a lock.
func BenchmarkGetParallelLRU(b *testing.B) {
	s := open(b, &Options{MaxMemory: 1 << 30, Eviction: AllKeysLRU})
	keys := benchKeys(4096)
	for _, k := range keys {
		s.Set(k, benchValue)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			s.Get(keys[i&4095])
			i += 7
		}
	})
}

// BenchmarkSetFloodEvicting writes new keys into a full store, so every
// write evicts one.
func BenchmarkSetFloodEvicting(b *testing.B) {
	s := open(b, &Options{MaxMemory: 4 << 20, Eviction: AllKeysLRU})
	keys := benchKeys(1 << 20)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.Set(keys[i&(1<<20-1)], benchValue)
	}
}

// BenchmarkSetExistingAOF is BenchmarkSetExisting with the append-only
// log on (fsync every second): the cost of journaling a write.
var autoRewrite = -1

func BenchmarkSetExistingAOF(b *testing.B) {
	s := open(b, &Options{Dir: b.TempDir(), AppendFsync: FsyncEverySec, AutoRewritePercent: autoRewrite})
	keys := benchKeys(4096)
	for _, k := range keys {
		s.Set(k, benchValue)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.Set(keys[i&4095], benchValue)
	}
}

// BenchmarkGetLRUManualReaper is GET with allkeys-lru and the manual
// reaper: the access stamp must not cost a clock read per GET.
func BenchmarkGetLRUManualReaper(b *testing.B) {
	s := open(b, &Options{MaxMemory: 1 << 30, Eviction: AllKeysLRU, Reaper: ReaperManual})
	keys := benchKeys(4096)
	for _, k := range keys {
		s.Set(k, benchValue)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.Get(keys[i&4095])
	}
}

// BenchmarkHashMixContended runs HGET with 1, 10 or 50 % HSET from 2, 8
// and 32 goroutines (SetParallelism 1, 4, 16 on GOMAXPROCS 2) on one
// shard: readers and writers contending for one lock, with more goroutines
// than cores. A shard lock with a cheaper uncontended path must not lose
// here (a Cond-based one measured 3-7x slower than sync.RWMutex).
func BenchmarkHashMixContended(b *testing.B) {
	for _, par := range []int{1, 4, 16} {
		for _, writes := range []int{1, 10, 50} {
			b.Run(strconv.Itoa(par)+"xP/"+strconv.Itoa(writes)+"%w", func(b *testing.B) {
				s, keys := open(b, nil), benchKeys(64)
				for _, k := range keys {
					s.HSet(k, "f", "v")
				}
				b.ReportAllocs()
				b.SetParallelism(par)
				b.RunParallel(func(pb *testing.PB) {
					for i := 0; pb.Next(); i++ {
						k := keys[i&63]
						if i%100 < writes {
							s.HSet(k, "f", "v")
						} else {
							s.HGet(k, "f")
						}
					}
				})
			})
		}
	}
}

// BenchmarkAppendGrowing appends 100-byte chunks to one key, starting over
// every 10,000 (1 MB): the cost of building a string with APPEND, which
// Redis and kevy keep in a buffer with room to spare (it was a copy of the
// whole string per APPEND: 1.4 s for one megabyte).
func BenchmarkAppendGrowing(b *testing.B) {
	s := open(b, nil)
	chunk := strings.Repeat("x", 100)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%10000 == 0 {
			s.Del("log")
		}
		if _, err := s.Do("APPEND", "log", chunk); err != nil {
			b.Fatal(err)
		}
	}
}
