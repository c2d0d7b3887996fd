package types

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"strconv"
	"testing"
	"unsafe"
)

func TestTableBasic(t *testing.T) {
	var tab Table[int]
	if v, ok := tab.Get("a"); ok || v != 0 {
		t.Fatalf("Get(%q) on zero Table = %d, %v, want 0, false", "a", v, ok)
	}
	if tab.Delete("a") {
		t.Fatalf("Delete(%q) on zero Table = true, want false", "a")
	}
	steps := []struct {
		op    string
		key   string
		val   int
		want  bool // result of Set/Delete, or presence for Get
		wantV int
		wantN int
	}{
		{"set", "a", 1, true, 0, 1},
		{"set", "b", 2, true, 0, 2},
		{"set", "a", 3, false, 0, 2},
		{"get", "a", 0, true, 3, 2},
		{"get", "", 0, false, 0, 2},
		{"set", "", 9, true, 0, 3},
		{"get", "", 0, true, 9, 3},
		{"del", "b", 0, true, 0, 2},
		{"del", "b", 0, false, 0, 2},
		{"get", "b", 0, false, 0, 2},
		{"set", "b", 5, true, 0, 3},
		{"get", "b", 0, true, 5, 3},
	}
	for i, s := range steps {
		switch s.op {
		case "set":
			if got := tab.Set(s.key, s.val); got != s.want {
				t.Fatalf("step %d: Set(%q, %d) = %v, want %v", i, s.key, s.val, got, s.want)
			}
		case "del":
			if got := tab.Delete(s.key); got != s.want {
				t.Fatalf("step %d: Delete(%q) = %v, want %v", i, s.key, got, s.want)
			}
		case "get":
			v, ok := tab.Get(s.key)
			if ok != s.want || v != s.wantV {
				t.Fatalf("step %d: Get(%q) = %d, %v, want %d, %v", i, s.key, v, ok, s.wantV, s.want)
			}
		}
		if tab.Len() != s.wantN {
			t.Fatalf("step %d: Len() = %d, want %d", i, tab.Len(), s.wantN)
		}
		checkTable(t, &tab)
	}
}

func TestTablePtr(t *testing.T) {
	var tab Table[int]
	if p := tab.Ptr("x"); p != nil {
		t.Fatalf("Ptr(%q) on empty table = %p, want nil", "x", p)
	}
	tab.Set("x", 1)
	p := tab.Ptr("x")
	if p == nil {
		t.Fatalf("Ptr(%q) = nil, want a pointer", "x")
	}
	*p += 41
	if v, _ := tab.Get("x"); v != 42 {
		t.Fatalf("Get(%q) after *Ptr += 41 = %d, want 42", "x", v)
	}
}

// TestTableModel runs random operation sequences against a Go map.
func TestTableModel(t *testing.T) {
	forSeeds(t, func(t *testing.T, r *rand.Rand) {
		var tab Table[int]
		model := map[string]int{}
		keySpace := 50
		for step := range 18000 {
			if step%3000 == 0 {
				keySpace = []int{20, 2000, 300, 5000, 10, 800}[step/3000]
			}
			k := strconv.Itoa(r.IntN(keySpace))
			switch op := r.IntN(10); {
			case op < 5:
				v := r.Int()
				_, had := model[k]
				if got := tab.Set(k, v); got != !had {
					t.Fatalf("step %d: Set(%q) = %v, want %v", step, k, got, !had)
				}
				model[k] = v
			case op < 9:
				_, had := model[k]
				if got := tab.Delete(k); got != had {
					t.Fatalf("step %d: Delete(%q) = %v, want %v", step, k, got, had)
				}
				delete(model, k)
			default:
				want, had := model[k]
				if got, ok := tab.Get(k); ok != had || got != want {
					t.Fatalf("step %d: Get(%q) = %d, %v, want %d, %v", step, k, got, ok, want, had)
				}
			}
			if tab.Len() != len(model) {
				t.Fatalf("step %d: Len() = %d, want %d", step, tab.Len(), len(model))
			}
			if step%197 == 0 {
				checkTable(t, &tab)
				n := 0
				tab.All(func(k string, v int) bool {
					if want, ok := model[k]; !ok || want != v {
						t.Fatalf("step %d: All() reported %q=%d, model has %d, %v", step, k, v, want, ok)
					}
					n++
					return true
				})
				if n != len(model) {
					t.Fatalf("step %d: All() reported %d elements, want %d", step, n, len(model))
				}
			}
		}
	})
}

