package engine

import (
	"sync"
	"testing"
	"time"
)

// waitAsleep waits until the coarse clock's goroutine sleeps.
func waitAsleep(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !coarse.asleep.Load() {
		if time.Now().After(deadline) {
			t.Fatal("the coarse clock kept ticking for 5 s without a read")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestCoarseClockSleepsWhenUnread checks that the clock's goroutine stops
// ticking once nothing reads the clock, that the read that finds it asleep
// gets the current time and wakes it, and that it ticks again after.
func TestCoarseClockSleepsWhenUnread(t *testing.T) {
	acquireCoarseClock()
	defer releaseCoarseClock()
	waitAsleep(t)
	stale := coarse.now.Load()
	time.Sleep(20 * coarseTick)
	if now := coarse.now.Load(); now != stale {
		t.Fatalf("asleep, the clock still moved from %d to %d", stale, now)
	}

	before := time.Now().UnixMilli()
	got := coarseNow()
	after := time.Now().UnixMilli()
	if got < before || got > after {
		t.Fatalf("the waking read returned %d, want the time between %d and %d", got, before, after)
	}
	if coarse.asleep.Load() {
		t.Fatal("a read did not wake the clock")
	}
	// Awake, it ticks: the stored time moves past the waking read's.
	deadline := time.Now().Add(5 * time.Second)
	for coarseNow() <= got {
		if time.Now().After(deadline) {
			t.Fatal("the woken clock did not tick within 5 s")
		}
		time.Sleep(coarseTick)
	}
}

// TestCoarseClockNeverAhead reads the clock from several goroutines across
// sleeps and wake-ups: no read is ahead of the system clock, and while the
// clock is read it lags by little.
func TestCoarseClockNeverAhead(t *testing.T) {
	acquireCoarseClock()
	defer releaseCoarseClock()
	for cycle := range 3 {
		waitAsleep(t)
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 200 {
					got := coarseNow()
					real := time.Now().UnixMilli()
					if got > real {
						t.Errorf("cycle %d, goroutine %d, read %d: clock %d ahead of the system clock %d", cycle, g, i, got, real)
						return
					}
					// Generous: the race detector and a loaded machine
					// delay the ticking goroutine.
					if lag := real - got; lag > 500 {
						t.Errorf("cycle %d, goroutine %d, read %d: clock %d ms behind", cycle, g, i, lag)
						return
					}
					time.Sleep(50 * time.Microsecond)
				}
			}()
		}
		wg.Wait()
	}
}

// TestStampsLetCoarseClockSleep checks that accesses to keys without a TTL
// (which only stamp the key for LRU) do not keep the clock's goroutine
// awake, and that the reaper's ticks keep the stamps' clock current while
// it sleeps.
func TestStampsLetCoarseClockSleep(t *testing.T) {
	en := New(Config{}) // the real clock and the background reaper: the coarse clock
	defer en.Close()
	if err := en.Set("k", "v"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !coarse.asleep.Load() {
		if time.Now().After(deadline) {
			t.Fatal("the coarse clock stayed awake for 5 s of GETs of a key without a TTL")
		}
		for range 100 {
			if v, err := en.Get("k"); err != nil || v != "v" {
				t.Fatalf("GET k = %q, %v", v, err)
			}
		}
		time.Sleep(time.Millisecond)
	}
	before := en.stampNow()
	time.Sleep(350 * time.Millisecond) // three reaper ticks and more
	if !coarse.asleep.Load() {
		t.Skip("something else woke the coarse clock") // a TTL read elsewhere in the process
	}
	if got := en.stampNow(); got-before < 100 {
		t.Fatalf("asleep, the stamps' clock moved %d ms in 350 ms; the reaper should refresh it", got-before)
	}
}

// TestPublishCoarse: a reading older than the published time by less than
// a second lost a race and is dropped; a later one, or one a second or more
// older (the system clock stepped back), is published.
func TestPublishCoarse(t *testing.T) {
	coarse.mu.Lock()
	defer coarse.mu.Unlock() // no clock goroutine starts meanwhile
	if coarse.refs > 0 {
		t.Skip("a store left the coarse clock running")
	}
	saved := coarse.now.Load()
	defer coarse.now.Store(saved)
	for _, step := range []struct{ publish, want int64 }{
		{1_000_000, 1_000_000},
		{999_999, 1_000_000}, // a racing writer's older reading
		{999_001, 1_000_000},
		{1_000_005, 1_000_005},
		{999_005, 999_005}, // one second back: the system clock's own step
	} {
		publishCoarse(step.publish)
		if got := coarse.now.Load(); got != step.want {
			t.Fatalf("after publishing %d the clock reads %d, want %d", step.publish, got, step.want)
		}
	}
}
