package kevy

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
)

func sortedCopy(xs []string) []string {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	return xs
}

func TestSetBasics(t *testing.T) {
	s := open(t, &Options{Shards: 4})
	mi := must[int](t)
	mb := must[bool](t)
	if n := mi(s.SAdd("nums", "5", "-3", "10", "5")); n != 3 {
		t.Fatalf("SAdd = %d, want 3", n)
	}
	// A small set of integers iterates in ascending order.
	if got := must[[]string](t)(s.SMembers("nums")); !slices.Equal(got, []string{"-3", "5", "10"}) {
		t.Errorf("SMembers of an intset = %q", got)
	}
	mi(s.SAdd("s", "a", "b", "c", "1"))
	for _, tc := range []struct {
		member string
		want   bool
	}{{"a", true}, {"1", true}, {"z", false}, {"01", false}} {
		if got := mb(s.SIsMember("s", tc.member)); got != tc.want {
			t.Errorf("SIsMember(%q) = %v, want %v", tc.member, got, tc.want)
		}
	}
	if got := must[[]bool](t)(s.SMIsMember("s", "a", "z", "c")); !slices.Equal(got, []bool{true, false, true}) {
		t.Errorf("SMIsMember = %v", got)
	}
	if got := must[[]bool](t)(s.SMIsMember("nokey", "a")); !slices.Equal(got, []bool{false}) {
		t.Errorf("SMIsMember on a missing key = %v", got)
	}
	if n := mi(s.SRem("s", "a", "x")); n != 1 {
		t.Errorf("SRem = %d, want 1", n)
	}
	if n := mi(s.SCard("s")); n != 3 {
		t.Errorf("SCard = %d, want 3", n)
	}

	// SMove between keys of (probably) different shards.
	for _, tc := range []struct {
		src, dst, member string
		want             bool
	}{
		{"s", "t", "b", true},
		{"s", "t", "b", false},
		{"nokey", "t", "b", false},
		{"s", "s", "c", true},
		{"s", "s", "zz", false},
	} {
		if got := mb(s.SMove(tc.src, tc.dst, tc.member)); got != tc.want {
			t.Errorf("SMove(%q, %q, %q) = %v, want %v", tc.src, tc.dst, tc.member, got, tc.want)
		}
	}
	if got := must[[]string](t)(s.SMembers("t")); !slices.Equal(got, []string{"b"}) {
		t.Errorf("SMembers(t) after SMove = %q", got)
	}

	if err := s.Set("str", "v"); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"SAdd":      errOf2(s.SAdd("str", "x")),
		"SMembers":  errOf2(s.SMembers("str")),
		"SInter":    errOf2(s.SInter("nokey", "str")),
		"SMove src": errOf2(s.SMove("str", "t", "b")),
		"SMove dst": errOf2(s.SMove("t", "str", "b")),
		"SPop":      errOf2(s.SPop("str")),
	} {
		if !errors.Is(err, ErrWrongType) {
			t.Errorf("%s on a string: %v, want ErrWrongType", name, err)
		}
	}
	if ok, err := s.SMove("nokey", "str", "b"); ok || err != nil {
		t.Errorf("SMove from a missing key to a string = %v, %v; want false, nil", ok, err)
	}
}

