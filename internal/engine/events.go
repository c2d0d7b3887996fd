package engine

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Key events: the one hook through which writes announce what they did.
// Keyspace notifications (notify-keyspace-events), blocked clients waiting
// for a list or sorted set (BLPOP and friends) and WATCH all consume them.
//
// A write core calls sh.notify(class, event, key) while it holds the shard
// lock; the event is queued on the shard and handed to the listeners only
// after the lock is released (never send on a channel or call user code
// with a shard lock held). When no listener wants a class, notify costs one
// atomic load.

// EventClass is a notify-keyspace-events class, one bit per Redis flag.
type EventClass uint32

// Event classes (Redis's flag letters in comments).
const (
	ClassGeneric EventClass = 1 << iota // g: DEL, EXPIRE, RENAME...
	ClassString                         // $
	ClassList                           // l
	ClassSet                            // s
	ClassHash                           // h
	ClassZSet                           // z
	ClassExpired                        // x
	ClassEvicted                        // e
	ClassStream                         // t
	ClassKeyMiss                        // m
	ClassModule                         // d
	ClassNew                            // n: a key was created
)

// Event is one key event.
type Event struct {
	Class EventClass
	Name  string // Redis's event name: "set", "lpush", "del", "expired"...
	Key   string
	seq   uint64 // engine-wide order of notify calls
}

// listeners holds the consumers of events.
type listeners struct {
	mask atomic.Uint32 // union of the classes some listener wants
	mu   sync.Mutex    // protects fns
	fns  map[int]listener
	next int
}

type listener struct {
	mask EventClass
	fn   func([]Event)
}

// Listen registers fn for events of the classes in mask and returns the
// function that removes it. fn runs with no shard lock held, on the writer's
// goroutine, with events in the order the shard applied them; it must not
// block for long.
func (en *Engine) Listen(mask EventClass, fn func([]Event)) (remove func()) {
	l := &en.listen
	l.mu.Lock()
	if l.fns == nil {
		l.fns = map[int]listener{}
	}
	id := l.next
	l.next++
	l.fns[id] = listener{mask, fn}
	l.recompute()
	l.mu.Unlock()
	return func() {
		l.mu.Lock()
		delete(l.fns, id)
		l.recompute()
		l.mu.Unlock()
	}
}

func (l *listeners) recompute() {
	var m EventClass
	for _, x := range l.fns {
		m |= x.mask
	}
	l.mask.Store(uint32(m))
}

// notify queues an event for the listeners. Exclusive lock held.
func (sh *Shard) notify(class EventClass, name, key string) {
	sh.changes++
	if watchersActive.Load() != 0 {
		sh.touchWatched(class, key)
	}
	if EventClass(sh.en.listen.mask.Load())&class != 0 {
		if sh.borrowed {
			key = strings.Clone(key)
		}
		sh.events = append(sh.events, Event{class, name, key, sh.en.eventSeq.Add(1)})
	}
}

// Changes returns how many changes the shards have made since the engine
// started, counting one per key event (what Redis's save points count);
// loading a snapshot counts none. It takes each shard's read lock in turn.
func (en *Engine) Changes() uint64 {
	var n uint64
	for _, sh := range en.shards {
		sh.mu.RLock()
		n += sh.changes
		sh.mu.RUnlock()
	}
	return n
}

// takeEvents moves the shard's queued events to dst. Lock held.
func (sh *Shard) takeEvents(dst []Event) []Event {
	if len(sh.events) == 0 {
		return dst
	}
	dst = append(dst, sh.events...)
	clear(sh.events)
	sh.events = sh.events[:0]
	return dst
}

// deliver hands events to the listeners, in the order the writes made
// them (events of several shards are merged by sequence). No data lock held.
func (en *Engine) deliver(evs []Event) {
	if len(evs) == 0 {
		return
	}
	if !slices.IsSortedFunc(evs, bySeq) {
		slices.SortFunc(evs, bySeq)
	}
	l := &en.listen
	l.mu.Lock()
	fns := make([]listener, 0, len(l.fns))
	for _, x := range l.fns {
		fns = append(fns, x)
	}
	l.mu.Unlock()
	for _, x := range fns {
		var mine []Event
		for _, e := range evs {
			if e.Class&x.mask != 0 {
				mine = append(mine, e)
			}
		}
		if len(mine) > 0 {
			x.fn(mine)
		}
	}
}

func bySeq(a, b Event) int {
	switch {
	case a.seq < b.seq:
		return -1
	case a.seq > b.seq:
		return 1
	}
	return 0
}
