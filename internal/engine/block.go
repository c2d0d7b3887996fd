package engine

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/kevy-go/kevy/internal/keyspace"
)

// Blocking commands (BLPOP and friends): the waiter queues and the serving
// of blocked callers.
//
// A blocking call first tries its pop with the shards of its keys held. When
// every key is empty it joins, still holding those locks, a FIFO queue per
// key, so no push can slip between the failed try and the registration.
// While any caller is blocked the engine listens to key events; when a
// write creates a key that has waiters, the writer's goroutine
// (after it released its own locks, see events.go) serves the waiters of
// that key in the order they blocked, as Redis's handleClientsBlockedOnKeys
// does: it takes the shard locks of the key (and of a BLMOVE destination),
// pops on the first waiter's behalf, hands it the result, and goes on with
// the next waiter while the key still holds elements. The served caller
// only replies; it never races other callers for the element, so the
// caller blocked first on a key is served first.
//
// A waiter that times out, or whose context is cancelled, leaves the queues
// under the blocker's mutex; if a server claimed it first, it takes the
// result instead (the element was popped on its behalf and must not be
// lost).

// ErrUnblocked is the reply of a blocked command cancelled with this cause
// (context.WithCancelCause), as CLIENT UNBLOCK id ERROR does. Any other
// cancellation replies as a timeout.
var ErrUnblocked = errorf("UNBLOCKED client unblocked via CLIENT UNBLOCK")

// errTimeoutNegative is Redis's reply for a negative blocking timeout.
var errTimeoutNegative = errorf("ERR timeout is negative")

// blocker holds the callers blocked on keys.
type blocker struct {
	mu       sync.Mutex
	queues   map[string]waitQueue
	blocked  int    // callers blocked now
	unlisten func() // removes the event listener, registered while needed
	recent   bool   // a caller blocked since the last idle event batch
}

// waitQueue is the FIFO of callers blocked on one key.
type waitQueue struct{ head, tail *waitNode }

type waitNode struct {
	w          *waiter
	key        string
	prev, next *waitNode
}

// Waiter states, under blocker.mu.
const (
	stateBlocked = iota
	stateServed
	stateGone // timed out or cancelled
)

// waiter is one blocked caller.
type waiter struct {
	keys   []string      // distinct, in the order given
	kind   keyspace.Kind // KindList or KindZSet: what the keys must hold
	dst    string        // BLMOVE's destination, when hasDst
	hasDst bool
	// pop runs with the shards of key (and dst) held exclusively, key
	// holding a non-empty value of kind; it records the result in the
	// caller's variables and returns the error to reply, if any.
	pop func(key string) error

	state   int
	cause   error         // why it was cancelled (Unblock), with stateGone
	err     error         // pop's error
	nodes   []waitNode    // one per key
	nodeBuf [2]waitNode   // nodes' storage for one or two keys
	done    chan struct{} // receives once served
	settle  []settleSpan  // journal spans to wait for under FsyncAlways
}

// settleSpan is a shard's journal span a write must see durable.
type settleSpan struct {
	sh          *Shard
	before, lsn uint64
}

// lockedShards is the hold of a blocking command or of a serve: the shards
// of a few keys, exclusively, in ascending order, marked multi, with the
// memory accounting of the keys. It lives on the caller's stack (hence
// arrays with counts, not slices into itself, for up to four keys).
type lockedShards struct {
	en      *Engine
	keys    []string
	n       int // shards held
	idxBuf  [4]int
	posBuf  [4]uint64
	sizeBuf [4]int64
	big     *lockedBig // more than four keys
}

type lockedBig struct {
	idx  []int
	pos  []uint64
	size []int64
}

func (ls *lockedShards) idx() []int {
	if ls.big != nil {
		return ls.big.idx
	}
	return ls.idxBuf[:ls.n]
}

func (ls *lockedShards) pos() []uint64 {
	if ls.big != nil {
		return ls.big.pos
	}
	return ls.posBuf[:ls.n]
}

func (ls *lockedShards) size() []int64 {
	if ls.big != nil {
		return ls.big.size
	}
	return ls.sizeBuf[:len(ls.keys)]
}

