package engine

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/kevy-go/kevy/internal/keyspace"
)

// Shard is one lock domain of the keyspace.
//
// Writers hold mu exclusively. Readers of containers (hashes, lists, sets,
// sorted sets) hold mu shared. Plain string reads (GET and friends) take no
// lock at all: they read the dictionary and the entry's sequence-locked value
// (see package keyspace), unless multi is non-zero, which means a command is
// applying writes to several keys and a lock-free reader could observe half
// of them — then they take the shared lock too.
type Shard struct {
	mu    sync.RWMutex // protects dict mutations and all container contents
	dict  *keyspace.Dict
	multi atomic.Int32
	en    *Engine
	idx   int

	expired atomic.Uint64 // keys removed because their TTL passed
	evicted atomic.Uint64 // keys removed by the memory policy
	used    atomic.Int64  // estimated heap bytes of the keys; written under mu
	journal *Journal      // the write log buffer; nil when persistence is off or while loading
	snap    *Snapshot     // the point-in-time copy being taken, if any
	events  []Event       // key events waiting for the lock's release; under mu
	txMark  uint64        // id of the newest multi-shard transaction applied; under mu
	changes uint64        // changes made, one per key event (Redis's dirty counter); under mu
	// borrowed is set while a write runs on arguments that are views of
	// its caller's buffer (Ctx.Borrowed): what the shard keeps of them, a
	// new key's name and the keys of queued events, it copies. Under mu.
	borrowed bool

	// Readers cannot delete the expired keys they find, so they note them
	// here and reapNoted deletes them once the reader's lock is released.
	reapMu   sync.Mutex // protects reapKeys
	reapKeys []string
	reapFlag atomic.Bool // reapKeys is not empty

	_ [64]byte // keep shards on separate cache lines
}

func newShard(en *Engine, i int) *Shard {
	return &Shard{dict: keyspace.NewDict(), en: en, idx: i}
}

// TxMark returns the id of the newest transaction over several shards
// applied to the shard (see Hold.Release). Shard lock held.
func (sh *Shard) TxMark() uint64 { return sh.txMark }

// SetTxMark raises the shard's transaction mark to id, for a loader that
// applied a transaction or a snapshot holding it. Exclusive lock held.
func (sh *Shard) SetTxMark(id uint64) {
	sh.txMark = max(sh.txMark, id)
	sh.en.ObserveTxID(id)
}

// Index returns the shard's position in the engine.
func (sh *Shard) Index() int { return sh.idx }

// Lock acquires the shard exclusively.
func (sh *Shard) Lock() { sh.mu.Lock() }

// Unlock releases an exclusive hold.
func (sh *Shard) Unlock() { sh.mu.Unlock() }

// RLock acquires the shard shared.
func (sh *Shard) RLock() { sh.mu.RLock() }

// RUnlock releases a shared hold.
func (sh *Shard) RUnlock() { sh.mu.RUnlock() }

// BeginMulti marks the start of a multi-key write on a locked shard.
func (sh *Shard) BeginMulti() { sh.multi.Add(1) }

// EndMulti marks its end.
func (sh *Shard) EndMulti() { sh.multi.Add(-1) }

// Len returns the number of keys, including expired ones not yet reaped
// (as Redis's DBSIZE). Lock held.
func (sh *Shard) Len() int { return sh.dict.Len() }

// peek returns key's entry if present and not expired at now, without
// deleting anything. Lock (either kind) held.
func (sh *Shard) peek(key string, now int64) *keyspace.Entry {
	e := sh.dict.Lookup(key, sh.dict.Hash(key))
	if e == nil {
		return nil
	}
	if x := e.Exp(); x != 0 && now > x {
		return nil
	}
	return e
}

// lookupWrite returns key's live entry, first deleting it if its TTL has
// passed (Redis's lookupKeyWrite); the snapshot and the eviction stamp see
// the write. Exclusive lock held.
func (sh *Shard) lookupWrite(key string, h uint64) *keyspace.Entry {
	return sh.lookupWriteAs(key, h, false)
}