func TestTableAllStops(t *testing.T) {
	var tab Table[int]
	for i := range 100 {
		tab.Set(strconv.Itoa(i), i)
	}
	calls := 0
	tab.All(func(string, int) bool { calls++; return calls < 7 })
	if calls != 7 {
		t.Fatalf("All with fn returning false on call 7 made %d calls, want 7", calls)
	}
}

// fullScan scans tab to completion and returns how often each key was seen.
func fullScan[V any](t *testing.T, tab *Table[V], count int) map[string]int {
	t.Helper()
	seen := map[string]int{}
	cursor := uint64(0)
	for calls := 0; ; calls++ {
		if calls > 1<<20 {
			t.Fatalf("Scan did not finish after %d calls", calls)
		}
		cursor = tab.Scan(cursor, count, func(k string, _ V) { seen[k]++ })
		if cursor == 0 {
			return seen
		}
	}
}

// TestTableScanExactlyOnce: without mutation every element is reported
// exactly once, whatever the count hint.
func TestTableScanExactlyOnce(t *testing.T) {
	for _, n := range []int{0, 1, 7, 100, 5000} {
		for _, count := range []int{0, 1, 10, 1000} {
			var tab Table[struct{}]
			for i := range n {
				tab.Set("k"+strconv.Itoa(i), struct{}{})
			}
			for i := 0; i < n; i += 3 { // leave tombstones behind
				tab.Delete("k" + strconv.Itoa(i))
			}
			seen := fullScan(t, &tab, count)
			if len(seen) != tab.Len() {
				t.Errorf("n=%d count=%d: Scan reported %d keys, want %d", n, count, len(seen), tab.Len())
			}
			for k, c := range seen {
				if _, ok := tab.Get(k); !ok || c != 1 {
					t.Errorf("n=%d count=%d: Scan reported %q %d times (present %v), want once", n, count, k, c, ok)
				}
			}
		}
	}
}

// TestTableScanGuarantee: keys present for a whole scan are reported even
// though the table grows and shrinks between Scan calls, and nothing is
// reported that was never in the table.
func TestTableScanGuarantee(t *testing.T) {
	forSeeds(t, func(t *testing.T, r *rand.Rand) {
		for round := range 40 {
			var tab Table[int]
			stable := map[string]bool{}
			for i := range 1 + r.IntN(60) {
				k := fmt.Sprintf("s%d-%d", round, i)
				tab.Set(k, i)
				stable[k] = true
			}
			ever := map[string]bool{}
			for k := range stable {
				ever[k] = true
			}
			var churn []string
			next := 0
			addChurn := func(n int) {
				for range n {
					k := fmt.Sprintf("c%d", next)
					next++
					tab.Set(k, 0)
					ever[k] = true
					churn = append(churn, k)
				}
			}
			addChurn(r.IntN(3000))
			sizes := map[int]bool{len(tab.slots): true}
			seen := map[string]bool{}
			cursor := uint64(0)
			for calls := 0; ; calls++ {
				if calls > 1<<20 {
					t.Fatalf("round %d: Scan did not finish", round)
				}
				cursor = tab.Scan(cursor, 1+r.IntN(20), func(k string, _ int) {
					if !ever[k] {
						t.Fatalf("round %d: Scan reported %q, never in the table", round, k)
					}
					seen[k] = true
				})
				if cursor == 0 {
					break
				}
				switch r.IntN(4) {
				case 0: // grow, maybe by several doublings
					addChurn(r.IntN(4000))
				case 1: // shrink: drop most or all churn keys
					drop := len(churn) - r.IntN(len(churn)/8+1)
					r.Shuffle(len(churn), func(i, j int) { churn[i], churn[j] = churn[j], churn[i] })
					for _, k := range churn[:drop] {
						tab.Delete(k)
					}
					churn = churn[drop:]
				case 2: // small churn
					addChurn(r.IntN(10))
					if len(churn) > 0 {
						i := r.IntN(len(churn))
						tab.Delete(churn[i])
						churn[i] = churn[len(churn)-1]
						churn = churn[:len(churn)-1]
					}
				}
				sizes[len(tab.slots)] = true
			}
			for k := range stable {
				if !seen[k] {
					t.Fatalf("round %d: Scan missed %q, present throughout (table sizes seen: %v)", round, k, sizes)
				}
			}
			checkTable(t, &tab)
		}
	})
}