func TestSetAlgebra(t *testing.T) {
	s := open(t, &Options{Shards: 4})
	mi := must[int](t)
	mi(s.SAdd("a", "1", "2", "3", "x", "y"))
	mi(s.SAdd("b", "2", "3", "4", "y"))
	mi(s.SAdd("c", "3", "y", "z"))
	for _, tc := range []struct {
		name string
		got  func() ([]string, error)
		want []string
	}{
		{"SInter", func() ([]string, error) { return s.SInter("a", "b", "c") }, []string{"3", "y"}},
		{"SInter missing", func() ([]string, error) { return s.SInter("a", "nokey") }, nil},
		{"SUnion", func() ([]string, error) { return s.SUnion("a", "c", "nokey") }, []string{"1", "2", "3", "x", "y", "z"}},
		{"SDiff", func() ([]string, error) { return s.SDiff("a", "b", "c") }, []string{"1", "x"}},
		{"SDiff missing first", func() ([]string, error) { return s.SDiff("nokey", "a") }, nil},
	} {
		got, err := tc.got()
		if err != nil || !slices.Equal(sortedCopy(got), tc.want) {
			t.Errorf("%s = %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		name    string
		got     func() (int, error)
		want    int
		members []string
	}{
		{"SInterStore", func() (int, error) { return s.SInterStore("d", "a", "b") }, 3, []string{"2", "3", "y"}},
		{"SUnionStore", func() (int, error) { return s.SUnionStore("d", "d", "c") }, 4, []string{"2", "3", "y", "z"}},
		{"SDiffStore", func() (int, error) { return s.SDiffStore("d", "a", "d") }, 2, []string{"1", "x"}},
		{"SInterStore empty", func() (int, error) { return s.SInterStore("d", "a", "nokey") }, 0, nil},
	} {
		if n := mi(tc.got()); n != tc.want {
			t.Errorf("%s = %d, want %d", tc.name, n, tc.want)
		}
		if got := must[[]string](t)(s.SMembers("d")); !slices.Equal(sortedCopy(got), tc.members) {
			t.Errorf("after %s, d holds %q, want %q", tc.name, got, tc.members)
		}
	}
	for _, tc := range []struct{ limit, want int }{{0, 2}, {1, 1}, {5, 2}} {
		if n := mi(s.SInterCard(tc.limit, "a", "b", "c")); n != tc.want {
			t.Errorf("SInterCard(limit %d) = %d, want %d", tc.limit, n, tc.want)
		}
	}
	// The commands also run through Do across shards.
	for _, tc := range []struct {
		args []string
		want int64
	}{
		{[]string{"SINTERCARD", "3", "a", "b", "c", "LIMIT", "1"}, 1},
		{[]string{"SUNIONSTORE", "e", "a", "b", "c"}, 7},
		{[]string{"SMOVE", "e", "f", "z"}, 1},
	} {
		r, err := s.Do(tc.args...)
		if err != nil || r.Int != tc.want {
			t.Errorf("Do(%q) = %v, %v; want %d", tc.args, r, err, tc.want)
		}
	}
}

func TestSetRandom(t *testing.T) {
	s := open(t, nil)
	var ms []string
	for i := 0; i < 20; i++ {
		ms = append(ms, "m"+strconv.Itoa(i))
	}
	must[int](t)(s.SAdd("s", ms...))
	for _, tc := range []struct {
		count, n int
		distinct bool
	}{{0, 0, true}, {5, 5, true}, {50, 20, true}, {-30, 30, false}} {
		got := must[[]string](t)(s.SRandMemberN("s", tc.count))
		if len(got) != tc.n {
			t.Errorf("SRandMemberN(%d) returned %d members, want %d", tc.count, len(got), tc.n)
		}
		if tc.distinct && len(slices.Compact(sortedCopy(got))) != len(got) {
			t.Errorf("SRandMemberN(%d) repeated members: %q", tc.count, got)
		}
	}
	if _, err := s.SRandMember("nokey"); !errors.Is(err, ErrNotFound) {
		t.Errorf("SRandMember on a missing key: %v", err)
	}
	m := must[string](t)(s.SPop("s"))
	if ok := must[bool](t)(s.SIsMember("s", m)); ok {
		t.Errorf("SPop returned %q but it is still a member", m)
	}
	popped := must[[]string](t)(s.SPopN("s", 4))
	if len(popped) != 4 || must[int](t)(s.SCard("s")) != 15 {
		t.Errorf("SPopN(4) = %q, leaving %d", popped, must[int](t)(s.SCard("s")))
	}
	rest := must[[]string](t)(s.SPopN("s", 100))
	if len(rest) != 15 || must[int](t)(s.Exists("s")) != 0 {
		t.Errorf("SPopN(100) = %d members; the key should be gone", len(rest))
	}
	if _, err := s.SPopN("s", -1); err == nil {
		t.Error("SPopN with a negative count succeeded")
	}
	if _, err := s.SPop("s"); !errors.Is(err, ErrNotFound) {
		t.Errorf("SPop on a missing key: %v", err)
	}

	// SScan of a big set visits every member.
	ms = ms[:0]
	for i := 0; i < 1000; i++ {
		ms = append(ms, "x"+strconv.Itoa(i))
	}
	must[int](t)(s.SAdd("big", ms...))
	seen := map[string]bool{}
	for cur := uint64(0); ; {
		var got []string
		var err error
		got, cur, err = s.SScan("big", cur, "x1*", 20)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range got {
			seen[m] = true
		}
		if cur == 0 {
			break
		}
	}
	if len(seen) != 111 { // x1, x10-x19, x100-x199
		t.Errorf("SScan MATCH x1* found %d members, want 111", len(seen))
	}
}

// TestSetMoveConcurrent moves members between sets on different shards
// while readers intersect them: the total is conserved at every instant.
func TestSetMoveConcurrent(t *testing.T) {
	s := open(t, &Options{Shards: 8})
	const n = 200
	for i := 0; i < n; i++ {
		must[int](t)(s.SAdd("left", strconv.Itoa(i)))
	}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				m := strconv.Itoa((i*7 + w) % n)
				src, dst := "left", "right"
				if i%2 == 1 {
					src, dst = dst, src
				}
				if _, err := s.SMove(src, dst, m); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	errs := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 300; i++ {
			u, err := s.SUnion("left", "right")
			if err == nil && len(u) != n {
				err = fmt.Errorf("SUnion saw %d members, want %d", len(u), n)
			}
			if err != nil {
				errs <- err
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
}
