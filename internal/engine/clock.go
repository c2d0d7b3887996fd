package engine

import (
	"sync"
	"sync/atomic"
	"time"
)

// coarse is a process-wide millisecond clock advanced by one goroutine while
// at least one store with a background reaper and the real clock is open.
// Reads of keys with a TTL use it instead of reading the system clock: it
// lags real time by at most about a millisecond and never runs ahead of it,
// so keys may expire that much late but never early (unless the system
// clock steps back by less than a second: see publishCoarse).
//
// The goroutine ticks only while TTL checks read the clock (coarseNow). A
// tick that finds no read since the one before counts toward
// coarseIdleTicks; after that many the goroutine sleeps until a read wakes
// it, so an idle process does not wake a thousand times a second. A read
// that finds it asleep reads the system clock itself and wakes it.
//
// The LRU and LFU stamps of every access load coarse.now directly and do
// not keep the goroutine awake: while it sleeps, the reapers' ticks (ten a
// second) refresh it, so stamps then have a resolution of about 100 ms
// (Redis's LRU clock has one of a second). A busy server whose requests
// carry no TTLs thus runs without the thousand wake-ups a second, which
// preempted its event loop.
var coarse struct {
	mu   sync.Mutex // protects refs and stop
	refs int
	stop chan struct{}
	done chan struct{}

	now    atomic.Int64
	used   atomic.Bool // read since the last tick
	asleep atomic.Bool // the goroutine waits for wake; now is stale
}

// coarseWake wakes the clock's sleeping goroutine. It is never replaced,
// so readers use it without the lock; a token left by a stopped goroutine
// costs its successor one early tick.
var coarseWake = make(chan struct{}, 1)

const (
	coarseTick      = time.Millisecond
	coarseIdleTicks = 100
)

// coarseNow returns the coarse clock in Unix milliseconds.
func coarseNow() int64 {
	if coarse.asleep.Load() {
		return wakeCoarseClock()
	}
	// Mark the clock used; the check keeps readers on different cores from
	// writing the shared line on every read (once per tick at most).
	if !coarse.used.Load() {
		coarse.used.Store(true)
	}
	return coarse.now.Load()
}

// publishCoarse publishes t, a time just read from the system clock. The
// ticking goroutine, waking readers and the reapers publish in any order;
// a reading a little older than the one published already lost a race and
// is dropped, so that racing writers never move the clock back (an LRU
// stamp ahead of the clock reads as 49 days idle). A step back of a second
// or more is the system clock's own, and the clock follows it, so keys
// still never expire early.
func publishCoarse(t int64) {
	for {
		old := coarse.now.Load()
		if (t <= old && old-t < 1000) || coarse.now.CompareAndSwap(old, t) {
			return
		}
	}
}

// wakeCoarseClock reads the system clock, publishes it and wakes the
// ticking goroutine.
func wakeCoarseClock() int64 {
	t := time.Now().UnixMilli()
	// Publish the time before asleep turns false: a reader that then sees
	// the clock awake must not read the time it fell asleep at.
	publishCoarse(t)
	coarse.used.Store(true)
	if coarse.asleep.CompareAndSwap(true, false) {
		select {
		case coarseWake <- struct{}{}:
		default:
		}
	}
	return t
}

func acquireCoarseClock() {
	coarse.mu.Lock()
	defer coarse.mu.Unlock()
	coarse.refs++
	if coarse.refs > 1 {
		return
	}
	publishCoarse(time.Now().UnixMilli())
	coarse.asleep.Store(false)
	stop, done := make(chan struct{}), make(chan struct{})
	coarse.stop, coarse.done = stop, done
	go runCoarseClock(stop, done)
}

// runCoarseClock is the clock's goroutine.
func runCoarseClock(stop, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(coarseTick)
	defer t.Stop()
	idle := 0
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		publishCoarse(time.Now().UnixMilli())
		if coarse.used.Load() {
			coarse.used.Store(false)
			idle = 0
			continue
		}
		if idle++; idle < coarseIdleTicks {
			continue
		}
		// Sleep. A reader that loaded asleep false before this store
		// reads now, at most a tick old; one that loads it true wakes us.
		t.Stop()
		coarse.asleep.Store(true)
		if coarse.used.Load() { // a read raced with the decision: go on
			wakeCoarseClock()
		}
		select {
		case <-stop:
			return
		case <-coarseWake:
		}
		idle = 0
		t.Reset(coarseTick)
	}
}

func releaseCoarseClock() {
	coarse.mu.Lock()
	defer coarse.mu.Unlock()
	coarse.refs--
	if coarse.refs == 0 {
		close(coarse.stop)
		<-coarse.done
	}
}
