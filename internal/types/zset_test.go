package types

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// newTestZSet returns a set holding pairs of (member, score).
func zNewTestSet(t testing.TB, lim *ZSetLimits, pairs ...any) *ZSet {
	t.Helper()
	z := NewZSet(lim)
	for i := 0; i < len(pairs); i += 2 {
		z.Add(pairs[i].(string), pairs[i+1].(float64))
	}
	return z
}

func zMembers(es []ZEntry) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Member
	}
	return strings.Join(parts, " ")
}

func zRangeMembers(f func(fn func(string, float64) bool)) string {
	return zMembers(zCollect(f))
}

func TestZSetAddScoreRemove(t *testing.T) {
	z := NewZSet(nil)
	steps := []struct {
		op             string
		member         string
		score          float64
		added, changed bool
	}{
		{"add", "a", 1, true, false},
		{"add", "b", 2, true, false},
		{"add", "a", 1, false, false},
		{"add", "a", 3, false, true},
		{"add", "", 0, true, false}, // the empty member is valid
		{"add", "c", math.NaN(), false, false},
		{"remove", "a", 0, true, false},
		{"remove", "a", 0, false, false},
		{"remove", "zz", 0, false, false},
	}
	for _, s := range steps {
		switch s.op {
		case "add":
			added, changed := z.Add(s.member, s.score)
			if added != s.added || changed != s.changed {
				t.Errorf("Add(%q, %v) = %v, %v, want %v, %v", s.member, s.score, added, changed, s.added, s.changed)
			}
		case "remove":
			if got := z.Remove(s.member); got != s.added {
				t.Errorf("Remove(%q) = %v, want %v", s.member, got, s.added)
			}
		}
	}
	if got := z.Len(); got != 2 {
		t.Errorf("Len() = %d, want 2", got)
	}
	for _, tt := range []struct {
		member string
		score  float64
		ok     bool
	}{{"b", 2, true}, {"", 0, true}, {"a", 0, false}, {"c", 0, false}} {
		if s, ok := z.Score(tt.member); s != tt.score || ok != tt.ok {
			t.Errorf("Score(%q) = %v, %v, want %v, %v", tt.member, s, ok, tt.score, tt.ok)
		}
	}
	zMustCheck(t, z, "after steps")
}

// The outcomes mirror redis-cli sessions against Redis 7.0.
func TestZSetAddWith(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		name      string
		start     float64 // score of "m" before; NaN = absent
		score     float64
		flags     ZAddFlags
		want      ZAddResult
		wantScore float64
		stored    float64 // NaN = absent afterwards
	}{
		{"new", math.NaN(), 5, 0, ZAddAdded, 5, 5},
		{"same score", 5, 5, 0, ZAddUnchanged, 5, 5},
		{"update", 5, 6, 0, ZAddUpdated, 6, 6},
		{"nx existing", 5, 6, ZAddNX, ZAddSkipped, 5, 5},
		{"nx new", math.NaN(), 6, ZAddNX, ZAddAdded, 6, 6},
		{"xx new", math.NaN(), 6, ZAddXX, ZAddSkipped, 0, math.NaN()},
		{"xx existing", 5, 6, ZAddXX, ZAddUpdated, 6, 6},
		{"gt lower", 5, 3, ZAddGT, ZAddSkipped, 5, 5},
		{"gt equal", 5, 5, ZAddGT, ZAddSkipped, 5, 5},
		{"gt higher", 5, 7, ZAddGT, ZAddUpdated, 7, 7},
		{"gt new", math.NaN(), 1, ZAddGT, ZAddAdded, 1, 1},
		{"lt higher", 5, 7, ZAddLT, ZAddSkipped, 5, 5},
		{"lt lower", 5, 3, ZAddLT, ZAddUpdated, 3, 3},
		{"incr new", math.NaN(), 2.5, ZAddIncr, ZAddAdded, 2.5, 2.5},
		{"incr", 5, 2.5, ZAddIncr, ZAddUpdated, 7.5, 7.5},
		{"incr zero", 5, 0, ZAddIncr, ZAddUnchanged, 5, 5},
		{"incr gt not greater", 8, 1, ZAddIncr | ZAddLT, ZAddSkipped, 8, 8},
		{"incr gt negative", 8, -1, ZAddIncr | ZAddGT, ZAddSkipped, 8, 8},
		{"incr gt", 7, 1, ZAddIncr | ZAddGT, ZAddUpdated, 8, 8},
		{"incr to nan", inf, -inf, ZAddIncr, ZAddNaN, math.NaN(), inf},
		{"nan score", 1, math.NaN(), 0, ZAddNaN, math.NaN(), 1},
		{"nan score new", math.NaN(), math.NaN(), ZAddNX, ZAddNaN, math.NaN(), math.NaN()},
		{"incr to inf", 1, inf, ZAddIncr, ZAddUpdated, inf, inf},
	}
	for _, tt := range tests {
		z := NewZSet(nil)
		z.Add("other", 6)
		if !math.IsNaN(tt.start) {
			z.Add("m", tt.start)
		}
		got, gotScore := z.AddWith("m", tt.score, tt.flags)
		if got != tt.want || !zSameFloat(gotScore, tt.wantScore) {
			t.Errorf("%s: AddWith(%q, %v, %05b) = %v, %v, want %v, %v", tt.name, "m", tt.score, tt.flags, got, gotScore, tt.want, tt.wantScore)
		}
		s, ok := z.Score("m")
		if ok == math.IsNaN(tt.stored) || (ok && s != tt.stored) {
			t.Errorf("%s: Score(%q) = %v, %v, want %v", tt.name, "m", s, ok, tt.stored)
		}
		zMustCheck(t, z, tt.name)
	}
}

