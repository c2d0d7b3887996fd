package engine

import (
	"github.com/kevy-go/kevy/internal/keyspace"
	"github.com/kevy-go/kevy/internal/rdb"
)

// Point-in-time snapshots without a pause that grows with the dataset.
//
// A snapshot of a shard starts at an instant P (shard lock held): the
// dictionary's generation is raised, so every key created after P carries
// the new generation and every key that existed at P an older one. The
// snapshot then walks the slot array that was current at P in batches,
// taking the lock for each batch only. A writer that is about to change or
// delete a key that existed at P and was not visited yet first captures its
// value as of P (touch); the walk emits captured values instead of current
// ones, skips keys of the new generation (created after P, or already
// emitted), and finally emits the captured keys it never met (deleted after
// P). The result is exactly the state at P, while writers only ever wait
// for one batch, or copy one key they touch.
//
// The slot array stays valid for the walk: entries never move within a
// table, a rebuild or FLUSHALL publishes a new table and leaves the old one
// untouched, and keys inserted into it after P are skipped by generation.

// SnapItem is one key of a snapshot.
type SnapItem struct {
	Key      string
	Obj      rdb.Object
	ExpireAt int64 // Unix ms, 0 = none
}

// Snapshot is an in-progress point-in-time copy of one shard.
type Snapshot struct {
	sh       *Shard
	slots    keyspace.Slots
	next     int
	now      int64 // the time at P: keys already expired then are left out
	captured map[*keyspace.Entry]SnapItem
	order    []*keyspace.Entry // captured entries in capture order
	done     bool

	// Captured counts keys writers preserved for the snapshot.
	Captured int

	// TxMark is the shard's transaction mark at P: every transaction over
	// several shards with an id up to it is in the snapshot, none after.
	TxMark uint64
}

// BeginSnapshot marks P for the shard. The caller holds the shard lock, so
// that it can switch the shard's log at the same instant; it must Close the
// snapshot (Next returning done does) before starting another.
func (sh *Shard) BeginSnapshot() *Snapshot {
	sh.dict.Gen++
	s := &Snapshot{sh: sh, slots: sh.dict.Slots(), now: sh.en.Now(), captured: map[*keyspace.Entry]SnapItem{},
		TxMark: sh.txMark}
	sh.snap = s
	return s
}

// touch preserves e's value as of P before a writer changes or deletes it.
// Exclusive lock held.
func (sh *Shard) touch(e *keyspace.Entry) {
	if s := sh.snap; s != nil && e.Gen != sh.dict.Gen {
		e.Gen = sh.dict.Gen
		if x := e.Exp(); x != 0 && x < s.now {
			return // already expired at P
		}
		s.captured[e] = SnapItem{Key: e.Key, Obj: objectFromEntry(e), ExpireAt: e.Exp()}
		s.order = append(s.order, e)
		s.Captured++
	}
}

// Next appends up to max keys of the snapshot to out, taking the shard
// lock once, and reports whether the snapshot is complete.
func (s *Snapshot) Next(out []SnapItem, max int) ([]SnapItem, bool) {
	if s.done {
		return out, true
	}
	sh := s.sh
	sh.mu.Lock()
	defer sh.mu.Unlock()
	gen := sh.dict.Gen
	for n := 0; s.next < s.slots.Len() && n < max; s.next++ {
		e := s.slots.At(s.next)
		if e == nil {
			continue
		}
		if it, ok := s.captured[e]; ok {
			out = append(out, it)
			delete(s.captured, e)
			n++
			continue
		}
		if e.Gen == gen {
			continue // created after P, or emitted already
		}
		e.Gen = gen
		if x := e.Exp(); x != 0 && x < s.now {
			continue
		}
		out = append(out, SnapItem{Key: e.Key, Obj: objectFromEntry(e), ExpireAt: e.Exp()})
		n++
	}
	if s.next < s.slots.Len() {
		return out, false
	}
	// Keys deleted after P before the walk reached them.
	for _, e := range s.order {
		if it, ok := s.captured[e]; ok {
			out = append(out, it)
		}
	}
	s.captured, s.order = nil, nil
	s.done = true
	if sh.snap == s {
		sh.snap = nil
	}
	return out, true
}

// Close abandons the snapshot (after an error writing it).
func (s *Snapshot) Close() {
	sh := s.sh
	sh.mu.Lock()
	if sh.snap == s {
		sh.snap = nil
	}
	s.done = true
	sh.mu.Unlock()
}

// LoadObject makes key hold obj with deadline expireAt (Unix ms, 0 = none),
// replacing any value, keeping the memory accounting, and logging nothing:
// the loading path of snapshots. Exclusive lock held.
func (sh *Shard) LoadObject(key string, obj rdb.Object, expireAt int64) {
	before := sh.keySize(key)
	if e := sh.dict.Lookup(key, sh.dict.Hash(key)); e != nil {
		sh.remove(e)
	}
	sh.restoreObject(key, obj, expireAt)
	sh.used.Add(sh.keySize(key) - before)
}
