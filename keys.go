package kevy

import (
	"errors"
	"iter"
	"time"

	"github.com/kevy-go/kevy/internal/engine"
)

// Del deletes keys, which may live in different shards, and returns how many
// existed. The deletion is atomic: the shards involved are held together.
func (s *Store) Del(keys ...string) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	n := 0
	unlock := s.en.Lock(keys, true)
	for _, k := range keys {
		if s.en.ShardOf(k).Del(k) {
			n++
		}
	}
	unlock()
	return n, nil
}

// Exists returns how many of keys exist; a key named twice counts twice, as
// in Redis.
func (s *Store) Exists(keys ...string) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	n := 0
	unlock := s.en.Lock(keys, false)
	for _, k := range keys {
		if s.en.ShardOf(k).Exists(k) {
			n++
		}
	}
	unlock()
	return n, nil
}

// Expire sets key's time to live, rounded up to whole milliseconds and
// stored as an absolute deadline. A ttl <= 0 deletes the key, as in Redis.
// It reports whether the key exists.
func (s *Store) Expire(key string, ttl time.Duration) (bool, error) {
	if s.closed.Load() {
		return false, ErrClosed
	}
	at := s.en.Now() + durationMs(ttl)
	if ttl <= 0 {
		at = s.en.Now() + int64(ttl/time.Millisecond)
	}
	var ok bool
	if e := s.en.Modify(key, func(sh *engine.Shard) { ok = sh.ExpireAt(key, at, 0) }); e != nil {
		return false, e
	}
	return ok, nil
}

// ExpireAt sets key's deadline; a time not in the future deletes the key.
// It reports whether the key exists.
func (s *Store) ExpireAt(key string, t time.Time) (bool, error) {
	if s.closed.Load() {
		return false, ErrClosed
	}
	var ok bool
	if e := s.en.Modify(key, func(sh *engine.Shard) { ok = sh.ExpireAt(key, t.UnixMilli(), 0) }); e != nil {
		return false, e
	}
	return ok, nil
}

// Persist removes key's TTL and reports whether it had one.
func (s *Store) Persist(key string) (bool, error) {
	if s.closed.Load() {
		return false, ErrClosed
	}
	var ok bool
	if e := s.en.Modify(key, func(sh *engine.Shard) { ok = sh.Persist(key) }); e != nil {
		return false, e
	}
	return ok, nil
}

// TTL returns key's remaining time to live in seconds, rounded as Redis
// rounds it, or -2 if the key is missing and -1 if it has no TTL.
func (s *Store) TTL(key string) (int64, error) {
	ms, err := s.PTTL(key)
	if ms >= 0 {
		ms = (ms + 500) / 1000
	}
	return ms, err
}

// PTTL returns key's remaining time to live in milliseconds, or -2 if the
// key is missing and -1 if it has no TTL.
func (s *Store) PTTL(key string) (int64, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	var ms int64
	s.en.Read(key, func(sh *engine.Shard) { ms = sh.PTTL(key) })
	return ms, nil
}

// Type returns the type of key's value as Redis's TYPE names it: "string",
// "list", "set", "zset", "hash", or "none" when missing.
func (s *Store) Type(key string) (string, error) {
	if s.closed.Load() {
		return "", ErrClosed
	}
	var k string
	s.en.Read(key, func(sh *engine.Shard) { k = sh.Type(key).String() })
	return k, nil
}

// Rename moves src's value and TTL to dst, replacing whatever dst held. The
// keys may live on different shards; the move is atomic. A missing src is
// ErrNoSuchKey. Like every write, it fails while the store's log cannot be
// written.
func (s *Store) Rename(src, dst string) error {
	if s.closed.Load() {
		return ErrClosed
	}
	var err error
	if e := s.en.Batch([]string{src, dst}, false, func() { _, err = s.en.Rename(src, dst, false) }); e != nil {
		return e
	}
	return err
}

// RenameNX is Rename that leaves an existing dst alone; it reports whether
// the key was renamed. A missing src is ErrNoSuchKey.
func (s *Store) RenameNX(src, dst string) (bool, error) {
	if s.closed.Load() {
		return false, ErrClosed
	}
	var ok bool
	var err error
	if e := s.en.Batch([]string{src, dst}, false, func() { ok, err = s.en.Rename(src, dst, true) }); e != nil {
		return false, e
	}
	return ok, err
}