// TestTableScanResizes makes sure the guarantee test above really resizes
// mid-scan in both directions.
func TestTableScanResizes(t *testing.T) {
	var tab Table[int]
	for i := range 10 {
		tab.Set("s"+strconv.Itoa(i), i)
	}
	seen := map[string]bool{}
	cursor := tab.Scan(0, 1, func(k string, _ int) { seen[k] = true })
	small := len(tab.slots)
	for i := range 10000 {
		tab.Set("c"+strconv.Itoa(i), i)
	}
	if len(tab.slots) <= small {
		t.Fatalf("table did not grow: %d slots", len(tab.slots))
	}
	cursor = tab.Scan(cursor, 5, func(k string, _ int) { seen[k] = true })
	for i := range 10000 {
		tab.Delete("c" + strconv.Itoa(i))
	}
	if len(tab.slots) > 64 {
		t.Fatalf("table has %d slots after deleting the growth, want at most 64", len(tab.slots))
	}
	for cursor != 0 {
		cursor = tab.Scan(cursor, 1, func(k string, _ int) { seen[k] = true })
	}
	for i := range 10 {
		if k := "s" + strconv.Itoa(i); !seen[k] {
			t.Errorf("Scan missed %q across grow and shrink", k)
		}
	}
}

func TestTableScanCount(t *testing.T) {
	var tab Table[int]
	for i := range 1000 {
		tab.Set(strconv.Itoa(i), i)
	}
	n := 0
	if next := tab.Scan(0, 2000, func(string, int) { n++ }); next != 0 || n != 1000 {
		t.Fatalf("Scan(0, 2000) on 1000 keys reported %d, next %d; want 1000, 0", n, next)
	}
	n = 0
	next := tab.Scan(0, 10, func(string, int) { n++ })
	if next == 0 || n < 10 || n > 40 {
		t.Fatalf("Scan(0, 10) on 1000 keys reported %d, next %d; want 10..40, nonzero", n, next)
	}
	var empty Table[int]
	if next := empty.Scan(12345, 10, func(string, int) { t.Fatal("fn called on empty table") }); next != 0 {
		t.Fatalf("Scan on empty table = %d, want 0", next)
	}
	// A cursor with bits above the mask must still terminate.
	if next := tab.Scan(math.MaxUint64, 1, func(string, int) {}); next > tab.mask {
		t.Fatalf("Scan(MaxUint64) = %#x, beyond mask %#x", next, tab.mask)
	}
}

// TestTableShrink: a table that grew large gives its memory back.
func TestTableShrink(t *testing.T) {
	var tab Table[string]
	const n = 200000
	for i := range n {
		tab.Set(strconv.Itoa(i), "v")
	}
	big := tab.MemoryUsage()
	for i := range n {
		tab.Delete(strconv.Itoa(i))
	}
	checkTable(t, &tab)
	if len(tab.slots) != minTableSize || tab.MemoryUsage() > 1024 {
		t.Fatalf("after emptying: %d slots, MemoryUsage %d (was %d); want %d slots, < 1024 bytes",
			len(tab.slots), tab.MemoryUsage(), big, minTableSize)
	}
}