func TestZSetIncr(t *testing.T) {
	z := NewZSet(nil)
	for _, tt := range []struct {
		delta, want float64
		err         error
	}{{2, 2, nil}, {0.5, 2.5, nil}, {math.Inf(1), math.Inf(1), nil}, {math.Inf(-1), 0, ErrScoreNaN}, {-1, math.Inf(1), nil}} {
		got, err := z.Incr("m", tt.delta)
		if got != tt.want || err != tt.err {
			t.Errorf("Incr(%q, %v) = %v, %v, want %v, %v", "m", tt.delta, got, err, tt.want, tt.err)
		}
	}
}

// Redis 7.0: a listpack stores -0 as the integer 0, a skiplist keeps -0,
// and updating with a score equal to the current one changes nothing.
func TestZSetNegativeZero(t *testing.T) {
	small := NewZSet(nil)
	small.Add("a", zNegZero)
	if s, _ := small.Score("a"); !zSameFloat(s, 0) {
		t.Errorf("listpack Score(%q) after Add(-0) = %v, want 0", "a", s)
	}
	if _, s := small.AddWith("b", zNegZero, ZAddIncr); !zSameFloat(s, zNegZero) {
		t.Errorf("listpack AddWith(%q, -0, INCR) new score = %v, want -0 (ZINCRBY replies -0)", "b", s)
	}

	lim := NewZSetLimits()
	lim.MaxListpackEntries.Store(0)
	big := NewZSet(lim)
	big.Add("a", zNegZero)
	if got := big.Encoding(); got != EncodingSkiplist {
		t.Fatalf("Encoding() with zset-max-listpack-entries 0 = %q, want %q", got, EncodingSkiplist)
	}
	if s, _ := big.Score("a"); !zSameFloat(s, zNegZero) {
		t.Errorf("skiplist Score(%q) after Add(-0) = %v, want -0", "a", s)
	}
	if added, changed := big.Add("a", 0); added || changed {
		t.Errorf("Add(%q, 0) over -0 = %v, %v, want false, false", "a", added, changed)
	}
	if s, _ := big.Score("a"); !zSameFloat(s, zNegZero) {
		t.Errorf("Score(%q) after Add(0) over -0 = %v, want -0", "a", s)
	}
	if _, s := big.AddWith("a", 0, ZAddIncr); !zSameFloat(s, 0) {
		t.Errorf("AddWith(%q, 0, INCR) over -0 = %v, want 0 (ZINCRBY replies 0)", "a", s)
	}
	lim.MaxListpackEntries.Store(128)
	if !big.ConvertToListpackIfFits() {
		t.Fatalf("ConvertToListpackIfFits() = false, want true")
	}
	if s, _ := big.Score("a"); !zSameFloat(s, 0) {
		t.Errorf("Score(%q) after conversion to listpack = %v, want 0", "a", s)
	}
	zMustCheck(t, big, "after conversion")
}

