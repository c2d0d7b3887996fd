package engine

import (
	"sync"
	"sync/atomic"
	"time"
)

// coarse is a process-wide millisecond clock advanced by one goroutine while
// at least one store with a background reaper and the real clock is open.
// Reads of keys with a TTL compare against it instead of reading the system
// clock: it lags real time by at most about a millisecond and never runs
// ahead of it, so keys may expire that much late but never early.
var coarse struct {
	mu   sync.Mutex // protects refs and stop
	refs int
	stop chan struct{}
	done chan struct{}
	now  atomic.Int64
}

const coarseTick = time.Millisecond

func acquireCoarseClock() {
	coarse.mu.Lock()
	defer coarse.mu.Unlock()
	coarse.refs++
	if coarse.refs > 1 {
		return
	}
	coarse.now.Store(time.Now().UnixMilli())
	stop, done := make(chan struct{}), make(chan struct{})
	coarse.stop, coarse.done = stop, done
	go func() {
		defer close(done)
		t := time.NewTicker(coarseTick)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				coarse.now.Store(time.Now().UnixMilli())
			}
		}
	}()
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
