// Package keyspace holds one shard's dictionary of keys: an open-addressing
// hash table whose lookups are lock-free, the index of keys that carry a TTL,
// and the per-key entry with its value and deadline.
//
// # Concurrency
//
// The package has no locks of its own. Exactly one goroutine at a time may
// mutate a Dict or an Entry (the shard's writer, holding the shard lock), while
// any number of goroutines may call the lock-free readers (Dict.Lookup,
// Entry.Snapshot) at the same time. Every field that a lock-free reader touches
// is accessed atomically, so the race detector sees no races; a writer never
// moves or reuses an Entry that readers may hold, and rebuilds of the table
// happen beside the live one and are published with one atomic store.
//
// A string value is published with a sequence lock: a writer bumps the
// sequence to odd, stores pointer, length and deadline, and bumps it back to
// even; a reader retries until it sees the same even sequence before and after
// its loads. Readers therefore never write shared memory, which is what lets
// GET scale across cores.
package keyspace

import (
	"runtime"
	"sync/atomic"
	"unsafe"
)

// Kind is the Redis type of a value.
type Kind int8

// The five Redis types. KindNone marks a missing key.
const (
	KindNone Kind = iota
	KindString
	KindList
	KindSet
	KindZSet
	KindHash
)

// String returns the name TYPE replies with.
func (k Kind) String() string {
	switch k {
	case KindString:
		return "string"
	case KindList:
		return "list"
	case KindSet:
		return "set"
	case KindZSet:
		return "zset"
	case KindHash:
		return "hash"
	}
	return "none"
}

// Entry is one key of the keyspace. Key and the hash are immutable once the
// entry is published; the value and deadline change under the sequence lock.
type Entry struct {
	Key  string
	hash uint64

	seq atomic.Uint32 // odd while a writer is updating ptr/n/exp
	// Access is an eviction stamp (LRU clock or LFU counter) that readers may
	// update with a plain atomic store; it is not covered by seq.
	Access atomic.Uint32
	ptr    unsafe.Pointer // string data or container; accessed atomically
	n      atomic.Int64   // >= 0: string length; < 0: -Kind of a container
	exp    atomic.Int64   // deadline in Unix milliseconds; 0 = no TTL

	ttlIdx int32 // position in Dict.ttl + 1; 0 = not indexed. Writer only.
	// Flags holds writer-only per-key bits the engine uses (e.g. the
	// string's encoding once APPEND made it "raw").
	Flags uint8
	// Gen is the snapshot generation the entry was created in or last
	// captured for (see Dict.Gen). Writer only.
	Gen uint16
}

// FlagOwned, in Entry.Flags, marks a string value whose bytes are a buffer
// the engine allocated for the entry, with room past the value's length
// that no reader has seen (APPEND grows it in place). SetStr and SetObj
// clear it; a caller that gives another entry the same value must clear it
// in the copy. The engine's own flags use the other bits.
const FlagOwned uint8 = 1 << 6

// NewEntry returns an unpublished entry for key holding the string val.
func NewEntry(key string, hash uint64, val string) *Entry {
	e := &Entry{Key: key, hash: hash}
	atomic.StorePointer(&e.ptr, unsafe.Pointer(unsafe.StringData(val)))
	e.n.Store(int64(len(val)))
	return e
}

// NewObjectEntry returns an unpublished entry for key holding a container of
// kind k (never KindString).
func NewObjectEntry(key string, hash uint64, k Kind, obj unsafe.Pointer) *Entry {
	e := &Entry{Key: key, hash: hash}
	atomic.StorePointer(&e.ptr, obj)
	e.n.Store(-int64(k))
	return e
}

// Hash returns the dictionary hash of the entry's key.
func (e *Entry) Hash() uint64 { return e.hash }

// Snapshot is a consistent view of an entry's value and deadline.
type Snapshot struct {
	ptr unsafe.Pointer
	n   int64
	Exp int64 // deadline in Unix ms, 0 = none
}

// Kind returns the type of the value.
func (s Snapshot) Kind() Kind {
	if s.n >= 0 {
		return KindString
	}
	return Kind(-s.n)
}

// Str returns the string value; it is only meaningful if Kind is KindString.
func (s Snapshot) Str() string {
	if s.n <= 0 {
		return ""
	}
	return unsafe.String((*byte)(s.ptr), int(s.n))
}

// Ptr returns the container pointer of a non-string value.
func (s Snapshot) Ptr() unsafe.Pointer { return s.ptr }

// Expired reports whether the deadline has passed at now (Redis: now > deadline).
func (s Snapshot) Expired(now int64) bool { return s.Exp != 0 && now > s.Exp }

// Snapshot reads the value and deadline without locks. It is safe to call
// concurrently with one writer.
func (e *Entry) Snapshot() Snapshot {
	for spins := 0; ; spins++ {
		s1 := e.seq.Load()
		if s1&1 == 0 {
			p := atomic.LoadPointer(&e.ptr)
			n := e.n.Load()
			x := e.exp.Load()
			if e.seq.Load() == s1 {
				return Snapshot{ptr: p, n: n, Exp: x}
			}
		}
		if spins > 16 {
			runtime.Gosched() // the writer may have been descheduled mid-update
		}
	}
}

// Kind returns the value's type. Writer (or lock holder) only.
func (e *Entry) Kind() Kind {
	if n := e.n.Load(); n < 0 {
		return Kind(-n)
	}
	return KindString
}

// Str returns the string value. Writer (or lock holder) only.
func (e *Entry) Str() string {
	n := e.n.Load()
	if n <= 0 {
		return ""
	}
	return unsafe.String((*byte)(atomic.LoadPointer(&e.ptr)), int(n))
}

// Ptr returns the container of a non-string value. Writer (or lock holder) only.
func (e *Entry) Ptr() unsafe.Pointer { return atomic.LoadPointer(&e.ptr) }

// Exp returns the deadline in Unix ms (0 = none).
func (e *Entry) Exp() int64 { return e.exp.Load() }

// SetStr replaces the value with the string s and, unless keepTTL, clears the
// deadline. Writer only.
func (e *Entry) SetStr(s string, keepTTL bool, d *Dict) {
	e.Flags &^= FlagOwned
	e.seq.Add(1)
	atomic.StorePointer(&e.ptr, unsafe.Pointer(unsafe.StringData(s)))
	if n := int64(len(s)); e.n.Load() != n { // an atomic store is a full barrier; skip it when it changes nothing
		e.n.Store(n)
	}
	if !keepTTL && e.exp.Load() != 0 {
		e.exp.Store(0)
		d.unindexTTL(e)
	}
	e.seq.Add(1)
}

// SetObj replaces the value with a container of kind k and clears the
// deadline unless keepTTL. Writer only.
func (e *Entry) SetObj(k Kind, obj unsafe.Pointer, keepTTL bool, d *Dict) {
	e.Flags &^= FlagOwned
	e.seq.Add(1)
	atomic.StorePointer(&e.ptr, obj)
	e.n.Store(-int64(k))
	if !keepTTL && e.exp.Load() != 0 {
		e.exp.Store(0)
		d.unindexTTL(e)
	}
	e.seq.Add(1)
}