// TestTableRandomUniform draws from a table with holes and checks the
// distribution with a chi-square test.
func TestTableRandomUniform(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	var tab Table[int]
	for i := range 400 {
		tab.Set(strconv.Itoa(i), i)
	}
	for i := 0; i < 400; i++ {
		if i%8 != 0 {
			tab.Delete(strconv.Itoa(i)) // 50 left, clustered oddly
		}
	}
	const draws = 100000
	counts := map[string]int{}
	for range draws {
		k, v, ok := tab.Random(r)
		if !ok || strconv.Itoa(v) != k {
			t.Fatalf("Random() = %q, %d, %v", k, v, ok)
		}
		counts[k]++
	}
	if len(counts) != tab.Len() {
		t.Fatalf("Random hit %d distinct keys, want %d", len(counts), tab.Len())
	}
	if chi := chiSquare(counts, draws); chi > 100 { // df=49; p < 1e-4 beyond 90
		t.Fatalf("Random chi-square = %.1f over %d keys, want < 100", chi, len(counts))
	}
	var empty Table[int]
	if _, _, ok := empty.Random(r); ok {
		t.Fatal("Random on empty table: ok = true")
	}
}

// chiSquare returns the chi-square statistic of counts against uniform.
func chiSquare(counts map[string]int, total int) float64 {
	exp := float64(total) / float64(len(counts))
	chi := 0.0
	for _, c := range counts {
		d := float64(c) - exp
		chi += d * d / exp
	}
	return chi
}

func TestTableSample(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var tab Table[int]
	for i := range 300 {
		tab.Set(strconv.Itoa(i), i)
	}
	for _, n := range []int{-5, 0, 1, 10, 99, 100, 101, 250, 299, 300, 1000} {
		seen := map[string]bool{}
		tab.Sample(r, n, func(k string, v int) {
			if seen[k] || strconv.Itoa(v) != k {
				t.Fatalf("Sample(%d) reported %q=%d twice or with a wrong value", n, k, v)
			}
			seen[k] = true
		})
		if want := max(0, min(n, tab.Len())); len(seen) != want {
			t.Fatalf("Sample(%d) reported %d keys, want %d", n, len(seen), want)
		}
	}
	// Both strategies must be uniform: count inclusions over many samples.
	for _, n := range []int{20, 200} {
		counts := map[string]int{}
		const rounds = 3000
		for range rounds {
			tab.Sample(r, n, func(k string, _ int) { counts[k]++ })
		}
		// Each key is included with probability n/300; allow 6 sigma.
		p := float64(n) / 300
		mean, sd := rounds*p, math.Sqrt(rounds*p*(1-p))
		for k, c := range counts {
			if math.Abs(float64(c)-mean) > 6*sd {
				t.Fatalf("Sample(%d): %q included %d times, want %.0f ± %.0f", n, k, c, mean, 6*sd)
			}
		}
	}
}

func TestTableClone(t *testing.T) {
	var tab Table[string]
	for i := range 100 {
		tab.Set(strconv.Itoa(i), "v"+strconv.Itoa(i))
	}
	c := tab.Clone()
	c.Set("0", "changed")
	c.Delete("1")
	if v, _ := tab.Get("0"); v != "v0" {
		t.Fatalf("original Get(%q) = %q after changing the clone, want %q", "0", v, "v0")
	}
	if _, ok := tab.Get("1"); !ok {
		t.Fatalf("original lost %q after deleting it from the clone", "1")
	}
	if c.Len() != 99 || tab.Len() != 100 {
		t.Fatalf("Len: clone %d, original %d; want 99, 100", c.Len(), tab.Len())
	}
	checkTable(t, c)
}