// lookupWriteAccounted is lookupWrite for a write that keeps the memory
// accounting itself (a direct path): an expired key's size is taken off
// the shard's count as it is deleted. Exclusive lock held.
func (sh *Shard) lookupWriteAccounted(key string, h uint64) *keyspace.Entry {
	return sh.lookupWriteAs(key, h, true)
}

func (sh *Shard) lookupWriteAs(key string, h uint64, accounted bool) *keyspace.Entry {
	e := sh.dict.Lookup(key, h)
	if e == nil {
		return nil
	}
	if x := e.Exp(); x != 0 && sh.en.Now() > x {
		if accounted {
			sh.expireUnmeasured(e)
		} else {
			sh.expireEntry(e)
		}
		return nil
	}
	sh.touch(e)
	sh.en.touchAccess(e)
	return e
}

// remove deletes e from the keyspace. Exclusive lock held.
func (sh *Shard) remove(e *keyspace.Entry) {
	sh.touch(e)
	sh.dict.Delete(e)
}

// expireEntry deletes e because its TTL passed. Exclusive lock held.
// Callers that are not measured by the dispatcher (the reaper) subtract the
// key's size themselves; see memory.go.
func (sh *Shard) expireEntry(e *keyspace.Entry) {
	sh.touch(e)
	sh.dict.Delete(e)
	sh.expired.Add(1)
	sh.log("DEL", e.Key)
	sh.notify(ClassExpired, "expired", e.Key)
}

// expireUnmeasured is expireEntry for callers outside the dispatcher's
// size measurement (the reapers, Engine.Set): it also takes the key's size
// off the shard's accounting. Exclusive lock held.
func (sh *Shard) expireUnmeasured(e *keyspace.Entry) {
	sh.used.Add(-entrySize(e))
	sh.expireEntry(e)
}

// noteExpired records that a reader found key expired.
func (sh *Shard) noteExpired(key string) {
	sh.reapMu.Lock()
	if len(sh.reapKeys) < 1024 {
		// A copy: key may be a view of the caller's buffer (FlagBorrowArgs).
		sh.reapKeys = append(sh.reapKeys, strings.Clone(key))
	}
	sh.reapMu.Unlock()
	sh.reapFlag.Store(true)
}

// reapNoted deletes the keys readers found expired, as Redis deletes an
// expired key on access. Called with no lock held.
func (sh *Shard) reapNoted() {
	if !sh.reapFlag.Load() {
		return
	}
	sh.mu.Lock()
	sh.reapMu.Lock()
	keys := sh.reapKeys
	sh.reapKeys = nil
	sh.reapFlag.Store(false)
	sh.reapMu.Unlock()
	now := sh.en.Now()
	for _, k := range keys {
		if e := sh.dict.Lookup(k, sh.dict.Hash(k)); e != nil && e.Exp() != 0 && now > e.Exp() {
			sh.expireUnmeasured(e)
		}
	}
	evs := sh.takeEvents(nil)
	sh.mu.Unlock()
	sh.en.deliver(evs)
}

// log appends a write's effect to the shard's journal (when persistence is
// on). Exclusive lock held.
func (sh *Shard) log(args ...string) {
	if sh.journal != nil {
		sh.journal.append(args)
	}
}

// logSet logs SET key val.
func (sh *Shard) logSet(key, val string) {
	if sh.journal != nil {
		sh.journal.appendSet(key, val)
	}
}

// logv is log for a command with a variable tail of arguments.
func (sh *Shard) logv(cmd, key string, rest []string) {
	if sh.journal != nil {
		sh.journal.appendv(cmd, key, rest)
	}
}

// SetJournal attaches (or, with nil, detaches) the shard's journal. Called
// before the store is shared, or with the shard lock held.
func (sh *Shard) SetJournal(j *Journal) { sh.journal = j }

// Journal returns the shard's journal, nil when persistence is off.
func (sh *Shard) Journal() *Journal { return sh.journal }
