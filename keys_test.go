package kevy

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRenameCopy(t *testing.T) {
	for _, shards := range []int{1, 4} {
		t.Run(fmt.Sprint(shards, " shards"), func(t *testing.T) {
			s, _ := openClock(t, shards)
			str, in := must[string](t), must[int](t)
			ok := must[bool](t)
			// Enough key pairs that some cross shards.
			for i := 0; i < 20; i++ {
				src, dst := fmt.Sprint("src", i), fmt.Sprint("dst", i)
				in(s.HSet(src, "f", "v"))
				ok(s.Expire(src, time.Hour))
				if err := s.Rename(src, dst); err != nil {
					t.Fatal(err)
				}
				if n := in(s.Exists(src, dst)); n != 1 {
					t.Fatalf("after Rename, %d of src, dst exist", n)
				}
				if v := str(s.HGet(dst, "f")); v != "v" {
					t.Fatalf("HGet(%s) = %q", dst, v)
				}
				if ms := must[int64](t)(s.PTTL(dst)); ms != time.Hour.Milliseconds() {
					t.Fatalf("TTL not moved: %d", ms)
				}
				// Copy back, then make sure the copy is deep.
				if !ok(s.Copy(dst, src, false)) {
					t.Fatal("Copy refused")
				}
				if ok(s.Copy(dst, src, false)) {
					t.Fatal("Copy over an existing key without replace")
				}
				in(s.HSet(src, "f", "changed"))
				if v := str(s.HGet(dst, "f")); v != "v" {
					t.Fatalf("Copy shares the hash: %q", v)
				}
				if !ok(s.Copy(dst, src, true)) {
					t.Fatal("Copy with replace refused")
				}
				if v := str(s.HGet(src, "f")); v != "v" {
					t.Fatalf("Copy replace: %q", v)
				}
				if ok(s.RenameNX(src, dst)) {
					t.Fatal("RenameNX over an existing key")
				}
			}
			if err := s.Rename("missing", "x"); !errors.Is(err, ErrNoSuchKey) {
				t.Fatalf("Rename missing: %v", err)
			}
			if _, err := s.RenameNX("missing", "x"); !errors.Is(err, ErrNoSuchKey) {
				t.Fatalf("RenameNX missing: %v", err)
			}
			if _, err := s.Copy("src0", "src0", false); err == nil || !strings.Contains(err.Error(), "same") {
				t.Fatalf("Copy onto itself: %v", err)
			}
			if ok(s.Copy("missing", "x", true)) {
				t.Fatal("Copy of a missing key")
			}
			if ok(s.RenameNX("src0", "fresh")) != true {
				t.Fatal("RenameNX to a fresh key")
			}
		})
	}
}

func TestScanKeys(t *testing.T) {
	for _, shards := range []int{1, 3, 8} {
		t.Run(fmt.Sprint(shards, " shards"), func(t *testing.T) {
			s, clk := openClock(t, shards)
			var want []string
			for i := 0; i < 500; i++ {
				k := fmt.Sprint("user:", i)
				if err := s.Set(k, "x"); err != nil {
					t.Fatal(err)
				}
				want = append(want, k)
				if err := s.Set(fmt.Sprint("other:", i), "y"); err != nil {
					t.Fatal(err)
				}
			}
			// An expired key is never returned.
			if err := s.Set("user:gone", "x"); err != nil {
				t.Fatal(err)
			}
			must[bool](t)(s.Expire("user:gone", time.Second))
			clk.Advance(2 * time.Second)
			slices.Sort(want)
			for _, count := range []int{0, 1, 7, 1000} {
				seen := map[string]bool{}
				calls := 0
				for cur := uint64(0); ; calls++ {
					keys, next, err := s.Scan(cur, "user:*", count)
					if err != nil {
						t.Fatal(err)
					}
					for _, k := range keys {
						seen[k] = true
					}
					if cur = next; cur == 0 {
						break
					}
				}
				got := make([]string, 0, len(seen))
				for k := range seen {
					got = append(got, k)
				}
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Fatalf("count %d: scan found %d keys, want %d", count, len(got), len(want))
				}
				if count == 1 && calls < 100 {
					t.Fatalf("count 1 took only %d calls", calls)
				}
			}
			var it []string
			for k := range s.ScanKeys("user:*") {
				it = append(it, k)
			}
			slices.Sort(it)
			it = slices.Compact(it)
			if !slices.Equal(it, want) {
				t.Fatalf("ScanKeys found %d keys, want %d", len(it), len(want))
			}
			for range s.ScanKeys("") {
				break // stopping early is fine
			}
		})
	}
}

