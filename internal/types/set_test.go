package types

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"testing"
)

func TestParseCanonicalInt(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"1", 1, true},
		{"-1", -1, true},
		{"123", 123, true},
		{"9223372036854775807", 9223372036854775807, true},
		{"-9223372036854775808", -9223372036854775808, true},
		{"9223372036854775808", 0, false},
		{"-9223372036854775809", 0, false},
		{"99999999999999999999", 0, false},
		{"-0", 0, false},
		{"00", 0, false},
		{"01", 0, false},
		{"+1", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"", 0, false},
		{"-", 0, false},
		{"1a", 0, false},
		{"1e3", 0, false},
		{"1.0", 0, false},
		{"0x10", 0, false},
		{"--1", 0, false},
	}
	for _, c := range cases {
		got, ok := parseCanonicalInt(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("parseCanonicalInt(%q) = %d, %v, want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// FuzzParseCanonicalInt: accepted strings are exactly FormatInt's output.
func FuzzParseCanonicalInt(f *testing.F) {
	for _, s := range []string{"0", "-0", "12", "-9223372036854775808", "9223372036854775808", "007", "+5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := parseCanonicalInt(s)
		want := false
		if p, err := strconv.ParseInt(s, 10, 64); err == nil && strconv.FormatInt(p, 10) == s {
			want = true
			if v != p {
				t.Fatalf("parseCanonicalInt(%q) = %d, want %d", s, v, p)
			}
		}
		if ok != want {
			t.Fatalf("parseCanonicalInt(%q) ok = %v, want %v", s, ok, want)
		}
	})
}

// setMembers returns s's members in All order.
func setMembers(s *Set) []string {
	var out []string
	s.All(func(m string) bool { out = append(out, m); return true })
	return out
}

func TestSetIntsetOrder(t *testing.T) {
	s := NewSet(nil)
	for _, m := range []string{"5", "-3", "100", "0", "5", "-9223372036854775808", "9223372036854775807"} {
		s.Add(m)
	}
	want := []string{"-9223372036854775808", "-3", "0", "5", "100", "9223372036854775807"}
	if got := setMembers(s); !slices.Equal(got, want) {
		t.Fatalf("intset All() = %q, want %q", got, want)
	}
	var scanned []string
	if next := s.Scan(42, 1, func(m string) { scanned = append(scanned, m) }); next != 0 || !slices.Equal(scanned, want) {
		t.Fatalf("intset Scan(42, 1) = %q, next %d; want %q, 0", scanned, next, want)
	}
	if s.Encoding() != "intset" {
		t.Fatalf("Encoding() = %q, want intset", s.Encoding())
	}
	for _, c := range []struct {
		m    string
		want bool
	}{{"5", true}, {"05", false}, {"-0", false}, {"0", true}, {"x", false}, {"6", false}} {
		if got := s.Has(c.m); got != c.want {
			t.Errorf("intset Has(%q) = %v, want %v", c.m, got, c.want)
		}
	}
	if s.Remove("05") || s.Remove("x") || !s.Remove("5") || s.Has("5") {
		t.Fatalf("intset Remove: non-canonical or non-integer removed something, or %q not removed", "5")
	}
}

func TestSetConversion(t *testing.T) {
	cases := []struct {
		name    string
		ints    int // members 0..ints-1 added first
		add     string
		want    string
		wantLen int
	}{
		{"512 integers", 511, "511", "intset", 512},
		{"513th integer", 512, "512", "hashtable", 513},
		{"duplicate at 512", 512, "7", "intset", 512},
		{"non-integer", 3, "a", "hashtable", 4},
		{"-0", 3, "-0", "hashtable", 4},
		{"leading zero", 3, "01", "hashtable", 4},
		{"plus sign", 3, "+1", "hashtable", 4},
		{"beyond int64", 3, "9223372036854775808", "hashtable", 4},
		{"int64 min", 3, "-9223372036854775808", "intset", 4},
		{"empty string", 0, "", "hashtable", 1},
		{"first member non-integer", 0, "x", "hashtable", 1},
	}
	for _, c := range cases {
		s := NewSet(nil)
		for i := range c.ints {
			s.Add(strconv.Itoa(i))
		}
		s.Add(c.add)
		if got := s.Encoding(); got != c.want {
			t.Errorf("%s: Encoding() = %q, want %q", c.name, got, c.want)
		}
		if s.Len() != c.wantLen || !s.Has(c.add) {
			t.Errorf("%s: Len() = %d, Has(%q) = %v; want %d, true", c.name, s.Len(), c.add, s.Has(c.add), c.wantLen)
		}
		for i := range c.ints {
			if !s.Has(strconv.Itoa(i)) {
				t.Errorf("%s: lost member %d in conversion", c.name, i)
			}
		}
	}
	s := NewSet(nil)
	s.Add("a")
	s.Remove("a")
	s.Add("1")
	if s.Encoding() != "hashtable" {
		t.Fatalf("hashtable set emptied and refilled with integers: Encoding() = %q, want hashtable", s.Encoding())
	}
	lim := NewLimits()
	lim.SetMaxIntsetEntries.Store(0)
	s = NewSet(lim)
	s.Add("1")
	if s.Encoding() != "hashtable" {
		t.Fatalf("set-max-intset-entries 0: Encoding() = %q, want hashtable", s.Encoding())
	}
}

// TestSetModel runs random operations against a map.
func TestSetModel(t *testing.T) {
	forSeeds(t, func(t *testing.T, r *rand.Rand) {
		for round := range 20 {
			s := NewSet(nil)
			model := map[string]bool{}
			keySpace := 10 + r.IntN(1000)
			for step := range 3000 {
				m := strconv.Itoa(r.IntN(keySpace) - keySpace/2)
				if r.IntN(2000) == 0 {
					m = "m" + m
				}
				switch op := r.IntN(8); {
				case op < 4:
					if got := s.Add(m); got != !model[m] {
						t.Fatalf("round %d step %d: Add(%q) = %v, want %v", round, step, m, got, !model[m])
					}
					model[m] = true
				case op < 6:
					if got := s.Remove(m); got != model[m] {
						t.Fatalf("round %d step %d: Remove(%q) = %v, want %v", round, step, m, got, model[m])
					}
					delete(model, m)
				case op < 7:
					if got, ok := s.Pop(r); ok != (len(model) > 0) || (ok && !model[got]) {
						t.Fatalf("round %d step %d: Pop() = %q, %v with %d members", round, step, got, ok, len(model))
					} else {
						delete(model, got)
					}
				default:
					if got := s.Has(m); got != model[m] {
						t.Fatalf("round %d step %d: Has(%q) = %v, want %v", round, step, m, got, model[m])
					}
				}
				if s.Len() != len(model) {
					t.Fatalf("round %d step %d: Len() = %d, want %d", round, step, s.Len(), len(model))
				}
				if s.Encoding() == "intset" && step%50 == 0 {
					got := setMembers(s)
					want := make([]string, 0, len(model))
					for m := range model {
						want = append(want, m)
					}
					sort.Slice(want, func(i, j int) bool {
						a, _ := strconv.ParseInt(want[i], 10, 64)
						b, _ := strconv.ParseInt(want[j], 10, 64)
						return a < b
					})
					if !slices.Equal(got, want) {
						t.Fatalf("round %d step %d: intset All() = %q, want ascending %q", round, step, got, want)
					}
				}
			}
			got := map[string]bool{}
			for cursor := s.Scan(0, 5, func(m string) { got[m] = true }); cursor != 0; {
				cursor = s.Scan(cursor, 5, func(m string) { got[m] = true })
			}
			if fmt.Sprint(got) != fmt.Sprint(model) {
				t.Fatalf("round %d: full Scan (%s) = %v, want %v", round, s.Encoding(), got, model)
			}
		}
	})
}

func TestSetRandomN(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	for _, enc := range []string{"intset", "hashtable"} {
		s := NewSet(nil)
		for i := range 30 {
			s.Add(strconv.Itoa(i * 7))
		}
		if enc == "hashtable" {
			s.Add("x")
			s.Remove("x")
		}
		all := setMembers(s)
		for _, count := range []int{0, 1, 9, 10, 11, 29, 30, 31, -1, -40} {
			var got []string
			s.RandomN(r, count, func(m string) {
				if !s.Has(m) {
					t.Fatalf("%s RandomN(%d) reported non-member %q", enc, count, m)
				}
				got = append(got, m)
			})
			want := min(count, 30)
			if count < 0 {
				want = -count
			}
			if len(got) != want {
				t.Fatalf("%s RandomN(%d) reported %d members, want %d", enc, count, len(got), want)
			}
			if count >= 30 && !slices.Equal(got, all) {
				t.Fatalf("%s RandomN(%d) = %q, want all members in order %q", enc, count, got, all)
			}
			if count > 0 && len(slices.Compact(slices.Sorted(slices.Values(got)))) != len(got) {
				t.Fatalf("%s RandomN(%d) = %q has repeats", enc, count, got)
			}
		}
		counts := map[string]int{}
		const rounds = 30000
		for range rounds {
			m, _ := s.Random(r)
			counts[m]++
		}
		if chi := chiSquare(counts, rounds); len(counts) != 30 || chi > 70 { // df=29
			t.Fatalf("%s Random: %d distinct, chi-square %.1f; want 30, < 70", enc, len(counts), chi)
		}
	}
}

func TestSetPopN(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, enc := range []string{"intset", "hashtable"} {
		for _, count := range []int{0, 1, 5, 49, 50, 60} {
			s := NewSet(nil)
			for i := range 50 {
				s.Add(strconv.Itoa(i))
			}
			if enc == "hashtable" {
				s.Add("x")
				s.Remove("x")
			}
			seen := map[string]bool{}
			s.PopN(r, count, func(m string) {
				if seen[m] || s.Has(m) {
					t.Fatalf("%s PopN(%d): %q popped twice or still a member", enc, count, m)
				}
				seen[m] = true
			})
			want := min(count, 50)
			if len(seen) != want || s.Len() != 50-want {
				t.Fatalf("%s PopN(%d): popped %d, %d left; want %d, %d", enc, count, len(seen), s.Len(), want, 50-want)
			}
			if s.Encoding() != enc {
				t.Fatalf("%s PopN(%d): encoding became %q", enc, count, s.Encoding())
			}
		}
	}
	if _, ok := NewSet(nil).Pop(r); ok {
		t.Fatal("Pop on empty set: ok = true")
	}
}

func TestSetClone(t *testing.T) {
	for _, first := range []string{"1", "a"} {
		s := NewSet(nil)
		s.Add(first)
		s.Add("2")
		c := s.Clone()
		c.Remove("2")
		c.Add("3")
		if !s.Has("2") || s.Has("3") || s.Len() != 2 {
			t.Fatalf("%s: original changed with its clone: members %q", s.Encoding(), setMembers(s))
		}
	}
}

func TestSetMemoryUsage(t *testing.T) {
	if testing.Short() {
		t.Skip("memory measurement in -short mode")
	}
	for _, c := range []struct {
		prefix string
		n      int
	}{{"", 500}, {"member:", 2000}} {
		before := heapInUse()
		sets := make([]*Set, 100)
		reported := 0
		for j := range sets {
			sets[j] = NewSet(nil)
			for i := range c.n {
				sets[j].Add(c.prefix + strconv.Itoa(i))
			}
			reported += sets[j].MemoryUsage()
		}
		measured := heapInUse() - before - allocSize(len(sets)*8, true)
		checkMemory(t, fmt.Sprintf("%s sets of %d", sets[0].Encoding(), c.n), reported, measured)
		if sets[0].Len() != c.n {
			t.Fatalf("Len() = %d, want %d", sets[0].Len(), c.n)
		}
	}
}

func TestZeroValues(t *testing.T) {
	var h Hash
	h.Set("f", "v")
	if v, ok := h.Get("f"); !ok || v != "v" || h.Encoding() != "listpack" {
		t.Fatalf("zero Hash: Get(%q) = %q, %v, encoding %q; want %q, true, listpack", "f", v, ok, h.Encoding(), "v")
	}
	var s Set
	s.Add("1")
	if !s.Has("1") || s.Encoding() != "intset" {
		t.Fatalf("zero Set: Has(%q) = %v, encoding %q; want true, intset", "1", s.Has("1"), s.Encoding())
	}
	var l List
	l.PushBack("x")
	if v, ok := l.Index(-1); !ok || v != "x" {
		t.Fatalf("zero List: Index(-1) = %q, %v; want %q, true", v, ok, "x")
	}
}