// lock acquires the shards of keys.
func (ls *lockedShards) lock(en *Engine, keys []string) {
	ls.en, ls.keys = en, keys
	if len(keys) > len(ls.idxBuf) {
		idx := shardsOfKeys(en, nil, keys)
		ls.big = &lockedBig{idx: idx, pos: make([]uint64, len(idx)), size: make([]int64, len(keys))}
		ls.n = len(idx)
	} else {
		ls.n = len(shardsOfKeys(en, ls.idxBuf[:0], keys))
	}
	idx := ls.idx()
	for _, i := range idx {
		sh := en.shards[i]
		sh.mu.Lock()
		sh.multi.Add(1)
	}
	size := ls.size()
	for j, k := range keys {
		size[j] = 0
		if !slices.Contains(keys[:j], k) {
			size[j] = en.ShardOf(k).keySize(k)
		}
	}
	pos := ls.pos()
	for j, i := range idx {
		pos[j] = en.shards[i].position()
	}
}

// shardsOfKeys appends the distinct shards of keys to dst, sorted.
func shardsOfKeys(en *Engine, dst []int, keys []string) []int {
	for _, k := range keys {
		i := en.ShardOf(k).idx
		if !slices.Contains(dst, i) {
			dst = append(dst, i)
		}
	}
	slices.Sort(dst)
	return dst
}

// spans returns the journal spans written since the shards were locked.
// Locks held.
func (ls *lockedShards) spans() []settleSpan {
	var out []settleSpan
	pos := ls.pos()
	for j, i := range ls.idx() {
		sh := ls.en.shards[i]
		if p := sh.position(); p != pos[j] {
			out = append(out, settleSpan{sh, pos[j], p})
		}
	}
	return out
}

// unlock accounts the keys' size changes, releases the shards and
// delivers the key events the hold produced.
func (ls *lockedShards) unlock() { ls.en.deliver(ls.release(nil)) }

// release is unlock leaving the delivery of the events, appended to evs,
// to the caller.
func (ls *lockedShards) release(evs []Event) []Event {
	en := ls.en
	size := ls.size()
	for j, k := range ls.keys {
		if !slices.Contains(ls.keys[:j], k) {
			sh := en.ShardOf(k)
			sh.used.Add(sh.keySize(k) - size[j])
		}
	}
	idx := ls.idx()
	for j := len(idx) - 1; j >= 0; j-- {
		sh := en.shards[idx[j]]
		evs = sh.takeEvents(evs)
		sh.multi.Add(-1)
		sh.mu.Unlock()
	}
	for _, i := range idx {
		en.shards[i].reapNoted()
	}
	return evs
}

