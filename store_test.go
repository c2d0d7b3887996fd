package kevy

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

func TestSetGet(t *testing.T) {
	s := open(t, nil)
	tests := []struct{ key, val string }{
		{"k", "v"},
		{"", "empty key"},
		{"binary\x00key", "binary\x00\xffvalue"},
		{"empty-value", ""},
		{"k", "overwritten"},
	}
	for _, tt := range tests {
		if err := s.Set(tt.key, tt.val); err != nil {
			t.Fatalf("Set(%q): %v", tt.key, err)
		}
		if got, err := s.Get(tt.key); err != nil || got != tt.val {
			t.Errorf("Get(%q) = %q, %v; want %q", tt.key, got, err, tt.val)
		}
	}
	if _, err := s.Get("missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(missing) error = %v, want ErrNotFound", err)
	}
}

func TestWrongType(t *testing.T) {
	s := open(t, nil)
	must[int](t)(s.HSet("h", "f", "v"))
	must[int](t)(s.RPush("l", "a"))
	s.Set("str", "x")
	const want = "WRONGTYPE Operation against a key holding the wrong kind of value"
	calls := []struct {
		name string
		err  error
	}{
		{"Get(hash)", second(s.Get("h"))},
		{"Incr(list)", second(s.Incr("l"))},
		{"HSet(string)", second(s.HSet("str", "f", "v"))},
		{"HGet(list)", second(s.HGet("l", "f"))},
		{"HDel(string)", second(s.HDel("str", "f"))},
		{"LPush(hash)", second(s.LPush("h", "a"))},
		{"LPop(string)", second(s.LPop("str", 1))},
		{"LLen(hash)", second(s.LLen("h"))},
		{"SAdd(string)", second(s.SAdd("str", "m"))},
		{"SMembers(list)", second(s.SMembers("l"))},
		{"SCard(hash)", second(s.SCard("h"))},
		{"SRem(list)", second(s.SRem("l", "a"))},
		{"ZAdd(string)", second(s.ZAdd("str", Z{1, "a"}))},
		{"ZScore(hash)", second(s.ZScore("h", "a"))},
		{"ZCard(list)", second(s.ZCard("l"))},
		{"ZRem(string)", second(s.ZRem("str", "a"))},
	}
	for _, c := range calls {
		if !errors.Is(c.err, ErrWrongType) || c.err.Error() != want {
			t.Errorf("%s error = %v, want %q", c.name, c.err, want)
		}
	}
	// A wrong-type access changes nothing.
	if v, _ := s.HGet("h", "f"); v != "v" {
		t.Errorf("HGet(h, f) = %q after failed calls, want %q", v, "v")
	}
}

func second[T any](_ T, err error) error { return err }

func TestIncr(t *testing.T) {
	s := open(t, nil)
	if n, err := s.Incr("c"); n != 1 || err != nil {
		t.Errorf("Incr(new) = %d, %v; want 1", n, err)
	}
	if n, err := s.IncrBy("c", -11); n != -10 || err != nil {
		t.Errorf("IncrBy(c, -11) = %d, %v; want -10", n, err)
	}
	if v, _ := s.Get("c"); v != "-10" {
		t.Errorf("Get(c) = %q, want -10", v)
	}
	bad := []string{"abc", "1.5", " 1", "1 ", "+1", "01", "", "99999999999999999999", "-0"}
	for _, v := range bad {
		s.Set("b", v)
		_, err := s.Incr("b")
		if !errors.Is(err, ErrNotInteger) || err.Error() != "ERR value is not an integer or out of range" {
			t.Errorf("Incr(%q) error = %v, want ErrNotInteger", v, err)
		}
		if got, _ := s.Get("b"); got != v {
			t.Errorf("after failed Incr, Get = %q, want %q", got, v)
		}
	}
	s.Set("max", strconv.FormatInt(math.MaxInt64, 10))
	if _, err := s.Incr("max"); !errors.Is(err, ErrOverflow) || err.Error() != "ERR increment or decrement would overflow" {
		t.Errorf("Incr(MaxInt64) error = %v, want ErrOverflow", err)
	}
	s.Set("min", strconv.FormatInt(math.MinInt64, 10))
	if _, err := s.IncrBy("min", -1); !errors.Is(err, ErrOverflow) {
		t.Errorf("IncrBy(MinInt64, -1) error = %v, want ErrOverflow", err)
	}
}

