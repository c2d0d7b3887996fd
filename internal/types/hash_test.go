package types

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// hashPairs returns h's fields and values in All order, flattened.
func hashPairs(h *Hash) []string {
	var out []string
	h.All(func(f, v string) bool { out = append(out, f, v); return true })
	return out
}

func TestHashListpackOrder(t *testing.T) {
	h := NewHash(nil)
	steps := []struct {
		op, field, value string
		want             []string
	}{
		{"set", "c", "1", []string{"c", "1"}},
		{"set", "a", "2", []string{"c", "1", "a", "2"}},
		{"set", "b", "3", []string{"c", "1", "a", "2", "b", "3"}},
		{"set", "c", "4", []string{"c", "4", "a", "2", "b", "3"}}, // update keeps place
		{"del", "a", "", []string{"c", "4", "b", "3"}},            // delete keeps order
		{"set", "a", "5", []string{"c", "4", "b", "3", "a", "5"}}, // re-added at the end
		{"del", "zz", "", []string{"c", "4", "b", "3", "a", "5"}},
	}
	for i, s := range steps {
		if s.op == "set" {
			h.Set(s.field, s.value)
		} else {
			h.Delete(s.field)
		}
		if got := hashPairs(h); !slices.Equal(got, s.want) {
			t.Fatalf("step %d (%s %q): All() = %q, want %q", i, s.op, s.field, got, s.want)
		}
		var scanned []string
		if next := h.Scan(99, 1, func(f, v string) { scanned = append(scanned, f, v) }); next != 0 || !slices.Equal(scanned, s.want) {
			t.Fatalf("step %d: Scan(99, 1) = %q, next %d; want %q, 0", i, scanned, next, s.want)
		}
		if h.Encoding() != "listpack" {
			t.Fatalf("step %d: Encoding() = %q, want %q", i, h.Encoding(), "listpack")
		}
	}
}

func TestHashConversion(t *testing.T) {
	long64, long65 := strings.Repeat("x", 64), strings.Repeat("x", 65)
	cases := []struct {
		name    string
		fields  int // fields f0, f1, ... set first, with value "v"
		field   string
		value   string
		want    string
		wantLen int
	}{
		{"512 fields", 511, "last", "v", "listpack", 512},
		{"513 fields", 512, "last", "v", "hashtable", 513},
		{"512 fields, update", 512, "f0", "w", "listpack", 512},
		{"64-byte value", 1, "f", long64, "listpack", 2},
		{"65-byte value", 1, "f", long65, "hashtable", 2},
		{"64-byte field", 1, long64, "v", "listpack", 2},
		{"65-byte field", 1, long65, "v", "hashtable", 2},
		{"65-byte value on existing field", 3, "f1", long65, "hashtable", 3},
		{"65-byte value on new hash", 0, "f", long65, "hashtable", 1},
	}
	for _, c := range cases {
		h := NewHash(nil)
		for i := range c.fields {
			h.Set("f"+strconv.Itoa(i), "v")
		}
		h.Set(c.field, c.value)
		if got := h.Encoding(); got != c.want {
			t.Errorf("%s: Encoding() = %q, want %q", c.name, got, c.want)
		}
		if got := h.Len(); got != c.wantLen {
			t.Errorf("%s: Len() = %d, want %d", c.name, got, c.wantLen)
		}
		if got, ok := h.Get(c.field); !ok || got != c.value {
			t.Errorf("%s: Get(%q) = %q, %v; want the value just set", c.name, c.field, got, ok)
		}
		for i := range c.fields {
			f := "f" + strconv.Itoa(i)
			if v, ok := h.Get(f); f != c.field && (!ok || v != "v") {
				t.Errorf("%s: Get(%q) = %q, %v after conversion; want %q, true", c.name, f, v, ok, "v")
			}
		}
	}
}

func TestHashNeverConvertsBack(t *testing.T) {
	h := NewHash(nil)
	h.Set("f", strings.Repeat("x", 65))
	h.Delete("f")
	h.Set("a", "1")
	if got := h.Encoding(); got != "hashtable" {
		t.Fatalf("Encoding() after shrinking a hashtable = %q, want %q", got, "hashtable")
	}
}