// Copy copies src's value and TTL to dst (a deep copy) and reports whether
// it did: false when src is missing or when dst exists and replace is
// false. Copying a key onto itself is an error, as in Redis. Over
// maxmemory, with nothing to evict, it fails with ErrOOM.
func (s *Store) Copy(src, dst string, replace bool) (bool, error) {
	if s.closed.Load() {
		return false, ErrClosed
	}
	var ok bool
	var err error
	if e := s.en.Batch([]string{src, dst}, true, func() { ok, err = s.en.Copy(src, dst, replace) }); e != nil {
		return false, e
	}
	return ok, err
}

// Scan returns a batch of keys matching the glob pattern match ("" for all)
// from cursor on, examining about count keys (count <= 0: 10), and the
// cursor to continue with; 0 means the scan is complete. Start with cursor
// 0. As with Redis's SCAN, a key present for the whole scan is returned at
// least once, and may be returned more than once.
//
//	for cur := uint64(0); ; {
//		keys, next, err := s.Scan(cur, "user:*", 100)
//		...
//		if cur = next; cur == 0 {
//			break
//		}
//	}
func (s *Store) Scan(cursor uint64, match string, count int) (keys []string, next uint64, err error) {
	if s.closed.Load() {
		return nil, 0, ErrClosed
	}
	keys, next = s.en.Scan(cursor, engine.ScanOptions{Match: match, Count: count})
	return keys, next, nil
}

// ScanKeys iterates over the keys matching the glob pattern match ("" for
// all) with successive Scan calls, so it never holds a lock between keys.
// The guarantees are Scan's: a key present for the whole iteration is
// yielded at least once, possibly more than once. On a closed store it
// yields nothing.
func (s *Store) ScanKeys(match string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for cur := uint64(0); ; {
			keys, next, err := s.Scan(cur, match, 100)
			if err != nil {
				return
			}
			for _, k := range keys {
				if !yield(k) {
					return
				}
			}
			if cur = next; cur == 0 {
				return
			}
		}
	}
}

// RandomKey returns a random key, or ErrNotFound when the store is empty.
func (s *Store) RandomKey() (string, error) {
	if s.closed.Load() {
		return "", ErrClosed
	}
	return s.en.RandomKey()
}

// Touch returns how many of keys exist (a key named twice counts twice),
// as Redis's TOUCH.
func (s *Store) Touch(keys ...string) (int, error) {
	return s.Exists(keys...)
}

// ExpireTime returns the time at which key expires, the zero Time when it
// has no TTL, or ErrNotFound.
func (s *Store) ExpireTime(key string) (time.Time, error) {
	if s.closed.Load() {
		return time.Time{}, ErrClosed
	}
	var at int64
	s.en.Read(key, func(sh *engine.Shard) { at = sh.ExpireTime(key) })
	switch at {
	case -2:
		return time.Time{}, ErrNotFound
	case -1:
		return time.Time{}, nil
	}
	return time.UnixMilli(at), nil
}

// Dump returns key's value serialized in Redis's DUMP format, which
// Restore (here or in Redis 7.0) accepts, or ErrNotFound.
func (s *Store) Dump(key string) (string, error) {
	if s.closed.Load() {
		return "", ErrClosed
	}
	var p string
	var err error
	s.en.Read(key, func(sh *engine.Shard) { p, err = sh.Dump(key) })
	return p, err
}

// Restore creates key from a DUMP payload (made by Dump or by Redis up to
// 7.2) with a time to live (0: none; rounded up to whole milliseconds). An
// existing key is an error ("BUSYKEY Target key name already exists.")
// unless replace. A payload that fails its
// checksum or does not decode is an error with Redis's text.
func (s *Store) Restore(key, payload string, ttl time.Duration, replace bool) error {
	if s.closed.Load() {
		return ErrClosed
	}
	if ttl < 0 {
		return errors.New("kevy: negative TTL")
	}
	var at int64
	if ttl > 0 {
		at = s.en.Now() + durationMs(ttl)
	}
	var err error
	if e := s.en.Write(key, func(sh *engine.Shard) { err = sh.Restore(key, payload, at, replace) }); e != nil {
		return e
	}
	return err
}
