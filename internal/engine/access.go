package engine

import (
	"slices"

	"github.com/kevy-go/kevy/internal/keyspace"
	"github.com/kevy-go/kevy/internal/types"
)

// Access paths for the typed API. Each takes the key's shard lock, runs a
// core, keeps the memory accounting, and releases the lock; the command
// dispatcher does the same for commands, so both reach identical cores.

// Write runs fn, a write that may grow memory, with key's shard held
// exclusively and accounts the change in key's size. It returns an error
// instead of running fn while the store is over maxmemory and nothing can
// be evicted (ErrOOM) or the shard's log cannot be written (MISCONF), and,
// under FsyncAlways, an error if the write did not become durable.
func (en *Engine) Write(key string, fn func(sh *Shard)) error {
	if err := en.freeMemory(); err != nil {
		return err
	}
	return en.Modify(key, fn)
}

// Modify is Write for writes that do not grow memory (deletions, pops,
// TTL changes): they run even over maxmemory, as in Redis.
func (en *Engine) Modify(key string, fn func(sh *Shard)) error {
	sh := en.ShardOf(key)
	if err := sh.refused(); err != nil {
		return err
	}
	sh.mu.Lock()
	size, pos := sh.keySize(key), sh.position()
	fn(sh)
	sh.used.Add(sh.keySize(key) - size)
	lsn := sh.position()
	evs := sh.takeEvents(nil)
	sh.mu.Unlock()
	en.deliver(evs)
	return sh.settle(pos, lsn)
}

// Read runs fn with key's shard held shared.
func (en *Engine) Read(key string, fn func(sh *Shard)) {
	sh := en.ShardOf(key)
	sh.mu.RLock()
	fn(sh)
	sh.mu.RUnlock()
	sh.reapNoted()
}

// Set is the typed API's SET key val, and the dispatcher's for SET without
// options: the fast path, with the accounting computed inline.
func (en *Engine) Set(key, val string) error {
	sh, pos, err := en.lockWrite(key)
	if err != nil {
		return err
	}
	h := sh.dict.Hash(key)
	sh.storeStringAccounted(sh.lookupWriteAccounted(key, h), key, h, val, false)
	sh.logSet(key, val)
	sh.notify(ClassString, "set", key)
	return sh.unlockWrite(pos)
}

// IncrBy is the typed API's INCRBY, and the dispatcher's for INCR, DECR,
// INCRBY and DECRBY: Set's fast path for Shard.IncrBy's core.
func (en *Engine) IncrBy(key string, delta int64) (int64, error) {
	sh, pos, err := en.lockWrite(key)
	if err != nil {
		return 0, err
	}
	n, err := sh.incrBy(key, delta, true)
	if serr := sh.unlockWrite(pos); err == nil {
		err = serr
	}
	return n, err
}

// lockWrite begins a fast-path write to key: unless the store is over
// maxmemory with nothing to evict or its log refuses writes (OOM before
// MISCONF, as Redis's processCommand), it returns key's shard held
// exclusively and the shard's log position, for unlockWrite.
func (en *Engine) lockWrite(key string) (*Shard, uint64, error) {
	sh := en.ShardOf(key)
	if err := en.freeMemory(); err != nil {
		return nil, 0, err
	}
	if err := sh.refused(); err != nil {
		return nil, 0, err
	}
	sh.mu.Lock()
	return sh, sh.position(), nil
}

// unlockWrite ends a fast-path write begun at log position pos: it
// releases sh, delivers the write's events and waits for durability as
// the dispatcher does.
func (sh *Shard) unlockWrite(pos uint64) error {
	lsn := sh.position()
	evs := sh.takeEvents(nil)
	sh.mu.Unlock()
	sh.en.deliver(evs)
	sh.reapNoted()
	return sh.settle(pos, lsn)
}

