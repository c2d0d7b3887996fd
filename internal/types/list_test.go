package types

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// listOf builds a list by RPUSHing vals.
func listOf(vals ...string) *List {
	l := NewList()
	l.PushBack(vals...)
	return l
}

// contents returns every element of l, head first.
func contents(l *List) []string {
	var out []string
	l.All(func(v string) bool { out = append(out, v); return true })
	return out
}

func TestListPush(t *testing.T) {
	l := NewList()
	l.PushFront("a", "b", "c") // LPUSH k a b c
	l.PushBack("d", "e")       // RPUSH k d e
	if got, want := contents(l), []string{"c", "b", "a", "d", "e"}; !slices.Equal(got, want) {
		t.Fatalf("after LPUSH a b c, RPUSH d e: %q, want %q", got, want)
	}
	if l.Encoding() != "quicklist" {
		t.Fatalf("Encoding() = %q, want quicklist", l.Encoding())
	}
	var empty List
	if _, ok := empty.PopFront(); ok {
		t.Fatal("PopFront on empty list: ok = true")
	}
	if _, ok := empty.PopBack(); ok {
		t.Fatal("PopBack on empty list: ok = true")
	}
}

func TestListIndex(t *testing.T) {
	l := listOf("a", "b", "c")
	cases := []struct {
		i    int
		want string
		ok   bool
	}{
		{0, "a", true}, {2, "c", true}, {3, "", false}, {-1, "c", true}, {-3, "a", true},
		{-4, "", false}, {math.MaxInt, "", false}, {math.MinInt, "", false},
	}
	for _, c := range cases {
		if got, ok := l.Index(c.i); got != c.want || ok != c.ok {
			t.Errorf("Index(%d) = %q, %v, want %q, %v", c.i, got, ok, c.want, c.ok)
		}
	}
	if l.Set(3, "x") || l.Set(-4, "x") {
		t.Error("Set out of range reported true")
	}
	if !l.Set(-1, "z") || !l.Set(0, "y") {
		t.Error("Set in range reported false")
	}
	if got, want := contents(l), []string{"y", "b", "z"}; !slices.Equal(got, want) {
		t.Errorf("after Set(-1, z), Set(0, y): %q, want %q", got, want)
	}
}

func TestListRange(t *testing.T) {
	l := listOf("a", "b", "c", "d", "e")
	cases := []struct {
		start, stop int
		want        []string
	}{
		{0, -1, []string{"a", "b", "c", "d", "e"}},
		{0, 0, []string{"a"}},
		{-3, 2, []string{"c"}},
		{-100, 100, []string{"a", "b", "c", "d", "e"}},
		{5, 10, nil},
		{3, 1, nil},
		{-1, -2, nil},
		{-2, -1, []string{"d", "e"}},
		{1, -100, nil},
		{math.MinInt, math.MaxInt, []string{"a", "b", "c", "d", "e"}},
		{math.MaxInt, math.MinInt, nil},
	}
	for _, c := range cases {
		if got := l.Range(c.start, c.stop); !slices.Equal(got, c.want) {
			t.Errorf("Range(%d, %d) = %q, want %q", c.start, c.stop, got, c.want)
		}
		var got []string
		l.RangeFunc(c.start, c.stop, func(v string) bool { got = append(got, v); return true })
		if !slices.Equal(got, c.want) {
			t.Errorf("RangeFunc(%d, %d) = %q, want %q", c.start, c.stop, got, c.want)
		}
		tl := listOf("a", "b", "c", "d", "e")
		tl.Trim(c.start, c.stop)
		if got := contents(tl); !slices.Equal(got, c.want) {
			t.Errorf("Trim(%d, %d) left %q, want %q", c.start, c.stop, got, c.want)
		}
	}
}