func TestZSetEncoding(t *testing.T) {
	lim := NewZSetLimits()
	lim.MaxListpackEntries.Store(3)
	lim.MaxListpackValue.Store(4)
	z := NewZSet(lim)
	steps := []struct {
		do   func()
		what string
		want string
	}{
		{func() {}, "empty", EncodingListpack},
		{func() { z.Add("aaaa", 1); z.Add("b", 2); z.Add("c", 3) }, "3 members of <= 4 bytes", EncodingListpack},
		{func() { z.Add("c", 4) }, "update at the limit", EncodingListpack},
		{func() { z.AddWith("d", 4, ZAddXX) }, "XX on a new member", EncodingListpack},
		{func() { z.Remove("c"); z.Add("dddd", 4) }, "back to 3 members", EncodingListpack},
		{func() { z.Add("e", 5) }, "4th member", EncodingSkiplist},
		{func() { z.Remove("e"); z.Remove("dddd") }, "shrunk", EncodingSkiplist},
	}
	for _, s := range steps {
		s.do()
		if got := z.Encoding(); got != s.want {
			t.Errorf("after %s: Encoding() = %q, want %q", s.what, got, s.want)
		}
	}
	if !z.ConvertToListpackIfFits() || z.Encoding() != EncodingListpack {
		t.Errorf("ConvertToListpackIfFits() with 2 short members: Encoding() = %q, want %q", z.Encoding(), EncodingListpack)
	}

	long := NewZSet(lim)
	long.Add("abcde", 1)
	if got := long.Encoding(); got != EncodingSkiplist {
		t.Errorf("after a 5-byte member: Encoding() = %q, want %q", got, EncodingSkiplist)
	}
	if long.ConvertToListpackIfFits() {
		t.Errorf("ConvertToListpackIfFits() with a 5-byte member = true, want false")
	}
	// A CONFIG SET applies to existing sets.
	lim.MaxListpackValue.Store(10)
	if !long.ConvertToListpackIfFits() {
		t.Errorf("ConvertToListpackIfFits() after raising the value limit = false, want true")
	}
	if got := NewZSet(nil).Encoding(); got != EncodingListpack {
		t.Errorf("NewZSet(nil).Encoding() = %q, want %q", got, EncodingListpack)
	}
}

func TestZSetRankAndElementAt(t *testing.T) {
	// Ties on score order by member bytewise: "B" < "a" < "a\x00" < "b".
	z := zNewTestSet(t, nil, "b", 1.0, "a", 1.0, "a\x00", 1.0, "B", 1.0, "top", math.Inf(1), "bottom", math.Inf(-1))
	order := []string{"bottom", "B", "a", "a\x00", "b", "top"}
	for i, m := range order {
		if r, ok := z.Rank(m, false); !ok || r != i {
			t.Errorf("Rank(%q, false) = %d, %v, want %d", m, r, ok, i)
		}
		if r, ok := z.Rank(m, true); !ok || r != len(order)-1-i {
			t.Errorf("Rank(%q, true) = %d, %v, want %d", m, r, ok, len(order)-1-i)
		}
		if got, _, ok := z.ElementAt(i); !ok || got != m {
			t.Errorf("ElementAt(%d) = %q, %v, want %q", i, got, ok, m)
		}
	}
	if _, ok := z.Rank("nope", false); ok {
		t.Errorf("Rank(%q) found a missing member", "nope")
	}
	for _, i := range []int{-1, len(order), math.MaxInt} {
		if m, _, ok := z.ElementAt(i); ok {
			t.Errorf("ElementAt(%d) = %q, true, want not found", i, m)
		}
	}
}

