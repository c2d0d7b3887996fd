package kevy

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
)

func TestListBasics(t *testing.T) {
	s := open(t, &Options{Shards: 4})
	m := must[int](t)
	if n := m(s.RPush("l", "a", "b", "c")); n != 3 {
		t.Fatalf("RPush = %d, want 3", n)
	}
	if n := m(s.LPush("l", "y", "z")); n != 5 {
		t.Fatalf("LPush = %d, want 5", n)
	}
	if n := m(s.LPushX("nope", "x")); n != 0 {
		t.Fatalf("LPushX on a missing key = %d, want 0", n)
	}
	if n := m(s.RPushX("l", "d")); n != 6 {
		t.Fatalf("RPushX = %d, want 6", n)
	}
	want := []string{"z", "y", "a", "b", "c", "d"}
	if got := must[[]string](t)(s.LRange("l", 0, -1)); !slices.Equal(got, want) {
		t.Fatalf("LRange = %q, want %q", got, want)
	}

	for _, tc := range []struct {
		index int
		want  string
		err   error
	}{
		{0, "z", nil},
		{-1, "d", nil},
		{5, "d", nil},
		{6, "", ErrNotFound},
		{-7, "", ErrNotFound},
	} {
		got, err := s.LIndex("l", tc.index)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("LIndex(%d) = %q, %v; want %q, %v", tc.index, got, err, tc.want, tc.err)
		}
	}
	if _, err := s.LIndex("nope", 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("LIndex on a missing key: %v, want ErrNotFound", err)
	}

	if err := s.LSet("l", -1, "D"); err != nil {
		t.Fatal(err)
	}
	if err := s.LSet("l", 6, "x"); err == nil || err.Error() != "ERR index out of range" {
		t.Errorf("LSet out of range: %v", err)
	}
	if err := s.LSet("nope", 0, "x"); !errors.Is(err, ErrNoSuchKey) {
		t.Errorf("LSet on a missing key: %v, want ErrNoSuchKey", err)
	}

	for _, tc := range []struct {
		start, stop int
		want        []string
	}{
		{0, 1, []string{"z", "y"}},
		{-2, -1, []string{"c", "D"}},
		{-100, 0, []string{"z"}},
		{4, 100, []string{"c", "D"}},
		{3, 2, nil},
		{6, 10, nil},
	} {
		got := must[[]string](t)(s.LRange("l", tc.start, tc.stop))
		if !slices.Equal(got, tc.want) {
			t.Errorf("LRange(%d, %d) = %q, want %q", tc.start, tc.stop, got, tc.want)
		}
	}

	if err := s.LTrim("l", 1, -2); err != nil {
		t.Fatal(err)
	}
	want = []string{"y", "a", "b", "c"}
	if got := must[[]string](t)(s.LRange("l", 0, -1)); !slices.Equal(got, want) {
		t.Fatalf("after LTrim: %q, want %q", got, want)
	}
	if err := s.LTrim("l", 5, 1); err != nil {
		t.Fatal(err)
	}
	if n := m(s.Exists("l")); n != 0 {
		t.Fatal("a list trimmed to nothing still exists")
	}
}

