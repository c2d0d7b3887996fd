package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"

	"github.com/alicebob/miniredis/v2"
	"github.com/coocood/freecache"
	"github.com/dgraph-io/ristretto/v2"
	"github.com/kevy-go/kevy"
	"github.com/maypok86/otter/v2"
	gocache "github.com/patrickmn/go-cache"
	"github.com/tidwall/buntdb"
)

// The memory section: live heap growth per key after n keys with 16 B
// values. Every key and value is a fresh allocation (as if read from the
// network), so a store that keeps the caller's strings and one that copies
// them are charged alike: key and value bytes are part of the figure.

// memKey and memValue are the keys and values loaded into every store and
// into redis-server: "key:0000000" (11 B) and a distinct 16 B value.
func memKey(i int) string {
	return fmt.Sprintf("key:%07d", i)
}

func memValue(i int) string {
	return fmt.Sprintf("v%015d", i)
}

func liveHeap() uint64 {
	var ms runtime.MemStats
	for i := 0; i < 3; i++ {
		runtime.GC()
	}
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

type memStore struct {
	name string
	// load inserts n fresh keys and returns the store (kept alive until
	// measured), how many keys it holds, and a note.
	load func(n int) (keep any, held int, note string)
}

func memStores(shards int) []memStore {
	kev := func(sh int) func(n int) (any, int, string) {
		return func(n int) (any, int, string) {
			s, err := kevy.Open(&kevy.Options{Shards: sh})
			if err != nil {
				panic(err)
			}
			for i := 0; i < n; i++ {
				s.Set(memKey(i), memValue(i))
			}
			held, _ := s.DBSize()
			return s, held, fmt.Sprintf("UsedMemory() reports %.1f B/key", float64(s.UsedMemory())/float64(n))
		}
	}
	return []memStore{
		{"kevy", kev(1)},
		{fmt.Sprintf("kevy-%d", shards), kev(shards)},
		{"otter", func(n int) (any, int, string) {
			c := otter.Must(&otter.Options[string, string]{MaximumSize: n + n/4})
			for i := 0; i < n; i++ {
				c.Set(memKey(i), memValue(i))
			}
			c.CleanUp()
			return c, c.EstimatedSize(), "MaximumSize = 1.25 × keys"
		}},
		{"ristretto", func(n int) (any, int, string) {
			c, err := ristretto.NewCache(&ristretto.Config[string, string]{
				NumCounters: int64(n) * 10, MaxCost: int64(n) + int64(n)/4, BufferItems: 64, IgnoreInternalCost: true,
			})
			if err != nil {
				panic(err)
			}
			for i := 0; i < n; i++ {
				k, v := memKey(i), memValue(i)
				for !c.Set(k, v, 1) {
					c.Wait()
				}
			}
			c.Wait()
			held := 0
			for i := 0; i < n; i++ {
				if _, ok := c.Get(memKey(i)); ok {
					held++
				}
			}
			return c, held, "keeps key hashes, not keys; NumCounters = 10 × keys"
		}},
		{"freecache", func(n int) (any, int, string) {
			// freecache preallocates: find the smallest size (in 16 MiB
			// steps) that holds every key without eviction.
			for size := 32 << 20; ; size += 16 << 20 {
				c := freecache.NewCache(size)
				for i := 0; i < n; i++ {
					c.Set([]byte(memKey(i)), []byte(memValue(i)), 0)
				}
				if c.EntryCount() == int64(n) && c.EvacuateCount() == 0 {
					return c, int(c.EntryCount()), fmt.Sprintf("preallocated %d MiB, the smallest (16 MiB steps) that held every key", size>>20)
				}
			}
		}},
		{"go-cache", func(n int) (any, int, string) {
			c := gocache.New(gocache.NoExpiration, 0)
			for i := 0; i < n; i++ {
				c.Set(memKey(i), memValue(i), gocache.NoExpiration)
			}
			return c, c.ItemCount(), ""
		}},
		{"sync.Map", func(n int) (any, int, string) {
			m := new(sync.Map)
			for i := 0; i < n; i++ {
				m.Store(memKey(i), memValue(i))
			}
			held := 0
			m.Range(func(_, _ any) bool { held++; return true })
			return m, held, ""
		}},
		{"map+RWMutex", func(n int) (any, int, string) {
			m := &mapKV{m: make(map[string]string)}
			for i := 0; i < n; i++ {
				m.mu.Lock()
				m.m[memKey(i)] = memValue(i)
				m.mu.Unlock()
			}
			return m, len(m.m), ""
		}},
		{"miniredis", func(n int) (any, int, string) {
			m := miniredis.NewMiniRedis()
			for i := 0; i < n; i++ {
				m.Set(memKey(i), memValue(i))
			}
			return m, len(m.Keys()), ""
		}},
		{"buntdb", func(n int) (any, int, string) {
			db, err := buntdb.Open(":memory:")
			if err != nil {
				panic(err)
			}
			for i := 0; i < n; i += 1000 {
				db.Update(func(tx *buntdb.Tx) error {
					for j := i; j < min(i+1000, n); j++ {
						tx.Set(memKey(j), memValue(j), nil)
					}
					return nil
				})
			}
			held := 0
			db.View(func(tx *buntdb.Tx) error { held, _ = tx.Len(); return nil })
			return db, held, "in memory (:memory:)"
		}},
	}
}

func runMemory(n, shards int, r *redisServer, emit func([]Row), skipped func(section, what, why string)) {
	var rows []Row
	config := strconv.Itoa(n) + " keys, 11 B keys, 16 B values"
	for _, m := range memStores(shards) {
		before := liveHeap()
		keep, held, note := m.load(n)
		after := liveHeap()
		runtime.KeepAlive(keep)
		if held != n {
			note = fmt.Sprintf("holds %d of %d keys; %s", held, n, note)
		}
		rows = append(rows, Row{
			Section: "memory", Workload: "bytes per key", Config: config, Threads: 1, Store: m.name,
			BytesPerKey: (float64(after) - float64(before)) / float64(n), Note: note,
		})
		switch k := keep.(type) {
		case *kevy.Store:
			k.Close()
		case *ristretto.Cache[string, string]:
			k.Close()
		case *otter.Cache[string, string]:
			k.StopAllGoroutines()
		case *buntdb.DB:
			k.Close()
		case *miniredis.Miniredis:
			k.Close()
		}
		keep = nil
		debug.FreeOSMemory()
	}
	if r != nil {
		b, ver, err := redisBytesPerKey(r, n)
		if err != nil {
			skipped("memory", "redis-server", err.Error())
		} else {
			rows = append(rows, Row{
				Section: "memory", Workload: "bytes per key", Config: config, Threads: 1,
				Store: "redis-server", BytesPerKey: b, Note: "INFO used_memory growth, redis " + ver,
			})
		}
	}
	emit(rows)
}
