package kevy

import (
	"fmt"
	"time"

	"github.com/kevy-go/kevy/internal/engine"
)

// Tx runs operations inside a block that holds one or more shards
// exclusively (With, WithKey, ForEachShard). No other goroutine reads or
// writes those shards until the block returns, so the block's operations
// are atomic together. Every write is made by the same code as outside a
// block, so it reaches the persistence log like any other. A key that routes
// to a shard the block does not hold gives ErrCrossShard: a block never
// writes a key where later reads could not find it.
//
// A Tx is valid only inside its block and only on the block's goroutine.
// A block does not roll back: writes made before an error stay, as in a
// Redis MULTI/EXEC.
//
// Inside Store.Tx the same methods queue their writes instead, applied
// together at commit (see Store.Tx).
type Tx struct {
	en   *engine.Engine
	held []int
	done bool
	q    *txQueue // Store.Tx: writes wait for the commit (tx.go)
}

// With runs fn holding shard i exclusively.
func (s *Store) With(shard int, fn func(tx *Tx) error) error {
	if s.closed.Load() {
		return ErrClosed
	}
	if shard < 0 || shard >= s.en.ShardCount() {
		return fmt.Errorf("kevy: shard %d out of range [0, %d)", shard, s.en.ShardCount())
	}
	return s.with([]int{shard}, fn)
}

// WithKey runs fn holding the shard that owns key. Keys sharing key's
// {hash tag} live on the same shard, so they can be used in fn too.
func (s *Store) WithKey(key string, fn func(tx *Tx) error) error {
	if s.closed.Load() {
		return ErrClosed
	}
	return s.with([]int{engine.ShardIndex(key, s.en.ShardCount())}, fn)
}