func TestListInsert(t *testing.T) {
	cases := []struct {
		pivot  string
		before bool
		want   int
		after  []string
	}{
		{"b", true, 5, []string{"a", "X", "b", "c", "b"}},
		{"b", false, 5, []string{"a", "b", "X", "c", "b"}},
		{"a", true, 5, []string{"X", "a", "b", "c", "b"}},
		{"b", false, 5, []string{"a", "b", "X", "c", "b"}},
		{"c", false, 5, []string{"a", "b", "c", "X", "b"}},
		{"zz", true, -1, []string{"a", "b", "c", "b"}},
	}
	for _, c := range cases {
		l := listOf("a", "b", "c", "b")
		if got := l.Insert(c.pivot, c.before, "X"); got != c.want {
			t.Errorf("Insert(%q, %v) = %d, want %d", c.pivot, c.before, got, c.want)
		}
		if got := contents(l); !slices.Equal(got, c.after) {
			t.Errorf("Insert(%q, %v) left %q, want %q", c.pivot, c.before, got, c.after)
		}
	}
	l := listOf("a", "b", "c", "b")
	if got := l.Insert("b", false, "X"); got != 5 {
		t.Fatalf("Insert after last-but-one: %d", got)
	}
	l2 := listOf("a", "b")
	l2.Insert("b", false, "X")
	if got, want := contents(l2), []string{"a", "b", "X"}; !slices.Equal(got, want) {
		t.Errorf("Insert after the tail: %q, want %q", got, want)
	}
	var empty List
	if got := empty.Insert("a", true, "X"); got != -1 {
		t.Errorf("Insert on empty list = %d, want -1", got)
	}
}

func TestListRemove(t *testing.T) {
	cases := []struct {
		count int
		want  int
		after []string
	}{
		{0, 3, []string{"b", "c", "d"}},
		{1, 1, []string{"b", "a", "c", "a", "d"}},
		{2, 2, []string{"b", "c", "a", "d"}},
		{-1, 1, []string{"a", "b", "a", "c", "d"}},
		{-2, 2, []string{"a", "b", "c", "d"}},
		{100, 3, []string{"b", "c", "d"}},
		{-100, 3, []string{"b", "c", "d"}},
		{math.MinInt, 3, []string{"b", "c", "d"}},
	}
	for _, c := range cases {
		l := listOf("a", "b", "a", "c", "a", "d")
		if got := l.Remove(c.count, "a"); got != c.want {
			t.Errorf("Remove(%d, a) = %d, want %d", c.count, got, c.want)
		}
		if got := contents(l); !slices.Equal(got, c.after) {
			t.Errorf("Remove(%d, a) left %q, want %q", c.count, got, c.after)
		}
	}
	l := listOf("a", "b")
	if got := l.Remove(0, "zz"); got != 0 || l.Len() != 2 {
		t.Errorf("Remove of a missing value = %d, Len %d; want 0, 2", got, l.Len())
	}
}

func TestListPos(t *testing.T) {
	// The example list of Redis's LPOS documentation.
	l := listOf("a", "b", "c", "1", "2", "3", "c", "c")
	cases := []struct {
		elem                string
		rank, count, maxlen int
		want                []int
	}{
		{"c", 1, 1, 0, []int{2}},                 // LPOS mylist c
		{"c", 2, 1, 0, []int{6}},                 // RANK 2
		{"c", -1, 1, 0, []int{7}},                // RANK -1
		{"c", 1, 2, 0, []int{2, 6}},              // COUNT 2
		{"c", -1, 2, 0, []int{7, 6}},             // RANK -1 COUNT 2
		{"c", 1, 0, 0, []int{2, 6, 7}},           // COUNT 0
		{"c", 2, 0, 0, []int{6, 7}},              // RANK 2 COUNT 0
		{"c", -2, 0, 0, []int{6, 2}},             // RANK -2 COUNT 0
		{"c", 4, 0, 0, nil},                      // more rank than matches
		{"c", 1, 0, 3, []int{2}},                 // MAXLEN 3
		{"c", 1, 0, 2, nil},                      // MAXLEN 2 stops before index 2
		{"c", -1, 0, 2, []int{7, 6}},             // MAXLEN from the tail
		{"c", -1, 0, 1, []int{7}},                // MAXLEN 1 from the tail
		{"c", 2, 1, 6, nil},                      // second match beyond MAXLEN
		{"z", 1, 0, 0, nil},                      // no match
		{"c", math.MinInt, 0, 0, []int{7, 6, 2}}, // Redis 7.0.15's overflow: from the tail,
		{"c", math.MinInt, 1, 0, []int{7, 6, 2}}, // ignoring COUNT
		{"c", math.MinInt, 1, 1, []int{7}},
		{"c", math.MinInt + 1, 0, 0, nil}, // huge negative rank
		{"a", math.MaxInt, 0, 0, nil},     // huge rank
		{"c", 0, 1, 0, []int{2}},          // rank 0 treated as 1
		{"c", 1, math.MaxInt, math.MaxInt, []int{2, 6, 7}},
	}
	for _, c := range cases {
		if got := l.Pos(c.elem, c.rank, c.count, c.maxlen); !slices.Equal(got, c.want) {
			t.Errorf("Pos(%q, rank %d, count %d, maxlen %d) = %v, want %v", c.elem, c.rank, c.count, c.maxlen, got, c.want)
		}
	}
}