func TestZSetRangeByRank(t *testing.T) {
	z := zNewTestSet(t, nil, "a", 1.0, "b", 2.0, "c", 3.0, "d", 4.0, "e", 5.0)
	tests := []struct {
		start, stop int
		reverse     bool
		want        string
	}{
		{0, 4, false, "a b c d e"},
		{1, 2, false, "b c"},
		{0, 0, true, "e"},
		{1, 3, true, "d c b"},
		{3, 100, false, "d e"},
		{-5, 1, false, "a b"},
		{3, 2, false, ""},
		{5, 9, false, ""},
		{4, 4, true, "a"},
	}
	for _, tt := range tests {
		got := zRangeMembers(func(fn func(string, float64) bool) { z.RangeByRank(tt.start, tt.stop, tt.reverse, fn) })
		if got != tt.want {
			t.Errorf("RangeByRank(%d, %d, %v) = %q, want %q", tt.start, tt.stop, tt.reverse, got, tt.want)
		}
	}
	n := 0
	z.RangeByRank(0, 4, false, func(string, float64) bool { n++; return n < 2 })
	if n != 2 {
		t.Errorf("RangeByRank stopped after %d calls, want 2", n)
	}
}

func TestZSetRangeByScore(t *testing.T) {
	z := zNewTestSet(t, nil, "a", 1.0, "b", 2.0, "c", 2.0, "d", 3.0, "e", 4.0, "ninf", math.Inf(-1), "pinf", math.Inf(1))
	tests := []struct {
		min, max      string
		reverse       bool
		offset, limit int
		want          string
		count         int
	}{
		{"-inf", "+inf", false, 0, -1, "ninf a b c d e pinf", 7},
		{"2", "3", false, 0, -1, "b c d", 3},
		{"(2", "3", false, 0, -1, "d", 1},
		{"2", "(3", false, 0, -1, "b c", 2},
		{"(1", "(4", true, 0, -1, "d c b", 3},
		{"-inf", "+inf", false, 2, 3, "b c d", 7},
		{"-inf", "+inf", true, 2, 3, "d c b", 7},
		{"-inf", "+inf", false, 6, 5, "pinf", 7},
		{"-inf", "+inf", false, 7, 5, "", 7},
		{"-inf", "+inf", false, -1, 5, "", 7},
		{"-inf", "+inf", false, 1, 0, "", 7},
		{"2", "3", false, 3, -1, "", 3}, // offset lands past the range
		{"2", "3", true, 2, -1, "b", 3},
		{"3", "2", false, 0, -1, "", 0},
		{"(2", "2", false, 0, -1, "", 0},
		{"inf", "inf", false, 0, -1, "pinf", 1},
		{"(inf", "+inf", false, 0, -1, "", 0},
		{"-inf", "-inf", true, 0, -1, "ninf", 1},
		{"5", "6", false, 0, -1, "", 0},
	}
	for _, tt := range tests {
		r, err := ParseScoreRange(tt.min, tt.max)
		if err != nil {
			t.Fatalf("ParseScoreRange(%q, %q) = %v", tt.min, tt.max, err)
		}
		got := zRangeMembers(func(fn func(string, float64) bool) { z.RangeByScore(r, tt.reverse, tt.offset, tt.limit, fn) })
		if got != tt.want {
			t.Errorf("RangeByScore(%q, %q, rev=%v, LIMIT %d %d) = %q, want %q", tt.min, tt.max, tt.reverse, tt.offset, tt.limit, got, tt.want)
		}
		if got := z.CountByScore(r); got != tt.count {
			t.Errorf("CountByScore(%q, %q) = %d, want %d", tt.min, tt.max, got, tt.count)
		}
	}
}

