package engine

import (
	"strings"
	"sync"
	"testing"

	"github.com/kevy-go/kevy/internal/keyspace"
)

// TestEntryFlagsDisjoint: the engine's entry flags and the keyspace's own
// bit are distinct (flagUnshared once collided with FlagOwned, which let
// APPEND write into a string literal).
func TestEntryFlagsDisjoint(t *testing.T) {
	all := []uint8{flagRaw, flagNotInt, flagUnshared, keyspace.FlagOwned}
	for i, a := range all {
		for _, b := range all[i+1:] {
			if a&b != 0 {
				t.Fatalf("entry flags %#x and %#x overlap", a, b)
			}
		}
	}
}

func TestAppendCap(t *testing.T) {
	for n := 1; n < 5<<20; n += 1 + n/7 {
		c := appendCap(n)
		if c < n {
			t.Fatalf("appendCap(%d) = %d", n, c)
		}
		// Every length from n up to c maps to c: the capacity of a buffer
		// follows from the length of the value in it.
		for _, m := range []int{n, (n + c) / 2, c} {
			if appendCap(m) != c {
				t.Fatalf("appendCap(%d) = %d but appendCap(%d) = %d", n, c, m, appendCap(m))
			}
		}
	}
}

// TestAppendInPlace builds strings with APPEND, which grows them in a
// buffer with room to spare, and checks what must not change: a value read
// earlier stays as it was, COPY and RENAME give the other key its own
// future, SET and other writes replace the buffer, the memory accounting
// matches the keys, and a concurrent lock-free GET always sees a whole
// value.
func TestAppendInPlace(t *testing.T) {
	en := New(Config{ManualReaper: true})
	defer en.Close()
	run(t, en, "APPEND", "a", "x")
	var reads []string
	want := "x"
	for i := 0; i < 300; i++ {
		chunk := strings.Repeat(string(rune('a'+i%26)), i%7+1)
		run(t, en, "APPEND", "a", chunk)
		want += chunk
		if i%50 == 0 {
			v, _ := en.Get("a")
			reads = append(reads, v)
		}
	}
	if v, _ := en.Get("a"); v != want {
		t.Fatalf("after APPENDs: %q, want %q", v, want)
	}
	for _, r := range reads {
		if !strings.HasPrefix(want, r) || r == want {
			t.Fatalf("an earlier read changed: %q", r)
		}
	}
	// Copies share the bytes: appends to either must not show in the other.
	run(t, en, "COPY", "a", "b")
	run(t, en, "APPEND", "a", "-from-a")
	run(t, en, "APPEND", "b", "-from-b")
	run(t, en, "RENAME", "b", "c")
	run(t, en, "APPEND", "c", "-from-c")
	run(t, en, "APPEND", "a", "+")
	if a, _ := en.Get("a"); a != want+"-from-a+" {
		t.Fatalf("a = ...%q", a[len(want):])
	}
	if c, _ := en.Get("c"); c != want+"-from-b-from-c" {
		t.Fatalf("c = ...%q", c[len(want):])
	}
	// Other writes replace the buffer; APPEND starts a new one.
	run(t, en, "SET", "a", "12")
	run(t, en, "INCR", "a")
	run(t, en, "APPEND", "a", "4")
	run(t, en, "SETRANGE", "a", "0", "9")
	run(t, en, "APPEND", "a", "5")
	if a, _ := en.Get("a"); a != "9345" {
		t.Fatalf("a = %q, want 9345", a)
	}
	checkAccounting(t, en)
	run(t, en, "DEL", "a", "c")
	checkAccounting(t, en)

	// A reader never sees a torn or changed value while APPEND runs.
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			v, _ := en.Get("r")
			for i := range len(v) {
				if v[i] != byte('0'+i%10) {
					t.Errorf("byte %d of a %d-byte read is %q", i, len(v), v[i])
					return
				}
			}
		}
	}()
	for i := 0; i < 20000; i++ {
		execRESP(t, en, []string{"APPEND", "r", string(rune('0' + i%10))})
	}
	close(done)
	wg.Wait()
	checkAccounting(t, en)
}

// checkAccounting compares each shard's memory counter with the sum of its
// keys' sizes.
func checkAccounting(t *testing.T, en *Engine) {
	t.Helper()
	for i := range en.ShardCount() {
		sh := en.Shard(i)
		sh.RLock()
		var sum int64
		sh.dict.All(func(e *keyspace.Entry) bool { sum += entrySize(e); return true })
		sh.RUnlock()
		if got := sh.used.Load(); got != sum {
			t.Fatalf("shard %d accounts %d bytes, holds %d", i, got, sum)
		}
	}
}
