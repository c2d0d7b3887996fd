package engine

import (
	"github.com/kevy-go/kevy/internal/hll"
	"github.com/kevy-go/kevy/internal/keyspace"
)

// HyperLogLog commands. The values are Redis's own HyperLogLog strings,
// built and read by package hll; this file owns keys, types, TTLs and the
// order in which Redis reports errors.

// PFAdd adds elems to the HyperLogLog at key, creating it when missing, and
// reports whether it changed (always true for a new key). The TTL is kept.
// Exclusive lock held.
func (sh *Shard) PFAdd(key string, elems []string) (bool, error) {
	d := sh.dict
	e := sh.lookupWrite(key, d.Hash(key))
	var cur string
	if e != nil {
		if e.Kind() != keyspace.KindString {
			return false, ErrWrongType
		}
		cur = e.Str()
	}
	next, changed, err := hll.Add(cur, e != nil, sh.en.HLLSparseMax(), elems...)
	if err == hll.ErrInvalid {
		return false, err
	}
	created := e == nil
	if created {
		e = keyspace.NewEntry(key, d.Hash(key), next)
		d.Insert(e)
		sh.notify(ClassNew, "new", key)
	} else if next != cur {
		// On ErrCorrupt Redis keeps the registers it set before the
		// corruption was found.
		e.SetStr(next, true, d)
	}
	e.Flags = flagRaw // Redis unshares the value into a raw string
	if created || next != cur {
		// The effect is the resulting value: exact even for the partial
		// update a corrupt value gets.
		sh.log("SET", key, next, "KEEPTTL")
	}
	if err != nil {
		return false, err
	}
	if changed {
		sh.notify(ClassString, "pfadd", key)
	}
	return changed, nil
}

// PFCountOne is PFCOUNT of a single key: 0 when missing. A stale cached
// cardinality is recomputed and stored back, as Redis does, so the caller
// holds key's shard exclusively.
func (sh *Shard) PFCountOne(key string) (int64, error) {
	e := sh.lookupWrite(key, sh.dict.Hash(key))
	if e == nil {
		return 0, nil
	}
	if e.Kind() != keyspace.KindString {
		return 0, ErrWrongType
	}
	v := e.Str()
	if !hll.Valid(v) {
		return 0, hll.ErrInvalid
	}
	e.Flags = flagRaw // Redis unshares the value into a raw string
	n, updated, err := hll.Count([]string{v})
	if err != nil {
		return 0, err
	}
	if updated != "" && updated != v {
		e.SetStr(updated, true, sh.dict)
		sh.log("PFCOUNT", key)
	}
	return int64(n), nil
}

// hllValues collects the HyperLogLog values of keys in order, skipping
// missing keys. When a key holds another type, vals stops before it and
// wrongType is true: Redis reports that key only if every value before it
// is a well-formed HyperLogLog, which the caller checks first. Either lock
// held on every shard of keys.
func (en *Engine) hllValues(keys []string, write bool) (vals []string, wrongType bool) {
	for _, k := range keys {
		sh := en.ShardOf(k)
		var e *keyspace.Entry
		if write {
			e = sh.lookupWrite(k, sh.dict.Hash(k))
		} else {
			e = sh.lookupRead(k)
		}
		if e == nil {
			continue
		}
		if e.Kind() != keyspace.KindString {
			return vals, true
		}
		vals = append(vals, e.Str())
	}
	return vals, false
}

// PFCountUnion is PFCOUNT of several keys: the cardinality of the union of
// their HyperLogLogs, missing keys counting as empty. Nothing is written.
// The caller holds the keys' shards (either lock).
func (en *Engine) PFCountUnion(keys []string) (int64, error) {
	vals, wrong := en.hllValues(keys, false)
	n, err := hll.CountUnion(vals...)
	if err != nil {
		return 0, err
	}
	if wrong {
		return 0, ErrWrongType
	}
	return int64(n), nil
}

// PFMerge stores at dest the union of the HyperLogLogs at dest and srcs
// (missing keys count as empty), creating dest when missing and keeping its
// TTL otherwise. The caller holds the shards of dest and srcs exclusively.
func (en *Engine) PFMerge(dest string, srcs []string) error {
	sh := en.ShardOf(dest)
	d := sh.dict
	e := sh.lookupWrite(dest, d.Hash(dest))
	var cur string
	if e != nil {
		if e.Kind() != keyspace.KindString {
			return ErrWrongType
		}
		cur = e.Str()
		if !hll.Valid(cur) {
			return hll.ErrInvalid
		}
	}
	vals, wrong := en.hllValues(srcs, true)
	next, err := hll.Merge(cur, e != nil, en.HLLSparseMax(), vals...)
	if err != nil {
		return err
	}
	if wrong {
		return ErrWrongType
	}
	if e == nil {
		e = keyspace.NewEntry(dest, d.Hash(dest), next)
		d.Insert(e)
		sh.notify(ClassNew, "new", dest)
	} else {
		e.SetStr(next, true, d)
	}
	e.Flags = flagRaw
	sh.log("SET", dest, next, "KEEPTTL")
	sh.notify(ClassString, "pfadd", dest)
	return nil
}

func init() {
	register(
		&Command{Name: "pfadd", Arity: -2, Flags: FlagWrite | FlagDenyOOM | FlagFast, First: 1, Last: 1, Step: 1, Run: pfaddCmd},
		// PFCOUNT is read-only for Redis, but PFCOUNT of one key stores the
		// refreshed cache: it locks that shard exclusively itself.
		&Command{Name: "pfcount", Arity: -2, Flags: FlagReadOnly | FlagSelfLock, First: 1, Last: -1, Step: 1, Run: pfcountCmd},
		&Command{Name: "pfmerge", Arity: -2, Flags: FlagWrite | FlagDenyOOM, First: 1, Last: -1, Step: 1, Run: pfmergeCmd},
	)
}

func pfaddCmd(c *Ctx) {
	changed, err := c.shard(c.Args[1]).PFAdd(c.Args[1], c.Args[2:])
	c.intOrErr(b2i(changed), err)
}

func pfcountCmd(c *Ctx) {
	keys := c.Args[1:]
	var n int64
	var err error
	switch {
	case len(keys) == 1 && c.Held != nil:
		n, err = c.shard(keys[0]).PFCountOne(keys[0])
	case len(keys) == 1:
		c.En.Write(keys[0], func(sh *Shard) { n, err = sh.PFCountOne(keys[0]) })
	case c.Held != nil:
		n, err = c.En.PFCountUnion(keys)
	default:
		unlock := c.En.Lock(keys, false)
		n, err = c.En.PFCountUnion(keys)
		unlock()
	}
	c.intOrErr(n, err)
}

func pfmergeCmd(c *Ctx) {
	if err := c.En.PFMerge(c.Args[1], c.Args[2:]); err != nil {
		c.err(err)
		return
	}
	c.ok()
}
