package kevy

import (
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestHashBasics(t *testing.T) {
	s := open(t, &Options{Shards: 4})
	mi := must[int](t)
	if n := mi(s.HSet("h", "name", "Ada", "lang", "go", "year", "1815")); n != 3 {
		t.Fatalf("HSet = %d, want 3", n)
	}
	if n := mi(s.HSet("h", "lang", "Go", "email", "")); n != 1 {
		t.Fatalf("HSet update = %d, want 1", n)
	}
	if _, err := s.HSet("h", "odd"); err == nil {
		t.Fatal("HSet with an odd number of arguments succeeded")
	}
	if ok := must[bool](t)(s.HSetNX("h", "name", "Grace")); ok {
		t.Fatal("HSetNX on an existing field returned true")
	}
	if ok := must[bool](t)(s.HSetNX("h", "city", "London")); !ok {
		t.Fatal("HSetNX on a new field returned false")
	}

	for _, tc := range []struct {
		key, field, want string
		err              error
	}{
		{"h", "name", "Ada", nil},
		{"h", "email", "", nil},
		{"h", "nofield", "", ErrNotFound},
		{"nokey", "name", "", ErrNotFound},
	} {
		got, err := s.HGet(tc.key, tc.field)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("HGet(%q, %q) = %q, %v; want %q, %v", tc.key, tc.field, got, err, tc.want, tc.err)
		}
	}

	wantKeys := []string{"name", "lang", "year", "email", "city"} // insertion order
	if got := must[[]string](t)(s.HKeys("h")); !slices.Equal(got, wantKeys) {
		t.Errorf("HKeys = %q, want %q", got, wantKeys)
	}
	if got := must[[]string](t)(s.HVals("h")); !slices.Equal(got, []string{"Ada", "Go", "1815", "", "London"}) {
		t.Errorf("HVals = %q", got)
	}
	all := must[map[string]string](t)(s.HGetAll("h"))
	if want := map[string]string{"name": "Ada", "lang": "Go", "year": "1815", "email": "", "city": "London"}; !maps.Equal(all, want) {
		t.Errorf("HGetAll = %v, want %v", all, want)
	}
	got := must[map[string]string](t)(s.HMGet("h", "name", "nofield", "email"))
	if want := map[string]string{"name": "Ada", "email": ""}; !maps.Equal(got, want) {
		t.Errorf("HMGet = %v, want %v", got, want)
	}
	if got := must[map[string]string](t)(s.HMGet("nokey", "a")); len(got) != 0 {
		t.Errorf("HMGet on a missing key = %v", got)
	}

	for _, tc := range []struct {
		name string
		got  func() (int, error)
		want int
	}{
		{"HLen", func() (int, error) { return s.HLen("h") }, 5},
		{"HLen missing", func() (int, error) { return s.HLen("nokey") }, 0},
		{"HStrLen", func() (int, error) { return s.HStrLen("h", "name") }, 3},
		{"HStrLen missing field", func() (int, error) { return s.HStrLen("h", "nofield") }, 0},
		{"HDel", func() (int, error) { return s.HDel("h", "lang", "nofield", "lang") }, 1},
		{"HLen after HDel", func() (int, error) { return s.HLen("h") }, 4},
	} {
		if n := mi(tc.got()); n != tc.want {
			t.Errorf("%s = %d, want %d", tc.name, n, tc.want)
		}
	}
	if ok := must[bool](t)(s.HExists("h", "email")); !ok {
		t.Error("HExists(email) = false")
	}
	if ok := must[bool](t)(s.HExists("h", "lang")); ok {
		t.Error("HExists(lang) after HDel = true")
	}

	// An emptied hash is deleted.
	mi(s.HSet("tmp", "f", "v"))
	mi(s.HDel("tmp", "f"))
	if n := mi(s.Exists("tmp")); n != 0 {
		t.Error("an emptied hash still exists")
	}

	// Wrong type.
	if err := s.Set("str", "v"); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"HSet":    errOf2(s.HSet("str", "f", "v")),
		"HGet":    errOf2(s.HGet("str", "f")),
		"HGetAll": errOf2(s.HGetAll("str")),
		"HDel":    errOf2(s.HDel("str", "f")),
		"HIncrBy": errOf2(s.HIncrBy("str", "f", 1)),
	} {
		if !errors.Is(err, ErrWrongType) {
			t.Errorf("%s on a string: %v, want ErrWrongType", name, err)
		}
	}
}