func TestZSetRangeByLex(t *testing.T) {
	for _, enc := range []int64{128, 0} { // listpack, then skiplist
		lim := NewZSetLimits()
		lim.MaxListpackEntries.Store(enc)
		z := zNewTestSet(t, lim, "a", 0.0, "b", 0.0, "c", 0.0, "d", 0.0, "e", 0.0, "", 0.0, "bb", 0.0)
		tests := []struct {
			min, max      string
			reverse       bool
			offset, limit int
			want          string
			count         int
		}{
			{"-", "+", false, 0, -1, " a b bb c d e", 7},
			{"[b", "[c", false, 0, -1, "b bb c", 3},
			{"(b", "[c", false, 0, -1, "bb c", 2},
			{"[b", "(c", true, 0, -1, "bb b", 2},
			{"-", "(b", false, 0, -1, " a", 2},
			{"[", "[", false, 0, -1, "", 1},
			{"(", "(a", false, 0, -1, "", 0},
			{"-", "+", false, 2, 2, "b bb", 7},
			{"-", "+", true, 2, 2, "c bb", 7},
			{"-", "+", false, -1, 2, "", 7},
			{"+", "-", false, 0, -1, "", 0},
			{"-", "-", false, 0, -1, "", 0},
			{"+", "+", false, 0, -1, "", 0},
			{"[c", "[b", false, 0, -1, "", 0},
			{"(b", "(b", false, 0, -1, "", 0},
			{"[z", "+", false, 0, -1, "", 0},
		}
		for _, tt := range tests {
			r, err := ParseLexRange(tt.min, tt.max)
			if err != nil {
				t.Fatalf("ParseLexRange(%q, %q) = %v", tt.min, tt.max, err)
			}
			got := zRangeMembers(func(fn func(string, float64) bool) { z.RangeByLex(r, tt.reverse, tt.offset, tt.limit, fn) })
			if got != tt.want {
				t.Errorf("%s: RangeByLex(%q, %q, rev=%v, LIMIT %d %d) = %q, want %q", z.Encoding(), tt.min, tt.max, tt.reverse, tt.offset, tt.limit, got, tt.want)
			}
			if got := z.CountByLex(r); got != tt.count {
				t.Errorf("%s: CountByLex(%q, %q) = %d, want %d", z.Encoding(), tt.min, tt.max, got, tt.count)
			}
		}
	}
}

func TestZSetRemoveRanges(t *testing.T) {
	build := func() *ZSet {
		return zNewTestSet(t, nil, "a", 1.0, "b", 2.0, "c", 3.0, "d", 4.0, "e", 5.0)
	}
	tests := []struct {
		name   string
		remove func(z *ZSet, fn func(string, float64)) int
		gone   string
		left   string
	}{
		{"rank 1..2", func(z *ZSet, fn func(string, float64)) int { return z.RemoveRangeByRank(1, 2, fn) }, "b c", "a d e"},
		{"rank 3..99", func(z *ZSet, fn func(string, float64)) int { return z.RemoveRangeByRank(3, 99, fn) }, "d e", "a b c"},
		{"rank 4..1", func(z *ZSet, fn func(string, float64)) int { return z.RemoveRangeByRank(4, 1, fn) }, "", "a b c d e"},
		{"score (2..4", func(z *ZSet, fn func(string, float64)) int {
			return z.RemoveRangeByScore(ScoreRange{Min: 2, Max: 4, MinEx: true}, fn)
		}, "c d", "a b e"},
		{"score -inf..+inf", func(z *ZSet, fn func(string, float64)) int {
			return z.RemoveRangeByScore(ScoreRange{Min: math.Inf(-1), Max: math.Inf(1)}, fn)
		}, "a b c d e", ""},
		{"score 4..2", func(z *ZSet, fn func(string, float64)) int {
			return z.RemoveRangeByScore(ScoreRange{Min: 4, Max: 2}, fn)
		}, "", "a b c d e"},
		{"lex [b..(e", func(z *ZSet, fn func(string, float64)) int {
			r, _ := ParseLexRange("[b", "(e")
			return z.RemoveRangeByLex(r, fn)
		}, "b c d", "a e"},
	}
	for _, tt := range tests {
		for _, withFn := range []bool{true, false} {
			z := build()
			var gone []ZEntry
			var fn func(string, float64)
			if withFn {
				fn = func(m string, s float64) { gone = append(gone, ZEntry{m, s}) }
			}
			n := tt.remove(z, fn)
			if want := len(strings.Fields(tt.gone)); n != want {
				t.Errorf("%s: removed %d, want %d", tt.name, n, want)
			}
			if withFn && zMembers(gone) != tt.gone {
				t.Errorf("%s: reported %q, want %q", tt.name, zMembers(gone), tt.gone)
			}
			left := zRangeMembers(func(fn func(string, float64) bool) { z.RangeByRank(0, z.Len(), false, fn) })
			if left != tt.left {
				t.Errorf("%s: left %q, want %q", tt.name, left, tt.left)
			}
			zMustCheck(t, z, tt.name)
		}
	}
}