// listModel is a naive slice implementation of Redis list semantics.
type listModel []string

func (m listModel) norm(start, stop int) (int, int) {
	n := len(m)
	if start < 0 {
		start = n + start
	}
	if stop < 0 {
		stop = n + stop
	}
	if start < 0 {
		start = 0
	}
	if stop >= n {
		stop = n - 1
	}
	if start > stop {
		return 0, 0
	}
	return start, stop + 1
}

// TestListModel runs random operation sequences against listModel, with
// pushes and pops at both ends so nodes fill, split, merge and empty.
func TestListModel(t *testing.T) {
	for _, nodeMax := range []int{listNodeMax, 24} {
		t.Run(fmt.Sprintf("nodes=%d", nodeMax), func(t *testing.T) {
			smallNodes(t, nodeMax)
			testListModel(t)
		})
	}
}

func testListModel(t *testing.T) {
	forSeeds(t, func(t *testing.T, r *rand.Rand) {
		l := NewList()
		var m listModel
		// Eight values, some of them also long (past one-byte lengths) or
		// empty, so that pivots and removals match often.
		val := func() string {
			d := strconv.Itoa(r.IntN(8))
			switch r.IntN(12) {
			case 0:
				return strings.Repeat(d, 130)
			case 1:
				return ""
			}
			return d
		}
		idx := func() int { return r.IntN(2*len(m)+6) - len(m) - 3 }
		for step := range 20000 {
			var desc string
			switch op := r.IntN(22); {
			case op < 4:
				vals := make([]string, r.IntN(40))
				for i := range vals {
					vals[i] = val()
				}
				desc = fmt.Sprintf("PushFront%q", vals)
				l.PushFront(vals...)
				for _, v := range vals {
					m = append(listModel{v}, m...)
				}
			case op < 8:
				vals := make([]string, r.IntN(40))
				for i := range vals {
					vals[i] = val()
				}
				desc = fmt.Sprintf("PushBack%q", vals)
				l.PushBack(vals...)
				m = append(m, vals...)
			case op < 11:
				desc = "PopFront"
				for range r.IntN(30) {
					got, ok := l.PopFront()
					if ok != (len(m) > 0) || (ok && got != m[0]) {
						t.Fatalf("step %d: PopFront() = %q, %v; model %q", step, got, ok, m)
					}
					if ok {
						m = m[1:]
					}
				}
			case op < 14:
				desc = "PopBack"
				for range r.IntN(30) {
					got, ok := l.PopBack()
					if ok != (len(m) > 0) || (ok && got != m[len(m)-1]) {
						t.Fatalf("step %d: PopBack() = %q, %v; model %q", step, got, ok, m)
					}
					if ok {
						m = m[:len(m)-1]
					}
				}
			case op < 15:
				i, v := idx(), val()
				desc = fmt.Sprintf("Set(%d, %q)", i, v)
				j := i
				if j < 0 {
					j += len(m)
				}
				inRange := j >= 0 && j < len(m)
				if got := l.Set(i, v); got != inRange {
					t.Fatalf("step %d: %s = %v, want %v", step, desc, got, inRange)
				}
				if inRange {
					m[j] = v
				}
			case op < 17:
				pivot, before, v := val(), r.IntN(2) == 0, val()
				desc = fmt.Sprintf("Insert(%q, %v, %q)", pivot, before, v)
				want := -1
				if i := slices.Index(m, pivot); i >= 0 {
					if !before {
						i++
					}
					m = slices.Insert(m, i, v)
					want = len(m)
				}
				if got := l.Insert(pivot, before, v); got != want {
					t.Fatalf("step %d: %s = %d, want %d", step, desc, got, want)
				}
			case op < 19:
				count, v := r.IntN(7)-3, val()
				desc = fmt.Sprintf("Remove(%d, %q)", count, v)
				want := 0
				if count >= 0 {
					for i := 0; i < len(m); {
						if m[i] == v && (count == 0 || want < count) {
							m = slices.Delete(m, i, i+1)
							want++
						} else {
							i++
						}
					}
				} else {
					for i := len(m) - 1; i >= 0; i-- {
						if m[i] == v && want < -count {
							m = slices.Delete(m, i, i+1)
							want++
						}
					}
				}
				if got := l.Remove(count, v); got != want {
					t.Fatalf("step %d: %s = %d, want %d", step, desc, got, want)
				}
			case op < 20:
				start, stop := idx(), idx()
				if r.IntN(3) == 0 {
					stop = start + r.IntN(len(m)+1) // mostly keep a good part
				}
				desc = fmt.Sprintf("Trim(%d, %d)", start, stop)
				lo, hi := m.norm(start, stop)
				m = slices.Clone(m[lo:hi])
				l.Trim(start, stop)
			case op < 21:
				start, stop := idx(), idx()
				lo, hi := m.norm(start, stop)
				if got, want := l.Range(start, stop), m[lo:hi]; !slices.Equal(got, want) {
					t.Fatalf("step %d: Range(%d, %d) = %q, want %q", step, start, stop, got, want)
				}
			default:
				elem := val()
				rank := r.IntN(7) - 3
				if rank == 0 {
					rank = 1
				}
				count, maxlen := r.IntN(4), r.IntN(len(m)+2)
				var want []int
				skip := max(rank, -rank) - 1
				scanned := len(m)
				if maxlen > 0 {
					scanned = min(scanned, maxlen)
				}
				for k := 0; k < scanned && (count == 0 || len(want) < count); k++ {
					i := k
					if rank < 0 {
						i = len(m) - 1 - k
					}
					if m[i] == elem {
						if skip > 0 {
							skip--
						} else {
							want = append(want, i)
						}
					}
				}
				if got := l.Pos(elem, rank, count, maxlen); !slices.Equal(got, want) {
					t.Fatalf("step %d: Pos(%q, %d, %d, %d) = %v, want %v; list %q", step, elem, rank, count, maxlen, got, want, m)
				}
			}
			if l.Len() != len(m) {
				t.Fatalf("step %d: after %s Len() = %d, want %d", step, desc, l.Len(), len(m))
			}
			if step%10 == 0 || desc != "" {
				if got := contents(l); !slices.Equal(got, m) && !(len(got) == 0 && len(m) == 0) {
					t.Fatalf("step %d: after %s contents %q, want %q", step, desc, got, []string(m))
				}
				if i := r.IntN(len(m) + 1); i < len(m) {
					if got, _ := l.Index(i - len(m)); got != m[i] {
						t.Fatalf("step %d: Index(%d) = %q, want %q", step, i-len(m), got, m[i])
					}
				}
				checkList(t, l)
			}
		}
	})
}

