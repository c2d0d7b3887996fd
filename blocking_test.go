package kevy

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/kevy-go/kevy/internal/engine"
)

// waitBlocked waits until n callers are blocked in s.
func waitBlocked(t testing.TB, s *Store, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for s.en.BlockedClients() != n {
		if time.Now().After(deadline) {
			t.Fatalf("blocked = %d, want %d", s.en.BlockedClients(), n)
		}
		time.Sleep(100 * time.Microsecond)
	}
}

func TestBlockingTyped(t *testing.T) {
	s := open(t, &Options{Shards: 4})
	ctx := context.Background()
	type res struct {
		name, key, val string
		err            error
	}
	for _, c := range []struct {
		name  string
		setup func()
		call  func() (string, string, error)
		want  res
	}{
		{"BLPop ready", func() { s.RPush("l", "a", "b") }, func() (string, string, error) { return s.BLPop(ctx, time.Second, "none", "l") }, res{key: "l", val: "a"}},
		{"BRPop ready", nil, func() (string, string, error) { return s.BRPop(ctx, time.Second, "l") }, res{key: "l", val: "b"}},
		{"BLPop timeout", nil, func() (string, string, error) { return s.BLPop(ctx, 5*time.Millisecond, "l") }, res{err: ErrNotFound}},
		{"BLPop wrong type", func() { s.Set("str", "x") }, func() (string, string, error) { return s.BLPop(ctx, 0, "str") }, res{err: ErrWrongType}},
		{"BLPop no keys", nil, func() (string, string, error) { return s.BLPop(ctx, 0) }, res{err: errors.New("ERR wrong number of arguments for 'blpop' command")}},
		{"BLMove", func() { s.RPush("src", "1", "2") }, func() (string, string, error) {
			v, err := s.BLMove(ctx, time.Second, "src", "dst", Right, Left)
			return "", v, err
		}, res{val: "2"}},
		{"BRPopLPush timeout", nil, func() (string, string, error) {
			v, err := s.BRPopLPush(ctx, 2*time.Millisecond, "none", "dst")
			return "", v, err
		}, res{err: ErrNotFound}},
		{"BLMPop", func() { s.RPush("m", "1", "2", "3") }, func() (string, string, error) {
			k, vs, err := s.BLMPop(ctx, time.Second, Right, 2, "none", "m")
			return k, fmt.Sprint(vs), err
		}, res{key: "m", val: "[3 2]"}},
		{"BZPopMin", func() { s.ZAdd("z", Z{1, "a"}, Z{2, "b"}, Z{3, "c"}) }, func() (string, string, error) {
			k, z, err := s.BZPopMin(ctx, time.Second, "z")
			return k, fmt.Sprint(z), err
		}, res{key: "z", val: "{1 a}"}},
		{"BZPopMax", nil, func() (string, string, error) {
			k, z, err := s.BZPopMax(ctx, time.Second, "z")
			return k, fmt.Sprint(z), err
		}, res{key: "z", val: "{3 c}"}},
		{"BZMPop count", nil, func() (string, string, error) {
			k, zs, err := s.BZMPop(ctx, time.Second, false, 0, "z")
			return k, fmt.Sprint(zs), err
		}, res{err: engine.ErrPositive}},
	} {
		if c.setup != nil {
			c.setup()
		}
		k, v, err := c.call()
		if c.want.err != nil {
			if err == nil || (!errors.Is(err, c.want.err) && err.Error() != c.want.err.Error()) {
				t.Errorf("%s: err %v, want %v", c.name, err, c.want.err)
			}
			continue
		}
		if err != nil || k != c.want.key || v != c.want.val {
			t.Errorf("%s = %q, %q, %v; want %q, %q", c.name, k, v, err, c.want.key, c.want.val)
		}
	}
}

func TestBlockingWakeOrder(t *testing.T) {
	s := open(t, &Options{Shards: 8})
	ctx := context.Background()
	got := make([]chan string, 3)
	for i := range got {
		got[i] = make(chan string, 1)
		go func() {
			_, v, err := s.BLPop(ctx, 0, "jobs", "other")
			if err != nil {
				v = err.Error()
			}
			got[i] <- v
		}()
		waitBlocked(t, s, i+1)
	}
	// A push in another goroutine, then a transaction filling the key.
	go s.RPush("jobs", "j1")
	if v := <-got[0]; v != "j1" {
		t.Fatalf("first waiter got %q", v)
	}
	if err := s.Tx(func(tx *Tx) error {
		tx.RPush("other", "o1")
		tx.RPush("jobs", "j2")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	a, b := <-got[1], <-got[2]
	if a != "o1" || b != "j2" {
		t.Fatalf("waiters got %q, %q; want o1, j2 (served in order, from the key filled first)", a, b)
	}
}

func TestBlockingCancel(t *testing.T) {
	s := open(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, _, err := s.BZPopMin(ctx, 0, "z")
		done <- err
	}()
	waitBlocked(t, s, 1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	// Close releases a caller blocked without a timeout.
	s2 := open(t, nil)
	go func() {
		_, _, err := s2.BLPop(context.Background(), 0, "l")
		done <- err
	}()
	waitBlocked(t, s2, 1)
	s2.Close()
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

// TestBlockingQueue is a work queue: producers push, consumers block; every
// job is consumed once.
func TestBlockingQueue(t *testing.T) {
	s := open(t, &Options{Shards: 4})
	const producers, jobs, consumers = 3, 200, 4
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var seen []string
	var cw sync.WaitGroup
	for range consumers {
		cw.Add(1)
		go func() {
			defer cw.Done()
			for {
				_, v, err := s.BLPop(ctx, 0, "q")
				if err != nil {
					return
				}
				mu.Lock()
				seen = append(seen, v)
				n := len(seen)
				mu.Unlock()
				if n == producers*jobs {
					cancel()
				}
			}
		}()
	}
	for p := range producers {
		go func() {
			for j := range jobs {
				s.RPush("q", fmt.Sprintf("%d/%03d", p, j))
			}
		}()
	}
	cw.Wait()
	sort.Strings(seen)
	if len(seen) != producers*jobs || len(slices.Compact(seen)) != producers*jobs {
		t.Fatalf("consumed %d jobs (%d distinct), want %d", len(seen), len(slices.Compact(seen)), producers*jobs)
	}
}

// BenchmarkBLPopHandoff measures the latency from an LPUSH to the return
// of the BLPOP it serves, between two goroutines, and reports p50/p99.
func BenchmarkBLPopHandoff(b *testing.B) {
	s := open(b, nil)
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	ready := make(chan struct{})
	done := make(chan time.Time)
	go func() {
		for range b.N {
			ready <- struct{}{}
			s.BLPop(ctx, 0, "q")
			done <- time.Now()
		}
	}()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		<-ready
		for s.en.BlockedClients() == 0 {
			runtime.Gosched() // until the consumer is parked
		}
		start := time.Now()
		s.LPush("q", "x")
		lat = append(lat, (<-done).Sub(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
}

// A work queue: a consumer waits for jobs that producers push.
func ExampleStore_BLPop() {
	s, _ := Open(nil)
	defer s.Close()
	go s.RPush("jobs", "resize:42")
	key, job, err := s.BLPop(context.Background(), time.Second, "jobs")
	fmt.Println(key, job, err)
	// Output: jobs resize:42 <nil>
}