func TestZSetPop(t *testing.T) {
	tests := []struct {
		max   bool
		count int
		want  string
		left  int
	}{
		{false, 2, "a b", 3},
		{true, 2, "e d", 3},
		{false, 0, "", 5},
		{true, -1, "", 5},
		{false, 10, "a b c d e", 0},
		{true, 10, "e d c b a", 0},
	}
	for _, tt := range tests {
		z := zNewTestSet(t, nil, "c", 3.0, "a", 1.0, "e", 5.0, "b", 2.0, "d", 4.0)
		var got []ZEntry
		if tt.max {
			got = z.PopMax(tt.count)
		} else {
			got = z.PopMin(tt.count)
		}
		if zMembers(got) != tt.want || z.Len() != tt.left {
			t.Errorf("Pop(max=%v, %d) = %q leaving %d, want %q leaving %d", tt.max, tt.count, zMembers(got), z.Len(), tt.want, tt.left)
		}
		for _, e := range got {
			if want := float64(e.Member[0]-'a') + 1; e.Score != want {
				t.Errorf("Pop(max=%v, %d) gave %q score %v, want %v", tt.max, tt.count, e.Member, e.Score, want)
			}
		}
		zMustCheck(t, z, "pop")
	}
}

func TestZSetIterators(t *testing.T) {
	z := zNewTestSet(t, nil, "b", 2.0, "a", 1.0, "c", 3.0)
	var asc, desc []string
	for m, s := range z.All() {
		asc = append(asc, fmt.Sprint(m, s))
	}
	for m := range z.Descend() {
		desc = append(desc, m)
		if len(desc) == 2 {
			break
		}
	}
	if got := strings.Join(asc, " "); got != "a1 b2 c3" {
		t.Errorf("All() = %q, want %q", got, "a1 b2 c3")
	}
	if got := strings.Join(desc, " "); got != "c b" {
		t.Errorf("Descend() with break after 2 = %q, want %q", got, "c b")
	}
}

func TestZSetScan(t *testing.T) {
	lim := NewZSetLimits()
	lim.MaxListpackEntries.Store(10)
	for _, n := range []int{0, 5, 500} {
		z := NewZSet(lim)
		for i := range n {
			z.Add(fmt.Sprint("m", i), float64(i))
		}
		seen := map[string]int{}
		calls := 0
		for cursor := uint64(0); ; {
			cursor = z.Scan(cursor, 10, func(m string, s float64) {
				if want := fmt.Sprint("m", int(s)); m != want {
					t.Errorf("Scan reported %q with score %v", m, s)
				}
				seen[m]++
			})
			calls++
			if cursor == 0 {
				break
			}
		}
		if len(seen) != n {
			t.Errorf("Scan over %d members saw %d", n, len(seen))
		}
		if z.Encoding() == EncodingListpack && calls != 1 {
			t.Errorf("Scan of a listpack took %d calls, want 1", calls)
		}
		if n == 500 && calls < 2 {
			t.Errorf("Scan of %d members with COUNT 10 took %d calls, want several", n, calls)
		}
	}
}

