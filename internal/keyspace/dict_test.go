package keyspace

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
)

func insert(d *Dict, key, val string) *Entry {
	e := NewEntry(key, d.Hash(key), val)
	d.Insert(e)
	return e
}

func lookup(d *Dict, key string) *Entry { return d.Lookup(key, d.Hash(key)) }

// TestDictModel runs random inserts, updates and deletes against a map.
func TestDictModel(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		r := rand.New(rand.NewPCG(seed, 0))
		d := NewDict()
		model := map[string]string{}
		for i := 0; i < 5000; i++ {
			k := fmt.Sprint("k", r.IntN(300))
			switch r.IntN(4) {
			case 0, 1:
				v := fmt.Sprint("v", i)
				if e := lookup(d, k); e != nil {
					e.SetStr(v, false, d)
				} else {
					insert(d, k, v)
				}
				model[k] = v
			case 2:
				if e := lookup(d, k); e != nil {
					d.Delete(e)
				}
				delete(model, k)
			case 3:
				e := lookup(d, k)
				want, ok := model[k]
				if (e != nil) != ok || (ok && e.Snapshot().Str() != want) {
					t.Fatalf("seed %d step %d: Lookup(%q) = %v, want %q (present %v)", seed, i, k, e, want, ok)
				}
			}
			if d.Len() != len(model) {
				t.Fatalf("seed %d step %d: Len = %d, want %d", seed, i, d.Len(), len(model))
			}
		}
		n := 0
		d.All(func(e *Entry) bool {
			n++
			if model[e.Key] != e.Str() {
				t.Fatalf("seed %d: All yields %q=%q, model has %q", seed, e.Key, e.Str(), model[e.Key])
			}
			return true
		})
		if n != len(model) {
			t.Fatalf("seed %d: All visited %d entries, want %d", seed, n, len(model))
		}
	}
}

func TestDictShrinks(t *testing.T) {
	d := NewDict()
	var es []*Entry
	for i := 0; i < 10000; i++ {
		es = append(es, insert(d, fmt.Sprint(i), "v"))
	}
	big := len(d.tab.Load().slots)
	for _, e := range es[:9990] {
		d.Delete(e)
	}
	if small := len(d.tab.Load().slots); small*16 > big {
		t.Errorf("after deleting 9990 of 10000 keys the table has %d slots (was %d)", small, big)
	}
	for _, e := range es[9990:] {
		if lookup(d, e.Key) != e {
			t.Fatalf("Lookup(%q) lost after shrink", e.Key)
		}
	}
}

// TestDictScanGuarantee checks Redis's SCAN promise: keys present for the
// whole scan are returned, even as the table grows and shrinks in between.
func TestDictScanGuarantee(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	d := NewDict()
	stable := map[string]bool{}
	for i := 0; i < 500; i++ {
		k := fmt.Sprint("stable", i)
		insert(d, k, "v")
		stable[k] = true
	}
	var churn []*Entry
	seen := map[string]bool{}
	cursor := uint64(0)
	for steps := 0; ; steps++ {
		cursor = d.Scan(cursor, 10, func(e *Entry) { seen[e.Key] = true })
		// Grow or shrink between calls, for a while.
		if steps > 200 {
			// let the scan finish on a stable table
		} else if r.IntN(2) == 0 {
			for i := 0; i < 400; i++ {
				churn = append(churn, insert(d, fmt.Sprint("churn", steps, ".", i), "v"))
			}
		} else {
			for len(churn) > 0 && r.IntN(10) != 0 {
				d.Delete(churn[len(churn)-1])
				churn = churn[:len(churn)-1]
			}
		}
		if cursor == 0 {
			break
		}
		if steps > 100000 {
			t.Fatal("scan did not terminate")
		}
	}
	for k := range stable {
		if !seen[k] {
			t.Errorf("SCAN missed %q, present for the whole scan", k)
		}
	}
}

func TestDictTTLIndex(t *testing.T) {
	d := NewDict()
	a := insert(d, "a", "v")
	b := insert(d, "b", "v")
	d.SetExpire(a, 100)
	d.SetExpire(b, 200)
	if d.Volatile() != 2 {
		t.Fatalf("Volatile = %d, want 2", d.Volatile())
	}
	d.SetExpire(a, 0)
	if d.Volatile() != 1 || d.RandomVolatile() != b {
		t.Fatalf("after clearing a: Volatile = %d, RandomVolatile = %v", d.Volatile(), d.RandomVolatile())
	}
	b.SetStr("new", false, d) // SET clears the TTL and leaves the index
	if d.Volatile() != 0 || b.Exp() != 0 {
		t.Fatalf("after SetStr: Volatile = %d, Exp = %d; want 0, 0", d.Volatile(), b.Exp())
	}
	d.SetExpire(a, 5)
	d.Delete(a)
	if d.Volatile() != 0 {
		t.Fatalf("after Delete: Volatile = %d, want 0", d.Volatile())
	}
	if got := (Snapshot{Exp: 10}); !got.Expired(11) || got.Expired(10) {
		t.Error("Expired must follow Redis: expired only when now > deadline")
	}
}

func TestDictRandom(t *testing.T) {
	d := NewDict()
	if d.Random() != nil {
		t.Fatal("Random on an empty dict is not nil")
	}
	for i := 0; i < 10; i++ {
		insert(d, fmt.Sprint(i), "v")
	}
	seen := map[string]bool{}
	for i := 0; i < 2000; i++ {
		seen[d.Random().Key] = true
	}
	if len(seen) != 10 {
		t.Errorf("Random reached %d of 10 keys in 2000 draws", len(seen))
	}
}

// TestLockFreeReaders races lock-free lookups against a writer that
// inserts, deletes and forces rebuilds; run with -race.
func TestLockFreeReaders(t *testing.T) {
	d := NewDict()
	for i := 0; i < 100; i++ {
		insert(d, fmt.Sprint("fixed", i), fmt.Sprint("fixed", i))
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				for i := 0; i < 100; i++ {
					k := fmt.Sprint("fixed", i)
					e := lookup(d, k)
					if e == nil || e.Snapshot().Str() != k {
						t.Errorf("reader lost %q during writes", k)
						return
					}
				}
			}
		}()
	}
	var churn []*Entry
	for i := 0; i < 20000; i++ {
		churn = append(churn, insert(d, fmt.Sprint("c", i), "v"))
		if len(churn) > 1000 {
			for _, e := range churn {
				d.Delete(e)
			}
			churn = churn[:0]
		}
	}
	close(stop)
	wg.Wait()
}

func BenchmarkLookup(b *testing.B) {
	d := NewDict()
	keys := make([]string, 4096)
	for i := range keys {
		keys[i] = fmt.Sprint("key:", i)
		insert(d, keys[i], "value")
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		k := keys[i&4095]
		if lookup(d, k) == nil {
			b.Fatal("missing")
		}
	}
}