// checkList verifies a List's internal invariants: nodes that decode to
// exactly their counts from either end, no node above listNodeMax unless it
// holds one element, no references outside the live nodes, a ring not too
// empty, and exact accounting.
func checkList(t *testing.T, l *List) {
	t.Helper()
	if l.first < 0 || l.k < 0 || l.first+l.k > len(l.ring) {
		t.Fatalf("nodes at %d..%d of a ring of %d", l.first, l.first+l.k, len(l.ring))
	}
	if len(l.ring) > 4 && l.k < len(l.ring)/4 {
		t.Fatalf("%d nodes in a ring of %d were not shrunk", l.k, len(l.ring))
	}
	for i, nd := range l.ring {
		if (i < l.first || i >= l.first+l.k) && nd.buf != nil {
			t.Fatalf("ring slot %d outside the nodes still holds a buffer", i)
		}
	}
	n, bytes := 0, 0
	for i := range l.k {
		nd := l.node(i)
		if nd.count <= 0 || nd.lo < 0 || nd.lo > nd.hi || nd.hi > len(nd.buf) {
			t.Fatalf("node %d: count %d, entries at %d..%d of %d bytes", i, nd.count, nd.lo, nd.hi, len(nd.buf))
		}
		if nd.hi-nd.lo > listNodeMax && nd.count > 1 {
			t.Fatalf("node %d: %d elements in %d bytes, over %d", i, nd.count, nd.hi-nd.lo, listNodeMax)
		}
		if allocSize(len(nd.buf), false) != len(nd.buf) {
			t.Fatalf("node %d: a buffer of %d bytes is not a whole allocation", i, len(nd.buf))
		}
		var fwd, back []string
		for off := nd.lo; off < nd.hi; {
			vs, ve, next := entryAt(nd.buf, off)
			if next > nd.hi {
				t.Fatalf("node %d: entry at %d ends at %d, past %d", i, off, next, nd.hi)
			}
			fwd = append(fwd, string(nd.buf[vs:ve]))
			off = next
		}
		for end := nd.hi; end > nd.lo; {
			start, vs, ve := entryBefore(nd.buf, end)
			if start < nd.lo {
				t.Fatalf("node %d: entry ending at %d starts at %d, before %d", i, end, start, nd.lo)
			}
			back = append(back, string(nd.buf[vs:ve]))
			end = start
		}
		slices.Reverse(back)
		if len(fwd) != nd.count || !slices.Equal(fwd, back) {
			t.Fatalf("node %d: count %d, read forward %q, backward %q", i, nd.count, fwd, back)
		}
		n += nd.count
		bytes += len(nd.buf)
	}
	if n != l.n || bytes != l.bytes {
		t.Fatalf("nodes hold %d elements in %d bytes; the list says %d in %d", n, bytes, l.n, l.bytes)
	}
}