// settleAll waits for spans to be durable (FsyncAlways). No lock held.
func settleAll(spans []settleSpan) error {
	var first error
	for _, s := range spans {
		if err := s.sh.settle(s.before, s.lsn); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// tryPop runs w's pop on the first of its keys that holds a non-empty
// value, as the non-blocking form of the command does: a key of another
// type is an error (Redis checks each key in turn). The keys' shards are
// held. It reports whether something was popped (or an error replied).
func (en *Engine) tryPop(w *waiter) (bool, error) {
	for _, k := range w.keys {
		sh := en.ShardOf(k)
		e, err := sh.object(k, w.kind, true)
		if err != nil {
			return true, err
		}
		if e == nil || kindLen(e) == 0 {
			continue
		}
		return true, w.pop(k)
	}
	return false, nil
}

// kindLen is the element count of a list or sorted set entry.
func kindLen(e *keyspace.Entry) int {
	switch e.Kind() {
	case keyspace.KindList:
		return listOf(e).Len()
	case keyspace.KindZSet:
		return zsetOf(e).Len()
	}
	return 0
}

// block runs a blocking command for w: the pop at once if a key has
// elements, else a wait until a write serves it, the timeout passes
// (timeout <= 0: no timeout), ctx is done, or the engine closes. It returns
// nil when w's pop ran (w.err holds its error), ErrNotFound on timeout,
// context.Cause(ctx) on cancellation, ErrClosed when the engine closed.
// grow checks maxmemory first (BLMOVE, BRPOPLPUSH). onBlock, if non-nil,
// runs once w is queued and before the wait, with no lock held; it gets
// w's cancel function (see Ctx.Blocked). No lock may be held.
func (en *Engine) block(ctx context.Context, timeout time.Duration, w *waiter, grow bool, onBlock func(func(error) bool)) error {
	if en.closed.Load() {
		return ErrClosed
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if grow {
		if err := en.freeMemory(); err != nil {
			return err
		}
	}
	lock := w.keys
	if w.hasDst {
		lock = []string{w.keys[0], w.dst}
	}
	for _, k := range lock {
		if err := en.ShardOf(k).refused(); err != nil {
			return err
		}
	}
	var ls lockedShards
	ls.lock(en, lock)
	popped, err := en.tryPop(w)
	if popped {
		spans := ls.spans()
		ls.unlock()
		w.err = err
		if derr := settleAll(spans); derr != nil && w.err == nil {
			w.err = derr
		}
		return nil
	}
	if ctx.Err() != nil {
		ls.unlock()
		return context.Cause(ctx)
	}
	b := &en.blk
	w.done = make(chan struct{}, 1)
	b.add(en, w)
	spans := ls.spans() // an expired key may have been deleted
	ls.unlock()
	settleAll(spans)
	if onBlock != nil {
		onBlock(func(cause error) bool { return b.cancel(w, cause) })
	}

	var timer <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		timer = t.C
	}
	var cause error
	select {
	case <-w.done:
	case <-timer:
		cause = ErrNotFound
	case <-ctx.Done():
		cause = context.Cause(ctx)
	case <-en.stop:
		cause = ErrClosed
	}
	if cause != nil {
		b.mu.Lock()
		if w.state == stateBlocked {
			b.remove(w)
			w.state = stateGone
			b.mu.Unlock()
			return cause
		}
		b.mu.Unlock()
		<-w.done // served (or cancelled) meanwhile: take the result
	}
	if w.state == stateGone { // cancelled: the send on done ordered this read
		return w.cause
	}
	if err := settleAll(w.settle); err != nil && w.err == nil {
		w.err = err
	}
	return nil
}

// cancel ends w's wait with cause if it is still blocked, reporting
// whether it was: a waiter already served keeps its result.
func (b *blocker) cancel(w *waiter, cause error) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if w.state != stateBlocked {
		return false
	}
	b.remove(w)
	w.state, w.cause = stateGone, cause
	w.done <- struct{}{} // buffered; a blocked waiter has not been sent to
	return true
}

// add queues w on each of its keys. The keys' shards are held.
func (b *blocker) add(en *Engine, w *waiter) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.queues == nil {
		b.queues = map[string]waitQueue{}
	}
	if len(w.keys) <= len(w.nodeBuf) {
		w.nodes = w.nodeBuf[:len(w.keys)]
	} else {
		w.nodes = make([]waitNode, len(w.keys))
	}
	for i, k := range w.keys {
		n := &w.nodes[i]
		q := b.queues[k]
		*n = waitNode{w: w, key: k, prev: q.tail}
		if q.tail != nil {
			q.tail.next = n
		} else {
			q.head = n
		}
		q.tail = n
		b.queues[k] = q
	}
	b.blocked++
	b.recent = true
	if b.unlisten == nil {
		// A key becomes ready when it is created (the "new" event), as in
		// Redis 7.0, which signals blocked clients from dbAdd only: a
		// push, ZADD, RENAME, RESTORE, COPY or *STORE that creates the
		// key, never one that overwrites an existing key (ZUNIONSTORE
		// onto a list leaves a BZPOPMIN blocked). Registered while the
		// shard locks are held, so the next creation of these keys queues
		// its event. It stays registered until an event batch finds no
		// caller blocked twice in a row, so a queue's consumers do not
		// register it anew for every element.
		b.unlisten = en.Listen(ClassNew, func(evs []Event) { en.serveEvents(evs) })
	}
}

// remove unlinks w from its queues. blocker.mu held.
func (b *blocker) remove(w *waiter) {
	for i := range w.nodes {
		n := &w.nodes[i]
		q := b.queues[n.key]
		if n.prev != nil {
			n.prev.next = n.next
		} else {
			q.head = n.next
		}
		if n.next != nil {
			n.next.prev = n.prev
		} else {
			q.tail = n.prev
		}
		if q.head == nil {
			delete(b.queues, n.key)
		} else {
			b.queues[n.key] = q
		}
		n.prev, n.next = nil, nil
	}
	w.nodes = nil
	b.blocked--
}

