package engine

import (
	"unsafe"

	"github.com/kevy-go/kevy/internal/keyspace"
	"github.com/kevy-go/kevy/internal/types"
)

// Memory accounting. Each shard keeps used, the estimated heap bytes of its
// keys: the entry, its share of the dictionary's slots, the key and the
// value. Writers keep it current: the typed fast paths adjust it inline, the
// dispatcher measures the keys a write command names before and after it
// runs, and deletions by expiry subtract. The estimate follows the Go
// allocator's size classes (types.AllocSize), so it tracks what
// runtime.MemStats.HeapAlloc really grows by.

var entryCost = int64(types.AllocSize(int(unsafe.Sizeof(keyspace.Entry{})), true))

// slotCost is a key's share of the dictionary's slot array: 8 bytes per slot
// at a load between 3/8 and 3/4.
const slotCost = 14

// entrySize estimates the heap bytes key e holds.
func entrySize(e *keyspace.Entry) int64 {
	n := entryCost + slotCost + int64(types.StringCost(len(e.Key)))
	if e.Exp() != 0 {
		n += 8 // TTL index slot
	}
	switch e.Kind() {
	case keyspace.KindString:
		n += stringValueCost(e)
	case keyspace.KindHash:
		n += int64(hashOf(e).MemoryUsage())
	case keyspace.KindList:
		n += int64(listOf(e).MemoryUsage())
	case keyspace.KindSet:
		n += int64(setOf(e).MemoryUsage())
	case keyspace.KindZSet:
		n += int64(zsetOf(e).MemoryUsage())
	}
	return n
}

// stringValueCost is the heap behind e's string value: a string of its
// length, or the whole buffer of a value APPEND grows in place.
func stringValueCost(e *keyspace.Entry) int64 {
	n := len(e.Str())
	if e.Flags&keyspace.FlagOwned != 0 && n > 0 {
		return int64(types.AllocSize(appendCap(n), false))
	}
	return int64(types.StringCost(n))
}

// keySize is entrySize of key's entry, 0 when absent (expired or not).
// Lock held.
func (sh *Shard) keySize(key string) int64 {
	if e := sh.dict.Lookup(key, sh.dict.Hash(key)); e != nil {
		return entrySize(e)
	}
	return 0
}

// MemoryUsage returns the estimated heap bytes of key, or -1 if missing.
func (en *Engine) MemoryUsage(key string) int64 {
	sh := en.ShardOf(key)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	e := sh.lookupRead(key)
	if e == nil {
		return -1
	}
	return entrySize(e)
}

// UsedMemory returns the estimated heap bytes of the whole keyspace.
func (en *Engine) UsedMemory() int64 {
	var n int64
	for _, sh := range en.shards {
		n += sh.used.Load()
	}
	return n
}

// measured runs fn, a write on the keys keys of shard-locked c, and adds the
// change in their sizes to the shards' accounting.
func (c *Ctx) measured(keys []int, fn func(*Ctx)) {
	if len(keys) == 1 {
		// One key: look it up once. If no key was inserted or deleted
		// meanwhile (the dictionary's Version), the entry found is still
		// the key's (or the key still absent) and needs no second lookup.
		key := c.Args[keys[0]]
		sh := c.shard(key)
		d := sh.dict
		var before int64
		e := d.Lookup(key, d.Hash(key))
		if e != nil {
			before = entrySize(e)
		}
		ver := d.Version
		fn(c)
		after := int64(0)
		if d.Version != ver {
			after = sh.keySize(key)
		} else if e != nil {
			after = entrySize(e)
		}
		sh.used.Add(after - before)
		return
	}
	var before [8]int64
	var big []int64
	sizes := before[:0]
	if len(keys) > len(before) {
		big = make([]int64, 0, len(keys))
		sizes = big
	}
	for n, i := range keys {
		if dupKey(c.Args, keys[:n], c.Args[i]) {
			sizes = append(sizes, 0)
			continue
		}
		sizes = append(sizes, c.shard(c.Args[i]).keySize(c.Args[i]))
	}
	fn(c)
	for n, i := range keys {
		if dupKey(c.Args, keys[:n], c.Args[i]) {
			continue
		}
		sh := c.shard(c.Args[i])
		sh.used.Add(sh.keySize(c.Args[i]) - sizes[n])
	}
}

func dupKey(args []string, earlier []int, key string) bool {
	for _, j := range earlier {
		if args[j] == key {
			return true
		}
	}
	return false
}