// smallNodes makes list nodes hold a few bytes for the rest of the test,
// so that short tests cross node boundaries all the time.
func smallNodes(t testing.TB, max int) {
	old := listNodeMax
	listNodeMax = max
	t.Cleanup(func() { listNodeMax = old })
}

func TestListShrink(t *testing.T) {
	l := NewList()
	for i := range 100000 {
		l.PushBack(strconv.Itoa(i))
	}
	big := l.MemoryUsage()
	for l.Len() > 0 {
		l.PopFront()
	}
	if l.ring != nil || l.MemoryUsage() > 512 {
		t.Fatalf("emptied list keeps %d nodes in a ring of %d (MemoryUsage %d, was %d)", l.k, len(l.ring), l.MemoryUsage(), big)
	}
	for i := range 100000 {
		l.PushFront(strconv.Itoa(i))
	}
	l.Trim(5, 5)
	if got, _ := l.Index(0); l.MemoryUsage() > 512 || got != "99994" {
		t.Fatalf("after Trim(5, 5): MemoryUsage %d, element %q; want <= 512, %q", l.MemoryUsage(), got, "99994")
	}
	checkList(t, l)
}

func TestListClone(t *testing.T) {
	l := NewList()
	l.PushFront("b", "a")
	l.PushBack("c")
	c := l.Clone()
	c.Set(0, "X")
	c.PushBack("d")
	if got, want := contents(l), []string{"a", "b", "c"}; !slices.Equal(got, want) {
		t.Fatalf("original after changing the clone: %q, want %q", got, want)
	}
	if got, want := contents(c), []string{"X", "b", "c", "d"}; !slices.Equal(got, want) {
		t.Fatalf("clone: %q, want %q", got, want)
	}
	checkList(t, c)
}

