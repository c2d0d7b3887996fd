package engine

import (
	"math/rand/v2"
	"strings"
	"unsafe"

	"github.com/kevy-go/kevy/internal/keyspace"
	"github.com/kevy-go/kevy/internal/types"
)

// lockedRand is a math/rand/v2 Rand safe for concurrent use: its source is
// the runtime's per-thread generator. Shared-lock readers (SRANDMEMBER,
// HRANDFIELD) use it, so no generator state sits under a shard lock.
var lockedRand = rand.New(runtimeSource{})

type runtimeSource struct{}

func (runtimeSource) Uint64() uint64 { return rand.Uint64() }

// Kinds re-exported for the public package.
const (
	KindNone   = keyspace.KindNone
	KindString = keyspace.KindString
	KindList   = keyspace.KindList
	KindSet    = keyspace.KindSet
	KindZSet   = keyspace.KindZSet
	KindHash   = keyspace.KindHash
)

// lookupRead returns key's live entry for a reader holding either lock.
func (sh *Shard) lookupRead(key string) *keyspace.Entry {
	e := sh.dict.Lookup(key, sh.dict.Hash(key))
	if e == nil {
		return nil
	}
	if x := e.Exp(); x != 0 && sh.en.readNow() > x {
		sh.noteExpired(key)
		return nil
	}
	sh.en.touchAccess(e)
	return e
}

// object looks key up for reading (write=false, either lock held) or
// writing (exclusive lock held) and checks its type. It returns a nil entry
// for a missing key and ErrWrongType for another type.
func (sh *Shard) object(key string, k keyspace.Kind, write bool) (*keyspace.Entry, error) {
	var e *keyspace.Entry
	if write {
		e = sh.lookupWrite(key, sh.dict.Hash(key))
	} else {
		e = sh.lookupRead(key)
	}
	if e == nil {
		return nil, nil
	}
	if e.Kind() != k {
		return nil, ErrWrongType
	}
	return e, nil
}

// addObject creates key holding a new container. Exclusive lock held; key
// must be absent (callers looked it up with lookupWrite).
func (sh *Shard) addObject(key string, k keyspace.Kind, p unsafe.Pointer) *keyspace.Entry {
	if sh.borrowed {
		key = strings.Clone(key)
	}
	e := keyspace.NewObjectEntry(key, sh.dict.Hash(key), k, p)
	sh.dict.Insert(e)
	return e
}

// dropIfEmpty deletes a container key that has no elements left, as Redis
// does. Exclusive lock held.
func (sh *Shard) dropIfEmpty(e *keyspace.Entry, n int) {
	if n == 0 {
		sh.remove(e)
	}
}

func hashOf(e *keyspace.Entry) *types.Hash { return (*types.Hash)(e.Ptr()) }
func listOf(e *keyspace.Entry) *types.List { return (*types.List)(e.Ptr()) }
func setOf(e *keyspace.Entry) *types.Set   { return (*types.Set)(e.Ptr()) }
func zsetOf(e *keyspace.Entry) *types.ZSet { return (*types.ZSet)(e.Ptr()) }

// encoding returns what OBJECT ENCODING replies for e.
func encoding(e *keyspace.Entry) string {
	switch e.Kind() {
	case keyspace.KindString:
		s := e.Str()
		if e.Flags&flagRaw != 0 {
			return "raw"
		}
		if e.Flags&flagNotInt == 0 && len(s) <= 20 {
			if _, ok := ParseInt(s); ok {
				return "int"
			}
		}
		if len(s) <= 44 {
			return "embstr"
		}
		return "raw"
	case keyspace.KindHash:
		return hashOf(e).Encoding()
	case keyspace.KindList:
		return listOf(e).Encoding()
	case keyspace.KindSet:
		return setOf(e).Encoding()
	case keyspace.KindZSet:
		return zsetOf(e).Encoding()
	}
	return ""
}

// cloneValue returns a deep copy of e's value for COPY and cross-shard
// RENAME.
func cloneValue(e *keyspace.Entry) (keyspace.Kind, unsafe.Pointer, string) {
	switch k := e.Kind(); k {
	case keyspace.KindString:
		return k, nil, e.Str()
	case keyspace.KindHash:
		return k, unsafe.Pointer(hashOf(e).Clone()), ""
	case keyspace.KindList:
		return k, unsafe.Pointer(listOf(e).Clone()), ""
	case keyspace.KindSet:
		return k, unsafe.Pointer(setOf(e).Clone()), ""
	default:
		return k, unsafe.Pointer(zsetOf(e).Clone()), ""
	}
}

// readObject returns key's container of kind k as a *T, nil when missing.
// Either lock held.
func readObject[T any](sh *Shard, key string, k keyspace.Kind) (*T, error) {
	e, err := sh.object(key, k, false)
	if e == nil || err != nil {
		return nil, err
	}
	return (*T)(e.Ptr()), nil
}

// writeObject returns key's entry and container of kind k, nil when
// missing; a key whose TTL passed is deleted first. Exclusive lock held.
func writeObject[T any](sh *Shard, key string, k keyspace.Kind) (*keyspace.Entry, *T, error) {
	e, err := sh.object(key, k, true)
	if e == nil || err != nil {
		return nil, nil, err
	}
	return e, (*T)(e.Ptr()), nil
}

// newObject creates key holding c, announcing the new key. Exclusive lock
// held; key absent.
func newObject[T any](sh *Shard, key string, k keyspace.Kind, c *T) *T {
	sh.addObject(key, k, unsafe.Pointer(c))
	sh.notify(ClassNew, "new", key)
	return c
}
