package types

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// forSeeds runs fn as a subtest for a few fixed seeds and one time-based
// seed; the subtest name carries the seed, so a failure can be replayed.
func forSeeds(t *testing.T, fn func(t *testing.T, r *rand.Rand)) {
	t.Helper()
	seeds := []uint64{1, 2, 3, uint64(time.Now().UnixNano())}
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			fn(t, rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)))
		})
	}
}

// checkTable verifies a Table's internal invariants.
func checkTable[V any](t *testing.T, tab *Table[V]) {
	t.Helper()
	if tab.slots == nil {
		if tab.live != 0 || tab.tombs != 0 {
			t.Fatalf("nil slots with live=%d tombs=%d", tab.live, tab.tombs)
		}
		return
	}
	size := len(tab.slots)
	if size&(size-1) != 0 || uint64(size-1) != tab.mask {
		t.Fatalf("size %d, mask %#x: not a power of two and its mask", size, tab.mask)
	}
	live, tombs := 0, 0
	for i, s := range tab.slots {
		switch {
		case s.tag == tagTomb:
			tombs++
		case s.tag&tagLive != 0:
			live++
			if s.tag != hashKey(s.key) {
				t.Fatalf("slot %d: tag of %q is stale", i, s.key)
			}
			if got := tab.find(s.key, s.tag); got != i {
				t.Fatalf("find(%q) = %d, want %d (probe chain broken)", s.key, got, i)
			}
		case s.tag != tagEmpty:
			t.Fatalf("slot %d: bad tag %#x", i, s.tag)
		}
	}
	if live != tab.live || tombs != tab.tombs {
		t.Fatalf("counted live=%d tombs=%d, table says live=%d tombs=%d", live, tombs, tab.live, tab.tombs)
	}
	if (live+tombs)*4 > size*3 {
		t.Fatalf("load (%d live + %d tombstones) over 3/4 of %d slots", live, tombs, size)
	}
	if size > minTableSize && live*shrinkFill < size {
		t.Fatalf("%d live in %d slots: below the shrink threshold but not shrunk", live, size)
	}
}
