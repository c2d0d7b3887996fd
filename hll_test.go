package kevy

import (
	"errors"
	"strconv"
	"testing"
	"time"
)

func TestHyperLogLog(t *testing.T) {
	s := open(t, &Options{Shards: 4})
	mb := must[bool](t)
	m64 := must[int64](t)

	if !mb(s.PFAdd("h")) {
		t.Error("PFAdd creating a key = false, want true")
	}
	if mb(s.PFAdd("h")) {
		t.Error("PFAdd of nothing to an existing key = true")
	}
	if !mb(s.PFAdd("h", "a", "b", "c")) {
		t.Error("PFAdd of new elements = false")
	}
	if mb(s.PFAdd("h", "a", "b")) {
		t.Error("PFAdd of known elements = true")
	}
	for i := 0; i < 1000; i++ {
		if _, err := s.PFAdd("big", "e"+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		keys   []string
		lo, hi int64
	}{
		{[]string{"h"}, 3, 3},
		{[]string{"missing"}, 0, 0},
		{[]string{"h", "missing"}, 3, 3},
		{[]string{"big"}, 980, 1020},
		{[]string{"big", "h"}, 980, 1025},
	} {
		if n := m64(s.PFCount(tc.keys...)); n < tc.lo || n > tc.hi {
			t.Errorf("PFCount(%q) = %d, want %d..%d", tc.keys, n, tc.lo, tc.hi)
		}
	}
	// The value is Redis's HyperLogLog string, with the cached count.
	v := must[string](t)(s.Get("h"))
	if len(v) < 16 || v[:4] != "HYLL" || v[8] != 3 || v[15]&0x80 != 0 {
		t.Errorf("PFCount did not cache a fresh count in %q", v)
	}

	if err := s.PFMerge("u", "h", "big", "missing"); err != nil {
		t.Fatal(err)
	}
	if n := m64(s.PFCount("u")); n < 980 || n > 1025 {
		t.Errorf("PFCount after PFMerge = %d", n)
	}

	// Errors.
	if err := s.Set("str", "not an hll"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RPush("list", "x"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		err  error
		want error
	}{
		{"PFAdd string", second(s.PFAdd("str", "x")), ErrNotHLL},
		{"PFCount string", second(s.PFCount("str")), ErrNotHLL},
		{"PFCount union string", second(s.PFCount("h", "str")), ErrNotHLL},
		{"PFMerge string", s.PFMerge("u", "str"), ErrNotHLL},
		{"PFAdd list", second(s.PFAdd("list", "x")), ErrWrongType},
		{"PFCount list", second(s.PFCount("h", "list")), ErrWrongType},
		{"PFMerge list", s.PFMerge("list", "h"), ErrWrongType},
		{"PFCount corrupt", func() error {
			s.Set("bad", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x80")
			return second(s.PFCount("bad"))
		}(), ErrCorruptHLL},
	} {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, tc.err, tc.want)
		}
	}
	if ErrNotHLL.Error() != "WRONGTYPE Key is not a valid HyperLogLog string value." {
		t.Errorf("ErrNotHLL text %q", ErrNotHLL)
	}
}

func TestHyperLogLogKeepsTTL(t *testing.T) {
	s, _ := openClock(t, 1)
	if _, err := s.PFAdd("h", "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Expire("h", time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PFAdd("h", "b"); err != nil {
		t.Fatal(err)
	}
	if err := s.PFMerge("h", "h"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PFCount("h"); err != nil {
		t.Fatal(err)
	}
	if ttl := must[int64](t)(s.TTL("h")); ttl <= 0 {
		t.Errorf("TTL = %d, want it kept", ttl)
	}
}

// TestHyperLogLogDo runs the commands through Store.Do and inside a With
// block, where PFCOUNT uses the locks the block holds.
func TestHyperLogLogDo(t *testing.T) {
	s := open(t, &Options{Shards: 1})
	for _, args := range [][]string{{"PFADD", "h", "a", "b"}, {"PFADD", "h2", "c"}} {
		if _, err := s.Do(args...); err != nil {
			t.Fatal(err)
		}
	}
	err := s.With(0, func(tx *Tx) error {
		for _, tc := range []struct {
			args []string
			want int64
		}{
			{[]string{"PFCOUNT", "h"}, 2},
			{[]string{"PFCOUNT", "h", "h2"}, 3},
			{[]string{"PFADD", "h", "d"}, 1},
			{[]string{"PFCOUNT", "h"}, 3},
		} {
			r, err := tx.Do(tc.args...)
			if err != nil {
				return err
			}
			if n, err := r.Int64(); err != nil || n != tc.want {
				t.Errorf("%q = %v, %v; want %d", tc.args, n, err, tc.want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := s.Do("PFMERGE", "u", "h", "h2"); err != nil || r.String() != "OK" {
		t.Errorf("PFMERGE = %v, %v", r, err)
	}
	if n := must[int64](t)(s.PFCount("u")); n != 4 {
		t.Errorf("PFCount(u) = %d, want 4", n)
	}
}