func TestRandomKeyTouchExpireTime(t *testing.T) {
	s, clk := openClock(t, 4)
	if _, err := s.RandomKey(); !errors.Is(err, ErrNotFound) {
		t.Fatalf("RandomKey on an empty store: %v", err)
	}
	for i := 0; i < 10; i++ {
		if err := s.Set(fmt.Sprint("k", i), "v"); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	for i := 0; i < 500; i++ {
		seen[must[string](t)(s.RandomKey())] = true
	}
	if len(seen) < 5 {
		t.Fatalf("RandomKey returned only %d distinct keys", len(seen))
	}
	if n := must[int](t)(s.Touch("k1", "k1", "missing")); n != 2 {
		t.Fatalf("Touch = %d, want 2", n)
	}
	if at := must[time.Time](t)(s.ExpireTime("k1")); !at.IsZero() {
		t.Fatalf("ExpireTime without TTL = %v", at)
	}
	if _, err := s.ExpireTime("missing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("ExpireTime missing: %v", err)
	}
	deadline := clk.Now().Add(time.Minute)
	must[bool](t)(s.ExpireAt("k1", deadline))
	if at := must[time.Time](t)(s.ExpireTime("k1")); !at.Equal(deadline.Truncate(time.Millisecond)) {
		t.Fatalf("ExpireTime = %v, want %v", at, deadline)
	}
	// Only expired keys left: RandomKey finds none.
	for i := 0; i < 10; i++ {
		must[bool](t)(s.Expire(fmt.Sprint("k", i), time.Second))
	}
	clk.Advance(2 * time.Second)
	if k, err := s.RandomKey(); !errors.Is(err, ErrNotFound) {
		t.Fatalf("RandomKey with only expired keys = %q, %v", k, err)
	}
}

func TestDumpRestore(t *testing.T) {
	s, clk := openClock(t, 2)
	must[int](t)(s.HSet("h", "a", "1", "b", "2"))
	must[int](t)(s.RPush("l", "x", "y"))
	if err := s.Set("s", strings.Repeat("abc", 50)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key, check string
	}{
		{"h", "HGETALL"}, {"l", "LRANGE"}, {"s", "GET"},
	}
	for _, tc := range tests {
		p := must[string](t)(s.Dump(tc.key))
		if err := s.Restore(tc.key+"2", p, time.Minute, false); err != nil {
			t.Fatalf("Restore %s: %v", tc.key, err)
		}
		args := func(k string) []string {
			if tc.check == "LRANGE" {
				return []string{tc.check, k, "0", "-1"}
			}
			return []string{tc.check, k}
		}
		a, _ := s.Do(args(tc.key)...)
		b, _ := s.Do(args(tc.key + "2")...)
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Fatalf("%s: restored %v, want %v", tc.key, b, a)
		}
		if ms := must[int64](t)(s.PTTL(tc.key + "2")); ms != time.Minute.Milliseconds() {
			t.Fatalf("restored TTL %d", ms)
		}
		if err := s.Restore(tc.key+"2", p, 0, false); err == nil || !strings.HasPrefix(err.Error(), "BUSYKEY") {
			t.Fatalf("Restore over an existing key: %v", err)
		}
		if err := s.Restore(tc.key+"2", p, 0, true); err != nil {
			t.Fatalf("Restore with replace: %v", err)
		}
		if ms := must[int64](t)(s.PTTL(tc.key + "2")); ms != -1 {
			t.Fatalf("replaced key keeps TTL %d", ms)
		}
	}
	if _, err := s.Dump("missing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Dump missing: %v", err)
	}
	if err := s.Restore("x", "junk", 0, false); err == nil || err.Error() != "ERR DUMP payload version or checksum are wrong" {
		t.Fatalf("Restore junk: %v", err)
	}
	clk.Advance(time.Hour)
}

func TestKeysClosed(t *testing.T) {
	s := open(t, nil)
	s.Close()
	errs := []error{
		s.Rename("a", "b"),
		func() error { _, err := s.RenameNX("a", "b"); return err }(),
		func() error { _, err := s.Copy("a", "b", false); return err }(),
		func() error { _, _, err := s.Scan(0, "", 0); return err }(),
		func() error { _, err := s.RandomKey(); return err }(),
		func() error { _, err := s.Touch("a"); return err }(),
		func() error { _, err := s.ExpireTime("a"); return err }(),
		func() error { _, err := s.Dump("a"); return err }(),
		s.Restore("a", "", 0, false),
	}
	for i, err := range errs {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("call %d on a closed store: %v", i, err)
		}
	}
	for range s.ScanKeys("") {
		t.Fatal("ScanKeys on a closed store yielded a key")
	}
}

// TestKeysConcurrent runs cross-shard RENAME and COPY beside readers and
// keyless commands; the race detector and the final count check them.
func TestKeysConcurrent(t *testing.T) {
	s := open(t, &Options{Shards: 4})
	const n = 16
	for i := 0; i < n; i++ {
		if err := s.Set(fmt.Sprint("a", i), "v"); err != nil {
			t.Fatal(err)
		}
	}
	errs := make(chan error, 4)
	worker := func(fn func(i int) error) {
		go func() {
			var err error
			for i := 0; i < 2000 && err == nil; i++ {
				err = fn(i)
			}
			errs <- err
		}()
	}
	for w := 0; w < 2; w++ {
		worker(func(i int) error {
			k := i % n
			a, b := fmt.Sprint("a", k), fmt.Sprint("b", k)
			if err := s.Rename(a, b); err == nil {
				return s.Rename(b, a)
			} else if !errors.Is(err, ErrNoSuchKey) {
				return err
			}
			return nil
		})
	}
	worker(func(i int) error {
		_, err := s.Copy(fmt.Sprint("a", i%n), fmt.Sprint("c", i%n), true)
		if err == nil {
			_, err = s.Do("DUMP", fmt.Sprint("c", i%n))
		}
		return err
	})
	worker(func(i int) error {
		cmds := [][]string{{"SCAN", "0", "COUNT", "5"}, {"RANDOMKEY"}, {"INFO", "keyspace"}}
		if _, err := s.Do(cmds[i%3]...); err != nil {
			return err
		}
		_, err := s.Get(fmt.Sprint("a", i%n))
		if errors.Is(err, ErrNotFound) {
			err = nil
		}
		return err
	})
	for i := 0; i < 4; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	// Every a/b pair still holds exactly one key.
	for i := 0; i < n; i++ {
		if c := must[int](t)(s.Exists(fmt.Sprint("a", i), fmt.Sprint("b", i))); c != 1 {
			t.Fatalf("pair %d: %d keys", i, c)
		}
	}
}