func TestZSetRandom(t *testing.T) {
	z := NewZSet(nil)
	if m, _, ok := z.Random(nil); ok {
		t.Fatalf("Random() on an empty set = %q, true", m)
	}
	for i := range 10 {
		z.Add(fmt.Sprint(i), float64(i))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	counts := map[string]int{}
	for range 10000 {
		m, s, ok := z.Random(rng)
		if !ok || fmt.Sprint(s) != m {
			t.Fatalf("Random() = %q, %v, %v", m, s, ok)
		}
		counts[m]++
	}
	for m, c := range counts {
		if c < 800 || c > 1200 {
			t.Errorf("Random() chose %q %d times in 10000 draws over 10 members", m, c)
		}
	}
	if len(counts) != 10 {
		t.Errorf("Random() reached %d of 10 members", len(counts))
	}
	for _, count := range []int{0, 3, 10, 20} {
		seen := map[string]bool{}
		z.RandomN(rng, count, func(m string, s float64) {
			if seen[m] {
				t.Errorf("RandomN(%d) repeated %q", count, m)
			}
			seen[m] = true
		})
		if want := min(count, 10); len(seen) != want {
			t.Errorf("RandomN(%d) gave %d members, want %d", count, len(seen), want)
		}
	}
}

func TestZSetClone(t *testing.T) {
	z := zNewTestSet(t, nil, "a", 1.0, "b", 2.0, "c", zNegZero)
	c := z.Clone()
	c.Add("d", 4)
	z.Remove("a")
	if got := zRangeMembers(func(fn func(string, float64) bool) { c.RangeByRank(0, 10, false, fn) }); got != "c a b d" {
		t.Errorf("clone members = %q, want %q", got, "c a b d")
	}
	if c.Encoding() != z.Encoding() {
		t.Errorf("clone Encoding() = %q, original %q", c.Encoding(), z.Encoding())
	}
	zMustCheck(t, c, "clone")
	zMustCheck(t, z, "original")
}

// MemoryUsage must track what the Go heap really spends, within 10%.
func TestZSetMemoryUsage(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates a large set")
	}
	for _, n := range []int{1000, 100000} {
		names := make([]string, n)
		for i := range names {
			names[i] = fmt.Sprintf("member:%08d", i) // 15 bytes
		}
		const sets = 4
		var zs [sets]*ZSet
		before := zHeapAlloc()
		reported := 0
		for k := range zs {
			zs[k] = NewZSet(nil)
			for i, m := range names {
				zs[k].Add(m, float64((i*7919)%n))
			}
			reported += zs[k].MemoryUsage()
		}
		after := zHeapAlloc()
		// The member strings were allocated before measuring and are shared
		// by the sets, but each set counts them as its own.
		actual := float64(after-before) + float64(sets*n*stringCost(15))
		ratio := float64(reported) / actual
		t.Logf("%d members: MemoryUsage() total %d, heap grew by %.0f (ratio %.3f)", n, reported, actual, ratio)
		if ratio < 0.9 || ratio > 1.1 {
			t.Errorf("%d members: MemoryUsage() total %d, heap grew by %.0f (ratio %.3f)", n, reported, actual, ratio)
		}
		runtime.KeepAlive(zs)
		// Removing most members must shrink the figure.
		full := zs[0].MemoryUsage()
		zs[0].RemoveRangeByRank(0, n-n/100, nil)
		if got := zs[0].MemoryUsage(); got > full/10 {
			t.Errorf("%d members: MemoryUsage() after removing 99%% = %d, was %d", n, got, full)
		}
	}
}

func zHeapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// Sets that never held -0 must sort exactly like sorting the pairs.
func TestZSetMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	z := NewZSet(nil)
	want := map[string]float64{}
	for range 5000 {
		m := fmt.Sprint(rng.IntN(3000))
		s := float64(rng.IntN(100))
		z.Add(m, s)
		want[m] = s
	}
	var es []ZEntry
	for m, s := range want {
		es = append(es, ZEntry{m, s})
	}
	slices.SortFunc(es, zEntryCmp)
	got := zCollect(func(fn func(string, float64) bool) { z.RangeByRank(0, z.Len()-1, false, fn) })
	if !zSameEntries(got, es) {
		t.Errorf("RangeByRank over %d members differs from sorting the pairs", len(es))
	}
	zMustCheck(t, z, "sorted")
}