func TestTableReserve(t *testing.T) {
	tab := NewTable[int](1000)
	size := len(tab.slots)
	for i := range 1000 {
		tab.Set(strconv.Itoa(i), i)
	}
	if len(tab.slots) != size {
		t.Fatalf("NewTable(1000) grew from %d to %d slots while filling 1000", size, len(tab.slots))
	}
	checkTable(t, tab)
}

// heapInUse returns the live heap after a full collection.
func heapInUse() int {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int(ms.HeapAlloc)
}

// checkMemory compares a reported memory figure with the measured heap
// growth it should account for.
func checkMemory(t *testing.T, what string, reported, measured int) {
	t.Helper()
	if lo, hi := measured*85/100, measured*115/100; reported < lo || reported > hi {
		t.Errorf("%s: MemoryUsage = %d, heap grew by %d; want within 15%%", what, reported, measured)
	} else {
		t.Logf("%s: MemoryUsage = %d, heap grew by %d", what, reported, measured)
	}
}

// TestTableMemoryUsage checks MemoryUsage against runtime.MemStats.
func TestTableMemoryUsage(t *testing.T) {
	if testing.Short() {
		t.Skip("memory measurement in -short mode")
	}
	for _, vlen := range []int{0, 5, 40, 300} {
		before := heapInUse()
		tabs := make([]*Table[string], 20)
		reported := 0
		for j := range tabs {
			tabs[j] = new(Table[string])
			for i := range 3000 {
				k := fmt.Sprintf("key:%d:%d", j, i)
				tabs[j].Set(k, string(make([]byte, vlen)))
			}
			for i := 0; i < 3000; i += 4 {
				tabs[j].Delete(fmt.Sprintf("key:%d:%d", j, i))
			}
			reported += tabs[j].MemoryUsage() + allocSize(int(unsafe.Sizeof(*tabs[j])), true)
		}
		measured := heapInUse() - before - allocSize(len(tabs)*8, true)
		checkMemory(t, fmt.Sprintf("values of %d bytes", vlen), reported, measured)
		runtime.KeepAlive(tabs)
	}
}

func TestCeilPow2(t *testing.T) {
	for _, c := range []struct{ in, want int }{{-1, 1}, {0, 1}, {1, 1}, {2, 2}, {3, 4}, {8, 8}, {9, 16}, {1 << 20, 1 << 20}} {
		if got := ceilPow2(c.in); got != c.want {
			t.Errorf("ceilPow2(%d) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestAllocSize(t *testing.T) {
	cases := []struct {
		n        int
		pointers bool
		want     int
	}{
		{0, false, 0}, {1, false, 8}, {8, false, 8}, {9, false, 16}, {33, false, 48},
		{512, true, 512}, {513, false, 576}, {512 + 1, true, 576}, {1020, true, 1152},
		{32768, false, 32768}, {32761, false, 32768}, {32769, true, 40960}, {100000, false, 106496},
	}
	for _, c := range cases {
		if got := allocSize(c.n, c.pointers); got != c.want {
			t.Errorf("allocSize(%d, %v) = %d, want %d", c.n, c.pointers, got, c.want)
		}
	}
	if !sort.IntsAreSorted(goSizeClasses) {
		t.Error("goSizeClasses not sorted")
	}
	// The small-size table answers as the search over the classes does.
	for n := 1; n <= maxSmallAlloc-mallocHeaderSize; n++ {
		m := n
		if m > 512 {
			m += mallocHeaderSize
		}
		if got, want := allocSize(n, true), goSizeClasses[sort.SearchInts(goSizeClasses, m)]; got != want {
			t.Fatalf("allocSize(%d, true) = %d, want %d", n, got, want)
		}
		if got, want := allocSize(n, false), goSizeClasses[sort.SearchInts(goSizeClasses, n)]; got != want {
			t.Fatalf("allocSize(%d, false) = %d, want %d", n, got, want)
		}
	}
}