// BlockedClients returns how many callers are blocked now (INFO's
// blocked_clients).
func (en *Engine) BlockedClients() int {
	b := &en.blk
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.blocked
}

// serveEvents serves the waiters of the keys that events name, keys in the
// order they were first named. No lock held.
func (en *Engine) serveEvents(evs []Event) {
	b := &en.blk
	var buf [4]string
	ready := buf[:0]
	b.mu.Lock()
	if b.blocked == 0 {
		if b.recent {
			b.recent = false
		} else if b.unlisten != nil {
			b.unlisten()
			b.unlisten = nil
		}
		b.mu.Unlock()
		return
	}
	for _, e := range evs {
		if _, ok := b.queues[e.Key]; ok && !slices.Contains(ready, e.Key) {
			ready = append(ready, e.Key)
		}
	}
	b.mu.Unlock()
	// The serves' own events (pops, a BLMOVE's push) are delivered once
	// every ready key was served, as Redis serves the keys a command made
	// ready before those its blocked clients' commands made ready.
	var mine []Event
	for _, k := range ready {
		mine = en.serveKey(b, k, mine)
	}
	en.deliver(mine)
}

// serveKey serves the waiters of key in FIFO order while key holds
// elements, appending the events of the pops to evs. No lock held.
func (en *Engine) serveKey(b *blocker, key string, evs []Event) []Event {
	b.mu.Lock()
	q, ok := b.queues[key]
	if !ok {
		b.mu.Unlock()
		return evs
	}
	target := q.head.w
	b.mu.Unlock()
	for target != nil {
		lock := [2]string{key, target.dst}
		n := 1
		if target.hasDst {
			n = 2
		}
		var ls lockedShards
		ls.lock(en, lock[:n])
		target = b.serveLocked(en, key, target)
		evs = ls.release(evs)
	}
	return evs
}

// serveLocked serves the waiters of key, from the queue's head, while key
// holds elements, with the shards of key and of target's destination held
// (and only those keys' memory accounted). A waiter whose key holds another
// type is skipped; it stays queued. It returns the first waiter that needs
// another destination locked, nil when done.
func (b *blocker) serveLocked(en *Engine, key string, target *waiter) *waiter {
	sh := en.ShardOf(key)
	b.mu.Lock()
	defer b.mu.Unlock()
	for {
		q, ok := b.queues[key]
		if !ok {
			return nil
		}
		var w *waiter
		for n := q.head; n != nil; n = n.next {
			e, err := sh.object(key, n.w.kind, true)
			if e == nil && err == nil {
				return nil // missing: nothing to serve
			}
			if err == nil && kindLen(e) > 0 {
				w = n.w
				break
			}
		}
		if w == nil {
			return nil // no waiter can use what key holds
		}
		if w.hasDst && (!target.hasDst || w.dst != target.dst) {
			return w
		}
		var before [2]uint64
		spans := []*Shard{sh}
		if w.hasDst && en.ShardOf(w.dst) != sh {
			spans = append(spans, en.ShardOf(w.dst))
		}
		for i, s := range spans {
			before[i] = s.position()
		}
		w.err = w.pop(key)
		for i, s := range spans {
			if p := s.position(); p != before[i] {
				w.settle = append(w.settle, settleSpan{s, before[i], p})
			}
		}
		b.remove(w)
		w.state = stateServed
		w.done <- struct{}{}
	}
}

// ExecContext is Exec for a command that may block (Command.Flags has
// FlagBlocking): ctx cancels the wait (a disconnecting client); cancelling
// it with cause ErrUnblocked makes the command reply that error, any other
// cancellation replies as a timeout. Commands that do not block run as with
// Exec.
func (en *Engine) ExecContext(ctx context.Context, c *Ctx) {
	c.Context = ctx
	en.Exec(c)
}

// context returns the context of c's command, Background when none.
func (c *Ctx) context() context.Context {
	if c.Context != nil {
		return c.Context
	}
	return context.Background()
}