// errOf2 returns the error of a two-result call.
func errOf2[T any](_ T, err error) error { return err }

func TestHashIncr(t *testing.T) {
	s := open(t, nil)
	for _, tc := range []struct {
		field string
		delta int64
		want  int64
		err   string
	}{
		{"n", 5, 5, ""},
		{"n", -7, -2, ""},
		{"max", 9223372036854775807, 9223372036854775807, ""},
		{"max", 1, 0, "ERR increment or decrement would overflow"},
		{"s", 1, 0, "ERR hash value is not an integer"},
	} {
		if tc.field == "s" {
			must[int](t)(s.HSet("c", "s", "abc"))
		}
		got, err := s.HIncrBy("c", tc.field, tc.delta)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("HIncrBy(%q, %d): %v, want %q", tc.field, tc.delta, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("HIncrBy(%q, %d) = %d, %v; want %d", tc.field, tc.delta, got, err, tc.want)
		}
	}

	for _, tc := range []struct {
		incr   float64
		want   float64
		stored string
	}{
		{0.1, 0.1, "0.1"},
		{0.2, 0.3, "0.3"}, // long-double arithmetic: no 0.30000000000000004
		{-0.3, 0, "0"},
		{1e3, 1000, "1000"},
	} {
		got, err := s.HIncrByFloat("c", "f", tc.incr)
		if err != nil || got != tc.want {
			t.Errorf("HIncrByFloat(%v) = %v, %v; want %v", tc.incr, got, err, tc.want)
		}
		if v := must[string](t)(s.HGet("c", "f")); v != tc.stored {
			t.Errorf("after HIncrByFloat(%v) the field holds %q, want %q", tc.incr, v, tc.stored)
		}
	}
	if _, err := s.HIncrByFloat("c", "s", 1); err == nil || err.Error() != "ERR hash value is not a float" {
		t.Errorf("HIncrByFloat on text: %v", err)
	}
}

func TestHashRandAndScan(t *testing.T) {
	s := open(t, nil)
	fv := []string{}
	for i := 0; i < 5; i++ {
		fv = append(fv, "f"+strconv.Itoa(i), strconv.Itoa(i))
	}
	must[int](t)(s.HSet("h", fv...))
	for _, tc := range []struct {
		count, n int
		distinct bool
	}{
		{0, 0, true},
		{3, 3, true},
		{10, 5, true},
		{-8, 8, false},
	} {
		got := must[[]string](t)(s.HRandField("h", tc.count))
		if len(got) != tc.n {
			t.Errorf("HRandField(%d) returned %d fields, want %d", tc.count, len(got), tc.n)
		}
		for _, f := range got {
			if !strings.HasPrefix(f, "f") {
				t.Errorf("HRandField(%d) returned %q", tc.count, f)
			}
		}
		if tc.distinct && len(slices.Compact(slices.Sorted(slices.Values(got)))) != len(got) {
			t.Errorf("HRandField(%d) repeated fields: %q", tc.count, got)
		}
	}
	if got := must[[]string](t)(s.HRandField("nokey", -3)); len(got) != 0 {
		t.Errorf("HRandField on a missing key = %q", got)
	}

	// A small hash scans whole, in order; a big one over several calls.
	kv, next, err := s.HScan("h", 0, "f[13]", 0)
	if err != nil || next != 0 || !slices.Equal(kv, []string{"f1", "1", "f3", "3"}) {
		t.Errorf("HScan small = %q, %d, %v", kv, next, err)
	}
	fv = fv[:0]
	for i := 0; i < 1000; i++ {
		fv = append(fv, "g"+strconv.Itoa(i), strconv.Itoa(i))
	}
	must[int](t)(s.HSet("big", fv...))
	seen := map[string]string{}
	calls := 0
	for cur := uint64(0); ; calls++ {
		kv, cur, err = s.HScan("big", cur, "", 50)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(kv); i += 2 {
			seen[kv[i]] = kv[i+1]
		}
		if cur == 0 {
			break
		}
	}
	if len(seen) != 1000 || seen["g7"] != "7" || calls < 5 {
		t.Errorf("HScan big: %d fields in %d calls", len(seen), calls)
	}
}
