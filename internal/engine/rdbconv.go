package engine

import (
	"unsafe"

	"github.com/kevy-go/kevy/internal/keyspace"
	"github.com/kevy-go/kevy/internal/rdb"
	"github.com/kevy-go/kevy/internal/types"
)

// Conversions between the engine's containers and package rdb's neutral
// value model, shared by DUMP/RESTORE and persistence.

// objectFromEntry returns e's value as an rdb.Object: a copy of the
// elements, in the container's own order (a small hash's insertion order, a
// sorted set's rank order), so the object stays valid after the lock is
// released. Lock (either kind) held.
func objectFromEntry(e *keyspace.Entry) rdb.Object {
	switch e.Kind() {
	case keyspace.KindString:
		return rdb.Object{Kind: rdb.KindString, Str: e.Str()}
	case keyspace.KindList:
		l := listOf(e)
		out := make([]string, 0, l.Len())
		l.All(func(v string) bool { out = append(out, v); return true })
		return rdb.Object{Kind: rdb.KindList, List: out}
	case keyspace.KindSet:
		s := setOf(e)
		out := make([]string, 0, s.Len())
		s.All(func(m string) bool { out = append(out, m); return true })
		return rdb.Object{Kind: rdb.KindSet, Set: out}
	case keyspace.KindHash:
		h := hashOf(e)
		out := make([]string, 0, 2*h.Len())
		h.All(func(f, v string) bool { out = append(out, f, v); return true })
		return rdb.Object{Kind: rdb.KindHash, Hash: out}
	default:
		z := zsetOf(e)
		out := make([]rdb.ZMember, 0, z.Len())
		for m, sc := range z.All() {
			out = append(out, rdb.ZMember{Member: m, Score: sc})
		}
		return rdb.Object{Kind: rdb.KindZSet, ZSet: out}
	}
}

// dumpEntry returns the DUMP payload of e's value. Lock held.
func dumpEntry(e *keyspace.Entry) string { return rdb.EncodeDump(objectFromEntry(e)) }

// restoreObject creates key holding obj, with deadline expireAt (Unix ms, 0
// for none), and returns its entry. Containers are built element by element
// under the engine's current encoding limits, so a small hash becomes a
// listpack and a set of integers an intset, as when Redis loads a value.
// key must be absent (the caller deleted it) and obj valid (no empty
// collection, no duplicates: what rdb.DecodeDump and rdb.Reader return).
// Nothing is journaled. Exclusive lock held.
func (sh *Shard) restoreObject(key string, obj rdb.Object, expireAt int64) *keyspace.Entry {
	h := sh.dict.Hash(key)
	var e *keyspace.Entry
	switch obj.Kind {
	case rdb.KindString:
		e = keyspace.NewEntry(key, h, obj.Str)
	case rdb.KindList:
		l := types.NewList()
		l.PushBack(obj.List...)
		e = keyspace.NewObjectEntry(key, h, keyspace.KindList, unsafe.Pointer(l))
	case rdb.KindSet:
		s := types.NewSet(sh.en.limits)
		for _, m := range obj.Set {
			s.Add(m)
		}
		e = keyspace.NewObjectEntry(key, h, keyspace.KindSet, unsafe.Pointer(s))
	case rdb.KindHash:
		hs := types.NewHash(sh.en.limits)
		for i := 0; i+1 < len(obj.Hash); i += 2 {
			hs.Set(obj.Hash[i], obj.Hash[i+1])
		}
		e = keyspace.NewObjectEntry(key, h, keyspace.KindHash, unsafe.Pointer(hs))
	default:
		z := types.NewZSet(sh.en.zlimits)
		for _, m := range obj.ZSet {
			z.Add(m.Member, m.Score)
		}
		e = keyspace.NewObjectEntry(key, h, keyspace.KindZSet, unsafe.Pointer(z))
	}
	sh.dict.Insert(e)
	if expireAt != 0 {
		sh.dict.SetExpire(e, expireAt)
	}
	return e
}