func TestIncrKeepsTTL(t *testing.T) {
	s, _ := openClock(t, 1)
	s.SetWithTTL("c", "1", time.Minute)
	s.Incr("c")
	if ms, _ := s.PTTL("c"); ms != 60000 {
		t.Errorf("PTTL after Incr = %d, want 60000 (INCR keeps the TTL)", ms)
	}
}

func TestTTL(t *testing.T) {
	s, clk := openClock(t, 1)
	if err := s.SetWithTTL("k", "v", 1500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		advance time.Duration
		pttl    int64
		ttl     int64
		present bool
	}{
		{0, 1500, 2, true},
		{500 * time.Millisecond, 1000, 1, true},
		{1000 * time.Millisecond, 0, 0, true}, // at the deadline: Redis expires when now > deadline
		{time.Millisecond, -2, -2, false},
	}
	for i, c := range checks {
		clk.Advance(c.advance)
		if got, _ := s.PTTL("k"); got != c.pttl {
			t.Errorf("step %d: PTTL = %d, want %d", i, got, c.pttl)
		}
		if got, _ := s.TTL("k"); got != c.ttl {
			t.Errorf("step %d: TTL = %d, want %d", i, got, c.ttl)
		}
		_, err := s.Get("k")
		if present := err == nil; present != c.present {
			t.Errorf("step %d: Get error = %v, want present=%v", i, err, c.present)
		}
	}
	if ms, _ := s.PTTL("missing"); ms != -2 {
		t.Errorf("PTTL(missing) = %d, want -2", ms)
	}
	s.Set("p", "v")
	if ms, _ := s.PTTL("p"); ms != -1 {
		t.Errorf("PTTL(no ttl) = %d, want -1", ms)
	}
}

func TestSetClearsTTL(t *testing.T) {
	s, clk := openClock(t, 1)
	s.SetWithTTL("k", "v", time.Second)
	s.Set("k", "v2")
	clk.Advance(time.Hour)
	if v, err := s.Get("k"); v != "v2" || err != nil {
		t.Errorf("Get after Set and an hour = %q, %v; want v2 (SET clears the TTL)", v, err)
	}
	if err := s.SetWithTTL("k", "v", 0); err == nil || err.Error() != "ERR invalid expire time in 'set' command" {
		t.Errorf("SetWithTTL(0) error = %v, want Redis's invalid expire time", err)
	}
}

func TestExpirePersist(t *testing.T) {
	s, clk := openClock(t, 1)
	if ok, _ := s.Expire("missing", time.Second); ok {
		t.Error("Expire(missing) = true, want false")
	}
	s.Set("k", "v")
	if ok, _ := s.Expire("k", 10*time.Second); !ok {
		t.Error("Expire(k) = false, want true")
	}
	if ok, _ := s.Persist("k"); !ok {
		t.Error("Persist(k) = false, want true")
	}
	if ok, _ := s.Persist("k"); ok {
		t.Error("second Persist(k) = true, want false")
	}
	clk.Advance(time.Minute)
	if _, err := s.Get("k"); err != nil {
		t.Errorf("Get after Persist: %v", err)
	}
	// A non-positive TTL deletes the key, as EXPIRE with a past time does.
	if ok, _ := s.Expire("k", -time.Second); !ok {
		t.Error("Expire(k, -1s) = false, want true")
	}
	if n, _ := s.Exists("k"); n != 0 {
		t.Errorf("Exists after negative Expire = %d, want 0", n)
	}
	s.Set("at", "v")
	s.ExpireAt("at", clk.Now().Add(2*time.Second))
	if ms, _ := s.PTTL("at"); ms != 2000 {
		t.Errorf("PTTL after ExpireAt(+2s) = %d, want 2000", ms)
	}
}