func TestListEdit(t *testing.T) {
	s := open(t, nil)
	m := must[int](t)
	m(s.RPush("l", "a", "b", "a", "c", "a"))
	for _, tc := range []struct {
		before     bool
		pivot, val string
		want       int
	}{
		{true, "a", "x", 6},
		{false, "c", "y", 7},
		{true, "nope", "z", -1},
	} {
		var n int
		var err error
		if tc.before {
			n, err = s.LInsertBefore("l", tc.pivot, tc.val)
		} else {
			n, err = s.LInsertAfter("l", tc.pivot, tc.val)
		}
		if err != nil || n != tc.want {
			t.Errorf("LInsert(%v, %q, %q) = %d, %v; want %d", tc.before, tc.pivot, tc.val, n, err, tc.want)
		}
	}
	if n := m(s.LInsertBefore("nope", "a", "b")); n != 0 {
		t.Errorf("LInsertBefore on a missing key = %d, want 0", n)
	}
	want := []string{"x", "a", "b", "a", "c", "y", "a"}
	if got := must[[]string](t)(s.LRange("l", 0, -1)); !slices.Equal(got, want) {
		t.Fatalf("after LInsert: %q, want %q", got, want)
	}

	for _, tc := range []struct {
		elem  string
		count int
		args  LPosArgs
		want  []int
	}{
		{"a", 0, LPosArgs{}, []int{1, 3, 6}},
		{"a", 2, LPosArgs{}, []int{1, 3}},
		{"a", 0, LPosArgs{Rank: -1}, []int{6, 3, 1}},
		{"a", 0, LPosArgs{Rank: 2}, []int{3, 6}},
		{"a", 0, LPosArgs{MaxLen: 4}, []int{1, 3}},
		{"nope", 0, LPosArgs{}, nil},
	} {
		got := must[[]int](t)(s.LPosN("l", tc.elem, tc.count, tc.args))
		if !slices.Equal(got, tc.want) {
			t.Errorf("LPosN(%q, %d, %+v) = %v, want %v", tc.elem, tc.count, tc.args, got, tc.want)
		}
	}
	if i := m(s.LPos("l", "a", LPosArgs{Rank: -2})); i != 3 {
		t.Errorf("LPos rank -2 = %d, want 3", i)
	}
	if _, err := s.LPos("l", "nope", LPosArgs{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("LPos of an absent element: %v, want ErrNotFound", err)
	}

	for _, tc := range []struct {
		count int
		val   string
		want  int
		left  []string
	}{
		{1, "a", 1, []string{"x", "b", "a", "c", "y", "a"}},
		{-1, "a", 1, []string{"x", "b", "a", "c", "y"}},
		{0, "nope", 0, []string{"x", "b", "a", "c", "y"}},
		{0, "a", 1, []string{"x", "b", "c", "y"}},
	} {
		if n := m(s.LRem("l", tc.count, tc.val)); n != tc.want {
			t.Errorf("LRem(%d, %q) = %d, want %d", tc.count, tc.val, n, tc.want)
		}
		if got := must[[]string](t)(s.LRange("l", 0, -1)); !slices.Equal(got, tc.left) {
			t.Errorf("after LRem(%d, %q): %q, want %q", tc.count, tc.val, got, tc.left)
		}
	}
}

func TestListPop(t *testing.T) {
	s := open(t, nil)
	must[int](t)(s.RPush("l", "a", "b", "c", "d"))
	if got := must[[]string](t)(s.LPop("l", 1)); !slices.Equal(got, []string{"a"}) {
		t.Errorf("LPop 1 = %q", got)
	}
	if got := must[[]string](t)(s.RPop("l", 2)); !slices.Equal(got, []string{"d", "c"}) {
		t.Errorf("RPop 2 = %q", got)
	}
	if got := must[[]string](t)(s.LPop("l", 5)); !slices.Equal(got, []string{"b"}) {
		t.Errorf("LPop 5 = %q", got)
	}
	if _, err := s.LPop("l", 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("LPop of an emptied list: %v, want ErrNotFound", err)
	}
	if _, err := s.LPop("l", -1); err == nil {
		t.Error("LPop with a negative count: no error")
	}
	s.Set("str", "v")
	if _, err := s.LPop("str", 1); !errors.Is(err, ErrWrongType) {
		t.Errorf("LPop of a string: %v, want ErrWrongType", err)
	}
}

// TestListMove runs LMove, RPopLPush and LMPop on keys spread over shards.
func TestListMove(t *testing.T) {
	s := open(t, &Options{Shards: 8})
	m := must[int](t)
	var keys []string
	for i := 0; len(keys) < 3; i++ { // three keys on three different shards
		k := fmt.Sprint("key", i)
		if !slices.ContainsFunc(keys, func(o string) bool { return shardOf(s, o) == shardOf(s, k) }) {
			keys = append(keys, k)
		}
	}
	src, dst, other := keys[0], keys[1], keys[2]
	m(s.RPush(src, "1", "2", "3"))

	for _, tc := range []struct {
		from, to End
		want     string
	}{
		{Left, Right, "1"},
		{Right, Left, "3"},
	} {
		if v := must[string](t)(s.LMove(src, dst, tc.from, tc.to)); v != tc.want {
			t.Errorf("LMove %v %v = %q, want %q", tc.from, tc.to, v, tc.want)
		}
	}
	if v := must[string](t)(s.RPopLPush(src, dst)); v != "2" {
		t.Errorf("RPopLPush = %q, want 2", v)
	}
	if n := m(s.Exists(src)); n != 0 {
		t.Error("the emptied source still exists")
	}
	want := []string{"2", "3", "1"}
	if got := must[[]string](t)(s.LRange(dst, 0, -1)); !slices.Equal(got, want) {
		t.Errorf("destination = %q, want %q", got, want)
	}
	if _, err := s.LMove(src, dst, Left, Left); !errors.Is(err, ErrNotFound) {
		t.Errorf("LMove from a missing key: %v, want ErrNotFound", err)
	}
	// Rotation onto the same key.
	if v := must[string](t)(s.LMove(dst, dst, Left, Right)); v != "2" {
		t.Errorf("rotation = %q", v)
	}
	want = []string{"3", "1", "2"}
	if got := must[[]string](t)(s.LRange(dst, 0, -1)); !slices.Equal(got, want) {
		t.Errorf("after rotation = %q, want %q", got, want)
	}
	// A destination of another type: nothing moves.
	s.Set(other, "x")
	if _, err := s.LMove(dst, other, Left, Left); !errors.Is(err, ErrWrongType) {
		t.Errorf("LMove to a string: %v, want ErrWrongType", err)
	}
	if n := m(s.LLen(dst)); n != 3 {
		t.Errorf("source length after a refused move = %d, want 3", n)
	}

	key, vals, err := s.LMPop(Right, 2, src, dst, other)
	if err != nil || key != dst || !slices.Equal(vals, []string{"2", "1"}) {
		t.Errorf("LMPop = %q, %q, %v; want %q, [2 1]", key, vals, err, dst)
	}
	if _, _, err := s.LMPop(Left, 1, src, other, dst); !errors.Is(err, ErrWrongType) {
		t.Errorf("LMPop meeting a string first: %v, want ErrWrongType", err)
	}
	if _, _, err := s.LMPop(Left, 1, src, "missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("LMPop of missing keys: %v, want ErrNotFound", err)
	}
	if _, _, err := s.LMPop(Left, 0, dst); err == nil {
		t.Error("LMPop with count 0: no error")
	}
}

func shardOf(s *Store, key string) int { return s.en.ShardOf(key).Index() }

// TestListMoveConcurrent moves elements between lists on different shards
// from many goroutines, through the typed methods and Do; no element may be
// lost or duplicated.
func TestListMoveConcurrent(t *testing.T) {
	s := open(t, &Options{Shards: 4})
	keys := []string{"a", "b", "c", "d", "e", "f"}
	const total = 200
	for i := 0; i < total; i++ {
		must[int](t)(s.RPush(keys[i%len(keys)], fmt.Sprint(i)))
	}
	var wg sync.WaitGroup
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				src, dst := keys[(g+i)%len(keys)], keys[(g*7+i*3)%len(keys)]
				var err error
				switch i % 4 {
				case 0:
					_, err = s.LMove(src, dst, Left, Right)
				case 1:
					_, err = s.RPopLPush(src, dst)
				case 2:
					var vals []string
					if _, vals, err = s.LMPop(Right, 2, src, dst); err == nil {
						_, err = s.LPush(dst, vals...)
					}
				default:
					_, err = s.Do("LMOVE", src, dst, "RIGHT", "RIGHT")
				}
				if err != nil && !errors.Is(err, ErrNotFound) {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, k := range keys {
		for _, v := range must[[]string](t)(s.LRange(k, 0, -1)) {
			if seen[v] {
				t.Fatalf("element %s twice", v)
			}
			seen[v] = true
		}
	}
	if len(seen) != total {
		t.Fatalf("%d elements after the moves, want %d", len(seen), total)
	}
	var sum int64
	for _, k := range keys {
		if n, err := s.MemoryUsage(k); err == nil {
			sum += n
		}
	}
	if used := s.UsedMemory(); used != sum {
		t.Errorf("UsedMemory = %d, want the sum of the keys %d", used, sum)
	}
}