// ForEachShard runs fn once per shard, in order, each time holding that
// shard; it stops at the first error.
func (s *Store) ForEachShard(fn func(shard int, tx *Tx) error) error {
	if s.closed.Load() {
		return ErrClosed
	}
	for i := 0; i < s.en.ShardCount(); i++ {
		if err := s.with([]int{i}, func(tx *Tx) error { return fn(i, tx) }); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) with(held []int, fn func(tx *Tx) error) error {
	unlock := s.en.LockShards(held, true, nil)
	tx := &Tx{en: s.en, held: held}
	defer func() {
		tx.done = true
		unlock()
	}()
	return fn(tx)
}

// shard returns key's shard if the block holds it.
func (tx *Tx) shard(key string) (*engine.Shard, error) {
	if tx.done {
		return nil, ErrClosed
	}
	sh := tx.en.ShardOf(key)
	for _, i := range tx.held {
		if i == sh.Index() {
			return sh, nil
		}
	}
	return nil, ErrCrossShard
}

// write runs a core on key's shard, accounting its memory.
func (tx *Tx) write(key string, fn func(sh *engine.Shard)) error {
	if tx.q != nil {
		return tx.queue(key, fn)
	}
	sh, err := tx.shard(key)
	if err != nil {
		return err
	}
	before := sh.KeySize(key)
	fn(sh)
	sh.Account(key, before)
	return nil
}

// read runs a core on key's shard.
func (tx *Tx) read(key string, fn func(sh *engine.Shard)) error {
	if tx.q != nil {
		return tx.readCommitted(key, fn)
	}
	sh, err := tx.shard(key)
	if err != nil {
		return err
	}
	fn(sh)
	return nil
}

// Do runs a command inside the block; see Store.Do.
func (tx *Tx) Do(args ...string) (Reply, error) {
	if tx.done {
		return Reply{}, ErrClosed
	}
	if tx.q != nil {
		return tx.queueDo(args)
	}
	var b replyBuilder
	c := engine.Ctx{Args: args, W: &b, Held: tx.held}
	tx.en.Exec(&c)
	return b.root, b.err
}

// Get is Store.Get inside the block.
func (tx *Tx) Get(key string) (string, error) {
	var v string
	var err error
	if e := tx.read(key, func(sh *engine.Shard) { v, err = sh.GetHeld(key) }); e != nil {
		return "", e
	}
	return v, err
}

// Set is Store.Set inside the block.
func (tx *Tx) Set(key, val string) error {
	return tx.write(key, func(sh *engine.Shard) { sh.Set(key, val, engine.SetArgs{}) })
}

// SetWithTTL is Store.SetWithTTL inside the block.
func (tx *Tx) SetWithTTL(key, val string, ttl time.Duration) error {
	if ttl <= 0 {
		return engine.ExpireError("set")
	}
	at := tx.en.Now() + durationMs(ttl)
	return tx.write(key, func(sh *engine.Shard) { sh.Set(key, val, engine.SetArgs{At: at}) })
}

// Del is Store.Del inside the block.
func (tx *Tx) Del(keys ...string) (int, error) {
	n := 0
	for _, k := range keys {
		if err := tx.write(k, func(sh *engine.Shard) {
			if sh.Del(k) {
				n++
			}
		}); err != nil {
			return n, err
		}
	}
	return n, nil
}

// Exists is Store.Exists inside the block.
func (tx *Tx) Exists(keys ...string) (int, error) {
	n := 0
	for _, k := range keys {
		if err := tx.read(k, func(sh *engine.Shard) {
			if sh.Exists(k) {
				n++
			}
		}); err != nil {
			return n, err
		}
	}
	return n, nil
}

// IncrBy is Store.IncrBy inside the block.
func (tx *Tx) IncrBy(key string, delta int64) (int64, error) {
	var n int64
	var err error
	if e := tx.write(key, func(sh *engine.Shard) { n, err = sh.IncrBy(key, delta) }); e != nil {
		return 0, e
	}
	return n, err
}

// Incr is Store.Incr inside the block.
func (tx *Tx) Incr(key string) (int64, error) { return tx.IncrBy(key, 1) }

// HSet is Store.HSet inside the block.
func (tx *Tx) HSet(key string, fieldValues ...string) (int, error) {
	if len(fieldValues) == 0 || len(fieldValues)%2 != 0 {
		return 0, engine.ArityError("hset")
	}
	var n int
	var err error
	if e := tx.write(key, func(sh *engine.Shard) { n, err = sh.HSet(key, fieldValues) }); e != nil {
		return 0, e
	}
	return n, err
}

// HGet is Store.HGet inside the block.
func (tx *Tx) HGet(key, field string) (string, error) {
	var v string
	var err error
	if e := tx.read(key, func(sh *engine.Shard) { v, err = sh.HGet(key, field) }); e != nil {
		return "", e
	}
	return v, err
}

// RPush is Store.RPush inside the block.
func (tx *Tx) RPush(key string, vals ...string) (int, error) {
	var n int
	var err error
	if e := tx.write(key, func(sh *engine.Shard) { n, err = sh.Push(key, vals, false, false) }); e != nil {
		return 0, e
	}
	return n, err
}

// LPush is Store.LPush inside the block.
func (tx *Tx) LPush(key string, vals ...string) (int, error) {
	var n int
	var err error
	if e := tx.write(key, func(sh *engine.Shard) { n, err = sh.Push(key, vals, true, false) }); e != nil {
		return 0, e
	}
	return n, err
}

// SAdd is Store.SAdd inside the block.
func (tx *Tx) SAdd(key string, members ...string) (int, error) {
	var n int
	var err error
	if e := tx.write(key, func(sh *engine.Shard) { n, err = sh.SAdd(key, members) }); e != nil {
		return 0, e
	}
	return n, err
}

// Expire is Store.Expire inside the block.
func (tx *Tx) Expire(key string, ttl time.Duration) (bool, error) {
	at := tx.en.Now() + durationMs(ttl)
	var ok bool
	err := tx.write(key, func(sh *engine.Shard) { ok = sh.ExpireAt(key, at, 0) })
	return ok, err
}