func TestDelExistsAcrossShards(t *testing.T) {
	s := open(t, &Options{Shards: 8})
	var keys []string
	for i := 0; i < 100; i++ {
		k := fmt.Sprintf("key:%d", i)
		keys = append(keys, k)
		s.Set(k, "v")
	}
	if n, _ := s.Exists(append(keys, "key:0", "nope")...); n != 101 {
		t.Errorf("Exists(100 keys + duplicate + missing) = %d, want 101 (duplicates count)", n)
	}
	if n, _ := s.Del(keys[:50]...); n != 50 {
		t.Errorf("Del(50) = %d, want 50", n)
	}
	if n, _ := s.Del(keys[:50]...); n != 0 {
		t.Errorf("Del(50 again) = %d, want 0", n)
	}
	if n, _ := s.DBSize(); n != 50 {
		t.Errorf("DBSize = %d, want 50", n)
	}
	if err := s.FlushAll(); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.DBSize(); n != 0 {
		t.Errorf("DBSize after FlushAll = %d, want 0", n)
	}
	if s.UsedMemory() != 0 {
		t.Errorf("UsedMemory after FlushAll = %d, want 0", s.UsedMemory())
	}
}

func TestType(t *testing.T) {
	s := open(t, nil)
	s.Set("s", "v")
	s.HSet("h", "f", "v")
	s.LPush("l", "v")
	s.SAdd("set", "v")
	s.ZAdd("z", Z{1, "v"})
	for key, want := range map[string]string{"s": "string", "h": "hash", "l": "list", "set": "set", "z": "zset", "none": "none"} {
		if got, _ := s.Type(key); got != want {
			t.Errorf("Type(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestHash(t *testing.T) {
	s := open(t, nil)
	if n, _ := s.HSet("h", "a", "1", "b", "2"); n != 2 {
		t.Errorf("HSet(a, b) = %d, want 2", n)
	}
	if n, _ := s.HSet("h", "a", "10", "c", "3"); n != 1 {
		t.Errorf("HSet(a, c) = %d, want 1 (a existed)", n)
	}
	if v, _ := s.HGet("h", "a"); v != "10" {
		t.Errorf("HGet(a) = %q, want 10", v)
	}
	if _, err := s.HGet("h", "zz"); !errors.Is(err, ErrNotFound) {
		t.Errorf("HGet(missing field) error = %v, want ErrNotFound", err)
	}
	if _, err := s.HSet("h", "odd"); err == nil || err.Error() != "ERR wrong number of arguments for 'hset' command" {
		t.Errorf("HSet(odd) error = %v, want arity error", err)
	}
	if n, _ := s.HDel("h", "a", "b", "c", "d"); n != 3 {
		t.Errorf("HDel = %d, want 3", n)
	}
	if n, _ := s.Exists("h"); n != 0 {
		t.Errorf("Exists(emptied hash) = %d, want 0", n)
	}
}

func TestList(t *testing.T) {
	s := open(t, nil)
	if n, _ := s.LPush("l", "a", "b", "c"); n != 3 {
		t.Errorf("LPush = %d, want 3", n)
	}
	s.RPush("l", "d")
	got := must[[]string](t)(s.LPop("l", 2))
	if !slices.Equal(got, []string{"c", "b"}) {
		t.Errorf("LPop(2) = %q, want [c b]", got)
	}
	got = must[[]string](t)(s.RPop("l", 5))
	if !slices.Equal(got, []string{"d", "a"}) {
		t.Errorf("RPop(5) = %q, want [d a]", got)
	}
	if n, _ := s.LLen("l"); n != 0 {
		t.Errorf("LLen(emptied) = %d, want 0", n)
	}
	if n, _ := s.Exists("l"); n != 0 {
		t.Errorf("Exists(emptied list) = %d, want 0", n)
	}
	if _, err := s.LPop("l", 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("LPop(missing) error = %v, want ErrNotFound", err)
	}
	if _, err := s.LPop("l", -1); err == nil {
		t.Error("LPop(count -1) succeeded, want an error")
	}
}

func TestSet(t *testing.T) {
	s := open(t, nil)
	if n, _ := s.SAdd("s", "3", "1", "2", "1"); n != 3 {
		t.Errorf("SAdd = %d, want 3", n)
	}
	if ms, _ := s.SMembers("s"); !slices.Equal(ms, []string{"1", "2", "3"}) {
		t.Errorf("SMembers(intset) = %q, want ascending [1 2 3]", ms)
	}
	s.SAdd("s", "x")
	ms, _ := s.SMembers("s")
	slices.Sort(ms)
	if !slices.Equal(ms, []string{"1", "2", "3", "x"}) {
		t.Errorf("SMembers = %q, want [1 2 3 x]", ms)
	}
	if n, _ := s.SRem("s", "1", "nope"); n != 1 {
		t.Errorf("SRem = %d, want 1", n)
	}
	if n, _ := s.SCard("s"); n != 3 {
		t.Errorf("SCard = %d, want 3", n)
	}
}

func TestZSet(t *testing.T) {
	s := open(t, nil)
	if n, _ := s.ZAdd("z", Z{2, "b"}, Z{1, "a"}, Z{math.Inf(1), "top"}); n != 3 {
		t.Errorf("ZAdd = %d, want 3", n)
	}
	if n, _ := s.ZAdd("z", Z{5, "a"}); n != 0 {
		t.Errorf("ZAdd(update) = %d, want 0", n)
	}
	if f, _ := s.ZScore("z", "a"); f != 5 {
		t.Errorf("ZScore(a) = %v, want 5", f)
	}
	if _, err := s.ZScore("z", "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ZScore(missing) error = %v, want ErrNotFound", err)
	}
	if _, err := s.ZAdd("z", Z{math.NaN(), "n"}); !errors.Is(err, ErrNotFloat) {
		t.Errorf("ZAdd(NaN) error = %v, want ErrNotFloat", err)
	}
	if n, _ := s.ZRem("z", "a", "b", "top"); n != 3 {
		t.Errorf("ZRem = %d, want 3", n)
	}
	if n, _ := s.ZCard("z"); n != 0 {
		t.Errorf("ZCard(emptied) = %d, want 0", n)
	}
}

func TestKeys(t *testing.T) {
	s := open(t, &Options{Shards: 4})
	for i := 0; i < 20; i++ {
		s.Set(fmt.Sprintf("user:%d", i), "v")
		s.Set(fmt.Sprintf("item:%d", i), "v")
	}
	got, _ := s.Keys("user:1*", 0)
	slices.Sort(got)
	want := []string{"user:1", "user:10", "user:11", "user:12", "user:13", "user:14", "user:15", "user:16", "user:17", "user:18", "user:19"}
	if !slices.Equal(got, want) {
		t.Errorf("Keys(user:1*) = %q, want %q", got, want)
	}
	if got, _ := s.Keys("*", 5); len(got) != 5 {
		t.Errorf("Keys(*, 5) returned %d keys, want 5", len(got))
	}
	if got, _ := s.Keys("item:[0-2]", 0); len(got) != 3 {
		t.Errorf("Keys(item:[0-2]) = %q, want 3 keys", got)
	}
}

func TestHashTagRouting(t *testing.T) {
	s := open(t, &Options{Shards: 16})
	err := s.WithKey("{user:7}:profile", func(tx *Tx) error {
		if err := tx.Set("{user:7}:profile", "p"); err != nil {
			return err
		}
		_, err := tx.HSet("{user:7}:settings", "theme", "dark")
		return err
	})
	if err != nil {
		t.Fatalf("WithKey with keys sharing a hash tag: %v", err)
	}
	if v, _ := s.HGet("{user:7}:settings", "theme"); v != "dark" {
		t.Errorf("HGet after WithKey = %q, want dark", v)
	}
}

func TestWithCrossShard(t *testing.T) {
	s := open(t, &Options{Shards: 16})
	// Find two keys on different shards.
	a, b := "a", ""
	for i := 0; b == ""; i++ {
		k := fmt.Sprintf("k%d", i)
		var same bool
		s.WithKey(a, func(tx *Tx) error { _, err := tx.Get(k); same = !errors.Is(err, ErrCrossShard); return nil })
		if !same {
			b = k
		}
	}
	err := s.WithKey(a, func(tx *Tx) error { return tx.Set(b, "v") })
	if !errors.Is(err, ErrCrossShard) {
		t.Fatalf("Set of another shard's key in WithKey: error = %v, want ErrCrossShard", err)
	}
	if n, _ := s.Exists(b); n != 0 {
		t.Errorf("the refused key was written somewhere: Exists = %d", n)
	}
	_, err = func() (Reply, error) {
		var r Reply
		var err error
		s.WithKey(a, func(tx *Tx) error { r, err = tx.Do("SET", b, "v"); return nil })
		return r, err
	}()
	if !errors.Is(err, ErrCrossShard) {
		t.Errorf("Do(SET other shard) in WithKey: error = %v, want ErrCrossShard", err)
	}
	if err := s.With(16, func(*Tx) error { return nil }); err == nil {
		t.Error("With(16) on 16 shards succeeded, want an error")
	}
}

func TestForEachShard(t *testing.T) {
	s := open(t, &Options{Shards: 4})
	for i := 0; i < 100; i++ {
		s.Set(fmt.Sprint(i), "v")
	}
	total := 0
	seen := map[int]bool{}
	err := s.ForEachShard(func(i int, tx *Tx) error {
		seen[i] = true
		r, err := tx.Do("DBSIZE")
		total += int(r.Int)
		return err
	})
	if err != nil || len(seen) != 4 {
		t.Fatalf("ForEachShard visited %v, err %v; want 4 shards", seen, err)
	}
	if s.ShardCount() != 4 {
		t.Errorf("ShardCount = %d, want 4", s.ShardCount())
	}
	stop := errors.New("stop")
	calls := 0
	if err := s.ForEachShard(func(int, *Tx) error { calls++; return stop }); err != stop || calls != 1 {
		t.Errorf("ForEachShard error = %v after %d calls, want stop after 1", err, calls)
	}
}

// TestWithAtomic checks that readers never see half of a With block: two
// counters on one shard always sum to zero.
func TestWithAtomic(t *testing.T) {
	s := open(t, &Options{Shards: 4})
	s.Set("{x}a", "0")
	s.Set("{x}b", "0")
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 2000; i++ {
			s.WithKey("{x}", func(tx *Tx) error {
				tx.IncrBy("{x}a", 1)
				tx.IncrBy("{x}b", -1)
				return nil
			})
		}
		close(done)
	}()
	for r := 0; r < 2; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				rep, err := s.Do("MGET", "{x}a", "{x}b")
				if err != nil {
					t.Error(err)
					return
				}
				a, _ := strconv.Atoi(rep.Elems[0].Str)
				b, _ := strconv.Atoi(rep.Elems[1].Str)
				if a+b != 0 {
					t.Errorf("MGET saw a half-applied block: a=%d b=%d", a, b)
					return
				}
				// Two separate lock-free GETs: b is read after a, so it is
				// at least as new.
				av, _ := s.Get("{x}a")
				bv, _ := s.Get("{x}b")
				a, _ = strconv.Atoi(av)
				b, _ = strconv.Atoi(bv)
				if -b < a {
					t.Errorf("GET a then GET b went back in time: a=%d b=%d", a, b)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestHandles(t *testing.T) {
	before := runtime.NumGoroutine()
	s, err := Open(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := s.Clone()
	w := s.Downgrade()
	s.Set("k", "v")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close = %v, want ErrClosed", err)
	}
	if _, err := s.Get("k"); !errors.Is(err, ErrClosed) {
		t.Errorf("Get on closed handle: %v, want ErrClosed", err)
	}
	if v, err := c.Get("k"); v != "v" || err != nil {
		t.Errorf("clone Get = %q, %v; want v (the clone keeps the store open)", v, err)
	}
	u, ok := w.Upgrade()
	if !ok {
		t.Fatal("Upgrade failed while a handle is open")
	}
	c.Close()
	if v, _ := u.Get("k"); v != "v" {
		t.Errorf("upgraded handle Get = %q, want v", v)
	}
	u.Close()
	if _, ok := w.Upgrade(); ok {
		t.Error("Upgrade succeeded after every handle closed")
	}
	if _, err := s.Clone().Get("k"); !errors.Is(err, ErrClosed) {
		t.Errorf("Clone of closed handle Get: %v, want ErrClosed", err)
	}
	// The reaper and clock goroutines are gone.
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("goroutines: %d before Open, %d after the last Close", before, n)
	}
}

func TestOptions(t *testing.T) {
	for _, o := range []*Options{{Shards: -1}, {Shards: MaxShards + 1}, {Reaper: 7}} {
		if _, err := Open(o); err == nil {
			t.Errorf("Open(%+v) succeeded, want an error", *o)
		}
	}
	s := open(t, &Options{Shards: 3})
	if got := s.Options(); got.Shards != 3 || got.Reaper != ReaperBackground {
		t.Errorf("Options() = %+v", got)
	}
	if got := open(t, nil).Options(); got.Shards != 1 {
		t.Errorf("Options() of nil options has Shards = %d, want 1", got.Shards)
	}
}

func TestTickExpires(t *testing.T) {
	s, clk := openClock(t, 4)
	for i := 0; i < 1000; i++ {
		s.SetWithTTL(fmt.Sprint("t", i), "v", time.Second)
		s.Set(fmt.Sprint("p", i), "v")
	}
	if n := s.ExpirePendingCount(); n != 1000 {
		t.Errorf("ExpirePendingCount = %d, want 1000", n)
	}
	if st := s.Tick(); st.Expired != 0 {
		t.Errorf("Tick before the deadline expired %d keys", st.Expired)
	}
	clk.Advance(2 * time.Second)
	total := 0
	for i := 0; i < 100 && total < 1000; i++ {
		total += s.Tick().Expired
	}
	if total != 1000 || s.ExpiredKeysTotal() != 1000 {
		t.Errorf("Ticks expired %d keys (counter %d), want 1000", total, s.ExpiredKeysTotal())
	}
	info := s.Info()
	if info.Keys != 1000 || info.ExpiresKeys != 0 || info.ExpiredKeys != 1000 {
		t.Errorf("Info = %+v, want 1000 keys, 0 with TTL, 1000 expired", info)
	}
}

func TestBackgroundReaper(t *testing.T) {
	s := open(t, nil)
	for i := 0; i < 100; i++ {
		s.SetWithTTL(fmt.Sprint(i), "v", time.Millisecond)
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.ExpiredKeysTotal() < 100 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := s.ExpiredKeysTotal(); n != 100 {
		t.Errorf("background reaper expired %d of 100 keys within 5s", n)
	}
}

func TestConcurrentMixed(t *testing.T) {
	s := open(t, &Options{Shards: 4})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				k := fmt.Sprint("k", (i*7+g)%50)
				switch i % 5 {
				case 0:
					s.Set(k, strconv.Itoa(i))
				case 1:
					s.Get(k)
				case 2:
					s.Del(k, "k1")
				case 3:
					s.HSet("h"+k, "f", "v")
				case 4:
					s.Do("INCR", "counter")
				}
			}
		}()
	}
	wg.Wait()
	if v, _ := s.Get("counter"); v != "3200" {
		t.Errorf("counter = %s, want 3200", v)
	}
}

// TestGetNeverTorn checks the lock-free read path: a reader racing a writer
// that flips between values of different lengths sees one of them, whole.
func TestGetNeverTorn(t *testing.T) {
	s := open(t, nil)
	vals := []string{"short", "a much longer value than the first one", ""}
	s.Set("k", vals[0])
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			s.Set("k", vals[i%len(vals)])
		}
	}()
	for i := 0; i < 100000; i++ {
		v, err := s.Get("k")
		if err != nil || !slices.Contains(vals, v) {
			t.Fatalf("Get(k) = %q, %v: not one of the written values", v, err)
		}
	}
	close(stop)
	wg.Wait()
}
