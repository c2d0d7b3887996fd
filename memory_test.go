package kevy

import (
	"fmt"
	"runtime"
	"strconv"
	"testing"
)

func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestUsedMemoryTracksHeap checks that UsedMemory estimates what the heap
// really grows by when keys are added, within 25%.
func TestUsedMemoryTracksHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates a few hundred MB")
	}
	cases := []struct {
		name string
		fill func(s *Store, i int)
	}{
		{"strings 16B", func(s *Store, i int) {
			s.Set("key:"+strconv.Itoa(i), fmt.Sprintf("value-%010d", i))
		}},
		{"strings 200B with TTL", func(s *Store, i int) {
			s.Set("key:"+strconv.Itoa(i), fmt.Sprintf("%0200d", i))
			s.Expire("key:"+strconv.Itoa(i), 3600e9)
		}},
		{"small hashes", func(s *Store, i int) {
			s.HSet("h:"+strconv.Itoa(i), "field", strconv.Itoa(i)+"-value", "f2", strconv.Itoa(i))
		}},
		{"small lists", func(s *Store, i int) {
			s.RPush("l:"+strconv.Itoa(i), strconv.Itoa(i)+"-a", strconv.Itoa(i)+"-b")
		}},
		{"small sets", func(s *Store, i int) {
			s.SAdd("s:"+strconv.Itoa(i), "m"+strconv.Itoa(i), "n"+strconv.Itoa(i))
		}},
		{"small zsets", func(s *Store, i int) {
			s.ZAdd("z:"+strconv.Itoa(i), Z{1, "m" + strconv.Itoa(i)}, Z{2, "n" + strconv.Itoa(i)})
		}},
	}
	n := 1_000_000 // as the issue asks; the race detector's overhead scales it down
	if raceOn {
		n = 100_000
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := open(t, &Options{Shards: 4})
			before := heapAlloc()
			for i := 0; i < n; i++ {
				c.fill(s, i)
			}
			grown := float64(heapAlloc() - before)
			est := float64(s.UsedMemory())
			ratio := est / grown
			t.Logf("%s: estimate %.1f MB, heap grew %.1f MB (ratio %.2f, %.0f B/key)", c.name, est/1e6, grown/1e6, ratio, est/float64(n))
			if ratio < 0.75 || ratio > 1.25 {
				t.Errorf("UsedMemory = %.0f bytes, heap grew %.0f: ratio %.2f outside [0.75, 1.25]", est, grown, ratio)
			}
			runtime.KeepAlive(s)
		})
	}
}

func TestMemoryUsageKey(t *testing.T) {
	s := open(t, nil)
	if _, err := s.MemoryUsage("nope"); err != ErrNotFound {
		t.Errorf("MemoryUsage(missing) error = %v, want ErrNotFound", err)
	}
	s.Set("small", "v")
	s.Set("big", string(make([]byte, 10000)))
	small, _ := s.MemoryUsage("small")
	big, _ := s.MemoryUsage("big")
	if small <= 0 || big-small < 10000 {
		t.Errorf("MemoryUsage small = %d, big = %d; want big to exceed small by the 10000-byte value", small, big)
	}
	if total := s.UsedMemory(); total != small+big {
		t.Errorf("UsedMemory = %d, want the sum of the keys %d", total, small+big)
	}
	s.Del("big")
	if total := s.UsedMemory(); total != small {
		t.Errorf("UsedMemory after Del = %d, want %d", total, small)
	}
}

// TestMaxMemoryHoldsUnderFlood writes twice what fits into a store limited
// to 256 MiB and checks the live heap stays within 1.25x the limit.
func TestMaxMemoryHoldsUnderFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates about 300 MB")
	}
	const limit = 256 << 20
	base := heapAlloc()
	s := open(t, &Options{Shards: 4, MaxMemory: limit, Eviction: AllKeysLRU})
	val := fmt.Sprintf("%0100d", 7)
	for i := 0; i < 2_200_000; i++ {
		k := "flood:" + strconv.Itoa(i)
		if err := s.Set(k, val[:50+i%50]+"x"); err != nil {
			t.Fatalf("Set #%d: %v", i, err)
		}
	}
	live := heapAlloc() - base
	t.Logf("limit %d MiB, UsedMemory %d MiB, live heap %d MiB, %d keys, %d evicted",
		limit>>20, s.UsedMemory()>>20, live>>20, s.Info().Keys, s.EvictionsTotal())
	if s.EvictionsTotal() == 0 {
		t.Fatal("nothing was evicted: the flood did not reach the limit")
	}
	if float64(live) > 1.25*limit {
		t.Errorf("live heap %d MiB exceeds 1.25x the %d MiB limit", live>>20, limit>>20)
	}
	runtime.KeepAlive(s)
}