func TestListMemoryUsage(t *testing.T) {
	if testing.Short() {
		t.Skip("memory measurement in -short mode")
	}
	for _, vlen := range []int{3, 20, 100} {
		before := heapInUse()
		lists := make([]*List, 50)
		reported := 0
		for j := range lists {
			lists[j] = NewList()
			for i := range 3000 {
				lists[j].PushBack(strings.Repeat("x", vlen-1) + strconv.Itoa(i%10))
			}
			reported += lists[j].MemoryUsage()
		}
		measured := heapInUse() - before - allocSize(len(lists)*8, true)
		checkMemory(t, fmt.Sprintf("lists of %d-byte values", vlen), reported, measured)
		if lists[0].Len() != 3000 {
			t.Fatalf("Len() = %d, want 3000", lists[0].Len())
		}
	}
}

// FuzzListIndexes feeds arbitrary indexes and counts to the index-taking
// methods: they must never panic and must agree with listModel.
func FuzzListIndexes(f *testing.F) {
	f.Add(uint8(5), int64(0), int64(-1), int64(1), int64(0))
	f.Add(uint8(0), int64(math.MinInt64), int64(math.MaxInt64), int64(math.MinInt64), int64(math.MaxInt64))
	f.Add(uint8(9), int64(-3), int64(2), int64(-2), int64(3))
	smallNodes(f, 24)
	f.Fuzz(func(t *testing.T, n uint8, a, b, rank, count int64) {
		vals := make([]string, n%40)
		for i := range vals {
			vals[i] = strconv.Itoa(i % 3)
		}
		l := NewList()
		l.PushFront("pad")
		l.PushBack(vals...)
		l.PopFront() // leave the head node part-used
		m := listModel(vals)
		start, stop := int(a), int(b)
		lo, hi := m.norm(start, stop)
		if got := l.Range(start, stop); !slices.Equal(got, m[lo:hi]) {
			t.Fatalf("Range(%d, %d) = %q, want %q", start, stop, got, m[lo:hi])
		}
		if v, ok := l.Index(start); ok != (start >= -len(m) && start < len(m)) || (ok && v != m[(start+len(m))%len(m)]) {
			t.Fatalf("Index(%d) = %q, %v on %q", start, v, ok, []string(m))
		}
		l.Set(stop, "x")
		l.Pos("1", int(rank), int(max(count, 0)), int(max(count, 0)))
		l.Remove(int(count), "2")
		l.Insert("0", count > 0, "y")
		l.Trim(start, stop)
		checkList(t, l)
	})
}

// TestListEntryLengths pushes and pops elements around the lengths where
// the entry encoding changes (one-byte lengths end at 127) and past the node
// size, from both ends, with default and small nodes.
func TestListEntryLengths(t *testing.T) {
	lengths := []int{0, 1, 126, 127, 128, 129, 4095, 4096, 4097, 70000}
	for _, nodeMax := range []int{listNodeMax, 24} {
		smallNodes(t, nodeMax)
		var want []string
		l := NewList()
		for i, n := range lengths {
			v := strings.Repeat(string(rune('a'+i)), n)
			l.PushBack(v)
			l.PushFront(v)
			want = append([]string{v}, append(want, v)...)
		}
		checkList(t, l)
		if got := contents(l); !slices.Equal(got, want) {
			t.Fatalf("nodes of %d: contents differ after pushes", nodeMax)
		}
		for i := range want {
			if got, _ := l.Index(i); got != want[i] {
				t.Fatalf("nodes of %d: Index(%d) has %d bytes, want %d", nodeMax, i, len(got), len(want[i]))
			}
		}
		for len(want) > 0 {
			f, _ := l.PopFront()
			b, _ := l.PopBack()
			if f != want[0] || b != want[len(want)-1] {
				t.Fatalf("nodes of %d: popped %d and %d bytes, want %d and %d", nodeMax, len(f), len(b), len(want[0]), len(want[len(want)-1]))
			}
			want = want[1 : len(want)-1]
			checkList(t, l)
		}
	}
}