// storeStringAccounted is storeString for a write that keeps the memory
// accounting itself: e is lookupWriteAccounted(key, h). Exclusive lock
// held.
func (sh *Shard) storeStringAccounted(e *keyspace.Entry, key string, h uint64, val string, keepTTL bool) {
	var delta int64
	replaced := false // a container replaced by a string: measured around
	switch {
	case e == nil:
		delta = entryCost + slotCost + int64(types.StringCost(len(key))+types.StringCost(len(val)))
	case e.Kind() == KindString:
		if len(e.Str()) != len(val) || e.Flags&keyspace.FlagOwned != 0 {
			delta = int64(types.StringCost(len(val))) - stringValueCost(e)
		}
		if !keepTTL && e.Exp() != 0 {
			delta -= 8 // leaves the TTL index
		}
	default:
		delta, replaced = -entrySize(e), true
	}
	sh.storeString(e, key, h, val, keepTTL)
	if replaced {
		delta += entrySize(e)
	}
	sh.used.Add(delta)
}

// Lock acquires the shards of keys in ascending order (exclusively when
// write), marking a multi-key write so lock-free readers wait for it, and
// returns the function that releases them. Memory accounting of the keys is
// included for writes.
func (en *Engine) Lock(keys []string, write bool) (unlock func()) {
	var idx []int
	for _, k := range keys {
		i := en.ShardOf(k).idx
		if !slices.Contains(idx, i) {
			idx = append(idx, i)
		}
	}
	slices.Sort(idx)
	return en.LockShards(idx, write, keys)
}

// LockShards acquires shards idx (ascending) and returns their release.
// For writes it marks the shards multi (lock-free readers take the lock
// until release) and accounts the size change of keys.
func (en *Engine) LockShards(idx []int, write bool, keys []string) (unlock func()) {
	for _, i := range idx {
		sh := en.shards[i]
		if write {
			sh.mu.Lock()
			sh.multi.Add(1)
		} else {
			sh.mu.RLock()
		}
	}
	var before []int64
	if write {
		before = make([]int64, len(keys))
		for j, k := range keys {
			if !slices.Contains(keys[:j], k) {
				before[j] = en.ShardOf(k).keySize(k)
			}
		}
	}
	return func() {
		if write {
			for j, k := range keys {
				if !slices.Contains(keys[:j], k) {
					sh := en.ShardOf(k)
					sh.used.Add(sh.keySize(k) - before[j])
				}
			}
		}
		var evs []Event
		for j := len(idx) - 1; j >= 0; j-- {
			sh := en.shards[idx[j]]
			if write {
				evs = sh.takeEvents(evs)
				sh.multi.Add(-1)
				sh.mu.Unlock()
			} else {
				sh.mu.RUnlock()
			}
		}
		en.deliver(evs)
		for _, i := range idx {
			en.shards[i].reapNoted()
		}
	}
}

// AllShards returns the indexes of every shard, ascending.
func (en *Engine) AllShards() []int {
	idx := make([]int, len(en.shards))
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// Account re-measures key after a write made inside a held block (With,
// transactions), whose keys are not known in advance. before is the size
// measured when the block first touched key.
func (sh *Shard) Account(key string, before int64) { sh.used.Add(sh.keySize(key) - before) }

// KeySize is the memory estimate of key, 0 when absent. Lock held.
func (sh *Shard) KeySize(key string) int64 { return sh.keySize(key) }

// Batch runs fn holding the shards of keys exclusively (ascending order,
// marked multi so lock-free readers wait), with the same checks and
// settling as Write: when grow, ErrOOM if nothing can be evicted; MISCONF
// while a log cannot be written; under FsyncAlways, an error if the writes
// did not become durable. Memory accounting covers keys.
func (en *Engine) Batch(keys []string, grow bool, fn func()) error {
	if grow {
		if err := en.freeMemory(); err != nil {
			return err
		}
	}
	var idx []int
	for _, k := range keys {
		i := en.ShardOf(k).idx
		if !slices.Contains(idx, i) {
			idx = append(idx, i)
		}
	}
	slices.Sort(idx)
	for _, i := range idx {
		if err := en.shards[i].refused(); err != nil {
			return err
		}
	}
	unlock := en.LockShards(idx, true, keys)
	pos := make([]uint64, len(idx))
	for j, i := range idx {
		pos[j] = en.shards[i].position()
	}
	fn()
	lsn := make([]uint64, len(idx))
	for j, i := range idx {
		lsn[j] = en.shards[i].position()
	}
	unlock()
	for j, i := range idx {
		if err := en.shards[i].settle(pos[j], lsn[j]); err != nil {
			return err
		}
	}
	return nil
}