func TestHashLimits(t *testing.T) {
	lim := NewLimits()
	lim.HashMaxListpackEntries.Store(2)
	lim.HashMaxListpackValue.Store(3)
	h := NewHash(lim)
	h.Set("a", "abc")
	h.Set("b", "1")
	if h.Encoding() != "listpack" {
		t.Fatalf("2 fields within limits: Encoding() = %q, want listpack", h.Encoding())
	}
	h2 := h.Clone()
	h.Set("c", "1")
	if h.Encoding() != "hashtable" {
		t.Fatalf("3 fields with entries limit 2: Encoding() = %q, want hashtable", h.Encoding())
	}
	lim.HashMaxListpackValue.Store(0)
	h2.Set("a", "x")
	if h2.Encoding() != "hashtable" {
		t.Fatalf("value limit lowered to 0 (CONFIG SET): Encoding() = %q, want hashtable", h2.Encoding())
	}
	zero := NewLimits()
	zero.HashMaxListpackEntries.Store(0)
	h3 := NewHash(zero)
	h3.Set("a", "b")
	if h3.Encoding() != "hashtable" {
		t.Fatalf("entries limit 0: Encoding() = %q, want hashtable", h3.Encoding())
	}
}

// TestHashModel runs random operations against a map plus an order slice;
// while listpack-encoded, All must follow insertion order exactly.
func TestHashModel(t *testing.T) {
	forSeeds(t, func(t *testing.T, r *rand.Rand) {
		for round := range 8 {
			h := NewHash(nil)
			model := map[string]string{}
			var order []string
			keySpace := 10 + r.IntN(800)
			for step := range 2000 {
				f := "f" + strconv.Itoa(r.IntN(keySpace))
				switch r.IntN(3) {
				case 0, 1:
					v := strconv.Itoa(r.IntN(1000))
					if r.IntN(400) == 0 {
						v = strings.Repeat("v", 60+r.IntN(10))
					}
					_, had := model[f]
					if got := h.Set(f, v); got != !had {
						t.Fatalf("round %d step %d: Set(%q) = %v, want %v", round, step, f, got, !had)
					}
					if !had {
						order = append(order, f)
					}
					model[f] = v
				case 2:
					_, had := model[f]
					if got := h.Delete(f); got != had {
						t.Fatalf("round %d step %d: Delete(%q) = %v, want %v", round, step, f, got, had)
					}
					delete(model, f)
					if i := slices.Index(order, f); i >= 0 {
						order = slices.Delete(order, i, i+1)
					}
				}
				if h.Len() != len(model) {
					t.Fatalf("round %d step %d: Len() = %d, want %d", round, step, h.Len(), len(model))
				}
				if want, ok := model[f]; true {
					if got, gotOK := h.Get(f); got != want || gotOK != ok {
						t.Fatalf("round %d step %d: Get(%q) = %q, %v; want %q, %v", round, step, f, got, gotOK, want, ok)
					}
					if h.Has(f) != ok {
						t.Fatalf("round %d step %d: Has(%q) = %v, want %v", round, step, f, !ok, ok)
					}
				}
				if h.Encoding() == "listpack" && (step%16 == 0 || len(order) < 20) {
					var want []string
					for _, f := range order {
						want = append(want, f, model[f])
					}
					if got := hashPairs(h); !slices.Equal(got, want) {
						t.Fatalf("round %d step %d: listpack All() = %q, want %q", round, step, got, want)
					}
					checkListpack(t, h)
				}
			}
			got := map[string]string{}
			cursor := uint64(0)
			for {
				cursor = h.Scan(cursor, 7, func(f, v string) { got[f] = v })
				if cursor == 0 {
					break
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(model) {
				t.Fatalf("round %d: full Scan (%s) = %v, want %v", round, h.Encoding(), got, model)
			}
		}
	})
}

// checkListpack verifies a listpack hash's bytes: n pairs that end
// exactly at len(lp), and a buffer not much larger than its contents.
func checkListpack(t *testing.T, h *Hash) {
	t.Helper()
	n, off := 0, 0
	for off < len(h.lp) {
		off = h.pairAt(off).next
		n++
	}
	if off != len(h.lp) || n != h.n {
		t.Fatalf("listpack of %d bytes decodes to %d pairs ending at %d; n = %d", len(h.lp), n, off, h.n)
	}
	if cap(h.lp) > 64 && len(h.lp) < cap(h.lp)/4 {
		t.Fatalf("listpack of %d bytes in a buffer of %d", len(h.lp), cap(h.lp))
	}
}

func TestHashRandomN(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, enc := range []string{"listpack", "hashtable"} {
		h := NewHash(nil)
		for i := range 20 {
			h.Set("f"+strconv.Itoa(i), "v"+strconv.Itoa(i))
		}
		if enc == "hashtable" {
			h.Set("long", strings.Repeat("x", 100))
			h.Delete("long")
		}
		if h.Encoding() != enc {
			t.Fatalf("setup: Encoding() = %q, want %q", h.Encoding(), enc)
		}
		all := hashPairs(h)
		for _, count := range []int{0, 1, 5, 19, 20, 21, -1, -5, -50} {
			var got []string
			h.RandomN(r, count, func(f, v string) {
				if v != "v"+f[1:] {
					t.Fatalf("%s RandomN(%d) paired %q with %q", enc, count, f, v)
				}
				got = append(got, f, v)
			})
			want := count
			if count > 20 {
				want = 20
			}
			if count < 0 {
				want = -count
			}
			if len(got)/2 != want {
				t.Fatalf("%s RandomN(%d) reported %d fields, want %d", enc, count, len(got)/2, want)
			}
			if count >= 20 && !slices.Equal(got, all) {
				t.Fatalf("%s RandomN(%d) = %q, want the whole hash in order %q", enc, count, got, all)
			}
			if count > 0 {
				seen := map[string]bool{}
				for i := 0; i < len(got); i += 2 {
					if seen[got[i]] {
						t.Fatalf("%s RandomN(%d) repeated %q", enc, count, got[i])
					}
					seen[got[i]] = true
				}
			}
			if enc == "listpack" && count > 0 && count*3 <= 20 {
				// Small distinct samples of a listpack come in insertion order.
				pos := func(f string) int { return slices.Index(all, f) }
				for i := 2; i < len(got); i += 2 {
					if pos(got[i-2]) > pos(got[i]) {
						t.Fatalf("listpack RandomN(%d) = %q, not in insertion order", count, got)
					}
				}
			}
		}
		// A negative count repeats fields: 200 draws from 20 must repeat.
		seen, repeats := map[string]bool{}, 0
		h.RandomN(r, -200, func(f, _ string) {
			if seen[f] {
				repeats++
			}
			seen[f] = true
		})
		if repeats == 0 || len(seen) < 15 {
			t.Fatalf("%s RandomN(-200): %d repeats over %d distinct, want repeats and most fields", enc, repeats, len(seen))
		}
	}
	empty := NewHash(nil)
	empty.RandomN(r, -3, func(string, string) { t.Fatal("RandomN on empty hash called fn") })
	if _, _, ok := empty.Random(r); ok {
		t.Fatal("Random on empty hash: ok = true")
	}
}

// TestHashSampleUniform: listpack selection sampling includes each field
// with equal probability.
func TestHashSampleUniform(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	h := NewHash(nil)
	for i := range 10 {
		h.Set(strconv.Itoa(i), "")
	}
	counts := map[string]int{}
	const rounds = 20000
	for range rounds {
		h.RandomN(r, 3, func(f, _ string) { counts[f]++ })
	}
	if chi := chiSquare(counts, rounds*3); len(counts) != 10 || chi > 35 { // df=9
		t.Fatalf("RandomN(3) inclusion counts %v: chi-square %.1f, want < 35", counts, chi)
	}
	counts = map[string]int{}
	for range rounds {
		h.RandomN(r, 6, func(f, _ string) { counts[f]++ })
	}
	if chi := chiSquare(counts, rounds*6); len(counts) != 10 || chi > 35 {
		t.Fatalf("RandomN(6) inclusion counts %v: chi-square %.1f, want < 35", counts, chi)
	}
	counts = map[string]int{}
	for range rounds {
		f, _, _ := h.Random(r)
		counts[f]++
	}
	if chi := chiSquare(counts, rounds); len(counts) != 10 || chi > 35 {
		t.Fatalf("Random counts %v: chi-square %.1f, want < 35", counts, chi)
	}
}

func TestHashClone(t *testing.T) {
	for _, n := range []int{3, 300} {
		h := NewHash(nil)
		for i := range n {
			h.Set(strconv.Itoa(i), "v")
		}
		c := h.Clone()
		c.Set("0", "changed")
		c.Delete("1")
		if v, _ := h.Get("0"); v != "v" || h.Len() != n {
			t.Fatalf("n=%d: original Get(%q) = %q, Len %d after changing the clone; want %q, %d", n, "0", v, h.Len(), "v", n)
		}
		if c.Encoding() != h.Encoding() {
			t.Fatalf("n=%d: clone encoding %q, original %q", n, c.Encoding(), h.Encoding())
		}
	}
}

func TestHashMemoryUsage(t *testing.T) {
	if testing.Short() {
		t.Skip("memory measurement in -short mode")
	}
	for _, fields := range []int{10, 100, 1000} {
		before := heapInUse()
		hs := make([]*Hash, 100)
		reported := 0
		for j := range hs {
			hs[j] = NewHash(nil)
			for i := range fields {
				hs[j].Set(fmt.Sprintf("field:%d", i), fmt.Sprintf("value:%d:%d", j, i))
			}
			reported += hs[j].MemoryUsage()
		}
		measured := heapInUse() - before - allocSize(len(hs)*8, true)
		checkMemory(t, fmt.Sprintf("%s hashes of %d fields", hs[0].Encoding(), fields), reported, measured)
		for _, h := range hs {
			if h.Len() != fields {
				t.Fatalf("Len() = %d, want %d", h.Len(), fields)
			}
		}
	}
}
